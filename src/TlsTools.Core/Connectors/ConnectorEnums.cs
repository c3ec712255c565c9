namespace TlsTools;

/// <summary>Where the connectors live.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum ConnectorPlatform
{
    /// <summary>Exchange Online: New-InboundConnector and New-OutboundConnector.</summary>
    ExchangeOnline,
    /// <summary>On-premises Exchange Server: send and receive connectors and the transport configuration.</summary>
    ExchangeServer,
}

/// <summary>Which way the mail flows, seen from the organisation the connectors belong to.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum ConnectorDirection
{
    /// <summary>Mail from the partner to you.</summary>
    Inbound,
    /// <summary>Mail from you to the partner.</summary>
    Outbound,
    /// <summary>Both: one connector (or setting) per direction.</summary>
    Both,
}

/// <summary>
/// What is at the other end. On Exchange Online this is the connectors' ConnectorType; on Exchange
/// Server, OnPremises means the other end is your own Exchange Online tenant (the on-premises side
/// of a hybrid mail flow).
/// </summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum ConnectorType
{
    /// <summary>Another organisation (or any MTA that is not yours).</summary>
    Partner,
    /// <summary>Your own organisation's other half: on-premises servers seen from Exchange Online, or Exchange Online seen from on-premises.</summary>
    OnPremises,
}

/// <summary>
/// How much TLS a connector demands: the values of Exchange's TlsAuthLevel, which both the
/// Exchange Online outbound connector's TlsSettings and the send connector's TlsAuthLevel take.
/// </summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum TlsAuthLevel
{
    /// <summary>TLS is required; the certificate is not checked.</summary>
    EncryptionOnly = 1,
    /// <summary>TLS with a certificate that chains to a trusted root and is not revoked or expired.</summary>
    CertificateValidation = 2,
    /// <summary>CertificateValidation, and the certificate's name must match the TlsDomain.</summary>
    DomainValidation = 3,
}
