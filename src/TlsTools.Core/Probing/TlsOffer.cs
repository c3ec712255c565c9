using System.Security.Authentication;
using TlsTools.Tls;

namespace TlsTools.Probing;

/// <summary>What a client handshake offers.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum TlsOffer
{
    /// <summary>What a current sender offers: the platform's default protocols (TLS 1.2 and 1.3) and suites.</summary>
    Current,

    /// <summary>
    /// TLS 1.0 to 1.2 and, where the platform lets a client choose, suites without forward secrecy
    /// and CBC suites: how a server that speaks nothing newer is still reached and reported.
    /// </summary>
    Legacy,
}

/// <summary>Turns an offer into handshake options.</summary>
public static class TlsOffers
{
#pragma warning disable CS0618, SYSLIB0039 // offering old protocols is how a legacy-only server is reached
    private const SslProtocols LegacyProtocols = SslProtocols.Tls | SslProtocols.Tls11 | SslProtocols.Tls12;
#pragma warning restore CS0618, SYSLIB0039

    public static TlsHandshakeOptions Options(TlsOffer offer, string? serverName) => new()
    {
        ServerName = serverName,
        Protocols = offer == TlsOffer.Legacy ? LegacyProtocols : SslProtocols.None,
        AllowLegacyCipherSuites = offer == TlsOffer.Legacy,
    };
}
