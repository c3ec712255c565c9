using System;
using TlsTools.Certificates;
using Xunit;

namespace TlsTools.Tests;

/// <summary>RFC 6125 section 6.4 cases, as RFC 7672 and RFC 8461 apply them to mail servers.</summary>
public class HostNameMatcherTests
{
    [Theory]
    // exact DNS-IDs, case-insensitive, trailing dot ignored
    [InlineData("mx1.example.com", "mx1.example.com", true)]
    [InlineData("MX1.Example.COM", "mx1.example.com", true)]
    [InlineData("mx1.example.com", "mx1.example.com.", true)]
    [InlineData("mx1.example.com", "mx2.example.com", false)]
    [InlineData("example.com", "mx1.example.com", false)]
    // a wildcard is one whole left-most label and matches exactly one label
    [InlineData("*.example.com", "mx1.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "a.b.example.com", false)]
    [InlineData("*.mail.protection.outlook.com", "contoso-com.mail.protection.outlook.com", true)]
    // partial-label and non-left-most wildcards never match (RFC 9525)
    [InlineData("mx*.example.com", "mx1.example.com", false)]
    [InlineData("*mx.example.com", "amx.example.com", false)]
    [InlineData("mx1.*.com", "mx1.example.com", false)]
    [InlineData("*.*.example.com", "a.b.example.com", false)]
    // a wildcard directly over a public-suffix-like single label is refused
    [InlineData("*.com", "example.com", false)]
    [InlineData("*", "example", false)]
    // internationalised names compare as A-labels
    [InlineData("xn--bcher-kva.example", "bücher.example", true)]
    public void MatchesDnsIds(string presented, string reference, bool expected)
    {
        Assert.Equal(expected, HostNameMatcher.Matches(new[] { presented }, null, reference));
    }

    [Fact]
    public void CommonNameCountsOnlyWithoutDnsIds()
    {
        Assert.True(HostNameMatcher.Matches(Array.Empty<string>(), "mx1.example.com", "mx1.example.com"));
        Assert.False(HostNameMatcher.Matches(new[] { "other.example.com" }, "mx1.example.com", "mx1.example.com"));
    }

    [Fact]
    public void AnyOfSeveralNamesMatches()
    {
        Assert.True(HostNameMatcher.Matches(new[] { "a.example.net", "mx1.example.com" }, null, "mx1.example.com"));
    }

    [Fact]
    public void FirstMatchTriesReferencesInOrder()
    {
        // RFC 7672 section 3.2.3: the MX host name, then the domain.
        Assert.Equal("example.com", HostNameMatcher.FirstMatch(new[] { "example.com" }, null, new[] { "mx1.example.com", "example.com" }));
        Assert.Null(HostNameMatcher.FirstMatch(new[] { "other.example" }, null, new[] { "mx1.example.com", "example.com" }));
    }

    [Fact]
    public void EmptyReferenceNeverMatches()
    {
        Assert.False(HostNameMatcher.Matches(new[] { "*.example.com" }, null, ""));
    }
}
