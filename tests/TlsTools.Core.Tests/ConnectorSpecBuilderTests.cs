using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;
using TlsTools.Connectors;
using TlsTools.MailTls;
using TlsTools.Tests.Support;
using Xunit;
using static TlsTools.Tests.Support.ConnectorEvidence;

namespace TlsTools.Tests;

public class ConnectorSpecBuilderTests
{
    private static readonly X509Certificate2 Root = TestCertificates.CreateRoot();
    private static readonly X509Certificate2 OnPremCert = TestCertificates.CreateLeaf(Root, "mail.contoso.example", new[] { "mail.contoso.example", "autodiscover.contoso.example" });

    private static ConnectorSpecResult Build(Action<ConnectorSpecRequest> configure)
    {
        var r = new ConnectorSpecRequest { PartnerDomains = new List<string> { "partner.example" } };
        configure(r);
        return ConnectorSpecBuilder.Build(r);
    }

    private static ConnectorSpec Only(ConnectorSpecResult result, string cmdlet)
    {
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        return Assert.Single(result.Specs, s => s.Cmdlet == cmdlet);
    }

    private static string[] Keys(ConnectorSpec spec) => spec.Parameters.Keys.Cast<string>().ToArray();

    [Fact]
    public void ExchangeOnlinePartnerBothFromMeasurement()
    {
        ConnectorSpecResult result = Build(r => r.Evidence.Add(Good()));
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        Assert.Equal(new[] { "New-InboundConnector", "New-OutboundConnector" }, result.Specs.Select(s => s.Cmdlet));

        ConnectorSpec inbound = result.Specs[0];
        Assert.Equal(ConnectorDirection.Inbound, inbound.Direction);
        Assert.Equal("Forced TLS from partner.example", inbound.Name);
        Assert.Equal(new[] { "Name", "ConnectorType", "SenderDomains", "RequireTls", "RestrictDomainsToCertificate", "TlsSenderCertificateName", "Comment" }, Keys(inbound));
        Assert.Equal("Partner", inbound.Parameters["ConnectorType"]);
        Assert.Equal(new[] { "partner.example" }, inbound.Parameters["SenderDomains"]);
        Assert.Equal(true, inbound.Parameters["RequireTls"]);
        Assert.Equal(true, inbound.Parameters["RestrictDomainsToCertificate"]);
        Assert.Equal("mail.partner.example", inbound.Parameters["TlsSenderCertificateName"]);
        Assert.Empty(inbound.Warnings);
        Assert.True(inbound.ReadyToApply);
        Assert.Contains(inbound.Evidence, e => e.StartsWith("TlsSenderCertificateName 'mail.partner.example': carried by the certificate of every TLS server", StringComparison.Ordinal)
            && e.Contains("mx1.partner.example (192.0.2.1)") && e.Contains("[Test-MailTls]"));

        ConnectorSpec outbound = result.Specs[1];
        Assert.Equal("Forced TLS to partner.example", outbound.Name);
        Assert.Equal(new[] { "Name", "ConnectorType", "RecipientDomains", "UseMXRecord", "TlsSettings", "TlsDomain", "MtaStsMode", "SmtpDaneMode", "Comment" }, Keys(outbound));
        Assert.Equal("Opportunistic", outbound.Parameters["MtaStsMode"]);
        Assert.Equal("Opportunistic", outbound.Parameters["SmtpDaneMode"]);
        Assert.Contains(outbound.Evidence, e => e.StartsWith("MtaStsMode 'Opportunistic', SmtpDaneMode 'Opportunistic': Exchange Online's documented defaults", StringComparison.Ordinal)
            && e.Contains("was not read"));
        Assert.Equal(true, outbound.Parameters["UseMXRecord"]);
        Assert.Equal("DomainValidation", outbound.Parameters["TlsSettings"]);
        Assert.Equal("mail.partner.example", outbound.Parameters["TlsDomain"]);
        Assert.True(outbound.ReadyToApply);
        Assert.Contains(outbound.Evidence, e => e.StartsWith("partner.example: Test-MailTls tested 2 address(es)", StringComparison.Ordinal));
    }

