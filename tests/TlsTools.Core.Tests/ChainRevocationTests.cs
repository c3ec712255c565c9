using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using TlsTools.Certificates;
using TlsTools.MailTls;
using TlsTools.Probing;
using TlsTools.Revocation;
using TlsTools.Tests.Support;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests;

/// <summary>
/// The revocation step of Test-MailTls: a validated chain's CRLs and OCSP answers fetched from an
/// in-process HTTP server (cached per run, deltas applied, OCSP when no CRL answers, through a proxy),
/// and the verdict judged from hand-made facts.
/// </summary>
public class ChainRevocationTests
{
    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>A CA whose CRLs and OCSP answers are served from a loopback server, from a table the test fills.</summary>
    private sealed class Published : IDisposable
    {
        public readonly ConcurrentDictionary<string, Func<SeenRequest, Reply>> Routes = new(StringComparer.Ordinal);
        public readonly LoopbackHttpServer Server;
        public readonly TestPki Ca;

        public Published()
        {
            Server = new LoopbackHttpServer(r => Routes.TryGetValue(r.Path, out var route) ? route(r) : new Reply { Status = 404 });
            Ca = new TestPki(intermediateCrl: Server.Url("root.crl"));
            byte[] rootCrl = TestPki.Crl(TestPki.RootName, Ca.RootKey.Private, DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddDays(7));
            Routes["/root.crl"] = _ => Reply.Ok(rootCrl);
        }

        public BcCertificate Leaf(string cn, bool ocsp = true) => Ca.IssueLeaf(cn, crl: Server.Url("int.crl"), ocsp: ocsp ? Server.Url("ocsp") : null);

        public IReadOnlyList<X509Certificate2> Chain(BcCertificate leaf) =>
            new[] { TestPki.ToDotNet(leaf), TestPki.ToDotNet(Ca.Intermediate), TestPki.ToDotNet(Ca.Root) };

        public int Requests(string path) => Server.Requests.Count(r => r.Path == path);

        public void Dispose() => Server.Dispose();
    }

    private static ChainRevocationChecker Checker(RevocationCache cache, ProxyRoute? route = null, Func<DateTime>? clock = null) =>
        new(new RevocationHttpClient(new HttpFetchOptions { Route = route ?? ProxyRoute.Direct }), cache, TimeSpan.FromSeconds(5))
        {
            Clock = clock ?? (() => DateTime.UtcNow),
        };

    [Fact]
    public async Task AGoodChainIsGoodAndEachCrlIsFetchedOncePerRun()
    {
        using var p = new Published();
        BcCertificate revoked = p.Leaf("revoked.partner.example");
        byte[] crl = p.Ca.IntermediateCrl(revoked);
        p.Routes["/int.crl"] = _ => Reply.Ok(crl);
        var cache = new RevocationCache();
        ChainRevocationChecker checker = Checker(cache);

        ChainRevocationFacts first = await checker.CheckAsync(p.Chain(p.Leaf("mx1.partner.example")), Within(20));
        ChainRevocationFacts second = await checker.CheckAsync(p.Chain(p.Leaf("mx2.partner.example")), Within(20));
        Assert.Equal(RevocationStatus.Good, RevocationJudgement.Judge(first).Status);
        Assert.Equal(RevocationStatus.Good, RevocationJudgement.Judge(second).Status);
        Assert.Equal(2, first.Certificates.Count); // leaf and intermediate; the root is the anchor
        Assert.All(first.Certificates, c => Assert.Empty(c.Ocsp)); // the CRLs answered
        Assert.Equal(1, p.Requests("/int.crl"));
        Assert.Equal(1, p.Requests("/root.crl"));
        Assert.Equal(0, p.Requests("/ocsp"));
        Assert.Equal(2, cache.Fetches);
        Assert.Equal("direct", first.Proxy);
        Assert.DoesNotContain(p.Server.Requests, r => r.Path.EndsWith(".cer", StringComparison.Ordinal)); // the issuer comes from the chain

        RevocationVerdict verdict = RevocationJudgement.Judge(await checker.CheckAsync(p.Chain(revoked), Within(20)));
        Assert.Equal(RevocationStatus.Revoked, verdict.Status);
        Assert.Contains("keyCompromise", verdict.Findings[0]);
        Assert.Equal(1, p.Requests("/int.crl"));
    }

