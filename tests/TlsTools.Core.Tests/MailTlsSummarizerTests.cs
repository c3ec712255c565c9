using System;
using System.Linq;
using System.Net;
using TlsTools.MailTls;
using TlsTools.Routing;
using Xunit;

namespace TlsTools.Tests;

public class MailTlsSummarizerTests
{
    private static readonly DateTime Now = new(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);

    private static MailRoute Route(params string[] hosts) => new()
    {
        Domain = "partner.example",
        Hosts = hosts.Select((h, i) => new MailHost(h, (i + 1) * 10, new[] { IPAddress.Parse("192.0.2." + (i + 1)) }, null)).ToList(),
    };

    private static MailTlsResult Good(string host, int days = 200) => new()
    {
        Domain = "partner.example",
        MxHost = host,
        IPAddress = "192.0.2.1",
        StartTlsOffered = true,
        TlsEstablished = true,
        Protocol = "Tls13",
        ForwardSecrecy = true,
        ChainValid = true,
        NameMatches = true,
        CertificateNotAfter = Now.AddDays(days),
        CertificateDnsNames = new StringList(new[] { host, "mail.partner.example" }),
        ExchangeCertificateName = "<I>CN=CA<S>CN=" + host,
        ExchangeTlsLevel = ExchangeTlsLevel.DomainValidation,
        ForcedTlsReady = true,
    };

    [Fact]
    public void AllGoodPasses()
    {
        var s = MailTlsSummarizer.Summarize(Route("mx1", "mx2"), new[] { Good("mx1"), Good("mx2") }, Now);
        Assert.Equal(MailTlsVerdict.Pass, s.Verdict);
        Assert.True(s.AllTls);
        Assert.True(s.ForcedTlsReady);
        Assert.Equal(ExchangeTlsLevel.DomainValidation, s.LowestExchangeTlsLevel);
        Assert.Empty(s.Reasons);
        Assert.Equal(2, s.MxCount);
        Assert.Equal(new[] { "mx1", "mail.partner.example", "mx2" }, s.CertificateDnsNames);
        Assert.Equal(new[] { "mail.partner.example", "*.partner.example" }, s.TlsDomainCandidates);
        Assert.Equal(DefaultDelivery.Tls, s.DefaultDelivery);
        Assert.Null(s.DaneApplies);
        Assert.Null(s.PolicyVerdict);
        Assert.Equal(2, s.ExchangeCertificateNames.Count);
    }

    [Fact]
    public void HostWithoutStartTlsFails()
    {
        var plain = new MailTlsResult { Domain = "partner.example", MxHost = "mx2", IPAddress = "192.0.2.2", StartTlsOffered = false };
        var s = MailTlsSummarizer.Summarize(Route("mx1", "mx2"), new[] { Good("mx1"), plain }, Now);
        Assert.Equal(MailTlsVerdict.Fail, s.Verdict);
        Assert.False(s.AllTls);
        Assert.Equal(new[] { "mx2" }, s.HostsWithoutTls);
        Assert.Equal(ExchangeTlsLevel.None, s.LowestExchangeTlsLevel);
        Assert.Contains(s.Reasons, r => r.Contains("STARTTLS is not offered"));
        Assert.Equal(DefaultDelivery.ClearTextPossible, s.DefaultDelivery);
        Assert.Contains(s.Reasons, r => r.StartsWith("DefaultDelivery ClearTextPossible", StringComparison.Ordinal) && r.Contains("mx2"));
    }

    [Fact]
    public void SoonExpiringCertificateWarns()
    {
        var s = MailTlsSummarizer.Summarize(Route("mx1"), new[] { Good("mx1", days: 10) }, Now);
        Assert.Equal(MailTlsVerdict.Warning, s.Verdict);
        Assert.Equal(Now.AddDays(10), s.SoonestExpiry);
    }

    [Fact]
    public void LowestLevelIsTheMinimum()
    {
        MailTlsResult weak = Good("mx2");
        weak.ExchangeTlsLevel = ExchangeTlsLevel.EncryptionOnly;
        weak.ChainValid = false;
        weak.ForcedTlsReady = false;
        var s = MailTlsSummarizer.Summarize(Route("mx1", "mx2"), new[] { Good("mx1"), weak }, Now);
        Assert.Equal(ExchangeTlsLevel.EncryptionOnly, s.LowestExchangeTlsLevel);
        Assert.False(s.ForcedTlsReady);
        Assert.Equal(MailTlsVerdict.Warning, s.Verdict);
    }

