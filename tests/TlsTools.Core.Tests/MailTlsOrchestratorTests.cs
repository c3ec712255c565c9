using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Concurrency;
using TlsTools.MailTls;
using TlsTools.Routing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The domain orchestrator end to end against a real SMTP server on loopback, with DNS answered in process.</summary>
public class MailTlsOrchestratorTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot("Orchestrator Root");
    private static readonly X509Certificate2 Leaf = TestCertificates.CreateLeaf(Root, "mx1.partner.example", new[] { "mx1.partner.example", "mx2.partner.example", "mx3.partner.example" });

    /// <summary>partner.example has three MX hosts, each at 127.0.0.1; unknown names do not exist.</summary>
    private sealed class LoopbackDns : IMailDnsResolver
    {
        public Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken) =>
            domain == "partner.example"
                ? Task.FromResult<IReadOnlyList<MxRecordData>>(new[] { new MxRecordData(20, "mx2.partner.example."), new MxRecordData(10, "mx1.partner.example."), new MxRecordData(30, "mx3.partner.example.") })
                : throw new DnsLookupException(domain, "NXDOMAIN", true);

        public Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<IPAddress>>(new[] { IPAddress.Loopback });
    }

    private sealed class RecordingProgress : IMailTlsProgress
    {
        public int Planned;
        public ConcurrentQueue<(MailTlsResult Result, ProbeFailure? Failure)> Tested { get; } = new();

        public void AddressesPlanned(int count) => Interlocked.Add(ref Planned, count);
        public void AddressTested(MailTlsResult result, ProbeFailure? failure) => Tested.Enqueue((result, failure));
        public void HostNotResolved(MailHost host) => throw new InvalidOperationException("every host resolves here");
    }

    private static MailTlsOrchestrator Orchestrator(int port, int throttle) => new(new MailTlsOptions
    {
        Port = port,
        TimeoutSeconds = 10,
        HeloName = "probe.example",
        TrustedRootCertificates = new X509Certificate2Collection(Root),
        UseSystemTrustStore = false,
    }, new WorkThrottle(throttle), new LoopbackDns());

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task TestsEveryAddressUnderTheThrottleAndJudgesEach(int throttle)
    {
        await using var server = new LoopbackSmtpServer(new SmtpServerScript { Certificate = Leaf, GreetingDelay = TimeSpan.FromMilliseconds(150) });
        var progress = new RecordingProgress();
        MailTlsOutcome outcome = await Orchestrator(server.Port, throttle).TestDomainAsync("partner.example", progress, CancellationToken.None);

        Assert.Null(outcome.DnsFailure);
        Assert.Equal(3, progress.Planned);
        Assert.Equal(3, progress.Tested.Count);
        Assert.Equal(new[] { "mx1.partner.example", "mx2.partner.example", "mx3.partner.example" }, outcome.Results.Select(r => r.MxHost));
        Assert.All(outcome.Results, r => Assert.Equal(ExchangeTlsLevel.DomainValidation, r.ExchangeTlsLevel));
        Assert.Equal(throttle, server.MaxConcurrentGreetings);
        MailTlsDomainSummary summary = outcome.Summarize();
        Assert.Equal(MailTlsVerdict.Pass, summary.Verdict);
        Assert.Equal(3, summary.AddressesTested);
    }

    [Fact]
    public async Task ADomainThatDoesNotExistIsADnsFailureWithAFailingSummary()
    {
        MailTlsOutcome outcome = await Orchestrator(25, 2).TestDomainAsync("missing.example", null, CancellationToken.None);
        Assert.True(outcome.DnsFailure!.NameDoesNotExist);
        Assert.Empty(outcome.Results);
        Assert.Equal(MailTlsVerdict.Fail, outcome.Summarize().Verdict);
    }

    [Fact]
    public async Task AnUnreachedAddressIsReportedWithItsTypedFailure()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var progress = new RecordingProgress();
        MailTlsOutcome outcome = await Orchestrator(closed, 4).TestDomainAsync("partner.example", progress, CancellationToken.None);
        Assert.All(progress.Tested, t => Assert.Equal(ProbeFailureKind.ConnectFailed, t.Failure!.Kind));
        Assert.All(outcome.Results, r => Assert.Equal("ConnectFailed", r.ErrorId));
    }
}
