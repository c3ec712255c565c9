using System;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.X509;
using TlsTools.Revocation;
using TlsTools.Tests.Support;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests;

/// <summary>
/// Partitioned and delta CRLs (RFC 5280 sections 5.2.4 to 5.2.6) and delegated OCSP responders
/// (RFC 6960 section 4.2.2.2), judged on fixtures made by the test PKI.
/// </summary>
public class CrlScopeTests
{
    private const string LeafCdp = "http://pki.partner.example/leaves.crl";
    private static readonly TestPki Ca = new();
    private static readonly BcCertificate Leaf = Ca.IssueLeaf("mx1.partner.example", crl: LeafCdp);
    private static readonly BcCertificate Other = Ca.IssueLeaf("mx2.partner.example", crl: LeafCdp);
    private static DateTime Now => DateTime.UtcNow;

    private static X509Crl Read(byte[] der) => new X509CrlParser().ReadCrl(der);

    private static RevocationEndpointResult Evaluate(byte[] crl, BcCertificate certificate)
    {
        var r = new RevocationEndpointResult();
        CrlEvaluator.Evaluate(Read(crl), certificate, Ca.Intermediate, null, Now, r);
        return r;
    }

    private static Action<X509V2CrlGenerator> Idp(IssuingDistributionPoint idp) => g => g.AddExtension(X509Extensions.IssuingDistributionPoint, true, idp);

