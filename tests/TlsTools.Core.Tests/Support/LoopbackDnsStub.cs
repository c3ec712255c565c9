using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Tests.Support;

/// <summary>
/// A UDP DNS stub on 127.0.0.1: answers every query NXDOMAIN after a fixed delay, or, when
/// silent, never answers. It counts the queries it saw and the most it held unanswered at once,
/// which is the client's real query concurrency.
/// </summary>
internal sealed class LoopbackDnsStub : IDisposable
{
    private readonly UdpClient _socket;
    private readonly TimeSpan _delay;
    private readonly bool _silent;
    private readonly CancellationTokenSource _stop = new();
    private int _received;
    private int _outstanding;
    private int _peak;

    public LoopbackDnsStub(TimeSpan delay, bool silent = false)
    {
        _delay = delay;
        _silent = silent;
        _socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.Client.LocalEndPoint!;
        _ = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int Received => Volatile.Read(ref _received);

    public int Peak => Volatile.Read(ref _peak);

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try
            {
                request = await _socket.ReceiveAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            Interlocked.Increment(ref _received);
            if (_silent)
            {
                continue;
            }
            int now = Interlocked.Increment(ref _outstanding);
            int seen;
            while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
            _ = AnswerAsync(request);
        }
    }

    private async Task AnswerAsync(UdpReceiveResult request)
    {
        try
        {
            await Task.Delay(_delay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            // Counted as answered before the answer leaves, so the client cannot have seen it yet.
            Interlocked.Decrement(ref _outstanding);
        }
        byte[]? reply = NxDomain(request.Buffer);
        try
        {
            if (reply is not null)
            {
                await _socket.SendAsync(reply, reply.Length, request.RemoteEndPoint);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>The header and question of the query, flagged as an NXDOMAIN response.</summary>
    internal static byte[]? NxDomain(byte[] query)
    {
        if (query.Length < 12)
        {
            return null;
        }
        int end = 12;
        while (end < query.Length && query[end] != 0)
        {
            end += query[end] + 1;
        }
        end += 5; // the root label, QTYPE, QCLASS
        if (end > query.Length)
        {
            return null;
        }
        byte[] reply = new byte[end];
        Array.Copy(query, reply, end);
        reply[2] = (byte)(0x80 | (query[2] & 0x01)); // QR, opcode 0, RD copied
        reply[3] = 0x03; // RCODE NXDOMAIN
        reply[4] = 0; reply[5] = 1; // QDCOUNT 1
        for (int i = 6; i < 12; i++)
        {
            reply[i] = 0; // no answer, authority or additional records
        }
        return reply;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }
}
