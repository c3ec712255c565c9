using System;
using System.Collections.Generic;

namespace TlsTools.MailTls;

/// <summary>What a negotiated cipher suite says about key exchange and forward secrecy.</summary>
public static class CipherSuiteFacts
{
    /// <summary>
    /// The TLS 1.2 suites Exchange Online supports (Microsoft's encryption technical reference):
    /// the ECDHE_RSA GCM and CBC suites and the two RSA key exchange GCM suites. The one source is
    /// <see cref="CipherSuites.CipherSuiteInfo.ExchangeOnlineSuites"/>; the ECDSA suites this set
    /// once held had no source and are gone.
    /// </summary>
    public static readonly IReadOnlyCollection<string> ExchangeOnlineTls12Suites =
        new HashSet<string>(CipherSuites.CipherSuiteInfo.ExchangeOnlineSuites, StringComparer.OrdinalIgnoreCase);

    /// <summary>The key exchange named by an IANA suite name: ECDHE, DHE, RSA, or ECDHE for TLS 1.3 suites.</summary>
    public static string? KeyExchange(string? ianaName)
    {
        if (string.IsNullOrEmpty(ianaName))
        {
            return null;
        }
        string n = ianaName!.ToUpperInvariant();
        if (n.StartsWith("TLS_ECDHE_", StringComparison.Ordinal))
        {
            return "ECDHE";
        }
        if (n.StartsWith("TLS_DHE_", StringComparison.Ordinal))
        {
            return "DHE";
        }
        if (n.StartsWith("TLS_ECDH_", StringComparison.Ordinal))
        {
            return "ECDH";
        }
        if (n.StartsWith("TLS_DH_", StringComparison.Ordinal))
        {
            return "DH";
        }
        if (n.StartsWith("TLS_RSA_", StringComparison.Ordinal))
        {
            return "RSA";
        }
        if (n.StartsWith("TLS_PSK_", StringComparison.Ordinal))
        {
            return "PSK";
        }
        // TLS 1.3 suites name no key exchange: it is always (EC)DHE.
        if (n.StartsWith("TLS_AES_", StringComparison.Ordinal) || n.StartsWith("TLS_CHACHA20_", StringComparison.Ordinal))
        {
            return "ECDHE";
        }
        return null;
    }

    /// <summary>True for ephemeral key exchange, false for static, null when unknown.</summary>
    public static bool? ForwardSecrecy(string? keyExchange) => keyExchange switch
    {
        "ECDHE" or "DHE" => true,
        "RSA" or "ECDH" or "DH" or "PSK" => false,
        _ => null,
    };

    /// <summary>Orders protocol names from oldest to newest; unknown names sort first.</summary>
    public static int ProtocolRank(string? protocol) => protocol switch
    {
        "Ssl2" => 1,
        "Ssl3" => 2,
        "Tls" or "Tls10" => 3,
        "Tls11" => 4,
        "Tls12" => 5,
        "Tls13" => 6,
        _ => 0,
    };

    /// <summary>Normalises .NET's protocol names (Tls is TLS 1.0).</summary>
    public static string ProtocolName(System.Security.Authentication.SslProtocols protocol) => protocol switch
    {
#pragma warning disable CS0618, SYSLIB0039 // naming old protocols is the point
        System.Security.Authentication.SslProtocols.Tls => "Tls10",
        System.Security.Authentication.SslProtocols.Tls11 => "Tls11",
        System.Security.Authentication.SslProtocols.Ssl3 => "Ssl3",
#pragma warning restore CS0618, SYSLIB0039
        _ => protocol.ToString(),
    };
}
