#if NETFRAMEWORK
using System;
using System.Collections.Concurrent;
using System.IO;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace TlsTools.Tests.Support;

/// <summary>
/// The same certificates as on .NET, made with BouncyCastle: Mono has no CertificateRequest. The
/// private key travels in a PKCS #12 blob, as a certificate with a key is loaded on .NET Framework.
/// Names are encoded as .NET encodes "CN=..., O=..., C=..." (last RDN first), hence reverse: true.
/// </summary>
internal static class TestCertificates
{
    private static readonly SecureRandom Random = new();
    private static readonly ConcurrentDictionary<string, AsymmetricCipherKeyPair> Keys = new(StringComparer.OrdinalIgnoreCase);

    public static X509Certificate2 CreateRoot(string cn = "TlsTools Test Root")
    {
        AsymmetricCipherKeyPair key = Rsa(2048);
        var name = new X509Name(true, $"CN={cn}, O=TlsTools Tests, C=CH");
        return Issue(name, key, name, key.Private, DateTime.UtcNow.AddDays(-400), DateTime.UtcNow.AddYears(5), BigInteger.ValueOf(DateTime.UtcNow.Ticks), g =>
        {
            g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
            g.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        });
    }

    public static X509Certificate2 CreateIntermediate(X509Certificate2 root, string cn = "TlsTools Test Intermediate", string? caIssuers = null)
    {
        AsymmetricCipherKeyPair key = Rsa(2048);
        return Issue(new X509Name(true, $"CN={cn}, O=TlsTools Tests, C=CH"), key, Subject(root), Keys[root.Thumbprint].Private,
            DateTime.UtcNow.AddDays(-300), DateTime.UtcNow.AddYears(4), new BigInteger(1, new byte[] { 0x01, 0x23, 0x45 }), g =>
            {
                g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(0));
                g.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
                if (caIssuers is not null)
                {
                    g.AddExtension(X509Extensions.AuthorityInfoAccess, false, Asn1Object.FromByteArray(TestBytes.AuthorityInformationAccess(null, new[] { caIssuers }).RawData));
                }
            });
    }

    public static X509Certificate2 CreateLeaf(X509Certificate2 issuer, string cn, string[] dnsNames, int days = 90,
        string? crl = null, string? ocsp = null, string? caIssuers = null, bool ec = false, System.Net.IPAddress[]? ipAddresses = null)
    {
        AsymmetricCipherKeyPair key;
        if (ec)
        {
            var gen = new ECKeyPairGenerator();
            gen.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.X9.X9ObjectIdentifiers.Prime256v1, Random));
            key = gen.GenerateKeyPair();
        }
        else
        {
            key = Rsa(3072);
        }
        byte[] serial = new byte[12];
        TestBytes.Fill(serial);
        serial[0] &= 0x7f;
        DateTime notAfter = DateTime.UtcNow.AddDays(days);
        if (notAfter > issuer.NotAfter.ToUniversalTime())
        {
            notAfter = issuer.NotAfter.ToUniversalTime();
        }
        DateTime notBefore = notAfter.AddDays(-Math.Max(2, days + 2));
        return Issue(new X509Name(true, $"CN={cn}, O=Partner, C=DE"), key, Subject(issuer), Keys[issuer.Thumbprint].Private, notBefore, notAfter, new BigInteger(1, serial), g =>
        {
            var names = new System.Collections.Generic.List<GeneralName>();
            foreach (string n in dnsNames)
            {
                names.Add(new GeneralName(GeneralName.DnsName, n));
            }
            foreach (System.Net.IPAddress a in ipAddresses ?? Array.Empty<System.Net.IPAddress>())
            {
                names.Add(new GeneralName(GeneralName.IPAddress, new DerOctetString(a.GetAddressBytes())));
            }
            g.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names.ToArray()));
            if (crl is not null)
            {
                g.AddExtension(X509Extensions.CrlDistributionPoints, false, Asn1Object.FromByteArray(TestBytes.CrlDistributionPoints(new[] { crl }).RawData));
            }
            if (ocsp is not null || caIssuers is not null)
            {
                g.AddExtension(X509Extensions.AuthorityInfoAccess, false, Asn1Object.FromByteArray(TestBytes.AuthorityInformationAccess(
                    ocsp is null ? null : new[] { ocsp }, caIssuers is null ? null : new[] { caIssuers }).RawData));
            }
        });
    }

    private static X509Name Subject(X509Certificate2 c) =>
        new X509CertificateParser().ReadCertificate(c.RawData).SubjectDN;

    // RSA key generation in managed code under Mono takes seconds: a few keys of each size are
    // made once and handed out in turn, so consecutive certificates still have different keys.
    private static readonly ConcurrentDictionary<int, AsymmetricCipherKeyPair[]> Pools = new();
    private static readonly ConcurrentDictionary<int, int> Next = new();
    private const int PoolSize = 6;

    private static AsymmetricCipherKeyPair Rsa(int bits)
    {
        AsymmetricCipherKeyPair[] pool = Pools.GetOrAdd(bits, _ => new AsymmetricCipherKeyPair[PoolSize]);
        int i = (Next.AddOrUpdate(bits, 0, (_, n) => n + 1)) % PoolSize;
        lock (pool)
        {
            if (pool[i] is null)
            {
                var gen = new RsaKeyPairGenerator();
                gen.Init(new KeyGenerationParameters(Random, bits));
                pool[i] = gen.GenerateKeyPair();
            }
            return pool[i];
        }
    }

    private static X509Certificate2 Issue(X509Name subject, AsymmetricCipherKeyPair key, X509Name issuer, AsymmetricKeyParameter signingKey,
        DateTime notBefore, DateTime notAfter, BigInteger serial, Action<X509V3CertificateGenerator> extensions)
    {
        var g = new X509V3CertificateGenerator();
        g.SetSerialNumber(serial);
        g.SetSubjectDN(subject);
        g.SetIssuerDN(issuer);
        g.SetNotBefore(notBefore);
        g.SetNotAfter(notAfter);
        g.SetPublicKey(key.Public);
        extensions(g);
        string algorithm = signingKey is ECPrivateKeyParameters ? "SHA256WITHECDSA" : "SHA256WITHRSA";
        Org.BouncyCastle.X509.X509Certificate bc = g.Generate(new Asn1SignatureFactory(algorithm, signingKey, Random));

        var store = new Pkcs12StoreBuilder().Build();
        var entry = new X509CertificateEntry(bc);
        store.SetKeyEntry("key", new AsymmetricKeyEntry(key.Private), new[] { entry });
        using var ms = new MemoryStream();
        store.Save(ms, "test".ToCharArray(), Random);
        var cert = new X509Certificate2(ms.ToArray(), "test", X509KeyStorageFlags.Exportable);
        Keys[cert.Thumbprint] = key;
        return cert;
    }
}
#endif
