using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;
using TlsTools.Tls;

namespace TlsTools.Probing;

/// <summary>
/// One connection to a server, brought exactly to the start of TLS: connected, the STARTTLS
/// dialog run (SMTP, IMAP or POP3) up to the go-ahead, or nothing said for TLS on connect. What
/// follows is the caller's: a handshake with a given offer (<see cref="HandshakeAsync"/>), or raw
/// bytes of its own on <see cref="Stream"/>. Every probe that talks TLS opens its connections here.
/// </summary>
public sealed class ServerConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly CancellationTokenRegistration _closeOnCancel;

    private ServerConnection(ProbeTarget target, TcpClient client, PlainTextChannel channel, CancellationToken cancellationToken)
    {
        Target = target;
        _client = client;
        Stream = client.GetStream();
        Channel = channel;
        HeloName = LocalHost.HeloName(target.HeloName, client.Client.LocalEndPoint);
        // Reads on .NET Framework ignore tokens: closing the socket is what interrupts them.
        _closeOnCancel = cancellationToken.Register(static c => ((TcpClient)c!).Dispose(), client);
    }

    public ProbeTarget Target { get; }

    /// <summary>The socket's stream. After <see cref="OpenAsync"/>, the next byte on it is the server's first TLS byte.</summary>
    public NetworkStream Stream { get; }

    /// <summary>The line channel of the plain-text dialog (its Log is the transcript).</summary>
    public PlainTextChannel Channel { get; }

    /// <summary>
    /// The EHLO name of this connection: the target's, or, when it has none, the address literal of
    /// the connection's local end (RFC 5321 sections 4.1.1.1 and 4.1.3).
    /// </summary>
    public string HeloName { get; }

    /// <summary>What the plain-text dialog learned; null for TLS on connect.</summary>
    public PlainTextDialogResult? Dialog { get; private set; }

    /// <summary>
    /// True when the connection stands at the start of TLS. False only for SMTP when the server
    /// did not advertise STARTTLS: the dialog then ends after EHLO, and the caller decides what that means.
    /// </summary>
    public bool AtTlsStart { get; private set; }

    /// <summary>
    /// Connects and runs the dialog up to the start of TLS. Throws <see cref="ProbeException"/> for a
    /// failure of the server (ConnectFailed, GreetingRejected, StartTlsRefused, ...) and
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<ServerConnection> OpenAsync(ProbeTarget target, Action<bool, string>? log, Action? onConnected, CancellationToken cancellationToken)
    {
        TcpClient client = await TcpConnector.ConnectAsync(target.Address, target.Port, cancellationToken).ConfigureAwait(false);
        onConnected?.Invoke();
        var connection = new ServerConnection(target, client, new PlainTextChannel(client.GetStream()) { Log = log }, cancellationToken);
        try
        {
            await connection.Guard(connection.RunDialogAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task RunDialogAsync(CancellationToken cancellationToken)
    {
        switch (Target.StartTls)
        {
            case StartTlsProtocol.None:
                AtTlsStart = true;
                break;
            case StartTlsProtocol.Smtp:
                Dialog = await StartTlsNegotiator.SmtpAsync(Channel, HeloName, upgrade: false, cancellationToken).ConfigureAwait(false);
                if (Dialog.StartTlsOffered)
                {
                    await StartTlsNegotiator.SmtpStartTlsAsync(Channel, cancellationToken).ConfigureAwait(false);
                    AtTlsStart = true;
                }
                break;
            case StartTlsProtocol.Imap:
                Dialog = await StartTlsNegotiator.ImapAsync(Channel, cancellationToken).ConfigureAwait(false);
                AtTlsStart = true;
                break;
            case StartTlsProtocol.Pop3:
                Dialog = await StartTlsNegotiator.Pop3Async(Channel, cancellationToken).ConfigureAwait(false);
                AtTlsStart = true;
                break;
        }
    }

    /// <summary>Runs a client handshake with <paramref name="offer"/>; the SNI is the target's.</summary>
    public Task<TlsHandshakeResult> HandshakeAsync(TlsOffer offer, CancellationToken cancellationToken)
    {
        if (!AtTlsStart)
        {
            throw new InvalidOperationException("The connection is not at the start of TLS.");
        }
        return Guard(TlsHandshake.RunAsync(Stream, TlsOffers.Options(offer, Target.Sni), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Says QUIT (SMTP) and closes without waiting for the 221: everything that matters has been
    /// answered, and a round trip to a distant server would only add to every probe.
    /// </summary>
    public static async Task QuitQuietlyAsync(PlainTextChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            await channel.WriteLineAsync("QUIT", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ProbeException or System.IO.IOException or SocketException or ObjectDisposedException)
        {
            // A server that hangs up on QUIT has still answered everything that matters.
        }
    }

    /// <summary>Turns socket failures of <paramref name="work"/> into ConnectionClosed, unless the caller cancelled.</summary>
    internal async Task Guard(Task work, CancellationToken cancellationToken)
    {
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or System.IO.IOException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProbeException(ProbeFailureKind.ConnectionClosed, "The connection failed: " + e.Message, e);
        }
    }

    internal async Task<T> Guard<T>(Task<T> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or System.IO.IOException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProbeException(ProbeFailureKind.ConnectionClosed, "The connection failed: " + e.Message, e);
        }
    }

    public void Dispose()
    {
        _closeOnCancel.Dispose();
        _client.Dispose();
    }
}
