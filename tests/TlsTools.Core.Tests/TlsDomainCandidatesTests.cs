using System;
using System.Collections.Generic;
using System.Linq;
using TlsTools.MailTls;
using Xunit;

namespace TlsTools.Tests;

/// <summary>The TlsDomain values every MX certificate satisfies, by Exchange's rule (a leading *. covers the domain and every subdomain).</summary>
public class TlsDomainCandidatesTests
{
    private static IReadOnlyList<string> Candidates(string[] partners, params string[][] certificates) =>
        TlsDomainCandidates.From(certificates.Select(c => ((IReadOnlyList<string>)c, (string?)c.FirstOrDefault())).ToList(), partners);

    [Fact]
    public void ANameEveryCertificateCarriesComesFirst()
    {
        Assert.Equal(new[] { "mail.contoso.com", "*.contoso.com" },
            Candidates(new[] { "contoso.com" }, new[] { "mx1.contoso.com", "mail.contoso.com" }, new[] { "mx2.contoso.com", "mail.contoso.com" }));
    }

    [Fact]
    public void CertificatesThatShareNoNameShareTheParentDomain()
    {
        Assert.Equal(new[] { "*.mx.contoso.com", "*.contoso.com" },
            Candidates(new[] { "contoso.com" }, new[] { "a.mx.contoso.com" }, new[] { "b.mx.contoso.com" }));
    }

    [Fact]
    public void TheDomainItselfSatisfiesItsWildcard()
    {
        // *.contoso.com covers contoso.com and every subdomain (New-OutboundConnector example 1).
        Assert.Equal(new[] { "*.contoso.com" }, Candidates(new[] { "contoso.com" }, new[] { "contoso.com" }, new[] { "mx.eu.contoso.com" }));
    }

    [Fact]
    public void AWildcardCertificateSatisfiesAHostNameOfOneMoreLabel()
    {
        // RFC 6125: the certificate's *.contoso.com matches mx1.contoso.com, so mx1.contoso.com fits both;
        // a host name that one certificate carries only through its wildcard comes after the *.domain values.
        Assert.Equal(new[] { "*.contoso.com", "mx1.contoso.com" },
            Candidates(new[] { "contoso.com" }, new[] { "mx1.contoso.com" }, new[] { "*.contoso.com" }));
    }

    [Fact]
    public void NoCommonParentMeansNoCandidate()
    {
        Assert.Empty(Candidates(new[] { "contoso.com" }, new[] { "mx1.contoso.com" }, new[] { "mx.hoster.net" }));
    }

    [Fact]
    public void ATwoLabelParentCountsOnlyAsThePartnersDomain()
    {
        // Without the public suffix list, co.uk cannot be told from contoso.com.
        Assert.Empty(Candidates(new[] { "fabrikam.com" }, new[] { "mx1.contoso.co.uk" }, new[] { "mx2.other.co.uk" }));
        Assert.Equal(new[] { "*.hoster.net" }, Candidates(new[] { "hoster.net" }, new[] { "a.hoster.net" }, new[] { "b.hoster.net" }));
        Assert.Equal(new[] { "*.mx.hoster.net" }, Candidates(new[] { "fabrikam.com" }, new[] { "a.mx.hoster.net" }, new[] { "b.mx.hoster.net" }));
    }

    [Fact]
    public void NoCertificatesNoCandidates()
    {
        Assert.Empty(Candidates(new[] { "contoso.com" }));
    }

    [Fact]
    public void TheCommonNameCountsOnlyWithoutDnsNames()
    {
        var certificates = new List<(IReadOnlyList<string>, string?)>
        {
            (Array.Empty<string>(), "mx.contoso.com"),
            (new[] { "mx.contoso.com" }, "something.else"),
        };
        Assert.Equal("mx.contoso.com", TlsDomainCandidates.From(certificates, new[] { "contoso.com" })[0]);
    }

    [Fact]
    public void TheBreakingHostIsTheFirstThatFitsNothingBeforeIt()
    {
        var results = new[]
        {
            Result("mx1.contoso.com", 10, "mx1.contoso.com"),
            Result("mx2.contoso.com", 20, "mx2.contoso.com"),
            Result("backup.hoster.net", 30, "backup.hoster.net"),
        };
        TlsDomainAnalysis a = TlsDomainCandidates.Analyze(results, new[] { "contoso.com" });
        Assert.Empty(a.Candidates);
        Assert.Equal("backup.hoster.net", a.BreakingHost);
        Assert.Contains("satisfies none of *.contoso.com", a.Explanation);
        Assert.Contains("mx1.contoso.com (mx1.contoso.com); mx2.contoso.com (mx2.contoso.com)", a.Explanation);
    }

    [Fact]
    public void AddressesWithoutTlsHaveNoCertificateToHold()
    {
        var results = new[]
        {
            Result("mx1.contoso.com", 10, "mx1.contoso.com"),
            new MailTlsResult { MxHost = "mx2.contoso.com", Preference = 20, IPAddress = "192.0.2.2" },
        };
        TlsDomainAnalysis a = TlsDomainCandidates.Analyze(results, new[] { "contoso.com" });
        Assert.Equal(new[] { "mx1.contoso.com", "*.contoso.com" }, a.Candidates);
        Assert.Null(a.BreakingHost);
    }

    private static MailTlsResult Result(string host, int preference, params string[] names) => new()
    {
        Domain = "contoso.com",
        MxHost = host,
        Preference = preference,
        IPAddress = "192.0.2." + preference,
        TlsEstablished = true,
        CertificateSubject = "CN=" + names[0],
        CertificateDnsNames = new StringList(names),
    };
}
