using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Connectors;

/// <summary>Whether breaking a rule stops the specification or only flags it for review.</summary>
public enum RuleSeverity
{
    /// <summary>The parameters would be rejected or would not do what was asked: no specification is produced.</summary>
    Error,
    /// <summary>The specification is produced with a warning; <see cref="ConnectorRule.Blocks"/> says whether it is still ready to apply.</summary>
    Warning,
}

/// <summary>
/// One rule of the connector rule table. The id is stable: the cmdlet uses it as the ErrorId of the
/// terminating error (errors) or as the prefix of the warning text (warnings).
/// </summary>
public sealed class ConnectorRule
{
    internal ConnectorRule(string id, RuleSeverity severity, bool blocks, string source, string summary)
    {
        Id = id;
        Severity = severity;
        Blocks = blocks;
        Source = source;
        Summary = summary;
    }

    public string Id { get; }
    public RuleSeverity Severity { get; }

    /// <summary>For warnings: whether the warning makes the specification not ready to apply by default.</summary>
    public bool Blocks { get; }

    /// <summary>The row of the Exchange connector reference the rule comes from (X1..X16, P1..P14), or "TlsTools" for the module's own.</summary>
    public string Source { get; }

    public string Summary { get; }

    public override string ToString() => Id;
}

/// <summary>The rule table of New-ForcedTlsConnectorSpec.</summary>
public static class ConnectorRules
{
    private static readonly List<ConnectorRule> Table = new();

    private static ConnectorRule Error(string id, string source, string summary) => Add(new ConnectorRule(id, RuleSeverity.Error, true, source, summary));

    private static ConnectorRule Warning(string id, bool blocks, string source, string summary) => Add(new ConnectorRule(id, RuleSeverity.Warning, blocks, source, summary));

    private static ConnectorRule Add(ConnectorRule rule)
    {
        Table.Add(rule);
        return rule;
    }

