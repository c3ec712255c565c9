using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;

namespace TlsTools.Certificates;

/// <summary>
/// The facts about a presented chain that a judgement needs: the leaf's fields and whether the
/// chain validates against the trust anchors in use. Computed once per probe, never downloading.
/// </summary>
public sealed class CertificateAssessment
{
    /// <summary>The leaf certificate's fields.</summary>
    public CertificateFacts Leaf { get; init; } = null!;

    /// <summary>Whether the chain validates against the anchors used.</summary>
    public bool ChainValid { get; init; }

    /// <summary>Why it does not, one entry per problem.</summary>
    public IReadOnlyList<string> ChainErrors { get; init; } = System.Array.Empty<string>();

    /// <summary>The subject of the top of the built chain (the root CA when one was found), else the last presented issuer.</summary>
    public string RootIssuer { get; init; } = string.Empty;

    /// <summary>The validated chain, leaf first and the trust anchor last; empty when it does not validate.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; init; } = System.Array.Empty<X509Certificate2>();

    /// <summary>
    /// The subjects of the certificates signed with SHA-1: the leaf and the intermediates of the
    /// validated chain (or of the presented chain when it does not validate), never the trust
    /// anchor, whose self-signature nobody checks.
    /// </summary>
    public IReadOnlyList<string> Sha1Signed { get; init; } = System.Array.Empty<string>();

    /// <summary>Assesses <paramref name="presented"/> (leaf first; at least one certificate).</summary>
    public static CertificateAssessment Assess(IReadOnlyList<X509Certificate2> presented, IReadOnlyCollection<X509Certificate2>? trustedRoots, bool useSystemTrustStore)
    {
        ChainValidation chain = ChainValidator.Validate(presented, trustedRoots, useSystemTrustStore);
        return new CertificateAssessment
        {
            Leaf = CertificateFacts.From(presented[0]),
            ChainValid = chain.IsValid,
            ChainErrors = chain.Errors,
            RootIssuer = chain.RootSubject ?? presented[presented.Count - 1].Issuer,
            Chain = chain.Chain,
            Sha1Signed = Sha1SignedSubjects(chain.IsValid && chain.Chain.Count > 0 ? chain.Chain : presented, chain.IsValid && chain.Chain.Count > 0),
        };
    }

    /// <summary>
    /// The subjects of the certificates of <paramref name="chain"/> signed with SHA-1, leaving out the
    /// last one when <paramref name="endsInAnchor"/> (a validated chain) and every self-signed one.
    /// </summary>
    public static IReadOnlyList<string> Sha1SignedSubjects(IReadOnlyList<X509Certificate2> chain, bool endsInAnchor)
    {
        var subjects = new List<string>();
        int count = endsInAnchor && chain.Count > 1 ? chain.Count - 1 : chain.Count;
        for (int i = 0; i < count; i++)
        {
            X509Certificate2 c = chain[i];
            bool selfIssued = System.Linq.Enumerable.SequenceEqual(c.SubjectName.RawData, c.IssuerName.RawData);
            if (selfIssued && (i > 0 || endsInAnchor))
            {
                continue;
            }
            if (SignatureHash.IsSha1(c) && !subjects.Contains(c.Subject))
            {
                subjects.Add(c.Subject);
            }
        }
        return subjects;
    }
}
