using System;
using System.Collections.Generic;
using System.Linq;
using Org.BouncyCastle.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>
/// Judges a CA-issuers download (RFC 5280 section 4.2.2.1: a DER certificate or a certs-only
/// PKCS#7; PEM is accepted too): it must contain the certificate's actual issuer, that is a
/// certificate with the issuer's name whose key verifies the certificate's signature.
/// </summary>
internal static class CaIssuersEvaluator
{
    /// <summary>Reads every certificate in a download; empty when it holds none.</summary>
    public static IList<BcCertificate> Read(byte[] body)
    {
        try
        {
            return new X509CertificateParser().ReadCertificates(body) ?? new List<BcCertificate>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new List<BcCertificate>();
        }
    }

    /// <summary>The downloaded certificate that issued <paramref name="certificate"/>, if any.</summary>
    public static BcCertificate? FindIssuer(IEnumerable<BcCertificate> downloaded, BcCertificate certificate) =>
        downloaded.FirstOrDefault(c => Pki.IsIssuerOf(c, certificate));

    /// <summary>
    /// Fills <paramref name="result"/> from a download; returns the issuer found. Without a certificate,
    /// <paramref name="expectedThumbprint"/> (a preset's) names the SHA-1 thumbprint the download must have.
    /// </summary>
    public static BcCertificate? Evaluate(byte[] body, BcCertificate? certificate, string? expectedThumbprint, DateTime now, RevocationEndpointResult result)
    {
        IList<BcCertificate> certs = Read(body);
        if (certs.Count == 0)
        {
            result.Status = RevocationEndpointStatus.Invalid;
            result.Detail = "The response holds no certificate (DER, PEM or PKCS#7 expected).";
            return null;
        }

        BcCertificate? match;
        if (certificate is not null)
        {
            match = FindIssuer(certs, certificate);
            if (match is null)
            {
                BcCertificate? sameName = certs.FirstOrDefault(c => c.SubjectDN.Equivalent(certificate.IssuerDN));
                result.Issuer = Pki.Format((sameName ?? certs[0]).SubjectDN);
                result.Status = RevocationEndpointStatus.WrongIssuer;
                result.Detail = sameName is not null
                    ? $"The download is {result.Issuer} (thumbprint {Pki.Thumbprint(sameName)}), but its key did not sign the certificate: the CA has another key under the same name."
                    : $"The download is {Describe(certs)}, but the certificate was issued by {Pki.Format(certificate.IssuerDN)}.";
                return null;
            }
        }
        else if (expectedThumbprint is not null)
        {
            match = certs.FirstOrDefault(c => string.Equals(Pki.Thumbprint(c), expectedThumbprint, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                result.Issuer = Pki.Format(certs[0].SubjectDN);
                result.Status = RevocationEndpointStatus.WrongIssuer;
                result.Detail = $"The download is {Describe(certs)}, not the expected certificate with thumbprint {expectedThumbprint}.";
                return null;
            }
        }
        else
        {
            match = certs[0];
        }

        result.Issuer = Pki.Format(match.SubjectDN);
        string what = $"{result.Issuer} (thumbprint {Pki.Thumbprint(match)}, valid {Pki.Stamp(match.NotBefore)} to {Pki.Stamp(match.NotAfter)})";
        if (match.NotAfter.ToUniversalTime() < now)
        {
            result.Status = RevocationEndpointStatus.Expired;
            result.Detail = $"The download {what} has expired.";
        }
        else if (match.NotBefore.ToUniversalTime() > now + Pki.ClockSkew)
        {
            result.Status = RevocationEndpointStatus.Invalid;
            result.Detail = $"The download {what} is not valid yet.";
        }
        else
        {
            result.Status = RevocationEndpointStatus.OK;
            result.Detail = certificate is not null
                ? $"The download is the certificate's issuer: {what}."
                : $"The download is {what}" + (certs.Count > 1 ? $" and {certs.Count - 1} more." : ".");
        }
        return match;
    }

    private static string Describe(IList<BcCertificate> certs) =>
        string.Join("; ", certs.Select(c => $"{Pki.Format(c.SubjectDN)} (thumbprint {Pki.Thumbprint(c)})"));
}
