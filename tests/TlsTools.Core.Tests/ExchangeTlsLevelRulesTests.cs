using System.Linq;
using TlsTools.MailTls;
using Xunit;

namespace TlsTools.Tests;

public class ExchangeTlsLevelRulesTests
{
    [Theory]
    [InlineData(false, null, null, null, null, ExchangeTlsLevel.None)]
    [InlineData(true, "Tls10", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", true, true, ExchangeTlsLevel.None)]
    [InlineData(true, "Tls11", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", true, true, ExchangeTlsLevel.None)]
    [InlineData(true, "Tls12", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", true, true, ExchangeTlsLevel.None)]
    [InlineData(true, "Tls12", "TLS_RSA_WITH_AES_256_CBC_SHA", true, true, ExchangeTlsLevel.None)]
    [InlineData(true, "Tls12", "TLS_RSA_WITH_AES_256_GCM_SHA384", true, true, ExchangeTlsLevel.DomainValidation)]
    [InlineData(true, "Tls12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false, true, ExchangeTlsLevel.EncryptionOnly)]
    [InlineData(true, "Tls12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", null, null, ExchangeTlsLevel.EncryptionOnly)]
    [InlineData(true, "Tls12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true, false, ExchangeTlsLevel.CertificateValidation)]
    [InlineData(true, "Tls12", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true, true, ExchangeTlsLevel.DomainValidation)]
    [InlineData(true, "Tls13", "TLS_AES_256_GCM_SHA384", true, true, ExchangeTlsLevel.DomainValidation)]
    [InlineData(true, "Tls13", "TLS_CHACHA20_POLY1305_SHA256", true, false, ExchangeTlsLevel.CertificateValidation)]
    // Windows PowerShell 5.1 cannot name the suite: the protocol decides alone.
    [InlineData(true, "Tls12", null, true, true, ExchangeTlsLevel.DomainValidation)]
    public void DecisionTable(bool tls, string? protocol, string? suite, bool? chainValid, bool? nameMatches, ExchangeTlsLevel expected)
    {
        var evidence = new TlsEvidence { TlsEstablished = tls, Protocol = protocol, CipherSuite = suite, ChainValid = chainValid, NameMatches = nameMatches };
        ExchangeTlsLevel level = ExchangeTlsLevelRules.Decide(evidence, out var reasons);
        Assert.Equal(expected, level);
        Assert.Equal(level == ExchangeTlsLevel.DomainValidation, reasons.Count == 0);
    }

    [Theory]
    // Microsoft's list names no ECDSA suite: without the answer to Exchange Online's own offer, an ECDSA suite is not one of them.
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", null, ExchangeTlsLevel.None)]
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", null, ExchangeTlsLevel.None)]
    // The answer to exactly Exchange Online's suites decides, whatever this machine negotiated.
    [InlineData("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", true, ExchangeTlsLevel.DomainValidation)]
    [InlineData("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", true, ExchangeTlsLevel.DomainValidation)]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", false, ExchangeTlsLevel.None)]
    [InlineData(null, false, ExchangeTlsLevel.None)]
    [InlineData(null, true, ExchangeTlsLevel.DomainValidation)]
    public void Tls12IsDecidedByExchangeOnlinesOwnOffer(string? negotiated, bool? exchangeOnlineAccepted, ExchangeTlsLevel expected)
    {
        var evidence = new TlsEvidence
        {
            TlsEstablished = true, Protocol = "Tls12", CipherSuite = negotiated, ChainValid = true, NameMatches = true,
            ExchangeOnlineSuiteAccepted = exchangeOnlineAccepted, ExchangeOnlineSuiteAnswer = "alert handshake_failure (40)",
        };
        Assert.Equal(expected, ExchangeTlsLevelRules.Decide(evidence, out var reasons));
        if (exchangeOnlineAccepted == false)
        {
            Assert.Contains(reasons, r => r.Contains("Exchange Online's TLS 1.2 suites") && r.Contains("handshake_failure"));
        }
    }

    [Fact]
    public void TheExchangeOnlineListIsMicrosoftsEightSuitesFromOneSource()
    {
        Assert.Equal(8, CipherSuiteFacts.ExchangeOnlineTls12Suites.Count);
        Assert.Equal(CipherSuites.CipherSuiteInfo.ExchangeOnlineSuites.OrderBy(n => n), CipherSuiteFacts.ExchangeOnlineTls12Suites.OrderBy(n => n));
        Assert.DoesNotContain(CipherSuiteFacts.ExchangeOnlineTls12Suites, n => n.Contains("ECDSA"));
        Assert.Equal(new ushort[] { 0xC030, 0xC02F, 0xC028, 0xC027, 0xC014, 0xC013, 0x009D, 0x009C }, CipherSuites.CipherSuiteInfo.ExchangeOnlineSuiteCodes);
    }

    [Theory]
    [InlineData(true, true, false, RevocationStatus.Good, ExchangeTlsLevel.EncryptionOnly)]
    [InlineData(false, true, false, RevocationStatus.Good, ExchangeTlsLevel.EncryptionOnly)]
    [InlineData(true, true, false, RevocationStatus.NotChecked, ExchangeTlsLevel.EncryptionOnly)]
    [InlineData(true, false, true, RevocationStatus.Revoked, ExchangeTlsLevel.EncryptionOnly)]
    [InlineData(true, false, false, RevocationStatus.Revoked, ExchangeTlsLevel.EncryptionOnly)]
    [InlineData(true, false, true, RevocationStatus.Unknown, ExchangeTlsLevel.DomainValidation)]
    [InlineData(true, false, false, RevocationStatus.Unknown, ExchangeTlsLevel.CertificateValidation)]
    [InlineData(true, false, true, RevocationStatus.Good, ExchangeTlsLevel.DomainValidation)]
    [InlineData(true, false, true, RevocationStatus.NotChecked, ExchangeTlsLevel.DomainValidation)]
    public void Sha1AndRevocationCapTheLevel(bool chainValid, bool sha1, bool nameMatches, RevocationStatus revocation, ExchangeTlsLevel expected)
    {
        var evidence = new TlsEvidence
        {
            TlsEstablished = true, Protocol = "Tls13", CipherSuite = "TLS_AES_256_GCM_SHA384", ChainValid = chainValid, NameMatches = nameMatches,
            Sha1Signed = sha1 ? new[] { "CN=mx.partner.example" } : System.Array.Empty<string>(),
            Revocation = revocation,
            RevocationFinding = revocation == RevocationStatus.Revoked ? "CN=mx.partner.example is revoked: the CRL lists it." : null,
        };
        ExchangeTlsLevel level = ExchangeTlsLevelRules.Decide(evidence, out var reasons);
        Assert.Equal(expected, level);
        if (sha1)
        {
            Assert.Contains(reasons, r => r.Contains("SHA-1") && r.Contains("CN=mx.partner.example") && r.Contains("Technical reference details about encryption"));
        }
        if (revocation == RevocationStatus.Revoked)
        {
            Assert.Contains(reasons, r => r.Contains("is revoked") && r.Contains("New-OutboundConnector"));
        }
    }

    [Theory]
    [InlineData("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE", true)]
    [InlineData("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", true)]
    [InlineData("TLS_RSA_WITH_AES_256_GCM_SHA384", "RSA", false)]
    [InlineData("TLS_AES_128_GCM_SHA256", "ECDHE", true)]
    [InlineData("TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH", false)]
    [InlineData(null, null, null)]
    public void KeyExchangeAndForwardSecrecy(string? suite, string? kx, bool? fs)
    {
        Assert.Equal(kx, CipherSuiteFacts.KeyExchange(suite));
        Assert.Equal(fs, CipherSuiteFacts.ForwardSecrecy(CipherSuiteFacts.KeyExchange(suite)));
    }

    [Fact]
    public void ProtocolsRankOldestFirst()
    {
        Assert.True(CipherSuiteFacts.ProtocolRank("Tls10") < CipherSuiteFacts.ProtocolRank("Tls11"));
        Assert.True(CipherSuiteFacts.ProtocolRank("Tls11") < CipherSuiteFacts.ProtocolRank("Tls12"));
        Assert.True(CipherSuiteFacts.ProtocolRank("Tls12") < CipherSuiteFacts.ProtocolRank("Tls13"));
    }
}