    [Fact]
    public void LegacyOnlyTlsFails()
    {
        MailTlsResult old = Good("mx1");
        old.Protocol = "Tls10";
        old.ExchangeTlsLevel = ExchangeTlsLevel.None;
        old.ForcedTlsReady = false;
        var s = MailTlsSummarizer.Summarize(Route("mx1"), new[] { old }, Now);
        Assert.Equal(MailTlsVerdict.Fail, s.Verdict);
        Assert.True(s.AllTls);
        Assert.Equal("Tls10", s.WeakestProtocol);
        Assert.Contains(s.Reasons, r => r.Contains("RFC 8996"));
        Assert.Equal(DefaultDelivery.ClearTextPossible, s.DefaultDelivery);
    }

    [Fact]
    public void NullMxIsNoMailNotFailure()
    {
        var s = MailTlsSummarizer.Summarize(new MailRoute { Domain = "nullmx.example", IsNullMx = true }, Array.Empty<MailTlsResult>(), Now);
        Assert.Equal(MailTlsVerdict.NoMail, s.Verdict);
        Assert.Equal(DefaultDelivery.NoMail, s.DefaultDelivery);
        Assert.Equal(0, s.MxCount);
    }

    [Fact]
    public void UnresolvableMxHostFails()
    {
        var route = new MailRoute
        {
            Domain = "partner.example",
            Hosts = new[] { new MailHost("mx1", 10, new[] { IPAddress.Loopback }, null), new MailHost("ghost", 20, Array.Empty<IPAddress>(), "NXDOMAIN") },
        };
        var s = MailTlsSummarizer.Summarize(route, new[] { Good("mx1") }, Now);
        Assert.Equal(MailTlsVerdict.Fail, s.Verdict);
        Assert.Contains("ghost", s.HostsWithoutTls);
    }

    [Fact]
    public void ADnsFailureIsUnknownDelivery()
    {
        MailTlsDomainSummary s = MailTlsSummarizer.DnsFailure("partner.example", "SERVFAIL");
        Assert.Equal(MailTlsVerdict.Fail, s.Verdict);
        Assert.Equal(DefaultDelivery.Unknown, s.DefaultDelivery);
    }

    [Fact]
    public void CertificatesThatShareNoNameStillHaveTheCommonParentCandidate()
    {
        MailTlsResult a = Good("mx1.partner.example");
        a.CertificateDnsNames = new StringList(new[] { "mx1.partner.example" });
        MailTlsResult b = Good("mx2.partner.example");
        b.IPAddress = "192.0.2.2";
        b.CertificateDnsNames = new StringList(new[] { "mx2.partner.example" });
        var s = MailTlsSummarizer.Summarize(Route("mx1.partner.example", "mx2.partner.example"), new[] { a, b }, Now);
        Assert.Equal(new[] { "*.partner.example" }, s.TlsDomainCandidates);
        Assert.Equal(ExchangeTlsLevel.DomainValidation, s.LowestExchangeTlsLevel);
        Assert.Equal(MailTlsVerdict.Pass, s.Verdict);
    }

    [Fact]
    public void WithoutACandidateTheDomainIsAtMostCertificateValidationAndTheBreakingHostIsNamed()
    {
        MailTlsResult a = Good("mx1.partner.example");
        a.Preference = 10;
        a.CertificateDnsNames = new StringList(new[] { "mx1.partner.example" });
        MailTlsResult b = Good("mx.hoster.example");
        b.IPAddress = "192.0.2.2";
        b.Preference = 20;
        b.CertificateDnsNames = new StringList(new[] { "mx.hoster.example" });
        var s = MailTlsSummarizer.Summarize(Route("mx1.partner.example", "mx.hoster.example"), new[] { b, a }, Now);
        Assert.Empty(s.TlsDomainCandidates);
        Assert.Equal(ExchangeTlsLevel.CertificateValidation, s.LowestExchangeTlsLevel);
        Assert.Equal(MailTlsVerdict.Warning, s.Verdict);
        Assert.Contains(s.Reasons, r => r.StartsWith("No one TlsDomain fits every MX certificate: mx.hoster.example presents mx.hoster.example, which satisfies none of mx1.partner.example, *.partner.example", StringComparison.Ordinal));
        Assert.True(s.ForcedTlsReady);
    }

    [Fact]
    public void ResultsPrintAsACount()
    {
        var s = MailTlsSummarizer.Summarize(Route("mx1"), new[] { Good("mx1") }, Now);
        Assert.Equal("1 results", s.Results.ToString());
    }
}
