using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Connectors;

/// <summary>Whether breaking a rule stops the specification or only flags it for review.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum RuleSeverity
{
    /// <summary>The parameters would be rejected or would not do what was asked: no specification is produced.</summary>
    Error,
    /// <summary>The specification is produced with a warning; <see cref="ConnectorRule.Blocks"/> says whether it is still ready to apply.</summary>
    Warning,
}

/// <summary>What a rule rests on. Only Documented and Input rules may be errors.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum RuleBasis
{
    /// <summary>Microsoft's documentation states it (cmdlet help, conceptual docs, a Message Center post), or an observed Exchange error text does, or a standard (RFC) does.</summary>
    Documented,
    /// <summary>The contract of New-ForcedTlsConnectorSpec's own parameters (documented in its help): what it can build from what it was given.</summary>
    Input,
    /// <summary>What the partner's measured servers and policy mean for the connector (Test-MailTls, Get-MailTlsPolicy facts).</summary>
    Evidence,
    /// <summary>TlsTools' own inference, which no Microsoft documentation states: always a warning, and its text says so.</summary>
    Undocumented,
}

/// <summary>
/// One rule of the connector rule table. The id is stable: the cmdlet uses it as the ErrorId of the
/// terminating error (errors) or as the prefix of the warning text (warnings).
/// </summary>
public sealed class ConnectorRule
{
    internal ConnectorRule(string id, RuleSeverity severity, bool blocks, RuleBasis basis, string source, string summary)
    {
        if (severity == RuleSeverity.Error && basis is RuleBasis.Undocumented or RuleBasis.Evidence)
        {
            throw new ArgumentException($"Rule {id}: a rule with no documented source is a warning, not an error.", nameof(severity));
        }
        Id = id;
        Severity = severity;
        Blocks = blocks;
        Basis = basis;
        Source = source;
        Summary = summary;
    }

    public string Id { get; }
    public RuleSeverity Severity { get; }

    /// <summary>For warnings: whether the warning makes the specification not ready to apply by default.</summary>
    public bool Blocks { get; }

    /// <summary>What the rule rests on; an Undocumented rule is always a warning.</summary>
    public RuleBasis Basis { get; }

    /// <summary>
    /// Where the rule comes from: the row of the Exchange connector reference (X1..X16, P1..P14, which
    /// name their Microsoft sources) or the documentation page; for Input rules the cmdlet; for
    /// Undocumented rules what the inference rests on.
    /// </summary>
    public string Source { get; }

    public string Summary { get; }

    public override string ToString() => Id;
}

/// <summary>
/// The rule table of New-ForcedTlsConnectorSpec. Sources are rows of the project's Exchange connector
/// reference (the design notes on Exchange connectors (exchange-connectors.md)), which cite the office-docs-powershell help
/// pages (New-InboundConnector, New-OutboundConnector, New-SendConnector, New-ReceiveConnector,
/// Set-ReceiveConnector, Set-TransportConfig) and Microsoft's conceptual pages for each.
/// </summary>
public static class ConnectorRules
{
    private static readonly List<ConnectorRule> Table = new();

    private static ConnectorRule Error(string id, string source, string summary) => Add(new ConnectorRule(id, RuleSeverity.Error, true, RuleBasis.Documented, source, summary));

    private static ConnectorRule InputError(string id, string summary) => Add(new ConnectorRule(id, RuleSeverity.Error, true, RuleBasis.Input, "New-ForcedTlsConnectorSpec", summary));

    private static ConnectorRule Warning(string id, bool blocks, string source, string summary) => Add(new ConnectorRule(id, RuleSeverity.Warning, blocks, RuleBasis.Documented, source, summary));

    private static ConnectorRule EvidenceWarning(string id, bool blocks, string source, string summary) => Add(new ConnectorRule(id, RuleSeverity.Warning, blocks, RuleBasis.Evidence, source, summary));