    [Fact]
    public async Task ACrlPastItsNextUpdateIsFetchedAgain()
    {
        using var p = new Published();
        byte[] crl = p.Ca.IntermediateCrl();
        p.Routes["/int.crl"] = _ => Reply.Ok(crl);
        var cache = new RevocationCache();
        DateTime now = DateTime.UtcNow;
        await Checker(cache, clock: () => now).CheckAsync(p.Chain(p.Leaf("mx1.partner.example")), Within(20));
        // Eight days later the CRLs (nextUpdate in seven) are stale: both are fetched anew.
        await Checker(cache, clock: () => now.AddDays(8)).CheckAsync(p.Chain(p.Leaf("mx2.partner.example")), Within(20));
        Assert.Equal(2, p.Requests("/int.crl"));
        Assert.Equal(2, p.Requests("/root.crl"));
    }

    [Fact]
    public async Task WithoutACrlOcspAnswers()
    {
        using var p = new Published();
        p.Routes["/int.crl"] = _ => new Reply { Status = 503 };
        BcCertificate revoked = p.Leaf("revoked.partner.example");
        p.Routes["/ocsp"] = r => Reply.Ok(p.Ca.AnswerAsIntermediate(r.Body, id =>
            id.SerialNumber.Equals(revoked.SerialNumber) ? new RevokedStatus(DateTime.UtcNow.AddDays(-1), CrlReason.KeyCompromise) : CertificateStatus.Good),
            "application/ocsp-response");
        ChainRevocationChecker checker = Checker(new RevocationCache());

        ChainRevocationFacts good = await checker.CheckAsync(p.Chain(p.Leaf("mx1.partner.example")), Within(20));
        Assert.Equal(RevocationStatus.Good, RevocationJudgement.Judge(good).Status);
        CertificateRevocationFacts leaf = good.Certificates.Single(c => c.Depth == 0);
        Assert.Equal(RevocationEndpointStatus.HttpError, leaf.Crls.Single().Base.Status);
        Assert.Equal(RevocationEndpointStatus.OK, leaf.Ocsp.Single().Status);
        Assert.Contains(p.Server.Requests, r => r.Method == "POST" && r.Path == "/ocsp");

        Assert.Equal(RevocationStatus.Revoked, RevocationJudgement.Judge(await checker.CheckAsync(p.Chain(revoked), Within(20))).Status);
    }

    [Fact]
    public async Task AnAnswerThatDoesNotVerifyIsUnknownNotGood()
    {
        using var p = new Published();
        // A CRL under the intermediate's name, signed with another key; an OCSP answer from an unauthorised signer.
        byte[] forged = TestPki.Crl(TestPki.IntermediateName, p.Ca.ImpostorKey.Private, DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddDays(7));
        p.Routes["/int.crl"] = _ => Reply.Ok(forged);
        p.Routes["/ocsp"] = r => Reply.Ok(TestPki.OcspResponse(new OcspReq(r.Body).GetRequestList()[0].GetCertID(), CertificateStatus.Good,
            new RespID(p.Ca.Impostor.SubjectDN), p.Ca.ImpostorKey.Private, new[] { p.Ca.Impostor }));
        ChainRevocationFacts facts = await Checker(new RevocationCache()).CheckAsync(p.Chain(p.Leaf("mx1.partner.example")), Within(20));
        RevocationVerdict verdict = RevocationJudgement.Judge(facts);
        Assert.Equal(RevocationStatus.Unknown, verdict.Status);
        string finding = string.Join(" ", verdict.Findings);
        Assert.Contains("mx1.partner.example", finding);
        Assert.Contains("does not verify", finding);
    }

    [Fact]
    public async Task NoEndpointOrNoAnswerIsUnknown()
    {
        using var p = new Published();
        BcCertificate bare = p.Ca.IssueLeaf("bare.partner.example");
        RevocationVerdict none = RevocationJudgement.Judge(await Checker(new RevocationCache()).CheckAsync(p.Chain(bare), Within(20)));
        Assert.Equal(RevocationStatus.Unknown, none.Status);
        Assert.Contains(none.Findings, f => f.Contains("names no CRL distribution point"));

        BcCertificate unreachable = p.Ca.IssueLeaf("dead.partner.example", crl: $"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/int.crl");
        RevocationVerdict dead = RevocationJudgement.Judge(await Checker(new RevocationCache()).CheckAsync(p.Chain(unreachable), Within(20)));
        Assert.Equal(RevocationStatus.Unknown, dead.Status);
        Assert.Contains(dead.Findings, f => f.Contains("unreachable"));
    }

