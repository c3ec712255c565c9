using System;
using System.Linq;
using System.Text;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Ocsp;
using TlsTools.Revocation;
using TlsTools.Tests.Support;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests;

/// <summary>CRL, OCSP and CA-issuers content judged on fixtures made by the test PKI (no network).</summary>
public class RevocationContentTests
{
    private static readonly TestPki Ca = new();
    private static readonly BcCertificate Leaf = Ca.IssueLeaf("good.partner.example");
    private static readonly BcCertificate RevokedLeaf = Ca.IssueLeaf("revoked.partner.example");
    private static DateTime Now => DateTime.UtcNow;

    private static RevocationEndpointResult Crl(byte[] crl, BcCertificate? certificate, BcCertificate? issuer)
    {
        var r = new RevocationEndpointResult();
        CrlEvaluator.Evaluate(crl, certificate, issuer, issuer is null ? "not given in this test." : null, Now, r);
        return r;
    }

    [Fact]
    public void CrlIsParsedAndCheckedAgainstTheIssuer()
    {
        byte[] crl = Ca.IntermediateCrl(RevokedLeaf);
        RevocationEndpointResult r = Crl(crl, Leaf, Ca.Intermediate);
        Assert.True(r.Status == RevocationEndpointStatus.OK, r.Detail);
        Assert.Equal(CertificateRevocationStatus.Good, r.CertificateStatus);
        Assert.Equal(1, r.EntryCount);
        Assert.True(r.SignatureValid);
        Assert.Equal("CN=Revocation Test Intermediate, O=TlsTools Tests", r.Issuer);
        Assert.NotNull(r.ThisUpdate);
        Assert.True(r.NextUpdate > Now);
        Assert.Contains("not listed", r.Detail);
    }

    [Fact]
    public void ListedSerialIsRevokedWithDateAndReason()
    {
        RevocationEndpointResult r = Crl(Ca.IntermediateCrl(RevokedLeaf), RevokedLeaf, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.Revoked, r.Status);
        Assert.Equal(CertificateRevocationStatus.Revoked, r.CertificateStatus);
        Assert.Equal("keyCompromise", r.RevocationReason);
        Assert.NotNull(r.RevocationDate);
    }

    [Fact]
    public void CrlPastItsNextUpdateIsExpired()
    {
        byte[] crl = TestPki.Crl(TestPki.IntermediateName, Ca.IntermediateKey.Private, Now.AddDays(-60), Now.AddDays(-30));
        RevocationEndpointResult r = Crl(crl, Leaf, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.Expired, r.Status);
        Assert.Null(r.CertificateStatus);
        Assert.True(r.SignatureValid);
        Assert.Contains("expired", r.Detail);
    }

    [Fact]
    public void CrlSignedByAnotherKeyUnderTheIssuersNameIsInvalid()
    {
        byte[] crl = TestPki.Crl(TestPki.IntermediateName, Ca.ImpostorKey.Private, Now.AddHours(-1), Now.AddDays(7));
        RevocationEndpointResult r = Crl(crl, Leaf, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.Invalid, r.Status);
        Assert.False(r.SignatureValid);
        Assert.Contains("does not verify", r.Detail);
    }

    [Fact]
    public void CrlOfAnotherCaIsWrongIssuer()
    {
        byte[] crl = TestPki.Crl(TestPki.RootName, Ca.RootKey.Private, Now.AddHours(-1), Now.AddDays(7));
        RevocationEndpointResult r = Crl(crl, Leaf, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, r.Status);
        Assert.Contains("Revocation Test Root", r.Detail);
    }

    [Fact]
    public void CrlWithoutAKnownIssuerIsJudgedWithoutItsSignature()
    {
        RevocationEndpointResult r = Crl(Ca.IntermediateCrl(), Leaf, null);
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);
        Assert.Null(r.SignatureValid);
        Assert.Contains("Signature not checked", r.Detail);

