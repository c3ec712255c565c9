using System;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Certificates;
using TlsTools.Tests.Support;
using TlsTools.Tls;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// A probe talks to the server it was asked about and to no one else: neither the platform's
/// validation during the handshake nor the chain check afterwards may fetch a missing issuer
/// from a CA-issuers URL. Every URL in these certificates points at a loopback server that
/// would answer, and counts what it is asked.
/// </summary>
public sealed class TlsHandshakeTests : IDisposable
{
    private readonly LoopbackHttpServer _issuers;
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2 _leaf;

    public TlsHandshakeTests()
    {
        X509Certificate2? root = null;
        X509Certificate2? intermediate = null;
        _issuers = new LoopbackHttpServer(r => r.Path switch
        {
            "/root.cer" => Reply.Ok(root!.RawData, "application/pkix-cert"),
            "/intermediate.cer" => Reply.Ok(intermediate!.RawData, "application/pkix-cert"),
            _ => new Reply { Status = 404 },
        });
        root = _root = TestCertificates.CreateRoot("Handshake Test Root");
        intermediate = _intermediate = TestCertificates.CreateIntermediate(_root, "Handshake Test Intermediate", caIssuers: _issuers.Url("root.cer"));
        _leaf = TestCertificates.CreateLeaf(_intermediate, "mx.handshake.test", new[] { "mx.handshake.test" },
            crl: _issuers.Url("intermediate.crl"), ocsp: _issuers.Url("ocsp"), caIssuers: _issuers.Url("intermediate.cer"));
    }

    public void Dispose() => _issuers.Dispose();

    private static async Task ServeAsync(TcpListener listener, X509Certificate2 leaf, X509Certificate2[] intermediates)
    {
        using TcpClient client = await listener.AcceptTcpClientAsync();
        using var ssl = new SslStream(client.GetStream());
#if NETFRAMEWORK
        await ssl.AuthenticateAsServerAsync(leaf, default);
#else
        var context = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(intermediates), offline: true);
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context });
#endif
        byte[] buffer = new byte[16];
        try
        {
            await ssl.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false);
        }
        catch (System.IO.IOException)
        {
        }
    }

    private static async Task<TlsHandshakeResult> HandshakeAsync(X509Certificate2 leaf, params X509Certificate2[] intermediates)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            Task server = ServeAsync(listener, leaf, intermediates);
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            TlsHandshakeResult result = await TlsHandshake.RunAsync(client.GetStream(), new TlsHandshakeOptions { ServerName = "mx.handshake.test" }, cts.Token);
            result.Dispose();
            await server.WaitAsync(TimeSpan.FromSeconds(20));
            return result;
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    [Trait("Platform", "NotOnMono")]
    [Trait("NotOnMonoReason", "On .NET Framework the test server sends only its leaf (no SslStreamCertificateContext), so the presented chain has one certificate.")]
    public async Task HandshakeDoesNotFetchTheRootOfAnUntrustedChain()
    {
        TlsHandshakeResult result = await HandshakeAsync(_leaf, _intermediate);
        Assert.Equal(new[] { _leaf.Thumbprint, _intermediate.Thumbprint }, result.PresentedCertificates.Select(c => c.Thumbprint));
        Assert.True(result.PolicyErrors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.Empty(_issuers.Requests);
    }

    [Fact]
    public async Task HandshakeDoesNotFetchAMissingIntermediate()
    {
        TlsHandshakeResult result = await HandshakeAsync(_leaf);
        Assert.Equal(_leaf.Thumbprint, Assert.Single(result.PresentedCertificates).Thumbprint);
        Assert.Empty(_issuers.Requests);
    }

    [Fact]
    public async Task RepeatedHandshakesKeepTheirChainsApart()
    {
        // Each handshake gets a policy of its own: certificates of one server never show up in the next.
        await HandshakeAsync(_leaf, _intermediate);
        TlsHandshakeResult second = await HandshakeAsync(_leaf);
        Assert.Single(second.PresentedCertificates);
    }

    [Fact]
    public void ChainValidationDoesNotFetchAMissingIntermediateOrRoot()
    {
        ChainValidation leafOnly = ChainValidator.Validate(new[] { _leaf }, new[] { _root }, useSystemStore: true);
        Assert.False(leafOnly.IsValid);
        ChainValidation untrusted = ChainValidator.Validate(new[] { _leaf, _intermediate }, null, useSystemStore: true);
        Assert.False(untrusted.IsValid);
        ChainValidation trusted = ChainValidator.Validate(new[] { _leaf, _intermediate }, new[] { _root }, useSystemStore: true);
        Assert.True(trusted.IsValid, string.Join("; ", trusted.Errors));
        Assert.Empty(_issuers.Requests);
    }

    [Fact]
    public void CertificateFactsReadTheUrlsWithoutFetchingThem()
    {
        CertificateFacts facts = CertificateFacts.From(_leaf);
        Assert.Equal(new[] { _issuers.Url("intermediate.cer") }, facts.CaIssuersUris);
        Assert.Equal(new[] { _issuers.Url("ocsp") }, facts.OcspUris);
        Assert.Equal(new[] { _issuers.Url("intermediate.crl") }, facts.CrlDistributionPoints);
        Assert.Empty(_issuers.Requests);
    }
}
