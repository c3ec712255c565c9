using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Connectors;

/// <summary>The plain value a parameter of a target cmdlet takes in a specification.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum ParameterKind
{
    Bool,
    Int,
    String,
    /// <summary>One of <see cref="ExchangeParameter.Values"/>.</summary>
    Enum,
    /// <summary>A string[] (a MultiValuedProperty on a new object).</summary>
    StringList,
    /// <summary>A string[] whose every element is one of <see cref="ExchangeParameter.Values"/> (a flags enum).</summary>
    EnumList,
    /// <summary>An organisation-wide MultiValuedProperty: an @{ Add = string[]; Remove = string[] } hashtable, so other entries stay.</summary>
    AddRemoveList,
}

/// <summary>A documented parameter of a target Exchange cmdlet.</summary>
public sealed class ExchangeParameter
{
    internal ExchangeParameter(string name, ParameterKind kind, string[]? values = null)
    {
        Name = name;
        Kind = kind;
        Values = values ?? Array.Empty<string>();
    }

    public string Name { get; }
    public ParameterKind Kind { get; }
    public IReadOnlyList<string> Values { get; }

    public override string ToString() => Name;
}

/// <summary>A target Exchange cmdlet: the parameters a specification may carry, and those it never emits.</summary>
public sealed class ExchangeCmdlet
{
    private readonly Dictionary<string, ExchangeParameter> _parameters;

    internal ExchangeCmdlet(string name, ExchangeParameter[] parameters, string[] reserved)
    {
        Name = name;
        Parameters = parameters;
        Reserved = reserved;
        _parameters = parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
    }

    public string Name { get; }

    /// <summary>The documented parameters a specification may set (not the common parameters, switches or credentials).</summary>
    public IReadOnlyList<ExchangeParameter> Parameters { get; }

    /// <summary>Documented parameters that are reserved for Microsoft or undocumented: never emitted.</summary>
    public IReadOnlyList<string> Reserved { get; }

    public ExchangeParameter? Find(string name) => _parameters.TryGetValue(name, out ExchangeParameter? p) ? p : null;

    public bool IsReserved(string name) => Reserved.Contains(name, StringComparer.OrdinalIgnoreCase);

    public override string ToString() => Name;
}

