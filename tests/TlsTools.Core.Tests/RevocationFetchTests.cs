using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Org.BouncyCastle.Ocsp;
using TlsTools.Revocation;
using TlsTools.Tests.Support;
using TlsTools.Trust;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests;

/// <summary>Fetching endpoints from in-process loopback servers: caps, redirects, failures, proxy, and whole checks.</summary>
public class RevocationFetchTests
{
    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    private static RevocationHttpClient Client(long max = HttpFetchOptions.DefaultMaximumResponseBytes, int redirects = 3, Uri? proxy = null) =>
        new(new HttpFetchOptions { MaximumResponseBytes = max, MaximumRedirection = redirects, Proxy = proxy, NoProxy = proxy is null });

    [Fact]
    public async Task ReadsABodyAndMeasuresIt()
    {
        byte[] body = new byte[1000];
        using var server = new LoopbackHttpServer(_ => Reply.Ok(body));
        using RevocationHttpClient http = Client();
        HttpFetchResult r = await http.GetAsync(new Uri(server.Url("a.crl")), Within(10));
        Assert.Equal(HttpFetchOutcome.Completed, r.Outcome);
        Assert.Equal(200, r.StatusCode);
        Assert.Equal(1000, r.Bytes);
        Assert.True(r.Connected);
#if NETFRAMEWORK
        Assert.Null(r.RemoteAddress); // HttpClientHandler does not say which address it connected to
#else
        Assert.Equal("127.0.0.1", r.RemoteAddress);
#endif
        Assert.True(r.Elapsed > TimeSpan.Zero);
    }

    [Fact]
    public async Task ResponseSizeIsCappedByTheAnnouncedLength()
    {
        using var server = new LoopbackHttpServer(_ => new Reply { Body = new byte[10], AnnouncedLength = 50_000_000 });
        using RevocationHttpClient http = Client(max: 1024);
        HttpFetchResult r = await http.GetAsync(new Uri(server.Url("big.crl")), Within(10));
        Assert.Equal(HttpFetchOutcome.TooLarge, r.Outcome);
        Assert.Equal(0, r.Bytes);
        Assert.Contains("50000000", r.Message);
    }

    [Fact]
    public async Task ResponseSizeIsCappedWhileReadingAChunkedBody()
    {
        using var server = new LoopbackHttpServer(_ => new Reply { Body = new byte[200_000], Chunked = true });
        using RevocationHttpClient http = Client(max: 64 * 1024);
        HttpFetchResult r = await http.GetAsync(new Uri(server.Url("big.crl")), Within(10));
        Assert.Equal(HttpFetchOutcome.TooLarge, r.Outcome);
        Assert.InRange(r.Bytes, 64 * 1024 + 1, 200_000);
    }

    [Fact]
    public async Task RedirectsAreFollowedUpToTheCap()
    {
        using var server = new LoopbackHttpServer(req => req.Path switch
        {
            "/r1" => Reply.Redirect("/r2"),
            "/r2" => Reply.Redirect("/final", 301),
            "/final" => Reply.Ok(new byte[] { 1, 2, 3 }),
            "/loop" => Reply.Redirect("/loop"),
            "/ldap" => Reply.Redirect("ldap://ldap.example/cn=CA?certificateRevocationList"),
            _ => new Reply { Status = 404 },
        });
        using RevocationHttpClient http = Client(redirects: 3);

        HttpFetchResult followed = await http.GetAsync(new Uri(server.Url("r1")), Within(10));
        Assert.Equal(HttpFetchOutcome.Completed, followed.Outcome);
        Assert.Equal(2, followed.Redirects);
        Assert.Equal("/final", followed.FinalUri.AbsolutePath);

        int before = server.Requests.Count;
        HttpFetchResult loop = await http.GetAsync(new Uri(server.Url("loop")), Within(10));
        Assert.Equal(HttpFetchOutcome.RedirectRefused, loop.Outcome);
        Assert.Equal(3, loop.Redirects);
        Assert.Equal(4, server.Requests.Count - before);
        Assert.Contains("more than 3 redirects", loop.Message);

        HttpFetchResult ldap = await http.GetAsync(new Uri(server.Url("ldap")), Within(10));
        Assert.Equal(HttpFetchOutcome.RedirectRefused, ldap.Outcome);
        Assert.Contains("ldap", ldap.Message);

        HttpFetchResult missing = await http.GetAsync(new Uri(server.Url("nothing")), Within(10));
        Assert.Equal(HttpFetchOutcome.HttpStatus, missing.Outcome);
        Assert.Equal(404, missing.StatusCode);
    }