    /// <summary>A rule no Microsoft documentation states: a warning, whose text says so (<see cref="ConnectorFinding.ToString"/>).</summary>
    private static ConnectorRule Undocumented(string id, bool blocks, string basis, string summary) => Add(new ConnectorRule(id, RuleSeverity.Warning, blocks, RuleBasis.Undocumented, basis, summary));

    private static ConnectorRule Add(ConnectorRule rule)
    {
        Table.Add(rule);
        return rule;
    }

    // ---- Input -------------------------------------------------------------------------------
    public static readonly ConnectorRule InvalidDomainName = Error(nameof(InvalidDomainName), "X2 (SenderDomains, RecipientDomains, TlsDomain, TlsSenderCertificateName, AddressSpaces take SMTP domains)",
        "A partner domain, TlsDomain or certificate name is not a DNS name.");
    public static readonly ConnectorRule EmbeddedWildcardNotAllowed = Error(nameof(EmbeddedWildcardNotAllowed), "X2",
        "A wildcard is allowed only as a whole leading '*.' label (SenderDomains, RecipientDomains and AddressSpaces also take a bare '*').");
    public static readonly ConnectorRule ParameterNotApplicable = InputError(nameof(ParameterNotApplicable),
        "A parameter was given that none of the connectors for this platform, direction and type uses.");
    public static readonly ConnectorRule InvalidIPAddress = Error(nameof(InvalidIPAddress), "X4/P11 (SenderIPAddresses, RemoteIPRanges)",
        "A sender IP address or remote IP range is not an address, a range or a CIDR prefix.");
    public static readonly ConnectorRule InvalidSmartHost = Error(nameof(InvalidSmartHost), "New-OutboundConnector, New-SendConnector (SmartHosts)",
        "A smart host is not a host name, an IP address or (Exchange Online) an IPv4 CIDR prefix.");
    public static readonly ConnectorRule UnknownParameter = Error(nameof(UnknownParameter), "the parameter lists of the target cmdlets (reference sections 2, 3, 5, 6, 7)",
        "A parameter is not a documented parameter of any of the cmdlets the specification calls.");
    public static readonly ConnectorRule InvalidParameterValue = Error(nameof(InvalidParameterValue), "the parameter types and value sets of the target cmdlets (reference sections 2, 3, 5, 6, 7)",
        "A parameter value is not of the parameter's type or not in its value set.");
    public static readonly ConnectorRule ReservedParameter = Error(nameof(ReservedParameter), "X-reserved (help: 'reserved for internal Microsoft use')",
        "Parameters reserved for Microsoft (EFTestMode, EFSkipMailGateway, ScanAndDropRecipients, ClientHostNames, LinkForModifiedConnector, RequireOorg) are never emitted.");

