using System;

namespace TlsTools;

/// <summary>What a revocation or CA-issuers endpoint serves (RFC 5280 sections 4.2.1.13 and 4.2.2.1).</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum RevocationEndpointKind
{
    /// <summary>A CRL distribution point: the URL returns a CRL.</summary>
    Crl,
    /// <summary>An OCSP responder (RFC 6960).</summary>
    Ocsp,
    /// <summary>An authority-information-access caIssuers URL: the URL returns the issuer's certificate.</summary>
    CaIssuers,
}

/// <summary>The verdict on one endpoint. <see cref="OK"/> is the word <c>certutil -URL</c> uses.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum RevocationEndpointStatus
{
    /// <summary>Reached, and the content is valid, current and (for a certificate) not revoked.</summary>
    OK,
    /// <summary>The host name did not resolve or the TCP connection failed (refused, no route, proxy refused).</summary>
    Unreachable,
    /// <summary>No complete answer within the time allowed.</summary>
    Timeout,
    /// <summary>An HTTP status other than 2xx, a redirect that could not be followed, or a broken HTTP exchange.</summary>
    HttpError,
    /// <summary>The response is larger than the maximum response size; it was not read to the end.</summary>
    TooLarge,
    /// <summary>The content does not parse, its signature does not verify, or it does not answer the question asked.</summary>
    Invalid,
    /// <summary>The CRL or OCSP response is past its nextUpdate, or the downloaded CA certificate has expired.</summary>
    Expired,
    /// <summary>The certificate is revoked: its serial is on the CRL, or the OCSP responder says so.</summary>
    Revoked,
    /// <summary>The content comes from another CA than the certificate's issuer (CRL issuer, OCSP responder, CA-issuers download).</summary>
    WrongIssuer,
}

/// <summary>The revocation state of a certificate, as a CRL or OCSP response gives it (RFC 6960 section 2.2).</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum CertificateRevocationStatus
{
    Good,
    Revoked,
    Unknown,
}

/// <summary>
/// One endpoint checked by <c>Test-CrlReachability</c>: a CRL distribution point, an OCSP responder or a
/// CA-issuers URL that a certificate names (or that was given directly), whether it could be reached from
/// here, and what it served.
/// </summary>
public sealed class RevocationEndpointResult
{
    /// <summary>The subject of the certificate the endpoint serves; empty for a URL given without a certificate.</summary>
    public string Certificate { get; set; } = string.Empty;

    /// <summary>The SHA-1 thumbprint of that certificate.</summary>
    public string? Thumbprint { get; set; }

    public RevocationEndpointKind Kind { get; set; }

    /// <summary>The URL as the certificate (or the caller) gave it.</summary>
    public string Uri { get; set; } = string.Empty;

    /// <summary>The host part of <see cref="Uri"/>.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>The address connected to (the proxy's when a proxy is used); empty when unknown.</summary>
    public string? IPAddress { get; set; }

    /// <summary>The proxy the request went through: its URL, or "direct" (on Windows the WinHTTP proxy by default, as Exchange's certificate validation uses it).</summary>
    public string? Proxy { get; set; }

    /// <summary>True when a TCP connection was made and an HTTP answer (any status) came back.</summary>
    public bool Reachable { get; set; }

    /// <summary>The HTTP status of the last response.</summary>
    public int? HttpStatus { get; set; }

    /// <summary>From sending the request to the end of the response, redirects included.</summary>
    public TimeSpan? Latency { get; set; }

    /// <summary>The bytes of the response body that were read.</summary>
    public long Bytes { get; set; }

    /// <summary>The URL the content finally came from, when a redirect was followed.</summary>
    public string? RedirectedTo { get; set; }

    public RevocationEndpointStatus Status { get; set; }

    /// <summary>The certificate's revocation state according to this endpoint; empty when it does not say.</summary>
    public CertificateRevocationStatus? CertificateStatus { get; set; }

    /// <summary>When the certificate was revoked, if it was.</summary>
    public DateTime? RevocationDate { get; set; }

    /// <summary>The CRL reason code name (RFC 5280 section 5.3.1), if one was given.</summary>
    public string? RevocationReason { get; set; }

    /// <summary>CRL thisUpdate or OCSP thisUpdate (UTC).</summary>
    public DateTime? ThisUpdate { get; set; }

    /// <summary>CRL nextUpdate or OCSP nextUpdate (UTC); empty when the content gives none.</summary>
    public DateTime? NextUpdate { get; set; }

    /// <summary>Who issued the content: the CRL issuer, the OCSP responder, or the subject of the downloaded certificate.</summary>
    public string? Issuer { get; set; }

    /// <summary>The number of entries of a CRL.</summary>
    public int? EntryCount { get; set; }

    /// <summary>Whether the signature of the CRL or OCSP response verified with the issuer's key; empty when the issuer was not known.</summary>
    public bool? SignatureValid { get; set; }

    /// <summary>What was found, in words: the reason behind <see cref="Status"/>.</summary>
    public string Detail { get; set; } = string.Empty;

    /// <summary>For a preset endpoint: which chain needs it, and when.</summary>
    public string? Note { get; set; }
}
