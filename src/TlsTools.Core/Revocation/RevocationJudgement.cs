using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Revocation;

/// <summary>The revocation verdict on a chain or on one certificate, with what an administrator should read.</summary>
public sealed class RevocationVerdict
{
    public RevocationStatus Status { get; init; }

    /// <summary>For Revoked: the certificate and how it is revoked, in words. For Unknown: why no answer counts, in words.</summary>
    public IReadOnlyList<string> Findings { get; init; } = System.Array.Empty<string>();

    /// <summary>For Revoked: the subject of the revoked certificate.</summary>
    public string? RevokedSubject { get; init; }
}

/// <summary>
/// Judges revocation facts (pure). Only an answer whose signature verified with the key of the
/// certificate's issuer (or of a responder the issuer authorised) counts: a CRL or OCSP answer from
/// an unknown issuer, a stale one, or one that does not cover the certificate is no answer, and
/// leaves the certificate Unknown. A chain is Revoked when any certificate is, Unknown when any is
/// unknown, and Good only when every certificate below the trust anchor is good.
/// </summary>
public static class RevocationJudgement
{
    /// <summary>Source of the rule, for notes.</summary>
    public const string Source = "TlsSettings CertificateValidation means \"certificate chain validation and revocation lists checks\" (New-OutboundConnector)";

    public static RevocationVerdict Judge(ChainRevocationFacts facts)
    {
        if (facts.NotCheckedBecause is not null)
        {
            return new RevocationVerdict { Status = RevocationStatus.NotChecked, Findings = new[] { facts.NotCheckedBecause } };
        }
        if (facts.Certificates.Count == 0)
        {
            return new RevocationVerdict { Status = RevocationStatus.NotChecked, Findings = new[] { "The chain has no certificate below its trust anchor to check." } };
        }
        var verdicts = facts.Certificates.Select(c => (Facts: c, Verdict: Certificate(c))).ToList();
        var revoked = verdicts.FirstOrDefault(v => v.Verdict.Status == RevocationStatus.Revoked);
        if (revoked.Facts is not null)
        {
            return revoked.Verdict;
        }
        var unknown = verdicts.Where(v => v.Verdict.Status == RevocationStatus.Unknown).ToList();
        if (unknown.Count > 0)
        {
            return new RevocationVerdict { Status = RevocationStatus.Unknown, Findings = unknown.SelectMany(v => v.Verdict.Findings).ToList() };
        }
        return new RevocationVerdict { Status = RevocationStatus.Good };
    }

    /// <summary>The verdict on one certificate: Revoked, Good or Unknown.</summary>
    public static RevocationVerdict Certificate(CertificateRevocationFacts c)
    {
        var why = new List<string>();
        bool good = false;
        foreach (CrlCheckFacts crl in c.Crls)
        {
            switch (Crl(crl, out string? finding))
            {
                case RevocationStatus.Revoked:
                    return Revoked(c, finding!);
                case RevocationStatus.Good:
                    good = true;
                    break;
                default:
                    why.Add(finding!);
                    break;
            }
        }
        foreach (RevocationEndpointResult ocsp in c.Ocsp)
        {
            if (Verified(ocsp) && ocsp.Status == RevocationEndpointStatus.Revoked && ocsp.CertificateStatus == CertificateRevocationStatus.Revoked)
            {
                return Revoked(c, $"the OCSP responder {ocsp.Uri} says it is revoked{When(ocsp)} (signed by {ocsp.Issuer})");
            }
            if (Verified(ocsp) && ocsp.Status == RevocationEndpointStatus.OK && ocsp.CertificateStatus == CertificateRevocationStatus.Good)
            {
                good = true;
            }
            else
            {
                why.Add($"OCSP {ocsp.Uri}: {Problem(ocsp)}");
            }
        }
        if (good)
        {
            return new RevocationVerdict { Status = RevocationStatus.Good };
        }
        if (c.NamesNoEndpoint)
        {
            why.Add("it names no CRL distribution point and no OCSP responder");
        }
        else if (why.Count == 0)
        {
            why.Add("no endpoint was checked");
        }
        return new RevocationVerdict
        {
            Status = RevocationStatus.Unknown,
            Findings = new[] { $"{c.Subject}: " + string.Join("; ", why) + "." },
        };
    }

