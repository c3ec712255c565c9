using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using TlsTools.CipherSuites;
using TlsTools.Probing;
using Xunit;

using TlsTools.Tests.Support;

namespace TlsTools.Tests;

public class CipherSuiteTableTests
{
    [Fact]
    public void CodesAndNamesAreUnique()
    {
        IReadOnlyList<CipherSuiteInfo> all = CipherSuiteInfo.All;
        Assert.True(all.Count >= 340, $"only {all.Count} suites");
        Assert.Equal(all.Count, all.Select(s => s.Code).Distinct().Count());
        Assert.Equal(all.Count, all.Select(s => s.Name).Distinct().Count());
        Assert.DoesNotContain(all, s => s.Code is 0x0000 or 0x00FF or 0x5600);
    }

    [Theory]
    [InlineData(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE", "RSA", "AES-GCM", 128, "AEAD", true, CipherSuiteStrength.Secure, true)]
    [InlineData(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE", "ECDSA", "AES-GCM", 128, "AEAD", true, CipherSuiteStrength.Recommended, false)]
    [InlineData(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "RSA", "AES-GCM", 128, "AEAD", false, CipherSuiteStrength.Weak, true)]
    [InlineData(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE", "RSA", "AES-CBC", 256, "SHA1", true, CipherSuiteStrength.Weak, true)]
    [InlineData(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE", "RSA", "AES-GCM", 256, "AEAD", true, CipherSuiteStrength.Weak, false)]
    [InlineData(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "RSA", "3DES-EDE-CBC", 112, "SHA1", false, CipherSuiteStrength.Weak, false)]
    [InlineData(0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RSA", "RSA", "RC4", 128, "SHA1", false, CipherSuiteStrength.Insecure, false)]
    [InlineData(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "RSA", "RSA", "RC4", 40, "MD5", false, CipherSuiteStrength.Insecure, false)]
    [InlineData(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "DH", "None", "AES-CBC", 128, "SHA1", false, CipherSuiteStrength.Insecure, false)]
    [InlineData(0x0002, "TLS_RSA_WITH_NULL_SHA", "RSA", "RSA", "NULL", 0, "SHA1", false, CipherSuiteStrength.Insecure, false)]
    [InlineData(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE", "RSA", "CHACHA20-POLY1305", 256, "AEAD", true, CipherSuiteStrength.Secure, false)]
    [InlineData(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE", "ECDSA", "AES-CCM8", 128, "AEAD", true, CipherSuiteStrength.Secure, false)]
    [InlineData(0x1301, "TLS_AES_128_GCM_SHA256", "ECDHE", "Any", "AES-GCM", 128, "AEAD", true, CipherSuiteStrength.Recommended, false)]
    [InlineData(0x1305, "TLS_AES_128_CCM_8_SHA256", "ECDHE", "Any", "AES-CCM8", 128, "AEAD", true, CipherSuiteStrength.Secure, false)]
    [InlineData(0xC0B4, "TLS_SHA256_SHA256", "ECDHE", "Any", "NULL", 0, "SHA256", true, CipherSuiteStrength.Insecure, false)]
    public void ReadsThePartsOfASuiteFromItsName(int code, string name, string kx, string au, string enc, int bits, string mac, bool fs, CipherSuiteStrength strength, bool exchangeOnline)
    {
        CipherSuiteInfo s = CipherSuiteInfo.Find((ushort)code)!;
        Assert.Equal(name, s.Name);
        Assert.Equal(kx, s.KeyExchange);
        Assert.Equal(au, s.Authentication);
        Assert.Equal(enc, s.Encryption);
        Assert.Equal(bits, s.Bits);
        Assert.Equal(mac, s.Mac);
        Assert.Equal(fs, s.ForwardSecrecy);
        Assert.Equal(strength, s.Strength);
        Assert.Equal(exchangeOnline, s.ExchangeOnline);
        Assert.Equal($"0x{code:X4}", s.CodeText);
    }

    [Fact]
    public void ExchangeOnlineListIsInTheRegistry()
    {
        Assert.Equal(8, CipherSuiteInfo.ExchangeOnlineSuites.Count);
        foreach (string name in CipherSuiteInfo.ExchangeOnlineSuites)
        {
            Assert.Contains(CipherSuiteInfo.All, s => s.Name == name && s.ExchangeOnline);
        }
        Assert.Equal(8, CipherSuiteInfo.All.Count(s => s.ExchangeOnline));
    }

    [Fact]
    public void Tls13OffersOnlyTls13Suites()
    {
        IReadOnlyList<CipherSuiteInfo> tls13 = CipherSuiteInfo.ForProtocol(TlsProtocolVersion.Tls13);
        Assert.Contains(tls13, s => s.Code == 0x1301);
        Assert.All(tls13, s => Assert.True(s.IsTls13));
        IReadOnlyList<CipherSuiteInfo> tls12 = CipherSuiteInfo.ForProtocol(TlsProtocolVersion.Tls12);
        Assert.DoesNotContain(tls12, s => s.IsTls13);
        Assert.Equal(CipherSuiteInfo.All.Count, tls13.Count + tls12.Count);
    }
}

public class ClientHelloTests
{
    private static byte[] Counting(int n) => Enumerable.Range(1, n).Select(i => (byte)(i % 256)).ToArray();

    internal static byte[] Hex(string name) =>
        TestBytes.FromHex(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "CipherSuites", name)).Trim());

    [Fact]
    public void Ssl3HelloHasNoExtensionsAndSignalsRenegotiation()
    {
        byte[] hello = ClientHello.Build(TlsProtocolVersion.Ssl3, new ushort[] { 0x0035, 0x002F }, "ignored.example", Counting);
        Assert.Equal(
            "16030000310100002D0300" + TestBytes.ToHex(Counting(32)) + "00" + "0006" + "0035002F00FF" + "0100",
            TestBytes.ToHex(hello));
    }

    [Fact]
    public void Tls12HelloMatchesTheFixtureAPostfixServerAnswered()
    {
        byte[] hello = ClientHello.Build(TlsProtocolVersion.Tls12, new ushort[] { 0xC030, 0xC02F, 0x009C }, "legacy.mx.bed.test", Counting);
        Assert.Equal(Hex("clienthello-tls12.hex"), hello);
    }

    [Fact]
    public void Tls13HelloMatchesTheFixtureAPostfixServerAnswered()
    {
        byte[] hello = ClientHello.Build(TlsProtocolVersion.Tls13, new ushort[] { 0x1302, 0x1301, 0x1303 }, "good.mx.bed.test", Counting);
        Assert.Equal(Hex("clienthello-tls13.hex"), hello);
    }

    [Theory]
    [InlineData(TlsProtocolVersion.Tls10, 0x0301)]
    [InlineData(TlsProtocolVersion.Tls11, 0x0302)]
    [InlineData(TlsProtocolVersion.Tls12, 0x0303)]
    [InlineData(TlsProtocolVersion.Tls13, 0x0303)]
    public void HelloCarriesVersionSuitesAndTheExtensionsOfARealClient(TlsProtocolVersion protocol, int legacyVersion)
    {
        ushort[] suites = CipherSuiteInfo.ForProtocol(protocol).Select(s => s.Code).ToArray();
        byte[] record = ClientHello.Build(protocol, suites, "mx.example.com", Counting);
        ParsedHello h = ParsedHello.Parse(record);
        Assert.Equal(0x0301, h.RecordVersion);
        Assert.Equal(record.Length - 5, h.RecordLength);
        Assert.Equal(legacyVersion, h.Version);
        Assert.Equal(suites, h.Suites);
        Assert.Equal("mx.example.com", h.ServerName);
        Assert.Contains(0x000A, h.Extensions.Keys); // supported_groups
        Assert.Contains(0x000D, h.Extensions.Keys); // signature_algorithms
        Assert.Contains(0xFF01, h.Extensions.Keys); // renegotiation_info
        if (protocol == TlsProtocolVersion.Tls13)
        {
            Assert.Equal(32, h.SessionIdLength);
            Assert.Equal(new byte[] { 2, 0x03, 0x04 }, h.Extensions[0x002B]);
            byte[] share = h.Extensions[0x0033];
            Assert.Equal(new byte[] { 0, 36, 0x00, 0x1D, 0, 32 }, share.Take(6).ToArray()); // one x25519 share of 32 bytes
            Assert.Equal(38, share.Length);
        }
        else
        {
            Assert.Equal(0, h.SessionIdLength);
            Assert.DoesNotContain(0x002B, h.Extensions.Keys);
            Assert.DoesNotContain(0x0033, h.Extensions.Keys);
            Assert.Contains(0x000B, h.Extensions.Keys); // ec_point_formats
        }
    }

    [Fact]
    public void AddressLiteralsGetNoServerName()
    {
        byte[] record = ClientHello.Build(TlsProtocolVersion.Tls12, new ushort[] { 0xC02F }, null, Counting);
        Assert.DoesNotContain(0x0000, ParsedHello.Parse(record).Extensions.Keys);
    }

    [Fact]
    public void RefusesAnEmptyOffer() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientHello.Build(TlsProtocolVersion.Tls12, Array.Empty<ushort>(), null, Counting));

    /// <summary>An independent reading of a ClientHello record, to check what Build wrote.</summary>
    private sealed class ParsedHello
    {
        public int RecordVersion;
        public int RecordLength;
        public int Version;
        public int SessionIdLength;
        public ushort[] Suites = Array.Empty<ushort>();
        public Dictionary<int, byte[]> Extensions = new();
        public string? ServerName;

        public static ParsedHello Parse(byte[] r)
        {
            var h = new ParsedHello();
            Assert.Equal(0x16, r[0]);
            h.RecordVersion = (r[1] << 8) | r[2];
            h.RecordLength = (r[3] << 8) | r[4];
            Assert.Equal(1, r[5]);
            int bodyLength = (r[6] << 16) | (r[7] << 8) | r[8];
            Assert.Equal(h.RecordLength - 4, bodyLength);
            int p = 9;
            h.Version = (r[p] << 8) | r[p + 1];
            p += 2 + 32;
            h.SessionIdLength = r[p];
            p += 1 + h.SessionIdLength;
            int suitesLength = (r[p] << 8) | r[p + 1];
            p += 2;
            h.Suites = Enumerable.Range(0, suitesLength / 2).Select(i => (ushort)((r[p + 2 * i] << 8) | r[p + 2 * i + 1])).ToArray();
            p += suitesLength;
            Assert.Equal(1, r[p]);
            Assert.Equal(0, r[p + 1]);
            p += 2;
            int extensionsLength = (r[p] << 8) | r[p + 1];
            p += 2;
            Assert.Equal(r.Length, p + extensionsLength);
            while (p < r.Length)
            {
                int type = (r[p] << 8) | r[p + 1];
                int length = (r[p + 2] << 8) | r[p + 3];
                h.Extensions[type] = r.Skip(p + 4).Take(length).ToArray();
                p += 4 + length;
            }
            if (h.Extensions.TryGetValue(0, out byte[]? sni))
            {
                Assert.Equal(0, sni[2]);
                h.ServerName = System.Text.Encoding.ASCII.GetString(sni, 5, (sni[3] << 8) | sni[4]);
            }
            return h;
        }
    }
}

public class ServerHelloReaderTests
{
    private static ServerAnswer ParseAll(byte[] data) => ServerHelloReader.Parse(data, data.Length)!;

    [Fact]
    public void ReadsATls13ServerHelloFromSupportedVersions()
    {
        ServerAnswer a = ParseAll(ClientHelloTests.Hex("serverhello-tls13-postfix.hex"));
        Assert.Equal(ServerAnswerKind.ServerHello, a.Kind);
        Assert.Equal(0x0304, a.Version);
        Assert.Equal(0x1302, a.CipherSuite);
        Assert.True(a.Accepted);
        Assert.Contains("TLS_AES_256_GCM_SHA384", a.Detail);
    }

    [Fact]
    public void ReadsATls12ServerHello()
    {
        ServerAnswer a = ParseAll(ClientHelloTests.Hex("serverhello-tls12-postfix.hex"));
        Assert.Equal(ServerAnswerKind.ServerHello, a.Kind);
        Assert.Equal(0x0303, a.Version);
        Assert.Equal(0xC030, a.CipherSuite);
    }

    [Theory]
    [InlineData("alert-protocol-version.hex", 70, "protocol_version")]
    [InlineData("alert-handshake-failure.hex", 40, "handshake_failure")]
    public void ReadsAlerts(string fixture, int description, string name)
    {
        ServerAnswer a = ParseAll(ClientHelloTests.Hex(fixture));
        Assert.Equal(ServerAnswerKind.Alert, a.Kind);
        Assert.Equal(2, a.AlertLevel);
        Assert.Equal(description, a.AlertDescription);
        Assert.False(a.Accepted);
        Assert.Contains(name, a.Detail);
    }

    [Fact]
    public void ReadsAHelloRetryRequestAsAcceptance()
    {
        var body = new List<byte> { 0x03, 0x03 };
        body.AddRange(ServerHelloReader.HelloRetryRandom);
        body.Add(0); // session id
        body.AddRange(new byte[] { 0x13, 0x01, 0x00 });
        body.AddRange(new byte[] { 0x00, 0x0C, 0x00, 0x2B, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x17 });
        byte[] record = Record(0x16, Handshake(2, body.ToArray()));
        ServerAnswer a = ParseAll(record);
        Assert.Equal(ServerAnswerKind.HelloRetryRequest, a.Kind);
        Assert.Equal(0x0304, a.Version);
        Assert.Equal(0x1301, a.CipherSuite);
        Assert.True(a.Accepted);
    }

    [Fact]
    public void WaitsForEveryByteAndJoinsAServerHelloSplitOverRecords()
    {
        byte[] whole = ClientHelloTests.Hex("serverhello-tls12-postfix.hex");
        byte[] message = whole.Skip(5).ToArray();
        byte[] split = Record(0x16, message.Take(10).ToArray()).Concat(Record(0x16, message.Skip(10).ToArray())).ToArray();
        for (int n = 0; n < split.Length; n++)
        {
            Assert.Null(ServerHelloReader.Parse(split, n));
        }
        ServerAnswer a = ServerHelloReader.Parse(split, split.Length)!;
        Assert.Equal(0xC030, a.CipherSuite);
    }

    [Fact]
    public void PlainTextIsNotTls()
    {
        byte[] text = System.Text.Encoding.ASCII.GetBytes("454 4.7.0 TLS not available\r\n");
        Assert.Equal(ServerAnswerKind.NotTls, ParseAll(text).Kind);
        Assert.Equal(ServerAnswerKind.NotTls, ServerHelloReader.Parse(new byte[] { 0x80, 0x2E }, 2)!.Kind);
    }

    [Fact]
    public void OversizedRecordsAndOtherMessagesAreMalformed()
    {
        Assert.Equal(ServerAnswerKind.Malformed, ParseAll(new byte[] { 0x16, 0x03, 0x03, 0x50, 0x01 }).Kind);
        Assert.Equal(ServerAnswerKind.Malformed, ParseAll(Record(0x16, Handshake(11, new byte[8]))).Kind);
        Assert.Equal(ServerAnswerKind.Malformed, ParseAll(Record(0x17, new byte[8])).Kind);
        Assert.Equal(ServerAnswerKind.Malformed, ParseAll(Record(0x16, Handshake(2, new byte[10]))).Kind);
    }

    [Fact]
    public async Task ReportsAClosedConnection()
    {
        ServerAnswer closed = await ServerHelloReader.ReadAsync(new MemoryStream(), default);
        Assert.Equal(ServerAnswerKind.Closed, closed.Kind);
        ServerAnswer truncated = await ServerHelloReader.ReadAsync(new MemoryStream(new byte[] { 0x16, 0x03, 0x03, 0x00, 0x40, 0x02 }), default);
        Assert.Equal(ServerAnswerKind.Malformed, truncated.Kind);
        ServerAnswer hello = await ServerHelloReader.ReadAsync(new MemoryStream(ClientHelloTests.Hex("serverhello-tls13-postfix.hex")), default);
        Assert.Equal(0x1302, hello.CipherSuite);
    }

    private static byte[] Handshake(byte type, byte[] body) =>
        new[] { type, (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length }.Concat(body).ToArray();

    private static byte[] Record(byte type, byte[] fragment) =>
        new[] { type, (byte)0x03, (byte)0x03, (byte)(fragment.Length >> 8), (byte)fragment.Length }.Concat(fragment).ToArray();
}

public class CipherScanJudgementTests
{
    private static readonly ProbeTarget Target = new() { HostName = "mx.example.com", Address = IPAddress.Parse("192.0.2.25"), Port = 25, StartTls = StartTlsProtocol.Smtp };

    [Fact]
    public void JudgesALegacyServer()
    {
        var facts = new CipherScanFacts
        {
            Target = Target,
            Protocols = new[]
            {
                new ProtocolScanFacts { Protocol = TlsProtocolVersion.Tls10, Accepted = new ushort[] { 0x0035, 0xC014 }, ServerOrder = true, Refusal = "alert handshake_failure (40)", Connections = 4 },
                new ProtocolScanFacts { Protocol = TlsProtocolVersion.Tls12, Accepted = new ushort[] { 0xC030, 0x009C, 0x000A }, ServerOrder = false, Connections = 5 },
                new ProtocolScanFacts { Protocol = TlsProtocolVersion.Tls13, Refusal = "alert protocol_version (70)", Connections = 1 },
            },
        };
        CipherScanSummary s = CipherScanJudgement.Summarize(facts, "example.com");
        Assert.Equal(new[] { TlsProtocolVersion.Tls10, TlsProtocolVersion.Tls12 }, s.SupportedProtocols);
        Assert.True(s.LegacyProtocolAccepted);
        Assert.Equal(5, s.Suites.Count);
        Assert.Equal(new[] { "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256" }, s.WeakSuitesAccepted);
        Assert.True(s.NonForwardSecretAccepted);
        Assert.True(s.AcceptsExchangeOnlineSuite);
        Assert.False(s.ServerPrefersOwnOrder); // the newest protocol with a choice decides
        Assert.False(s.Inconclusive);
        Assert.Equal(10, s.Connections);
        CipherSuiteResult first = s.Suites[0];
        Assert.Equal(("mx.example.com", "example.com", "192.0.2.25", 25), (first.ComputerName, first.Domain, first.IPAddress, first.Port));
        Assert.Equal(TlsProtocolVersion.Tls10, first.Protocol);
        Assert.Equal("0x0035", first.Code);
        Assert.True(first.ServerPrefersOwnOrder);
        Assert.Equal(new bool?[] { true, true, false }, s.Protocols.Select(p => p.Supported).ToArray());
    }

    [Fact]
    public void AnInconclusiveProtocolIsNeitherSupportedNorRefused()
    {
        var facts = new CipherScanFacts
        {
            Target = Target,
            Protocols = new[]
            {
                new ProtocolScanFacts { Protocol = TlsProtocolVersion.Tls11, Inconclusive = new ProbeFailure(ProbeFailureKind.GreetingRejected, "421") },
                new ProtocolScanFacts { Protocol = TlsProtocolVersion.Tls13, Accepted = new ushort[] { 0x1301 } },
            },
        };
        CipherScanSummary s = CipherScanJudgement.Summarize(facts);
        Assert.Null(s.Protocols[0].Supported);
        Assert.Equal("421", s.Protocols[0].Inconclusive);
        Assert.True(s.Inconclusive);
        Assert.Null(s.AcceptsExchangeOnlineSuite); // none found, but the scan did not finish
        Assert.Null(s.ServerPrefersOwnOrder);
        Assert.Empty(s.WeakSuitesAccepted);
        Assert.False(s.LegacyProtocolAccepted);
    }
}
