using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Routing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>One deadline for a domain's DNS stage, and a bound on the queries outstanding at once.</summary>
public class DnsDeadlineTests
{
    /// <summary>A resolver whose look-ups take a set time each and, when told to, ignore cancellation.</summary>
    private sealed class SlowDns : IMailDnsResolver, IMailDnsStageTimeout
    {
        public TimeSpan StageTimeout { get; init; } = TimeSpan.FromSeconds(1);
        public TimeSpan MxDelay { get; init; }
        public Dictionary<string, TimeSpan> HostDelay { get; } = new(StringComparer.OrdinalIgnoreCase);
        public MxRecordData[] Mx { get; init; } = Array.Empty<MxRecordData>();
        public bool IgnoreCancellation { get; init; }

        public async Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken)
        {
            await Task.Delay(MxDelay, IgnoreCancellation ? CancellationToken.None : cancellationToken);
            return Mx;
        }

        public async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken)
        {
            await Task.Delay(HostDelay.TryGetValue(host, out TimeSpan d) ? d : TimeSpan.Zero, IgnoreCancellation ? CancellationToken.None : cancellationToken);
            return new[] { IPAddress.Parse("192.0.2.1") };
        }
    }

    [Fact]
    public async Task SilentServerFailsWithinTheStageTimeoutNotTwice()
    {
        using var silent = new LoopbackDnsStub(TimeSpan.Zero, silent: true);
        var resolver = new DnsClientResolver(silent.EndPoint, TimeSpan.FromSeconds(1.5), new DnsQueryGate(4));
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DnsLookupException>(() => MailRoutePlanner.PlanAsync("silent.example", resolver, AddressFamilyFilter.Any, CancellationToken.None));
        watch.Stop();
        Assert.Contains("did not answer within 1.5 s", e.Message);
        Assert.False(e.NameDoesNotExist);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.3, 2.6);
        // DnsClient's own attempts fit inside the stage: two of 0.75 s, not two of the whole timeout.
        Assert.InRange(silent.Received, 1, 2);
    }

    [Fact]
    public async Task EverySingleCallIsHeldToTheTimeoutToo()
    {
        using var silent = new LoopbackDnsStub(TimeSpan.Zero, silent: true);
        var resolver = new DnsClientResolver(silent.EndPoint, TimeSpan.FromSeconds(1), new DnsQueryGate(4));
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DnsLookupException>(() => resolver.GetAddressesAsync("host.example", AddressFamilyFilter.Any, CancellationToken.None));
        Assert.Contains("did not answer within 1 s", e.Message);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.8, 2.0);
    }

    [Fact]
    public async Task TheDeadlineCoversMxAndHostLookupsTogether()
    {
        // Each step alone fits the 1 s deadline; together they do not.
        var dns = new SlowDns
        {
            MxDelay = TimeSpan.FromMilliseconds(600),
            Mx = new[] { new MxRecordData(10, "mx1.example."), new MxRecordData(20, "mx2.example.") },
        };
        dns.HostDelay["mx1.example"] = TimeSpan.FromMilliseconds(700);
        dns.HostDelay["mx2.example"] = TimeSpan.FromMilliseconds(700);
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DnsLookupException>(() => MailRoutePlanner.PlanAsync("slow.example", dns, AddressFamilyFilter.Any, CancellationToken.None));
        Assert.Contains("did not answer within 1 s", e.Message);
        Assert.Equal("slow.example", e.Name);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 2.0);
    }

    [Fact]
    public async Task HostsThatAnsweredInTimeAreKept()
    {
        var dns = new SlowDns
        {
            Mx = new[] { new MxRecordData(10, "fast.example."), new MxRecordData(20, "slow.example.") },
        };
        dns.HostDelay["slow.example"] = TimeSpan.FromSeconds(30);
        MailRoute route = await MailRoutePlanner.PlanAsync("partial.example", dns, AddressFamilyFilter.Any, CancellationToken.None);
        Assert.Single(route.Hosts[0].Addresses);
        Assert.Empty(route.Hosts[1].Addresses);
        Assert.Contains("did not answer within 1 s", route.Hosts[1].ResolutionError);
    }

    [Fact]
    public async Task TheDeadlineHoldsWhenTheResolverIgnoresCancellation()
    {
        var dns = new SlowDns { MxDelay = TimeSpan.FromSeconds(20), IgnoreCancellation = true };
        var watch = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<DnsLookupException>(() => MailRoutePlanner.PlanAsync("stuck.example", dns, AddressFamilyFilter.Any, CancellationToken.None, TimeSpan.FromMilliseconds(500)));
        Assert.Contains("did not answer within 0.5 s", e.Message);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.4, 2.0);
    }

    [Fact]
    public async Task CancellationByTheCallerIsNotATimeout()
    {
        var dns = new SlowDns { MxDelay = TimeSpan.FromSeconds(20), StageTimeout = TimeSpan.FromSeconds(10) };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MailRoutePlanner.PlanAsync("x.example", dns, AddressFamilyFilter.Any, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(15)]
    [InlineData(3600)]
    public void DnsClientAttemptsFitInsideTheStage(int seconds)
    {
        TimeSpan stage = TimeSpan.FromSeconds(seconds);
        (TimeSpan perQuery, int retries) = DnsClientResolver.QueryTiming(stage);
        Assert.InRange(retries, 1, 2);
        Assert.True(perQuery <= TimeSpan.FromSeconds(5));
        Assert.True(TimeSpan.FromTicks(perQuery.Ticks * (retries + 1)) <= stage);
    }

    [Fact]
    public async Task ConcurrentQueriesAreBoundedByTheGate()
    {
        using var stub = new LoopbackDnsStub(TimeSpan.FromMilliseconds(40));
        var gate = new DnsQueryGate(4);
        var resolver = new DnsClientResolver(stub.EndPoint, TimeSpan.FromSeconds(10), gate);
        var lookups = Enumerable.Range(0, 40).Select(async i =>
        {
            var e = await Assert.ThrowsAsync<DnsLookupException>(() => resolver.GetMxAsync($"d{i}.example", CancellationToken.None));
            Assert.True(e.NameDoesNotExist);
        });
        await Task.WhenAll(lookups);
        Assert.Equal(40, stub.Received);
        Assert.InRange(stub.Peak, 2, 4);
        Assert.InRange(gate.Peak, 2, 4);
        Assert.Equal(0, gate.InFlight);
    }

    [Fact]
    public async Task ManyMxHostsAreLookedUpAFewAtATime()
    {
        int now = 0, peak = 0;
        var dns = new CountingDns(() =>
        {
            int n = Interlocked.Increment(ref now);
            int seen;
            while (n > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, n, seen) != seen)
            {
            }
        }, () => Interlocked.Decrement(ref now));
        MailRoute route = await MailRoutePlanner.PlanAsync("many.example", dns, AddressFamilyFilter.Any, CancellationToken.None);
        Assert.Equal(20, route.Hosts.Count);
        Assert.InRange(peak, 1, MailRoutePlanner.HostLookupsAtOnce);
    }

    private sealed class CountingDns : IMailDnsResolver
    {
        private readonly Action _enter;
        private readonly Action _leave;

        public CountingDns(Action enter, Action leave)
        {
            _enter = enter;
            _leave = leave;
        }

        public Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MxRecordData>>(Enumerable.Range(0, 20).Select(i => new MxRecordData(i, $"mx{i}.{domain}.")).ToList());

        public async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken)
        {
            _enter();
            try
            {
                await Task.Delay(20, cancellationToken);
                return new[] { IPAddress.Parse("192.0.2.7") };
            }
            finally
            {
                _leave();
            }
        }
    }
}