/// <summary>
/// The target cmdlets and their documented parameters (office-docs-powershell help, as summarised in
/// the project's Exchange connector reference). Every key a specification emits is one of these.
/// </summary>
public static class ExchangeCmdlets
{
    private static readonly string[] TenantConnectorType = { "Partner", "OnPremises" };
    private static readonly string[] TlsAuthLevels = { "EncryptionOnly", "CertificateValidation", "DomainValidation" };
    // New-InboundConnector, New-OutboundConnector: "Valid values are: Default, HybridWizard, Migrated" (an old syntax block also listed AdminUI).
    private static readonly string[] ConnectorSources = { "Default", "HybridWizard", "Migrated" };
    private static readonly string[] AuthMechanisms = { "None", "Tls", "Integrated", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer", "ExternalAuthoritative" };
    private static readonly string[] PermissionGroups = { "None", "AnonymousUsers", "ExchangeUsers", "ExchangeServers", "ExchangeLegacyServers", "Partners", "Custom" };
    private static readonly string[] ReceiveUsages = { "Client", "Custom", "Internal", "Internet", "Partner" };
    private static readonly string[] TransportRoles = { "FrontendTransport", "HubTransport" };
    private static readonly string[] ProtocolLoggingLevels = { "None", "Verbose" };
    // New-SendConnector, ErrorPolicies: "Multiple values can be specified for this parameter, separated by commas."
    private static readonly string[] ErrorPolicyValues = { "Default", "DowngradeDnsFailures", "DowngradeCustomFailures", "UpgradeCustomFailures" };
    private static readonly string[] ExtendedProtectionPolicies = { "None", "Allow", "Require" };
    private static readonly string[] MessageRateSources = { "None", "IPAddress", "User", "All" };
    private static readonly string[] SizeModes = { "Enabled", "Disabled", "EnabledWithoutValue" };

    private static ExchangeParameter B(string n) => new(n, ParameterKind.Bool);
    private static ExchangeParameter I(string n) => new(n, ParameterKind.Int);
    private static ExchangeParameter S(string n) => new(n, ParameterKind.String);
    private static ExchangeParameter L(string n) => new(n, ParameterKind.StringList);
    private static ExchangeParameter E(string n, string[] v) => new(n, ParameterKind.Enum, v);
    private static ExchangeParameter EL(string n, string[] v) => new(n, ParameterKind.EnumList, v);
    private static ExchangeParameter AR(string n) => new(n, ParameterKind.AddRemoveList);

    public static readonly ExchangeCmdlet NewInboundConnector = new("New-InboundConnector", new[]
    {
        S("Name"), L("SenderDomains"), E("ConnectorType", TenantConnectorType), B("RequireTls"),
        B("RestrictDomainsToCertificate"), B("RestrictDomainsToIPAddresses"), S("TlsSenderCertificateName"),
        L("SenderIPAddresses"), L("TrustedOrganizations"), L("AssociatedAcceptedDomains"), B("CloudServicesMailEnabled"),
        B("TreatMessagesAsInternal"), E("ConnectorSource", ConnectorSources), B("Enabled"), S("Comment"),
        B("EFSkipLastIP"), L("EFSkipIPs"), L("EFUsers"),
    }, new[] { "EFTestMode", "EFSkipMailGateway", "ScanAndDropRecipients", "ClientHostNames" });

    public static readonly ExchangeCmdlet NewOutboundConnector = new("New-OutboundConnector", new[]
    {
        S("Name"), E("ConnectorType", TenantConnectorType), L("RecipientDomains"), B("UseMXRecord"), L("SmartHosts"),
        E("TlsSettings", TlsAuthLevels), S("TlsDomain"), B("IsTransportRuleScoped"), B("AllAcceptedDomains"),
        B("RouteAllMessagesViaOnPremises"), B("SenderRewritingEnabled"), B("CloudServicesMailEnabled"), B("TestMode"),
        B("Enabled"), E("MtaStsMode", new[] { "Opportunistic", "None" }), E("SmtpDaneMode", new[] { "Opportunistic", "Mandatory", "None" }),
        E("ConnectorSource", ConnectorSources), S("Comment"),
    }, new[] { "LinkForModifiedConnector" });

    /// <summary>
    /// Both parameter sets of New-SendConnector (AddressSpaces, LinkedReceiveConnector), without the
    /// usage switches (-Usage stands for them), -AuthenticationCredential (a PSCredential), -Force,
    /// -Confirm and -WhatIf.
    /// </summary>
    public static readonly ExchangeCmdlet NewSendConnector = new("New-SendConnector", new[]
    {
        S("Name"), L("AddressSpaces"), E("Usage", new[] { "Custom", "Internal", "Internet", "Partner" }), B("DNSRoutingEnabled"),
        L("SmartHosts"), E("SmartHostAuthMechanism", new[] { "None", "BasicAuth", "BasicAuthRequireTLS", "ExchangeServer", "ExternalAuthoritative" }),
        I("Port"), B("RequireTLS"), B("IgnoreSTARTTLS"), E("TlsAuthLevel", TlsAuthLevels), S("TlsDomain"), S("TlsCertificateName"),
        S("Fqdn"), B("DomainSecureEnabled"), B("CloudServicesMailEnabled"), E("ConnectorType", new[] { "Default", "XPremises" }),
        B("FrontendProxyEnabled"), L("SourceTransportServers"), S("SourceIPAddress"), B("IsScopedConnector"),
        B("UseExternalDNSServersEnabled"), S("MaxMessageSize"), EL("ErrorPolicies", ErrorPolicyValues),
        B("ForceHELO"), E("ProtocolLoggingLevel", ProtocolLoggingLevels), S("ConnectionInactivityTimeOut"), B("Enabled"), S("Comment"),
        I("SmtpMaxMessagesPerConnection"), B("IsCoexistenceConnector"), S("LinkedReceiveConnector"), S("DomainController"),
    }, new[] { "RequireOorg" });

    /// <summary>
    /// The parameters of New-ReceiveConnector (every parameter set) and Set-ReceiveConnector, without
    /// the usage switches (-Usage stands for them), -Confirm and -WhatIf. Set-ReceiveConnector has
    /// Identity, a Name to rename, BareLinefeedRejectionEnabled and SmtpUtf8Enabled, and no Usage or Server.
    /// </summary>
    private static ExchangeParameter[] ReceiveParameters(bool isNew)
    {
        var list = new List<ExchangeParameter>();
        list.Add(isNew ? S("Name") : S("Identity"));
        if (isNew)
        {
            list.Add(E("Usage", ReceiveUsages));
        }
        else
        {
            list.Add(S("Name"));
        }
        list.AddRange(new[]
        {
            L("Bindings"), L("RemoteIPRanges"), EL("AuthMechanism", AuthMechanisms), B("RequireTLS"), B("DomainSecureEnabled"),
            S("TlsCertificateName"), L("TlsDomainCapabilities"), S("Fqdn"), EL("PermissionGroups", PermissionGroups),
            E("TransportRole", TransportRoles), B("SuppressXAnonymousTls"),
            S("MaxMessageSize"), E("ProtocolLoggingLevel", ProtocolLoggingLevels), B("Enabled"), S("Comment"),
            B("AdvertiseClientSettings"), S("AuthTarpitInterval"), S("Banner"), B("BinaryMimeEnabled"), B("ChunkingEnabled"),
            S("ConnectionInactivityTimeout"), S("ConnectionTimeout"), S("DefaultDomain"), B("DeliveryStatusNotificationEnabled"),
            S("DomainController"), B("EightBitMimeEnabled"), B("EnableAuthGSSAPI"), B("EnhancedStatusCodesEnabled"),
            E("ExtendedProtectionPolicy", ExtendedProtectionPolicies), B("LongAddressesEnabled"), S("MaxAcknowledgementDelay"),
            S("MaxHeaderSize"), I("MaxHopCount"), S("MaxInboundConnection"), I("MaxInboundConnectionPercentagePerSource"),
            S("MaxInboundConnectionPerSource"), I("MaxLocalHopCount"), I("MaxLogonFailures"), S("MaxProtocolErrors"),
            I("MaxRecipientsPerMessage"), S("MessageRateLimit"), E("MessageRateSource", MessageRateSources), B("OrarEnabled"),
            B("PipeliningEnabled"), B("RejectReservedSecondLevelRecipientDomains"), B("RejectReservedTopLevelRecipientDomains"),
            B("RejectSingleLabelRecipientDomains"), B("RequireEHLODomain"), S("ServiceDiscoveryFqdn"), E("SizeEnabled", SizeModes),
            S("TarpitInterval"),
        });
        if (isNew)
        {
            // Set-ReceiveConnector names the server in its Identity.
            list.Add(S("Server"));
        }
        else
        {
            list.Add(B("BareLinefeedRejectionEnabled"));
            list.Add(B("SmtpUtf8Enabled"));
        }
        return list.ToArray();
    }

    public static readonly ExchangeCmdlet NewReceiveConnector = new("New-ReceiveConnector", ReceiveParameters(isNew: true), Array.Empty<string>());

    public static readonly ExchangeCmdlet SetReceiveConnector = new("Set-ReceiveConnector", ReceiveParameters(isNew: false), Array.Empty<string>());

    public static readonly ExchangeCmdlet SetTransportConfig = new("Set-TransportConfig", new[]
    {
        AR("TLSSendDomainSecureList"), AR("TLSReceiveDomainSecureList"),
    }, Array.Empty<string>());

    /// <summary>Every target cmdlet.</summary>
    public static IReadOnlyList<ExchangeCmdlet> All { get; } = new[]
    {
        NewInboundConnector, NewOutboundConnector, NewSendConnector, NewReceiveConnector, SetReceiveConnector, SetTransportConfig,
    };

    public static ExchangeCmdlet? Find(string name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
