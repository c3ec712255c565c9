using System;
using System.Collections.Generic;
using System.Globalization;

namespace TlsTools.Presets;

/// <summary>
/// What the mail certificates of Exchange Online have needed, past and present: the CRL, OCSP and
/// CA-issuers endpoints a validating server must reach, and the roots it must trust. This file is
/// the one place that holds the data; the history it records:
/// <list type="bullet">
/// <item>until 2018-09-03: a chain under Baltimore CyberTrust Root (expired 2025-05-12);</item>
/// <item>2018-09-03 to early 2021: GlobalSign Organization Validation CA - SHA256 - G3 under GlobalSign
/// Root CA (MC146001; the article's check is <c>certutil -URL http://crl.globalsign.com/gsorganizationvalsha2g3.crl</c>);</item>
/// <item>early 2021 into 2026: DigiCert Cloud Services CA-1 under DigiCert Global Root CA (G1);</item>
/// <item>from 2026: a chain under DigiCert Global Root G2; MC1224565 asked every SMTP partner to trust
/// it first by 2026-04-30, then by 2026-03-15, then (after the root-chain bundles were republished
/// with their intermediate on 2026-03-16) by 2026-03-22;</item>
/// <item>Microsoft-operated TLS issuing CAs also publish at www.microsoft.com/pkiops, crl.microsoft.com,
/// oneocsp.microsoft.com and ocsp.msocsp.com ("Office TLS Certificate Changes", 2022).</item>
/// </list>
/// Where the sources name only a host, the entry is checked for reachability only.
/// </summary>
public static class ExchangeOnlinePreset
{
    private const string GlobalSign = "Exchange Online, GlobalSign chain (GlobalSign Organization Validation CA - SHA256 - G3), 2018-09-03 to early 2021";
    private const string DigiCertG1 = "Exchange Online, DigiCert G1 chain (DigiCert Cloud Services CA-1 under DigiCert Global Root CA), early 2021 into 2026";
    private const string DigiCertG2 = "Exchange Online, DigiCert Global Root G2 chain, from 2026 (trust required by 2026-03-22, MC1224565)";
    private const string DigiCertBoth = "Exchange Online, DigiCert G1 (early 2021 into 2026) and G2 (from 2026) chains";
    private const string Microsoft = "Microsoft-operated TLS issuing CAs of Microsoft 365 (Office TLS Certificate Changes, 2022)";

    public const string DigiCertGlobalRootCAThumbprint = "A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436";
    public const string DigiCertGlobalRootG2Thumbprint = "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4";

    public static CertificatePreset Preset { get; } = new(
        "ExchangeOnline",
        "The endpoints and roots of Exchange Online's SMTP certificates (*.mail.protection.outlook.com), 2018 to today.",
        new[]
        {
            Crl("http://crl.globalsign.com/gsorganizationvalsha2g3.crl", "GlobalSign Organization Validation CA - SHA256 - G3",
                GlobalSign + "; the URL of Microsoft's certutil -URL check (reported broken by November 2020)"),
            Host(RevocationEndpointKind.Crl, "http://crl.globalsign.net/", "GlobalSign root CRLs", GlobalSign),
            Ocsp("http://ocsp.globalsign.com/", "GlobalSign OCSP", GlobalSign),
            Ocsp("http://ocsp2.globalsign.com/", "GlobalSign OCSP", GlobalSign),
            Host(RevocationEndpointKind.CaIssuers, "http://secure.globalsign.com/", "GlobalSign CA certificates", GlobalSign),

            Crl("http://crl3.digicert.com/DigiCertGlobalRootCA.crl", "DigiCert Global Root CA", DigiCertG1),
            Crl("http://crl4.digicert.com/DigiCertGlobalRootCA.crl", "DigiCert Global Root CA", DigiCertG1),
            Ocsp("http://ocsp.digicert.com/", "DigiCert OCSP", DigiCertBoth),
            Issuer("http://cacerts.digicert.com/DigiCertGlobalRootCA.crt", "DigiCert Global Root CA", DigiCertGlobalRootCAThumbprint, DigiCertG1),

            Crl("http://crl3.digicert.com/DigiCertGlobalRootG2.crl", "DigiCert Global Root G2", DigiCertG2),
            Crl("http://crl4.digicert.com/DigiCertGlobalRootG2.crl", "DigiCert Global Root G2", DigiCertG2),
            Issuer("http://cacerts.digicert.com/DigiCertGlobalRootG2.crt", "DigiCert Global Root G2", DigiCertGlobalRootG2Thumbprint, DigiCertG2),

            Host(RevocationEndpointKind.Crl, "http://www.microsoft.com/pkiops/crl/", "Microsoft TLS CAs", Microsoft),
            Host(RevocationEndpointKind.Crl, "http://crl.microsoft.com/", "Microsoft TLS CAs", Microsoft),
            Ocsp("http://oneocsp.microsoft.com/", "Microsoft OCSP", Microsoft),
            Ocsp("http://ocsp.msocsp.com/", "Microsoft OCSP", Microsoft),
            Host(RevocationEndpointKind.CaIssuers, "http://www.microsoft.com/pkiops/certs/", "Microsoft TLS CAs", Microsoft),
        },
        new[]
        {
            new PresetRoot("Baltimore CyberTrust Root", "D4DE20D05E66FC53FE1A50882C78DB2852CAE474", Utc("2025-05-12T23:59:00"),
                "Exchange Online certificates until 2018-09-03; the root expired 2025-05-12 and is no longer needed"),
            new PresetRoot("GlobalSign Root CA", "B1BC968BD4F49D622AA89A81F2150152A41D829C", Utc("2028-01-28T12:00:00"),
                "Exchange Online certificates 2018-09-03 to early 2021 (GlobalSign Organization Validation CA - SHA256 - G3)"),
            new PresetRoot("DigiCert Global Root CA", DigiCertGlobalRootCAThumbprint, Utc("2031-11-10T00:00:00"),
                "Exchange Online certificates early 2021 into 2026 (DigiCert Cloud Services CA-1); Mozilla and Chrome ended its TLS trust on 2026-04-15"),
            new PresetRoot("DigiCert Global Root G2", DigiCertGlobalRootG2Thumbprint, Utc("2038-01-15T12:00:00"),
                "Exchange Online certificates from 2026: every server that sends to or receives from Exchange Online over SMTP must trust it (by 2026-03-22, MC1224565)"),
        });

