using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TlsTools.Fuzz;
using TlsTools.Revocation;
using TlsTools.Tests.Support;
using Xunit;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Tests;

/// <summary>
/// The fuzz harness's targets (tests/TlsTools.Fuzz/FuzzTargets.cs, compiled in here too) on the seed
/// corpus and on every input that once made a parser throw (tests/TlsTools.Fuzz/regressions).
/// </summary>
public class FuzzRegressionTests
{
    private static string Root => Path.Combine(AppContext.BaseDirectory, "Fuzz");

    private static IEnumerable<object[]> Files(string folder) =>
        Directory.GetDirectories(Path.Combine(Root, folder))
            .SelectMany(d => Directory.GetFiles(d).Select(f => new object[] { Path.GetFileName(d), Path.GetFileName(f) }))
            .OrderBy(x => (string)x[0] + "/" + (string)x[1], StringComparer.Ordinal);

    public static IEnumerable<object[]> Regressions() => Files("regressions");

    public static IEnumerable<object[]> Seeds() => Files("corpus");

    private static byte[] Read(string folder, string target, string file) => File.ReadAllBytes(Path.Combine(Root, folder, target, file));

    [Fact]
    public void EveryTargetHasSeedsAndEveryFolderATarget()
    {
        string[] corpus = Directory.GetDirectories(Path.Combine(Root, "corpus")).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;
        Assert.Equal(FuzzTargets.All.Keys.ToArray(), corpus);
        Assert.All(Directory.GetDirectories(Path.Combine(Root, "regressions")), d => Assert.Contains(Path.GetFileName(d), FuzzTargets.All.Keys));
    }

    [Theory]
    [MemberData(nameof(Regressions))]
    public void ACrashFoundByFuzzingStaysFixed(string target, string file) =>
        FuzzTargets.All[target](Read("regressions", target, file));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EverySeedRunsThroughItsTarget(string target, string file) =>
        FuzzTargets.All[target](Read("corpus", target, file));

    private static readonly TestPki Ca = new();
    private static readonly BcCertificate Leaf = Ca.IssueLeaf("fuzz.partner.example");

    [Fact]
    public void AMalformedCrlIsInvalidAndSaysItCouldNotBeRead()
    {
        foreach (string file in Directory.GetFiles(Path.Combine(Root, "regressions", "crl")))
        {
            var r = new RevocationEndpointResult();
            CrlEvaluator.Evaluate(File.ReadAllBytes(file), Leaf, Ca.Intermediate, null, DateTime.UtcNow, r);
            Assert.True(r.Status == RevocationEndpointStatus.Invalid, $"{Path.GetFileName(file)}: {r.Status} {r.Detail}");
            Assert.Null(r.CertificateStatus);
        }
    }

    [Fact]
    public void AMalformedOcspResponseIsInvalidAndSaysItCouldNotBeRead()
    {
        OcspQuery query = OcspEvaluator.BuildRequest(Leaf, Ca.Intermediate);
        foreach (string file in Directory.GetFiles(Path.Combine(Root, "regressions", "ocsp")))
        {
            // Without the issuer the signature is not checked, so the malformed part is reached.
            var r = new RevocationEndpointResult();
            OcspEvaluator.Evaluate(File.ReadAllBytes(file), query, null, "not given.", DateTime.UtcNow, r);
            Assert.True(r.Status == RevocationEndpointStatus.Invalid, $"{Path.GetFileName(file)}: {r.Status} {r.Detail}");
            Assert.Null(r.CertificateStatus);
        }
    }
}
