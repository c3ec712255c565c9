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
        };
    }
}
