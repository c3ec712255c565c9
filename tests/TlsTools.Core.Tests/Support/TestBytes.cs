using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TlsTools.Tests.Support;

/// <summary>Hex, hashes and key bytes for tests, written so that they also build for net472.</summary>
internal static class TestBytes
{
    public static string ToHex(byte[] data) => BitConverter.ToString(data).Replace("-", string.Empty);

    public static byte[] FromHex(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = byte.Parse(hex.Substring(2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }
        return bytes;
    }

    public static byte[] Sha256(byte[] data)
    {
        using var h = SHA256.Create();
        return h.ComputeHash(data);
    }

    public static byte[] Sha512(byte[] data)
    {
        using var h = SHA512.Create();
        return h.ComputeHash(data);
    }

    /// <summary>The DER SubjectPublicKeyInfo of a certificate.</summary>
    public static byte[] Spki(X509Certificate2 c) =>
        new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(c.RawData).CertificateStructure.SubjectPublicKeyInfo.GetEncoded();

    public static X509Certificate2 LoadCertificate(byte[] der) =>
#if NETFRAMEWORK
        new(der);
#else
        X509CertificateLoader.LoadCertificate(der);
#endif

    public static void Fill(byte[] data)
    {
        using var rng = RandomNumberGenerator.Create();
        rng.GetBytes(data);
    }

#if NETFRAMEWORK
    /// <summary>authorityInfoAccess, as X509AuthorityInformationAccessExtension makes it on .NET 7+.</summary>
    public static X509Extension AuthorityInformationAccess(string[]? ocsp, string[]? caIssuers)
    {
        var list = new System.Collections.Generic.List<Org.BouncyCastle.Asn1.X509.AccessDescription>();
        foreach (string u in ocsp ?? Array.Empty<string>())
        {
            list.Add(new Org.BouncyCastle.Asn1.X509.AccessDescription(Org.BouncyCastle.Asn1.X509.AccessDescription.IdADOcsp,
                new Org.BouncyCastle.Asn1.X509.GeneralName(Org.BouncyCastle.Asn1.X509.GeneralName.UniformResourceIdentifier, u)));
        }
        foreach (string u in caIssuers ?? Array.Empty<string>())
        {
            list.Add(new Org.BouncyCastle.Asn1.X509.AccessDescription(Org.BouncyCastle.Asn1.X509.AccessDescription.IdADCAIssuers,
                new Org.BouncyCastle.Asn1.X509.GeneralName(Org.BouncyCastle.Asn1.X509.GeneralName.UniformResourceIdentifier, u)));
        }
        var der = new Org.BouncyCastle.Asn1.DerSequence(list.ToArray());
        return new X509Extension("1.3.6.1.5.5.7.1.1", der.GetEncoded(), false);
    }

    /// <summary>cRLDistributionPoints with one full-name URI per point.</summary>
    public static X509Extension CrlDistributionPoints(string[] urls)
    {
        var points = new System.Collections.Generic.List<Org.BouncyCastle.Asn1.X509.DistributionPoint>();
        foreach (string u in urls)
        {
            var names = new Org.BouncyCastle.Asn1.X509.GeneralNames(
                new Org.BouncyCastle.Asn1.X509.GeneralName(Org.BouncyCastle.Asn1.X509.GeneralName.UniformResourceIdentifier, u));
            points.Add(new Org.BouncyCastle.Asn1.X509.DistributionPoint(
                new Org.BouncyCastle.Asn1.X509.DistributionPointName(names), null, null));
        }
        return new X509Extension("2.5.29.31", new Org.BouncyCastle.Asn1.X509.CrlDistPoint(points.ToArray()).GetEncoded(), false);
    }
#endif
}
