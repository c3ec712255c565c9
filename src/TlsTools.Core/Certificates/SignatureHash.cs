using System;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace TlsTools.Certificates;

/// <summary>
/// Which hash a certificate's signature uses, as far as the SHA-1 rule needs it. Exchange Online
/// refuses SHA-1 certificates: "As of June 2016, Office 365 no longer accepts a SHA-1 certificate
/// for outbound or inbound connections" (Microsoft Learn, "Technical reference details about
/// encryption", microsoft-365/compliance/technical-reference-details-about-encryption.md;
/// the design notes on Exchange connectors (exchange-connectors.md) section 10.3).
/// </summary>
public static class SignatureHash
{
    private const string Sha1Oid = "1.3.14.3.2.26";
    private const string RsaPssOid = "1.2.840.113549.1.1.10";

    /// <summary>True when <paramref name="certificate"/> is signed with SHA-1 (RSA PKCS#1, RSA-PSS, ECDSA or DSA).</summary>
    public static bool IsSha1(X509Certificate2 certificate)
    {
        string oid = certificate.SignatureAlgorithm.Value ?? string.Empty;
        byte[]? parameters = null;
        if (oid == RsaPssOid)
        {
            parameters = CertificateDer.TryRead(certificate.RawData)?.SignatureParameters;
        }
        return IsSha1(oid, parameters);
    }

    /// <summary>True when the signature algorithm <paramref name="oid"/> (with its parameters, for RSA-PSS) hashes with SHA-1.</summary>
    public static bool IsSha1(string oid, byte[]? parameters) => oid switch
    {
        "1.2.840.113549.1.1.5" => true,   // sha1WithRSAEncryption
        "1.3.14.3.2.29" => true,          // sha1WithRSASignature (OIW)
        "1.2.840.10045.4.1" => true,      // ecdsa-with-SHA1
        "1.2.840.10040.4.3" => true,      // id-dsa-with-sha1
        "1.3.14.3.2.27" => true,          // dsaWithSHA1 (OIW)
        RsaPssOid => PssHash(parameters) == Sha1Oid,
        _ => false,
    };

    /// <summary>The hash of RSASSA-PSS parameters (RFC 4055 section 3.1): SHA-1 when they or the hash are absent.</summary>
    private static string PssHash(byte[]? parameters)
    {
        if (parameters is null || parameters.Length == 0)
        {
            return Sha1Oid;
        }
        try
        {
            AsnReader sequence = new AsnReader(parameters, AsnEncodingRules.BER).ReadSequence();
            var hashTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(hashTag))
            {
                return sequence.ReadSequence(hashTag).ReadSequence().ReadObjectIdentifier();
            }
            return Sha1Oid;
        }
        catch (AsnContentException)
        {
            return string.Empty;
        }
    }
}
