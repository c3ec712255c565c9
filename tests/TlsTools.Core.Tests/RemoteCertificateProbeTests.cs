using System;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>Runs the probe against an in-process SMTP server on loopback.</summary>
public class RemoteCertificateProbeTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot("Probe Test Root");
    private static readonly X509Certificate2 Intermediate = TestCertificates.CreateIntermediate(Root);
    private static readonly X509Certificate2 Leaf = TestCertificates.CreateLeaf(Intermediate, "mx.probe.test", new[] { "mx.probe.test" });

    private static async Task ServeOneAsync(TcpListener listener, X509Certificate2 leaf, X509Certificate2[] intermediates, string? afterStartTls = null)
    {
        using TcpClient client = await listener.AcceptTcpClientAsync();
        NetworkStream s = client.GetStream();
        async Task Send(string text)
        {
            byte[] b = Encoding.ASCII.GetBytes(text);
            await s.WriteAsync(b);
        }
        var reader = new StreamReader(s, Encoding.ASCII, false, 1);
        await Send("220 mx.probe.test ESMTP\r\n");
        string? ehlo = await reader.ReadLineAsync();
        Assert.StartsWith("EHLO ", ehlo);
        await Send("250-mx.probe.test\r\n250 STARTTLS\r\n");
        Assert.Equal("STARTTLS", await reader.ReadLineAsync());
        await Send("220 go ahead\r\n" + (afterStartTls ?? string.Empty));
        if (afterStartTls is not null)
        {
            return;
        }
        using var ssl = new SslStream(s);
        var ctx = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(intermediates), offline: true);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = ctx });
        byte[] buf = new byte[64];
        try
        {
            await ssl.ReadAtLeastAsync(buf, 1, throwOnEndOfStream: false);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task ReturnsThePresentedChainLeafFirst()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task server = ServeOneAsync(listener, Leaf, new[] { Intermediate });
        var chain = await RemoteCertificateProbe.FetchAsync(new RemoteCertificateRequest
        {
            ComputerName = "127.0.0.1",
            Port = port,
            StartTls = StartTlsProtocol.Smtp,
            HeloName = "probe.example",
        }, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        listener.Stop();
        Assert.Equal(2, chain.Count);
        Assert.Equal(Leaf.Thumbprint, chain[0].Thumbprint);
        Assert.Equal(0, chain[0].ChainIndex);
        Assert.Equal(Intermediate.Thumbprint, chain[1].Thumbprint);
        Assert.False(chain[1].IsSelfSigned);
        Assert.Equal(1, chain[1].ChainIndex);
        Assert.Equal("mx.probe.test", chain[0].CommonName);
        Assert.Equal(port, chain[0].Port);
        Assert.Null(chain[0].ServerName);
    }

    [Fact]
    public async Task RefusedPortIsConnectFailed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = await Assert.ThrowsAsync<ProbeException>(() => RemoteCertificateProbe.FetchAsync(
            new RemoteCertificateRequest { ComputerName = "127.0.0.1", Port = port }, CancellationToken.None));
        Assert.Equal(ProbeFailureKind.ConnectFailed, e.Kind);
    }

    [Fact]
    public async Task SilentServerIsCancelledByTheToken()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RemoteCertificateProbe.FetchAsync(
            new RemoteCertificateRequest { ComputerName = "127.0.0.1", Port = port, StartTls = StartTlsProtocol.Smtp }, cts.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        listener.Stop();
    }
}