    private static PresetEndpoint Crl(string uri, string ca, string note) => new(RevocationEndpointKind.Crl, uri, ca, note);

    private static PresetEndpoint Ocsp(string uri, string ca, string note) => new(RevocationEndpointKind.Ocsp, uri, ca, note);

    private static PresetEndpoint Issuer(string uri, string ca, string thumbprint, string note) =>
        new(RevocationEndpointKind.CaIssuers, uri, ca, note) { ExpectedThumbprint = thumbprint };

    private static PresetEndpoint Host(RevocationEndpointKind kind, string uri, string ca, string note) =>
        new(kind, uri, ca, note + "; only the host is published, so reachability is checked") { HostOnly = true };

    private static DateTime Utc(string s) =>
        DateTime.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}

/// <summary>A named set of endpoints and roots (<c>-Preset</c>).</summary>
public sealed class CertificatePreset
{
    public CertificatePreset(string name, string description, IReadOnlyList<PresetEndpoint> endpoints, IReadOnlyList<PresetRoot> roots)
    {
        Name = name;
        Description = description;
        Endpoints = endpoints;
        Roots = roots;
    }

    public string Name { get; }
    public string Description { get; }
    public IReadOnlyList<PresetEndpoint> Endpoints { get; }
    public IReadOnlyList<PresetRoot> Roots { get; }

    /// <summary>The presets by name (the values <c>-Preset</c> accepts).</summary>
    public static CertificatePreset Get(string name) =>
        string.Equals(name, ExchangeOnlinePreset.Preset.Name, StringComparison.OrdinalIgnoreCase)
            ? ExchangeOnlinePreset.Preset
            : throw new ArgumentException($"There is no preset '{name}'.", nameof(name));
}

/// <summary>An endpoint of a preset.</summary>
public sealed class PresetEndpoint
{
    public PresetEndpoint(RevocationEndpointKind kind, string uri, string certificateAuthority, string note)
    {
        Kind = kind;
        Uri = uri;
        CertificateAuthority = certificateAuthority;
        Note = note;
    }

    public RevocationEndpointKind Kind { get; }
    public string Uri { get; }

    /// <summary>The CA (or CA family) the endpoint serves.</summary>
    public string CertificateAuthority { get; }

    /// <summary>Which chain needs it, and when.</summary>
    public string Note { get; }

    /// <summary>For a CA-issuers file: the SHA-1 thumbprint of the certificate it must hold.</summary>
    public string? ExpectedThumbprint { get; init; }

    /// <summary>Only the host is known: checked for reachability, not content.</summary>
    public bool HostOnly { get; init; }
}

/// <summary>A root CA a preset needs trusted.</summary>
public sealed class PresetRoot
{
    public PresetRoot(string name, string thumbprint, DateTime notAfter, string requiredBy)
    {
        Name = name;
        Thumbprint = thumbprint;
        NotAfter = notAfter;
        RequiredBy = requiredBy;
    }

    public string Name { get; }

    /// <summary>SHA-1, upper-case hex.</summary>
    public string Thumbprint { get; }

    public DateTime NotAfter { get; }
    public string RequiredBy { get; }
}
