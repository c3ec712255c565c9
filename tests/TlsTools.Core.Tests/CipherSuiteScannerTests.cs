using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.CipherSuites;
using TlsTools.Probing;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// A loopback SMTP server that answers crafted ClientHellos from a table of accepted suites: the
/// scanner's enumeration, order check, retries and inconclusive reporting against known answers.
/// Every connection task is awaited on dispose; connections are bounded.
/// </summary>
internal sealed class HelloAnsweringServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Task> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _count;

    public HelloAnsweringServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Accepted suites per protocol, in the server's preference order.</summary>
    public Dictionary<TlsProtocolVersion, ushort[]> Accepted { get; init; } = new();

    public bool ServerOrder { get; init; }

    /// <summary>Connections (by number, from 0) closed before the greeting, as a loaded server does.</summary>
    public Func<int, bool> DropConnection { get; init; } = _ => false;

    /// <summary>Protocols whose ClientHello gets no answer at all.</summary>
    public HashSet<TlsProtocolVersion> Silent { get; init; } = new();

    public int Connections => Volatile.Read(ref _count);

    public ProbeTarget Target => new() { HostName = "127.0.0.1", Address = IPAddress.Loopback, Port = Port, StartTls = StartTlsProtocol.Smtp, HeloName = "scan.test" };

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested && _connections.Count < 2000)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            int n = Interlocked.Increment(ref _count) - 1;
            lock (_connections)
            {
                _connections.Add(ServeAsync(client, n));
            }
        }
    }

    private async Task ServeAsync(TcpClient client, int n)
    {
        using (client)
        {
            if (DropConnection(n))
            {
                return;
            }
            NetworkStream stream = client.GetStream();
            try
            {
                await WriteLineAsync(stream, "220 scan.test ESMTP");
                await ReadLineAsync(stream); // EHLO
                await WriteLineAsync(stream, "250-scan.test\r\n250 STARTTLS");
                await ReadLineAsync(stream); // STARTTLS
                await WriteLineAsync(stream, "220 go ahead");
                byte[] header = await ReadExactlyAsync(stream, 5);
                byte[] body = await ReadExactlyAsync(stream, (header[3] << 8) | header[4]);
                (TlsProtocolVersion protocol, List<ushort> offered) = ParseHello(body);
                if (Silent.Contains(protocol))
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
                byte[] answer = Answer(protocol, offered);
                await stream.WriteAsync(answer, 0, answer.Length);
                await Task.Delay(50); // let the client read before the close
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The scanner closes connections as soon as it has its answer.
            }
        }
    }

    private byte[] Answer(TlsProtocolVersion protocol, List<ushort> offered)
    {
        if (!Accepted.TryGetValue(protocol, out ushort[]? mine))
        {
            return new byte[] { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 70 };
        }
        ushort? chosen = ServerOrder
            ? mine.Where(offered.Contains).Cast<ushort?>().FirstOrDefault()
            : offered.Where(mine.Contains).Cast<ushort?>().FirstOrDefault();
        if (chosen is null)
        {
            return new byte[] { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40 };
        }
        bool tls13 = protocol == TlsProtocolVersion.Tls13;
        var hello = new List<byte>();
        ushort version = tls13 ? (ushort)0x0303 : ClientHello.WireVersion(protocol);
        hello.AddRange(new[] { (byte)(version >> 8), (byte)version });
        hello.AddRange(new byte[32]);
        hello.Add(0);
        hello.AddRange(new[] { (byte)(chosen.Value >> 8), (byte)chosen.Value, (byte)0 });
        if (tls13)
        {
            hello.AddRange(new byte[] { 0x00, 0x06, 0x00, 0x2B, 0x00, 0x02, 0x03, 0x04 });
        }
        var message = new List<byte> { 2, 0, (byte)(hello.Count >> 8), (byte)hello.Count };
        message.AddRange(hello);
        var record = new List<byte> { 0x16, 0x03, 0x03, (byte)(message.Count >> 8), (byte)message.Count };
        record.AddRange(message);
        return record.ToArray();
    }

    private static (TlsProtocolVersion, List<ushort>) ParseHello(byte[] b)
    {
        int p = 4;
        ushort version = (ushort)((b[p] << 8) | b[p + 1]);
        p += 2 + 32;
        p += 1 + b[p];
        int suitesLength = (b[p] << 8) | b[p + 1];
        p += 2;
        var suites = new List<ushort>();
        for (int i = 0; i < suitesLength; i += 2)
        {
            suites.Add((ushort)((b[p + i] << 8) | b[p + i + 1]));
        }
        p += suitesLength;
        p += 1 + b[p];
        if (p + 2 <= b.Length)
        {
            int end = p + 2 + ((b[p] << 8) | b[p + 1]);
            p += 2;
            while (p + 4 <= end)
            {
                int type = (b[p] << 8) | b[p + 1];
                int length = (b[p + 2] << 8) | b[p + 3];
                if (type == 0x002B && b[p + 4] >= 2 && b[p + 5] == 0x03 && b[p + 6] == 0x04)
                {
                    version = 0x0304;
                }
                p += 4 + length;
            }
        }
        return (ClientHello.FromWire(version)!.Value, suites);
    }

    private static Task WriteLineAsync(Stream s, string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text + "\r\n");
        return s.WriteAsync(bytes, 0, bytes.Length);
    }

    private static async Task ReadLineAsync(Stream s)
    {
        var one = new byte[1];
        for (int i = 0; i < 1000; i++)
        {
            if (await s.ReadAsync(one, 0, 1) <= 0 || one[0] == '\n')
            {
                return;
            }
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream s, int count)
    {
        byte[] buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = await s.ReadAsync(buffer, read, count - read);
            if (n <= 0)
            {
                throw new IOException("closed");
            }
            read += n;
        }
        return buffer;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        Task[] all;
        lock (_connections)
        {
            all = _connections.ToArray();
        }
        await Task.WhenAll(all).ConfigureAwait(false);
        _stop.Dispose();
    }
}

