using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;
using TlsTools.Tls;

namespace TlsTools.Probing;

/// <summary>A request to fetch the certificate chain a server presents.</summary>
public sealed class RemoteCertificateRequest
{
    public string ComputerName { get; init; } = string.Empty;
    public int Port { get; init; } = 443;
    public StartTlsProtocol StartTls { get; init; }

    /// <summary>SNI name; null means the host name when it is not an address literal.</summary>
    public string? ServerName { get; init; }

    /// <summary>The name sent in EHLO for SMTP STARTTLS.</summary>
    public string HeloName { get; init; } = LocalHost.FullyQualifiedName();
}

/// <summary>Connects, upgrades to TLS if asked, and returns the presented chain, trusting nothing.</summary>
public static class RemoteCertificateProbe
{
    public static async Task<IReadOnlyList<RemoteCertificate>> FetchAsync(RemoteCertificateRequest request, CancellationToken cancellationToken)
    {
        IPAddress[] addresses = await TcpConnector.ResolveAsync(request.ComputerName, cancellationToken).ConfigureAwait(false);
        ProbeException? last = null;
        foreach (IPAddress address in addresses)
        {
            try
            {
                try
                {
                    return await FetchFromAsync(request, address, legacy: false, cancellationToken).ConfigureAwait(false);
                }
                catch (ProbeException first) when (first.Kind == ProbeFailureKind.HandshakeFailed)
                {
                    // An old server may speak only TLS 1.0/1.1 or legacy suites: its chain is still wanted.
                    try
                    {
                        return await FetchFromAsync(request, address, legacy: true, cancellationToken).ConfigureAwait(false);
                    }
                    catch (ProbeException second) when (second.Kind == ProbeFailureKind.HandshakeFailed)
                    {
                        throw new ProbeException(ProbeFailureKind.HandshakeFailed,
                            first.Message + " Offering TLS 1.0-1.2 and legacy suites failed too.", first);
                    }
                }
            }
            catch (ProbeException e) when (e.Kind == ProbeFailureKind.ConnectFailed)
            {
                // Like any client, try the host's next address when one refuses.
                last = e;
            }
        }
        throw last ?? new ProbeException(ProbeFailureKind.NameResolution, $"'{request.ComputerName}' has no address.");
    }

#pragma warning disable CS0618, SYSLIB0039 // offering old protocols is how a legacy-only server is reached
    internal const System.Security.Authentication.SslProtocols LegacyProtocols =
        System.Security.Authentication.SslProtocols.Tls | System.Security.Authentication.SslProtocols.Tls11 | System.Security.Authentication.SslProtocols.Tls12;
#pragma warning restore CS0618, SYSLIB0039

    private static async Task<IReadOnlyList<RemoteCertificate>> FetchFromAsync(RemoteCertificateRequest request, IPAddress address, bool legacy, CancellationToken cancellationToken)
    {
        using TcpClient client = await TcpConnector.ConnectAsync(address, request.Port, cancellationToken).ConfigureAwait(false);
        // Reads on .NET Framework ignore tokens: closing the socket is what interrupts them.
        using CancellationTokenRegistration closeOnCancel = cancellationToken.Register(static c => ((TcpClient)c!).Dispose(), client);
        NetworkStream network = client.GetStream();
        var channel = new PlainTextChannel(network);
        try
        {
            switch (request.StartTls)
            {
                case StartTlsProtocol.Smtp:
                    await StartTlsNegotiator.SmtpAsync(channel, request.HeloName, upgrade: true, cancellationToken).ConfigureAwait(false);
                    break;
                case StartTlsProtocol.Imap:
                    await StartTlsNegotiator.ImapAsync(channel, cancellationToken).ConfigureAwait(false);
                    break;
                case StartTlsProtocol.Pop3:
                    await StartTlsNegotiator.Pop3Async(channel, cancellationToken).ConfigureAwait(false);
                    break;
            }

            string? sni = request.ServerName ?? (IPAddress.TryParse(request.ComputerName, out _) ? null : request.ComputerName);
            using TlsHandshakeResult tls = await TlsHandshake.RunAsync(network, new TlsHandshakeOptions
            {
                ServerName = sni,
                Protocols = legacy ? LegacyProtocols : System.Security.Authentication.SslProtocols.None,
                AllowLegacyCipherSuites = legacy,
            }, cancellationToken).ConfigureAwait(false);
            DateTime now = DateTime.UtcNow;
            var result = new List<RemoteCertificate>();
            for (int i = 0; i < tls.PresentedCertificates.Count; i++)
            {
                RemoteCertificate rc = RemoteCertificate.From(tls.PresentedCertificates[i], i, now);
                rc.ComputerName = request.ComputerName;
                rc.IPAddress = address.ToString();
                rc.Port = request.Port;
                rc.ServerName = sni;
                rc.TlsProtocol = MailTls.CipherSuiteFacts.ProtocolName(tls.Protocol);
                result.Add(rc);
            }
            return result;
        }
        catch (Exception e) when (e is SocketException or System.IO.IOException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProbeException(ProbeFailureKind.ConnectionClosed, "The connection failed: " + e.Message, e);
        }
    }
}

/// <summary>This machine's names.</summary>
public static class LocalHost
{
    /// <summary>The fully qualified host name, as an EHLO argument wants it (RFC 5321 section 4.1.1.1).</summary>
    public static string FullyQualifiedName()
    {
        try
        {
            var props = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties();
            string host = props.HostName;
            string domain = props.DomainName;
            if (!string.IsNullOrEmpty(domain) && !host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
            {
                host = host + "." + domain;
            }
            return DomainName.IsValidHostName(host) ? host : "localhost";
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return "localhost";
        }
    }
}