    [Fact]
    public async Task ADeltaCrlIsFetchedAndApplied()
    {
        using var p = new Published();
        BcCertificate leaf = p.Leaf("mx1.partner.example");
        BcCertificate late = p.Leaf("late.partner.example");
        string deltaUrl = p.Server.Url("int-delta.crl");
        byte[] complete = TestPki.CrlWith(TestPki.IntermediateName, p.Ca.IntermediateKey.Private, 20,
            g => g.AddExtension(X509Extensions.FreshestCrl, false, TestPki.DistributionPoints(deltaUrl)));
        byte[] delta = TestPki.CrlWith(TestPki.IntermediateName, p.Ca.IntermediateKey.Private, 21,
            g => g.AddExtension(X509Extensions.DeltaCrlIndicator, true, Org.BouncyCastle.Asn1.DerInteger.ValueOf(20)), (late.SerialNumber, CrlReason.Superseded));
        p.Routes["/int.crl"] = _ => Reply.Ok(complete);
        p.Routes["/int-delta.crl"] = _ => Reply.Ok(delta);
        ChainRevocationChecker checker = Checker(new RevocationCache());

        Assert.Equal(RevocationStatus.Good, RevocationJudgement.Judge(await checker.CheckAsync(p.Chain(leaf), Within(20))).Status);
        RevocationVerdict revoked = RevocationJudgement.Judge(await checker.CheckAsync(p.Chain(late), Within(20)));
        Assert.Equal(RevocationStatus.Revoked, revoked.Status);
        Assert.Contains("delta CRL", revoked.Findings[0]);
        Assert.Equal(1, p.Requests("/int-delta.crl"));

        // Without its delta the complete CRL is not current: no answer (and no OCSP here either).
        using var q = new Published();
        byte[] orphan = TestPki.CrlWith(TestPki.IntermediateName, q.Ca.IntermediateKey.Private, 20,
            g => g.AddExtension(X509Extensions.FreshestCrl, false, TestPki.DistributionPoints(q.Server.Url("gone-delta.crl"))));
        q.Routes["/int.crl"] = _ => Reply.Ok(orphan);
        RevocationVerdict unknown = RevocationJudgement.Judge(await Checker(new RevocationCache()).CheckAsync(q.Chain(q.Leaf("mx1.partner.example", ocsp: false)), Within(20)));
        Assert.Equal(RevocationStatus.Unknown, unknown.Status);
        Assert.Contains(unknown.Findings, f => f.Contains("delta CRL"));
    }

    [Fact]
    public async Task EveryRequestGoesThroughTheRouteAndTheFactsNameIt()
    {
        using var p = new Published();
        byte[] crl = p.Ca.IntermediateCrl();
        p.Routes["/int.crl"] = _ => Reply.Ok(crl);
        // A second server stands in for the proxy: it answers from the same table, by the path of the absolute-form target.
        using var proxy = new LoopbackHttpServer(r => p.Routes.TryGetValue(r.Path, out var route) ? route(r) : new Reply { Status = 404 });
        var proxyUri = new Uri(proxy.Url(string.Empty));
        ChainRevocationFacts facts = await Checker(new RevocationCache(), ProxyRoute.Fixed(proxyUri)).CheckAsync(p.Chain(p.Leaf("mx1.partner.example")), Within(20));
        Assert.Equal(RevocationStatus.Good, RevocationJudgement.Judge(facts).Status);
        Assert.Equal(proxyUri.ToString(), facts.Proxy);
        Assert.Empty(p.Server.Requests);
        Assert.Contains(proxy.Requests, r => r.Target.StartsWith("http://127.0.0.1:", StringComparison.Ordinal) && r.Path == "/int.crl");
    }

    [Fact]
    public async Task ARedirectedOcspPostIsPostedAgainWithItsBody()
    {
        byte[] request = { 0x30, 0x03, 0x02, 0x01, 0x01 };
        using var server = new LoopbackHttpServer(r => r.Path switch
        {
            "/old" => Reply.Redirect("/moved", 302),
            "/old301" => Reply.Redirect("/moved", 301),
            "/old307" => Reply.Redirect("/moved", 307),
            "/old308" => Reply.Redirect("/moved", 308),
            "/old303" => Reply.Redirect("/seeother", 303),
            "/moved" => r.Method == "POST" && r.Body.SequenceEqual(request) ? Reply.Ok(new byte[] { 1 }) : new Reply { Status = 405 },
            "/seeother" => r.Method == "GET" ? Reply.Ok(new byte[] { 2 }) : new Reply { Status = 405 },
            _ => new Reply { Status = 404 },
        });
        using var http = new RevocationHttpClient(new HttpFetchOptions { NoProxy = true });
        foreach (string path in new[] { "old", "old301", "old307", "old308" })
        {
            HttpFetchResult r = await http.PostAsync(new Uri(server.Url(path)), request, "application/ocsp-request", null, Within(10));
            Assert.True(r.Outcome == HttpFetchOutcome.Completed, $"{path}: {r.Outcome} {r.Message}");
            Assert.Equal(new byte[] { 1 }, r.Body);
            Assert.Equal(1, r.Redirects);
        }
        HttpFetchResult seeOther = await http.PostAsync(new Uri(server.Url("old303")), request, "application/ocsp-request", null, Within(10));
        Assert.Equal(new byte[] { 2 }, seeOther.Body);
        Assert.All(server.Requests.Where(r => r.Path == "/moved"), r => Assert.Equal("application/ocsp-request", r.Headers["Content-Type"]));
    }

