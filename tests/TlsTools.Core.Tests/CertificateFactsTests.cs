using System;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

public class CertificateFactsTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot();

    [Fact]
    public void ReadsNamesAndRevocationEndpoints()
    {
        X509Certificate2 leaf = TestCertificates.CreateLeaf(Root, "mx1.partner.example", new[] { "mx1.partner.example", "mail.partner.example" },
            crl: "http://crl.ca.example/int.crl", ocsp: "http://ocsp.ca.example", caIssuers: "http://ca.example/int.cer");
        CertificateFacts f = CertificateFacts.From(leaf);
        Assert.Equal("mx1.partner.example", f.CommonName);
        Assert.Equal(new[] { "mx1.partner.example", "mail.partner.example" }, f.DnsNames);
        Assert.Equal(new[] { "http://crl.ca.example/int.crl" }, f.CrlDistributionPoints);
        Assert.Equal(new[] { "http://ocsp.ca.example" }, f.OcspUris);
        Assert.Equal(new[] { "http://ca.example/int.cer" }, f.CaIssuersUris);
        Assert.False(f.IsSelfSigned);
        Assert.False(f.IsCertificateAuthority);
        Assert.Equal(leaf.Thumbprint, f.Thumbprint);
        Assert.Equal(leaf.SerialNumber, f.SerialNumber);
    }

    [Fact]
    public void ReadsTheAddressesOfTheSubjectAltName()
    {
        X509Certificate2 leaf = TestCertificates.CreateLeaf(Root, "relay.partner.example", new[] { "relay.partner.example" },
            ipAddresses: new[] { System.Net.IPAddress.Parse("192.0.2.7"), System.Net.IPAddress.Parse("2001:db8::7") });
        CertificateFacts f = CertificateFacts.From(leaf);
        Assert.Equal(new[] { "relay.partner.example" }, f.DnsNames);
        Assert.Equal(new[] { "192.0.2.7", "2001:db8::7" }, f.IpAddresses);
    }

    [Fact]
    public void CertificateWithoutExtensionsHasEmptyLists()
    {
        CertificateFacts f = CertificateFacts.From(Root);
        Assert.Empty(f.DnsNames);
        Assert.Empty(f.IpAddresses);
        Assert.Empty(f.CrlDistributionPoints);
        Assert.Empty(f.OcspUris);
        Assert.True(f.IsSelfSigned);
        Assert.True(f.IsCertificateAuthority);
    }

    [Fact]
    public void KeyAlgorithmAndSize()
    {
        Assert.Equal(("RSA", 3072), Key(TestCertificates.CreateLeaf(Root, "rsa.example", new[] { "rsa.example" })));
        Assert.Equal(("ECDSA", 256), Key(TestCertificates.CreateLeaf(Root, "ec.example", new[] { "ec.example" }, ec: true)));
        Assert.Equal(("RSA", 2048), Key(Root));
    }

    private static (string, int) Key(X509Certificate2 c)
    {
        CertificateFacts f = CertificateFacts.From(c);
        return (f.PublicKeyAlgorithm, f.KeySize);
    }

    [Fact]
    public void SelfIssuedButSignedByAnotherKeyIsNotSelfSigned()
    {
        // Same subject as the root, signed by the real root's key: self-issued, not self-signed.
        X509Certificate2 impostor = TestCertificates.CreateLeaf(Root, "TlsTools Test Root", Array.Empty<string>());
        CertificateFacts f = CertificateFacts.From(impostor);
        Assert.False(f.IsSelfSigned);
    }

    [Fact]
    public void DaysUntilExpiryCountsWholeDaysAndGoesNegative()
    {
        X509Certificate2 expired = TestCertificates.CreateLeaf(Root, "old.example", new[] { "old.example" }, days: -10);
        CertificateFacts f = CertificateFacts.From(expired);
        Assert.InRange(f.DaysUntilExpiry(DateTime.UtcNow), -11, -10);
        Assert.Equal(0, f.DaysUntilExpiry(f.NotAfter.AddHours(-1)));
        Assert.Equal(DateTimeKind.Utc, f.NotAfter.Kind);
    }

    [Fact]
    public void ExchangeCertificateNameUsesIssuerThenSubject()
    {
        X509Certificate2 leaf = TestCertificates.CreateLeaf(Root, "mail.contoso.com", new[] { "mail.contoso.com" });
        CertificateFacts f = CertificateFacts.From(leaf);
        Assert.Equal("<I>CN=TlsTools Test Root, O=TlsTools Tests, C=CH<S>CN=mail.contoso.com, O=Partner, C=DE", f.ExchangeCertificateName);
    }

    [Theory]
    [InlineData("<I>CN=Issuer, O=X<S>CN=mail.contoso.com", "CN=Issuer, O=X", "CN=mail.contoso.com")]
    [InlineData("<i>CN=a<s>CN=b", "CN=a", "CN=b")]
    public void ParsesExchangeCertificateNames(string value, string issuer, string subject)
    {
        Assert.True(ExchangeNames.TryParseCertificateName(value, out string i, out string s));
        Assert.Equal(issuer, i);
        Assert.Equal(subject, s);
    }

    [Theory]
    [InlineData("CN=mail.contoso.com")]
    [InlineData("<I>CN=only issuer")]
    [InlineData("<I><S>CN=x")]
    public void RejectsWhatIsNotAnExchangeCertificateName(string value)
    {
        Assert.False(ExchangeNames.TryParseCertificateName(value, out _, out _));
    }

    [Fact]
    public void PemHas64CharacterLines()
    {
        string pem = Pem.Encode(Root);
        string[] lines = pem.TrimEnd('\n').Split('\n');
        Assert.Equal("-----BEGIN CERTIFICATE-----", lines[0]);
        Assert.Equal("-----END CERTIFICATE-----", lines[^1]);
        Assert.All(lines.Skip(1).Take(lines.Length - 3), l => Assert.Equal(64, l.Length));
        var back = TestBytes.LoadCertificate(System.Text.Encoding.ASCII.GetBytes(pem));
        Assert.Equal(Root.Thumbprint, back.Thumbprint);
    }

    [Fact]
    public void StringListPrintsCommaSeparated()
    {
        Assert.Equal("a, b", new StringList(new[] { "a", "b" }).ToString());
        Assert.Equal(string.Empty, StringList.None.ToString());
    }
}

