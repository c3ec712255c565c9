using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using TlsTools.Certificates;
using TlsTools.Tests.Support;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests;

/// <summary>
/// CertificateFacts reads the DER itself; these tests hold its answers to those of BouncyCastle's
/// parser (how the facts were read before) across key types, signature algorithms, string types
/// and self-issued certificates.
/// </summary>
public class CertificateFactsEquivalenceTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot("Equivalence Root");
    private static readonly TestPki Pki = new("http://127.0.0.1:9/int.crl", "http://127.0.0.1:9/ocsp", "http://127.0.0.1:9/root.cer");

    public static IEnumerable<object[]> Certificates()
    {
        yield return new object[] { "rsa root", Root };
        yield return new object[] { "rsa leaf with urls", TestCertificates.CreateLeaf(Root, "mx.eq.example", new[] { "mx.eq.example", "mail.eq.example" },
            crl: "http://crl.eq.example/a.crl", ocsp: "http://ocsp.eq.example", caIssuers: "http://ca.eq.example/a.cer") };
        yield return new object[] { "ec leaf under rsa", TestCertificates.CreateLeaf(Root, "ec.eq.example", new[] { "ec.eq.example" }, ec: true) };
        yield return new object[] { "expired leaf", TestCertificates.CreateLeaf(Root, "old.eq.example", new[] { "old.eq.example" }, days: -30) };
        yield return new object[] { "self-signed P-384 SHA-384", SelfSigned(new X500DistinguishedName("CN=p384.eq.example"), ECDsa.Create(ECCurve.NamedCurves.nistP384), HashAlgorithmName.SHA384) };
        yield return new object[] { "self-signed P-521 SHA-512", SelfSigned(new X500DistinguishedName("CN=p521.eq.example"), ECDsa.Create(ECCurve.NamedCurves.nistP521), HashAlgorithmName.SHA512) };
        yield return new object[] { "self-signed RSA-PSS", SelfSigned(new X500DistinguishedName("CN=pss.eq.example"), RSA.Create(2048), HashAlgorithmName.SHA256, RSASignaturePadding.Pss) };
        yield return new object[] { "self-signed RSA SHA-1 (bc)", BcSelfSigned("CN=sha1.eq.example", "SHA1WITHRSA", RsaKeyPair()) };
        yield return new object[] { "self-signed ECDSA SHA-224 (bc)", BcSelfSigned("CN=sha224.eq.example", "SHA224WITHECDSA", TestPki.NewKey()) };
        yield return new object[] { "self-signed Ed25519 (bc)", BcSelfSigned("CN=ed25519.eq.example", "Ed25519", Ed25519KeyPair()) };
        yield return new object[] { "odd string types", SelfSigned(OddName(), RSA.Create(2048), HashAlgorithmName.SHA256) };
        yield return new object[] { "bc ec root", TestPki.ToDotNet(Pki.Root) };
        yield return new object[] { "bc ec intermediate with urls", TestPki.ToDotNet(Pki.Intermediate) };
        yield return new object[] { "bc ec leaf with urls", TestPki.ToDotNet(Pki.IssueLeaf("leaf.eq.example", "http://127.0.0.1:9/a.crl", "http://127.0.0.1:9/ocsp", "http://127.0.0.1:9/int.cer")) };
        yield return new object[] { "bc impostor (self-signed, intermediate's name)", TestPki.ToDotNet(Pki.Impostor) };
        yield return new object[] { "bc responder", TestPki.ToDotNet(Pki.Responder) };
    }

    private static Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair RsaKeyPair()
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(65537), new Org.BouncyCastle.Security.SecureRandom(), 1024, 80));
        return generator.GenerateKeyPair();
    }

    private static Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair Ed25519KeyPair()
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new Org.BouncyCastle.Security.SecureRandom()));
        return generator.GenerateKeyPair();
    }

    /// <summary>Self-signed with an algorithm .NET does not sign (or verify) with.</summary>
    private static X509Certificate2 BcSelfSigned(string name, string algorithm, Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair key)
    {
        var subject = new X509Name(name);
        return TestPki.ToDotNet(TestPki.Issue(subject, key.Public, subject, key.Private, null, ca: true, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(30), signatureAlgorithm: algorithm));
    }

    private static X509Certificate2 SelfSigned(X500DistinguishedName name, AsymmetricAlgorithm key, HashAlgorithmName hash, RSASignaturePadding? padding = null)
    {
        CertificateRequest request = key is RSA rsa
            ? new CertificateRequest(name, rsa, hash, padding ?? RSASignaturePadding.Pkcs1)
            : new CertificateRequest(name, (ECDsa)key, hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using (key)
        {
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        }
    }

    /// <summary>
    /// C as PrintableString, O as BMPString, a first CN as UTF8String and a last CN as a
    /// PrintableString holding '*' (not a PrintableString character, common in old certificates).
    /// </summary>
    private static X500DistinguishedName OddName()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            void Rdn(string oid, byte tag, byte[] value)
            {
                using (writer.PushSetOf())
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                    writer.WriteEncodedValue(new byte[] { tag, (byte)value.Length }.Concat(value).ToArray());
                }
            }
            Rdn("2.5.4.6", 0x13, "DE"u8.ToArray());
            Rdn("2.5.4.10", 0x1E, System.Text.Encoding.BigEndianUnicode.GetBytes("Ünïcode Mail"));
            Rdn("2.5.4.3", 0x0C, System.Text.Encoding.UTF8.GetBytes("Müller Mail"));
            Rdn("2.5.4.3", 0x13, "*.wild.eq.example"u8.ToArray());
        }
        return new X500DistinguishedName(writer.Encode());
    }

    [Theory]
    [MemberData(nameof(Certificates))]
    [Trait("Platform", "NotOnMono")]
    [Trait("NotOnMonoReason", "Builds its certificates with CertificateRequest and ECDsa.Create(curve), which Mono does not implement.")]
    public void SameAnswersAsBouncyCastle(string name, X509Certificate2 certificate)
    {
        CertificateFacts facts = CertificateFacts.From(certificate);
        BcCertificate bc = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(certificate.RawData);

        Assert.True(bc.NotBefore.ToUniversalTime() == facts.NotBefore, name);
        Assert.Equal(bc.NotAfter.ToUniversalTime(), facts.NotAfter);
        Assert.Equal(DateTimeKind.Utc, facts.NotAfter.Kind);
        var cns = bc.SubjectDN.GetValueList(X509Name.CN);
        Assert.Equal(cns.Count > 0 ? cns[cns.Count - 1] : null, facts.CommonName);
        Assert.Equal(BcDnsNames(bc), facts.DnsNames);
        Assert.Equal(BcKey(bc), (facts.PublicKeyAlgorithm, facts.KeySize));
        Assert.Equal(bc.IssuerDN.Equivalent(bc.SubjectDN) && bc.IsSignatureValid(bc.GetPublicKey()), facts.IsSelfSigned);
        var constraints = bc.GetExtensionValue(X509Extensions.BasicConstraints) is { } b ? BasicConstraints.GetInstance(Asn1Object.FromByteArray(b.GetOctets())) : null;
        Assert.Equal(constraints?.IsCA() ?? false, facts.IsCertificateAuthority);
        (List<string> crl, List<string> ocsp, List<string> issuers) = BcUrls(bc);
        Assert.Equal(crl, facts.CrlDistributionPoints);
        Assert.Equal(ocsp, facts.OcspUris);
        Assert.Equal(issuers, facts.CaIssuersUris);
    }

    [Fact]
    [Trait("Platform", "NotOnMono")]
    [Trait("NotOnMonoReason", "Builds its certificates with CertificateRequest and ECDsa.Create(curve), which Mono does not implement.")]
    public void OddStringTypesReadAsEncoded()
    {
        CertificateFacts facts = CertificateFacts.From(SelfSigned(OddName(), RSA.Create(2048), HashAlgorithmName.SHA256));
        Assert.Equal("*.wild.eq.example", facts.CommonName);
        Assert.True(facts.IsSelfSigned);
    }

    [Fact]
    [Trait("Platform", "NotOnMono")]
    [Trait("NotOnMonoReason", "Builds its certificates with CertificateRequest and ECDsa.Create(curve), which Mono does not implement.")]
    public void MalformedExtensionReadsAsAbsent()
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=bad.eq.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // A subjectAltName whose value is not a SEQUENCE, and an AIA cut short.
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509Extension("2.5.29.17", new byte[] { 0x04, 0x01, 0x00 }, false));
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509Extension("1.3.6.1.5.5.7.1.1", new byte[] { 0x30, 0x10, 0x30 }, false));
        X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificateFacts facts = CertificateFacts.From(certificate);
        Assert.Empty(facts.DnsNames);
        Assert.Empty(facts.OcspUris);
        Assert.Equal("bad.eq.example", facts.CommonName);
        Assert.True(facts.IsSelfSigned);
    }

    private static List<string> BcDnsNames(BcCertificate bc)
    {
        var names = new List<string>();
        if (bc.GetExtensionValue(X509Extensions.SubjectAlternativeName) is { } ext)
        {
            foreach (GeneralName gn in GeneralNames.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).GetNames())
            {
                if (gn.TagNo == GeneralName.DnsName)
                {
                    names.Add(DerIA5String.GetInstance(gn.Name).GetString());
                }
            }
        }
        return names;
    }

    private static (string, int) BcKey(BcCertificate bc) => bc.GetPublicKey() switch
    {
        RsaKeyParameters rsa => ("RSA", rsa.Modulus.BitLength),
        ECPublicKeyParameters ec => ("ECDSA", ec.Parameters.Curve.FieldSize),
        DsaPublicKeyParameters dsa => ("DSA", dsa.Parameters.P.BitLength),
        Ed25519PublicKeyParameters => ("Ed25519", 256),
        Ed448PublicKeyParameters => ("Ed448", 456),
        _ => (bc.SubjectPublicKeyInfo.Algorithm.Algorithm.Id, 0),
    };

    private static (List<string>, List<string>, List<string>) BcUrls(BcCertificate bc)
    {
        var crl = new List<string>();
        var ocsp = new List<string>();
        var issuers = new List<string>();
        if (bc.GetExtensionValue(X509Extensions.CrlDistributionPoints) is { } c)
        {
            foreach (DistributionPoint dp in CrlDistPoint.GetInstance(Asn1Object.FromByteArray(c.GetOctets())).GetDistributionPoints())
            {
                if (dp.DistributionPointName?.Type == DistributionPointName.FullName)
                {
                    crl.AddRange(GeneralNames.GetInstance(dp.DistributionPointName.Name).GetNames()
                        .Where(g => g.TagNo == GeneralName.UniformResourceIdentifier)
                        .Select(g => DerIA5String.GetInstance(g.Name).GetString()));
                }
            }
        }
        if (bc.GetExtensionValue(X509Extensions.AuthorityInfoAccess) is { } a)
        {
            foreach (AccessDescription ad in AuthorityInformationAccess.GetInstance(Asn1Object.FromByteArray(a.GetOctets())).GetAccessDescriptions())
            {
                if (ad.AccessLocation.TagNo != GeneralName.UniformResourceIdentifier)
                {
                    continue;
                }
                string uri = DerIA5String.GetInstance(ad.AccessLocation.Name).GetString();
                if (ad.AccessMethod.Equals(AccessDescription.IdADOcsp))
                {
                    ocsp.Add(uri);
                }
                else if (ad.AccessMethod.Equals(AccessDescription.IdADCAIssuers))
                {
                    issuers.Add(uri);
                }
            }
        }
        return (crl, ocsp, issuers);
    }
}
