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