public class ChainValidatorTests
{
    private static readonly X509Certificate2 Root = Support.TestCertificates.CreateRoot("Chain Test Root");
    private static readonly X509Certificate2 Intermediate = Support.TestCertificates.CreateIntermediate(Root, "Chain Test Intermediate");

    [Fact]
    public void ValidChainAgainstGivenRoot()
    {
        X509Certificate2 leaf = Support.TestCertificates.CreateLeaf(Intermediate, "mx.chain.test", new[] { "mx.chain.test" });
        ChainValidation v = ChainValidator.Validate(new[] { leaf, Intermediate }, new[] { Root }, useSystemStore: false);
        Assert.True(v.IsValid, string.Join("; ", v.Errors));
        Assert.Equal(Root.Subject, v.RootSubject);
        Assert.Equal("Custom", v.TrustedBy);
    }

    [Fact]
    public void UnknownRootIsNotTrustedByTheSystemStore()
    {
        X509Certificate2 leaf = Support.TestCertificates.CreateLeaf(Intermediate, "mx.chain.test", new[] { "mx.chain.test" });
        ChainValidation v = ChainValidator.Validate(new[] { leaf, Intermediate }, null, useSystemStore: true);
        Assert.False(v.IsValid);
        Assert.NotEmpty(v.Errors);
    }

    [Fact]
    public void MissingIntermediateIsAnErrorNotADownload()
    {
        // The caIssuers URL points at a loopback listener that never accepts: a download attempt,
        // even one that would fail, leaves a connection waiting in its queue.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            X509Certificate2 leaf = Support.TestCertificates.CreateLeaf(Intermediate, "mx.chain.test", new[] { "mx.chain.test" }, caIssuers: $"http://127.0.0.1:{port}/intermediate.cer");
            ChainValidation v = ChainValidator.Validate(new[] { leaf }, new[] { Root }, useSystemStore: false);
            Assert.False(v.IsValid);
            Assert.False(listener.Pending(), "The chain validation tried to download the intermediate from the caIssuers URL.");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void ExpiredLeafNamesExpiryAndStillFindsTheRoot()
    {
        X509Certificate2 leaf = Support.TestCertificates.CreateLeaf(Intermediate, "old.chain.test", new[] { "old.chain.test" }, days: -5);
        ChainValidation v = ChainValidator.Validate(new[] { leaf, Intermediate }, new[] { Root }, useSystemStore: false);
        Assert.False(v.IsValid);
        string error = Assert.Single(v.Errors);
        Assert.StartsWith("NotTimeValid", error);
        Assert.Equal(Root.Subject, v.RootSubject);
    }
}
