using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;
using BcParser = Org.BouncyCastle.X509.X509CertificateParser;

namespace TlsTools.Policy;

/// <summary>The outcome of holding a TLSA record set against one presented chain.</summary>
public sealed class DaneMatchResult
{
    /// <summary>True when a usable record authenticates the chain.</summary>
    public bool Matched { get; init; }

    /// <summary>The record that matched.</summary>
    public TlsaRecordData? Record { get; init; }

    /// <summary>The position in the presented chain of the matched certificate (0 is the leaf).</summary>
    public int? Depth { get; init; }

    /// <summary>The certificate name that satisfied the DANE-TA name check, when one was needed.</summary>
    public string? MatchedName { get; init; }

    /// <summary>What matched, or why nothing did.</summary>
    public string Detail { get; init; } = string.Empty;
}

/// <summary>
/// TLSA matching for SMTP (RFC 6698, RFC 7671, RFC 7672 section 3): DANE-EE (3) against the
/// leaf, ignoring names, expiry and the rest of the chain; DANE-TA (2) against a certificate the
/// server sent above the leaf, with the path from the leaf up to it checked (issuer names,
/// signatures, validity dates below the trust anchor) and the leaf's names checked against the
/// reference names (RFC 7672 sections 3.2.2 and 3.2.3). Usages 0 and 1 are never used. A DANE-TA
/// anchor the server did not send is not found (RFC 7671 section 5.2.2 asks servers to send it).
/// </summary>
public static class DaneMatcher
{
    /// <summary>The data a selector picks from a certificate: the whole DER certificate (0) or its SubjectPublicKeyInfo (1).</summary>
    public static byte[] SelectedData(X509Certificate2 certificate, int selector) => selector switch
    {
        0 => certificate.RawData,
        1 => Parse(certificate).CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded(),
        _ => throw new ArgumentOutOfRangeException(nameof(selector), selector, "Selector must be 0 or 1."),
    };

    /// <summary>True when the record's selector and matching type select data equal to its association data.</summary>
    public static bool RecordMatches(TlsaRecordData record, X509Certificate2 certificate)
    {
        if (record.Selector is not (0 or 1) || record.MatchingType is not (0 or 1 or 2))
        {
            return false;
        }
        byte[] selected = SelectedData(certificate, record.Selector);
        byte[] digest = record.MatchingType switch
        {
            1 => Sha256(selected),
            2 => Sha512(selected),
            _ => selected,
        };
        return digest.Length == record.Data.Length && digest.SequenceEqual(record.Data);
    }

    /// <summary>
    /// Holds <paramref name="records"/> against <paramref name="presented"/> (leaf first).
    /// <paramref name="referenceNames"/> are the names a DANE-TA leaf may carry: the TLSA base
    /// domain, the MX host name and, with a secure MX set, the recipient domain.
    /// </summary>
    public static DaneMatchResult Match(IReadOnlyList<TlsaRecordData> records, IReadOnlyList<X509Certificate2> presented,
        IReadOnlyList<string> referenceNames, DateTime now)
    {
        var usable = records.Where(r => r.IsUsable).ToList();
        if (usable.Count == 0)
        {
            return new DaneMatchResult { Detail = records.Count == 0 ? "There is no TLSA record." : "No TLSA record is usable for SMTP." };
        }
        if (presented.Count == 0)
        {
            return new DaneMatchResult { Detail = "The server presented no certificate." };
        }

        X509Certificate2 leaf = presented[0];
        foreach (TlsaRecordData r in usable.Where(r => r.Usage == 3))
        {
            if (RecordMatches(r, leaf))
            {
                return new DaneMatchResult
                {
                    Matched = true,
                    Record = r,
                    Depth = 0,
                    Detail = $"DANE-EE: the leaf matches {Short(r)} (names and expiry are not checked for usage 3).",
                };
            }
        }

        var problems = new List<string>();
        foreach (TlsaRecordData r in usable.Where(r => r.Usage == 2))
        {
            for (int depth = 1; depth < presented.Count; depth++)
            {
                if (!RecordMatches(r, presented[depth]))
                {
                    continue;
                }
                string? pathProblem = CheckPath(presented, depth, now);
                if (pathProblem is not null)
                {
                    problems.Add($"{Short(r)} matches certificate {depth} of the chain, but {pathProblem}");
                    continue;
                }
                var dnsNames = CertificateNames(leaf, out string? commonName);
                string? name = HostNameMatcher.FirstMatch(dnsNames, commonName, referenceNames);
                if (name is null)
                {
                    problems.Add($"{Short(r)} matches certificate {depth} of the chain, but the leaf names ({string.Join(", ", dnsNames.DefaultIfEmpty(commonName ?? "none"))}) match none of {string.Join(", ", referenceNames)} (RFC 7672 section 3.2.3)");
                    continue;
                }
                return new DaneMatchResult
                {
                    Matched = true,
                    Record = r,
                    Depth = depth,
                    MatchedName = name,
                    Detail = $"DANE-TA: certificate {depth} of the chain ({presented[depth].Subject}) matches {Short(r)}; the leaf is issued under it and names {name}.",
                };
            }
        }

        string summary = "No usable TLSA record matches the presented chain";
        if (usable.All(r => r.Usage == 2) && problems.Count == 0)
        {
            summary += " (DANE-TA: no certificate the server sent above the leaf is the pinned trust anchor)";
        }
        return new DaneMatchResult { Detail = problems.Count == 0 ? summary + "." : summary + ": " + string.Join("; ", problems) + "." };
    }

