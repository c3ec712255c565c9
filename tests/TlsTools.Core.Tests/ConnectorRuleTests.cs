using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Connectors;
using TlsTools.MailTls;
using TlsTools.Tests.Support;
using Xunit;
using static TlsTools.Tests.Support.ConnectorEvidence;

namespace TlsTools.Tests;

/// <summary>Every rule of the connector rule table, tripped by a request that breaks it and nothing else of consequence.</summary>
public class ConnectorRuleTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot();
    private static readonly X509Certificate2 OnPremCert = TestCertificates.CreateLeaf(Root, "mail.contoso.example", new[] { "mail.contoso.example", "autodiscover.contoso.example" });

    private static ConnectorSpecRequest Req(Action<ConnectorSpecRequest> configure)
    {
        var r = new ConnectorSpecRequest { PartnerDomains = new List<string> { "partner.example" } };
        configure(r);
        return r;
    }

    private static Hashtable Extra(params (string Key, object? Value)[] pairs)
    {
        var h = new Hashtable();
        foreach (var (k, v) in pairs)
        {
            h[k] = v;
        }
        return h;
    }

    private static void Server(ConnectorSpecRequest r) => r.Platform = ConnectorPlatform.ExchangeServer;

    /// <summary>Rule id to a request that trips it.</summary>
    private static readonly Dictionary<string, Func<ConnectorSpecRequest>> Cases = new()
    {
        [nameof(ConnectorRules.InvalidDomainName)] = () => Req(r => r.PartnerDomains = new List<string> { "partner example" }),
        [nameof(ConnectorRules.EmbeddedWildcardNotAllowed)] = () => Req(r => { r.PartnerDomains = new List<string> { "mail.*.partner.example" }; r.TlsDomain = "mail.partner.example"; r.Direction = ConnectorDirection.Outbound; }),
        [nameof(ConnectorRules.ParameterNotApplicable)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsDomain = "mail.partner.example"; }),
        [nameof(ConnectorRules.InvalidIPAddress)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.SenderIPAddresses = new List<string> { "192.0.2.300" }; }),
        [nameof(ConnectorRules.InvalidSmartHost)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.SmartHosts = new List<string> { "smart host!" }; }),
        [nameof(ConnectorRules.UnknownParameter)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("NoSuchParameter", true)); }),
        [nameof(ConnectorRules.InvalidParameterValue)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("SmtpDaneMode", "Always")); }),
        [nameof(ConnectorRules.ReservedParameter)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.AdditionalParameters = Extra(("EFTestMode", true)); }),
        [nameof(ConnectorRules.InboundConnectorNeedsSenderDomains)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.AdditionalParameters = Extra(("SenderDomains", Array.Empty<string>())); }),
        [nameof(ConnectorRules.PartnerOnlySetting)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.ConnectorType = ConnectorType.OnPremises; r.TlsCertificate = OnPremCert; }),
        [nameof(ConnectorRules.SenderIPAddressIPv6NotAllowed)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.SenderIPAddresses = new List<string> { "2001:db8::25" }; }),
        [nameof(ConnectorRules.SenderIPAddressPrefixOutOfRange)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.SenderIPAddresses = new List<string> { "192.0.2.0/16" }; }),
        [nameof(ConnectorRules.TreatMessagesAsInternalNeedsOnPremises)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.AdditionalParameters = Extra(("TreatMessagesAsInternal", true)); }),
        [nameof(ConnectorRules.TreatMessagesAsInternalWithCloudServicesMail)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.ConnectorType = ConnectorType.OnPremises; r.TlsCertificate = OnPremCert; r.AdditionalParameters = Extra(("TreatMessagesAsInternal", true), ("CloudServicesMailEnabled", true)); }),
        [nameof(ConnectorRules.IPAndCertificateRestrictionOnOneConnector)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSenderCertificateName = "mail.partner.example"; r.AdditionalParameters = Extra(("RestrictDomainsToIPAddresses", true), ("SenderIPAddresses", new[] { "192.0.2.1" })); }),
        [nameof(ConnectorRules.RestrictDomainsToCertificateNeedsName)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.AdditionalParameters = Extra(("RestrictDomainsToCertificate", true)); }),
        [nameof(ConnectorRules.RestrictDomainsToIPAddressesNeedsSenderIPAddresses)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.AdditionalParameters = Extra(("RestrictDomainsToIPAddresses", true)); }),
        [nameof(ConnectorRules.TlsSenderCertificateNameRequired)] = () => Req(r => r.Direction = ConnectorDirection.Inbound),
        [nameof(ConnectorRules.TlsSenderCertificateNameNeedsCertificateValidation)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.TlsSenderCertificateName = "mail.partner.example"; }),
        [nameof(ConnectorRules.OnPremisesInboundNeedsCertificateOrIP)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.ConnectorType = ConnectorType.OnPremises; r.TlsSettings = TlsAuthLevel.EncryptionOnly; }),
        [nameof(ConnectorRules.UseMXRecordFalseNeedsSmartHosts)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("UseMXRecord", false)); }),
        [nameof(ConnectorRules.SmartHostsNeedUseMXRecordFalse)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.SmartHosts = new List<string> { "relay.partner.example" }; r.AdditionalParameters = Extra(("UseMXRecord", true)); }),
        [nameof(ConnectorRules.OnPremisesOnlySetting)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("AllAcceptedDomains", true)); }),
        [nameof(ConnectorRules.OutboundConnectorNeedsScope)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("RecipientDomains", null)); }),
        [nameof(ConnectorRules.OnPremisesOutboundNeedsSmartHosts)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.ConnectorType = ConnectorType.OnPremises; r.TlsSettings = TlsAuthLevel.CertificateValidation; }),
        [nameof(ConnectorRules.OutboundConnectorNameTooLong)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.Name = new string('n', 65); }),
        [nameof(ConnectorRules.TlsDomainNeedsDomainValidation)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.TlsDomain = "mail.partner.example"; }),
        [nameof(ConnectorRules.DomainValidationNeedsTlsDomain)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.SmartHosts = new List<string> { "relay.partner.example" }; }),
        [nameof(ConnectorRules.OutboundDomainValidationWithoutTlsDomain)] = () => Req(r => r.Direction = ConnectorDirection.Outbound),
        [nameof(ConnectorRules.PolicyModesNotExplicit)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("SmtpDaneMode", null)); }),
        [nameof(ConnectorRules.LinkedReceiveConnectorRequirements)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("LinkedReceiveConnector", @"EX01\Inbound from partner")); }),
        [nameof(ConnectorRules.Exchange2010OnlyParameter)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("IsCoexistenceConnector", false)); }),
        [nameof(ConnectorRules.RequireTlsNotExplicit)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.AdditionalParameters = Extra(("RequireTls", null)); }),
        [nameof(ConnectorRules.TlsSettingsNotExplicit)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("TlsSettings", null)); }),
        [nameof(ConnectorRules.RequireTlsDisabled)] = () => Req(r => { r.Direction = ConnectorDirection.Inbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.AdditionalParameters = Extra(("RequireTls", false)); }),
        [nameof(ConnectorRules.InvalidTlsCertificateName)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("TlsCertificateName", "CN=mail.contoso.example")); }),
        [nameof(ConnectorRules.SendConnectorNeedsAddressSpaces)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("AddressSpaces", null)); }),
        [nameof(ConnectorRules.RequireTlsWithIgnoreStartTls)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("IgnoreSTARTTLS", null)); }),
        [nameof(ConnectorRules.TlsAuthLevelNeedsRequireTls)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("RequireTLS", false)); }),
        [nameof(ConnectorRules.DomainValidationUsesRecipientDomain)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; }),
        [nameof(ConnectorRules.SmartHostsExcludeDnsRouting)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.SmartHosts = new List<string> { "relay.partner.example" }; r.AdditionalParameters = Extra(("DNSRoutingEnabled", true)); }),
        [nameof(ConnectorRules.DnsRoutingDisabledNeedsSmartHosts)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.AdditionalParameters = Extra(("DNSRoutingEnabled", false)); }),
        [nameof(ConnectorRules.DomainSecureNeedsExchangeServer)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.DomainSecure = true; }),
        [nameof(ConnectorRules.DomainSecureNeedsDnsRouting)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.DomainSecure = true; r.TlsCertificate = OnPremCert; r.SmartHosts = new List<string> { "relay.partner.example" }; }),
        [nameof(ConnectorRules.DomainSecureNoWildcards)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.DomainSecure = true; r.TlsCertificate = OnPremCert; r.PartnerDomains = new List<string> { "*.partner.example" }; }),
        [nameof(ConnectorRules.DomainSecureNeedsBothSecureLists)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.DomainSecure = true; r.TlsCertificate = OnPremCert; r.AdditionalParameters = Extra(("TLSReceiveDomainSecureList", null)); }),
        [nameof(ConnectorRules.ReceiveConnectorNeedsTlsAuth)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Inbound; r.SenderIPAddresses = new List<string> { "192.0.2.0/24" }; r.AdditionalParameters = Extra(("AuthMechanism", "None")); }),
        [nameof(ConnectorRules.ReceiveConnectorNeedsRemoteIPRanges)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Inbound; }),
        [nameof(ConnectorRules.ReceiveConnectorIdentityRequired)] = () => Req(r => { Server(r); r.ConnectorType = ConnectorType.OnPremises; r.Direction = ConnectorDirection.Inbound; r.TlsCertificate = OnPremCert; }),
        [nameof(ConnectorRules.TlsCertificateNameNotSet)] = () => Req(r => { Server(r); r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.CertificateValidation; r.DomainSecure = true; }),
        [nameof(ConnectorRules.PublicReceiveConnectorNotForced)] = () => Req(r => { Server(r); r.ConnectorType = ConnectorType.OnPremises; r.Direction = ConnectorDirection.Inbound; r.TlsCertificate = OnPremCert; r.ReceiveConnector = @"EX01\Default Frontend EX01"; }),
        [nameof(ConnectorRules.MxHostWithoutStartTls)] = () => Req(r => r.Evidence.Add(Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }),
            Result("mx2.partner.example", "192.0.2.2", Array.Empty<string>(), tls: false)))),
        [nameof(ConnectorRules.CertificateNameMismatch)] = () => Req(r => { r.TlsDomain = "smtp.partner.example"; r.Evidence.Add(Good()); }),
        [nameof(ConnectorRules.CertificateExpiresSoon)] = () => Req(r => r.Evidence.Add(Summary("partner.example", Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }, days: 12)))),
        [nameof(ConnectorRules.CertificateExpired)] = () => Req(r => r.Evidence.Add(Summary("partner.example", Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }, days: -3, level: ExchangeTlsLevel.EncryptionOnly)))),
        [nameof(ConnectorRules.CertificateChainNotTrusted)] = () => Req(r => r.Evidence.Add(Summary("partner.example", Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }, chainValid: false, level: ExchangeTlsLevel.EncryptionOnly)))),
        [nameof(ConnectorRules.TlsSettingsAboveMeasuredLevel)] = () => Req(r => r.Evidence.Add(Summary("partner.example", Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }, level: ExchangeTlsLevel.EncryptionOnly)))),
        [nameof(ConnectorRules.PartnerAcceptsNoMail)] = () => Req(r => { r.TlsSettings = TlsAuthLevel.CertificateValidation; r.TlsSenderCertificateName = "mail.partner.example"; r.Evidence.Add(new MailTlsDomainSummary { Domain = "partner.example", Verdict = MailTlsVerdict.NoMail }); }),
        [nameof(ConnectorRules.SmartHostNotMeasured)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.SmartHosts = new List<string> { "relay.partner.example" }; r.Evidence.Add(Good()); }),
        [nameof(ConnectorRules.NoEvidence)] = () => Req(r => { r.TlsDomain = "mail.partner.example"; r.TlsSenderCertificateName = "mail.partner.example"; }),
        [nameof(ConnectorRules.PartnerPolicyBlocksDelivery)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Refused, daneApplies: true, daneMatch: false, refusedBy: "DANE"),
            Delivery("mx2.partner.example", MxDelivery.Refused, daneApplies: true, daneMatch: false, refusedBy: "DANE"))); }),
        [nameof(ConnectorRules.SmtpDaneModeMandatoryWithoutDane)] = () => Req(r => { r.Direction = ConnectorDirection.Outbound; r.AdditionalParameters = Extra(("SmtpDaneMode", "Mandatory")); r.Evidence.Add(WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Tls, daneApplies: false), Delivery("mx2.partner.example", MxDelivery.Tls, daneApplies: false))); }),
    };

    public static IEnumerable<object[]> RuleIds() => ConnectorRules.All.Select(r => new object[] { r.Id });

    [Fact]
    public void EveryRuleHasACase()
    {
        var missing = ConnectorRules.All.Select(r => r.Id).Where(id => !Cases.ContainsKey(id)).ToList();
        Assert.Empty(missing);
        Assert.Equal(ConnectorRules.All.Count, ConnectorRules.All.Select(r => r.Id).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void RuleIsTrippedByItsCase(string id)
    {
        ConnectorRule rule = ConnectorRules.Find(id)!;
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(Cases[id]());
        if (rule.Severity == RuleSeverity.Error)
        {
            Assert.False(result.Succeeded, $"{id}: expected an error, got specs");
            Assert.Contains(result.Errors, e => e.Rule.Id == id);
        }
        else
        {
            Assert.True(result.Succeeded, $"{id}: {string.Join(" | ", result.Errors)}");
            var flagged = result.Specs.Where(s => s.Warnings.Any(w => w.StartsWith(id + ":", StringComparison.Ordinal))).ToList();
            Assert.NotEmpty(flagged);
            if (rule.Blocks)
            {
                Assert.Contains(flagged, s => !s.ReadyToApply);
            }
        }
    }

    [Theory]
    [InlineData("EFTestMode")]
    [InlineData("EFSkipMailGateway")]
    [InlineData("ScanAndDropRecipients")]
    [InlineData("ClientHostNames")]
    [InlineData("LinkForModifiedConnector")]
    [InlineData("RequireOorg")]
    public void ReservedParametersAreNeverEmitted(string parameter)
    {
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(Req(r =>
        {
            r.TlsDomain = "mail.partner.example";
            r.TlsSenderCertificateName = "mail.partner.example";
            r.AdditionalParameters = Extra((parameter, true));
        }));
        Assert.Equal(nameof(ConnectorRules.ReservedParameter), Assert.Single(result.Errors).Rule.Id);

        var validation = ConnectorValidator.Validate(parameter == "RequireOorg" ? "New-SendConnector" : parameter == "LinkForModifiedConnector" ? "New-OutboundConnector" : "New-InboundConnector",
            new Hashtable { [parameter] = true });
        Assert.Contains(validation, f => f.Rule == ConnectorRules.ReservedParameter);
    }

    [Fact]
    public void OnPremisesTlsDomainWithoutDomainValidationIsTheEnforcedError()
    {
        var findings = ConnectorValidator.Validate("New-SendConnector", new Hashtable
        {
            ["Name"] = "x", ["AddressSpaces"] = new[] { "partner.example" }, ["RequireTLS"] = true, ["IgnoreSTARTTLS"] = false,
            ["TlsAuthLevel"] = "CertificateValidation", ["TlsDomain"] = "mail.partner.example",
        });
        ConnectorFinding f = Assert.Single(findings, x => x.Rule.Severity == RuleSeverity.Error);
        Assert.Equal(ConnectorRules.TlsDomainNeedsDomainValidation, f.Rule);
        Assert.Contains("can only be set if the TLSAuthLevel parameter is set to DomainValidation", f.Message);
    }

    [Fact]
    public void SendConnectorDomainValidationWithSmartHostNeedsTlsDomain()
    {
        var findings = ConnectorValidator.Validate("New-SendConnector", new Hashtable
        {
            ["Name"] = "x", ["AddressSpaces"] = new[] { "partner.example" }, ["DNSRoutingEnabled"] = false, ["SmartHosts"] = new[] { "relay.partner.example" },
            ["RequireTLS"] = true, ["IgnoreSTARTTLS"] = false, ["TlsAuthLevel"] = "DomainValidation",
        });
        Assert.Contains(findings, f => f.Rule == ConnectorRules.DomainValidationNeedsTlsDomain);
        Assert.DoesNotContain(findings, f => f.Rule == ConnectorRules.DomainValidationUsesRecipientDomain);
    }

    [Theory]
    [InlineData("192.0.2.1", null)]
    [InlineData("192.0.2.0/24", null)]
    [InlineData("192.0.2.128/25", null)]
    [InlineData("192.0.2.1/32", null)]
    [InlineData("192.0.0.0/23", nameof(ConnectorRules.SenderIPAddressPrefixOutOfRange))]
    [InlineData("10.0.0.0/8", nameof(ConnectorRules.SenderIPAddressPrefixOutOfRange))]
    [InlineData("192.0.2.1/33", nameof(ConnectorRules.InvalidIPAddress))]
    [InlineData("2001:db8::/64", nameof(ConnectorRules.SenderIPAddressIPv6NotAllowed))]
    [InlineData("::ffff:192.0.2.1", nameof(ConnectorRules.SenderIPAddressIPv6NotAllowed))]
    [InlineData("192.0.2.1-192.0.2.9", nameof(ConnectorRules.InvalidIPAddress))]
    [InlineData("1", nameof(ConnectorRules.InvalidIPAddress))]
    [InlineData("mx.partner.example", nameof(ConnectorRules.InvalidIPAddress))]
    public void SenderIPAddresses(string value, string? rule)
    {
        Assert.Equal(rule, ConnectorValues.CheckSenderIPAddress(value)?.Id);
    }

    [Theory]
    [InlineData("partner.example", true, null)]
    [InlineData("*.partner.example", false, null)]
    [InlineData("*", true, null)]
    [InlineData("*", false, nameof(ConnectorRules.EmbeddedWildcardNotAllowed))]
    [InlineData("a.*.partner.example", true, nameof(ConnectorRules.EmbeddedWildcardNotAllowed))]
    [InlineData("*partner.example", true, nameof(ConnectorRules.EmbeddedWildcardNotAllowed))]
    [InlineData("mx*.partner.example", true, nameof(ConnectorRules.EmbeddedWildcardNotAllowed))]
    [InlineData("*.*.partner.example", true, nameof(ConnectorRules.EmbeddedWildcardNotAllowed))]
    [InlineData("partner..example", true, nameof(ConnectorRules.InvalidDomainName))]
    [InlineData("partner.example'; Remove-Item", true, nameof(ConnectorRules.InvalidDomainName))]
    public void DomainsAndWildcards(string value, bool allowBareStar, string? rule)
    {
        Assert.Equal(rule, ConnectorValues.CheckDomain(value, allowBareStar)?.Id);
    }

    [Theory]
    [InlineData("192.0.2.1", true)]
    [InlineData("192.0.2.1-192.0.2.20", true)]
    [InlineData("192.0.2.0/24", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db8::/48", true)]
    [InlineData("2001:db8::1-192.0.2.1", false)]
    [InlineData("192.0.2.0/40", false)]
    [InlineData("partner.example", false)]
    public void RemoteIPRanges(string value, bool valid) => Assert.Equal(valid, ConnectorValues.IsRemoteIPRange(value));

    [Fact]
    public void ErrorsComeWithoutSpecs()
    {
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(Cases[nameof(ConnectorRules.DomainValidationNeedsTlsDomain)]());
        Assert.Empty(result.Specs);
        Assert.All(result.Errors, e => Assert.Equal(RuleSeverity.Error, e.Rule.Severity));
    }

    [Fact]
    public void ARuleWithNoDocumentedSourceIsAWarningThatSaysSo()
    {
        Assert.All(ConnectorRules.All.Where(r => r.Basis is RuleBasis.Undocumented or RuleBasis.Evidence), r => Assert.Equal(RuleSeverity.Warning, r.Severity));
        Assert.All(ConnectorRules.All.Where(r => r.Severity == RuleSeverity.Error), r => Assert.False(string.IsNullOrWhiteSpace(r.Source)));
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(Cases[nameof(ConnectorRules.OutboundConnectorNeedsScope)]());
        string warning = Assert.Single(result.Specs.SelectMany(s => s.Warnings), w => w.StartsWith(nameof(ConnectorRules.OutboundConnectorNeedsScope) + ":", StringComparison.Ordinal));
        Assert.Contains("no Microsoft documentation states", warning);
        Assert.Contains("X11", warning);
    }

    [Theory]
    [InlineData(nameof(ConnectorRules.OutboundConnectorNeedsScope))]
    [InlineData(nameof(ConnectorRules.OnPremisesOutboundNeedsSmartHosts))]
    [InlineData(nameof(ConnectorRules.SmartHostsNeedUseMXRecordFalse))]
    [InlineData(nameof(ConnectorRules.RequireTlsNotExplicit))]
    [InlineData(nameof(ConnectorRules.OutboundDomainValidationWithoutTlsDomain))]
    public void InferredRulesAreUndocumentedWarnings(string id)
    {
        ConnectorRule rule = ConnectorRules.Find(id)!;
        Assert.Equal(RuleBasis.Undocumented, rule.Basis);
        Assert.Equal(RuleSeverity.Warning, rule.Severity);
    }

    [Fact]
    public void ErrorPoliciesTakesSeveralValues()
    {
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(Req(r =>
        {
            Server(r);
            r.Direction = ConnectorDirection.Outbound;
            r.TlsSettings = TlsAuthLevel.CertificateValidation;
            r.AdditionalParameters = Extra(("ErrorPolicies", new[] { "downgradednsfailures", "DowngradeCustomFailures" }));
        }));
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        Assert.Equal(new[] { "DowngradeDnsFailures", "DowngradeCustomFailures" }, (string[])Assert.Single(result.Specs).Parameters["ErrorPolicies"]!);
        Assert.False(ConnectorSpecBuilder.Build(Req(r =>
        {
            Server(r);
            r.Direction = ConnectorDirection.Outbound;
            r.TlsSettings = TlsAuthLevel.CertificateValidation;
            r.AdditionalParameters = Extra(("ErrorPolicies", new[] { "Default", "Sometimes" }));
        })).Succeeded);
    }

    [Theory]
    [InlineData("New-SendConnector", "Comment")]
    [InlineData("New-SendConnector", "SmtpMaxMessagesPerConnection")]
    [InlineData("New-SendConnector", "IsCoexistenceConnector")]
    [InlineData("New-SendConnector", "LinkedReceiveConnector")]
    [InlineData("New-SendConnector", "DomainController")]
    [InlineData("New-ReceiveConnector", "Banner")]
    [InlineData("New-ReceiveConnector", "MaxRecipientsPerMessage")]
    [InlineData("New-ReceiveConnector", "ExtendedProtectionPolicy")]
    [InlineData("New-ReceiveConnector", "RequireEHLODomain")]
    [InlineData("New-ReceiveConnector", "Server")]
    [InlineData("Set-ReceiveConnector", "BareLinefeedRejectionEnabled")]
    [InlineData("Set-ReceiveConnector", "SmtpUtf8Enabled")]
    [InlineData("Set-ReceiveConnector", "TarpitInterval")]
    [InlineData("New-OutboundConnector", "MtaStsMode")]
    [InlineData("New-OutboundConnector", "SmtpDaneMode")]
    public void DocumentedParametersAreKnown(string cmdlet, string parameter) =>
        Assert.NotNull(ExchangeCmdlets.Find(cmdlet)!.Find(parameter));

    [Fact]
    public void ConnectorSourceIsDefaultHybridWizardOrMigrated()
    {
        Assert.Equal(new[] { "Default", "HybridWizard", "Migrated" }, ExchangeCmdlets.NewOutboundConnector.Find("ConnectorSource")!.Values);
        Assert.Equal(new[] { "Default", "HybridWizard", "Migrated" }, ExchangeCmdlets.NewInboundConnector.Find("ConnectorSource")!.Values);
        Assert.Null(ExchangeCmdlets.SetReceiveConnector.Find("Usage"));
        Assert.Null(ExchangeCmdlets.SetReceiveConnector.Find("Server"));
    }

    [Fact]
    public void LinkedReceiveConnectorWithItsRequirementsIsAccepted()
    {
        var findings = ConnectorValidator.Validate("New-SendConnector", new Hashtable
        {
            ["Name"] = "x", ["LinkedReceiveConnector"] = @"EX01\From partner", ["DNSRoutingEnabled"] = false, ["MaxMessageSize"] = "unlimited",
            ["SmartHosts"] = new[] { "relay.partner.example" }, ["SmartHostAuthMechanism"] = "None",
            ["RequireTLS"] = true, ["IgnoreSTARTTLS"] = false, ["TlsAuthLevel"] = "CertificateValidation",
        });
        Assert.DoesNotContain(findings, f => f.Rule.Severity == RuleSeverity.Error);
        Assert.Contains(findings, f => f.Rule == ConnectorRules.Exchange2010OnlyParameter);
    }
}
