using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;
using TlsTools.Presets;
using TlsTools.Trust;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>Turns certificates, URLs and presets into the endpoint checks to run.</summary>
public static class RevocationPlanner
{
    /// <summary>
    /// One check per CRL distribution point, OCSP responder and CA-issuers URL of every certificate
    /// (duplicates by thumbprint are checked once). Each certificate's issuer is looked for among
    /// <paramref name="certificates"/> first, then among <paramref name="localCertificates"/>.
    /// <paramref name="skipped"/> receives one line per URL that is not checked (not http or https).
    /// </summary>
    public static IReadOnlyList<RevocationCheck> ForCertificates(IEnumerable<X509Certificate2> certificates,
        IEnumerable<StoreCertificate> localCertificates, ICollection<string> skipped)
    {
        var given = new List<(X509Certificate2 Cert, BcCertificate Bc)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (X509Certificate2 c in certificates)
        {
            if (seen.Add(c.Thumbprint))
            {
                given.Add((c, Pki.ToBouncyCastle(c)));
            }
        }
        List<StoreCertificate> local = localCertificates.ToList();

        var checks = new List<RevocationCheck>();
        foreach ((X509Certificate2 cert, BcCertificate bc) in given)
        {
            CertificateFacts facts;
            try
            {
                facts = CertificateFacts.From(cert);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A malformed extension must not stop the other certificates.
                skipped.Add($"{cert.Subject}: its CRL distribution points and authority information access could not be read: {e.Message}");
                continue;
            }
            var subject = new RevocationSubject(cert, bc, FindIssuer(cert, bc, given, local), RevocationSubject.HttpUris(facts.CaIssuersUris));
            Add(checks, subject, RevocationEndpointKind.CaIssuers, facts.CaIssuersUris, skipped);
            Add(checks, subject, RevocationEndpointKind.Crl, facts.CrlDistributionPoints, skipped);
            Add(checks, subject, RevocationEndpointKind.Ocsp, facts.OcspUris, skipped);
        }
        return checks;
    }

    private static IssuerLookup? FindIssuer(X509Certificate2 cert, BcCertificate bc, List<(X509Certificate2 Cert, BcCertificate Bc)> given, List<StoreCertificate> local)
    {
        if (Pki.IsSelfSigned(bc))
        {
            return new IssuerLookup(bc, "self-signed");
        }
        foreach ((X509Certificate2 c, BcCertificate b) in given)
        {
            if (!ReferenceEquals(c, cert) && Pki.IsIssuerOf(b, bc))
            {
                return new IssuerLookup(b, "given with the certificate");
            }
        }
        foreach (StoreCertificate s in local)
        {
            // The cheap name test first: most store certificates are not candidates.
            if (string.Equals(s.Certificate.Subject, cert.Issuer, StringComparison.OrdinalIgnoreCase))
            {
                BcCertificate b = Pki.ToBouncyCastle(s.Certificate);
                if (Pki.IsIssuerOf(b, bc))
                {
                    return new IssuerLookup(b, "found in " + s.Store);
                }
            }
        }
        return null;
    }

    private static void Add(List<RevocationCheck> checks, RevocationSubject subject, RevocationEndpointKind kind, IEnumerable<string> uris, ICollection<string> skipped)
    {
        foreach (string text in uris.Distinct(StringComparer.Ordinal))
        {
            if (TryParseHttpUri(text, out Uri? uri, out string? error))
            {
                checks.Add(new RevocationCheck(kind, uri!) { Subject = subject });
            }
            else
            {
                skipped.Add($"{subject.Certificate.Subject}: {kind} URL {error}");
            }
        }
    }

    /// <summary>A check of a URL given without a certificate; the kind is guessed from it when not given.</summary>
    public static RevocationCheck ForUri(Uri uri, RevocationEndpointKind? kind = null) => new(kind ?? GuessKind(uri), uri);

    /// <summary>
    /// The kind a bare URL most likely serves: <c>.crl</c> is a CRL; <c>.crt</c>, <c>.cer</c>, <c>.der</c>,
    /// <c>.pem</c>, <c>.p7c</c> and <c>.p7b</c> are CA certificates; anything else is taken for an OCSP responder.
    /// </summary>
    public static RevocationEndpointKind GuessKind(Uri uri)
    {
        string ext = Path.GetExtension(uri.AbsolutePath).ToLowerInvariant();
        return ext switch
        {
            ".crl" => RevocationEndpointKind.Crl,
            ".crt" or ".cer" or ".der" or ".pem" or ".p7c" or ".p7b" => RevocationEndpointKind.CaIssuers,
            _ => RevocationEndpointKind.Ocsp,
        };
    }

    /// <summary>Accepts absolute http and https URLs only (what the checks can fetch).</summary>
    public static bool TryParseHttpUri(string? text, out Uri? uri, out string? error)
    {
        uri = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text!.Trim(), UriKind.Absolute, out Uri? parsed))
        {
            error = $"'{text}' is not an absolute URL.";
            return false;
        }
        if (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
        {
            error = $"'{text}' is not checked: only http and https URLs are, not {parsed.Scheme}.";
            return false;
        }
        uri = parsed;
        return true;
    }

    /// <summary>The checks of a preset's endpoints.</summary>
    public static IReadOnlyList<RevocationCheck> ForPreset(CertificatePreset preset) =>
        preset.Endpoints.Select(e => new RevocationCheck(e.Kind, new Uri(e.Uri))
        {
            Label = e.CertificateAuthority,
            Note = e.Note,
            ExpectedThumbprint = e.ExpectedThumbprint,
            ReachabilityOnly = e.HostOnly,
        }).ToList();
}
