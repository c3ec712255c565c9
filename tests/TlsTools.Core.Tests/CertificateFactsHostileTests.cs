using System;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>Certificates a hostile or broken server may send: the facts never throw and say what could not be read.</summary>
[Trait("Platform", "NotOnMono")]
[Trait("NotOnMonoReason", "The certificates are made with CertificateRequest and SubjectAlternativeNameBuilder, which Mono lacks; FuzzRegressionTests run unreadable certificates under Mono.")]
public class CertificateFactsHostileTests
{
    private static X509Certificate2 SelfSigned(string subject, params X509Extension[] extensions)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        foreach (X509Extension e in extensions)
        {
            request.CertificateExtensions.Add(e);
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 made = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return TestBytes.LoadCertificate(made.RawData);
    }

    // SEQUENCE claiming 3 bytes that holds a dNSName claiming 5 bytes: not valid DER.
    private static readonly byte[] BrokenDer = { 0x30, 0x03, 0x82, 0x05, 0x61 };

    // SEQUENCE claiming 5 bytes with 2 present: cut short.
    private static readonly byte[] TruncatedDer = { 0x30, 0x05, 0x06, 0x01 };

    [Fact]
    public void ASubjectAltNameThatIsNotDerIsNamedUnreadable()
    {
        X509Certificate2 cert = SelfSigned("CN=broken.example", new X509Extension("2.5.29.17", BrokenDer, false));
        CertificateFacts f = CertificateFacts.From(cert);
        Assert.Equal("broken.example", f.CommonName);
        Assert.Empty(f.DnsNames);
        Assert.Contains(f.Unreadable, u => u.StartsWith("subjectAltName", StringComparison.Ordinal));
        Assert.True(f.IsSelfSigned);
    }

    [Fact]
    public void EveryBrokenExtensionIsNamedAndTheRestIsRead()
    {
        X509Certificate2 cert = SelfSigned("CN=many.example",
            new X509Extension("2.5.29.19", TruncatedDer, true),
            new X509Extension("2.5.29.31", TruncatedDer, false),
            new X509Extension("1.3.6.1.5.5.7.1.1", TruncatedDer, false));
        CertificateFacts f = CertificateFacts.From(cert);
        Assert.Equal(3, f.Unreadable.Count);
        Assert.Contains(f.Unreadable, u => u.StartsWith("basicConstraints", StringComparison.Ordinal));
        Assert.Contains(f.Unreadable, u => u.StartsWith("cRLDistributionPoints", StringComparison.Ordinal));
        Assert.Contains(f.Unreadable, u => u.StartsWith("authorityInfoAccess", StringComparison.Ordinal));
        Assert.Equal("many.example", f.CommonName);
        Assert.Equal("RSA", f.PublicKeyAlgorithm);
    }

    [Fact]
    public void AWellFormedCertificateHasNothingUnreadable()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("fine.example");
        CertificateFacts f = CertificateFacts.From(SelfSigned("CN=fine.example", san.Build()));
        Assert.Empty(f.Unreadable);
        Assert.Equal(new[] { "fine.example" }, f.DnsNames);
    }

    [Fact]
    public void AnEmptySubjectIsReadAsEmpty()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("nameless.example");
        CertificateFacts f = CertificateFacts.From(SelfSigned("", san.Build(critical: true)));
        Assert.Equal(string.Empty, f.Subject);
        Assert.Null(f.CommonName);
        Assert.Equal(new[] { "nameless.example" }, f.DnsNames);
        Assert.Empty(f.Unreadable);
    }

    [Fact]
    public void FiveThousandNamesAreAllRead()
    {
        var san = new SubjectAlternativeNameBuilder();
        for (int i = 0; i < 5000; i++)
        {
            san.AddDnsName("host" + i + ".many.example");
        }
        CertificateFacts f = CertificateFacts.From(SelfSigned("CN=host0.many.example", san.Build()));
        Assert.Equal(5000, f.DnsNames.Count);
        Assert.Equal("host4999.many.example", f.DnsNames[f.DnsNames.Count - 1]);
        Assert.Empty(f.Unreadable);
    }

    [Fact]
    public void AValidityThatIsNotATimeIsNamedUnreadable()
    {
        X509Certificate2 good = SelfSigned("CN=dates.example");
        byte[] raw = good.RawData;
        // The first UTCTime of the validity (tag 0x17, 13 digits + 'Z'): make its digits letters.
        int at = Enumerable.Range(0, raw.Length - 15).First(i => raw[i] == 0x17 && raw[i + 1] == 13 && raw[i + 14] == (byte)'Z');
        byte[] broken = (byte[])raw.Clone();
        for (int i = at + 2; i < at + 8; i++)
        {
            broken[i] = (byte)'x';
        }
        X509Certificate2 cert;
        try
        {
            cert = TestBytes.LoadCertificate(broken);
        }
        catch (CryptographicException)
        {
            // The platform refuses such a certificate outright: nothing reaches the facts.
            return;
        }
        CertificateFacts f = CertificateFacts.From(cert);
        Assert.Contains(f.Unreadable, u => u.StartsWith("validity", StringComparison.Ordinal));
    }
}