    // ---- Exchange Online -------------------------------------------------------------------
    public static readonly ConnectorRule InboundConnectorNeedsSenderDomains = Error(nameof(InboundConnectorNeedsSenderDomains), "X1",
        "New-InboundConnector needs SenderDomains.");
    public static readonly ConnectorRule PartnerOnlySetting = Warning(nameof(PartnerOnlySetting), false, "X3",
        "RequireTls, RestrictDomainsToCertificate and RestrictDomainsToIPAddresses act only on Partner connectors.");
    public static readonly ConnectorRule SenderIPAddressIPv6NotAllowed = Error(nameof(SenderIPAddressIPv6NotAllowed), "X4",
        "SenderIPAddresses takes IPv4 only.");
    public static readonly ConnectorRule SenderIPAddressPrefixOutOfRange = Error(nameof(SenderIPAddressPrefixOutOfRange), "X4",
        "SenderIPAddresses takes IPv4 CIDR prefixes from /24 to /32 only.");
    public static readonly ConnectorRule TreatMessagesAsInternalNeedsOnPremises = Error(nameof(TreatMessagesAsInternalNeedsOnPremises), "X5",
        "TreatMessagesAsInternal $true needs ConnectorType OnPremises.");
    public static readonly ConnectorRule TreatMessagesAsInternalWithCloudServicesMail = Error(nameof(TreatMessagesAsInternalWithCloudServicesMail), "X5",
        "TreatMessagesAsInternal $true cannot go with CloudServicesMailEnabled $true.");
    public static readonly ConnectorRule IPAndCertificateRestrictionOnOneConnector = Error(nameof(IPAndCertificateRestrictionOnOneConnector), "X6",
        "Restricting by IP address and by certificate on the same Partner connector is not supported; use two connectors.");
    public static readonly ConnectorRule RestrictDomainsToCertificateNeedsName = Error(nameof(RestrictDomainsToCertificateNeedsName), "X3 (New-InboundConnector, RestrictDomainsToCertificate: the sender's certificate must match TlsSenderCertificateName)",
        "RestrictDomainsToCertificate $true needs TlsSenderCertificateName.");
    public static readonly ConnectorRule RestrictDomainsToIPAddressesNeedsSenderIPAddresses = Error(nameof(RestrictDomainsToIPAddressesNeedsSenderIPAddresses), "X3/X4 (New-InboundConnector, RestrictDomainsToIPAddresses)",
        "RestrictDomainsToIPAddresses $true needs SenderIPAddresses.");
    public static readonly ConnectorRule TlsSenderCertificateNameRequired = InputError(nameof(TlsSenderCertificateNameRequired),
        "An inbound connector that checks the partner's certificate needs the name to expect: -TlsSenderCertificateName, a measurement or -TlsCertificate.");
    public static readonly ConnectorRule TlsSenderCertificateNameNeedsCertificateValidation = InputError(nameof(TlsSenderCertificateNameNeedsCertificateValidation),
        "-TlsSenderCertificateName means checking the sender's certificate, which -TlsSettings EncryptionOnly does not do.");
    public static readonly ConnectorRule OnPremisesInboundNeedsCertificateOrIP = Error(nameof(OnPremisesInboundNeedsCertificateOrIP), "X13",
        "An OnPremises inbound connector recognises your servers by TlsSenderCertificateName or SenderIPAddresses; it needs one of them.");
    public static readonly ConnectorRule UseMXRecordFalseNeedsSmartHosts = Error(nameof(UseMXRecordFalseNeedsSmartHosts), "X8",
        "UseMXRecord $false needs SmartHosts.");
    public static readonly ConnectorRule SmartHostsNeedUseMXRecordFalse = Undocumented(nameof(SmartHostsNeedUseMXRecordFalse), true,
        "X8 (inferred: UseMXRecord $true, the default, routes by MX, so the smart hosts would not be used)",
        "SmartHosts are used only with UseMXRecord $false.");
    public static readonly ConnectorRule OnPremisesOnlySetting = Error(nameof(OnPremisesOnlySetting), "X10",
        "AllAcceptedDomains, RouteAllMessagesViaOnPremises and SenderRewritingEnabled $true need ConnectorType OnPremises.");
    public static readonly ConnectorRule OutboundConnectorNeedsScope = Undocumented(nameof(OutboundConnectorNeedsScope), true,
        "X11 (inferred from the scoping options of the connector wizard)",
        "An outbound connector needs RecipientDomains, IsTransportRuleScoped $true or AllAcceptedDomains $true, or it is never used.");
    public static readonly ConnectorRule OnPremisesOutboundNeedsSmartHosts = Undocumented(nameof(OnPremisesOutboundNeedsSmartHosts), true,
        "inferred: your domain's MX usually points at Exchange Online, so MX routing would send the mail back to it",
        "An OnPremises outbound connector delivers to your own servers: it needs -SmartHost (your domain's MX usually points at Exchange Online).");
    public static readonly ConnectorRule OutboundConnectorNameTooLong = Error(nameof(OutboundConnectorNameTooLong), "New-OutboundConnector (Name: 'The maximum length is 64 characters')",
        "An outbound connector's Name has at most 64 characters.");
    public static readonly ConnectorRule OutboundDomainValidationWithoutTlsDomain = Undocumented(nameof(OutboundDomainValidationWithoutTlsDomain), true,
        "X9 (whether New-OutboundConnector rejects DomainValidation without TlsDomain is not documented; reference section 12, item 3)",
        "An Exchange Online outbound connector with TlsSettings DomainValidation and no TlsDomain checks the certificate against nothing documented.");
    public static readonly ConnectorRule PolicyModesNotExplicit = Undocumented(nameof(PolicyModesNotExplicit), false,
        "TlsTools: the documented defaults (Opportunistic) apply, but the specification records the choice made from the partner's policy",
        "The Exchange Online outbound connector sets MtaStsMode and SmtpDaneMode explicitly.");

