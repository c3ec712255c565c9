using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TlsTools.Certificates;

namespace TlsTools.Connectors;

/// <summary>
/// Applies the rule table to the parameters of one target cmdlet call, and to a set of calls
/// together (domain security). It judges the final parameters, whatever produced them.
/// </summary>
public static class ConnectorValidator
{
    private static readonly string[] PartnerOnlyParameters = { "RequireTls", "RestrictDomainsToCertificate", "RestrictDomainsToIPAddresses" };
    private static readonly string[] OnPremisesOnlyParameters = { "AllAcceptedDomains", "RouteAllMessagesViaOnPremises", "SenderRewritingEnabled" };
    private static readonly string[] SecureLists = { "TLSSendDomainSecureList", "TLSReceiveDomainSecureList" };

    /// <summary>Checks one call's parameters; returns the errors and warnings found.</summary>
    public static IReadOnlyList<ConnectorFinding> Validate(string cmdlet, IDictionary parameters)
    {
        var findings = new List<ConnectorFinding>();
        ExchangeCmdlet? target = ExchangeCmdlets.Find(cmdlet);
        if (target is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.UnknownParameter, $"'{cmdlet}' is not one of the cmdlets a specification calls.", cmdlet));
            return findings;
        }
        var p = new ParameterView(parameters);
        CheckTypes(target, parameters, findings);

        string? certName = p.String("TlsCertificateName");
        if (certName is not null && !ExchangeNames.TryParseCertificateName(certName, out _, out _))
        {
            findings.Add(new ConnectorFinding(ConnectorRules.InvalidTlsCertificateName,
                $"TlsCertificateName '{certName}' is not of the form <I>issuer<S>subject; build it from the certificate: \"<I>$($c.Issuer)<S>$($c.Subject)\".", certName));
        }

        switch (target.Name)
        {
            case "New-InboundConnector":
                ValidateInbound(p, findings);
                break;
            case "New-OutboundConnector":
                ValidateOutbound(p, findings);
                break;
            case "New-SendConnector":
                ValidateSendConnector(p, findings);
                break;
            case "New-ReceiveConnector":
            case "Set-ReceiveConnector":
                ValidateReceiveConnector(p, isNew: target.Name == "New-ReceiveConnector", findings);
                break;
            case "Set-TransportConfig":
                ValidateTransportConfig(p, findings);
                break;
        }
        return findings;
    }

    /// <summary>
    /// Checks the calls together: a connector with DomainSecureEnabled needs each of its partner
    /// domains in both secure lists of a Set-TransportConfig call among them.
    /// </summary>
    public static IReadOnlyList<ConnectorFinding> ValidateDomainSecurity(IEnumerable<(string Cmdlet, IDictionary Parameters)> calls, IEnumerable<string> partnerDomains)
    {
        var findings = new List<ConnectorFinding>();
        var list = calls.ToList();
        var secure = list.Where(c => c.Cmdlet != "Set-TransportConfig" && new ParameterView(c.Parameters).Bool("DomainSecureEnabled") == true).ToList();
        if (secure.Count == 0)
        {
            return findings;
        }
        var domains = new HashSet<string>(partnerDomains.Select(d => d.ToLowerInvariant()), StringComparer.OrdinalIgnoreCase);
        foreach (var c in secure.Where(c => c.Cmdlet == "New-SendConnector"))
        {
            foreach (string a in new ParameterView(c.Parameters).List("AddressSpaces") ?? Array.Empty<string>())
            {
                domains.Add(AddressSpaceDomain(a));
            }
        }
        var config = list.Where(c => c.Cmdlet == "Set-TransportConfig").Select(c => new ParameterView(c.Parameters)).ToList();
        foreach (string listName in SecureLists)
        {
            var added = new HashSet<string>(config.SelectMany(v => v.Added(listName)), StringComparer.OrdinalIgnoreCase);
            var missing = domains.Where(d => !added.Contains(d)).OrderBy(d => d, StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.DomainSecureNeedsBothSecureLists,
                    $"DomainSecureEnabled is set, but {string.Join(", ", missing)} is not added to {listName} (Set-TransportConfig -{listName} @{{ Add = ... }}).", string.Join(",", missing)));
            }
        }
        return findings;
    }

    private static void CheckTypes(ExchangeCmdlet target, IDictionary parameters, List<ConnectorFinding> findings)
    {
        foreach (DictionaryEntry e in parameters)
        {
            string key = e.Key as string ?? string.Empty;
            if (target.IsReserved(key))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.ReservedParameter, $"{target.Name} -{key} is reserved for Microsoft and is never set.", key));
                continue;
            }
            ExchangeParameter? parameter = target.Find(key);
            if (parameter is null)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.UnknownParameter, $"{target.Name} has no parameter -{key}.", key));
                continue;
            }
            if (!ParameterValues.IsOfKind(parameter, e.Value))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.InvalidParameterValue,
                    $"{target.Name} -{parameter.Name} takes {ParameterValues.Describe(parameter)}, not {ParameterValues.DescribeValue(e.Value)}.", key));
            }
        }
    }

    private static void CheckDomains(IEnumerable<string>? values, string parameter, bool allowBareStar, List<ConnectorFinding> findings)
    {
        foreach (string d in values ?? Array.Empty<string>())
        {
            ConnectorRule? broken = ConnectorValues.CheckDomain(d, allowBareStar);
            if (broken is not null)
            {
                string why = broken == ConnectorRules.EmbeddedWildcardNotAllowed
                    ? (allowBareStar ? "a wildcard may only be a bare '*' or a whole leading '*.' label" : "a wildcard may only be a whole leading '*.' label")
                    : "it is not a DNS name";
                findings.Add(new ConnectorFinding(broken, $"{parameter} '{d}' is not valid: {why}.", d));
            }
        }
    }

    private static void ValidateInbound(ParameterView p, List<ConnectorFinding> findings)
    {
        string[]? senders = p.List("SenderDomains");
        if (senders is null || senders.Length == 0)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.InboundConnectorNeedsSenderDomains,
                "New-InboundConnector needs SenderDomains: the partner domains whose mail the connector accepts.", "SenderDomains"));
        }
        CheckDomains(senders, "SenderDomains", true, findings);
        string? senderCert = p.String("TlsSenderCertificateName");
        if (senderCert is not null)
        {
            CheckDomains(new[] { senderCert }, "TlsSenderCertificateName", false, findings);
        }
        string[]? ips = p.List("SenderIPAddresses");
        foreach (string ip in ips ?? Array.Empty<string>())
        {
            ConnectorRule? broken = ConnectorValues.CheckSenderIPAddress(ip);
            if (broken is not null)
            {
                string why = broken == ConnectorRules.SenderIPAddressIPv6NotAllowed ? "Exchange Online takes IPv4 addresses only"
                    : broken == ConnectorRules.SenderIPAddressPrefixOutOfRange ? "the CIDR prefix must be from /24 to /32"
                    : "it is not an IPv4 address or CIDR prefix";
                findings.Add(new ConnectorFinding(broken, $"SenderIPAddresses '{ip}' is not valid: {why}.", ip));
            }
        }

        bool onPremises = string.Equals(p.String("ConnectorType"), "OnPremises", StringComparison.OrdinalIgnoreCase);
        if (p.Bool("TreatMessagesAsInternal") == true)
        {
            if (!onPremises)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.TreatMessagesAsInternalNeedsOnPremises,
                    "TreatMessagesAsInternal $true is only allowed on a connector with ConnectorType OnPremises.", "TreatMessagesAsInternal"));
            }
            if (p.Bool("CloudServicesMailEnabled") == true)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.TreatMessagesAsInternalWithCloudServicesMail,
                    "TreatMessagesAsInternal $true cannot be combined with CloudServicesMailEnabled $true.", "TreatMessagesAsInternal"));
            }
        }

        bool? requireTls = p.Bool("RequireTls");
        if (requireTls is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.RequireTlsNotExplicit,
                "New-InboundConnector must set RequireTls explicitly: its documented default changed from $false to $true in 2021.", "RequireTls"));
        }
        else if (requireTls == false)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.RequireTlsDisabled, "RequireTls is $false: this connector accepts the partner's mail without TLS.", "RequireTls"));
        }

        bool byCert = p.Bool("RestrictDomainsToCertificate") == true;
        bool byIp = p.Bool("RestrictDomainsToIPAddresses") == true;
        if (byCert && senderCert is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.RestrictDomainsToCertificateNeedsName,
                "RestrictDomainsToCertificate $true needs TlsSenderCertificateName: the certificate name the partner's servers must present.", "RestrictDomainsToCertificate"));
        }
        if (byIp && (ips is null || ips.Length == 0))
        {
            findings.Add(new ConnectorFinding(ConnectorRules.RestrictDomainsToIPAddressesNeedsSenderIPAddresses,
                "RestrictDomainsToIPAddresses $true needs SenderIPAddresses: the addresses the partner sends from.", "RestrictDomainsToIPAddresses"));
        }
        if (byCert && byIp && !onPremises)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.IPAndCertificateRestrictionOnOneConnector,
                "Restrict a Partner connector either by certificate or by IP address; for both, use two connectors.", "RestrictDomainsToIPAddresses"));
        }
        if (onPremises && senderCert is null && (ips is null || ips.Length == 0))
        {
            findings.Add(new ConnectorFinding(ConnectorRules.OnPremisesInboundNeedsCertificateOrIP,
                "An OnPremises inbound connector recognises your servers by certificate or address: give -TlsCertificate, -TlsSenderCertificateName or -SenderIPAddress.", "TlsSenderCertificateName"));
        }
        if (onPremises)
        {
            var partnerOnly = PartnerOnlyParameters.Where(k => p.Bool(k) == true).ToList();
            if (partnerOnly.Count > 0)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.PartnerOnlySetting,
                    $"{string.Join(", ", partnerOnly)} $true acts only on Partner connectors: on this OnPremises connector Exchange Online does not enforce it. The connector identifies your servers by TlsSenderCertificateName or SenderIPAddresses; to refuse their mail without TLS, add a Partner connector for them.",
                    string.Join(",", partnerOnly)));
            }
        }
    }

    private static void ValidateOutbound(ParameterView p, List<ConnectorFinding> findings)
    {
        string? name = p.String("Name");
        if (name is not null && name.Length > 64)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.OutboundConnectorNameTooLong,
                $"The outbound connector name has {name.Length} characters; New-OutboundConnector takes at most 64. Give a shorter -Name.", name));
        }
        string[]? recipients = p.List("RecipientDomains");
        CheckDomains(recipients, "RecipientDomains", true, findings);
        string? tlsDomain = p.String("TlsDomain");
        if (tlsDomain is not null)
        {
            CheckDomains(new[] { tlsDomain }, "TlsDomain", false, findings);
        }
        string[]? smartHosts = p.List("SmartHosts");
        bool hasSmartHosts = smartHosts is { Length: > 0 };
        foreach (string h in smartHosts ?? Array.Empty<string>())
        {
            if (!ConnectorValues.IsSmartHost(h, allowCidr: true))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.InvalidSmartHost, $"SmartHosts '{h}' is not a host name, an IP address or an IPv4 CIDR prefix.", h));
            }
        }
        bool? useMx = p.Bool("UseMXRecord");
        if (useMx == false && !hasSmartHosts)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.UseMXRecordFalseNeedsSmartHosts,
                "UseMXRecord $false needs SmartHosts, on the same command.", "UseMXRecord"));
        }
        if (hasSmartHosts && useMx != false)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.SmartHostsNeedUseMXRecordFalse,
                "SmartHosts are used only with UseMXRecord $false; set it explicitly.", "SmartHosts"));
        }

        string? tlsSettings = p.String("TlsSettings");
        if (tlsSettings is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.TlsSettingsNotExplicit,
                "New-OutboundConnector must set TlsSettings: without it the connector uses TLS only when the partner offers it.", "TlsSettings"));
        }
        bool domainValidation = string.Equals(tlsSettings, "DomainValidation", StringComparison.OrdinalIgnoreCase);
        if (tlsDomain is not null && !domainValidation)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.TlsDomainNeedsDomainValidation,
                $"TlsDomain '{tlsDomain}' is used only with TlsSettings DomainValidation (TlsSettings is {tlsSettings ?? "not set"}).", "TlsDomain"));
        }
        if (domainValidation && tlsDomain is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.OutboundDomainValidationWithoutTlsDomain,
                "TlsSettings DomainValidation without a TlsDomain: the help says TlsDomain is what the certificate's FQDN is verified against, and what Exchange Online does without one is not documented. Give -TlsDomain, pipe Test-MailTls -Summary, or use -Probe.", "TlsDomain"));
        }
        var unset = new[] { "MtaStsMode", "SmtpDaneMode" }.Where(k => p.String(k) is null).ToList();
        if (unset.Count > 0)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.PolicyModesNotExplicit,
                $"{string.Join(" and ", unset)} {(unset.Count == 1 ? "is" : "are")} not set: Exchange Online applies its default (Opportunistic), which the specification no longer records.", string.Join(",", unset)));
        }

        bool onPremises = string.Equals(p.String("ConnectorType"), "OnPremises", StringComparison.OrdinalIgnoreCase);
        if (!onPremises)
        {
            var onPremOnly = OnPremisesOnlyParameters.Where(k => p.Bool(k) == true).ToList();
            if (onPremOnly.Count > 0)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.OnPremisesOnlySetting,
                    $"{string.Join(", ", onPremOnly)} $true needs ConnectorType OnPremises.", string.Join(",", onPremOnly)));
            }
        }
        else if (!hasSmartHosts && useMx != false)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.OnPremisesOutboundNeedsSmartHosts,
                "An OnPremises outbound connector delivers to your own servers: give -SmartHost with their names (MX routing would send the mail back to Exchange Online).", "SmartHosts"));
        }
        if ((recipients is null || recipients.Length == 0) && p.Bool("IsTransportRuleScoped") != true && p.Bool("AllAcceptedDomains") != true)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.OutboundConnectorNeedsScope,
                "The outbound connector has no RecipientDomains and is neither IsTransportRuleScoped nor AllAcceptedDomains: no mail would ever use it.", "RecipientDomains"));
        }
    }

    internal static string AddressSpaceDomain(string addressSpace)
    {
        string a = addressSpace.Trim();
        if (a.StartsWith("SMTP:", StringComparison.OrdinalIgnoreCase))
        {
            a = a.Substring(5);
        }
        int semicolon = a.IndexOf(';');
        return (semicolon >= 0 ? a.Substring(0, semicolon) : a).ToLowerInvariant();
    }

    private static void ValidateSendConnector(ParameterView p, List<ConnectorFinding> findings)
    {
        string[]? spaces = p.List("AddressSpaces");
        string? linked = p.String("LinkedReceiveConnector");
        if ((spaces is null || spaces.Length == 0) && linked is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.SendConnectorNeedsAddressSpaces, "New-SendConnector needs AddressSpaces: the partner domains it carries mail to.", "AddressSpaces"));
        }
        if (linked is not null)
        {
            // New-SendConnector, LinkedReceiveConnector: "you must also use ... DNSRoutingEnabled $false,
            // MaxMessageSize unlimited, Smarthosts, SmarthostAuthMechanism ... you can't use the AddressSpaces parameter."
            var broken = new List<string>();
            if (spaces is { Length: > 0 })
            {
                broken.Add("it excludes AddressSpaces");
            }
            if (p.Bool("DNSRoutingEnabled") != false)
            {
                broken.Add("it needs DNSRoutingEnabled $false");
            }
            if (!string.Equals(p.String("MaxMessageSize"), "unlimited", StringComparison.OrdinalIgnoreCase))
            {
                broken.Add("it needs MaxMessageSize unlimited");
            }
            if (p.List("SmartHosts") is not { Length: > 0 })
            {
                broken.Add("it needs SmartHosts");
            }
            if (p.String("SmartHostAuthMechanism") is null)
            {
                broken.Add("it needs SmartHostAuthMechanism");
            }
            if (broken.Count > 0)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.LinkedReceiveConnectorRequirements,
                    $"LinkedReceiveConnector '{linked}': {string.Join("; ", broken)}.", "LinkedReceiveConnector"));
            }
        }
        var only2010 = new[] { "IsCoexistenceConnector", "LinkedReceiveConnector" }.Where(k => p.Get(k) is not null).ToList();
        if (only2010.Count > 0)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.Exchange2010OnlyParameter,
                $"{string.Join(" and ", only2010)} {(only2010.Count == 1 ? "exists" : "exist")} only in Exchange Server 2010: later versions reject the command.", string.Join(",", only2010)));
        }
        var domains = (spaces ?? Array.Empty<string>()).Select(AddressSpaceDomain).ToList();
        CheckDomains(domains, "AddressSpaces", true, findings);
        string? tlsDomain = p.String("TlsDomain");
        if (tlsDomain is not null)
        {
            CheckDomains(new[] { tlsDomain }, "TlsDomain", false, findings);
        }

        bool? requireTls = p.Bool("RequireTLS");
        bool? ignoreStartTls = p.Bool("IgnoreSTARTTLS");
        if (requireTls is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.RequireTlsNotExplicit, "New-SendConnector must set RequireTLS explicitly.", "RequireTLS"));
        }
        else if (requireTls == false)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.RequireTlsDisabled, "RequireTLS is $false: this connector sends to the partner without TLS when TLS fails.", "RequireTLS"));
        }
        if (requireTls == true && ignoreStartTls != false)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.RequireTlsWithIgnoreStartTls,
                ignoreStartTls == true ? "RequireTLS $true cannot be combined with IgnoreSTARTTLS $true." : "RequireTLS $true needs IgnoreSTARTTLS $false, set explicitly.", "IgnoreSTARTTLS"));
        }
        string? level = p.String("TlsAuthLevel");
        if (level is null)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.TlsSettingsNotExplicit, "New-SendConnector must set TlsAuthLevel: without it the partner's certificate is not checked.", "TlsAuthLevel"));
        }
        else if (requireTls != true || ignoreStartTls == true)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.TlsAuthLevelNeedsRequireTls,
                "TlsAuthLevel can only be set with RequireTLS $true and IgnoreSTARTTLS $false.", "TlsAuthLevel"));
        }
        bool domainValidation = string.Equals(level, "DomainValidation", StringComparison.OrdinalIgnoreCase);
        if (tlsDomain is not null && !domainValidation)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.TlsDomainNeedsDomainValidation,
                "The TLSDomain parameter can only be set if the TLSAuthLevel parameter is set to DomainValidation.", "TlsDomain"));
        }

        string[]? smartHosts = p.List("SmartHosts");
        bool hasSmartHosts = smartHosts is { Length: > 0 };
        bool dnsRouting = p.Bool("DNSRoutingEnabled") != false;
        foreach (string h in smartHosts ?? Array.Empty<string>())
        {
            if (!ConnectorValues.IsSmartHost(h, allowCidr: false))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.InvalidSmartHost, $"SmartHosts '{h}' is not a host name or an IP address.", h));
            }
        }
        if (hasSmartHosts && dnsRouting)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.SmartHostsExcludeDnsRouting, "SmartHosts need DNSRoutingEnabled $false, set explicitly.", "DNSRoutingEnabled"));
        }
        if (!dnsRouting && !hasSmartHosts)
        {
            findings.Add(new ConnectorFinding(ConnectorRules.DnsRoutingDisabledNeedsSmartHosts, "DNSRoutingEnabled $false needs SmartHosts.", "SmartHosts"));
        }
        if (domainValidation && tlsDomain is null)
        {
            if (!dnsRouting || hasSmartHosts)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.DomainValidationNeedsTlsDomain,
                    "TlsAuthLevel DomainValidation with smart hosts needs a TlsDomain.", "TlsDomain"));
            }
            else
            {
                findings.Add(new ConnectorFinding(ConnectorRules.DomainValidationUsesRecipientDomain,
                    "TlsAuthLevel DomainValidation without TlsDomain checks each certificate against the recipient domain, which MX certificates rarely carry: give -TlsDomain, or measure the partner.", "TlsDomain"));
            }
        }
        if (p.Bool("DomainSecureEnabled") == true)
        {
            if (!dnsRouting || hasSmartHosts)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.DomainSecureNeedsDnsRouting,
                    "DomainSecureEnabled works only with DNS routing: remove the smart hosts.", "DomainSecureEnabled"));
            }
            foreach (string d in domains.Where(ConnectorValues.IsWildcard))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.DomainSecureNoWildcards,
                    $"Domain security does not take wildcard domains: '{d}'. Name each partner domain.", d));
            }
        }
        if (p.String("TlsCertificateName") is null && (p.Bool("DomainSecureEnabled") == true || p.Bool("CloudServicesMailEnabled") == true))
        {
            findings.Add(new ConnectorFinding(ConnectorRules.TlsCertificateNameNotSet,
                "TlsCertificateName is not set: Exchange picks the certificate it presents by the connector's FQDN. Give -TlsCertificate to name it.", "TlsCertificateName"));
        }
    }

    private static void ValidateReceiveConnector(ParameterView p, bool isNew, List<ConnectorFinding> findings)
    {
        bool? requireTls = p.Bool("RequireTLS");
        if (isNew)
        {
            if (requireTls is null)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.RequireTlsNotExplicit, "New-ReceiveConnector must set RequireTLS explicitly.", "RequireTLS"));
            }
            else if (requireTls == false)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.RequireTlsDisabled, "RequireTLS is $false: this connector accepts the partner's mail without TLS.", "RequireTLS"));
            }
            string usage = p.String("Usage") ?? "Custom";
            if (usage is "Custom" or "Partner" && (p.List("RemoteIPRanges") is not { Length: > 0 } || p.List("Bindings") is not { Length: > 0 }))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.ReceiveConnectorNeedsRemoteIPRanges,
                    "A dedicated receive connector needs RemoteIPRanges and Bindings: give -SenderIPAddress with the addresses the partner sends from.", "RemoteIPRanges"));
            }
        }
        else
        {
            if (p.String("Identity") is null)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.ReceiveConnectorIdentityRequired,
                    "Set-ReceiveConnector needs the Identity of the receive connector to change: give -ReceiveConnector.", "Identity"));
            }
            if (requireTls != true)
            {
                findings.Add(new ConnectorFinding(ConnectorRules.PublicReceiveConnectorNotForced,
                    "This existing receive connector also takes mail from the internet, so it is not switched to RequireTLS (RFC 3207 section 4: a public MX must not demand TLS). To refuse plain-text mail from these senders, give -SenderIPAddress for a dedicated connector.", "RequireTLS"));
            }
        }
        foreach (string r in p.List("RemoteIPRanges") ?? Array.Empty<string>())
        {
            if (!ConnectorValues.IsRemoteIPRange(r))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.InvalidIPAddress, $"RemoteIPRanges '{r}' is not an IP address, an a-b range or a CIDR prefix.", r));
            }
        }
        string[]? auth = p.List("AuthMechanism")?.SelectMany(a => a.Split(',')).Select(a => a.Trim()).ToArray();
        bool domainSecure = p.Bool("DomainSecureEnabled") == true;
        if (auth is not null && (requireTls == true || domainSecure))
        {
            bool hasTls = auth.Contains("Tls", StringComparer.OrdinalIgnoreCase);
            if (!hasTls || (domainSecure && auth.Contains("ExternalAuthoritative", StringComparer.OrdinalIgnoreCase)))
            {
                findings.Add(new ConnectorFinding(ConnectorRules.ReceiveConnectorNeedsTlsAuth,
                    domainSecure && hasTls ? "DomainSecureEnabled cannot be combined with AuthMechanism ExternalAuthoritative."
                        : "RequireTLS or DomainSecureEnabled $true needs Tls in AuthMechanism.", "AuthMechanism"));
            }
        }
        if (p.String("TlsCertificateName") is null && (domainSecure || p.List("TlsDomainCapabilities") is { Length: > 0 }))
        {
            findings.Add(new ConnectorFinding(ConnectorRules.TlsCertificateNameNotSet,
                "TlsCertificateName is not set: Exchange picks the certificate it presents by the connector's FQDN. Give -TlsCertificate to name it.", "TlsCertificateName"));
        }
    }

    private static void ValidateTransportConfig(ParameterView p, List<ConnectorFinding> findings)
    {
        foreach (string list in SecureLists)
        {
            foreach (string d in p.Added(list).Concat(p.Replaced(list)))
            {
                if (ConnectorValues.IsWildcard(d))
                {
                    findings.Add(new ConnectorFinding(ConnectorRules.DomainSecureNoWildcards, $"{list} takes no wildcards: '{d}'.", d));
                }
                else if (!ConnectorValues.IsDnsName(d))
                {
                    findings.Add(new ConnectorFinding(ConnectorRules.InvalidDomainName, $"{list} '{d}' is not a DNS name.", d));
                }
            }
        }
    }

    /// <summary>Reads a parameter dictionary case-insensitively, as PowerShell binds it.</summary>
    private sealed class ParameterView
    {
        private readonly IDictionary _parameters;

        public ParameterView(IDictionary parameters) => _parameters = parameters;

        public object? Get(string name)
        {
            foreach (DictionaryEntry e in _parameters)
            {
                if (string.Equals(e.Key as string, name, StringComparison.OrdinalIgnoreCase))
                {
                    return e.Value;
                }
            }
            return null;
        }

        public bool? Bool(string name) => Get(name) as bool?;

        public string? String(string name) => Get(name) switch
        {
            string s => s,
            Enum e => e.ToString(),
            _ => null,
        };

        public string[]? List(string name) => Get(name) switch
        {
            string s => new[] { s },
            string[] a => a,
            IEnumerable e and not IDictionary => e.Cast<object?>().Select(o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? string.Empty).ToArray(),
            _ => null,
        };

        public IEnumerable<string> Added(string name) => Get(name) is IDictionary d ? Entry(d, "Add") : Enumerable.Empty<string>();

        public IEnumerable<string> Replaced(string name) => Get(name) is IDictionary ? Enumerable.Empty<string>() : (List(name) ?? Array.Empty<string>());

        private static IEnumerable<string> Entry(IDictionary d, string key)
        {
            foreach (DictionaryEntry e in d)
            {
                if (string.Equals(e.Key as string, key, StringComparison.OrdinalIgnoreCase))
                {
                    return e.Value switch
                    {
                        string s => new[] { s },
                        IEnumerable list => list.Cast<object?>().Select(o => Convert.ToString(o, CultureInfo.InvariantCulture) ?? string.Empty).ToArray(),
                        _ => Array.Empty<string>(),
                    };
                }
            }
            return Array.Empty<string>();
        }
    }
}