    /// <summary>Checks that presented[0..depth] is a path: each certificate issued and signed by the next, each below the anchor within its dates.</summary>
    private static string? CheckPath(IReadOnlyList<X509Certificate2> presented, int depth, DateTime now)
    {
        for (int i = 0; i < depth; i++)
        {
            BcCertificate child = Parse(presented[i]);
            BcCertificate parent = Parse(presented[i + 1]);
            if (!child.IssuerDN.Equivalent(parent.SubjectDN))
            {
                return $"certificate {i} was not issued by certificate {i + 1}";
            }
            try
            {
                child.Verify(parent.GetPublicKey());
            }
            catch (Exception e) when (e is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.Certificates.CertificateException
                or Org.BouncyCastle.Security.SignatureException or InvalidOperationException or ArgumentException)
            {
                return $"the signature of certificate {i} does not verify with the key of certificate {i + 1}";
            }
            if (now < presented[i].NotBefore.ToUniversalTime() || now > presented[i].NotAfter.ToUniversalTime())
            {
                return $"certificate {i} ({presented[i].Subject}) is outside its validity dates";
            }
        }
        return null;
    }

    internal static List<string> CertificateNames(X509Certificate2 leaf, out string? commonName)
    {
        commonName = leaf.GetNameInfo(X509NameType.SimpleName, false);
        var names = new List<string>();
        foreach (X509Extension e in leaf.Extensions)
        {
            if (e.Oid?.Value != "2.5.29.17")
            {
                continue;
            }
            var san = Org.BouncyCastle.Asn1.X509.GeneralNames.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(e.RawData));
            foreach (var g in san.GetNames())
            {
                if (g.TagNo == Org.BouncyCastle.Asn1.X509.GeneralName.DnsName)
                {
                    names.Add(g.Name.ToString() ?? string.Empty);
                }
            }
        }
        return names;
    }

    private static BcCertificate Parse(X509Certificate2 certificate) => new BcParser().ReadCertificate(certificate.RawData);

    private static string Short(TlsaRecordData r)
    {
        string hex = TlsaRecordData.Hex(r.Data);
        return $"{r.Usage} {r.Selector} {r.MatchingType} {(hex.Length > 16 ? hex.Substring(0, 16) + "..." : hex)}";
    }

    private static byte[] Sha256(byte[] data)
    {
#if NET8_0_OR_GREATER
        return SHA256.HashData(data);
#else
        using var h = SHA256.Create();
        return h.ComputeHash(data);
#endif
    }

    private static byte[] Sha512(byte[] data)
    {
#if NET8_0_OR_GREATER
        return SHA512.HashData(data);
#else
        using var h = SHA512.Create();
        return h.ComputeHash(data);
#endif
    }
}
