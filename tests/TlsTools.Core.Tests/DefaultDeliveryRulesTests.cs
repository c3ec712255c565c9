using System;
using System.Linq;
using System.Net;
using TlsTools.MailTls;
using TlsTools.Routing;
using Xunit;

namespace TlsTools.Tests;

/// <summary>What Exchange Online does without a connector, decided on hand-made facts: the route, the per-address results and the judged policy.</summary>
public class DefaultDeliveryRulesTests
{
    private static readonly DateTime Now = new(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);

    private static MailRoute Route(params string[] hosts) => new()
    {
        Domain = "partner.example",
        Hosts = hosts.Select((h, i) => new MailHost(h, (i + 1) * 10, new[] { IPAddress.Parse("192.0.2." + (i + 1)) }, null)).ToList(),
    };

    private static MailTlsResult Tls(string host, int index = 1, bool? daneMatch = null) => new()
    {
        Domain = "partner.example",
        MxHost = host,
        Preference = index * 10,
        IPAddress = "192.0.2." + index,
        StartTlsOffered = true,
        TlsEstablished = true,
        Protocol = "Tls13",
        ForwardSecrecy = true,
        ChainValid = true,
        NameMatches = true,
        CertificateSubject = "CN=" + host,
        CertificateNotAfter = Now.AddDays(200),
        CertificateDnsNames = new StringList(new[] { host, "mail.partner.example" }),
        ExchangeTlsLevel = ExchangeTlsLevel.DomainValidation,
        ForcedTlsReady = true,
        DaneMatch = daneMatch,
    };

    private static MailTlsResult Plain(string host, int index = 1) => new()
    {
        Domain = "partner.example",
        MxHost = host,
        Preference = index * 10,
        IPAddress = "192.0.2." + index,
        StartTlsOffered = false,
    };

    private static MailTlsPolicyHost Host(string name, bool dane = false, bool usable = true, bool? covered = null) => new()
    {
        MxHost = name,
        DaneApplies = dane,
        DaneUsable = dane ? usable : null,
        TlsaPresent = dane,
        TlsaAuthenticated = dane ? true : null,
        AddressesAuthenticated = dane,
        MtaStsCovered = covered,
    };

    private static MailTlsPolicy Policy(MtaStsMode? mode, params MailTlsPolicyHost[] hosts) => new()
    {
        Domain = "partner.example",
        MxAuthenticated = hosts.Any(h => h.DaneApplies),
        MtaStsMode = mode,
        DaneApplies = hosts.Any(h => h.DaneApplies),
        Hosts = hosts,
        Verdict = MailTlsPolicyVerdict.Pass,
    };

