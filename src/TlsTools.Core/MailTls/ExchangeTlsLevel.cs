namespace TlsTools;

/// <summary>
/// The Exchange Online outbound connector <c>TlsSettings</c> values, weakest first. A server
/// "satisfies" a level when a connector with that setting would deliver to it.
/// </summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum ExchangeTlsLevel
{
    /// <summary>No TLS: only an opportunistic (TlsSettings $null) connector delivers.</summary>
    None = 0,
    /// <summary>TLS is negotiated; the certificate is not checked.</summary>
    EncryptionOnly = 1,
    /// <summary>
    /// TLS with a certificate that chains to a trusted root and is valid: not revoked ("certificate
    /// chain validation and revocation lists checks", New-OutboundConnector) and not signed with SHA-1.
    /// </summary>
    CertificateValidation = 2,
    /// <summary>CertificateValidation, and the certificate's name matches the TlsDomain.</summary>
    DomainValidation = 3,
}