    private static DistributionPointName Name(string uri) =>
        new(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, uri)));

    [Fact]
    public void APartitionThatNamesTheCertificatesDistributionPointCoversIt()
    {
        byte[] crl = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7,
            Idp(new IssuingDistributionPoint(Name(LeafCdp), true, false, null, false, false)));
        RevocationEndpointResult r = Evaluate(crl, Leaf);
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);
        Assert.Equal(CertificateRevocationStatus.Good, r.CertificateStatus);
    }

    [Fact]
    public void APartitionForAnotherDistributionPointDoesNotAnswer()
    {
        byte[] crl = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7,
            Idp(new IssuingDistributionPoint(Name("http://pki.partner.example/part2.crl"), false, false, null, false, false)));
        RevocationEndpointResult r = Evaluate(crl, Leaf);
        Assert.Equal(RevocationEndpointStatus.Invalid, r.Status);
        Assert.Null(r.CertificateStatus);
        Assert.Contains("partition", r.Detail);
        Assert.Contains("part2.crl", r.Detail);
    }

    [Fact]
    public void ACaOnlyCrlDoesNotAnswerForALeafAndAUserOnlyCrlNotForACa()
    {
        byte[] caOnly = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7,
            Idp(new IssuingDistributionPoint(null, false, true, null, false, false)));
        RevocationEndpointResult r = Evaluate(caOnly, Leaf);
        Assert.Equal(RevocationEndpointStatus.Invalid, r.Status);
        Assert.Contains("onlyContainsCACerts", r.Detail);

        byte[] userOnly = TestPki.CrlWith(TestPki.RootName, Ca.RootKey.Private, 3,
            Idp(new IssuingDistributionPoint(null, true, false, null, false, false)));
        var forCa = new RevocationEndpointResult();
        CrlEvaluator.Evaluate(Read(userOnly), Ca.Intermediate, Ca.Root, null, Now, forCa);
        Assert.Equal(RevocationEndpointStatus.Invalid, forCa.Status);
        Assert.Contains("onlyContainsUserCerts", forCa.Detail);
    }

    [Fact]
    public void ACrlOfSomeReasonsOnlyRevokesButNeverCallsACertificateGood()
    {
        var reasons = new ReasonFlags(ReasonFlags.KeyCompromise);
        byte[] crl = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7,
            Idp(new IssuingDistributionPoint(null, false, false, reasons, false, false)), (Other.SerialNumber, CrlReason.KeyCompromise));
        RevocationEndpointResult good = Evaluate(crl, Leaf);
        Assert.Equal(RevocationEndpointStatus.OK, good.Status);
        Assert.Null(good.CertificateStatus);
        Assert.Contains("onlySomeReasons", good.Detail);
        Assert.Equal(CertificateRevocationStatus.Revoked, Evaluate(crl, Other).CertificateStatus);
    }

    [Fact]
    public void AnIndirectCrlIsNotSupported()
    {
        byte[] crl = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7,
            Idp(new IssuingDistributionPoint(null, false, false, null, true, false)));
        Assert.Equal(RevocationEndpointStatus.Invalid, Evaluate(crl, Leaf).Status);
    }

    [Fact]
    public void ADeltaCrlWhereACompleteOneIsExpectedIsInvalid()
    {
        byte[] delta = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 8,
            g => g.AddExtension(X509Extensions.DeltaCrlIndicator, true, DerInteger.ValueOf(7)));
        RevocationEndpointResult r = Evaluate(delta, Leaf);
        Assert.Equal(RevocationEndpointStatus.Invalid, r.Status);
        Assert.Contains("delta CRL", r.Detail);
    }

    private static byte[] Delta(long number, long baseNumber, AsymmetricKey? key = null, params (BigInteger, int)[] revoked) =>
        TestPki.CrlWith(TestPki.IntermediateName, (key ?? new AsymmetricKey(Ca.IntermediateKey.Private)).Key, number,
            g => g.AddExtension(X509Extensions.DeltaCrlIndicator, true, DerInteger.ValueOf(baseNumber)), revoked);

    internal sealed record AsymmetricKey(Org.BouncyCastle.Crypto.AsymmetricKeyParameter Key);

    private static RevocationEndpointResult EvaluateDelta(byte[] delta, byte[] complete, BcCertificate certificate)
    {
        var r = new RevocationEndpointResult();
        CrlEvaluator.EvaluateDelta(Read(delta), Read(complete), certificate, Ca.Intermediate, null, Now, r);
        return r;
    }

    [Fact]
    public void ADeltaListsWhatTheCompleteCrlDoesNotYet()
    {
        byte[] complete = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7, null);
        RevocationEndpointResult revoked = EvaluateDelta(Delta(8, 7, null, (Leaf.SerialNumber, CrlReason.KeyCompromise)), complete, Leaf);
        Assert.Equal(RevocationEndpointStatus.Revoked, revoked.Status);
        Assert.Equal(CertificateRevocationStatus.Revoked, revoked.CertificateStatus);
        Assert.Equal("keyCompromise", revoked.RevocationReason);
        Assert.True(revoked.SignatureValid);

        RevocationEndpointResult good = EvaluateDelta(Delta(8, 7), complete, Other);
        Assert.Equal(RevocationEndpointStatus.OK, good.Status);
        Assert.Equal(CertificateRevocationStatus.Good, good.CertificateStatus);
    }

    [Fact]
    public void ARemoveFromCrlEntryLiftsAHold()
    {
        byte[] complete = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7, null, (Leaf.SerialNumber, CrlReason.CertificateHold));
        RevocationEndpointResult d = EvaluateDelta(Delta(8, 7, null, (Leaf.SerialNumber, CrlReason.RemoveFromCrl)), complete, Leaf);
        Assert.Equal(CertificateRevocationStatus.Good, d.CertificateStatus);
        Assert.Equal("removeFromCRL", d.RevocationReason);

        var baseResult = new RevocationEndpointResult();
        CrlEvaluator.Evaluate(Read(complete), Leaf, Ca.Intermediate, null, Now, baseResult);
        Assert.Equal("certificateHold", baseResult.RevocationReason);
        var facts = new CertificateRevocationFacts { Subject = "CN=mx1", Crls = new[] { new CrlCheckFacts { Base = baseResult, DeltaNamed = true, Delta = d } } };
        Assert.Equal(RevocationStatus.Good, RevocationJudgement.Certificate(facts).Status);
    }

    [Fact]
    public void ADeltaForANewerCompleteCrlOrWithAnotherKeyDoesNotCount()
    {
        byte[] complete = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7, null);
        RevocationEndpointResult newer = EvaluateDelta(Delta(10, 9), complete, Leaf);
        Assert.Equal(RevocationEndpointStatus.Invalid, newer.Status);
        Assert.Contains("complete CRL number 9", newer.Detail);

        RevocationEndpointResult forged = EvaluateDelta(Delta(8, 7, new AsymmetricKey(Ca.ImpostorKey.Private)), complete, Leaf);
        Assert.Equal(RevocationEndpointStatus.Invalid, forged.Status);
        Assert.False(forged.SignatureValid);

        RevocationEndpointResult notADelta = EvaluateDelta(complete, complete, Leaf);
        Assert.Equal(RevocationEndpointStatus.Invalid, notADelta.Status);
        Assert.Contains("not a delta", notADelta.Detail);
    }

    [Fact]
    public void TheFreshestCrlIsNamedByTheCrlOrTheCertificate()
    {
        byte[] complete = TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7,
            g => g.AddExtension(X509Extensions.FreshestCrl, false, TestPki.DistributionPoints("http://pki.partner.example/delta.crl", "ldap://pki/delta")));
        Assert.Equal(new[] { new Uri("http://pki.partner.example/delta.crl") }, CrlScope.FreshestCrlUris(Read(complete), Leaf));
        BcCertificate withFreshest = Ca.IssueLeaf("mx3.partner.example", crl: LeafCdp,
            extra: g => g.AddExtension(X509Extensions.FreshestCrl, false, TestPki.DistributionPoints("http://pki.partner.example/delta2.crl")));
        Assert.Equal(new[] { new Uri("http://pki.partner.example/delta2.crl") }, CrlScope.FreshestCrlUris(null, withFreshest));
        Assert.Empty(CrlScope.FreshestCrlUris(Read(TestPki.CrlWith(TestPki.IntermediateName, Ca.IntermediateKey.Private, 7, null)), Leaf));
    }

    [Fact]
    public void AnExpiredDelegatedResponderAuthorisesNothing()
    {
        DateTime now = DateTime.UtcNow;
        BcCertificate expired = TestPki.Issue(new X509Name("O=TlsTools Tests,CN=Expired Responder"), Ca.ResponderKey.Public, TestPki.IntermediateName,
            Ca.IntermediateKey.Private, Ca.Intermediate, ca: false, now.AddDays(-60), now.AddDays(-30), ocspSigning: true);
        OcspQuery query = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        byte[] response = TestPki.OcspResponse(query.Id, CertificateStatus.Good, new RespID(expired.SubjectDN), Ca.ResponderKey.Private, new[] { expired });
        var r = new RevocationEndpointResult();
        OcspEvaluator.Evaluate(response, query, Ca.Intermediate, null, now, r);
        Assert.Equal(RevocationEndpointStatus.WrongIssuer, r.Status);
        Assert.Contains("expired", r.Detail);
        Assert.Null(r.CertificateStatus);

        // The same response from the valid delegated responder is good.
        byte[] valid = TestPki.OcspResponse(query.Id, CertificateStatus.Good, new RespID(Ca.Responder.SubjectDN), Ca.ResponderKey.Private, new[] { Ca.Responder });
        var ok = new RevocationEndpointResult();
        OcspEvaluator.Evaluate(valid, query, Ca.Intermediate, null, now, ok);
        Assert.Equal(RevocationEndpointStatus.OK, ok.Status);
        Assert.True(ok.SignatureValid);
    }
}
