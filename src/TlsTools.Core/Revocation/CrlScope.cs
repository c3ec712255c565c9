using System;
using System.Collections.Generic;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>
/// What a CRL covers (RFC 5280 section 5.2.5, issuing distribution point: a partitioned CRL covers
/// only the certificates whose distribution point it names, only end-entity or only CA
/// certificates, or only some reasons) and how complete and delta CRLs fit together (sections
/// 5.2.3 CRL number, 5.2.4 delta CRL indicator, 5.2.6 and 4.2.1.15 freshest CRL).
/// </summary>
internal static class CrlScope
{
    /// <summary>True for a delta CRL (it carries a delta CRL indicator).</summary>
    public static bool IsDelta(X509Crl crl) => crl.GetExtensionValue(X509Extensions.DeltaCrlIndicator) is not null;

    /// <summary>The CRL number, when the CRL carries one.</summary>
    public static BigInteger? Number(X509Crl crl) => Integer(crl.GetExtensionValue(X509Extensions.CrlNumber));

    /// <summary>The number of the complete CRL a delta CRL builds on (its delta CRL indicator).</summary>
    public static BigInteger? DeltaBase(X509Crl crl) => Integer(crl.GetExtensionValue(X509Extensions.DeltaCrlIndicator));

    /// <summary>The http(s) URLs of the freshest (delta) CRL that a complete CRL or a certificate names; first the CRL's, then the certificate's.</summary>
    public static IReadOnlyList<Uri> FreshestCrlUris(X509Crl? crl, BcCertificate? certificate)
    {
        var uris = new List<string>();
        if (crl is not null)
        {
            uris.AddRange(DistributionPointUris(crl.GetExtensionValue(X509Extensions.FreshestCrl)));
        }
        if (certificate is not null)
        {
            uris.AddRange(DistributionPointUris(certificate.GetExtensionValue(X509Extensions.FreshestCrl)));
        }
        return RevocationSubject.HttpUris(uris.Distinct(StringComparer.Ordinal));
    }

    /// <summary>
    /// Why <paramref name="crl"/> (a partition) does not cover <paramref name="certificate"/>, or null when it does.
    /// <paramref name="someReasonsOnly"/> is set when it covers only some revocation reasons: a serial that is
    /// not listed is then not known to be good.
    /// </summary>
    public static string? NotCovering(X509Crl crl, BcCertificate certificate, out bool someReasonsOnly)
    {
        someReasonsOnly = false;
        IssuingDistributionPoint? idp = Idp(crl, out string? unreadable);
        if (unreadable is not null)
        {
            return unreadable;
        }
        bool certificateIsCa = certificate.GetBasicConstraints() >= 0;
        if (CertificateNamesCrlIssuer(certificate))
        {
            return "The certificate's distribution point names another CRL issuer (an indirect CRL), which is not supported.";
        }
        if (idp is null)
        {
            return null;
        }
        if (idp.IsIndirectCrl)
        {
            return "The CRL is an indirect CRL (issuing distribution point, RFC 5280 section 5.2.5), which is not supported.";
        }
        if (idp.OnlyContainsAttributeCerts)
        {
            return "The CRL covers attribute certificates only (issuing distribution point).";
        }
        if (idp.OnlyContainsUserCerts && certificateIsCa)
        {
            return "The CRL covers end-entity certificates only (issuing distribution point: onlyContainsUserCerts), and this certificate is a CA.";
        }
        if (idp.OnlyContainsCACerts && !certificateIsCa)
        {
            return "The CRL covers CA certificates only (issuing distribution point: onlyContainsCACerts), and this certificate is not a CA.";
        }
        if (idp.DistributionPoint is DistributionPointName partition)
        {
            if (partition.Type != DistributionPointName.FullName)
            {
                return "The CRL's issuing distribution point is named relative to the CRL issuer, which is not supported.";
            }
            var names = new HashSet<string>(Uris(GeneralNames.GetInstance(partition.Name)), StringComparer.OrdinalIgnoreCase);
            List<string> certificateNames = DistributionPointUris(certificate.GetExtensionValue(X509Extensions.CrlDistributionPoints)).ToList();
            if (!certificateNames.Any(names.Contains))
            {
                return $"The CRL is a partition for {string.Join(", ", names)} (issuing distribution point, RFC 5280 section 5.2.5), " +
                    $"which is not one of the certificate's distribution points ({(certificateNames.Count == 0 ? "none" : string.Join(", ", certificateNames))}): it does not cover the certificate.";
            }
        }
        someReasonsOnly = idp.OnlySomeReasons is not null;
        return null;
    }

    private static IssuingDistributionPoint? Idp(X509Crl crl, out string? problem)
    {
        problem = null;
        Asn1OctetString? ext = crl.GetExtensionValue(X509Extensions.IssuingDistributionPoint);
        if (ext is null)
        {
            return null;
        }
        try
        {
            return IssuingDistributionPoint.GetInstance(Asn1Object.FromByteArray(ext.GetOctets()));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = "The CRL's issuing distribution point extension does not parse: " + e.Message;
            return null;
        }
    }

    private static bool CertificateNamesCrlIssuer(BcCertificate certificate)
    {
        Asn1OctetString? ext = certificate.GetExtensionValue(X509Extensions.CrlDistributionPoints);
        if (ext is null)
        {
            return false;
        }
        try
        {
            return CrlDistPoint.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).GetDistributionPoints().Any(dp => dp.CrlIssuer is not null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>The URIs of the full names of a CRLDistributionPoints-syntax extension value (CDP or freshest CRL).</summary>
    internal static IEnumerable<string> DistributionPointUris(Asn1OctetString? ext)
    {
        if (ext is null)
        {
            return Array.Empty<string>();
        }
        try
        {
            return CrlDistPoint.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).GetDistributionPoints()
                .Where(dp => dp.DistributionPointName is { Type: DistributionPointName.FullName })
                .SelectMany(dp => Uris(GeneralNames.GetInstance(dp.DistributionPointName.Name)))
                .ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Array.Empty<string>();
        }
    }

    private static IEnumerable<string> Uris(GeneralNames names) =>
        names.GetNames().Where(n => n.TagNo == GeneralName.UniformResourceIdentifier).Select(n => n.Name.ToString()!);

    private static BigInteger? Integer(Asn1OctetString? ext)
    {
        if (ext is null)
        {
            return null;
        }
        try
        {
            return DerInteger.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).PositiveValue;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }
}
