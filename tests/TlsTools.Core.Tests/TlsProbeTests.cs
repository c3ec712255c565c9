using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The probe against real SMTP servers on loopback ports: the facts it gathers, and how it ends.</summary>
public class TlsProbeTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot("Probe Test Root");
    private static readonly X509Certificate2 Intermediate = TestCertificates.CreateIntermediate(Root);
    private static readonly X509Certificate2 Leaf = TestCertificates.CreateLeaf(Intermediate, "mx.probe.test", new[] { "mx.probe.test" });

    private static ProbeTarget Target(int port, StartTlsProtocol startTls = StartTlsProtocol.Smtp) => new()
    {
        HostName = "mx.probe.test",
        Address = IPAddress.Loopback,
        Port = port,
        StartTls = startTls,
        HeloName = "probe.example",
    };

    private static readonly TlsProbeOptions MailOptions = new() { Timeout = TimeSpan.FromSeconds(10), SmtpDialogOverTls = true, RecordTranscript = true };

    [Fact]
    [Trait("Platform", "NotOnMono")]
    [Trait("NotOnMonoReason", "On .NET Framework the test server sends only its leaf (no SslStreamCertificateContext), so the presented chain has one certificate.")]
    public async Task GathersTheSessionAndThePresentedChainLeafFirst()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { Certificate = Leaf, Intermediates = new[] { Intermediate } });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);

        Assert.Null(facts.Failure);
        Assert.True(facts.Connected);
        Assert.True(facts.TlsOffered);
        Assert.NotNull(facts.Tls);
        Assert.Equal(TlsOffer.Current, facts.Tls!.Offer);
        Assert.Contains(facts.Tls.Protocol, new[] { "Tls12", "Tls13" });
        Assert.Equal(new[] { Leaf.Thumbprint, Intermediate.Thumbprint }, facts.Tls.PresentedCertificates.Select(c => c.Thumbprint));
        Assert.Equal(250, facts.EhloOverTlsCode);
        Assert.False(facts.StartTlsAdvertisedOverTls);
        Assert.Equal("mx.probe.test ESMTP", facts.Dialog!.Banner);
        Assert.Contains("C: STARTTLS", facts.Transcript);
        Assert.Contains("-- TLS established:", facts.Transcript);
        await server.ConnectionsEndedAsync();
        // The safety promise: no message is ever started.
        Assert.DoesNotContain(server.Received, l => l.StartsWith("MAIL", StringComparison.OrdinalIgnoreCase) || l.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase) || l == "DATA");
        Assert.Equal("QUIT", server.Received.Last());
    }

    [Fact]
    public async Task NoStartTlsIsAFactNotAFailure()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { EhloReply = "250-mx.probe.test\r\n250 SIZE 1000" });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Null(facts.Failure);
        Assert.False(facts.TlsOffered);
        Assert.Null(facts.Tls);
        await server.ConnectionsEndedAsync();
        Assert.Equal("QUIT", server.Received.Last());
    }

    [Fact]
    public async Task StartTlsAdvertisedAgainInsideTlsIsRecorded()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript
        {
            Certificate = Leaf,
            Intermediates = new[] { Intermediate },
            EhloOverTlsReply = "250-mx.probe.test\r\n250 STARTTLS",
        });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Null(facts.Failure);
        Assert.True(facts.StartTlsAdvertisedOverTls);
    }

    [Fact]
    public async Task ANon250ReplyToEhloOverTlsIsRecorded()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { Certificate = Leaf, EhloOverTlsReply = "554 no thanks" });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Null(facts.Failure);
        Assert.Equal(554, facts.EhloOverTlsCode);
    }

    [Fact]
    public async Task BothHandshakesFailingIsHandshakeFailedAfterTwoConnections()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { FailHandshake = true });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Equal(ProbeFailureKind.HandshakeFailed, facts.Failure!.Kind);
        Assert.Equal("TlsHandshakeFailed", facts.Failure.ErrorId);
        Assert.Contains("A second attempt offering TLS 1.0-1.2", facts.Failure.Message);
        Assert.True(facts.TlsOffered);
        Assert.Equal(2, server.Connections);
    }

    [Theory]
    [InlineData("421 4.3.2 Service shutting down", ProbeFailureKind.GreetingRejected)]
    [InlineData("554 go away", ProbeFailureKind.GreetingRejected)]
    public async Task ARejectingGreetingIsTyped(string greeting, ProbeFailureKind kind)
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { Greeting = greeting });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Equal(kind, facts.Failure!.Kind);
        Assert.Contains(greeting.Substring(0, 3), facts.Failure.ServerReply);
        Assert.True(facts.Connected);
    }

    [Fact]
    public async Task A421AfterTheGreetingIsTyped()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { EhloReply = "421 4.7.0 Try again later" });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Equal(ProbeFailureKind.EhloRejected, facts.Failure!.Kind);
        Assert.Contains("421", facts.Failure.Message);
        Assert.Equal("mx.probe.test ESMTP", facts.Failure.Greeting);
    }

    [Fact]
    public async Task A5xxToEhloMeansNoEsmtpAndSoNoStartTls()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { EhloReply = "502 5.5.2 Error: command not recognized" });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Null(facts.Failure);
        Assert.False(facts.TlsOffered);
        Assert.Equal(502, facts.Dialog!.EhloCode);
        Assert.StartsWith("502 ", facts.Dialog.EhloRefusal);
        Assert.Equal("mx.probe.test ESMTP", facts.Dialog.Banner);
    }

    [Fact]
    public async Task ARefusedStartTlsIsTyped()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { StartTlsReply = "454 TLS not available" });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Equal(ProbeFailureKind.StartTlsRefused, facts.Failure!.Kind);
    }

    [Fact]
    public async Task ARefusedPortIsConnectFailedAndUnreached()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(port), MailOptions, CancellationToken.None);
        Assert.Equal(ProbeFailureKind.ConnectFailed, facts.Failure!.Kind);
        Assert.False(facts.Connected);
        Assert.True(ProbeFailureKinds.IsUnreached(facts.Failure.Kind));
    }

    [Fact]
    public async Task ASilentServerIsATimeoutWithinTheProbesDeadline()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { Silent = true });
        var watch = Stopwatch.StartNew();
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), new TlsProbeOptions { Timeout = TimeSpan.FromMilliseconds(500) }, CancellationToken.None);
        Assert.Equal(ProbeFailureKind.Timeout, facts.Failure!.Kind);
        Assert.True(facts.Connected);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task TheCallersCancellationIsNotAFailureButACancellation()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { Silent = true });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TlsProbe.ProbeAsync(Target(server.Port), MailOptions, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task InjectedBytesAfterTheGoAheadStopTheProbe()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { StartTlsReply = "220 go ahead\r\n250 injected" });
        ServerTlsFacts facts = await TlsProbe.ProbeAsync(Target(server.Port), MailOptions, CancellationToken.None);
        Assert.Equal(ProbeFailureKind.StartTlsInjection, facts.Failure!.Kind);
    }

    [Fact]
    [Trait("Platform", "NotOnMono")]
    [Trait("NotOnMonoReason", "On .NET Framework the test server sends only its leaf (no SslStreamCertificateContext), so the presented chain has one certificate.")]
    public async Task RemoteCertificatesComeFromTheSameProbe()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { Certificate = Leaf, Intermediates = new[] { Intermediate } });
        var chain = await RemoteCertificateProbe.FetchAsync(new RemoteCertificateRequest
        {
            ComputerName = "127.0.0.1",
            Port = server.Port,
            StartTls = StartTlsProtocol.Smtp,
            HeloName = "probe.example",
        }, CancellationToken.None);
        Assert.Equal(2, chain.Count);
        Assert.Equal(Leaf.Thumbprint, chain[0].Thumbprint);
        Assert.Equal(0, chain[0].ChainIndex);
        Assert.Equal(Intermediate.Thumbprint, chain[1].Thumbprint);
        Assert.Equal(1, chain[1].ChainIndex);
        Assert.Equal("mx.probe.test", chain[0].CommonName);
        Assert.Equal(server.Port, chain[0].Port);
        Assert.Null(chain[0].ServerName);
    }

    [Fact]
    public async Task NoStartTlsIsAnErrorForGetRemoteCertificate()
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { EhloReply = "250 mx.probe.test" });
        var e = await Assert.ThrowsAsync<ProbeException>(() => RemoteCertificateProbe.FetchAsync(new RemoteCertificateRequest
        {
            ComputerName = "127.0.0.1",
            Port = server.Port,
            StartTls = StartTlsProtocol.Smtp,
        }, CancellationToken.None));
        Assert.Equal(ProbeFailureKind.StartTlsNotOffered, e.Kind);
    }
}
