using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Concurrency;
using TlsTools.Policy;
using TlsTools.Probing;
using TlsTools.Routing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The policy verdict from hand-made facts, and the inspector's DNS walk against a fake resolver.</summary>
public class MailTlsPolicyJudgementTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot();
    private static readonly X509Certificate2 Intermediate = TestCertificates.CreateIntermediate(Root);
    private static readonly X509Certificate2 Leaf = TestCertificates.CreateLeaf(Intermediate, "mx1.example.com", new[] { "mx1.example.com" });
    private static readonly IPAddress Address = IPAddress.Parse("192.0.2.10");

    private static TlsaRecordData LeafRecord => new(3, 1, 1, TestBytes.Sha256(TestBytes.Spki(Leaf)));
    private static TlsaRecordData OtherRecord => new(3, 1, 1, TestBytes.Sha256(TestBytes.Spki(Root)));

    private static DnsAnswer<T> Answer<T>(bool authenticated, params T[] records) =>
        new() { Records = records, Authenticated = authenticated, Status = DnsAnswerStatus.Answered };

    private static MxProbeFacts Presented(bool chainValid = true) => new()
    {
        Address = Address,
        Port = 25,
        Probe = new ServerTlsFacts
        {
            Connected = true,
            TlsOffered = true,
            Tls = new TlsSessionFacts { Protocol = "Tls13", PresentedCertificates = new[] { Leaf, Intermediate } },
        },
        Chain = new Certificates.ChainValidation { IsValid = chainValid, Errors = chainValid ? Array.Empty<string>() : new[] { "UntrustedRoot: test" } },
    };

    private static MailTlsPolicyFacts Facts(bool mxSecure, TlsaRecordData[]? tlsa = null, string? stsTxt = null, MtaStsFetchResult? fetch = null,
        string rpt = "v=TLSRPTv1; rua=mailto:tlsrpt@example.com", bool chainValid = true) => new()
    {
        Domain = "example.com",
        DnsServer = "192.0.2.53:53",
        Mx = Answer(mxSecure, new MxRecordData(10, "mx1.example.com.")),
        Hosts = new[]
        {
            new HostPolicyFacts
            {
                Name = "mx1.example.com",
                Preference = 10,
                TlsaBaseDomain = "mx1.example.com",
                Addresses = Answer(mxSecure, Address),
                Tlsa = Answer(mxSecure, tlsa ?? Array.Empty<TlsaRecordData>()),
                Probes = (tlsa is { Length: > 0 } || fetch?.Text is not null) ? new[] { Presented(chainValid) } : Array.Empty<MxProbeFacts>(),
            },
        },
        MtaStsTxt = stsTxt is null ? Answer<string>(false) : Answer(false, stsTxt),
        PolicyFetch = fetch,
        TlsRptTxt = Answer(false, rpt),
    };

    private static MtaStsFetchResult Policy(string text) => new()
    {
        Url = "https://mta-sts.example.com/.well-known/mta-sts.txt", StatusCode = 200, ContentType = "text/plain", Text = text,
    };

    [Fact]
    public void SecureMatchingTlsaPasses()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(true, new[] { LeafRecord }), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Pass, p.Verdict);
        Assert.True(p.DaneApplies);
        MailTlsPolicyHost h = Assert.Single(p.Hosts);
        Assert.True(h.DaneMatch);
        Assert.Equal(LeafRecord.ToString(), Assert.Single(h.Addresses).DaneMatchedRecord);
        Assert.Equal(new[] { "mailto:tlsrpt@example.com" }, p.TlsRptRua);
        Assert.Contains("192.0.2.53:53", p.DnssecSource);
    }

    [Fact]
    public void SecureMismatchingTlsaFails()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(true, new[] { OtherRecord }), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Fail, p.Verdict);
        Assert.False(p.Hosts[0].DaneMatch);
        Assert.StartsWith("DANE: no TLSA record of _25._tcp.mx1.example.com matches", p.Reasons[0]);
    }

    [Fact]
    public void UnauthenticatedTlsaIsOnlyAWarning()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, new[] { OtherRecord }), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Warning, p.Verdict);
        Assert.False(p.DaneApplies);
        Assert.False(p.Hosts[0].TlsaAuthenticated);
        Assert.Contains(p.Reasons, r => r.Contains("not DNSSEC-authenticated"));
    }

    [Fact]
    public void ServfailOnMxFails()
    {
        var facts = new MailTlsPolicyFacts
        {
            Domain = "example.com",
            DnsServer = "192.0.2.53:53",
            Mx = new DnsAnswer<MxRecordData> { Status = DnsAnswerStatus.ServerFailure, Error = "MX query for example.com: SERVFAIL" },
        };
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(facts, DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Fail, p.Verdict);
        Assert.Equal("DnsServerFailure", p.ErrorId);
        Assert.Null(p.MxAuthenticated);
    }

    [Fact]
    public void EnforcePolicyNotCoveringTheMxFails()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, stsTxt: "v=STSv1; id=1;",
            fetch: Policy("version: STSv1\nmode: enforce\nmx: *.elsewhere.example\nmax_age: 604800\n")), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Fail, p.Verdict);
        Assert.Equal(MtaStsMode.Enforce, p.MtaStsMode);
        Assert.False(p.MtaStsMxMatch);
        Assert.False(p.Hosts[0].MtaStsCovered);
    }

    [Fact]
    public void TestingPolicyNotCoveringTheMxWarns()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, stsTxt: "v=STSv1; id=1;",
            fetch: Policy("version: STSv1\nmode: testing\nmx: *.elsewhere.example\nmax_age: 604800\n")), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Warning, p.Verdict);
        Assert.False(p.MtaStsMxMatch);
    }

    [Fact]
    public void EnforcePolicyCoveringAValidMxPasses()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, stsTxt: "v=STSv1; id=1;",
            fetch: Policy("version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 604800\n")), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Pass, p.Verdict);
        Assert.True(p.MtaStsMxMatch);
        Assert.Equal("*.example.com", p.Hosts[0].MtaStsPattern);
        Assert.True(p.Hosts[0].MtaStsCertificateValid);
    }

    [Fact]
    public void EnforcePolicyWithAnUntrustedMxCertificateFails()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, stsTxt: "v=STSv1; id=1;",
            fetch: Policy("version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 604800\n"), chainValid: false), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Fail, p.Verdict);
        Assert.False(p.Hosts[0].MtaStsCertificateValid);
        Assert.Contains("UntrustedRoot", p.Hosts[0].Addresses[0].MtaStsDetail);
    }

    [Fact]
    public void FailedFetchWarnsWithATypedId()
    {
        var fetch = new MtaStsFetchResult { Url = "https://mta-sts.example.com/.well-known/mta-sts.txt", StatusCode = 301, Failure = MtaStsFetchFailureKind.Redirect, Error = "redirect" };
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, stsTxt: "v=STSv1; id=1;", fetch: fetch), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.Warning, p.Verdict);
        Assert.Equal("MtaStsPolicyRedirect", p.MtaStsErrorId);
        Assert.Null(p.MtaStsMode);
        Assert.Equal("1", p.MtaStsId);
    }

    [Fact]
    public void ModeNoneIsNoPolicy()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, stsTxt: "v=STSv1; id=1;",
            fetch: Policy("version: STSv1\nmode: none\nmax_age: 86400\n")), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.NoPolicy, p.Verdict);
        Assert.Equal(MtaStsMode.None, p.MtaStsMode);
        Assert.Null(p.MtaStsMxMatch);
    }

    [Fact]
    public void NothingPublishedIsNoPolicy()
    {
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(Facts(false, rpt: "v=spf1 -all"), DateTime.UtcNow);
        Assert.Equal(MailTlsPolicyVerdict.NoPolicy, p.Verdict);
        Assert.Null(p.TlsRptRecord);
    }

    [Fact]
    public void IncludePolicyFactsGoOntoAResultAndAMismatchIntoItsNotes()
    {
        MailTlsPolicyFacts facts = Facts(true, new[] { OtherRecord });
        MailTlsPolicy policy = MailTlsPolicyJudgement.Judge(facts, DateTime.UtcNow);
        var result = new MailTlsResult { Domain = "example.com", MxHost = "mx1.example.com", IPAddress = Address.ToString(), Port = 25 };
        MailTlsPolicyResultFacts.Apply(result, facts, policy, facts.Hosts[0].Probes[0].Probe!, DateTime.UtcNow);
        Assert.True(result.DaneTlsaPresent);
        Assert.True(result.DaneAuthenticated);
        Assert.False(result.DaneMatch);
        Assert.Null(result.MtaStsMode);
        Assert.Null(result.MtaStsMxMatch);
        Assert.Contains(result.Notes, n => n.StartsWith("DANE: no TLSA record of _25._tcp.mx1.example.com matches", StringComparison.Ordinal));

        MailTlsPolicyFacts matching = Facts(true, new[] { LeafRecord });
        var ok = new MailTlsResult { Domain = "example.com", MxHost = "mx1.example.com" };
        MailTlsPolicyResultFacts.Apply(ok, matching, MailTlsPolicyJudgement.Judge(matching, DateTime.UtcNow), matching.Hosts[0].Probes[0].Probe!, DateTime.UtcNow);
        Assert.True(ok.DaneMatch);
        Assert.Empty(ok.Notes);
    }

    private sealed class FakeDns : IPolicyDnsResolver
    {
        public Dictionary<string, DnsAnswer<MxRecordData>> Mx { get; } = new();
        public Dictionary<string, DnsAnswer<IPAddress>> Addresses { get; } = new();
        public Dictionary<string, DnsAnswer<TlsaRecordData>> Tlsa { get; } = new();
        public List<string> Asked { get; } = new();

        public string ServerName => "fake";

        public Task<DnsAnswer<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken)
        {
            Asked.Add("MX " + domain);
            return Task.FromResult(Mx.TryGetValue(domain, out var a) ? a : Answer<MxRecordData>(true));
        }

        public Task<DnsAnswer<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken)
        {
            Asked.Add("A " + host);
            return Task.FromResult(Addresses.TryGetValue(host, out var a) ? a : Answer<IPAddress>(true));
        }

        public Task<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken cancellationToken)
        {
            Asked.Add("TXT " + name);
            return Task.FromResult(Answer<string>(true));
        }

        public Task<DnsAnswer<TlsaRecordData>> GetTlsaAsync(string name, CancellationToken cancellationToken)
        {
            Asked.Add("TLSA " + name);
            return Task.FromResult(Tlsa.TryGetValue(name, out var a) ? a : Answer<TlsaRecordData>(true));
        }
    }

    [Fact]
    public async Task InspectorWalksMxAddressesAndTlsaPerHost()
    {
        var dns = new FakeDns();
        dns.Mx["example.com"] = Answer(true, new MxRecordData(20, "MX2.example.com."), new MxRecordData(10, "mx1.example.com."));
        dns.Addresses["mx1.example.com"] = Answer(true, Address);
        dns.Addresses["mx2.example.com"] = Answer(false, IPAddress.Parse("192.0.2.11"));
        dns.Tlsa["_25._tcp.mx1.example.com"] = Answer(true, LeafRecord);
        var inspector = new MailTlsPolicyInspector(dns, new MailTlsPolicyOptions { ProbeMxHosts = false }, new WorkThrottle(2));

        MailTlsPolicyFacts facts = await inspector.InspectAsync("example.com", CancellationToken.None);

        Assert.Equal(new[] { "mx1.example.com", "mx2.example.com" }, facts.Hosts.Select(h => h.Name));
        Assert.Contains("TXT _mta-sts.example.com", dns.Asked);
        Assert.Contains("TXT _smtp._tls.example.com", dns.Asked);
        Assert.Contains("TLSA _25._tcp.mx2.example.com", dns.Asked);
        MailTlsPolicy p = MailTlsPolicyJudgement.Judge(facts, DateTime.UtcNow);
        Assert.True(p.Hosts[0].DaneApplies);
        Assert.Null(p.Hosts[0].DaneMatch);
        Assert.False(p.Hosts[1].AddressesAuthenticated);
    }

    [Fact]
    public async Task InspectorUsesTheDomainAsImplicitMxAndSkipsANullMx()
    {
        var dns = new FakeDns();
        dns.Mx["nullmx.example"] = Answer(true, new MxRecordData(0, "."));
        var inspector = new MailTlsPolicyInspector(dns, new MailTlsPolicyOptions { ProbeMxHosts = false, Port = 2525 }, new WorkThrottle(2));

        MailTlsPolicyFacts implicitMx = await inspector.InspectAsync("nomx.example", CancellationToken.None);
        Assert.True(implicitMx.IsImplicitMx);
        Assert.Equal("_2525._tcp.nomx.example", Assert.Single(implicitMx.Hosts).TlsaName);

        MailTlsPolicyFacts nullMx = await inspector.InspectAsync("nullmx.example", CancellationToken.None);
        Assert.True(nullMx.IsNullMx);
        Assert.Empty(nullMx.Hosts);
    }
}
