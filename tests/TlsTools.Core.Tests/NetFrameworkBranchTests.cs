using System;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Certificates;
using TlsTools.Net;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// Aimed at the core's "#if !NET8_0_OR_GREATER" branches, which only the net472 build (Windows
/// PowerShell 5.1) compiles: build.ps1 -Task Test runs these under Mono as well as on .NET, so each
/// branch executes at least once. The same answers are expected from both builds.
/// </summary>
public class NetFrameworkBranchTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot("Branch Test Root");
    private static readonly X509Certificate2 OtherRoot = TestCertificates.CreateRoot("Branch Test Other Root");
    private static readonly X509Certificate2 Intermediate = TestCertificates.CreateIntermediate(Root, "Branch Test Intermediate");
    private static readonly X509Certificate2 Leaf = TestCertificates.CreateLeaf(Intermediate, "mx.branch.test", new[] { "mx.branch.test" });

    [Fact]
    public void CustomRootTrustAcceptsTheGivenRootOnly()
    {
        // .NET Framework has no CustomRootTrust: the branch allows an unknown root, then requires
        // that the built chain ends in one of the given roots.
        ChainValidation trusted = ChainValidator.Validate(new[] { Leaf, Intermediate }, new[] { Root }, useSystemStore: false);
        Assert.True(trusted.IsValid, string.Join("; ", trusted.Errors));
        Assert.Equal("Custom", trusted.TrustedBy);
        Assert.Equal(Root.Subject, trusted.RootSubject);

        ChainValidation other = ChainValidator.Validate(new[] { Leaf, Intermediate }, new[] { OtherRoot }, useSystemStore: false);
        Assert.False(other.IsValid);
        Assert.Contains(other.Errors, e => e.StartsWith("UntrustedRoot", StringComparison.Ordinal) || e.StartsWith("PartialChain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHostNameIsResolvedByTheSystemResolverUnderACancellableToken()
    {
        // localhost comes from the hosts file: the system resolver branch without any DNS traffic.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        IPAddress[] addresses = await TcpConnector.ResolveAsync("localhost", cts.Token);
        Assert.NotEmpty(addresses);
        Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(a), a.ToString()));
    }

    [Fact]
    public async Task WaitAsyncGivesUpWhenTheTokenIsCancelled()
    {
        var never = new TaskCompletionSource<int>();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TlsTools.Net.TaskExtensions.WaitAsync(never.Task, cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }

    [Fact]
    public async Task WaitAsyncReturnsTheResultWithOrWithoutAToken()
    {
        Assert.Equal(7, await TlsTools.Net.TaskExtensions.WaitAsync(Task.FromResult(7), CancellationToken.None));
        using var cts = new CancellationTokenSource();
        Assert.Equal(8, await TlsTools.Net.TaskExtensions.WaitAsync(Task.Run(async () => { await Task.Delay(50); return 8; }), cts.Token));
    }

    [Fact]
    public async Task ConnectingToAClosedPortIsConnectFailed()
    {
        int closed = LoopbackHttpServer.ClosedPort();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        ProbeException e = await Assert.ThrowsAsync<ProbeException>(() => TcpConnector.ConnectAsync(IPAddress.Loopback, closed, cts.Token));
        Assert.Equal(ProbeFailureKind.ConnectFailed, e.Kind);
        Assert.Contains("127.0.0.1:" + closed, e.Message);
    }
}
