using System;

namespace TlsTools;

/// <summary>
/// What <c>Test-MailTls</c> found for one (domain, MX host, address): whether mail to it travels
/// over TLS, how well, and which Exchange Online TlsSettings it would satisfy.
/// </summary>
public sealed class MailTlsResult
{
    /// <summary>The mail domain tested; empty when a host was tested directly.</summary>
    public string Domain { get; set; } = string.Empty;

    /// <summary>The MX host (or the host given with -ComputerName).</summary>
    public string MxHost { get; set; } = string.Empty;

    /// <summary>The MX preference; null when the host was not found through MX.</summary>
    public int? Preference { get; set; }

    public string IPAddress { get; set; } = string.Empty;
    public int Port { get; set; }

    /// <summary>The server's greeting text.</summary>
    public string? Banner { get; set; }

    public bool StartTlsOffered { get; set; }
    public bool TlsEstablished { get; set; }

    /// <summary>Negotiated protocol: Tls10, Tls11, Tls12, Tls13.</summary>
    public string? Protocol { get; set; }

    /// <summary>IANA cipher suite name (empty on Windows PowerShell 5.1).</summary>
    public string? CipherSuite { get; set; }

    /// <summary>Key exchange: ECDHE, DHE, RSA, or the TLS 1.3 group family.</summary>
    public string? KeyExchange { get; set; }

    public bool? ForwardSecrecy { get; set; }
    public string? CertificateSubject { get; set; }
    public string? CertificateIssuer { get; set; }

    /// <summary>The issuer of the last certificate of the validated (or presented) chain: the root CA's name.</summary>
    public string? RootIssuer { get; set; }

    public string? CertificateThumbprint { get; set; }
    public DateTime? CertificateNotAfter { get; set; }
    public int? DaysUntilExpiry { get; set; }
    public int? KeySize { get; set; }

    /// <summary>The DNS names of the leaf certificate.</summary>
    public StringList CertificateDnsNames { get; set; } = StringList.None;

    /// <summary>The <c>&lt;I&gt;issuer&lt;S&gt;subject</c> of the leaf, as Exchange's TlsCertificateName takes it.</summary>
    public string? ExchangeCertificateName { get; set; }

    /// <summary>Whether the chain validates against the trust anchors used.</summary>
    public bool? ChainValid { get; set; }

    /// <summary>Why the chain did not validate, one entry per problem.</summary>
    public StringList ChainErrors { get; set; } = StringList.None;

    /// <summary>Whether a certificate name matches the MX host or the domain (RFC 6125/7672 rules).</summary>
    public bool? NameMatches { get; set; }

    /// <summary>The strongest Exchange Online outbound TlsSettings this server satisfies.</summary>
    public ExchangeTlsLevel ExchangeTlsLevel { get; set; }

    /// <summary>True when a forced-TLS connector with certificate validation would deliver here.</summary>
    public bool ForcedTlsReady { get; set; }

    public TimeSpan Duration { get; set; }

    /// <summary>Findings worth a look that are not errors: legacy-only TLS, why the ExchangeTlsLevel is not higher, RFC 3207 slips.</summary>
    public StringList Notes { get; set; } = StringList.None;

    /// <summary>The SMTP dialog, when -IncludeTranscript was given.</summary>
    public string? Transcript { get; set; }

    /// <summary>-IncludePolicy: the mode of the domain's MTA-STS policy; null without a valid policy.</summary>
    public MtaStsMode? MtaStsMode { get; set; }

    /// <summary>-IncludePolicy: whether an mx pattern of the MTA-STS policy in force covers this MX host; null without one.</summary>
    public bool? MtaStsMxMatch { get; set; }

    /// <summary>-IncludePolicy: whether the MX host publishes TLSA records at _port._tcp.&lt;host&gt;.</summary>
    public bool? DaneTlsaPresent { get; set; }

    /// <summary>-IncludePolicy: whether the MX set, the host's addresses and its TLSA set were DNSSEC-authenticated (the resolver's AD flag).</summary>
    public bool? DaneAuthenticated { get; set; }

    /// <summary>-IncludePolicy: whether a TLSA record matches the chain this address presented (RFC 7672); null without TLSA records or a chain.</summary>
    public bool? DaneMatch { get; set; }

    /// <summary>Why the test of this address did not complete, when it reached the server.</summary>
    public string? Error { get; set; }

    /// <summary>The stable id of <see cref="Error"/> (the same ids the cmdlets' ErrorRecords use).</summary>
    public string? ErrorId { get; set; }

    /// <summary>With -IncludeProtocolScan: every protocol version the server accepts (Get-TlsCipherSuite's scan).</summary>
    public StringList SupportedProtocols { get; set; } = StringList.None;

    /// <summary>With -IncludeProtocolScan: the accepted suites that ciphersuite.info classifies Weak or Insecure.</summary>
    public StringList WeakSuitesAccepted { get; set; } = StringList.None;

    /// <summary>With -IncludeProtocolScan: whether the server accepts a TLS 1.2 suite that Exchange Online offers.</summary>
    public bool? AcceptsExchangeOnlineSuite { get; set; }

    /// <summary>With -IncludeProtocolScan: whether the server imposes its own cipher suite order.</summary>
    public bool? ServerPrefersOwnOrder { get; set; }

    /// <summary>
    /// The TLS 1.2 suite the server chose when offered exactly Exchange Online's suites, in Microsoft's
    /// order (what Exchange Online would get); null when not asked (no TLS, a TLS 1.3 session) or when
    /// it took none of them (then ExchangeTlsLevel is None and Notes say what it answered).
    /// </summary>
    public string? ExchangeOnlineCipherSuite { get; set; }

    /// <summary>True when the leaf or an intermediate of the chain is signed with SHA-1 (Exchange Online refuses SHA-1 certificates); null without a certificate.</summary>
    public bool? Sha1Signature { get; set; }

    /// <summary>Good, Revoked, Unknown (no verified answer; the level stands and Notes say why) or NotChecked (no validated chain, or -SkipRevocationCheck).</summary>
    public RevocationStatus RevocationStatus { get; set; } = RevocationStatus.NotChecked;

    /// <summary>The proxy the revocation checks went through ("direct" when none); null when nothing was checked.</summary>
    public string? RevocationProxy { get; set; }

    /// <summary>The row for a domain that publishes a null MX (RFC 7505): no server, no TLS to test, no error.</summary>
    public static MailTlsResult NullMx(string domain) => new()
    {
        Domain = domain,
        MxHost = ".",
        Preference = 0,
        ExchangeTlsLevel = ExchangeTlsLevel.None,
        Notes = new StringList(new[] { "The domain publishes a null MX (RFC 7505): it accepts no mail, so there is no TLS to test." }),
    };
}
