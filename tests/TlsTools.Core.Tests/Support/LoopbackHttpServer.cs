using System;
using System.Linq;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Tests.Support;

/// <summary>A request as the loopback server saw it.</summary>
internal sealed class SeenRequest
{
    public string Method { get; init; } = string.Empty;

    /// <summary>The request target as sent: a path, or an absolute URL when sent to a proxy.</summary>
    public string Target { get; init; } = string.Empty;

    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);
    public byte[] Body { get; init; } = Array.Empty<byte>();

    /// <summary>The path of <see cref="Target"/>.</summary>
    public string Path => Target.StartsWith("http", StringComparison.Ordinal) ? new Uri(Target).AbsolutePath : Target.Split('?')[0];
}

/// <summary>What the loopback server answers.</summary>
internal sealed class Reply
{
    public int Status { get; init; } = 200;
    public byte[] Body { get; init; } = Array.Empty<byte>();
    public string ContentType { get; init; } = "application/octet-stream";
    public string? Location { get; init; }

    /// <summary>Send the body without Content-Length, in chunks (the client cannot know the size up front).</summary>
    public bool Chunked { get; init; }

    /// <summary>Announce this Content-Length instead of the body's.</summary>
    public long? AnnouncedLength { get; init; }

    /// <summary>Accept the request and never answer.</summary>
    public bool Hang { get; init; }

    public static Reply Ok(byte[] body, string contentType = "application/octet-stream") => new() { Body = body, ContentType = contentType };

    public static Reply Redirect(string location, int status = 302) => new() { Status = status, Location = location };
}

/// <summary>
/// An HTTP/1.1 server on 127.0.0.1 with an ephemeral port, one request per connection, answering
/// from a handler and recording every request. Good enough for CRL, OCSP and CA-issuers fetches,
/// and for standing in for a forward proxy (requests then arrive in absolute form).
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<SeenRequest, Reply> _handler;
    private readonly CancellationTokenSource _stop = new();

    public LoopbackHttpServer(Func<SeenRequest, Reply> handler)
    {
        _handler = handler;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/{path.TrimStart('/')}";

    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>A port on which nothing listens (bound, then released).</summary>
    public static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
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
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                SeenRequest? request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }
                Requests.Enqueue(request);
                Reply reply = _handler(request);
                if (reply.Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }
                await WriteReplyAsync(stream, reply);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (a size cap or a timeout): nothing to do.
            }
        }
    }

    private static async Task<SeenRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (head.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }
            head.Add(one[0]);
            int n = head.Count;
            if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r' && head[n - 1] == '\n')
            {
                break;
            }
        }
        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }
        byte[] body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out string? len) && int.TryParse(len, out int length) && length > 0)
        {
            body = new byte[length];
            await stream.ReadExactlyAsync(body);
        }
        return new SeenRequest { Method = requestLine[0], Target = requestLine.Length > 1 ? requestLine[1] : "/", Headers = headers, Body = body };
    }

    private static async Task WriteReplyAsync(NetworkStream stream, Reply reply)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {reply.Status} {(reply.Status == 200 ? "OK" : "Status")}\r\n");
        head.Append("Connection: close\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {reply.ContentType}\r\n");
        if (reply.Location is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Location: {reply.Location}\r\n");
        }
        if (reply.Chunked)
        {
            head.Append("Transfer-Encoding: chunked\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            for (int i = 0; i < reply.Body.Length; i += 8192)
            {
                int n = Math.Min(8192, reply.Body.Length - i);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(n.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
                await stream.WriteAsync(reply.Body.AsMemory(i, n));
                await stream.WriteAsync("\r\n"u8.ToArray());
            }
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
            return;
        }
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {reply.AnnouncedLength ?? reply.Body.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(reply.Body);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
