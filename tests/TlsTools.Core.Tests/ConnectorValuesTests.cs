using System.Collections.Generic;
using TlsTools.Certificates;
using TlsTools.Connectors;
using Xunit;

namespace TlsTools.Tests;

public class ConnectorValuesTests
{
    [Theory]
    [InlineData("mail.partner.example", "mail.partner.example", true)]
    [InlineData("mail.partner.example", "MAIL.Partner.Example.", true)]
    [InlineData("mail.partner.example", "*.partner.example", true)]
    [InlineData("a.mail.partner.example", "*.partner.example", false)]
    [InlineData("partner.example", "*.partner.example", false)]
    [InlineData("*.partner.example", "partner.example", true)]
    [InlineData("*.partner.example", "mx1.eu.partner.example", true)]
    [InlineData("*.partner.example", "*.partner.example", true)]
    [InlineData("*.partner.example", "mail.otherpartner.example", false)]
    [InlineData("mail.partner.example", "mail.partner.example.evil", false)]
    [InlineData("example.com", "*.com", false)]
    [InlineData("*.example.com", "*.com", false)]
    [InlineData("mail.partner.example", "m*.partner.example", false)]
    public void ExchangeNameMatching(string connectorDomain, string certificateName, bool matches) =>
        Assert.Equal(matches, HostNameMatcher.MatchesConnectorDomain(connectorDomain, certificateName));

    [Fact]
    public void ChoosesTheCommonNameCarriedByEveryCertificate()
    {
        var choice = CertificateNameChooser.Choose(new List<(IReadOnlyList<string>, string?)>
        {
            (new[] { "mx1.partner.example", "mail.partner.example", "partner.example" }, "mail.partner.example"),
            (new[] { "mx2.partner.example", "partner.example", "mail.partner.example" }, "mail.partner.example"),
        }, new[] { "partner.example" });
        Assert.Equal("mail.partner.example", choice!.Name);
        Assert.Equal(CertificateNameBasis.CarriedByAll, choice.Basis);
    }

    [Fact]
    public void PrefersPlainNamesToWildcardsAndShortNames()
    {
        var choice = CertificateNameChooser.Choose(new List<(IReadOnlyList<string>, string?)>
        {
            (new[] { "*.partner.example", "smtp.partner.example" }, "*.partner.example"),
            (new[] { "smtp.partner.example", "*.partner.example" }, "smtp.partner.example"),
        }, new[] { "partner.example" });
        Assert.Equal("smtp.partner.example", choice!.Name);
    }

    [Fact]
    public void NeverDerivesAWildcardForATopLevelSuffix()
    {
        var choice = CertificateNameChooser.Choose(new List<(IReadOnlyList<string>, string?)>
        {
            (new[] { "mail.a.co.uk" }, null),
            (new[] { "mail.b.co.uk" }, null),
        }, new[] { "a.co.uk" });
        Assert.Equal(CertificateNameBasis.CarriedByMost, choice!.Basis);
        Assert.Equal("mail.a.co.uk", choice.Name);
        Assert.Equal(1, choice.Covered);
    }

    [Fact]
    public void CommonNameStandsInWithoutSubjectAlternativeNames()
    {
        Assert.Equal(new[] { "mx.partner.example" }, CertificateNameChooser.NamesOf(null, "MX.partner.example"));
        Assert.Empty(CertificateNameChooser.NamesOf(null, "Partner Mail Server"));
        Assert.Equal("mx.partner.example", ConnectorValues.CommonName("CN=mx.partner.example, O=Partner, C=DE"));
        Assert.Equal("x", ConnectorValues.CommonName("O=Partner, CN=x"));
    }

    [Theory]
    [InlineData("relay.partner.example", false, true)]
    [InlineData("192.0.2.1", false, true)]
    [InlineData("[2001:db8::1]", false, true)]
    [InlineData("192.0.2.0/28", true, true)]
    [InlineData("192.0.2.0/28", false, false)]
    [InlineData("relay partner", true, false)]
    public void SmartHosts(string value, bool allowCidr, bool valid) => Assert.Equal(valid, ConnectorValues.IsSmartHost(value, allowCidr));
}