    // ---- Both platforms ----------------------------------------------------------------------
    public static readonly ConnectorRule TlsDomainNeedsDomainValidation = Error(nameof(TlsDomainNeedsDomainValidation), "X9/P3",
        "TlsDomain is used only with TlsSettings (TlsAuthLevel) DomainValidation; on-premises Exchange rejects it otherwise.");
    public static readonly ConnectorRule DomainValidationNeedsTlsDomain = Error(nameof(DomainValidationNeedsTlsDomain), "P4",
        "A send connector with TlsAuthLevel DomainValidation and smart hosts needs a TlsDomain.");
    public static readonly ConnectorRule RequireTlsNotExplicit = Undocumented(nameof(RequireTlsNotExplicit), true,
        "X-RequireTls (the documented default of New-InboundConnector's RequireTls changed in 2021-09; the rule to set it explicitly is TlsTools')",
        "RequireTls (RequireTLS) is always set explicitly on a new connector: its documented default changed.");
    public static readonly ConnectorRule TlsSettingsNotExplicit = Error(nameof(TlsSettingsNotExplicit), "New-OutboundConnector (TlsSettings: '$null (blank): This value is the default'), New-SendConnector (TlsAuthLevel)",
        "TlsSettings (TlsAuthLevel) is always set on an outbound connector: without it TLS is opportunistic.");
    public static readonly ConnectorRule RequireTlsDisabled = Warning(nameof(RequireTlsDisabled), true, "New-InboundConnector, New-SendConnector, New-ReceiveConnector (RequireTls/RequireTLS)",
        "RequireTls is $false: the connector does not force TLS.");
    public static readonly ConnectorRule InvalidTlsCertificateName = Error(nameof(InvalidTlsCertificateName), "P-TlsCertificateName (New-SendConnector, New-ReceiveConnector: TlsCertificateName is <I>issuer<S>subject)",
        "TlsCertificateName has the form <I>issuer<S>subject.");

