using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Tests.Support;

/// <summary>How the loopback SMTP server behaves.</summary>
public sealed class SmtpServerScript
{
    public string Greeting { get; init; } = "220 mx.probe.test ESMTP";
    public string EhloReply { get; init; } = "250-mx.probe.test\r\n250 STARTTLS";
    public string StartTlsReply { get; init; } = "220 go ahead";

    /// <summary>The chain presented: leaf first, then intermediates.</summary>
    public X509Certificate2? Certificate { get; init; }
    public X509Certificate2[] Intermediates { get; init; } = Array.Empty<X509Certificate2>();

    /// <summary>After the STARTTLS go-ahead, read the ClientHello and hang up instead of completing the handshake.</summary>
    public bool FailHandshake { get; init; }

    /// <summary>The reply to EHLO sent over TLS.</summary>
    public string EhloOverTlsReply { get; init; } = "250-mx.probe.test\r\n250 SIZE 10240000";

    /// <summary>Accept the connection and never say anything.</summary>
    public bool Silent { get; init; }

    /// <summary>Hold each connection this long before greeting (to observe how many are open at once).</summary>
    public TimeSpan GreetingDelay { get; init; }
}

/// <summary>
/// A real SMTP server on a loopback port for the core's tests, run by a script. Every connection's
/// task is kept and awaited by <see cref="DisposeAsync"/>, so a server-side assertion failure fails the
/// test instead of vanishing; the number of connections it accepts is bounded.
/// </summary>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly SmtpServerScript _script;
    private readonly List<Task> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly int _maxConnections;
    private int _open;
    private int _maxOpen;
    private int _greeting;
    private int _maxGreeting;

    public LoopbackSmtpServer(SmtpServerScript script, int maxConnections = 64)
    {
        _script = script;
        _maxConnections = maxConnections;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Every line the clients sent, in order, across connections.</summary>
    public List<string> Received { get; } = new();

    public int Connections { get; private set; }

    /// <summary>The most connections that were open at the same time (a closing one may still count).</summary>
    public int MaxConcurrentConnections => Volatile.Read(ref _maxOpen);

    /// <summary>
    /// The most clients that waited for their greeting at the same time (with a GreetingDelay): the
    /// client side's concurrency, free of server connections that are still closing.
    /// </summary>
    public int MaxConcurrentGreetings => Volatile.Read(ref _maxGreeting);

    private async Task AcceptLoopAsync()
    {
        while (Connections < _maxConnections && !_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Connections++;
            lock (_connections)
            {
                _connections.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        RaiseMax(ref _maxOpen, Interlocked.Increment(ref _open));
        using (client)
        {
            try
            {
                await ConverseAsync(client.GetStream(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or AuthenticationException)
            {
                // The client hung up (as a probe does after QUIT) or the test ended.
            }
            finally
            {
                Interlocked.Decrement(ref _open);
            }
        }
    }

    private async Task ConverseAsync(NetworkStream s, CancellationToken ct)
    {
        if (_script.Silent)
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        if (_script.GreetingDelay > TimeSpan.Zero)
        {
            RaiseMax(ref _maxGreeting, Interlocked.Increment(ref _greeting));
            try
            {
                await Task.Delay(_script.GreetingDelay, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _greeting);
            }
        }
        var reader = new StreamReader(s, Encoding.ASCII, false, 1);
        await SendAsync(s, _script.Greeting, ct);
        if (!_script.Greeting.StartsWith("220", StringComparison.Ordinal) || await ReadAsync(reader) is not string ehlo || !ehlo.StartsWith("EHLO ", StringComparison.Ordinal))
        {
            return;
        }
        await SendAsync(s, _script.EhloReply, ct);
        string? next = await ReadAsync(reader);
        if (next != "STARTTLS")
        {
            return;
        }
        await SendAsync(s, _script.StartTlsReply, ct);
        if (!_script.StartTlsReply.StartsWith("220", StringComparison.Ordinal))
        {
            return;
        }
        if (_script.FailHandshake || _script.Certificate is null)
        {
            byte[] hello = new byte[5];
            await s.ReadAtLeastAsync(hello, 1, throwOnEndOfStream: false, ct);
            return;
        }
        using var ssl = new SslStream(s);
#if NETFRAMEWORK
        // .NET Framework sends only the leaf; the tests that need the intermediates sent run on .NET.
        await ssl.AuthenticateAsServerAsync(_script.Certificate, ct);
#else
        var context = SslStreamCertificateContext.Create(_script.Certificate, new X509Certificate2Collection(_script.Intermediates), offline: true);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context }, ct);
#endif
        var tlsReader = new StreamReader(ssl, Encoding.ASCII, false, 1);
        if (await ReadAsync(tlsReader) is string again && again.StartsWith("EHLO ", StringComparison.Ordinal))
        {
            await SendAsync(ssl, _script.EhloOverTlsReply, ct);
            await ReadAsync(tlsReader);
        }
    }

    private static void RaiseMax(ref int max, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen)
        {
        }
    }

    private async Task<string?> ReadAsync(StreamReader reader)
    {
        string? line = await reader.ReadLineAsync();
        if (line is not null)
        {
            lock (Received)
            {
                Received.Add(line);
            }
        }
        return line;
    }

    private static Task SendAsync(Stream s, string reply, CancellationToken ct) =>
        s.WriteAsync(Encoding.ASCII.GetBytes(reply + "\r\n"), ct).AsTask();

    /// <summary>Waits (at most 10 s) until every connection so far has ended, so what they received is complete.</summary>
    public async Task ConnectionsEndedAsync()
    {
        Task[] all;
        lock (_connections)
        {
            all = _connections.ToArray();
        }
        await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] all;
        lock (_connections)
        {
            all = _connections.ToArray();
        }
        await Task.WhenAll(all);
        _stop.Dispose();
    }
}
