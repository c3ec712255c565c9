using System;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests.Support;

/// <summary>
/// A small CA made with BouncyCastle: root, intermediate, leaves with CRL/OCSP/CA-issuers URLs, a
/// delegated OCSP responder, an impostor with the intermediate's name and another key, and CRLs and
/// OCSP responses signed by any of them. EC P-256 keys keep generation fast.
/// </summary>
internal sealed class TestPki
{
    private static readonly SecureRandom Random = new();
    private static long s_serial = 0x1000;

    public static readonly X509Name RootName = new("O=TlsTools Tests,CN=Revocation Test Root");
    public static readonly X509Name IntermediateName = new("O=TlsTools Tests,CN=Revocation Test Intermediate");

    public AsymmetricCipherKeyPair RootKey { get; } = NewKey();
    public AsymmetricCipherKeyPair IntermediateKey { get; } = NewKey();
    public AsymmetricCipherKeyPair ImpostorKey { get; } = NewKey();
    public AsymmetricCipherKeyPair ResponderKey { get; } = NewKey();

    public BcCertificate Root { get; }
    public BcCertificate Intermediate { get; }

    /// <summary>Self-signed, with the intermediate's name and another key (a CRL it signs has a bad signature).</summary>
    public BcCertificate Impostor { get; }

    /// <summary>Issued by the intermediate with id-kp-OCSPSigning.</summary>
    public BcCertificate Responder { get; }

    /// <summary>Issued by the intermediate, without id-kp-OCSPSigning.</summary>
    public BcCertificate ResponderWithoutEku { get; }

    public TestPki(string? intermediateCrl = null, string? intermediateOcsp = null, string? intermediateCaIssuers = null)
    {
        DateTime now = DateTime.UtcNow;
        Root = Issue(RootName, RootKey.Public, RootName, RootKey.Private, null, ca: true, now.AddDays(-400), now.AddYears(5));
        Intermediate = Issue(IntermediateName, IntermediateKey.Public, RootName, RootKey.Private, Root, ca: true, now.AddDays(-300), now.AddYears(4),
            crl: intermediateCrl, ocsp: intermediateOcsp, caIssuers: intermediateCaIssuers);
        Impostor = Issue(IntermediateName, ImpostorKey.Public, IntermediateName, ImpostorKey.Private, null, ca: true, now.AddDays(-10), now.AddYears(1));
        Responder = Issue(new X509Name("O=TlsTools Tests,CN=Revocation Test OCSP Responder"), ResponderKey.Public, IntermediateName, IntermediateKey.Private,
            Intermediate, ca: false, now.AddDays(-1), now.AddDays(30), ocspSigning: true);
        ResponderWithoutEku = Issue(new X509Name("O=TlsTools Tests,CN=Revocation Test Not A Responder"), ResponderKey.Public, IntermediateName, IntermediateKey.Private,
            Intermediate, ca: false, now.AddDays(-1), now.AddDays(30));
    }