    /// <summary>A base CRL with its delta: Revoked, Good, or Unknown with the reason in <paramref name="finding"/>.</summary>
    private static RevocationStatus Crl(CrlCheckFacts crl, out string? finding)
    {
        RevocationEndpointResult b = crl.Base;
        finding = null;
        if (!Verified(b) || b.Status is not (RevocationEndpointStatus.OK or RevocationEndpointStatus.Revoked))
        {
            finding = $"CRL {b.Uri}: {Problem(b)}";
            return RevocationStatus.Unknown;
        }
        RevocationEndpointResult? d = crl.Delta;
        bool deltaUsable = d is not null && Verified(d) && d.Status is RevocationEndpointStatus.OK or RevocationEndpointStatus.Revoked;
        if (b.CertificateStatus == CertificateRevocationStatus.Revoked)
        {
            // certificateHold is the one reversible reason: a current delta may lift it (removeFromCRL, RFC 5280 section 5.3.1).
            if (b.RevocationReason == "certificateHold" && deltaUsable && d!.CertificateStatus == CertificateRevocationStatus.Good && d.RevocationReason == "removeFromCRL")
            {
                return RevocationStatus.Good;
            }
            finding = $"the CRL {b.Uri} lists it{Reason(b)}{When(b)} (signed by {b.Issuer})";
            return RevocationStatus.Revoked;
        }
        if (b.CertificateStatus != CertificateRevocationStatus.Good)
        {
            finding = $"CRL {b.Uri}: {Problem(b)}";
            return RevocationStatus.Unknown;
        }
        if (deltaUsable && d!.CertificateStatus == CertificateRevocationStatus.Revoked)
        {
            finding = $"the delta CRL {d.Uri} lists it{Reason(d)}{When(d)} (signed by {d.Issuer})";
            return RevocationStatus.Revoked;
        }
        if (crl.DeltaNamed && !(deltaUsable && d!.CertificateStatus == CertificateRevocationStatus.Good))
        {
            finding = d is null
                ? $"CRL {b.Uri}: the CA publishes a delta CRL, which could not be fetched, so the base CRL alone is not current"
                : $"delta CRL {d.Uri}: {Problem(d)}";
            return RevocationStatus.Unknown;
        }
        return RevocationStatus.Good;
    }

    private static bool Verified(RevocationEndpointResult r) => r.SignatureValid == true;

    /// <summary>Why an endpoint's answer does not count, in words.</summary>
    private static string Problem(RevocationEndpointResult r)
    {
        if (r.Status is RevocationEndpointStatus.OK or RevocationEndpointStatus.Revoked && r.SignatureValid != true)
        {
            return "its signature could not be verified (the issuer is not known), so the answer does not count";
        }
        string detail = string.IsNullOrEmpty(r.Detail) ? string.Empty : " (" + r.Detail.TrimEnd('.') + ")";
        return r.Status switch
        {
            RevocationEndpointStatus.Unreachable => "unreachable" + detail,
            RevocationEndpointStatus.Timeout => "no answer in time" + detail,
            RevocationEndpointStatus.HttpError => "HTTP error" + detail,
            RevocationEndpointStatus.TooLarge => "too large" + detail,
            RevocationEndpointStatus.Expired => "stale" + detail,
            RevocationEndpointStatus.WrongIssuer => "from another issuer" + detail,
            RevocationEndpointStatus.Invalid => "invalid" + detail,
            _ => "no answer for this certificate" + detail,
        };
    }

    private static string Reason(RevocationEndpointResult r) => r.RevocationReason is null ? string.Empty : $" ({r.RevocationReason})";

    private static string When(RevocationEndpointResult r) => r.RevocationDate is System.DateTime d ? $" since {Pki.Stamp(d)}" : string.Empty;

    private static RevocationVerdict Revoked(CertificateRevocationFacts c, string how) => new()
    {
        Status = RevocationStatus.Revoked,
        RevokedSubject = c.Subject,
        Findings = new[] { $"{c.Subject} is revoked: {how}." },
    };
}
