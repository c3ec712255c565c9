namespace TlsTools;

/// <summary>How the mail server is spoken to.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum MailTlsMode
{
    /// <summary>Plain SMTP, then STARTTLS (port 25, 587).</summary>
    StartTls,
    /// <summary>TLS from the first byte (port 465).</summary>
    Implicit,
}

/// <summary>Which address families to test.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum AddressFamilyFilter
{
    Any,
    IPv4,
    IPv6,
}
