using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Policy;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The MTA-STS policy fetch against an in-process HTTPS server on loopback: every answer it must refuse, and the one it takes.</summary>
public class MtaStsPolicyFetcherTests
{
    private const string Domain = "example.com";
    private const string Policy = "version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800\n";
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot();
    private static readonly X509Certificate2 Intermediate = TestCertificates.CreateIntermediate(Root);
    private static readonly X509Certificate2 PolicyHostCert = Reload(TestCertificates.CreateLeaf(Intermediate, "mta-sts.example.com", new[] { "mta-sts.example.com" }));
    private static readonly X509Certificate2 OtherNameCert = Reload(TestCertificates.CreateLeaf(Intermediate, "www.example.com", new[] { "www.example.com" }));

    private static X509Certificate2 Reload(X509Certificate2 c) => X509CertificateLoader.LoadPkcs12(c.Export(X509ContentType.Pkcs12), null);

    /// <summary>An HTTPS server for one test: answers every request with the bytes <paramref name="respond"/> gives, then closes.</summary>
    private sealed class HttpsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public HttpsServer(Func<string, byte[]?> respond, X509Certificate2? certificate = null)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            X509Certificate2 cert = certificate ?? PolicyHostCert;
            _loop = Task.Run(async () =>
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
                    using (client)
                    {
                        try
                        {
                            using var ssl = new SslStream(client.GetStream());
                            var context = SslStreamCertificateContext.Create(cert, new X509Certificate2Collection { Intermediate }, offline: true);
                            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context }, _stop.Token);
                            string head = await ReadHeadAsync(ssl);
                            if (head.Length == 0)
                            {
                                continue;
                            }
                            Requests.Enqueue(head);
                            byte[]? reply = respond(head);
                            if (reply is null)
                            {
                                await Task.Delay(Timeout.Infinite, _stop.Token);
                            }
                            else
                            {
                                await ssl.WriteAsync(reply, _stop.Token);
                            }
                        }
                        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                        {
                            // The client gave up (certificate refused, timeout): nothing more to serve.
                        }
                    }
                }
            });
        }

        public int Port { get; }

        public ConcurrentQueue<string> Requests { get; } = new();

        private static async Task<string> ReadHeadAsync(Stream s)
        {
            var sb = new StringBuilder();
            var one = new byte[1];
            while (!sb.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await s.ReadAsync(one) == 1)
            {
                sb.Append((char)one[0]);
            }
            return sb.ToString();
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _loop;
        }
    }

    private static byte[] Response(string status, string headers, string body) =>
        Encoding.UTF8.GetBytes($"HTTP/1.1 {status}\r\n{headers}Connection: close\r\n\r\n{body}");

    private static byte[] Ok(string body, string contentType = "text/plain") =>
        Response("200 OK", $"Content-Type: {contentType}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", body);

    private static Task<MtaStsFetchResult> FetchAsync(int port, X509Certificate2? root = null, int timeoutSeconds = 5) =>
        MtaStsPolicyFetcher.FetchAsync(Domain, new[] { IPAddress.Loopback }, port, new[] { root ?? Root }, false, TimeSpan.FromSeconds(timeoutSeconds), CancellationToken.None);

    [Fact]
    public async Task FetchesAPolicyWithTheHostHeaderAndTheWellKnownPath()
    {
        await using var server = new HttpsServer(_ => Ok(Policy));
        MtaStsFetchResult r = await FetchAsync(server.Port);
        Assert.Null(r.Error);
        Assert.Null(r.Failure);
        Assert.Equal(200, r.StatusCode);
        Assert.True(r.IsTextPlain);
        Assert.Equal(Policy, r.Text);
        Assert.Equal($"https://mta-sts.example.com:{server.Port}/.well-known/mta-sts.txt", r.Url);
        Assert.True(server.Requests.TryDequeue(out string? head));
        Assert.StartsWith("GET /.well-known/mta-sts.txt HTTP/1.1\r\n", head);
        Assert.Contains($"\r\nHost: mta-sts.example.com:{server.Port}\r\n", head);
    }

    [Fact]
    public async Task ReadsAChunkedBody()
    {
        string chunked = $"{Policy.Length:X}\r\n{Policy}\r\n0\r\n\r\n";
        await using var server = new HttpsServer(_ => Response("200 OK", "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n", chunked));
        MtaStsFetchResult r = await FetchAsync(server.Port);
        Assert.Null(r.Failure);
        Assert.Equal(Policy, r.Text);
    }

    [Fact]
    public async Task DoesNotFollowARedirect()
    {
        await using var server = new HttpsServer(head => head.StartsWith("GET /.well-known/", StringComparison.Ordinal)
            ? Response("301 Moved Permanently", "Location: https://elsewhere.example.com/policy.txt\r\nContent-Length: 0\r\n", string.Empty)
            : Ok(Policy));
        MtaStsFetchResult r = await FetchAsync(server.Port);
        Assert.Equal(MtaStsFetchFailureKind.Redirect, r.Failure);
        Assert.Equal("https://elsewhere.example.com/policy.txt", r.Location);
        Assert.Null(r.Text);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task TakesOnly200()
    {
        await using var server = new HttpsServer(_ => Response("404 Not Found", "Content-Length: 0\r\n", string.Empty));
        MtaStsFetchResult r = await FetchAsync(server.Port);
        Assert.Equal(MtaStsFetchFailureKind.HttpStatus, r.Failure);
        Assert.Equal(404, r.StatusCode);
    }

    [Fact]
    public async Task RefusesAnAnnouncedOversizedPolicy()
    {
        await using var server = new HttpsServer(_ => Response("200 OK", "Content-Type: text/plain\r\nContent-Length: 70000\r\n", new string('x', 70000)));
        MtaStsFetchResult r = await FetchAsync(server.Port);
        Assert.Equal(MtaStsFetchFailureKind.TooLarge, r.Failure);
    }

    [Fact]
    public async Task StopsReadingAnUnannouncedOversizedPolicy()
    {
        await using var server = new HttpsServer(_ => Response("200 OK", "Content-Type: text/plain\r\n", new string('x', 200000)));
        MtaStsFetchResult r = await FetchAsync(server.Port);
        Assert.Equal(MtaStsFetchFailureKind.TooLarge, r.Failure);
        Assert.Null(r.Text);
    }

    [Fact]
    public async Task RefusesACertificateForAnotherName()
    {
        await using var server = new HttpsServer(_ => Ok(Policy), OtherNameCert);
        MtaStsFetchResult r = await FetchAsync(server.Port);
        Assert.Equal(MtaStsFetchFailureKind.CertificateInvalid, r.Failure);
        Assert.Contains("www.example.com", r.Error);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task RefusesAnUntrustedChain()
    {
        await using var server = new HttpsServer(_ => Ok(Policy));
        MtaStsFetchResult r = await FetchAsync(server.Port, TestCertificates.CreateRoot("Unrelated Root"));
        Assert.Equal(MtaStsFetchFailureKind.CertificateInvalid, r.Failure);
        Assert.Contains("chain", r.Error);
    }

    [Fact]
    public async Task ReportsAClosedPort()
    {
        MtaStsFetchResult r = await FetchAsync(LoopbackHttpServer.ClosedPort());
        Assert.Equal(MtaStsFetchFailureKind.ConnectFailed, r.Failure);
    }

    [Fact]
    public async Task GivesUpOnASilentServerWithinTheTimeout()
    {
        await using var server = new HttpsServer(_ => null);
        var watch = Stopwatch.StartNew();
        MtaStsFetchResult r = await FetchAsync(server.Port, timeoutSeconds: 1);
        Assert.Equal(MtaStsFetchFailureKind.Timeout, r.Failure);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
    }

    [Fact]
    public async Task NeedsAnAddress()
    {
        MtaStsFetchResult r = await MtaStsPolicyFetcher.FetchAsync(Domain, Array.Empty<IPAddress>(), 443, null, true, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal(MtaStsFetchFailureKind.NameResolution, r.Failure);
        Assert.Equal("https://mta-sts.example.com/.well-known/mta-sts.txt", r.Url);
    }
}
