using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Policy;
using TlsTools.Routing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The policy DNS client holds one timeout per question, all of DnsClient's attempts together.</summary>
public class PolicyDnsTimeoutTests
{
    [Fact]
    public async Task ASilentServerFailsWithinTheTimeoutNotTwice()
    {
        using var silent = new LoopbackDnsStub(TimeSpan.Zero, silent: true);
        var client = new PolicyDnsClient(silent.EndPoint, TimeSpan.FromSeconds(1.5));
        var watch = Stopwatch.StartNew();
        DnsAnswer<MxRecordData> answer = await client.GetMxAsync("silent.example", CancellationToken.None);
        watch.Stop();
        Assert.Equal(DnsAnswerStatus.Failed, answer.Status);
        Assert.Contains("did not answer within 1.5 s", answer.Error);
        // Before, each of two attempts had the whole timeout: 3 s.
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.2, 2.4);
        Assert.InRange(silent.Received, 1, 2);
    }

    [Fact]
    public async Task EveryKindOfQuestionIsHeldToTheTimeout()
    {
        using var silent = new LoopbackDnsStub(TimeSpan.Zero, silent: true);
        var client = new PolicyDnsClient(silent.EndPoint, TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();
        DnsAnswer<string> txt = await client.GetTxtAsync("_mta-sts.silent.example", CancellationToken.None);
        DnsAnswer<TlsaRecordData> tlsa = await client.GetTlsaAsync("_25._tcp.mx.silent.example", CancellationToken.None);
        Assert.True(txt.Failed);
        Assert.True(tlsa.Failed);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.6, 3.2);
    }

    [Fact]
    public async Task AAndAaaaOfASilentServerCostOneTimeoutNotTwo()
    {
        using var silent = new LoopbackDnsStub(TimeSpan.Zero, silent: true);
        var client = new PolicyDnsClient(silent.EndPoint, TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();
        DnsAnswer<System.Net.IPAddress> answer = await client.GetAddressesAsync("mx.silent.example", AddressFamilyFilter.Any, CancellationToken.None);
        Assert.True(answer.Failed);
        Assert.Contains("did not answer within 1 s", answer.Error);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.8, 1.8);
    }

    [Fact]
    public async Task CancellationByTheCallerStaysACancellation()
    {
        using var silent = new LoopbackDnsStub(TimeSpan.Zero, silent: true);
        var client = new PolicyDnsClient(silent.EndPoint, TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetMxAsync("silent.example", cts.Token));
        Assert.True(watch.Elapsed.TotalSeconds < 2);
    }
}