    // ---- Input -------------------------------------------------------------------------------
    public static readonly ConnectorRule InvalidDomainName = Error(nameof(InvalidDomainName), "TlsTools",
        "A partner domain, TlsDomain or certificate name is not a DNS name.");
    public static readonly ConnectorRule EmbeddedWildcardNotAllowed = Error(nameof(EmbeddedWildcardNotAllowed), "X2",
        "A wildcard is allowed only as a whole leading '*.' label (SenderDomains, RecipientDomains and AddressSpaces also take a bare '*').");
    public static readonly ConnectorRule ParameterNotApplicable = Error(nameof(ParameterNotApplicable), "TlsTools",
        "A parameter was given that none of the connectors for this platform, direction and type uses.");
    public static readonly ConnectorRule InvalidIPAddress = Error(nameof(InvalidIPAddress), "X4",
        "A sender IP address or remote IP range is not an address, a range or a CIDR prefix.");
    public static readonly ConnectorRule InvalidSmartHost = Error(nameof(InvalidSmartHost), "TlsTools",
        "A smart host is not a host name, an IP address or (Exchange Online) an IPv4 CIDR prefix.");
    public static readonly ConnectorRule UnknownParameter = Error(nameof(UnknownParameter), "TlsTools",
        "A parameter is not a documented parameter of any of the cmdlets the specification calls.");
    public static readonly ConnectorRule InvalidParameterValue = Error(nameof(InvalidParameterValue), "TlsTools",
        "A parameter value is not of the parameter's type or not in its value set.");
    public static readonly ConnectorRule ReservedParameter = Error(nameof(ReservedParameter), "X-reserved",
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
    public static readonly ConnectorRule RestrictDomainsToCertificateNeedsName = Error(nameof(RestrictDomainsToCertificateNeedsName), "X3",
        "RestrictDomainsToCertificate $true needs TlsSenderCertificateName.");
    public static readonly ConnectorRule RestrictDomainsToIPAddressesNeedsSenderIPAddresses = Error(nameof(RestrictDomainsToIPAddressesNeedsSenderIPAddresses), "X3",
        "RestrictDomainsToIPAddresses $true needs SenderIPAddresses.");
    public static readonly ConnectorRule TlsSenderCertificateNameRequired = Error(nameof(TlsSenderCertificateNameRequired), "X3",
        "An inbound connector that checks the partner's certificate needs the name to expect: -TlsSenderCertificateName, a measurement or -TlsCertificate.");
    public static readonly ConnectorRule TlsSenderCertificateNameNeedsCertificateValidation = Error(nameof(TlsSenderCertificateNameNeedsCertificateValidation), "TlsTools",
        "-TlsSenderCertificateName means checking the sender's certificate, which -TlsSettings EncryptionOnly does not do.");
    public static readonly ConnectorRule OnPremisesInboundNeedsCertificateOrIP = Error(nameof(OnPremisesInboundNeedsCertificateOrIP), "X13",
        "An OnPremises inbound connector recognises your servers by TlsSenderCertificateName or SenderIPAddresses; it needs one of them.");
    public static readonly ConnectorRule UseMXRecordFalseNeedsSmartHosts = Error(nameof(UseMXRecordFalseNeedsSmartHosts), "X8",
        "UseMXRecord $false needs SmartHosts.");
    public static readonly ConnectorRule SmartHostsNeedUseMXRecordFalse = Error(nameof(SmartHostsNeedUseMXRecordFalse), "X8",
        "SmartHosts are used only with UseMXRecord $false.");
    public static readonly ConnectorRule OnPremisesOnlySetting = Error(nameof(OnPremisesOnlySetting), "X10",
        "AllAcceptedDomains, RouteAllMessagesViaOnPremises and SenderRewritingEnabled $true need ConnectorType OnPremises.");
    public static readonly ConnectorRule OutboundConnectorNeedsScope = Error(nameof(OutboundConnectorNeedsScope), "X11",
        "An outbound connector needs RecipientDomains, IsTransportRuleScoped $true or AllAcceptedDomains $true, or it is never used.");
    public static readonly ConnectorRule OnPremisesOutboundNeedsSmartHosts = Error(nameof(OnPremisesOutboundNeedsSmartHosts), "X8",
        "An OnPremises outbound connector delivers to your own servers: it needs -SmartHost (your domain's MX usually points at Exchange Online).");
    public static readonly ConnectorRule OutboundConnectorNameTooLong = Error(nameof(OutboundConnectorNameTooLong), "New-OutboundConnector",
        "An outbound connector's Name has at most 64 characters.");

    // ---- Both platforms ----------------------------------------------------------------------
    public static readonly ConnectorRule TlsDomainNeedsDomainValidation = Error(nameof(TlsDomainNeedsDomainValidation), "X9/P3",
        "TlsDomain is used only with TlsSettings (TlsAuthLevel) DomainValidation; on-premises Exchange rejects it otherwise.");
    public static readonly ConnectorRule DomainValidationNeedsTlsDomain = Error(nameof(DomainValidationNeedsTlsDomain), "X9/P4",
        "DomainValidation needs a TlsDomain (Exchange Online always; a send connector when it uses smart hosts).");
    public static readonly ConnectorRule RequireTlsNotExplicit = Error(nameof(RequireTlsNotExplicit), "X-RequireTls",
        "RequireTls (RequireTLS) is always set explicitly on a new connector: its documented default changed.");
    public static readonly ConnectorRule TlsSettingsNotExplicit = Error(nameof(TlsSettingsNotExplicit), "X-TlsSettings",
        "TlsSettings (TlsAuthLevel) is always set on an outbound connector: without it TLS is opportunistic.");
    public static readonly ConnectorRule RequireTlsDisabled = Warning(nameof(RequireTlsDisabled), true, "TlsTools",
        "RequireTls is $false: the connector does not force TLS.");
    public static readonly ConnectorRule InvalidTlsCertificateName = Error(nameof(InvalidTlsCertificateName), "P-TlsCertificateName",
        "TlsCertificateName has the form <I>issuer<S>subject.");

    // ---- Exchange Server ---------------------------------------------------------------------
    public static readonly ConnectorRule SendConnectorNeedsAddressSpaces = Error(nameof(SendConnectorNeedsAddressSpaces), "New-SendConnector",
        "New-SendConnector needs AddressSpaces.");
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
    public static readonly ConnectorRule DomainSecureNeedsExchangeServer = Error(nameof(DomainSecureNeedsExchangeServer), "P6",
        "Domain security (mutual TLS) is an on-premises Exchange feature between partner organisations: -DomainSecure needs -Platform ExchangeServer -ConnectorType Partner.");
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
    public static readonly ConnectorRule ReceiveConnectorIdentityRequired = Error(nameof(ReceiveConnectorIdentityRequired), "P12",
        "On-premises mail from Exchange Online arrives on an existing receive connector (give -ReceiveConnector) or on a dedicated one (give -SenderIPAddress).");
    public static readonly ConnectorRule TlsCertificateNameNotSet = Warning(nameof(TlsCertificateNameNotSet), false, "P14",
        "TlsCertificateName is not set: Exchange picks the certificate by the connector's FQDN.");
    public static readonly ConnectorRule PublicReceiveConnectorNotForced = Warning(nameof(PublicReceiveConnectorNotForced), false, "P12",
        "An existing receive connector also serves the internet and is not switched to RequireTLS (RFC 3207 section 4).");

    // ---- Measured evidence --------------------------------------------------------------------
    public static readonly ConnectorRule MxHostWithoutStartTls = Warning(nameof(MxHostWithoutStartTls), true, "Test-MailTls",
        "An MX host of the partner did not negotiate TLS: forced TLS will queue (or refuse) the mail it carries.");
    public static readonly ConnectorRule CertificateNameMismatch = Warning(nameof(CertificateNameMismatch), true, "Test-MailTls",
        "A measured certificate does not carry the TlsDomain (or TlsSenderCertificateName).");
    public static readonly ConnectorRule CertificateExpiresSoon = Warning(nameof(CertificateExpiresSoon), false, "Test-MailTls",
        "A measured certificate expires within 30 days.");
    public static readonly ConnectorRule CertificateExpired = Warning(nameof(CertificateExpired), true, "Test-MailTls",
        "A measured certificate has expired.");
    public static readonly ConnectorRule CertificateChainNotTrusted = Warning(nameof(CertificateChainNotTrusted), true, "Test-MailTls",
        "A measured certificate chain does not validate against the trusted roots.");
    public static readonly ConnectorRule TlsSettingsAboveMeasuredLevel = Warning(nameof(TlsSettingsAboveMeasuredLevel), true, "Test-MailTls",
        "The partner's lowest measured ExchangeTlsLevel is below the TLS settings asked for.");
    public static readonly ConnectorRule PartnerAcceptsNoMail = Warning(nameof(PartnerAcceptsNoMail), true, "Test-MailTls",
        "The partner domain publishes a null MX (RFC 7505): it accepts no mail.");
    public static readonly ConnectorRule SmartHostNotMeasured = Warning(nameof(SmartHostNotMeasured), false, "Test-MailTls",
        "A smart host is not one of the measured MX hosts: the measurement may not describe it.");
    public static readonly ConnectorRule NoEvidence = Warning(nameof(NoEvidence), false, "TlsTools",
        "Nothing was measured for a partner domain: the values were not checked against its servers.");

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

    public override string ToString() => Rule.Id + ": " + Message;
}
