using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using TlsTools.Certificates;
using TlsTools.MailTls;
using TlsTools.Probing;
using TlsTools.Tests.Support;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests;

/// <summary>
/// The SHA-1 rule: Exchange Online no longer accepts SHA-1 certificates (Microsoft, Technical
/// reference details about encryption), so a chain whose leaf or intermediate is signed with SHA-1
/// is at most EncryptionOnly; the trust anchor's own signature does not count.
/// </summary>
public class SignatureHashTests
{
    private static readonly DateTime Now = DateTime.UtcNow;

    [Theory]
    [InlineData("1.2.840.113549.1.1.5", true)]   // sha1WithRSAEncryption
    [InlineData("1.3.14.3.2.29", true)]
    [InlineData("1.2.840.10045.4.1", true)]      // ecdsa-with-SHA1
    [InlineData("1.2.840.10040.4.3", true)]      // dsa-with-sha1
    [InlineData("1.2.840.113549.1.1.11", false)] // sha256WithRSAEncryption
    [InlineData("1.2.840.10045.4.3.2", false)]   // ecdsa-with-SHA256
    [InlineData("1.2.840.113549.1.1.4", false)]  // md5WithRSAEncryption: weak too, but not the SHA-1 rule
    public void SignatureAlgorithmsAreReadByOid(string oid, bool sha1)
    {
        Assert.Equal(sha1, SignatureHash.IsSha1(oid, null));
    }

    [Fact]
    public void RsaPssIsSha1WhenItsParametersSaySoOrAreAbsent()
    {
        const string pss = "1.2.840.113549.1.1.10";
        Assert.True(SignatureHash.IsSha1(pss, null));
        Assert.True(SignatureHash.IsSha1(pss, new byte[] { 0x30, 0x00 })); // every field at its default: SHA-1
        // hashAlgorithm [0] { SHA-256 }
        byte[] sha256 = { 0x30, 0x0F, 0xA0, 0x0D, 0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
        Assert.False(SignatureHash.IsSha1(pss, sha256));
        byte[] sha1 = { 0x30, 0x0B, 0xA0, 0x09, 0x30, 0x07, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A };
        Assert.True(SignatureHash.IsSha1(pss, sha1));
    }

    private static (X509Certificate2 Root, X509Certificate2 Intermediate, X509Certificate2 Leaf) Chain(string leafAlgorithm, string intermediateAlgorithm, string rootAlgorithm)
    {
        var pki = new TestPki();
        DateTime now = DateTime.UtcNow;
        BcCertificate root = TestPki.Issue(TestPki.RootName, pki.RootKey.Public, TestPki.RootName, pki.RootKey.Private, null, ca: true, now.AddDays(-10), now.AddYears(2), signatureAlgorithm: rootAlgorithm);
        BcCertificate intermediate = TestPki.Issue(TestPki.IntermediateName, pki.IntermediateKey.Public, TestPki.RootName, pki.RootKey.Private, root, ca: true, now.AddDays(-10), now.AddYears(1), signatureAlgorithm: intermediateAlgorithm);
        BcCertificate leaf = TestPki.Issue(new X509Name("CN=mx.partner.example"), TestPki.NewKey().Public, TestPki.IntermediateName, pki.IntermediateKey.Private, intermediate, ca: false, now.AddDays(-1), now.AddDays(90), signatureAlgorithm: leafAlgorithm);
        return (TestPki.ToDotNet(root), TestPki.ToDotNet(intermediate), TestPki.ToDotNet(leaf));
    }

    [Fact]
    public void ASha1LeafOrIntermediateIsNamedAndASha1RootIsNot()
    {
        var (root, intermediate, leaf) = Chain("SHA1WITHECDSA", "SHA256WITHECDSA", "SHA1WITHECDSA");
        Assert.True(SignatureHash.IsSha1(leaf));
        Assert.True(SignatureHash.IsSha1(root));
        Assert.Equal(new[] { leaf.Subject }, CertificateAssessment.Sha1SignedSubjects(new[] { leaf, intermediate, root }, endsInAnchor: true));

        (root, intermediate, leaf) = Chain("SHA256WITHECDSA", "SHA1WITHECDSA", "SHA256WITHECDSA");
        Assert.Equal(new[] { intermediate.Subject }, CertificateAssessment.Sha1SignedSubjects(new[] { leaf, intermediate, root }, endsInAnchor: true));

        (root, intermediate, leaf) = Chain("SHA256WITHECDSA", "SHA256WITHECDSA", "SHA1WITHECDSA");
        Assert.Empty(CertificateAssessment.Sha1SignedSubjects(new[] { leaf, intermediate, root }, endsInAnchor: true));
        // A presented chain that did not validate: a self-signed certificate in it is not judged.
        Assert.Empty(CertificateAssessment.Sha1SignedSubjects(new[] { leaf, intermediate, root }, endsInAnchor: false));
    }

    [Fact]
    [Trait("Platform", "NotOnMono")]
    [Trait("NotOnMonoReason", "Mono's X509Chain cannot decode an EC public key (unknown OID 1.2.840.10045.2.1); Windows can.")]
    public void TheAssessmentOfAValidatedSha1ChainNamesTheLeaf()
    {
        var (root, intermediate, leaf) = Chain("SHA1WITHECDSA", "SHA256WITHECDSA", "SHA256WITHECDSA");
        CertificateAssessment a = CertificateAssessment.Assess(new[] { leaf, intermediate }, new[] { root }, useSystemTrustStore: false);
        Assert.Equal(new[] { leaf.Subject }, a.Sha1Signed);
        if (a.ChainValid)
        {
            Assert.Equal(new[] { leaf.Thumbprint, intermediate.Thumbprint, root.Thumbprint }, a.Chain.Select(c => c.Thumbprint));
        }
    }

    [Fact]
    public void TheJudgementCapsASha1ChainAtEncryptionOnlyAndSaysWhy()
    {
        X509Certificate2 leaf = TestCertificates.CreateLeaf(TestCertificates.CreateRoot("Sha1 Root"), "mx1.partner.example", new[] { "mx1.partner.example" });
        var target = new MailTlsTarget { Domain = "partner.example", MxHost = "mx1.partner.example", Address = IPAddress.Parse("192.0.2.1"), Port = 25 };
        var facts = new ServerTlsFacts
        {
            Connected = true, TlsOffered = true,
            Tls = new TlsSessionFacts { Protocol = "Tls13", CipherSuite = "TLS_AES_256_GCM_SHA384", PresentedCertificates = new[] { leaf } },
        };
        var certificate = new CertificateAssessment { Leaf = CertificateFacts.From(leaf), ChainValid = true, Sha1Signed = new[] { "CN=Sha1 Intermediate" } };
        MailTlsResult r = MailTlsJudgement.Judge(target, facts, certificate, Now);
        Assert.Equal(ExchangeTlsLevel.EncryptionOnly, r.ExchangeTlsLevel);
        Assert.True(r.Sha1Signature);
        Assert.False(r.ForcedTlsReady);
        Assert.Contains(r.Notes, n => n.Contains("SHA-1") && n.Contains("CN=Sha1 Intermediate"));
    }
}
