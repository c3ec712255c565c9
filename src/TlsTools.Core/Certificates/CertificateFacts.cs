using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TlsTools.Certificates;

/// <summary>
/// The fields of a certificate an administrator checks, read the same way on every platform: the
/// DER is read with System.Formats.Asn1 (part of .NET, a package on .NET Framework), so .NET
/// Framework and .NET give the same answers. Reading a certificate costs well under a
/// millisecond: no key object is validated and no chain is built.
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

    /// <summary>The iPAddress entries of the subjectAltName, as addresses are written (192.0.2.1, 2001:db8::1).</summary>
    public IReadOnlyList<string> IpAddresses { get; private set; } = Array.Empty<string>();

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

    /// <summary>
    /// The parts of the certificate that could not be read (an extension that is not valid DER,
    /// validity dates that are not times, a name the platform cannot decode), each as
    /// "part: why"; empty when everything was read. What could not be read is left empty
    /// (names, URLs) or at its default (dates, sizes), never guessed.
    /// </summary>
    public IReadOnlyList<string> Unreadable { get; private set; } = Array.Empty<string>();

    /// <summary>
    /// Reads the facts of <paramref name="certificate"/>. Never throws for what a certificate
    /// contains: a server may send anything, and what cannot be read is named in <see cref="Unreadable"/>.
    /// </summary>
    public static CertificateFacts From(X509Certificate2 certificate)
    {
        var facts = new CertificateFacts();
        var unreadable = new List<string>();
        facts.Subject = Read(unreadable, "subject", () => certificate.Subject, string.Empty);
        facts.Issuer = Read(unreadable, "issuer", () => certificate.Issuer, string.Empty);
        facts.Thumbprint = Read(unreadable, "thumbprint", () => certificate.Thumbprint.ToUpperInvariant(), string.Empty);
        facts.SerialNumber = Read(unreadable, "serialNumber", () => certificate.SerialNumber.ToUpperInvariant(), string.Empty);
        facts.SignatureAlgorithm = Read(unreadable, "signatureAlgorithm",
            () => certificate.SignatureAlgorithm.FriendlyName ?? certificate.SignatureAlgorithm.Value ?? string.Empty, string.Empty);

        CertificateDer? der = Read(unreadable, "tbsCertificate", () => CertificateDer.TryRead(certificate.RawData), null);
        if (der is null)
        {
            // The platform loaded it, so it is a certificate, just not one this reader follows:
            // fall back to what the platform says.
            facts.NotBefore = Read(unreadable, "validity (notBefore)", () => certificate.NotBefore.ToUniversalTime(), default);
            facts.NotAfter = Read(unreadable, "validity (notAfter)", () => certificate.NotAfter.ToUniversalTime(), default);
            facts.CommonName = Read(unreadable, "subject commonName", () => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false), null);
            facts.PublicKeyAlgorithm = Read(unreadable, "subjectPublicKeyInfo", () => certificate.PublicKey.Oid.Value ?? string.Empty, string.Empty);
            if (facts.NotBefore == default || facts.NotAfter == default)
            {
                AddOnce(unreadable, "validity: not a time this reader or the platform can read");
            }
            facts.Unreadable = unreadable;
            return facts;
        }

        facts.NotBefore = der.NotBefore;
        facts.NotAfter = der.NotAfter;
        if (der.ValidityError is not null)
        {
            unreadable.Add("validity: " + der.ValidityError);
        }
        facts.CommonName = Read(unreadable, "subject commonName", () => Der.LastCommonName(der.Subject), null);
        (facts.PublicKeyAlgorithm, facts.KeySize) = Read(unreadable, "subjectPublicKeyInfo",
            () => Der.KeyAlgorithmAndSize(der.KeyAlgorithm, der.KeyParameters, der.PublicKey), (der.KeyAlgorithm, 0));
        facts.IsSelfSigned = Read(unreadable, "signature", () => IsSelfIssued(certificate, der) && SignedByOwnKey(certificate, der), false);

        X509ExtensionCollection? extensions = Read(unreadable, "extensions", () => certificate.Extensions, null);
        foreach (X509Extension extension in extensions ?? new X509ExtensionCollection())
        {
            byte[] value = extension.RawData ?? Array.Empty<byte>();
            switch (extension.Oid?.Value)
            {
                case "2.5.29.17":
                    facts.DnsNames = Extension(unreadable, "subjectAltName", value, Der.DnsNames, Array.Empty<string>());
                    facts.IpAddresses = Extension(unreadable, "subjectAltName", value, Der.IpAddresses, Array.Empty<string>());
                    break;
                case "2.5.29.19":
                    facts.IsCertificateAuthority = Extension(unreadable, "basicConstraints", value, Der.IsCertificateAuthority, false);
                    break;
                case "2.5.29.31":
                    facts.CrlDistributionPoints = Extension(unreadable, "cRLDistributionPoints", value, Der.CrlDistributionPoints, Array.Empty<string>());
                    break;
                case "1.3.6.1.5.5.7.1.1":
                    facts.OcspUris = Extension(unreadable, "authorityInfoAccess", value, d => Der.AccessLocations(d, "1.3.6.1.5.5.7.48.1"), Array.Empty<string>());
                    facts.CaIssuersUris = Extension(unreadable, "authorityInfoAccess", value, d => Der.AccessLocations(d, "1.3.6.1.5.5.7.48.2"), Array.Empty<string>());
                    break;
            }
        }
        facts.Unreadable = unreadable;
        return facts;
    }

    /// <summary>Reads one extension; a value that is not valid DER is named in <paramref name="unreadable"/>.</summary>
    private static T Extension<T>(List<string> unreadable, string name, byte[] value, Func<byte[], T> read, T absent)
    {
        try
        {
            return read(value);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            AddOnce(unreadable, $"{name}: not valid DER ({e.Message.TrimEnd('.')})");
            return absent;
        }
    }

    /// <summary>Reads one part through the platform or the DER reader; a failure is named, not thrown.</summary>
    private static T Read<T>(List<string> unreadable, string part, Func<T> read, T absent)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not OutOfMemoryException and not StackOverflowException)
        {
            AddOnce(unreadable, $"{part}: {e.Message.TrimEnd('.')}");
            return absent;
        }
    }

    private static void AddOnce(List<string> unreadable, string entry)
    {
        string part = entry.Substring(0, Math.Max(0, entry.IndexOf(':')));
        if (!unreadable.Any(u => u.StartsWith(part + ":", StringComparison.Ordinal)))
        {
            unreadable.Add(entry);
        }
    }

    /// <summary>Subject and issuer are the same name (the precondition of a self-signed certificate).</summary>
    private static bool IsSelfIssued(X509Certificate2 certificate, CertificateDer der) =>
        der.Subject.AsSpan().SequenceEqual(der.Issuer)
        || string.Equals(certificate.SubjectName.Name, certificate.IssuerName.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the certificate's own key verifies its signature. The platform verifies the common
    /// algorithms (RSA PKCS#1 and PSS, ECDSA) in microseconds; whatever it cannot confirm (other
    /// algorithms, or hashes a platform policy refuses, such as SHA-1 on some Linux systems) is
    /// left to BouncyCastle, so the answer does not depend on the platform.
    /// </summary>
    private static bool SignedByOwnKey(X509Certificate2 certificate, CertificateDer der) =>
        PlatformVerifies(certificate, der) || BouncyCastleVerifies(certificate);

    private static bool PlatformVerifies(X509Certificate2 certificate, CertificateDer der)
    {
        try
        {
            if (Der.RsaSignature(der.SignatureAlgorithm, der.SignatureParameters) is (HashAlgorithmName hash, RSASignaturePadding padding))
            {
                using RSA? rsa = certificate.GetRSAPublicKey();
                return rsa is not null && rsa.VerifyData(der.Tbs, der.Signature, hash, padding);
            }
            if (Der.EcdsaHash(der.SignatureAlgorithm) is HashAlgorithmName ecHash)
            {
                using ECDsa? ec = certificate.GetECDsaPublicKey();
                if (ec is null)
                {
                    return false;
                }
                byte[]? signature = Der.EcdsaSignatureToFixedSize(der.Signature, (ec.KeySize + 7) / 8);
                return signature is not null && ec.VerifyData(der.Tbs, signature, ecHash);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Not decidable here: BouncyCastle decides (Mono's RSA throws NotImplementedException).
        }
        return false;
    }

    // Kept out of line so that BouncyCastle is loaded only when a certificate needs it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool BouncyCastleVerifies(X509Certificate2 certificate)
    {
        try
        {
            return Revocation.Pki.IsSelfSigned(Revocation.Pki.ToBouncyCastle(certificate));
        }
        catch (Exception e) when (Revocation.Pki.IsUnreadable(e))
        {
            // BouncyCastle cannot read it (malformed extensions): not shown to be self-signed.
            return false;
        }
    }
}

/// <summary>The parts of a certificate's DER that the facts need.</summary>
internal sealed class CertificateDer
{
    private CertificateDer()
    {
    }

    public byte[] Tbs { get; private set; } = Array.Empty<byte>();
    public string SignatureAlgorithm { get; private set; } = string.Empty;
    public byte[]? SignatureParameters { get; private set; }
    public byte[] Signature { get; private set; } = Array.Empty<byte>();
    public byte[] Issuer { get; private set; } = Array.Empty<byte>();
    public byte[] Subject { get; private set; } = Array.Empty<byte>();
    public DateTime NotBefore { get; private set; }
    public DateTime NotAfter { get; private set; }

    /// <summary>Why the validity dates could not be read (they are then left at their default); null when they were.</summary>
    public string? ValidityError { get; private set; }
    public string KeyAlgorithm { get; private set; } = string.Empty;
    public byte[]? KeyParameters { get; private set; }
    public byte[] PublicKey { get; private set; } = Array.Empty<byte>();

    /// <summary>Reads Certificate and TBSCertificate (RFC 5280 section 4.1); null when the DER does not follow it.</summary>
    public static CertificateDer? TryRead(byte[] encoded)
    {
        try
        {
            var outer = new AsnReader(encoded, AsnEncodingRules.BER);
            AsnReader certificate = outer.ReadSequence();
            var der = new CertificateDer { Tbs = certificate.ReadEncodedValue().ToArray() };
            (der.SignatureAlgorithm, der.SignatureParameters) = Der.AlgorithmIdentifier(certificate.ReadSequence());
            der.Signature = certificate.ReadBitString(out _);

            AsnReader tbs = new AsnReader(der.Tbs, AsnEncodingRules.BER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.ReadEncodedValue(); // version
            }
            tbs.ReadEncodedValue(); // serialNumber
            tbs.ReadEncodedValue(); // signature
            der.Issuer = tbs.ReadEncodedValue().ToArray();
            AsnReader validity = tbs.ReadSequence();
            try
            {
                der.NotBefore = Der.Time(validity);
                der.NotAfter = Der.Time(validity);
            }
            catch (Exception e) when (e is AsnContentException or ArgumentException or FormatException)
            {
                // Dates that are not times: the rest of the certificate can still be read.
                der.NotBefore = default;
                der.NotAfter = default;
                der.ValidityError = "not a UTCTime or GeneralizedTime (" + e.Message.TrimEnd('.') + ")";
            }
            der.Subject = tbs.ReadEncodedValue().ToArray();
            AsnReader spki = tbs.ReadSequence();
            (der.KeyAlgorithm, der.KeyParameters) = Der.AlgorithmIdentifier(spki.ReadSequence());
            der.PublicKey = spki.ReadBitString(out _);
            return der;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}

/// <summary>Small DER readers for names, keys, signatures and the extensions the facts report.</summary>
internal static class Der
{
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag IpAddressTag = new(TagClass.ContextSpecific, 7);

    /// <summary>Runs a reader over an extension value; a malformed value reads as an absent one.</summary>
    public static T Tolerant<T>(byte[] value, Func<byte[], T> read, T absent)
    {
        try
        {
            return read(value);
        }
        catch (AsnContentException)
        {
            return absent;
        }
    }

    public static (string Oid, byte[]? Parameters) AlgorithmIdentifier(AsnReader sequence)
    {
        string oid = sequence.ReadObjectIdentifier();
        byte[]? parameters = sequence.HasData ? sequence.ReadEncodedValue().ToArray() : null;
        return (oid, parameters);
    }

    public static DateTime Time(AsnReader reader)
    {
        DateTimeOffset value = reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime)
            ? reader.ReadUtcTime()
            : reader.ReadGeneralizedTime();
        return value.UtcDateTime;
    }

    /// <summary>The value of the last common name (2.5.4.3) in a Name, in encoded order; null without one.</summary>
    public static string? LastCommonName(byte[] name)
    {
        try
        {
            string? last = null;
            AsnReader rdns = new AsnReader(name, AsnEncodingRules.BER).ReadSequence();
            while (rdns.HasData)
            {
                AsnReader set = rdns.ReadSetOf(skipSortOrderValidation: true);
                while (set.HasData)
                {
                    AsnReader attribute = set.ReadSequence();
                    if (attribute.ReadObjectIdentifier() == "2.5.4.3")
                    {
                        last = DirectoryString(attribute);
                    }
                }
            }
            return last;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>
    /// A directory string as it is encoded, without judging its characters (a PrintableString with
    /// a '*' is common in old certificates): UTF8String as UTF-8, BMPString as UTF-16,
    /// UniversalString as UTF-32, the single-byte types byte by byte; anything else as #hex.
    /// </summary>
    private static string DirectoryString(AsnReader reader)
    {
        Asn1Tag tag = reader.PeekTag();
        if (tag.TagClass != TagClass.Universal || tag.IsConstructed)
        {
            return "#" + Hex(reader.ReadEncodedValue().Span);
        }
        switch ((UniversalTagNumber)tag.TagValue)
        {
            case UniversalTagNumber.UTF8String:
                return Encoding.UTF8.GetString(Contents(reader));
            case UniversalTagNumber.BMPString:
                return Encoding.BigEndianUnicode.GetString(Contents(reader));
            case UniversalTagNumber.UniversalString:
                return new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetString(Contents(reader));
            case UniversalTagNumber.PrintableString:
            case UniversalTagNumber.IA5String:
            case UniversalTagNumber.VisibleString:
            case UniversalTagNumber.NumericString:
            case UniversalTagNumber.T61String:
                return Bytewise(Contents(reader));
            default:
                return "#" + Hex(reader.ReadEncodedValue().Span);
        }
    }

    /// <summary>The contents octets of the next (primitive) value, whatever its tag.</summary>
    private static byte[] Contents(AsnReader reader)
    {
        ReadOnlyMemory<byte> encoded = reader.ReadEncodedValue();
        AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out int offset, out int length, out _);
        return encoded.Slice(offset, length).ToArray();
    }

    private static string Bytewise(byte[] bytes)
    {
        char[] chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = (char)bytes[i];
        }
        return new string(chars);
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 2);
        foreach (byte b in bytes)
        {
            text.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>dNSName entries of a GeneralNames value (subjectAltName).</summary>
    public static IReadOnlyList<string> DnsNames(byte[] value) => GeneralNames(new AsnReader(value, AsnEncodingRules.BER).ReadSequence(), DnsNameTag);

    /// <summary>iPAddress entries of a GeneralNames value (subjectAltName); entries of another length than 4 or 16 are skipped.</summary>
    public static IReadOnlyList<string> IpAddresses(byte[] value)
    {
        var found = new List<string>();
        AsnReader names = new AsnReader(value, AsnEncodingRules.BER).ReadSequence();
        while (names.HasData)
        {
            if (names.PeekTag().HasSameClassAndValue(IpAddressTag))
            {
                byte[] address = names.ReadOctetString(IpAddressTag);
                if (address.Length is 4 or 16)
                {
                    found.Add(new System.Net.IPAddress(address).ToString());
                }
            }
            else
            {
                names.ReadEncodedValue();
            }
        }
        return found;
    }

    private static List<string> GeneralNames(AsnReader names, Asn1Tag wanted)
    {
        var found = new List<string>();
        while (names.HasData)
        {
            if (names.PeekTag().HasSameClassAndValue(wanted))
            {
                found.Add(Bytewise(names.ReadOctetString(wanted)));
            }
            else
            {
                names.ReadEncodedValue();
            }
        }
        return found;
    }

    /// <summary>The cA flag of basicConstraints.</summary>
    public static bool IsCertificateAuthority(byte[] value)
    {
        AsnReader constraints = new AsnReader(value, AsnEncodingRules.BER).ReadSequence();
        return constraints.HasData && constraints.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && constraints.ReadBoolean();
    }

    /// <summary>URIs of the fullName form of every distribution point (cRLDistributionPoints).</summary>
    public static IReadOnlyList<string> CrlDistributionPoints(byte[] value)
    {
        var uris = new List<string>();
        AsnReader points = new AsnReader(value, AsnEncodingRules.BER).ReadSequence();
        var distributionPoint = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        var fullName = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        while (points.HasData)
        {
            AsnReader point = points.ReadSequence();
            if (!point.HasData || !point.PeekTag().HasSameClassAndValue(distributionPoint))
            {
                continue;
            }
            AsnReader name = point.ReadSequence(distributionPoint);
            if (name.HasData && name.PeekTag().HasSameClassAndValue(fullName))
            {
                uris.AddRange(GeneralNames(name.ReadSequence(fullName), UriTag));
            }
        }
        return uris;
    }

    /// <summary>URIs of the access descriptions with the given method (authorityInfoAccess).</summary>
    public static IReadOnlyList<string> AccessLocations(byte[] value, string method)
    {
        var uris = new List<string>();
        AsnReader descriptions = new AsnReader(value, AsnEncodingRules.BER).ReadSequence();
        while (descriptions.HasData)
        {
            AsnReader description = descriptions.ReadSequence();
            string accessMethod = description.ReadObjectIdentifier();
            if (accessMethod == method && description.HasData && description.PeekTag().HasSameClassAndValue(UriTag))
            {
                uris.Add(Bytewise(description.ReadOctetString(UriTag)));
            }
        }
        return uris;
    }

    /// <summary>
    /// The key's algorithm and size: RSA modulus bits, the field size of an EC curve, DSA's p
    /// bits, 256/456 for Ed25519/Ed448; for any other key its algorithm OID and 0.
    /// </summary>
    public static (string Algorithm, int Size) KeyAlgorithmAndSize(string oid, byte[]? parameters, byte[] key)
    {
        try
        {
            switch (oid)
            {
                case "1.2.840.113549.1.1.1": // rsaEncryption
                case "1.2.840.113549.1.1.7": // id-RSAES-OAEP
                case "1.2.840.113549.1.1.10": // id-RSASSA-PSS
                case "2.5.8.1.1": // id-ea-rsa
                    AsnReader rsa = new AsnReader(key, AsnEncodingRules.BER).ReadSequence();
                    return ("RSA", BitLength(rsa.ReadIntegerBytes().Span));
                case "1.2.840.10045.2.1": // id-ecPublicKey
                    return ("ECDSA", parameters is null ? 0 : CurveFieldSize(parameters));
                case "1.2.840.10040.4.1": // id-dsa
                    if (parameters is null || parameters.Length < 2 || parameters[0] != 0x30)
                    {
                        return ("DSA", 0);
                    }
                    AsnReader dss = new AsnReader(parameters, AsnEncodingRules.BER).ReadSequence();
                    return ("DSA", BitLength(dss.ReadIntegerBytes().Span));
                case "1.3.101.112":
                    return ("Ed25519", 256);
                case "1.3.101.113":
                    return ("Ed448", 456);
                default:
                    return (oid, 0);
            }
        }
        catch (AsnContentException)
        {
            return (oid, 0);
        }
    }

    private static int CurveFieldSize(byte[] parameters)
    {
        var reader = new AsnReader(parameters, AsnEncodingRules.BER);
        Asn1Tag tag = reader.PeekTag();
        if (tag.HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            return NamedCurveFieldSizes.TryGetValue(reader.ReadObjectIdentifier(), out int size) ? size : 0;
        }
        if (!tag.HasSameClassAndValue(Asn1Tag.Sequence))
        {
            return 0;
        }
        // SpecifiedECDomain (RFC 3279 section 2.3.5): version, fieldID { fieldType, parameters }, ...
        AsnReader domain = reader.ReadSequence();
        domain.ReadEncodedValue();
        AsnReader field = domain.ReadSequence();
        string fieldType = field.ReadObjectIdentifier();
        if (fieldType == "1.2.840.10045.1.1")
        {
            return BitLength(field.ReadIntegerBytes().Span); // prime-field: p
        }
        if (fieldType == "1.2.840.10045.1.2")
        {
            return field.ReadSequence().TryReadInt32(out int m) ? m : 0; // characteristic-two-field: m
        }
        return 0;
    }

    /// <summary>Field sizes of the named curves a server certificate can carry.</summary>
    private static readonly Dictionary<string, int> NamedCurveFieldSizes = new(StringComparer.Ordinal)
    {
        ["1.2.840.10045.3.1.7"] = 256, // P-256
        ["1.3.132.0.34"] = 384, // P-384
        ["1.3.132.0.35"] = 521, // P-521
        ["1.3.132.0.33"] = 224, // P-224
        ["1.2.840.10045.3.1.1"] = 192, // P-192
        ["1.2.840.10045.3.1.2"] = 192,
        ["1.2.840.10045.3.1.3"] = 192,
        ["1.2.840.10045.3.1.4"] = 239,
        ["1.2.840.10045.3.1.5"] = 239,
        ["1.2.840.10045.3.1.6"] = 239,
        ["1.3.132.0.10"] = 256, // secp256k1
        ["1.3.132.0.31"] = 192, // secp192k1
        ["1.3.132.0.32"] = 224, // secp224k1
        ["1.3.132.0.9"] = 160, // secp160k1
        ["1.3.132.0.8"] = 160, // secp160r1
        ["1.3.132.0.30"] = 160, // secp160r2
        ["1.3.132.0.28"] = 128, // secp128r1
        ["1.3.132.0.29"] = 128, // secp128r2
        ["1.3.132.0.6"] = 112, // secp112r1
        ["1.3.132.0.7"] = 112, // secp112r2
        ["1.3.36.3.3.2.8.1.1.1"] = 160, // brainpoolP160r1
        ["1.3.36.3.3.2.8.1.1.2"] = 160,
        ["1.3.36.3.3.2.8.1.1.3"] = 192,
        ["1.3.36.3.3.2.8.1.1.4"] = 192,
        ["1.3.36.3.3.2.8.1.1.5"] = 224,
        ["1.3.36.3.3.2.8.1.1.6"] = 224,
        ["1.3.36.3.3.2.8.1.1.7"] = 256, // brainpoolP256r1
        ["1.3.36.3.3.2.8.1.1.8"] = 256,
        ["1.3.36.3.3.2.8.1.1.9"] = 320,
        ["1.3.36.3.3.2.8.1.1.10"] = 320,
        ["1.3.36.3.3.2.8.1.1.11"] = 384, // brainpoolP384r1
        ["1.3.36.3.3.2.8.1.1.12"] = 384,
        ["1.3.36.3.3.2.8.1.1.13"] = 512, // brainpoolP512r1
        ["1.3.36.3.3.2.8.1.1.14"] = 512,
        ["1.2.156.10197.1.301"] = 256, // SM2
    };

    /// <summary>Bits of a positive big-endian INTEGER.</summary>
    private static int BitLength(ReadOnlySpan<byte> integer)
    {
        int i = 0;
        while (i < integer.Length && integer[i] == 0)
        {
            i++;
        }
        if (i == integer.Length)
        {
            return 0;
        }
        int bits = (integer.Length - i - 1) * 8;
        for (int b = integer[i]; b != 0; b >>= 1)
        {
            bits++;
        }
        return bits;
    }

    /// <summary>Hash and padding of an RSA signature algorithm the platform verifies; null for any other.</summary>
    public static (HashAlgorithmName, RSASignaturePadding)? RsaSignature(string oid, byte[]? parameters)
    {
        switch (oid)
        {
            case "1.2.840.113549.1.1.11":
                return (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.12":
                return (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.13":
                return (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.5":
            case "1.3.14.3.2.29":
                return (HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
            case "1.2.840.113549.1.1.10":
                return PssParameters(parameters) is HashAlgorithmName pss ? (pss, RSASignaturePadding.Pss) : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// The hash of RSASSA-PSS parameters (RFC 4055) in the one form the platform verifies: MGF1
    /// with the same hash, a salt as long as the hash, trailer 1. Null for any other form.
    /// </summary>
    private static HashAlgorithmName? PssParameters(byte[]? parameters)
    {
        if (parameters is null)
        {
            return null; // the defaults: SHA-1 with a 20-byte salt, which some platforms refuse
        }
        AsnReader sequence = new AsnReader(parameters, AsnEncodingRules.BER).ReadSequence();
        string hash = "1.3.14.3.2.26";
        string mgfHash = "1.3.14.3.2.26";
        int salt = 20;
        int trailer = 1;
        while (sequence.HasData)
        {
            Asn1Tag tag = sequence.PeekTag();
            AsnReader field = sequence.ReadSequence(tag);
            switch (tag.TagValue)
            {
                case 0:
                    hash = field.ReadSequence().ReadObjectIdentifier();
                    break;
                case 1:
                    AsnReader mgf = field.ReadSequence();
                    if (mgf.ReadObjectIdentifier() != "1.2.840.113549.1.1.8")
                    {
                        return null;
                    }
                    mgfHash = mgf.ReadSequence().ReadObjectIdentifier();
                    break;
                case 2:
                    if (!field.TryReadInt32(out salt))
                    {
                        return null;
                    }
                    break;
                case 3:
                    if (!field.TryReadInt32(out trailer))
                    {
                        return null;
                    }
                    break;
            }
        }
        (HashAlgorithmName Name, int Length)? known = hash switch
        {
            "2.16.840.1.101.3.4.2.1" => (HashAlgorithmName.SHA256, 32),
            "2.16.840.1.101.3.4.2.2" => (HashAlgorithmName.SHA384, 48),
            "2.16.840.1.101.3.4.2.3" => (HashAlgorithmName.SHA512, 64),
            _ => null,
        };
        return known is { } k && mgfHash == hash && salt == k.Length && trailer == 1 ? k.Name : null;
    }

    /// <summary>The hash of an ECDSA signature algorithm the platform verifies; null for any other.</summary>
    public static HashAlgorithmName? EcdsaHash(string oid) => oid switch
    {
        "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
        "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
        "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
        "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
        _ => null,
    };

    /// <summary>
    /// An ECDSA signature as X.509 carries it (SEQUENCE of r and s) in the r||s form both .NET and
    /// .NET Framework verify; null when r or s does not fit the field.
    /// </summary>
    public static byte[]? EcdsaSignatureToFixedSize(byte[] signature, int fieldBytes)
    {
        AsnReader pair = new AsnReader(signature, AsnEncodingRules.BER).ReadSequence();
        byte[] result = new byte[2 * fieldBytes];
        for (int part = 0; part < 2; part++)
        {
            ReadOnlySpan<byte> value = pair.ReadIntegerBytes().Span;
            while (value.Length > 0 && value[0] == 0)
            {
                value = value.Slice(1);
            }
            if (value.Length > fieldBytes)
            {
                return null;
            }
            value.CopyTo(result.AsSpan((part + 1) * fieldBytes - value.Length));
        }
        return result;
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
