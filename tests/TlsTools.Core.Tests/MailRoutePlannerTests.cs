using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.MailTls;
using TlsTools.Routing;
using Xunit;

namespace TlsTools.Tests;

public class MailRoutePlannerTests
{
    private sealed class FakeDns : IMailDnsResolver
    {
        public Dictionary<string, MxRecordData[]> Mx { get; } = new(StringComparer.OrdinalIgnoreCase);
        public Dictionary<string, IPAddress[]> Addresses { get; } = new(StringComparer.OrdinalIgnoreCase);
        public HashSet<string> Missing { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken)
        {
            if (Missing.Contains(domain))
            {
                throw new DnsLookupException(domain, "NXDOMAIN", true);
            }
            return Task.FromResult<IReadOnlyList<MxRecordData>>(Mx.TryGetValue(domain, out var r) ? r : Array.Empty<MxRecordData>());
        }

        public Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken)
        {
            IPAddress[] all = Addresses.TryGetValue(host, out var a) ? a : Array.Empty<IPAddress>();
            IEnumerable<IPAddress> f = family switch
            {
                AddressFamilyFilter.IPv4 => all.Where(x => x.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork),
                AddressFamilyFilter.IPv6 => all.Where(x => x.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6),
                _ => all,
            };
            return Task.FromResult<IReadOnlyList<IPAddress>>(f.ToList());
        }
    }

    private static FakeDns Partner()
    {
        var dns = new FakeDns();
        dns.Mx["partner.example"] = new[]
        {
            new MxRecordData(20, "mx2.partner.example."),
            new MxRecordData(10, "mx1.partner.example."),
            new MxRecordData(20, "mx0.partner.example."),
        };
        dns.Addresses["mx1.partner.example"] = new[] { IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1") };
        dns.Addresses["mx2.partner.example"] = new[] { IPAddress.Parse("192.0.2.2") };
        dns.Addresses["mx0.partner.example"] = new[] { IPAddress.Parse("192.0.2.3") };
        return dns;
    }

    [Fact]
    public async Task OrdersByPreferenceThenName()
    {
        MailRoute route = await MailRoutePlanner.PlanAsync("partner.example", Partner(), AddressFamilyFilter.Any, CancellationToken.None);
        Assert.Equal(new[] { "mx1.partner.example", "mx0.partner.example", "mx2.partner.example" }, route.Hosts.Select(h => h.Name));
        Assert.Equal(new int?[] { 10, 20, 20 }, route.Hosts.Select(h => h.Preference));
        Assert.False(route.IsImplicitMx);
        Assert.False(route.IsNullMx);
    }

    [Fact]
    public async Task EveryAddressBecomesATarget()
    {
        MailRoute route = await MailRoutePlanner.PlanAsync("partner.example", Partner(), AddressFamilyFilter.Any, CancellationToken.None);
        var targets = MailTlsOrchestrator.Targets(route, 25);
        Assert.Equal(4, targets.Count);
        Assert.Equal(new[] { "192.0.2.1", "2001:db8::1" }, targets.Where(t => t.MxHost == "mx1.partner.example").Select(t => t.Address.ToString()));
        Assert.All(targets, t => Assert.Equal("partner.example", t.Domain));
    }

    [Fact]
    public async Task AddressFamilyFilters()
    {
        MailRoute v6 = await MailRoutePlanner.PlanAsync("partner.example", Partner(), AddressFamilyFilter.IPv6, CancellationToken.None);
        Assert.Single(MailTlsOrchestrator.Targets(v6, 25));
        Assert.Equal(2, v6.Hosts.Count(h => h.Addresses.Count == 0));
        Assert.All(v6.Hosts.Where(h => h.Addresses.Count == 0), h => Assert.NotNull(h.ResolutionError));
    }

    [Fact]
    public async Task NoMxFallsBackToTheDomainsOwnAddresses()
    {
        var dns = new FakeDns();
        dns.Addresses["nomx.example"] = new[] { IPAddress.Parse("192.0.2.9") };
        MailRoute route = await MailRoutePlanner.PlanAsync("nomx.example", dns, AddressFamilyFilter.Any, CancellationToken.None);
        Assert.True(route.IsImplicitMx);
        MailHost host = Assert.Single(route.Hosts);
        Assert.Equal("nomx.example", host.Name);
        Assert.Null(host.Preference);
        Assert.Equal("192.0.2.9", host.Addresses.Single().ToString());
    }

    [Fact]
    public async Task NoMxAndNoAddressesIsReported()
    {
        MailRoute route = await MailRoutePlanner.PlanAsync("empty.example", new FakeDns(), AddressFamilyFilter.Any, CancellationToken.None);
        Assert.True(route.IsImplicitMx);
        Assert.NotNull(route.Hosts.Single().ResolutionError);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("")]
    public async Task NullMxAcceptsNoMail(string exchange)
    {
        var dns = new FakeDns();
        dns.Mx["nullmx.example"] = new[] { new MxRecordData(0, exchange) };
        MailRoute route = await MailRoutePlanner.PlanAsync("nullmx.example", dns, AddressFamilyFilter.Any, CancellationToken.None);
        Assert.True(route.IsNullMx);
        Assert.Empty(route.Hosts);
    }

    [Fact]
    public async Task NullMxBesideRealRecordsIsIgnored()
    {
        var dns = Partner();
        dns.Mx["partner.example"] = dns.Mx["partner.example"].Append(new MxRecordData(0, ".")).ToArray();
        MailRoute route = await MailRoutePlanner.PlanAsync("partner.example", dns, AddressFamilyFilter.Any, CancellationToken.None);
        Assert.False(route.IsNullMx);
        Assert.Equal(3, route.Hosts.Count);
    }

    [Fact]
    public async Task MissingDomainThrows()
    {
        var dns = new FakeDns();
        dns.Missing.Add("gone.example");
        var e = await Assert.ThrowsAsync<DnsLookupException>(() => MailRoutePlanner.PlanAsync("gone.example", dns, AddressFamilyFilter.Any, CancellationToken.None));
        Assert.True(e.NameDoesNotExist);
    }

    [Fact]
    public async Task DuplicateMxRecordsCollapse()
    {
        var dns = Partner();
        dns.Mx["partner.example"] = new[] { new MxRecordData(10, "mx1.partner.example."), new MxRecordData(10, "MX1.partner.example") };
        MailRoute route = await MailRoutePlanner.PlanAsync("partner.example", dns, AddressFamilyFilter.Any, CancellationToken.None);
        Assert.Single(route.Hosts);
    }

    [Theory]
    [InlineData("contoso.com", "contoso.com")]
    [InlineData("Contoso.COM.", "contoso.com")]
    [InlineData("*.contoso.com", "contoso.com")]
    [InlineData("SMTP:contoso.com;1", "contoso.com")]
    [InlineData("smtp:*.contoso.com;10", "contoso.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    public void NormalizesExchangeDomainForms(string input, string expected)
    {
        Assert.Equal(expected, MailDomainInput.Normalize(input, out _));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("SMTP:*;1")]
    [InlineData("--")]
    [InlineData("a.*.contoso.com")]
    [InlineData("localhost")]
    [InlineData("not a domain")]
    public void RejectsWhatIsNoMailDomain(string input)
    {
        Assert.Null(MailDomainInput.Normalize(input, out string? reason));
        Assert.NotNull(reason);
    }
}