    private static RevocationEndpointResult Endpoint(RevocationEndpointStatus status, CertificateRevocationStatus? certificate, bool? signature, string? reason = null) => new()
    {
        Uri = "http://pki.example/x",
        Status = status,
        CertificateStatus = certificate,
        SignatureValid = signature,
        RevocationReason = reason,
        Issuer = "CN=CA",
        Detail = status.ToString(),
    };

    private static CertificateRevocationFacts Cert(int depth, CrlCheckFacts[]? crls = null, RevocationEndpointResult[]? ocsp = null, bool none = false) => new()
    {
        Subject = $"CN=depth{depth}",
        Depth = depth,
        Crls = crls ?? Array.Empty<CrlCheckFacts>(),
        Ocsp = ocsp ?? Array.Empty<RevocationEndpointResult>(),
        NamesNoEndpoint = none,
    };

    private static CrlCheckFacts Crl(RevocationEndpointResult b, bool deltaNamed = false, RevocationEndpointResult? delta = null) => new() { Base = b, DeltaNamed = deltaNamed, Delta = delta };

    public static IEnumerable<object[]> Verdicts()
    {
        var good = Endpoint(RevocationEndpointStatus.OK, CertificateRevocationStatus.Good, true);
        var revoked = Endpoint(RevocationEndpointStatus.Revoked, CertificateRevocationStatus.Revoked, true, "keyCompromise");
        var unverifiedGood = Endpoint(RevocationEndpointStatus.OK, CertificateRevocationStatus.Good, null);
        var unverifiedRevoked = Endpoint(RevocationEndpointStatus.Revoked, CertificateRevocationStatus.Revoked, null);
        var unreachable = Endpoint(RevocationEndpointStatus.Unreachable, null, null);
        var stale = Endpoint(RevocationEndpointStatus.Expired, null, true);
        yield return new object[] { "good CRL", Cert(0, new[] { Crl(good) }), RevocationStatus.Good };
        yield return new object[] { "revoked CRL", Cert(0, new[] { Crl(revoked) }), RevocationStatus.Revoked };
        yield return new object[] { "unverified good CRL", Cert(0, new[] { Crl(unverifiedGood) }), RevocationStatus.Unknown };
        yield return new object[] { "unverified revoked CRL", Cert(0, new[] { Crl(unverifiedRevoked) }), RevocationStatus.Unknown };
        yield return new object[] { "unreachable CRL, good OCSP", Cert(0, new[] { Crl(unreachable) }, new[] { good }), RevocationStatus.Good };
        yield return new object[] { "stale CRL, revoked OCSP", Cert(0, new[] { Crl(stale) }, new[] { revoked }), RevocationStatus.Revoked };
        yield return new object[] { "unverified OCSP", Cert(0, null, new[] { unverifiedGood }), RevocationStatus.Unknown };
        yield return new object[] { "no endpoint", Cert(0, none: true), RevocationStatus.Unknown };
        yield return new object[] { "good CRL, delta named but missing", Cert(0, new[] { Crl(good, true, null) }), RevocationStatus.Unknown };
        yield return new object[] { "good CRL, delta unreachable", Cert(0, new[] { Crl(good, true, unreachable) }), RevocationStatus.Unknown };
        yield return new object[] { "good CRL, good delta", Cert(0, new[] { Crl(good, true, good) }), RevocationStatus.Good };
        yield return new object[] { "good CRL, revoking delta", Cert(0, new[] { Crl(good, true, revoked) }), RevocationStatus.Revoked };
        yield return new object[] { "revoked CRL, delta unreachable", Cert(0, new[] { Crl(revoked, true, unreachable) }), RevocationStatus.Revoked };
    }