        RevocationEndpointResult bare = Crl(Ca.IntermediateCrl(RevokedLeaf), null, null);
        Assert.Equal(RevocationEndpointStatus.OK, bare.Status);
        Assert.Null(bare.CertificateStatus);
        Assert.Equal(1, bare.EntryCount);
    }

    [Fact]
    public void PemCrlParsesAndGarbageIsInvalid()
    {
        byte[] der = Ca.IntermediateCrl();
        string pem = "-----BEGIN X509 CRL-----\n" + Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks) + "\n-----END X509 CRL-----\n";
        Assert.Equal(RevocationEndpointStatus.OK, Crl(Encoding.ASCII.GetBytes(pem), Leaf, Ca.Intermediate).Status);
        Assert.Equal(RevocationEndpointStatus.Invalid, Crl(Encoding.ASCII.GetBytes("<html>404</html>"), Leaf, Ca.Intermediate).Status);
        Assert.Equal(RevocationEndpointStatus.Invalid, Crl(Array.Empty<byte>(), Leaf, Ca.Intermediate).Status);
    }

    private static RevocationEndpointResult Ocsp(byte[] response, OcspQuery query, BcCertificate? issuer)
    {
        var r = new RevocationEndpointResult();
        OcspEvaluator.Evaluate(response, query, issuer, issuer is null ? "not given in this test." : null, Now, r);
        return r;
    }

    [Fact]
    public void OcspRequestNamesTheCertificateAndItsIssuer()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        Req[] requests = new OcspReq(q.Request).GetRequestList();
        Assert.Single(requests);
        CertificateID id = requests[0].GetCertID();
        Assert.Equal(Leaf.SerialNumber, id.SerialNumber);
        Assert.True(id.MatchesIssuer(Ca.Intermediate));
        Assert.False(q.IsProbe);
    }

    [Fact]
    public void OcspRequestWithoutTheIssuerUsesTheAuthorityKeyIdentifier()
    {
        OcspQuery withIssuer = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        OcspQuery withoutIssuer = OcspEvaluator.BuildRequest(Leaf, null);
        Assert.Equal(withIssuer.Id, withoutIssuer.Id);
        Assert.True(OcspEvaluator.BuildRequest(null, null).IsProbe);
    }

    [Fact]
    public void OcspGoodRevokedAndUnknown()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        var byIssuer = new RespID(TestPki.IntermediateName);

        RevocationEndpointResult good = Ocsp(TestPki.OcspResponse(q.Id, CertificateStatus.Good, byIssuer, Ca.IntermediateKey.Private), q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.OK, good.Status);
        Assert.Equal(CertificateRevocationStatus.Good, good.CertificateStatus);
        Assert.True(good.SignatureValid);
        Assert.NotNull(good.ThisUpdate);
        Assert.NotNull(good.NextUpdate);

        DateTime when = Now.AddDays(-3);
        RevocationEndpointResult revoked = Ocsp(TestPki.OcspResponse(q.Id, new RevokedStatus(when, CrlReason.Superseded), byIssuer, Ca.IntermediateKey.Private), q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.Revoked, revoked.Status);
        Assert.Equal(CertificateRevocationStatus.Revoked, revoked.CertificateStatus);
        Assert.Equal("superseded", revoked.RevocationReason);
        Assert.Equal(when, revoked.RevocationDate!.Value, TimeSpan.FromSeconds(1));

        RevocationEndpointResult unknown = Ocsp(TestPki.OcspResponse(q.Id, new UnknownStatus(), byIssuer, Ca.IntermediateKey.Private), q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, unknown.Status);
        Assert.Equal(CertificateRevocationStatus.Unknown, unknown.CertificateStatus);
    }

    [Fact]
    public void OcspByKeyHashResponderIdIsTheIssuer()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        byte[] response = TestPki.OcspResponse(q.Id, CertificateStatus.Good, new RespID(Ca.IntermediateKey.Public), Ca.IntermediateKey.Private);
        RevocationEndpointResult r = Ocsp(response, q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);
        Assert.Equal("CN=Revocation Test Intermediate, O=TlsTools Tests", r.Issuer);
    }

    [Fact]
    public void OcspDelegatedResponderNeedsTheOcspSigningPurpose()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        byte[] delegated = TestPki.OcspResponse(q.Id, CertificateStatus.Good, new RespID(Ca.Responder.SubjectDN), Ca.ResponderKey.Private, new[] { Ca.Responder });
        RevocationEndpointResult ok = Ocsp(delegated, q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.OK, ok.Status);
        Assert.True(ok.SignatureValid);
        Assert.Contains("OCSP Responder", ok.Issuer);

        byte[] noEku = TestPki.OcspResponse(q.Id, CertificateStatus.Good, new RespID(Ca.ResponderWithoutEku.SubjectDN), Ca.ResponderKey.Private, new[] { Ca.ResponderWithoutEku });
        RevocationEndpointResult refused = Ocsp(noEku, q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, refused.Status);
        Assert.Contains("OCSP-signing", refused.Detail);
    }

    [Fact]
    public void OcspSignedByAnotherKeyIsInvalid()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        byte[] forged = TestPki.OcspResponse(q.Id, CertificateStatus.Good, new RespID(TestPki.IntermediateName), Ca.ImpostorKey.Private);
        RevocationEndpointResult r = Ocsp(forged, q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.Invalid, r.Status);
        Assert.False(r.SignatureValid);
    }

    [Fact]
    public void OcspResponseForAnotherCertificateIsInvalid()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        CertificateID other = new(CertificateID.DigestSha1, Ca.Intermediate, BigInteger.ValueOf(42));
        byte[] response = TestPki.OcspResponse(other, CertificateStatus.Good, new RespID(TestPki.IntermediateName), Ca.IntermediateKey.Private);
        Assert.Equal(RevocationEndpointStatus.Invalid, Ocsp(response, q, Ca.Intermediate).Status);
    }

    [Fact]
    public void StaleOcspResponseIsExpired()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        byte[] stale = TestPki.OcspResponse(q.Id, CertificateStatus.Good, new RespID(TestPki.IntermediateName), Ca.IntermediateKey.Private,
            thisUpdate: Now.AddDays(-10), nextUpdate: Now.AddDays(-3));
        RevocationEndpointResult r = Ocsp(stale, q, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.Expired, r.Status);
        Assert.Null(r.CertificateStatus);
    }

    [Fact]
    public void OcspErrorStatuses()
    {
        OcspQuery q = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, Ocsp(TestPki.OcspError(OcspRespStatus.Unauthorized), q, Ca.Intermediate).Status);
        Assert.Equal(RevocationEndpointStatus.Invalid, Ocsp(TestPki.OcspError(OcspRespStatus.TryLater), q, Ca.Intermediate).Status);
        Assert.Equal(RevocationEndpointStatus.Invalid, Ocsp(Encoding.ASCII.GetBytes("not ocsp"), q, Ca.Intermediate).Status);

        // Without a certificate any OCSP answer proves the responder works.
        OcspQuery probe = OcspEvaluator.BuildRequest(null, null);
        RevocationEndpointResult r = Ocsp(TestPki.OcspError(OcspRespStatus.Unauthorized), probe, null);
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);
        Assert.Contains("unauthorized", r.Detail);
    }

    [Fact]
    public void CaIssuersDownloadMustBeTheIssuer()
    {
        var r = new RevocationEndpointResult();
        Assert.NotNull(CaIssuersEvaluator.Evaluate(Ca.Intermediate.GetEncoded(), Leaf, null, Now, r));
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);

        r = new RevocationEndpointResult();
        CaIssuersEvaluator.Evaluate(Ca.Root.GetEncoded(), Leaf, null, Now, r);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, r.Status);

        r = new RevocationEndpointResult();
        CaIssuersEvaluator.Evaluate(Ca.Impostor.GetEncoded(), Leaf, null, Now, r);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, r.Status);
        Assert.Contains("another key", r.Detail);

        r = new RevocationEndpointResult();
        CaIssuersEvaluator.Evaluate(Encoding.ASCII.GetBytes("nope"), Leaf, null, Now, r);
        Assert.Equal(RevocationEndpointStatus.Invalid, r.Status);
    }

    [Fact]
    public void CaIssuersDownloadChecksAnExpectedThumbprint()
    {
        string thumb = TlsTools.Revocation.Pki.Thumbprint(Ca.Root);
        var r = new RevocationEndpointResult();
        CaIssuersEvaluator.Evaluate(Ca.Root.GetEncoded(), null, thumb, Now, r);
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);
        r = new RevocationEndpointResult();
        CaIssuersEvaluator.Evaluate(Ca.Intermediate.GetEncoded(), null, thumb, Now, r);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, r.Status);
    }

    [Fact]
    public void CertificateFileReadsPemChainsAndDer()
    {
        string pem = string.Concat(new[] { Ca.Intermediate, Ca.Root }.Select(c =>
            "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(c.GetEncoded(), Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----\n"));
        var chain = TlsTools.Certificates.CertificateFile.Parse(Encoding.ASCII.GetBytes(pem), "chain.pem");
        Assert.Equal(2, chain.Count);
        Assert.Single(TlsTools.Certificates.CertificateFile.Parse(Leaf.GetEncoded(), "leaf.cer"));
        Assert.Throws<System.IO.InvalidDataException>(() => TlsTools.Certificates.CertificateFile.Parse(Encoding.ASCII.GetBytes("hello"), "x.txt"));
    }
}