    // ---- Exchange Server ---------------------------------------------------------------------
    public static readonly ConnectorRule SendConnectorNeedsAddressSpaces = Error(nameof(SendConnectorNeedsAddressSpaces), "New-SendConnector (AddressSpaces: required in the AddressSpaces parameter set)",
        "New-SendConnector needs AddressSpaces (or, on Exchange 2010, LinkedReceiveConnector).");
    public static readonly ConnectorRule LinkedReceiveConnectorRequirements = Error(nameof(LinkedReceiveConnectorRequirements), "New-SendConnector (LinkedReceiveConnector)",
        "LinkedReceiveConnector excludes AddressSpaces and needs DNSRoutingEnabled $false, MaxMessageSize unlimited, SmartHosts and SmartHostAuthMechanism.");
    public static readonly ConnectorRule Exchange2010OnlyParameter = Warning(nameof(Exchange2010OnlyParameter), false, "New-SendConnector (IsCoexistenceConnector, LinkedReceiveConnector: 'available only in Exchange Server 2010')",
        "IsCoexistenceConnector and LinkedReceiveConnector exist only in Exchange Server 2010.");
    public static readonly ConnectorRule RequireTlsWithIgnoreStartTls = Error(nameof(RequireTlsWithIgnoreStartTls), "P1",
        "RequireTLS $true needs IgnoreSTARTTLS $false, set explicitly.");
    public static readonly ConnectorRule TlsAuthLevelNeedsRequireTls = Error(nameof(TlsAuthLevelNeedsRequireTls), "P2",
        "TlsAuthLevel cannot be set with RequireTLS $false or IgnoreSTARTTLS $true.");
    public static readonly ConnectorRule DomainValidationUsesRecipientDomain = Warning(nameof(DomainValidationUsesRecipientDomain), true, "P4",
        "DomainValidation without TlsDomain on a DNS-routed send connector checks the certificate against the recipient domain, which MX certificates rarely carry.");
    public static readonly ConnectorRule SmartHostsExcludeDnsRouting = Error(nameof(SmartHostsExcludeDnsRouting), "P5",
        "SmartHosts need DNSRoutingEnabled $false.");
    public static readonly ConnectorRule DnsRoutingDisabledNeedsSmartHosts = Error(nameof(DnsRoutingDisabledNeedsSmartHosts), "P5",
        "DNSRoutingEnabled $false needs SmartHosts.");
    public static readonly ConnectorRule DomainSecureNeedsExchangeServer = InputError(nameof(DomainSecureNeedsExchangeServer),
        "Domain security (mutual TLS) is an on-premises Exchange feature between partner organisations (P6): -DomainSecure needs -Platform ExchangeServer -ConnectorType Partner.");
    public static readonly ConnectorRule DomainSecureNeedsDnsRouting = Error(nameof(DomainSecureNeedsDnsRouting), "P6",
        "DomainSecureEnabled works only with DNS routing (no smart hosts).");
    public static readonly ConnectorRule DomainSecureNoWildcards = Error(nameof(DomainSecureNoWildcards), "P6/P13",
        "Domain security takes no wildcard domains (connector address spaces or secure lists).");
    public static readonly ConnectorRule DomainSecureNeedsBothSecureLists = Error(nameof(DomainSecureNeedsBothSecureLists), "P6/P13",
        "Domain security needs each partner domain in both TLSSendDomainSecureList and TLSReceiveDomainSecureList (Set-TransportConfig).");
    public static readonly ConnectorRule ReceiveConnectorNeedsTlsAuth = Error(nameof(ReceiveConnectorNeedsTlsAuth), "P9/P10",
        "A receive connector with RequireTLS or DomainSecureEnabled $true needs Tls in AuthMechanism.");
    public static readonly ConnectorRule ReceiveConnectorNeedsRemoteIPRanges = Error(nameof(ReceiveConnectorNeedsRemoteIPRanges), "P11",
        "A dedicated receive connector needs RemoteIPRanges (give -SenderIPAddress with the partner's sending addresses) and Bindings.");
    public static readonly ConnectorRule ReceiveConnectorIdentityRequired = Error(nameof(ReceiveConnectorIdentityRequired), "Set-ReceiveConnector (Identity: required)",
        "On-premises mail from Exchange Online arrives on an existing receive connector (give -ReceiveConnector) or on a dedicated one (give -SenderIPAddress).");
    public static readonly ConnectorRule TlsCertificateNameNotSet = Warning(nameof(TlsCertificateNameNotSet), false, "P14",
        "TlsCertificateName is not set: Exchange picks the certificate by the connector's FQDN.");
    public static readonly ConnectorRule PublicReceiveConnectorNotForced = Warning(nameof(PublicReceiveConnectorNotForced), false, "P12 (RFC 3207 section 4)",
        "An existing receive connector also serves the internet and is not switched to RequireTLS (RFC 3207 section 4).");

