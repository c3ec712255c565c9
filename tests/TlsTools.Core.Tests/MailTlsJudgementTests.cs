using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;
using TlsTools.MailTls;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The judgement of one address from hand-made facts: no socket, no clock but the one given.</summary>
public class MailTlsJudgementTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot("Judgement Root");
    private static readonly X509Certificate2 Leaf = TestCertificates.CreateLeaf(Root, "mx1.partner.example", new[] { "mx1.partner.example" });

    private static MailTlsTarget Target(string mx = "mx1.partner.example", string domain = "partner.example") => new()
    {
        Domain = domain,
        MxHost = mx,
        Preference = 10,
        Address = IPAddress.Parse("192.0.2.1"),
        Port = 25,
    };

    private static ServerTlsFacts Facts(TlsSessionFacts? tls = null, ProbeFailure? failure = null, bool offered = true, bool startTlsAgain = false) => new()
    {
        Connected = true,
        Dialog = new PlainTextDialogResult { Banner = "mx1.partner.example ESMTP", GreetingCode = 220, StartTlsOffered = offered },
        TlsOffered = offered,
        Tls = tls,
        Failure = failure,
        EhloOverTlsCode = tls is null ? null : 250,
        StartTlsAdvertisedOverTls = startTlsAgain,
        Duration = TimeSpan.FromMilliseconds(20),
    };

    private static TlsSessionFacts Session(string protocol = "Tls13", string suite = "TLS_AES_256_GCM_SHA384", TlsOffer offer = TlsOffer.Current) => new()
    {
        Protocol = protocol,
        CipherSuite = suite,
        KeyExchange = CipherSuiteFacts.KeyExchange(suite),
        PresentedCertificates = new[] { Leaf },
        Offer = offer,
    };

    private static CertificateAssessment Certificate(bool chainValid = true, X509Certificate2? leaf = null) => new()
    {
        Leaf = CertificateFacts.From(leaf ?? Leaf),
        ChainValid = chainValid,
        ChainErrors = chainValid ? Array.Empty<string>() : new[] { "UntrustedRoot: not trusted." },
        RootIssuer = "CN=Judgement Root",
    };

    [Fact]
    public void AValidatedMatchingSessionIsDomainValidation()
    {
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(Session()), Certificate(), Now);
        Assert.Equal(ExchangeTlsLevel.DomainValidation, r.ExchangeTlsLevel);
        Assert.True(r.ForcedTlsReady);
        Assert.True(r.NameMatches);
        Assert.True(r.ChainValid);
        Assert.True(r.ForwardSecrecy);
        Assert.Null(r.ErrorId);
        Assert.Empty(r.Notes);
        Assert.Equal("mx1.partner.example ESMTP", r.Banner);
        Assert.Equal(Leaf.Thumbprint.ToUpperInvariant(), r.CertificateThumbprint);
    }

    [Fact]
    public void NoStartTlsIsLevelNoneWithANoteAndNoError()
    {
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(offered: false), null, Now);
        Assert.Equal(ExchangeTlsLevel.None, r.ExchangeTlsLevel);
        Assert.False(r.StartTlsOffered);
        Assert.False(r.TlsEstablished);
        Assert.Null(r.ErrorId);
        Assert.Contains(r.Notes, n => n.Contains("does not offer STARTTLS"));
    }

    [Fact]
    public void AFailedHandshakeIsAnErrorOfTheResult()
    {
        var failure = new ProbeFailure(ProbeFailureKind.HandshakeFailed, "The TLS handshake failed: alert.");
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(failure: failure), null, Now);
        Assert.Equal("TlsHandshakeFailed", r.ErrorId);
        Assert.StartsWith("STARTTLS was offered but no TLS session", r.Error);
        Assert.True(r.StartTlsOffered);
        Assert.False(r.TlsEstablished);
        Assert.Equal(ExchangeTlsLevel.None, r.ExchangeTlsLevel);
    }

    [Fact]
    public void ARejectedGreetingShowsTheServersReplyAsBanner()
    {
        var failure = new ProbeFailure(ProbeFailureKind.GreetingRejected, "The server greeted with 421.", "421 4.3.2 busy\n");
        MailTlsResult r = MailTlsJudgement.Judge(Target(), new ServerTlsFacts { Connected = true, Failure = failure }, null, Now);
        Assert.Equal("GreetingRejected", r.ErrorId);
        Assert.StartsWith("421 4.3.2 busy", r.Banner);
    }

    [Fact]
    public void AnUntrustedChainIsEncryptionOnly()
    {
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(Session()), Certificate(chainValid: false), Now);
        Assert.Equal(ExchangeTlsLevel.EncryptionOnly, r.ExchangeTlsLevel);
        Assert.False(r.ForcedTlsReady);
        Assert.Contains("UntrustedRoot: not trusted.", r.ChainErrors);
    }

    [Fact]
    public void ANameOfNeitherTheHostNorTheDomainIsCertificateValidation()
    {
        X509Certificate2 other = TestCertificates.CreateLeaf(Root, "mail.elsewhere.example", new[] { "mail.elsewhere.example" });
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(Session()), Certificate(leaf: other), Now);
        Assert.False(r.NameMatches);
        Assert.Equal(ExchangeTlsLevel.CertificateValidation, r.ExchangeTlsLevel);
    }

    [Fact]
    public void TheRecipientDomainIsAReferenceNameToo()
    {
        X509Certificate2 domainCert = TestCertificates.CreateLeaf(Root, "partner.example", new[] { "partner.example" });
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(Session()), Certificate(leaf: domainCert), Now);
        Assert.True(r.NameMatches);
    }

    [Fact]
    public void AHostGivenAsAnAddressIsMatchedAgainstTheCertificatesAddresses()
    {
        MailTlsResult r = MailTlsJudgement.Judge(Target(mx: "192.0.2.1", domain: ""), Facts(Session()), Certificate(), Now);
        Assert.False(r.NameMatches);
        Assert.Equal(ExchangeTlsLevel.CertificateValidation, r.ExchangeTlsLevel);

        X509Certificate2 withAddress = TestCertificates.CreateLeaf(Root, "relay.partner.example", new[] { "relay.partner.example" }, ipAddresses: new[] { IPAddress.Parse("192.0.2.1") });
        MailTlsResult named = MailTlsJudgement.Judge(Target(mx: "192.0.2.1", domain: ""), Facts(Session()), Certificate(leaf: withAddress), Now);
        Assert.True(named.NameMatches);
        Assert.Equal(ExchangeTlsLevel.DomainValidation, named.ExchangeTlsLevel);
    }

    [Fact]
    public void ALegacyOnlyServerIsNamedAndNotGoodEnoughForExchangeOnline()
    {
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(Session("Tls10", "TLS_RSA_WITH_AES_128_CBC_SHA", TlsOffer.Legacy)), Certificate(), Now);
        Assert.Equal(ExchangeTlsLevel.None, r.ExchangeTlsLevel);
        Assert.False(r.ForwardSecrecy);
        Assert.Contains(r.Notes, n => n.Contains("only when legacy protocols or suites were offered"));
    }

    [Fact]
    public void StartTlsAdvertisedInsideTlsIsANote()
    {
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(Session(), startTlsAgain: true), Certificate(), Now);
        Assert.Contains(r.Notes, n => n.Contains("RFC 3207 section 4.2"));
        Assert.Equal(ExchangeTlsLevel.DomainValidation, r.ExchangeTlsLevel);
    }

    [Fact]
    public void DaysUntilExpiryIsCountedFromTheGivenClock()
    {
        MailTlsResult r = MailTlsJudgement.Judge(Target(), Facts(Session()), Certificate(), Leaf.NotAfter.ToUniversalTime().AddDays(-10.5));
        Assert.Equal(10, r.DaysUntilExpiry);
    }
}
