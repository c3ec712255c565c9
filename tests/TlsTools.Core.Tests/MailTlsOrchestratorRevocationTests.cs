using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Concurrency;
using TlsTools.MailTls;
using TlsTools.Routing;
using TlsTools.Tests.Support;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// The revocation step inside the orchestrator: three MX addresses that present one revoked leaf,
/// its CRL served from an in-process HTTP server and fetched once for the whole domain.
/// </summary>
public class MailTlsOrchestratorRevocationTests
{
    private sealed class ThreeMx : IMailDnsResolver
    {
        public Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<MxRecordData>>(new[] { new MxRecordData(10, "mx1.partner.example."), new MxRecordData(20, "mx2.partner.example."), new MxRecordData(30, "mx3.partner.example.") });

        public Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<IPAddress>>(new[] { IPAddress.Loopback });
    }

    private static async Task<(MailTlsOutcome Outcome, int CrlRequests)> RunAsync(bool revoked, bool skip)
    {
        byte[] crl = Array.Empty<byte>();
        using var http = new LoopbackHttpServer(r => r.Path == "/root.crl" ? Reply.Ok(crl) : new Reply { Status = 404 });
        X509Certificate2 root = TestCertificates.CreateRoot("Orchestrator Revocation Root");
        X509Certificate2 leaf = TestCertificates.CreateLeaf(root, "mx1.partner.example",
            new[] { "mx1.partner.example", "mx2.partner.example", "mx3.partner.example" }, crl: http.Url("root.crl"));
        var builder = new CertificateRevocationListBuilder();
        if (revoked)
        {
            builder.AddEntry(leaf, DateTimeOffset.UtcNow.AddHours(-1), X509RevocationReason.KeyCompromise);
        }
        crl = builder.Build(root, 1, DateTimeOffset.UtcNow.AddDays(7), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        await using var smtp = new LoopbackSmtpServer(new SmtpServerScript { Certificate = leaf });
        using var orchestrator = new MailTlsOrchestrator(new MailTlsOptions
        {
            Port = smtp.Port,
            TimeoutSeconds = 10,
            HeloName = "probe.example",
            TrustedRootCertificates = new X509Certificate2Collection(root),
            UseSystemTrustStore = false,
            SkipRevocationCheck = skip,
            RevocationRoute = Revocation.ProxyRoute.Direct,
        }, new WorkThrottle(3), new ThreeMx());
        MailTlsOutcome outcome = await orchestrator.TestDomainAsync("partner.example", null, CancellationToken.None);
        return (outcome, http.Requests.Count(r => r.Path == "/root.crl"));
    }

    [Fact]
    public async Task ARevokedLeafIsEncryptionOnlyOnEveryAddressAndItsCrlIsFetchedOnce()
    {
        (MailTlsOutcome outcome, int requests) = await RunAsync(revoked: true, skip: false);
        Assert.Equal(3, outcome.Results.Count);
        Assert.All(outcome.Results, r =>
        {
            Assert.True(r.ChainValid);
            Assert.True(r.NameMatches);
            Assert.Equal(RevocationStatus.Revoked, r.RevocationStatus);
            Assert.Equal(ExchangeTlsLevel.EncryptionOnly, r.ExchangeTlsLevel);
            Assert.Equal("direct", r.RevocationProxy);
        });
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task AGoodLeafKeepsItsLevel()
    {
        (MailTlsOutcome outcome, int requests) = await RunAsync(revoked: false, skip: false);
        Assert.All(outcome.Results, r =>
        {
            Assert.Equal(RevocationStatus.Good, r.RevocationStatus);
            Assert.Equal(ExchangeTlsLevel.DomainValidation, r.ExchangeTlsLevel);
        });
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task SkipRevocationCheckFetchesNothing()
    {
        (MailTlsOutcome outcome, int requests) = await RunAsync(revoked: true, skip: true);
        Assert.All(outcome.Results, r =>
        {
            Assert.Equal(RevocationStatus.NotChecked, r.RevocationStatus);
            Assert.Null(r.RevocationProxy);
            Assert.Equal(ExchangeTlsLevel.DomainValidation, r.ExchangeTlsLevel);
        });
        Assert.Equal(0, requests);
    }
}