    [Fact]
    public void ParametersAreCaseInsensitiveOrderedDictionaries()
    {
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(Good()); }), "New-OutboundConnector");
        Assert.IsType<System.Collections.Specialized.OrderedDictionary>(outbound.Parameters);
        Assert.Equal("mail.partner.example", outbound.Parameters["tlsdomain"]);
    }

    [Fact]
    public void ExchangeOnlineSmartHostsTurnOffMxRouting()
    {
        ConnectorSpec outbound = Only(Build(r =>
        {
            r.Direction = ConnectorDirection.Outbound;
            r.TlsSettings = TlsAuthLevel.CertificateValidation;
            r.SmartHosts = new List<string> { "relay.partner.example", "192.0.2.0/28" };
        }), "New-OutboundConnector");
        Assert.Equal(false, outbound.Parameters["UseMXRecord"]);
        Assert.Equal(new[] { "relay.partner.example", "192.0.2.0/28" }, outbound.Parameters["SmartHosts"]);
        Assert.False(outbound.Parameters.Contains("TlsDomain"));
    }

    [Fact]
    public void ExchangeOnlinePartnerIPRestrictionGoesOnASecondConnector()
    {
        ConnectorSpecResult result = Build(r =>
        {
            r.Direction = ConnectorDirection.Inbound;
            r.TlsSenderCertificateName = "*.partner.example";
            r.SenderIPAddresses = new List<string> { "192.0.2.0/24" };
        });
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        Assert.Equal(2, result.Specs.Count);
        Assert.False(result.Specs[0].Parameters.Contains("SenderIPAddresses"));
        Assert.Equal("Forced TLS from partner.example by IP", result.Specs[1].Name);
        Assert.Equal(true, result.Specs[1].Parameters["RestrictDomainsToIPAddresses"]);
        Assert.False(result.Specs[1].Parameters.Contains("RestrictDomainsToCertificate"));
    }

    [Fact]
    public void ExchangeOnlineEncryptionOnlyRestrictsByIPOnOneConnector()
    {
        ConnectorSpec inbound = Only(Build(r =>
        {
            r.Direction = ConnectorDirection.Inbound;
            r.TlsSettings = TlsAuthLevel.EncryptionOnly;
            r.SenderIPAddresses = new List<string> { "192.0.2.10" };
        }), "New-InboundConnector");
        Assert.Equal(new[] { "Name", "ConnectorType", "SenderDomains", "RequireTls", "RestrictDomainsToIPAddresses", "SenderIPAddresses", "Comment" }, Keys(inbound));
    }

    [Fact]
    public void ExchangeOnlineOnPremisesTakesNamesFromTheOnPremisesCertificate()
    {
        ConnectorSpecResult result = Build(r =>
        {
            r.PartnerDomains = new List<string> { "contoso.example" };
            r.ConnectorType = ConnectorType.OnPremises;
            r.TlsCertificate = OnPremCert;
            r.SmartHosts = new List<string> { "mail.contoso.example" };
        });
        ConnectorSpec inbound = Only(result, "New-InboundConnector");
        Assert.Equal("OnPremises", inbound.Parameters["ConnectorType"]);
        Assert.Equal("mail.contoso.example", inbound.Parameters["TlsSenderCertificateName"]);
        Assert.False(inbound.Parameters.Contains("RestrictDomainsToCertificate"));
        Assert.Contains(inbound.Warnings, w => w.StartsWith("PartnerOnlySetting:", StringComparison.Ordinal));
        Assert.True(inbound.ReadyToApply);
        Assert.Contains(inbound.Evidence, e => e.Contains("from the certificate given with -TlsCertificate") && e.Contains(OnPremCert.Thumbprint));

        ConnectorSpec outbound = Only(result, "New-OutboundConnector");
        Assert.Equal("mail.contoso.example", outbound.Parameters["TlsDomain"]);
        Assert.Equal(false, outbound.Parameters["UseMXRecord"]);
    }

    [Fact]
    public void ExchangeServerPartnerBoth()
    {
        ConnectorSpecResult result = Build(r =>
        {
            r.Platform = ConnectorPlatform.ExchangeServer;
            r.SenderIPAddresses = new List<string> { "192.0.2.0/24", "2001:db8::/48" };
            r.TlsCertificate = OnPremCert;
            r.Evidence.Add(Good());
        });
        ConnectorSpec send = Only(result, "New-SendConnector");
        Assert.Equal(new[] { "Name", "AddressSpaces", "Usage", "DNSRoutingEnabled", "RequireTLS", "IgnoreSTARTTLS", "TlsAuthLevel", "TlsDomain", "TlsCertificateName", "Comment" }, Keys(send));
        Assert.Equal(true, send.Parameters["RequireTLS"]);
        Assert.Equal(false, send.Parameters["IgnoreSTARTTLS"]);
        Assert.Equal(true, send.Parameters["DNSRoutingEnabled"]);
        Assert.Equal("mail.partner.example", send.Parameters["TlsDomain"]);
        Assert.Equal("<I>" + OnPremCert.Issuer + "<S>" + OnPremCert.Subject, send.Parameters["TlsCertificateName"]);
        Assert.True(send.ReadyToApply, string.Join(" | ", send.Warnings));

        ConnectorSpec receive = Only(result, "New-ReceiveConnector");
        Assert.Equal("Custom", receive.Parameters["Usage"]);
        Assert.Equal("AnonymousUsers", receive.Parameters["PermissionGroups"]);
        Assert.Equal(new[] { "192.0.2.0/24", "2001:db8::/48" }, receive.Parameters["RemoteIPRanges"]);
        Assert.Equal("Tls", receive.Parameters["AuthMechanism"]);
        Assert.Equal(true, receive.Parameters["RequireTLS"]);
        Assert.True(receive.ReadyToApply, string.Join(" | ", receive.Warnings));
    }

    [Fact]
    public void ExchangeServerDomainSecureAddsToBothSecureLists()
    {
        ConnectorSpecResult result = Build(r =>
        {
            r.Platform = ConnectorPlatform.ExchangeServer;
            r.DomainSecure = true;
            r.PartnerDomains = new List<string> { "partner.example", "partner.test" };
            r.SenderIPAddresses = new List<string> { "192.0.2.0/24" };
            r.TlsCertificate = OnPremCert;
            r.TlsDomain = "*.partner.example";
        });
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        Assert.Equal(new[] { "New-SendConnector", "New-ReceiveConnector", "Set-TransportConfig" }, result.Specs.Select(s => s.Cmdlet));
        Assert.Equal(true, result.Specs[0].Parameters["DomainSecureEnabled"]);
        Assert.Equal("Partner", result.Specs[1].Parameters["Usage"]);
        Assert.Equal(true, result.Specs[1].Parameters["DomainSecureEnabled"]);
        ConnectorSpec config = result.Specs[2];
        Assert.Equal(ConnectorDirection.Both, config.Direction);
        foreach (string list in new[] { "TLSSendDomainSecureList", "TLSReceiveDomainSecureList" })
        {
            var table = Assert.IsType<Hashtable>(config.Parameters[list]);
            Assert.Equal(new[] { "partner.example", "partner.test" }, table["Add"]);
        }
    }

    [Fact]
    public void ExchangeServerHybridSendConnectorToTheTenant()
    {
        ConnectorSpec send = Only(Build(r =>
        {
            r.Platform = ConnectorPlatform.ExchangeServer;
            r.ConnectorType = ConnectorType.OnPremises;
            r.Direction = ConnectorDirection.Outbound;
            r.PartnerDomains = new List<string> { "contoso.mail.onmicrosoft.com" };
            r.TlsCertificate = OnPremCert;
        }), "New-SendConnector");
        Assert.Equal(ConnectorSpecBuilder.ExchangeOnlineCertificateName, send.Parameters["TlsDomain"]);
        Assert.Equal(true, send.Parameters["CloudServicesMailEnabled"]);
        Assert.Equal("mail.contoso.example", send.Parameters["Fqdn"]);
        Assert.False(send.Parameters.Contains("Usage"));
    }

    [Fact]
    public void ExchangeServerHybridReceiveSideChangesTheExistingConnector()
    {
        ConnectorSpec set = Only(Build(r =>
        {
            r.Platform = ConnectorPlatform.ExchangeServer;
            r.ConnectorType = ConnectorType.OnPremises;
            r.Direction = ConnectorDirection.Inbound;
            r.PartnerDomains = new List<string> { "contoso.mail.onmicrosoft.com" };
            r.TlsCertificate = OnPremCert;
            r.ReceiveConnector = @"EX01\Default Frontend EX01";
        }), "Set-ReceiveConnector");
        Assert.Equal(new[] { "Identity", "TlsCertificateName", "TlsDomainCapabilities" }, Keys(set));
        Assert.Equal(new[] { "mail.protection.outlook.com:AcceptCloudServicesMail" }, set.Parameters["TlsDomainCapabilities"]);
        Assert.Equal(@"EX01\Default Frontend EX01", set.Name);
        Assert.Contains(set.Warnings, w => w.StartsWith("PublicReceiveConnectorNotForced:", StringComparison.Ordinal));
        Assert.True(set.ReadyToApply);
    }

    [Fact]
    public void MeasuredCertificatesWithoutACommonNameGiveTheCommonParent()
    {
        var evidence = Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mx1.eu.partner.example" }),
            Result("mx2.partner.example", "192.0.2.2", new[] { "mx2.us.partner.example" }));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        Assert.Equal("*.partner.example", outbound.Parameters["TlsDomain"]);
        Assert.Empty(outbound.Warnings);
        Assert.Contains(outbound.Evidence, e => e.Contains("each carries a name under partner.example"));
    }

    [Fact]
    public void DisagreeingCertificatesPickTheMostCommonNameAndWarn()
    {
        var evidence = Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }),
            Result("mx2.partner.example", "192.0.2.2", new[] { "mail.partner.example" }),
            Result("backup.hoster.example", "198.51.100.7", new[] { "smtp.hoster.example" }));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        Assert.Equal("mail.partner.example", outbound.Parameters["TlsDomain"]);
        string w = Assert.Single(outbound.Warnings);
        Assert.StartsWith("CertificateNameMismatch: The certificate of backup.hoster.example (198.51.100.7) carries smtp.hoster.example", w);
        Assert.False(outbound.ReadyToApply);
    }

    [Fact]
    public void WarningsFromTheMeasurement()
    {
        var evidence = Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }, days: 9),
            Result("mx2.partner.example", "192.0.2.2", new[] { "mail.partner.example" }, chainValid: false, level: ExchangeTlsLevel.EncryptionOnly),
            Result("mx3.partner.example", "192.0.2.3", Array.Empty<string>(), tls: false));
        ConnectorSpecResult result = Build(r => r.Evidence.Add(evidence));
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        foreach (ConnectorSpec spec in result.Specs)
        {
            Assert.Contains(spec.Warnings, w => w.StartsWith("MxHostWithoutStartTls: mx3.partner.example (192.0.2.3) did not negotiate TLS (StartTlsNotOffered)", StringComparison.Ordinal));
            Assert.Contains(spec.Warnings, w => w.StartsWith("CertificateExpiresSoon: The certificate of mx1.partner.example (192.0.2.1)", StringComparison.Ordinal));
            Assert.Contains(spec.Warnings, w => w.StartsWith("CertificateChainNotTrusted: The certificate chain of mx2.partner.example (192.0.2.2) is not trusted (UntrustedRoot)", StringComparison.Ordinal));
            Assert.False(spec.ReadyToApply);
        }
    }

    [Fact]
    public void EncryptionOnlyIsNotBlockedByCertificateProblems()
    {
        var evidence = Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mail.partner.example" }, chainValid: false, days: -2, level: ExchangeTlsLevel.EncryptionOnly));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.TlsSettings = TlsAuthLevel.EncryptionOnly; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        Assert.Contains(outbound.Warnings, w => w.StartsWith("CertificateChainNotTrusted:", StringComparison.Ordinal));
        Assert.Contains(outbound.Warnings, w => w.StartsWith("CertificateExpired:", StringComparison.Ordinal));
        Assert.True(outbound.ReadyToApply);
    }

    [Fact]
    public void ExplicitValuesWinOverTheMeasurement()
    {
        ConnectorSpecResult result = Build(r =>
        {
            r.TlsDomain = "*.partner.example";
            r.TlsSenderCertificateName = "mx1.partner.example";
            r.Evidence.Add(Good());
        });
        Assert.Equal("*.partner.example", Only(result, "New-OutboundConnector").Parameters["TlsDomain"]);
        ConnectorSpec inbound = Only(result, "New-InboundConnector");
        Assert.Equal("mx1.partner.example", inbound.Parameters["TlsSenderCertificateName"]);
        Assert.Contains(inbound.Warnings, w => w.StartsWith("CertificateNameMismatch: The certificate of mx2.partner.example", StringComparison.Ordinal));
    }

    [Fact]
    public void AdditionalParametersGoToTheCmdletsThatHaveThem()
    {
        ConnectorSpecResult result = Build(r =>
        {
            r.Evidence.Add(Good());
            r.AdditionalParameters = new Hashtable { ["smtpdanemode"] = "mandatory", ["Enabled"] = false };
        });
        ConnectorSpec outbound = Only(result, "New-OutboundConnector");
        Assert.Equal("Mandatory", outbound.Parameters["SmtpDaneMode"]);
        Assert.Contains("SmtpDaneMode", Keys(outbound));
        Assert.Equal(false, outbound.Parameters["Enabled"]);
        Assert.Equal(false, Only(result, "New-InboundConnector").Parameters["Enabled"]);
        Assert.False(Only(result, "New-InboundConnector").Parameters.Contains("SmtpDaneMode"));
    }

    [Fact]
    public void PipedDomainsJoinThePartnerDomains()
    {
        var r = new ConnectorSpecRequest { Direction = ConnectorDirection.Outbound };
        r.Evidence.Add(Good("Partner.Example"));
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(r);
        Assert.Equal(new[] { "partner.example" }, Only(result, "New-OutboundConnector").Parameters["RecipientDomains"]);
    }

    [Fact]
    public void AWildcardPartnerDomainCoversItsMeasuredDomain()
    {
        ConnectorSpec outbound = Only(Build(r =>
        {
            r.PartnerDomains = new List<string> { "*.partner.example" };
            r.Direction = ConnectorDirection.Outbound;
            r.Evidence.Add(Good());
        }), "New-OutboundConnector");
        Assert.Equal(new[] { "*.partner.example" }, outbound.Parameters["RecipientDomains"]);
        Assert.Equal("mail.partner.example", outbound.Parameters["TlsDomain"]);
        Assert.Empty(outbound.Warnings);
    }

    [Fact]
    public void DefaultOutboundNamesFitSixtyFourCharacters()
    {
        string longDomain = string.Join(".", Enumerable.Repeat("abcdefghij", 7)) + ".example";
        ConnectorSpec outbound = Only(Build(r =>
        {
            r.PartnerDomains = new List<string> { longDomain };
            r.Direction = ConnectorDirection.Outbound;
            r.TlsSettings = TlsAuthLevel.CertificateValidation;
        }), "New-OutboundConnector");
        Assert.True(outbound.Name.Length <= 64);
    }

    /// <summary>Every combination the cmdlet accepts, with the inputs it needs; every spec validates and binds (keys are documented parameters).</summary>
    public static IEnumerable<object[]> Combinations()
    {
        foreach (ConnectorPlatform platform in (ConnectorPlatform[])Enum.GetValues(typeof(ConnectorPlatform)))
        {
            foreach (ConnectorDirection direction in (ConnectorDirection[])Enum.GetValues(typeof(ConnectorDirection)))
            {
                foreach (ConnectorType type in (ConnectorType[])Enum.GetValues(typeof(ConnectorType)))
                {
                    foreach (TlsAuthLevel level in (TlsAuthLevel[])Enum.GetValues(typeof(TlsAuthLevel)))
                    {
                        foreach (bool smartHost in new[] { false, true })
                        {
                            yield return new object[] { platform, direction, type, level, smartHost };
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void EveryCombinationBuildsValidSpecs(ConnectorPlatform platform, ConnectorDirection direction, ConnectorType type, TlsAuthLevel level, bool smartHost)
    {
        bool onPremType = type == ConnectorType.OnPremises;
        bool outbound = direction != ConnectorDirection.Inbound;
        bool inbound = direction != ConnectorDirection.Outbound;
        var r = new ConnectorSpecRequest
        {
            PartnerDomains = new List<string> { "partner.example" },
            Platform = platform,
            Direction = direction,
            ConnectorType = type,
            TlsSettings = level,
        };
        r.Evidence.Add(Good());
        if (outbound && (smartHost || (platform == ConnectorPlatform.ExchangeOnline && onPremType)))
        {
            r.SmartHosts = new List<string> { "mx1.partner.example" };
        }
        if (inbound)
        {
            r.SenderIPAddresses = new List<string> { "192.0.2.0/24" };
        }
        if (platform == ConnectorPlatform.ExchangeServer || onPremType)
        {
            r.TlsCertificate = OnPremCert;
        }
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(r);
        Assert.True(result.Succeeded, string.Join(" | ", result.Errors));
        Assert.NotEmpty(result.Specs);
        foreach (ConnectorSpec spec in result.Specs)
        {
            ExchangeCmdlet cmdlet = ExchangeCmdlets.Find(spec.Cmdlet)!;
            foreach (DictionaryEntry p in spec.Parameters)
            {
                ExchangeParameter parameter = Assert.IsType<ExchangeParameter>(cmdlet.Find((string)p.Key));
                Assert.True(ParameterValues.IsOfKind(parameter, p.Value), $"{spec.Cmdlet} -{p.Key}");
                Assert.False(cmdlet.IsReserved((string)p.Key));
            }
            Assert.DoesNotContain(ConnectorValidator.Validate(spec.Cmdlet, spec.Parameters), f => f.Rule.Severity == RuleSeverity.Error);
            if (spec.Cmdlet is "New-InboundConnector")
            {
                Assert.Equal(true, spec.Parameters["RequireTls"]);
            }
            if (spec.Cmdlet is "New-SendConnector" or "New-ReceiveConnector")
            {
                Assert.Equal(true, spec.Parameters["RequireTLS"]);
            }
            if (spec.Cmdlet is "New-OutboundConnector")
            {
                Assert.Equal(level.ToString(), spec.Parameters["TlsSettings"]);
                Assert.Equal(level == TlsAuthLevel.DomainValidation, spec.Parameters.Contains("TlsDomain"));
            }
            if (spec.Cmdlet is "New-SendConnector")
            {
                Assert.Equal(level.ToString(), spec.Parameters["TlsAuthLevel"]);
                Assert.Equal(false, spec.Parameters["IgnoreSTARTTLS"]);
            }
        }
    }

    [Fact]
    public void TlsDomainIsTheFirstCandidateAndTheEvidenceListsThemAll()
    {
        var evidence = Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mx1.partner.example" }),
            Result("mx2.partner.example", "192.0.2.2", new[] { "*.partner.example" }));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        Assert.Equal("*.partner.example", outbound.Parameters["TlsDomain"]);
        Assert.Contains(outbound.Evidence, e => e.Contains("TlsDomain candidates (every measured certificate satisfies each): *.partner.example, mx1.partner.example."));
        Assert.DoesNotContain(outbound.Warnings, w => w.StartsWith("CertificateNameMismatch", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutACandidateTheTlsDomainIsFlaggedAndCertificateValidationSuggested()
    {
        var evidence = Summary("partner.example",
            Result("mx1.partner.example", "192.0.2.1", new[] { "mx1.partner.example" }),
            Result("mx.hoster.example", "198.51.100.1", new[] { "mx.hoster.example" }));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        Assert.Contains(outbound.Evidence, e => e.Contains("No TlsDomain candidate") && e.Contains("CertificateValidation"));
        Assert.Contains(outbound.Warnings, w => w.StartsWith("CertificateNameMismatch", StringComparison.Ordinal));
        Assert.False(outbound.ReadyToApply);
    }

    [Fact]
    public void FullDaneEvidenceMakesSmtpDaneModeMandatory()
    {
        MailTlsDomainSummary evidence = WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Tls, daneApplies: true, daneMatch: true),
            Delivery("mx2.partner.example", MxDelivery.Tls, daneApplies: true, daneMatch: true));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        Assert.Equal("Mandatory", outbound.Parameters["SmtpDaneMode"]);
        Assert.Equal("Opportunistic", outbound.Parameters["MtaStsMode"]);
        Assert.Contains(outbound.Evidence, e => e.StartsWith("SmtpDaneMode 'Mandatory': DANE applies to every MX host", StringComparison.Ordinal));
        Assert.Empty(outbound.Warnings);
        Assert.True(outbound.ReadyToApply);
    }

    [Fact]
    public void PartialDaneKeepsOpportunisticAndSaysWhyNotMandatory()
    {
        MailTlsDomainSummary evidence = WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Tls, daneApplies: true, daneMatch: true),
            Delivery("mx2.partner.example", MxDelivery.Tls, daneApplies: false));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        Assert.Equal("Opportunistic", outbound.Parameters["SmtpDaneMode"]);
        Assert.Contains(outbound.Evidence, e => e.Contains("DANE does not cover mx2.partner.example, so Mandatory would queue and drop"));
        Assert.Empty(outbound.Warnings);
    }

    [Fact]
    public void MandatoryGivenForAPartnerWithoutFullDaneWarnsAndBlocks()
    {
        MailTlsDomainSummary evidence = WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Tls, daneApplies: true, daneMatch: true),
            Delivery("mx2.partner.example", MxDelivery.Tls, daneApplies: false));
        ConnectorSpec outbound = Only(Build(r =>
        {
            r.Direction = ConnectorDirection.Outbound;
            r.Evidence.Add(evidence);
            r.AdditionalParameters = new Hashtable { ["SmtpDaneMode"] = "Mandatory" };
        }), "New-OutboundConnector");
        string w = Assert.Single(outbound.Warnings, x => x.StartsWith("SmtpDaneModeMandatoryWithoutDane:", StringComparison.Ordinal));
        Assert.Contains("DANE/TLSA does not cover mx2.partner.example", w);
        Assert.False(outbound.ReadyToApply);
    }

    [Fact]
    public void PartnerRecordsThatRefuseEveryHostBlockTheSpec()
    {
        MailTlsDomainSummary evidence = WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Refused, mtaStsEnforced: true, mtaStsCovered: false, refusedBy: "MTA-STS"),
            Delivery("mx2.partner.example", MxDelivery.Refused, mtaStsEnforced: true, mtaStsCovered: false, refusedBy: "MTA-STS"));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        var warnings = outbound.Warnings.Where(x => x.StartsWith("PartnerPolicyBlocksDelivery:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, x => Assert.Contains("MTA-STS (MtaStsMode Opportunistic)", x));
        Assert.All(warnings, x => Assert.Contains("queues it for 24 hours and then drops it", x));
        Assert.False(outbound.ReadyToApply);
        Assert.Contains(outbound.Evidence, e => e.Contains("the partner's MTA-STS policy mode is partner.example: Enforce"));
    }

    [Fact]
    public void ARefusedHostAmongGoodOnesWarnsWithoutBlocking()
    {
        MailTlsDomainSummary evidence = WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Tls, daneApplies: true, daneMatch: true),
            Delivery("mx2.partner.example", MxDelivery.Refused, daneApplies: true, daneMatch: false, refusedBy: "DANE"));
        ConnectorSpec outbound = Only(Build(r => { r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(evidence); }), "New-OutboundConnector");
        string w = Assert.Single(outbound.Warnings);
        Assert.StartsWith("PartnerPolicyBlocksDelivery: mx2.partner.example: the partner's records refuse delivery under DANE/TLSA (SmtpDaneMode Opportunistic)", w);
        Assert.True(outbound.ReadyToApply);
        Assert.Equal("Opportunistic", outbound.Parameters["SmtpDaneMode"]);
    }

    [Fact]
    public void SmtpDaneModeNoneSilencesDaneRefusals()
    {
        MailTlsDomainSummary evidence = WithPolicy(Good(),
            Delivery("mx1.partner.example", MxDelivery.Refused, daneApplies: true, daneMatch: false, refusedBy: "DANE"),
            Delivery("mx2.partner.example", MxDelivery.Refused, daneApplies: true, daneMatch: false, refusedBy: "DANE"));
        ConnectorSpec outbound = Only(Build(r =>
        {
            r.Direction = ConnectorDirection.Outbound;
            r.Evidence.Add(evidence);
            r.AdditionalParameters = new Hashtable { ["SmtpDaneMode"] = "None" };
        }), "New-OutboundConnector");
        Assert.DoesNotContain(outbound.Warnings, x => x.StartsWith("PartnerPolicyBlocksDelivery:", StringComparison.Ordinal));
    }

    [Fact]
    public void SendConnectorsCarryNoExchangeOnlineModes()
    {
        ConnectorSpec send = Only(Build(r => { r.Platform = ConnectorPlatform.ExchangeServer; r.Direction = ConnectorDirection.Outbound; r.Evidence.Add(Good()); }), "New-SendConnector");
        Assert.False(send.Parameters.Contains("SmtpDaneMode"));
        Assert.False(send.Parameters.Contains("MtaStsMode"));
    }

    [Fact]
    public void RuleTableIsComplete()
    {
        string[] expected =
        {
            "InboundConnectorNeedsSenderDomains", "PartnerOnlySetting", "TlsDomainNeedsDomainValidation", "UseMXRecordFalseNeedsSmartHosts",
            "SenderIPAddressPrefixOutOfRange", "SenderIPAddressIPv6NotAllowed", "EmbeddedWildcardNotAllowed", "TreatMessagesAsInternalNeedsOnPremises",
            "TreatMessagesAsInternalWithCloudServicesMail", "ReservedParameter", "RequireTlsNotExplicit", "RequireTlsWithIgnoreStartTls",
            "SmartHostsExcludeDnsRouting", "DomainSecureNeedsDnsRouting", "DomainSecureNoWildcards", "DomainSecureNeedsBothSecureLists",
            "InvalidTlsCertificateName", "MxHostWithoutStartTls", "CertificateNameMismatch", "CertificateExpiresSoon", "CertificateChainNotTrusted",
        };
        Assert.All(expected, id => Assert.NotNull(ConnectorRules.Find(id)));
        Assert.All(new[] { "MxHostWithoutStartTls", "CertificateNameMismatch", "CertificateExpiresSoon", "CertificateChainNotTrusted", "PartnerOnlySetting" },
            id => Assert.Equal(RuleSeverity.Warning, ConnectorRules.Find(id)!.Severity));
    }
}
