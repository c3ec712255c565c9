using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TlsTools.Tests.Support;

#if !NETFRAMEWORK
/// <summary>Makes certificates in memory, with the extensions a mail server's chain carries.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 CreateRoot(string cn = "TlsTools Test Root")
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={cn}, O=TlsTools Tests, C=CH", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-400), DateTimeOffset.UtcNow.AddYears(5));
    }

    public static X509Certificate2 CreateIntermediate(X509Certificate2 root, string cn = "TlsTools Test Intermediate", string? caIssuers = null)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest($"CN={cn}, O=TlsTools Tests, C=CH", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        if (caIssuers is not null)
        {
#if NETFRAMEWORK
            req.CertificateExtensions.Add(TestBytes.AuthorityInformationAccess(null, new[] { caIssuers }));
#else
            req.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, new[] { caIssuers }));
#endif
        }
        X509Certificate2 cert = req.Create(root, DateTimeOffset.UtcNow.AddDays(-300), DateTimeOffset.UtcNow.AddYears(4), new byte[] { 0x01, 0x23, 0x45 });
        return cert.CopyWithPrivateKey(key);
    }

    public static X509Certificate2 CreateLeaf(X509Certificate2 issuer, string cn, string[] dnsNames, int days = 90,
        string? crl = null, string? ocsp = null, string? caIssuers = null, bool ec = false, System.Net.IPAddress[]? ipAddresses = null)
    {
        CertificateRequest req;
        AsymmetricAlgorithm key;
        if (ec)
        {
            var e = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            key = e;
            req = new CertificateRequest($"CN={cn}, O=Partner, C=DE", e, HashAlgorithmName.SHA256);
        }
        else
        {
            var r = RSA.Create(3072);
            key = r;
            req = new CertificateRequest($"CN={cn}, O=Partner, C=DE", r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        var san = new SubjectAlternativeNameBuilder();
        foreach (string n in dnsNames)
        {
            san.AddDnsName(n);
        }
        foreach (System.Net.IPAddress a in ipAddresses ?? Array.Empty<System.Net.IPAddress>())
        {
            san.AddIpAddress(a);
        }
        req.CertificateExtensions.Add(san.Build());
        if (crl is not null)
        {
#if NETFRAMEWORK
            req.CertificateExtensions.Add(TestBytes.CrlDistributionPoints(new[] { crl }));
#else
            req.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(new[] { crl }));
#endif
        }
        if (ocsp is not null || caIssuers is not null)
        {
#if NETFRAMEWORK
            req.CertificateExtensions.Add(TestBytes.AuthorityInformationAccess(
                ocsp is null ? null : new[] { ocsp }, caIssuers is null ? null : new[] { caIssuers }));
#else
            req.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(
                ocsp is null ? null : new[] { ocsp }, caIssuers is null ? null : new[] { caIssuers }));
#endif
        }
        byte[] serial = new byte[12];
        TestBytes.Fill(serial);
        serial[0] &= 0x7f;
        {
            DateTimeOffset notAfter = DateTimeOffset.UtcNow.AddDays(days);
            if (notAfter > issuer.NotAfter)
            {
                notAfter = issuer.NotAfter;
            }
            DateTimeOffset notBefore = notAfter.AddDays(-Math.Max(2, days + 2));
            X509Certificate2 cert = ec
                ? req.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(issuer.GetRSAPrivateKey()!, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial)
                : req.Create(issuer, notBefore, notAfter, serial);
            return ec ? cert.CopyWithPrivateKey((ECDsa)key) : cert.CopyWithPrivateKey((RSA)key);
        }
    }
}
#endif
