using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>Small certificate helpers shared by the CRL, OCSP and CA-issuers checks.</summary>
internal static class Pki
{
    /// <summary>Clock skew allowed on thisUpdate before content is called "from the future".</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True for what BouncyCastle throws when it reads malformed DER, often only when a field is first
    /// touched (a CRL's entries, an OCSP response's responder ID): such content is unreadable, an
    /// answer, not a crash. Programming errors (null reference, index, cast) stay exceptions.
    /// </summary>
    public static bool IsUnreadable(Exception e) =>
        e is not (OutOfMemoryException or NullReferenceException or IndexOutOfRangeException or InvalidCastException or OperationCanceledException);

    public static BcCertificate ToBouncyCastle(X509Certificate2 certificate) =>
        new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(certificate.RawData);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, BcCertificate> s_issuers = new(StringComparer.Ordinal);

    /// <summary>
    /// A CA certificate in BouncyCastle's form, kept for the process by thumbprint (at most 512), with
    /// its public key already read: BouncyCastle validates an RSA modulus the first time a key is
    /// read, which costs tens of milliseconds, and it keeps the key in the certificate object. A CA's
    /// key is the same in every run, so every CRL and OCSP signature it made is checked without that cost.
    /// </summary>
    public static BcCertificate IssuerInBouncyCastle(X509Certificate2 certificate)
    {
        string key = certificate.Thumbprint;
        if (s_issuers.TryGetValue(key, out BcCertificate? known))
        {
            return known;
        }
        BcCertificate bc = ToBouncyCastle(certificate);
        try
        {
            bc.GetPublicKey();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return bc; // a key BouncyCastle cannot read is reported where it is used
        }
        if (s_issuers.Count >= 512)
        {
            s_issuers.Clear();
        }
        return s_issuers.GetOrAdd(key, bc);
    }

    /// <summary>A distinguished name formatted as .NET formats <c>X509Certificate.Subject</c> (<c>CN=..., O=..., C=...</c>).</summary>
    public static string Format(X509Name name)
    {
        try
        {
            return new X500DistinguishedName(name.GetEncoded()).Name;
        }
        catch (CryptographicException)
        {
            return name.ToString();
        }
    }

    /// <summary>True when <paramref name="issuer"/> has the name of <paramref name="subject"/>'s issuer and its key verifies the signature.</summary>
    public static bool IsIssuerOf(BcCertificate issuer, BcCertificate subject) =>
        issuer.SubjectDN.Equivalent(subject.IssuerDN) && SignatureVerifies(subject, issuer);

    public static bool SignatureVerifies(BcCertificate subject, BcCertificate issuer)
    {
        try
        {
            return subject.IsSignatureValid(issuer.GetPublicKey());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An unsupported key or algorithm is a failed verification here, not a crash.
            return false;
        }
    }

    public static bool IsSelfSigned(BcCertificate certificate) => IsIssuerOf(certificate, certificate);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, X509Certificate2> s_platformIssuers = new(StringComparer.Ordinal);

    /// <summary>
    /// Verifies a signature over <paramref name="signed"/> with <paramref name="issuer"/>'s key using the
    /// platform (microseconds; BouncyCastle's managed RSA takes about a millisecond), for the common
    /// algorithms: RSA PKCS#1 and PSS, ECDSA. True only when the platform confirms it; false when it
    /// cannot (another algorithm, a hash a platform policy refuses, a bad signature): the caller then
    /// asks BouncyCastle, so the answer does not depend on the platform.
    /// </summary>
    public static bool PlatformVerifies(byte[] signed, byte[] signature, string algorithm, byte[]? parameters, BcCertificate issuer)
    {
        try
        {
            string key = Thumbprint(issuer);
            X509Certificate2 certificate = s_platformIssuers.TryGetValue(key, out X509Certificate2? known) ? known : Remember(key, issuer);
            if (Certificates.Der.RsaSignature(algorithm, parameters) is (HashAlgorithmName hash, RSASignaturePadding padding))
            {
                using RSA? rsa = certificate.GetRSAPublicKey();
                return rsa is not null && rsa.VerifyData(signed, signature, hash, padding);
            }
            if (Certificates.Der.EcdsaHash(algorithm) is HashAlgorithmName ecHash)
            {
                using ECDsa? ec = certificate.GetECDsaPublicKey();
                if (ec is null)
                {
                    return false;
                }
                byte[]? fixedSize = Certificates.Der.EcdsaSignatureToFixedSize(signature, (ec.KeySize + 7) / 8);
                return fixedSize is not null && ec.VerifyData(signed, fixedSize, ecHash);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not decidable here: BouncyCastle decides. Any failure of the platform counts so, not
            // only the documented ones: Mono's RSA throws NotImplementedException from VerifyData.
        }
        return false;
    }

    private static X509Certificate2 Remember(string key, BcCertificate issuer)
    {
        if (s_platformIssuers.Count >= 512)
        {
            s_platformIssuers.Clear();
        }
#pragma warning disable SYSLIB0057 // net8.0 and net472 have no X509CertificateLoader
        return s_platformIssuers.GetOrAdd(key, _ => new X509Certificate2(issuer.GetEncoded()));
#pragma warning restore SYSLIB0057
    }

    public static string Thumbprint(BcCertificate certificate) => Hex(Sha1(certificate.GetEncoded()));

    public static byte[] Sha1(byte[] data)
    {
#if NET8_0_OR_GREATER
        return SHA1.HashData(data);
#else
        using SHA1 sha1 = SHA1.Create();
        return sha1.ComputeHash(data);
#endif
    }

    public static byte[] Sha256(byte[] data)
    {
#if NET8_0_OR_GREATER
        return SHA256.HashData(data);
#else
        using SHA256 sha256 = SHA256.Create();
        return sha256.ComputeHash(data);
#endif
    }

    /// <summary>SHA-1 of the subjectPublicKey BIT STRING value: the OCSP issuerKeyHash and byKey responder ID (RFC 6960 section 4.1.1).</summary>
    public static byte[] KeyHash(BcCertificate certificate) =>
        Sha1(certificate.CertificateStructure.SubjectPublicKeyInfo.PublicKey.GetBytes());

    /// <summary>The keyIdentifier of the authority key identifier extension, if present.</summary>
    public static byte[]? AuthorityKeyId(BcCertificate certificate)
    {
        Asn1OctetString? ext = certificate.GetExtensionValue(X509Extensions.AuthorityKeyIdentifier);
        if (ext is null)
        {
            return null;
        }
        return AuthorityKeyIdentifier.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).KeyIdentifier?.GetOctets();
    }

    public static string Hex(byte[] bytes)
    {
        char[] c = new char[bytes.Length * 2];
        for (int i = 0; i < bytes.Length; i++)
        {
            string b = bytes[i].ToString("X2", CultureInfo.InvariantCulture);
            c[2 * i] = b[0];
            c[2 * i + 1] = b[1];
        }
        return new string(c);
    }

    public static string Serial(BcCertificate certificate) => certificate.SerialNumber.ToString(16).ToUpperInvariant();

    /// <summary>The RFC 5280 section 5.3.1 name of a CRL reason code.</summary>
    public static string ReasonName(int reason) => reason switch
    {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => reason.ToString(CultureInfo.InvariantCulture),
    };

    public static string Stamp(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