    [Theory]
    [MemberData(nameof(Verdicts))]
    public void OnlyVerifiedAnswersCount(string label, CertificateRevocationFacts certificate, RevocationStatus expected)
    {
        Assert.True(expected == RevocationJudgement.Certificate(certificate).Status, label);
    }

    [Fact]
    public void AChainIsRevokedWhenAnyIsUnknownWhenAnyIsAndGoodOnlyWhenAllAre()
    {
        var good = Crl(Endpoint(RevocationEndpointStatus.OK, CertificateRevocationStatus.Good, true));
        var revoked = Crl(Endpoint(RevocationEndpointStatus.Revoked, CertificateRevocationStatus.Revoked, true));
        var unknown = Crl(Endpoint(RevocationEndpointStatus.Timeout, null, null));
        ChainRevocationFacts Chain(params CrlCheckFacts[] each) => new() { Certificates = each.Select((c, i) => Cert(i, new[] { c })).ToList() };
        Assert.Equal(RevocationStatus.Good, RevocationJudgement.Judge(Chain(good, good)).Status);
        Assert.Equal(RevocationStatus.Unknown, RevocationJudgement.Judge(Chain(good, unknown)).Status);
        RevocationVerdict r = RevocationJudgement.Judge(Chain(unknown, revoked));
        Assert.Equal(RevocationStatus.Revoked, r.Status);
        Assert.Equal("CN=depth1", r.RevokedSubject);
        Assert.Equal(RevocationStatus.NotChecked, RevocationJudgement.Judge(new ChainRevocationFacts()).Status);
        Assert.Equal(RevocationStatus.NotChecked, RevocationJudgement.Judge(new ChainRevocationFacts { NotCheckedBecause = "skipped" }).Status);
    }

    private static readonly X509Certificate2 JudgedLeaf = TestCertificates.CreateLeaf(TestCertificates.CreateRoot("Revocation Judgement Root"), "mx1.partner.example", new[] { "mx1.partner.example" });

    private static MailTlsResult Judge(ChainRevocationFacts? revocation)
    {
        var target = new MailTlsTarget { Domain = "partner.example", MxHost = "mx1.partner.example", Address = IPAddress.Parse("192.0.2.1"), Port = 25 };
        var facts = new ServerTlsFacts
        {
            Connected = true, TlsOffered = true,
            Tls = new TlsSessionFacts { Protocol = "Tls13", CipherSuite = "TLS_AES_256_GCM_SHA384", PresentedCertificates = new[] { JudgedLeaf } },
        };
        var certificate = new CertificateAssessment { Leaf = CertificateFacts.From(JudgedLeaf), ChainValid = true };
        return MailTlsJudgement.Judge(target, facts, certificate, DateTime.UtcNow, revocation: revocation);
    }

    [Fact]
    public void ARevokedChainIsAtMostEncryptionOnlyAndAnUnknownOneKeepsItsLevelWithANote()
    {
        var revoked = new ChainRevocationFacts
        {
            Proxy = "http://proxy.contoso.com:8080/",
            Certificates = new[] { Cert(0, new[] { Crl(Endpoint(RevocationEndpointStatus.Revoked, CertificateRevocationStatus.Revoked, true, "keyCompromise")) }) },
        };
        MailTlsResult r = Judge(revoked);
        Assert.Equal(RevocationStatus.Revoked, r.RevocationStatus);
        Assert.Equal(ExchangeTlsLevel.EncryptionOnly, r.ExchangeTlsLevel);
        Assert.False(r.ForcedTlsReady);
        Assert.Equal("http://proxy.contoso.com:8080/", r.RevocationProxy);
        Assert.Contains(r.Notes, n => n.Contains("is revoked") && n.Contains("keyCompromise") && n.Contains("revocation lists checks"));

        var unknown = new ChainRevocationFacts { Certificates = new[] { Cert(0, new[] { Crl(Endpoint(RevocationEndpointStatus.Unreachable, null, null)) }) } };
        MailTlsResult u = Judge(unknown);
        Assert.Equal(RevocationStatus.Unknown, u.RevocationStatus);
        Assert.Equal(ExchangeTlsLevel.DomainValidation, u.ExchangeTlsLevel);
        Assert.Equal("direct", u.RevocationProxy);
        Assert.Contains(u.Notes, n => n.Contains("could not be confirmed") && n.Contains("unreachable"));

        MailTlsResult notChecked = Judge(null);
        Assert.Equal(RevocationStatus.NotChecked, notChecked.RevocationStatus);
        Assert.Null(notChecked.RevocationProxy);
        Assert.Empty(notChecked.Notes);
    }
}
