using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Policy;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>TLSA matching for SMTP (RFC 6698, 7671, 7672) on in-memory chains.</summary>
public class DaneMatcherTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot();
    private static readonly X509Certificate2 Intermediate = TestCertificates.CreateIntermediate(Root);
    private static readonly X509Certificate2 Leaf = TestCertificates.CreateLeaf(Intermediate, "mx1.example.com", new[] { "mx1.example.com" });
    private static readonly X509Certificate2 OtherRoot = TestCertificates.CreateRoot("Another Root");
    private static readonly DateTime Now = DateTime.UtcNow;

    private static X509Certificate2[] Chain => new[] { Leaf, Intermediate };

    private static byte[] Spki(X509Certificate2 c) => TestBytes.Spki(c);

    private static TlsaRecordData Record(int usage, int selector, int matching, X509Certificate2 c)
    {
        byte[] selected = selector == 0 ? c.RawData : Spki(c);
        byte[] data = matching switch { 1 => TestBytes.Sha256(selected), 2 => TestBytes.Sha512(selected), _ => selected };
        return new TlsaRecordData(usage, selector, matching, data);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    public void SelectorsAndMatchingTypesMatchTheLeaf(int selector, int matching)
    {
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(3, selector, matching, Leaf) }, Chain, new[] { "mx1.example.com" }, Now);
        Assert.True(m.Matched, m.Detail);
        Assert.Equal(0, m.Depth);
    }

    [Fact]
    public void SelectedSpkiIsTheDerSubjectPublicKeyInfo() =>
        Assert.Equal(Spki(Leaf), DaneMatcher.SelectedData(Leaf, 1));

    [Fact]
    public void DaneEeIgnoresNamesAndExpiry()
    {
        // The reference name is not on the certificate, and "now" is after notAfter.
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(3, 1, 1, Leaf) }, Chain, new[] { "other.example.org" }, Leaf.NotAfter.ToUniversalTime().AddDays(30));
        Assert.True(m.Matched, m.Detail);
    }

    [Fact]
    public void DaneEeDoesNotMatchAnotherKey()
    {
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(3, 1, 1, Intermediate) }, Chain, new[] { "mx1.example.com" }, Now);
        Assert.False(m.Matched);
    }

    [Fact]
    public void DaneTaMatchesTheIntermediateTheServerSends()
    {
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(2, 1, 1, Intermediate) }, Chain, new[] { "mx1.example.com" }, Now);
        Assert.True(m.Matched, m.Detail);
        Assert.Equal(1, m.Depth);
        Assert.Equal("mx1.example.com", m.MatchedName);
    }

    [Fact]
    public void DaneTaMatchesASentRootByFullCertificate()
    {
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(2, 0, 1, Root) }, new[] { Leaf, Intermediate, Root }, new[] { "mx1.example.com" }, Now);
        Assert.True(m.Matched, m.Detail);
        Assert.Equal(2, m.Depth);
    }

    [Fact]
    public void DaneTaAnchorNotSentDoesNotMatch()
    {
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(2, 1, 1, Root) }, Chain, new[] { "mx1.example.com" }, Now);
        Assert.False(m.Matched);
        Assert.Contains("pinned trust anchor", m.Detail);
    }

    [Fact]
    public void DaneTaChecksTheLeafName()
    {
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(2, 1, 1, Intermediate) }, Chain, new[] { "mx2.example.com" }, Now);
        Assert.False(m.Matched);
        Assert.Contains("match none of mx2.example.com", m.Detail);
    }

    [Fact]
    public void DaneTaAcceptsTheRecipientDomainAsReferenceName()
    {
        X509Certificate2 leaf = TestCertificates.CreateLeaf(Intermediate, "example.com", new[] { "example.com" });
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(2, 1, 1, Intermediate) }, new[] { leaf, Intermediate }, new[] { "mx1.example.com", "example.com" }, Now);
        Assert.True(m.Matched, m.Detail);
        Assert.Equal("example.com", m.MatchedName);
    }

    [Fact]
    public void DaneTaAcceptsAOneLabelWildcard()
    {
        X509Certificate2 leaf = TestCertificates.CreateLeaf(Intermediate, "*.example.com", new[] { "*.example.com" });
        Assert.True(DaneMatcher.Match(new[] { Record(2, 1, 1, Intermediate) }, new[] { leaf, Intermediate }, new[] { "mx1.example.com" }, Now).Matched);
        Assert.False(DaneMatcher.Match(new[] { Record(2, 1, 1, Intermediate) }, new[] { leaf, Intermediate }, new[] { "a.mx1.example.com" }, Now).Matched);
    }

    [Fact]
    public void DaneTaRefusesABrokenPath()
    {
        // The pinned intermediate is sent, but the leaf was issued by another CA.
        X509Certificate2 otherIntermediate = TestCertificates.CreateIntermediate(OtherRoot, "Other Intermediate");
        X509Certificate2 leaf = TestCertificates.CreateLeaf(otherIntermediate, "mx1.example.com", new[] { "mx1.example.com" });
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(2, 1, 1, Intermediate) }, new[] { leaf, Intermediate }, new[] { "mx1.example.com" }, Now);
        Assert.False(m.Matched);
        Assert.Contains("not issued by", m.Detail);
    }

    [Fact]
    public void DaneTaChecksTheLeafDates()
    {
        DaneMatchResult m = DaneMatcher.Match(new[] { Record(2, 1, 1, Intermediate) }, Chain, new[] { "mx1.example.com" }, Leaf.NotAfter.ToUniversalTime().AddDays(1));
        Assert.False(m.Matched);
        Assert.Contains("validity", m.Detail);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void PkixUsagesAreUnusableForSmtp(int usage)
    {
        TlsaRecordData r = Record(usage, 1, 1, Leaf);
        Assert.False(r.IsUsable);
        Assert.Contains("RFC 7672", r.UnusableReason);
        DaneMatchResult m = DaneMatcher.Match(new[] { r }, Chain, new[] { "mx1.example.com" }, Now);
        Assert.False(m.Matched);
        Assert.Contains("No TLSA record is usable", m.Detail);
    }

    [Theory]
    [InlineData(3, 2, 1, 32, "selector 2")]
    [InlineData(3, 1, 3, 32, "matching type 3")]
    [InlineData(3, 1, 1, 31, "instead of 32")]
    [InlineData(3, 1, 2, 32, "instead of 64")]
    [InlineData(4, 1, 1, 32, "usage 4")]
    public void MalformedRecordsAreUnusable(int usage, int selector, int matching, int length, string why)
    {
        var r = new TlsaRecordData(usage, selector, matching, new byte[length]);
        Assert.False(r.IsUsable);
        Assert.Contains(why, r.UnusableReason);
    }

    [Fact]
    public void OneUsableRecordAmongUnusableOnesIsEnough()
    {
        var records = new[] { new TlsaRecordData(1, 1, 1, new byte[32]), new TlsaRecordData(3, 1, 1, new byte[32]), Record(3, 1, 1, Leaf) };
        Assert.True(DaneMatcher.Match(records, Chain, new[] { "mx1.example.com" }, Now).Matched);
    }

    [Fact]
    public void PresentationFormRoundTrips()
    {
        TlsaRecordData r = TlsaRecordData.Parse("3 1 1 0A0b 0C");
        Assert.Equal("3 1 1 0A0B0C", r.ToString());
    }
}
