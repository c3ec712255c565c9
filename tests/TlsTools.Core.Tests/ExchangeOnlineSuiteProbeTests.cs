using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.CipherSuites;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// Exchange Online's suites asked with one crafted ClientHello (exactly Microsoft's list): the
/// suite a server would give Exchange Online, whatever this machine's TLS stack offers.
/// </summary>
public class ExchangeOnlineSuiteProbeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AServerThatPrefersASuiteExchangeOnlineDoesNotOfferGivesItOneOfMicrosofts()
    {
        // ECDHE_ECDSA_AES256_GCM first (what .NET on Linux gets), ECDHE_RSA_AES128_GCM after it.
        await using var server = new HelloAnsweringServer
        {
            Accepted = new() { [TlsProtocolVersion.Tls12] = new ushort[] { 0xC02C, 0xC02F } },
            ServerOrder = true,
        };
        ExchangeOnlineSuiteFacts facts = await ExchangeOnlineSuiteProbe.AskAsync(server.Target, Timeout, CancellationToken.None);
        Assert.True(facts.Accepted);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", facts.Suite);
        Assert.Null(facts.Failure);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task AClientOrderServerGivesExchangeOnlineItsFirstChoice()
    {
        await using var server = new HelloAnsweringServer
        {
            Accepted = new() { [TlsProtocolVersion.Tls12] = new ushort[] { 0x009C, 0xC013, 0xC030 } },
        };
        ExchangeOnlineSuiteFacts facts = await ExchangeOnlineSuiteProbe.AskAsync(server.Target, Timeout, CancellationToken.None);
        Assert.Equal("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", facts.Suite);
    }

    [Fact]
    public async Task AServerWithNoneOfTheSuitesRefuses()
    {
        await using var server = new HelloAnsweringServer
        {
            Accepted = new() { [TlsProtocolVersion.Tls12] = new ushort[] { 0xC02C, 0xC02B, 0x009F } },
        };
        ExchangeOnlineSuiteFacts facts = await ExchangeOnlineSuiteProbe.AskAsync(server.Target, Timeout, CancellationToken.None);
        Assert.False(facts.Accepted);
        Assert.Null(facts.Suite);
        Assert.Contains("handshake_failure", facts.Answer);
        Assert.Null(facts.Failure);
    }

    [Fact]
    public async Task ATls13OnlyServerRefusesTheTls12Offer()
    {
        await using var server = new HelloAnsweringServer
        {
            Accepted = new() { [TlsProtocolVersion.Tls13] = new ushort[] { 0x1302 } },
        };
        ExchangeOnlineSuiteFacts facts = await ExchangeOnlineSuiteProbe.AskAsync(server.Target, Timeout, CancellationToken.None);
        Assert.False(facts.Accepted);
        Assert.Contains("protocol_version", facts.Answer);
    }

    [Fact]
    public async Task ASilentServerIsAFailureNotARefusal()
    {
        await using var server = new HelloAnsweringServer
        {
            Accepted = new() { [TlsProtocolVersion.Tls12] = new ushort[] { 0xC02F } },
            Silent = new() { TlsProtocolVersion.Tls12 },
        };
        ExchangeOnlineSuiteFacts facts = await ExchangeOnlineSuiteProbe.AskAsync(server.Target, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Null(facts.Accepted);
        Assert.Equal(ProbeFailureKind.Timeout, facts.Failure!.Kind);
    }

    [Fact]
    public async Task AClosedPortIsAFailure()
    {
        var target = new Probing.ProbeTarget
        {
            HostName = "127.0.0.1", Address = System.Net.IPAddress.Loopback, Port = Support.LoopbackHttpServer.ClosedPort(),
            StartTls = StartTlsProtocol.Smtp, HeloName = "scan.test",
        };
        ExchangeOnlineSuiteFacts facts = await ExchangeOnlineSuiteProbe.AskAsync(target, Timeout, CancellationToken.None);
        Assert.Null(facts.Accepted);
        Assert.Equal(ProbeFailureKind.ConnectFailed, facts.Failure!.Kind);
    }

    [Theory]
    [InlineData("ServerHello", 0x0303, 0xC030, true, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")]
    [InlineData("ServerHello", 0x0303, 0xC02C, false, null)] // a suite that was not offered
    [InlineData("ServerHello", 0x0302, 0xC014, false, null)] // TLS 1.1: Exchange Online never sends with it
    [InlineData("Alert", 0, 0, false, null)]
    [InlineData("Closed", 0, 0, false, null)]
    public void AnswersAreReadAgainstTheOffer(string kindName, int version, int suite, bool accepted, string? name)
    {
        var kind = (ServerAnswerKind)Enum.Parse(typeof(ServerAnswerKind), kindName);
        var answer = new ServerAnswer { Kind = kind, Version = (ushort)version, CipherSuite = (ushort)suite, Detail = kind.ToString() };
        ExchangeOnlineSuiteFacts facts = ExchangeOnlineSuiteProbe.FromAnswer(answer, CipherSuiteInfo.ExchangeOnlineSuiteCodes);
        Assert.Equal(accepted, facts.Accepted);
        Assert.Equal(name, facts.Suite);
        if (kind == ServerAnswerKind.ServerHello && suite == 0xC02C)
        {
            Assert.Contains("not offered", facts.Answer);
        }
    }

    [Fact]
    public void TheOfferIsExactlyMicrosoftsListInItsOrder()
    {
        byte[] hello = ClientHello.Build(TlsProtocolVersion.Tls12, CipherSuiteInfo.ExchangeOnlineSuiteCodes, "mx.partner.example", n => new byte[n]);
        // record(5) + handshake header(4) + version(2) + random(32) + session id length(1, empty)
        int p = 5 + 4 + 2 + 32 + 1;
        int length = (hello[p] << 8) | hello[p + 1];
        var offered = new List<ushort>();
        for (int i = 0; i < length; i += 2)
        {
            offered.Add((ushort)((hello[p + 2 + i] << 8) | hello[p + 3 + i]));
        }
        Assert.Equal(CipherSuiteInfo.ExchangeOnlineSuiteCodes, offered);
    }
}