    [Fact]
    public async Task ClosedPortIsAConnectFailureNotAnException()
    {
        using RevocationHttpClient http = Client();
        var watch = Stopwatch.StartNew();
        HttpFetchResult r = await http.GetAsync(new Uri($"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/x.crl"), Within(10));
        Assert.Equal(HttpFetchOutcome.ConnectFailed, r.Outcome);
        Assert.False(r.Connected);
        Assert.Null(r.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task SilentServerTimesOutWithinTheToken()
    {
        using var server = new LoopbackHttpServer(_ => new Reply { Hang = true });
        using RevocationHttpClient http = Client();
        var watch = Stopwatch.StartNew();
        HttpFetchResult r = await http.GetAsync(new Uri(server.Url("slow.crl")), new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token);
        Assert.Equal(HttpFetchOutcome.Timeout, r.Outcome);
#if NETFRAMEWORK
        // HttpClientHandler has no connect callback: the .NET Framework build cannot tell a
        // connected-but-silent server from one that never connected.
        Assert.False(r.Connected);
#else
        Assert.True(r.Connected);
        Assert.Contains("Connected", r.Message);
#endif
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ProxyReceivesTheRequestInAbsoluteForm()
    {
        byte[] body = { 9, 9 };
        using var proxy = new LoopbackHttpServer(_ => Reply.Ok(body));
        using RevocationHttpClient http = Client(proxy: new Uri(proxy.Url("")));
        // The origin does not exist: only the proxy answers.
        string target = $"http://127.0.0.1:{LoopbackHttpServer.ClosedPort()}/through-proxy.crl";
        HttpFetchResult r = await http.GetAsync(new Uri(target), Within(10));
        Assert.Equal(HttpFetchOutcome.Completed, r.Outcome);
        SeenRequest seen = Assert.Single(proxy.Requests);
        Assert.Equal(target, seen.Target);
        Assert.Equal("GET", seen.Method);
    }

    [Fact]
    public async Task OcspIsPostedWithItsContentType()
    {
        var ca = new TestPki();
        using var server = new LoopbackHttpServer(req => Reply.Ok(ca.AnswerAsIntermediate(req.Body, _ => CertificateStatus.Good), "application/ocsp-response"));
        BcCertificate leaf = ca.IssueLeaf("ocsp.partner.example", ocsp: server.Url("ocsp"));
        RevocationCheck check = Plan(new[] { leaf, ca.Intermediate }).Single(c => c.Kind == RevocationEndpointKind.Ocsp && c.Subject!.Certificate.Subject.Contains("ocsp.partner"));
        RevocationEndpointResult r = await Checker().CheckAsync(check, Within(10));
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);
        SeenRequest seen = Assert.Single(server.Requests);
        Assert.Equal("POST", seen.Method);
        Assert.Equal("application/ocsp-request", seen.Headers["Content-Type"]);
    }

    private static IReadOnlyList<RevocationCheck> Plan(IEnumerable<BcCertificate> certificates, List<string>? skipped = null) =>
        RevocationPlanner.ForCertificates(certificates.Select(TestPki.ToDotNet), Array.Empty<StoreCertificate>(), skipped ?? new List<string>());

    private static RevocationChecker Checker(RevocationHttpClient? http = null) => new(http ?? Client(), TimeSpan.FromSeconds(5), CancellationToken.None);

    [Fact]
    public async Task LeafAloneIsCheckedEndToEndWithItsIssuerFromCaIssuers()
    {
        var ca = new TestPki();
        BcCertificate? bad = null;
        var revoked = new HashSet<string>();
        using var server = new LoopbackHttpServer(req => req.Path switch
        {
            "/int.crl" => Reply.Ok(ca.IntermediateCrl(bad!)),
            "/int.cer" => Reply.Ok(ca.Intermediate.GetEncoded()),
            "/ocsp" => Reply.Ok(ca.AnswerAsIntermediate(req.Body, id => revoked.Contains(id.SerialNumber.ToString(16))
                ? new RevokedStatus(DateTime.UtcNow.AddDays(-1), 1) : CertificateStatus.Good), "application/ocsp-response"),
            _ => new Reply { Status = 404 },
        });
        BcCertificate good = ca.IssueLeaf("good.partner.example", server.Url("int.crl"), server.Url("ocsp"), server.Url("int.cer"));
        bad = ca.IssueLeaf("revoked.partner.example", server.Url("int.crl"), server.Url("ocsp"), server.Url("int.cer"));
        revoked.Add(bad.SerialNumber.ToString(16));

        RevocationChecker checker = Checker();
        IReadOnlyList<RevocationCheck> checks = Plan(new[] { good, bad });
        Assert.Equal(6, checks.Count);
        RevocationEndpointResult[] results = await Task.WhenAll(checks.Select(c => checker.CheckAsync(c, Within(10))));

        foreach (RevocationEndpointResult r in results.Where(r => r.Certificate.Contains("good.partner")))
        {
            Assert.True(r.Status == RevocationEndpointStatus.OK, $"{r.Kind}: {r.Status} {r.Detail}");
            Assert.True(r.Reachable);
            Assert.Equal(200, r.HttpStatus);
            if (r.Kind != RevocationEndpointKind.CaIssuers)
            {
                Assert.True(r.SignatureValid, $"{r.Kind}: {r.Detail}");
                Assert.Equal(CertificateRevocationStatus.Good, r.CertificateStatus);
            }
        }
        foreach (RevocationEndpointResult r in results.Where(r => r.Certificate.Contains("revoked.partner") && r.Kind != RevocationEndpointKind.CaIssuers))
        {
            Assert.True(r.Status == RevocationEndpointStatus.Revoked, $"{r.Kind}: {r.Status} {r.Detail}");
        }
        // The issuer was downloaded once per certificate for the CRL and OCSP checks, and once per CaIssuers check.
        Assert.Equal(4, server.Requests.Count(q => q.Path == "/int.cer"));
    }

    [Fact]
    public async Task UnreachableEndpointsAreFindings()
    {
        var ca = new TestPki();
        int closed = LoopbackHttpServer.ClosedPort();
        BcCertificate leaf = ca.IssueLeaf("closed.partner.example", $"http://127.0.0.1:{closed}/int.crl", $"http://127.0.0.1:{closed}/ocsp", $"http://127.0.0.1:{closed}/int.cer");
        RevocationChecker checker = Checker();
        RevocationEndpointResult[] results = await Task.WhenAll(Plan(new[] { leaf }).Select(c => checker.CheckAsync(c, Within(10))));
        Assert.Equal(3, results.Length);
        Assert.All(results, r =>
        {
            Assert.Equal(RevocationEndpointStatus.Unreachable, r.Status);
            Assert.False(r.Reachable);
            Assert.Null(r.HttpStatus);
        });
    }

    [Fact]
    public async Task SlowEndpointIsATimeoutResult()
    {
        using var server = new LoopbackHttpServer(_ => new Reply { Hang = true });
        RevocationEndpointResult r = await Checker().CheckAsync(RevocationPlanner.ForUri(new Uri(server.Url("slow.crl"))), new CancellationTokenSource(TimeSpan.FromSeconds(1)).Token);
        Assert.Equal(RevocationEndpointStatus.Timeout, r.Status);
        Assert.Equal(RevocationEndpointKind.Crl, r.Kind);
    }

    [Fact]
    public async Task TooLargeCrlIsAFinding()
    {
        using var server = new LoopbackHttpServer(_ => new Reply { Body = new byte[5000] });
        using RevocationHttpClient http = Client(max: 4096);
        RevocationEndpointResult r = await Checker(http).CheckAsync(RevocationPlanner.ForUri(new Uri(server.Url("big.crl"))), Within(10));
        Assert.Equal(RevocationEndpointStatus.TooLarge, r.Status);
        Assert.True(r.Reachable);
    }

    [Fact]
    public async Task PresetHostOnlyEntriesNeedOnlyAnAnswer()
    {
        using var server = new LoopbackHttpServer(req => new Reply { Status = req.Path == "/denied/" ? 403 : 404 });
        var check = new RevocationCheck(RevocationEndpointKind.Crl, new Uri(server.Url(""))) { ReachabilityOnly = true, Label = "Some CA", Note = "a note" };
        RevocationEndpointResult r = await Checker().CheckAsync(check, Within(10));
        // A 404 for the bare host proves the host answers: only the file's path is unknown.
        Assert.Equal(RevocationEndpointStatus.OK, r.Status);
        Assert.Equal(404, r.HttpStatus);
        Assert.Equal("Some CA", r.Certificate);
        Assert.Equal("a note", r.Note);

        // A 403 is what a proxy answers when it blocks the host: not a proof of reachability.
        var denied = new RevocationCheck(RevocationEndpointKind.Crl, new Uri(server.Url("denied/"))) { ReachabilityOnly = true };
        Assert.Equal(RevocationEndpointStatus.HttpError, (await Checker().CheckAsync(denied, Within(10))).Status);
    }

    [Fact]
    public void PlannerSkipsNonHttpUrlsAndGuessesKinds()
    {
        var ca = new TestPki();
        BcCertificate leaf = ca.IssueLeaf("ldap.partner.example", crl: "ldap:///CN=CA,CN=CDP?certificateRevocationList", ocsp: "http://ocsp.example/");
        var skipped = new List<string>();
        IReadOnlyList<RevocationCheck> checks = Plan(new[] { leaf, leaf }, skipped);
        Assert.Single(checks);
        Assert.Equal(RevocationEndpointKind.Ocsp, checks[0].Kind);
        Assert.Single(skipped);
        Assert.Contains("ldap", skipped[0]);

        Assert.Equal(RevocationEndpointKind.Crl, RevocationPlanner.GuessKind(new Uri("http://crl.globalsign.com/gsorganizationvalsha2g3.crl")));
        Assert.Equal(RevocationEndpointKind.CaIssuers, RevocationPlanner.GuessKind(new Uri("http://cacerts.digicert.com/DigiCertGlobalRootG2.crt")));
        Assert.Equal(RevocationEndpointKind.Ocsp, RevocationPlanner.GuessKind(new Uri("http://ocsp.digicert.com")));
        Assert.False(RevocationPlanner.TryParseHttpUri("ftp://x/y.crl", out _, out _));
        Assert.False(RevocationPlanner.TryParseHttpUri("not a url", out _, out _));
    }

    [Fact]
    public void PlannerFindsTheIssuerAmongTheGivenCertificates()
    {
        var ca = new TestPki(intermediateCrl: "http://ca.example/root.crl");
        BcCertificate leaf = ca.IssueLeaf("chain.partner.example", crl: "http://ca.example/int.crl");
        IReadOnlyList<RevocationCheck> checks = Plan(new[] { leaf, ca.Intermediate, ca.Root });
        Assert.Equal(2, checks.Count);
        Assert.All(checks, c => Assert.NotNull(c.Subject!.Known?.Issuer));
        RevocationCheck intermediateCheck = checks.Single(c => c.Uri.AbsolutePath == "/root.crl");
        Assert.True(intermediateCheck.Subject!.Known!.Issuer!.SubjectDN.Equivalent(TestPki.RootName));
    }
}