    public static AsymmetricCipherKeyPair NewKey()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, Random));
        return generator.GenerateKeyPair();
    }

    /// <summary>A leaf issued by the intermediate.</summary>
    public BcCertificate IssueLeaf(string cn, string? crl = null, string? ocsp = null, string? caIssuers = null, Action<X509V3CertificateGenerator>? extra = null) =>
        Issue(new X509Name($"O=Partner,CN={cn}"), NewKey().Public, IntermediateName, IntermediateKey.Private, Intermediate, ca: false,
            DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(90), crl, ocsp, caIssuers, extra: extra);

    /// <summary>
    /// A CRL of <paramref name="issuer"/> with CRL number <paramref name="number"/> and whatever
    /// <paramref name="extra"/> adds (issuing distribution point, delta indicator, freshest CRL), listing
    /// <paramref name="revoked"/> with their reasons.
    /// </summary>
    public static byte[] CrlWith(X509Name issuer, AsymmetricKeyParameter signingKey, long number, Action<X509V2CrlGenerator>? extra,
        params (BigInteger Serial, int Reason)[] revoked)
    {
        var g = new X509V2CrlGenerator();
        g.SetIssuerDN(issuer);
        g.SetThisUpdate(DateTime.UtcNow.AddHours(-1));
        g.SetNextUpdate(DateTime.UtcNow.AddDays(7));
        foreach ((BigInteger serial, int reason) in revoked)
        {
            g.AddCrlEntry(serial, DateTime.UtcNow.AddHours(-2), reason);
        }
        g.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.ValueOf(number)));
        extra?.Invoke(g);
        return g.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", signingKey)).GetEncoded();
    }

    /// <summary>A CRLDistributionPoints-syntax value naming <paramref name="uris"/> (for a CDP, a freshest CRL or an issuing distribution point).</summary>
    public static CrlDistPoint DistributionPoints(params string[] uris) =>
        new(Array.ConvertAll(uris, u => new DistributionPoint(new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, u))), null, null)));

    public static BcCertificate Issue(X509Name subject, AsymmetricKeyParameter publicKey, X509Name issuer, AsymmetricKeyParameter signingKey,
        BcCertificate? issuerCert, bool ca, DateTime notBefore, DateTime notAfter,
        string? crl = null, string? ocsp = null, string? caIssuers = null, bool ocspSigning = false, string signatureAlgorithm = "SHA256WITHECDSA",
        Action<X509V3CertificateGenerator>? extra = null)
    {
        var g = new X509V3CertificateGenerator();
        g.SetSerialNumber(BigInteger.ValueOf(System.Threading.Interlocked.Increment(ref s_serial)));
        g.SetSubjectDN(subject);
        g.SetIssuerDN(issuer);
        g.SetNotBefore(notBefore);
        g.SetNotAfter(notAfter);
        g.SetPublicKey(publicKey);
        g.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(ca));
        g.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(ca ? KeyUsage.KeyCertSign | KeyUsage.CrlSign : KeyUsage.DigitalSignature));
        g.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        if (issuerCert is not null)
        {
            g.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(issuerCert.GetPublicKey()));
        }
        if (crl is not null)
        {
            var dp = new DistributionPoint(new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, crl))), null, null);
            g.AddExtension(X509Extensions.CrlDistributionPoints, false, new CrlDistPoint(new[] { dp }));
        }
        if (ocsp is not null || caIssuers is not null)
        {
            var access = new System.Collections.Generic.List<AccessDescription>();
            if (ocsp is not null)
            {
                access.Add(new AccessDescription(AccessDescription.IdADOcsp, new GeneralName(GeneralName.UniformResourceIdentifier, ocsp)));
            }
            if (caIssuers is not null)
            {
                access.Add(new AccessDescription(AccessDescription.IdADCAIssuers, new GeneralName(GeneralName.UniformResourceIdentifier, caIssuers)));
            }
            g.AddExtension(X509Extensions.AuthorityInfoAccess, false, new AuthorityInformationAccess(access.ToArray()));
        }
        if (ocspSigning)
        {
            g.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_OCSPSigning));
        }
        extra?.Invoke(g);
        return g.Generate(new Asn1SignatureFactory(signatureAlgorithm, signingKey));
    }

    /// <summary>A CRL with the given entries (serial, reason), signed by <paramref name="signingKey"/> under <paramref name="issuer"/>'s name.</summary>
    public static byte[] Crl(X509Name issuer, AsymmetricKeyParameter signingKey, DateTime thisUpdate, DateTime? nextUpdate, params (BigInteger Serial, int Reason)[] revoked)
    {
        var g = new X509V2CrlGenerator();
        g.SetIssuerDN(issuer);
        g.SetThisUpdate(thisUpdate);
        if (nextUpdate is DateTime n)
        {
            g.SetNextUpdate(n);
        }
        foreach ((BigInteger serial, int reason) in revoked)
        {
            g.AddCrlEntry(serial, thisUpdate.AddHours(-1), reason);
        }
        g.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.One));
        return g.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", signingKey)).GetEncoded();
    }

    /// <summary>A current CRL of the intermediate, signed with its key.</summary>
    public byte[] IntermediateCrl(params BcCertificate[] revoked) =>
        Crl(IntermediateName, IntermediateKey.Private, DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddDays(7),
            Array.ConvertAll(revoked, c => (c.SerialNumber, CrlReason.KeyCompromise)));

    /// <summary>A successful OCSP response for <paramref name="id"/>.</summary>
    public static byte[] OcspResponse(CertificateID id, CertificateStatus? status, RespID responderId, AsymmetricKeyParameter signingKey,
        BcCertificate[]? included = null, DateTime? thisUpdate = null, DateTime? nextUpdate = null)
    {
        var g = new BasicOcspRespGenerator(responderId);
        DateTime t = thisUpdate ?? DateTime.UtcNow.AddMinutes(-1);
        g.AddResponse(id, status, t, nextUpdate ?? t.AddDays(1), null);
        BasicOcspResp basic = g.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", signingKey), included, DateTime.UtcNow);
        return new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, basic).GetEncoded();
    }

    /// <summary>An OCSP response answered by the intermediate itself, for the certificate ID in <paramref name="request"/>.</summary>
    public byte[] AnswerAsIntermediate(byte[] request, Func<CertificateID, CertificateStatus?> status)
    {
        CertificateID id = new OcspReq(request).GetRequestList()[0].GetCertID();
        return OcspResponse(id, status(id), new RespID(IntermediateName), IntermediateKey.Private);
    }

    public static byte[] OcspError(int status) => new OCSPRespGenerator().Generate(status, null).GetEncoded();

    public static X509Certificate2 ToDotNet(BcCertificate c) => TestBytes.LoadCertificate(c.GetEncoded());
}
