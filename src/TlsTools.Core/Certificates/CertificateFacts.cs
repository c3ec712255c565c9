using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Parameters;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Certificates;

/// <summary>
/// The fields of a certificate an administrator checks, read the same way on every platform
/// (BouncyCastle parses the extensions, so .NET Framework and .NET give the same answers).
/// </summary>
public sealed class CertificateFacts
{
    private CertificateFacts()
    {
    }

    public string Subject { get; private set; } = string.Empty;
    public string Issuer { get; private set; } = string.Empty;
    public string? CommonName { get; private set; }
    public IReadOnlyList<string> DnsNames { get; private set; } = Array.Empty<string>();
    public string Thumbprint { get; private set; } = string.Empty;
    public string SerialNumber { get; private set; } = string.Empty;
    public DateTime NotBefore { get; private set; }
    public DateTime NotAfter { get; private set; }
    public string PublicKeyAlgorithm { get; private set; } = string.Empty;
    public int KeySize { get; private set; }
    public string SignatureAlgorithm { get; private set; } = string.Empty;
    public bool IsSelfSigned { get; private set; }
    public bool IsCertificateAuthority { get; private set; }
    public IReadOnlyList<string> CrlDistributionPoints { get; private set; } = Array.Empty<string>();
    public IReadOnlyList<string> OcspUris { get; private set; } = Array.Empty<string>();
    public IReadOnlyList<string> CaIssuersUris { get; private set; } = Array.Empty<string>();

    /// <summary>Whole days from <paramref name="now"/> to NotAfter, rounded down; negative once expired.</summary>
    public int DaysUntilExpiry(DateTime now) => (int)Math.Floor((NotAfter - now.ToUniversalTime()).TotalDays);

    /// <summary>
    /// The <c>&lt;I&gt;issuer&lt;S&gt;subject</c> string on-premises Exchange's TlsCertificateName takes
    /// (Set-SendConnector, Set-ReceiveConnector), built from the distinguished names as Windows formats them.
    /// </summary>
    public string ExchangeCertificateName => ExchangeNames.CertificateName(Issuer, Subject);

    public static CertificateFacts From(X509Certificate2 certificate)
    {
        BcCertificate bc = Revocation.Pki.ToBouncyCastle(certificate);
        var facts = new CertificateFacts
        {
            Subject = certificate.Subject,
            Issuer = certificate.Issuer,
            Thumbprint = certificate.Thumbprint.ToUpperInvariant(),
            SerialNumber = certificate.SerialNumber.ToUpperInvariant(),
            NotBefore = bc.NotBefore.ToUniversalTime(),
            NotAfter = bc.NotAfter.ToUniversalTime(),
            SignatureAlgorithm = certificate.SignatureAlgorithm.FriendlyName ?? certificate.SignatureAlgorithm.Value ?? string.Empty,
        };
        facts.CommonName = FirstCommonName(bc.SubjectDN);
        facts.DnsNames = ReadDnsNames(bc);
        (facts.PublicKeyAlgorithm, facts.KeySize) = ReadKey(bc);
        facts.IsSelfSigned = Revocation.Pki.IsSelfSigned(bc);
        BasicConstraints? bcons = BasicConstraints.GetInstance(bc.GetExtensionValue(X509Extensions.BasicConstraints) is { } bv ? Asn1Object.FromByteArray(bv.GetOctets()) : null);
        facts.IsCertificateAuthority = bcons?.IsCA() ?? false;
        facts.CrlDistributionPoints = ReadCrlDistributionPoints(bc);
        (facts.OcspUris, facts.CaIssuersUris) = ReadAuthorityInformationAccess(bc);
        return facts;
    }

    private static string? FirstCommonName(X509Name name)
    {
        var values = name.GetValueList(X509Name.CN);
        return values.Count > 0 ? values[values.Count - 1] : null;
    }