    [Fact]
    public void OpportunisticTlsEverywhereIsTls()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example", "mx2.partner.example"),
            new[] { Tls("mx1.partner.example"), Tls("mx2.partner.example", 2) }, null);
        Assert.Equal(DefaultDelivery.Tls, d.Delivery);
        Assert.All(d.Hosts, h => Assert.Equal(MxDelivery.Tls, h.Delivery));
        Assert.All(d.Hosts, h => Assert.Null(h.DaneApplies));
        Assert.Empty(d.Reasons);
    }

    [Fact]
    public void AnMxWithoutStartTlsMakesClearTextPossible()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example", "mx2.partner.example"),
            new[] { Tls("mx1.partner.example"), Plain("mx2.partner.example", 2) }, Policy(null, Host("mx1.partner.example"), Host("mx2.partner.example")));
        Assert.Equal(DefaultDelivery.ClearTextPossible, d.Delivery);
        Assert.Equal(MxDelivery.ClearText, d.Hosts[1].Delivery);
        Assert.Contains("STARTTLS is not offered", d.Hosts[1].Reason);
        Assert.StartsWith("DefaultDelivery ClearTextPossible", Assert.Single(d.Reasons));
    }

    [Fact]
    public void OnlyTls10IsClearTextForExchangeOnline()
    {
        MailTlsResult old = Tls("mx1.partner.example");
        old.Protocol = "Tls10";
        old.ExchangeTlsLevel = ExchangeTlsLevel.None;
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { old }, null);
        Assert.Equal(DefaultDelivery.ClearTextPossible, d.Delivery);
        Assert.Contains("Tls10", d.Hosts[0].Reason);
    }

    [Fact]
    public void AServerWithoutAnExchangeOnlineSuiteIsClearTextForExchangeOnline()
    {
        MailTlsResult r = Tls("mx1.partner.example");
        r.AcceptsExchangeOnlineSuite = false;
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { r }, null);
        Assert.Equal(DefaultDelivery.ClearTextPossible, d.Delivery);
        Assert.Contains("none of Exchange Online's TLS 1.2 suites", d.Hosts[0].Reason);
    }

    [Fact]
    public void AnAuthenticatedTlsaSetThatMatchesIsTls()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { Tls("mx1.partner.example", daneMatch: true) },
            Policy(null, Host("mx1.partner.example", dane: true)));
        Assert.Equal(DefaultDelivery.Tls, d.Delivery);
        Assert.True(d.Hosts[0].DaneApplies);
        Assert.True(d.Hosts[0].DaneMatch);
        Assert.Contains("DANE", d.Hosts[0].Reason);
    }

    [Fact]
    public void AnAuthenticatedTlsaSetThatMatchesNoCertificateIsBlocked()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { Tls("mx1.partner.example", daneMatch: false) },
            Policy(null, Host("mx1.partner.example", dane: true)));
        Assert.Equal(DefaultDelivery.Blocked, d.Delivery);
        Assert.Equal(MxDelivery.Refused, d.Hosts[0].Delivery);
        Assert.Equal("DANE", d.Hosts[0].RefusedBy);
        Assert.False(d.Hosts[0].DaneMatch);
        string reason = Assert.Single(d.Reasons);
        Assert.StartsWith("DefaultDelivery Blocked", reason);
        Assert.Contains("DANE/TLSA", reason);
        Assert.Contains("24 hours", reason);
    }

    [Fact]
    public void OneMismatchingHostAmongMatchingOnesIsTlsWithAWarning()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example", "mx2.partner.example"),
            new[] { Tls("mx1.partner.example", daneMatch: true), Tls("mx2.partner.example", 2, daneMatch: false) },
            Policy(null, Host("mx1.partner.example", dane: true), Host("mx2.partner.example", dane: true)));
        Assert.Equal(DefaultDelivery.Tls, d.Delivery);
        Assert.Equal(MxDelivery.Refused, d.Hosts[1].Delivery);
        Assert.Empty(d.Reasons);
        Assert.StartsWith("mx2.partner.example: Exchange Online does not deliver to it by default", Assert.Single(d.Warnings));
    }

    [Fact]
    public void DaneMakesTlsMandatorySoAHostWithoutStartTlsIsRefusedNotClearText()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { Plain("mx1.partner.example") },
            Policy(null, Host("mx1.partner.example", dane: true)));
        Assert.Equal(DefaultDelivery.Blocked, d.Delivery);
        Assert.Contains("make TLS mandatory", d.Hosts[0].Reason);
    }

    [Fact]
    public void UnusableTlsaRecordsStillRequireTlsButNoMatch()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { Tls("mx1.partner.example", daneMatch: false) },
            Policy(null, Host("mx1.partner.example", dane: true, usable: false)));
        Assert.Equal(DefaultDelivery.Tls, d.Delivery);
    }

    [Fact]
    public void ADnssecFailureOfAHostUnderASignedMxSetIsRefused()
    {
        MailTlsPolicyHost broken = Host("mx1.partner.example");
        broken.Error = "SERVFAIL";
        MailTlsPolicy policy = Policy(null, broken);
        policy.MxAuthenticated = true;
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { Tls("mx1.partner.example") }, policy);
        Assert.Equal(DefaultDelivery.Blocked, d.Delivery);
        Assert.Contains("RFC 7672 section 2.1", d.Hosts[0].Reason);
    }

    [Fact]
    public void AnEnforcePolicyThatCoversNoMxIsBlocked()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { Tls("mx1.partner.example") },
            Policy(MtaStsMode.Enforce, Host("mx1.partner.example", covered: false)));
        Assert.Equal(DefaultDelivery.Blocked, d.Delivery);
        Assert.Equal("MTA-STS", d.Hosts[0].RefusedBy);
        Assert.True(d.Hosts[0].MtaStsEnforced);
        Assert.False(d.Hosts[0].MtaStsCovered);
        Assert.Contains("MTA-STS", Assert.Single(d.Reasons));
    }

    [Fact]
    public void AnEnforcePolicyNeedsACertificateForTheMxHostName()
    {
        MailTlsResult r = Tls("mx1.partner.example");
        r.CertificateDnsNames = new StringList(new[] { "mail.partner.example" });
        r.CertificateSubject = "CN=mail.partner.example";
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { r },
            Policy(MtaStsMode.Enforce, Host("mx1.partner.example", covered: true)));
        Assert.Equal(DefaultDelivery.Blocked, d.Delivery);
        Assert.Contains("RFC 8461 section 4.2", d.Hosts[0].Reason);
        Assert.Contains("no certificate name matches mx1.partner.example", d.Hosts[0].Reason);
    }

    [Fact]
    public void AnEnforcePolicyWithAnUntrustedChainRefusesTheHost()
    {
        MailTlsResult r = Tls("mx1.partner.example");
        r.ChainValid = false;
        r.ExchangeTlsLevel = ExchangeTlsLevel.EncryptionOnly;
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example", "mx2.partner.example"),
            new[] { r, Tls("mx2.partner.example", 2) },
            Policy(MtaStsMode.Enforce, Host("mx1.partner.example", covered: true), Host("mx2.partner.example", covered: true)));
        Assert.Equal(DefaultDelivery.Tls, d.Delivery);
        Assert.Equal(MxDelivery.Refused, d.Hosts[0].Delivery);
        Assert.Contains("chain does not validate", d.Hosts[0].Reason);
    }

    [Fact]
    public void ATestingPolicyRefusesNothing()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { Plain("mx1.partner.example") },
            Policy(MtaStsMode.Testing, Host("mx1.partner.example", covered: false)));
        Assert.Equal(DefaultDelivery.ClearTextPossible, d.Delivery);
        Assert.False(d.Hosts[0].MtaStsCovered);
        Assert.False(d.Hosts[0].MtaStsEnforced);
    }

    [Fact]
    public void AnEnforcePolicyMakesAHostWithoutTlsRefusedNotClearText()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example", "mx2.partner.example"),
            new[] { Tls("mx1.partner.example"), Plain("mx2.partner.example", 2) },
            Policy(MtaStsMode.Enforce, Host("mx1.partner.example", covered: true), Host("mx2.partner.example", covered: true)));
        Assert.Equal(DefaultDelivery.Tls, d.Delivery);
        Assert.Equal(MxDelivery.Refused, d.Hosts[1].Delivery);
    }

    [Fact]
    public void NoAddressAnsweringIsUnknown()
    {
        var unreached = new MailTlsResult { Domain = "partner.example", MxHost = "mx1.partner.example", IPAddress = "192.0.2.1", ErrorId = "ConnectTimeout", Error = "timed out" };
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { unreached }, null);
        Assert.Equal(DefaultDelivery.Unknown, d.Delivery);
        Assert.Equal(MxDelivery.Unknown, d.Hosts[0].Delivery);
    }

    [Fact]
    public void AFailedHandshakeIsClearTextForExchangeOnline()
    {
        var failed = new MailTlsResult { Domain = "partner.example", MxHost = "mx1.partner.example", IPAddress = "192.0.2.1", StartTlsOffered = true, ErrorId = "TlsHandshakeFailed", Error = "alert" };
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(Route("mx1.partner.example"), new[] { failed }, null);
        Assert.Equal(DefaultDelivery.ClearTextPossible, d.Delivery);
        Assert.Contains("handshake failed", d.Hosts[0].Reason);
    }

    [Fact]
    public void ANullMxIsNoMail()
    {
        DefaultDeliveryDecision d = DefaultDeliveryRules.Decide(new MailRoute { Domain = "partner.example", IsNullMx = true }, Array.Empty<MailTlsResult>(), null);
        Assert.Equal(DefaultDelivery.NoMail, d.Delivery);
    }

    [Fact]
    public void TheSummaryVerdictFollowsTheDelivery()
    {
        MailRoute route = Route("mx1.partner.example");
        MailTlsPolicy mismatch = Policy(null, Host("mx1.partner.example", dane: true));
        MailTlsDomainSummary blocked = MailTlsSummarizer.Summarize(route, new[] { Tls("mx1.partner.example", daneMatch: false) }, Now, mismatch);
        Assert.Equal(DefaultDelivery.Blocked, blocked.DefaultDelivery);
        Assert.Equal(MailTlsVerdict.Fail, blocked.Verdict);
        Assert.True(blocked.DaneApplies);
        Assert.Equal(MailTlsPolicyVerdict.Pass, blocked.PolicyVerdict);
        Assert.Equal("mx1.partner.example: Refused", blocked.DeliveryHosts.ToString());

        MailTlsDomainSummary good = MailTlsSummarizer.Summarize(route, new[] { Tls("mx1.partner.example", daneMatch: true) }, Now,
            Policy(null, Host("mx1.partner.example", dane: true)));
        Assert.Equal(DefaultDelivery.Tls, good.DefaultDelivery);
        Assert.Equal(MailTlsVerdict.Pass, good.Verdict);

        MailTlsDomainSummary partly = MailTlsSummarizer.Summarize(Route("mx1.partner.example", "mx2.partner.example"),
            new[] { Tls("mx1.partner.example", daneMatch: true), Plain("mx2.partner.example", 2) }, Now,
            Policy(null, Host("mx1.partner.example", dane: true), Host("mx2.partner.example", dane: true)));
        Assert.Equal(DefaultDelivery.Tls, partly.DefaultDelivery);
        Assert.Equal(MailTlsVerdict.Warning, partly.Verdict);
        Assert.Contains(partly.Reasons, r => r.StartsWith("mx2.partner.example: Exchange Online does not deliver to it by default", StringComparison.Ordinal));
    }
}