    // ---- Measured evidence --------------------------------------------------------------------
    public static readonly ConnectorRule MxHostWithoutStartTls = EvidenceWarning(nameof(MxHostWithoutStartTls), true, "Test-MailTls",
        "An MX host of the partner did not negotiate TLS: forced TLS will queue (or refuse) the mail it carries.");
    public static readonly ConnectorRule CertificateNameMismatch = EvidenceWarning(nameof(CertificateNameMismatch), true, "Test-MailTls",
        "A measured certificate does not carry the TlsDomain (or TlsSenderCertificateName).");
    public static readonly ConnectorRule CertificateExpiresSoon = EvidenceWarning(nameof(CertificateExpiresSoon), false, "Test-MailTls",
        "A measured certificate expires within 30 days.");
    public static readonly ConnectorRule CertificateExpired = EvidenceWarning(nameof(CertificateExpired), true, "Test-MailTls",
        "A measured certificate has expired.");
    public static readonly ConnectorRule CertificateChainNotTrusted = EvidenceWarning(nameof(CertificateChainNotTrusted), true, "Test-MailTls",
        "A measured certificate chain does not validate against the trusted roots.");
    public static readonly ConnectorRule TlsSettingsAboveMeasuredLevel = EvidenceWarning(nameof(TlsSettingsAboveMeasuredLevel), true, "Test-MailTls",
        "The partner's lowest measured ExchangeTlsLevel is below the TLS settings asked for.");
    public static readonly ConnectorRule PartnerAcceptsNoMail = EvidenceWarning(nameof(PartnerAcceptsNoMail), true, "Test-MailTls",
        "The partner domain publishes a null MX (RFC 7505): it accepts no mail.");
    public static readonly ConnectorRule SmartHostNotMeasured = EvidenceWarning(nameof(SmartHostNotMeasured), false, "Test-MailTls",
        "A smart host is not one of the measured MX hosts: the measurement may not describe it.");
    public static readonly ConnectorRule NoEvidence = EvidenceWarning(nameof(NoEvidence), false, "TlsTools",
        "Nothing was measured for a partner domain: the values were not checked against its servers.");
    public static readonly ConnectorRule PartnerPolicyBlocksDelivery = EvidenceWarning(nameof(PartnerPolicyBlocksDelivery), true,
        "Test-MailTls -Summary (DefaultDelivery); reference sections 3 and 10.4 (MtaStsMode, SmtpDaneMode: queued 24 hours, then dropped)",
        "The partner's DANE/TLSA records or MTA-STS policy make Exchange Online queue and then drop mail to one of its MX hosts.");
    public static readonly ConnectorRule SmtpDaneModeMandatoryWithoutDane = EvidenceWarning(nameof(SmtpDaneModeMandatoryWithoutDane), true,
        "reference section 3 (SmtpDaneMode Mandatory: the destination must support DANE and DNSSEC, or the message is queued 24 hours and then dropped)",
        "SmtpDaneMode Mandatory with a partner MX host that DANE does not cover: Exchange Online queues and then drops its mail.");

    /// <summary>Every rule, in table order.</summary>
    public static IReadOnlyList<ConnectorRule> All => Table;

    /// <summary>Finds a rule by id (case-insensitive); null when there is none.</summary>
    public static ConnectorRule? Find(string id) => Table.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One rule broken (an error) or flagged (a warning), with the text to show.</summary>
public sealed class ConnectorFinding
{
    public ConnectorFinding(ConnectorRule rule, string message, object? target = null, bool? blocks = null)
    {
        Rule = rule;
        Message = message;
        Target = target;
        Blocks = blocks ?? rule.Blocks;
    }

    public ConnectorRule Rule { get; }
    public string Message { get; }

    /// <summary>What the finding is about: a value, a domain, a host.</summary>
    public object? Target { get; }

    /// <summary>For warnings: whether this one makes the specification not ready to apply.</summary>
    public bool Blocks { get; }

    /// <summary>"Id: message"; a rule with no documented source says so.</summary>
    public override string ToString() => Rule.Id + ": " + Message
        + (Rule.Basis == RuleBasis.Undocumented ? $" (TlsTools' own rule, which no Microsoft documentation states; basis: {Rule.Source}.)" : string.Empty);
}
