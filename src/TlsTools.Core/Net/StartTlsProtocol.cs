namespace TlsTools;

/// <summary>The plain-text protocol spoken before the TLS upgrade, or None for TLS on connect.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum StartTlsProtocol
{
    /// <summary>TLS starts on connect (HTTPS, SMTPS on 465, IMAPS on 993, POP3S on 995).</summary>
    None,
    /// <summary>SMTP STARTTLS (RFC 3207).</summary>
    Smtp,
    /// <summary>IMAP STARTTLS (RFC 2595, RFC 3501).</summary>
    Imap,
    /// <summary>POP3 STLS (RFC 2595).</summary>
    Pop3,
}

/// <summary>Well-known port conventions.</summary>
public static class PortDefaults
{
    /// <summary>The STARTTLS protocol a port conventionally speaks: 25 and 587 SMTP, 143 IMAP, 110 POP3, else none.</summary>
    public static StartTlsProtocol StartTlsForPort(int port) => port switch
    {
        25 or 587 => StartTlsProtocol.Smtp,
        143 => StartTlsProtocol.Imap,
        110 => StartTlsProtocol.Pop3,
        _ => StartTlsProtocol.None,
    };
}