    private static IReadOnlyList<string> ReadDnsNames(BcCertificate bc)
    {
        var names = new List<string>();
        Asn1OctetString? ext = bc.GetExtensionValue(X509Extensions.SubjectAlternativeName);
        if (ext is null)
        {
            return names;
        }
        foreach (GeneralName gn in GeneralNames.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).GetNames())
        {
            if (gn.TagNo == GeneralName.DnsName)
            {
                names.Add(DerIA5String.GetInstance(gn.Name).GetString());
            }
        }
        return names;
    }

    private static (string Algorithm, int Size) ReadKey(BcCertificate bc)
    {
        var key = bc.GetPublicKey();
        switch (key)
        {
            case RsaKeyParameters rsa:
                return ("RSA", rsa.Modulus.BitLength);
            case ECPublicKeyParameters ec:
                return ("ECDSA", ec.Parameters.Curve.FieldSize);
            case DsaPublicKeyParameters dsa:
                return ("DSA", dsa.Parameters.P.BitLength);
            case Ed25519PublicKeyParameters:
                return ("Ed25519", 256);
            case Ed448PublicKeyParameters:
                return ("Ed448", 456);
            default:
                return (bc.SubjectPublicKeyInfo.Algorithm.Algorithm.Id, 0);
        }
    }


    private static IReadOnlyList<string> ReadCrlDistributionPoints(BcCertificate bc)
    {
        var uris = new List<string>();
        Asn1OctetString? ext = bc.GetExtensionValue(X509Extensions.CrlDistributionPoints);
        if (ext is null)
        {
            return uris;
        }
        foreach (DistributionPoint dp in CrlDistPoint.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).GetDistributionPoints())
        {
            if (dp.DistributionPointName?.Type == DistributionPointName.FullName)
            {
                foreach (GeneralName gn in GeneralNames.GetInstance(dp.DistributionPointName.Name).GetNames())
                {
                    if (gn.TagNo == GeneralName.UniformResourceIdentifier)
                    {
                        uris.Add(DerIA5String.GetInstance(gn.Name).GetString());
                    }
                }
            }
        }
        return uris;
    }

    private static (IReadOnlyList<string> Ocsp, IReadOnlyList<string> CaIssuers) ReadAuthorityInformationAccess(BcCertificate bc)
    {
        var ocsp = new List<string>();
        var issuers = new List<string>();
        Asn1OctetString? ext = bc.GetExtensionValue(X509Extensions.AuthorityInfoAccess);
        if (ext is null)
        {
            return (ocsp, issuers);
        }
        foreach (AccessDescription ad in AuthorityInformationAccess.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).GetAccessDescriptions())
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
        return (ocsp, issuers);
    }
}

/// <summary>Exchange's ways of naming certificates.</summary>
public static class ExchangeNames
{
    /// <summary>
    /// Builds <c>&lt;I&gt;issuer&lt;S&gt;subject</c> from distinguished names formatted as .NET's
    /// <see cref="X509Certificate.Issuer"/> and <see cref="X509Certificate.Subject"/> give them
    /// (<c>CN=..., O=..., C=...</c>), which is what <c>Get-ExchangeCertificate</c> shows.
    /// </summary>
    public static string CertificateName(string issuer, string subject) =>
        "<I>" + issuer + "<S>" + subject;

    /// <summary>Splits a <c>&lt;I&gt;issuer&lt;S&gt;subject</c> string; returns false when it is not one.</summary>
    public static bool TryParseCertificateName(string value, out string issuer, out string subject)
    {
        issuer = subject = string.Empty;
        if (value is null || !value.StartsWith("<I>", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        int s = value.IndexOf("<S>", 3, StringComparison.OrdinalIgnoreCase);
        if (s < 0)
        {
            return false;
        }
        issuer = value.Substring(3, s - 3);
        subject = value.Substring(s + 3);
        return issuer.Length > 0 && subject.Length > 0;
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
