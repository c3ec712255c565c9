using System.Net;
using TlsTools.Net;

namespace TlsTools.Probing;

/// <summary>One address to open: where to connect, what to speak before TLS, and which names to send.</summary>
public sealed class ProbeTarget
{
    /// <summary>The host as the user or the MX record named it (a name or an address literal).</summary>
    public string HostName { get; init; } = string.Empty;

    /// <summary>The address connected to.</summary>
    public IPAddress Address { get; init; } = IPAddress.None;

    public int Port { get; init; }

    /// <summary>The plain-text protocol before the handshake; None for TLS on connect.</summary>
    public StartTlsProtocol StartTls { get; init; }

    /// <summary>The SNI name given explicitly; null sends <see cref="HostName"/> unless it is an address literal.</summary>
    public string? ServerName { get; init; }

    /// <summary>
    /// The name sent with EHLO: by default the machine's fully qualified name; null (a machine
    /// without one) sends the address literal of each connection's local end (<see cref="ServerConnection.HeloName"/>).
    /// </summary>
    public string? HeloName { get; init; } = LocalHost.FullyQualifiedName();

    /// <summary>The SNI name the handshake sends, or null for none (address literals get no SNI, RFC 6066 section 3).</summary>
    public string? Sni => ServerName ?? (IPAddress.TryParse(HostName, out _) ? null : HostName);

    /// <summary>"host (address:port)" or "address:port", for messages.</summary>
    public override string ToString()
    {
        string endpoint = HostEndpoint.Format(Address.ToString(), Port);
        return string.IsNullOrEmpty(HostName) || HostName == Address.ToString() ? endpoint : $"{HostName} ({endpoint})";
    }
}