public class CipherSuiteScannerTests
{
    private static readonly ushort[] Tls12Suites = { 0xC030, 0xC02F, 0xC014, 0x009C, 0x002F, 0x000A, 0xCCA8, 0x0039, 0xC013, 0x0035 };
    private static readonly ushort[] Tls13Suites = { 0x1302, 0x1301, 0x1303 };

    private static CipherScanOptions Options(int timeoutMs = 5000) => new()
    {
        ConnectionTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        RetryDelay = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task FindsEveryAcceptedSuiteOfEveryProtocolAndNothingElse()
    {
        await using var server = new HelloAnsweringServer
        {
            Accepted = { [TlsProtocolVersion.Tls10] = new ushort[] { 0x002F, 0x0035 }, [TlsProtocolVersion.Tls12] = Tls12Suites, [TlsProtocolVersion.Tls13] = Tls13Suites },
        };
        CipherScanFacts facts = await CipherSuiteScanner.ScanAsync(server.Target, Options(), default);
        Assert.Null(facts.Failure);
        Dictionary<TlsProtocolVersion, ProtocolScanFacts> p = facts.Protocols.ToDictionary(x => x.Protocol);
        // Compared as names: Mono's array comparison sees the enum values of an array as Int32.
        Assert.Equal(new[] { "Ssl3", "Tls10", "Tls11", "Tls12", "Tls13" }, p.Keys.OrderBy(k => k).Select(k => k.ToString()));
        Assert.Empty(p[TlsProtocolVersion.Ssl3].Accepted);
        Assert.Empty(p[TlsProtocolVersion.Tls11].Accepted);
        Assert.Contains("protocol_version", p[TlsProtocolVersion.Tls11].Refusal);
        Assert.Equal(new ushort[] { 0x002F, 0x0035 }, p[TlsProtocolVersion.Tls10].Accepted.OrderBy(c => c));
        Assert.Equal(Tls12Suites.OrderBy(c => c), p[TlsProtocolVersion.Tls12].Accepted.OrderBy(c => c));
        Assert.Equal(Tls13Suites.OrderBy(c => c), p[TlsProtocolVersion.Tls13].Accepted.OrderBy(c => c));
        Assert.All(facts.Protocols, x => Assert.Null(x.Inconclusive));
        Assert.False(p[TlsProtocolVersion.Tls12].ServerOrder);
        // Few connections: per protocol the accepted suites, one refusal per part, one order check.
        Assert.True(p[TlsProtocolVersion.Tls12].Connections <= Tls12Suites.Length + 4 + 1 + 1, $"{p[TlsProtocolVersion.Tls12].Connections} connections");
        Assert.Equal(1, p[TlsProtocolVersion.Tls11].Connections);
        Assert.Equal(facts.Protocols.Sum(x => x.Connections), server.Connections);
    }

    [Fact]
    public async Task TellsAServerThatImposesItsOrder()
    {
        await using var server = new HelloAnsweringServer { ServerOrder = true, Accepted = { [TlsProtocolVersion.Tls12] = Tls12Suites, [TlsProtocolVersion.Tls13] = Tls13Suites } };
        CipherScanFacts facts = await CipherSuiteScanner.ScanAsync(server.Target, Options(), default);
        Assert.All(facts.Protocols.Where(x => x.Accepted.Count > 1), x => Assert.True(x.ServerOrder));
        Assert.True(CipherScanJudgement.Summarize(facts).ServerPrefersOwnOrder);
    }

    [Fact]
    public async Task RetriesConnectionsADroppingServerClosesAndStillFindsEverything()
    {
        await using var server = new HelloAnsweringServer
        {
            Accepted = { [TlsProtocolVersion.Tls12] = Tls12Suites },
            DropConnection = n => n % 3 == 0,
        };
        // One connection at a time, so that the drops fall on every third attempt: a retry always follows a drop.
        var options = new CipherScanOptions { Protocols = new[] { TlsProtocolVersion.Tls12 }, MaxConnections = 1, RetryDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 6 };
        CipherScanFacts facts = await CipherSuiteScanner.ScanAsync(server.Target, options, default);
        Assert.Null(facts.Failure);
        ProtocolScanFacts tls12 = facts.Protocols.Single(x => x.Protocol == TlsProtocolVersion.Tls12);
        Assert.Null(tls12.Inconclusive);
        Assert.Equal(Tls12Suites.OrderBy(c => c), tls12.Accepted.OrderBy(c => c));
        Assert.True(tls12.Connections > Tls12Suites.Length + 2, "the dropped connections were retried");
        Assert.Equal(tls12.Connections, server.Connections);
    }

    [Fact]
    public async Task AProtocolWithoutAnswerIsInconclusiveNotRefused()
    {
        await using var server = new HelloAnsweringServer
        {
            Accepted = { [TlsProtocolVersion.Tls11] = new ushort[] { 0x002F }, [TlsProtocolVersion.Tls12] = Tls12Suites },
            Silent = { TlsProtocolVersion.Tls11 },
        };
        var options = new CipherScanOptions
        {
            Protocols = new[] { TlsProtocolVersion.Tls11, TlsProtocolVersion.Tls12 },
            ConnectionTimeout = TimeSpan.FromMilliseconds(300),
            RetryDelay = TimeSpan.FromMilliseconds(20),
        };
        CipherScanFacts facts = await CipherSuiteScanner.ScanAsync(server.Target, options, default);
        Assert.Null(facts.Failure);
        ProtocolScanFacts tls11 = facts.Protocols.Single(x => x.Protocol == TlsProtocolVersion.Tls11);
        Assert.Equal(ProbeFailureKind.Timeout, tls11.Inconclusive?.Kind);
        // A connection that timed out is not tried again: a retry would multiply the timeout.
        Assert.Equal(1, tls11.Connections);
        CipherScanSummary summary = CipherScanJudgement.Summarize(facts);
        Assert.Null(summary.Protocols.Single(x => x.Protocol == TlsProtocolVersion.Tls11).Supported);
        Assert.True(summary.Inconclusive);
        Assert.Equal(Tls12Suites.Length, summary.Suites.Count);
    }

    [Fact]
    public async Task AServerThatDropsEveryConnectionIsAFailureOfTheScan()
    {
        await using var server = new HelloAnsweringServer { Accepted = { [TlsProtocolVersion.Tls12] = Tls12Suites }, DropConnection = _ => true };
        var options = new CipherScanOptions { Protocols = new[] { TlsProtocolVersion.Tls12, TlsProtocolVersion.Tls13 }, RetryDelay = TimeSpan.FromMilliseconds(10) };
        CipherScanFacts facts = await CipherSuiteScanner.ScanAsync(server.Target, options, default);
        Assert.NotNull(facts.Failure);
        Assert.Contains("3 attempts", facts.Failure!.Message);
        Assert.Equal(6, server.Connections);
    }
}
