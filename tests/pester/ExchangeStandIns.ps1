# Stand-ins for the Exchange cmdlets New-ForcedTlsConnectorSpec writes parameters for. Each has
# the documented parameter names, with the documented types and value sets as far as a plain
# PowerShell function can have them (office-docs-powershell help for New-InboundConnector,
# New-OutboundConnector, New-SendConnector, New-ReceiveConnector, Set-ReceiveConnector and
# Set-TransportConfig):
#   Boolean -> [bool] (so 'yes' or 1 do not bind), Int32 -> [int],
#   an enum -> [ValidateSet(...)] [string], a flags enum -> [ValidateSet(...)] [string[]],
#   MultiValuedProperty -> [string[]],
#   Exchange's own types (Fqdn, SmtpDomainWithSubdomains, TlsCertificate, SmtpX509Identifier,
#   Unlimited, EnhancedTimeSpan, IPAddress, ServerIdParameter, ...) -> [string].
# ErrorPolicies, AuthMechanism and PermissionGroups are flags enums: several values, comma-separated.
# Set-TransportConfig's TLS*DomainSecureList are organisation-wide MultiValuedProperty values: Exchange
# binds a list (replacing the whole setting) or an @{ Add = ...; Remove = ... } hashtable; the
# stand-in takes exactly those two shapes.
# A stand-in does nothing but return what was bound, so a test can see it.
#
# Dot-source this file; it defines functions only.

function Get-StandInCall {
    param([string] $Cmdlet, [System.Collections.IDictionary] $Bound)
    $copy = [ordered]@{}
    foreach ($k in $Bound.Keys) { $copy[$k] = $Bound[$k] }
    [pscustomobject]@{ PSTypeName = 'ExchangeStandIn.Call'; Cmdlet = $Cmdlet; Parameters = $copy }
}

function Test-MultiValuedArgument {
    param($Value)
    if ($Value -is [System.Collections.IDictionary]) {
        if ($Value.Count -eq 0) { return $false }
        foreach ($k in $Value.Keys) {
            if ($k -notin 'Add', 'Remove') { return $false }
            foreach ($item in @($Value[$k])) { if ($item -isnot [string]) { return $false } }
        }
        return $true
    }
    foreach ($item in @($Value)) { if ($item -isnot [string]) { return $false } }
    $true
}

function New-InboundConnector {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Name,
        [Parameter(Mandatory)] [string[]] $SenderDomains,
        [ValidateSet('Partner', 'OnPremises')] [string] $ConnectorType,
        [bool] $RequireTls,
        [bool] $RestrictDomainsToCertificate,
        [bool] $RestrictDomainsToIPAddresses,
        [string] $TlsSenderCertificateName,
        [string[]] $SenderIPAddresses,
        [string[]] $TrustedOrganizations,
        [string[]] $AssociatedAcceptedDomains,
        [bool] $CloudServicesMailEnabled,
        [bool] $TreatMessagesAsInternal,
        [ValidateSet('Default', 'HybridWizard', 'Migrated')] [string] $ConnectorSource,
        [bool] $Enabled,
        [string] $Comment,
        [bool] $EFSkipLastIP,
        [string[]] $EFSkipIPs,
        [string[]] $EFUsers,
        [bool] $EFTestMode,
        [bool] $EFSkipMailGateway,
        [string[]] $ScanAndDropRecipients,
        [string[]] $ClientHostNames
    )
    Get-StandInCall 'New-InboundConnector' $PSBoundParameters
}

function New-OutboundConnector {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [ValidateLength(1, 64)] [string] $Name,
        [ValidateSet('Partner', 'OnPremises')] [string] $ConnectorType,
        [string[]] $RecipientDomains,
        [bool] $UseMXRecord,
        [string[]] $SmartHosts,
        [ValidateSet('EncryptionOnly', 'CertificateValidation', 'DomainValidation')] [string] $TlsSettings,
        [string] $TlsDomain,
        [bool] $IsTransportRuleScoped,
        [bool] $AllAcceptedDomains,
        [bool] $RouteAllMessagesViaOnPremises,
        [bool] $SenderRewritingEnabled,
        [bool] $CloudServicesMailEnabled,
        [bool] $TestMode,
        [bool] $Enabled,
        [ValidateSet('Opportunistic', 'None')] [string] $MtaStsMode,
        [ValidateSet('Opportunistic', 'Mandatory', 'None')] [string] $SmtpDaneMode,
        [ValidateSet('Default', 'HybridWizard', 'Migrated')] [string] $ConnectorSource,
        [string] $Comment,
        [string] $LinkForModifiedConnector
    )
    Get-StandInCall 'New-OutboundConnector' $PSBoundParameters
}

function New-SendConnector {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Name,
        [string[]] $AddressSpaces,
        [ValidateSet('Custom', 'Internal', 'Internet', 'Partner')] [string] $Usage,
        [switch] $Custom,
        [switch] $Internal,
        [switch] $Internet,
        [switch] $Partner,
        [bool] $DNSRoutingEnabled,
        [string[]] $SmartHosts,
        [ValidateSet('None', 'BasicAuth', 'BasicAuthRequireTLS', 'ExchangeServer', 'ExternalAuthoritative')] [string] $SmartHostAuthMechanism,
        [pscredential] $AuthenticationCredential,
        [ValidateRange(0, 65535)] [int] $Port,
        [bool] $RequireTLS,
        [bool] $IgnoreSTARTTLS,
        [ValidateSet('EncryptionOnly', 'CertificateValidation', 'DomainValidation')] [string] $TlsAuthLevel,
        [string] $TlsDomain,
        [ValidatePattern('^<I>.+<S>.+$')] [string] $TlsCertificateName,
        [string] $Fqdn,
        [bool] $DomainSecureEnabled,
        [bool] $CloudServicesMailEnabled,
        [ValidateSet('Default', 'XPremises')] [string] $ConnectorType,
        [bool] $FrontendProxyEnabled,
        [string[]] $SourceTransportServers,
        [string] $SourceIPAddress,
        [bool] $IsScopedConnector,
        [bool] $UseExternalDNSServersEnabled,
        [string] $MaxMessageSize,
        [ValidateSet('Default', 'DowngradeDnsFailures', 'DowngradeCustomFailures', 'UpgradeCustomFailures')] [string[]] $ErrorPolicies,
        [bool] $ForceHELO,
        [ValidateSet('None', 'Verbose')] [string] $ProtocolLoggingLevel,
        [string] $ConnectionInactivityTimeOut,
        [bool] $Enabled,
        [string] $Comment,
        [int] $SmtpMaxMessagesPerConnection,
        [bool] $IsCoexistenceConnector,
        [string] $LinkedReceiveConnector,
        [string] $DomainController,
        [switch] $Force,
        [bool] $RequireOorg
    )
    Get-StandInCall 'New-SendConnector' $PSBoundParameters
}

function New-ReceiveConnector {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Name,
        [ValidateSet('Client', 'Custom', 'Internal', 'Internet', 'Partner')] [string] $Usage,
        [switch] $Client,
        [switch] $Custom,
        [switch] $Internal,
        [switch] $Internet,
        [switch] $Partner,
        [string[]] $Bindings,
        [string[]] $RemoteIPRanges,
        [ValidateSet('None', 'Tls', 'Integrated', 'BasicAuth', 'BasicAuthRequireTLS', 'ExchangeServer', 'ExternalAuthoritative')] [string[]] $AuthMechanism,
        [bool] $RequireTLS,
        [bool] $DomainSecureEnabled,
        [ValidatePattern('^<I>.+<S>.+$')] [string] $TlsCertificateName,
        [string[]] $TlsDomainCapabilities,
        [string] $Fqdn,
        [ValidateSet('None', 'AnonymousUsers', 'ExchangeUsers', 'ExchangeServers', 'ExchangeLegacyServers', 'Partners', 'Custom')] [string[]] $PermissionGroups,
        [ValidateSet('FrontendTransport', 'HubTransport')] [string] $TransportRole,
        [bool] $SuppressXAnonymousTls,
        [string] $Server,
        [string] $MaxMessageSize,
        [ValidateSet('None', 'Verbose')] [string] $ProtocolLoggingLevel,
        [bool] $Enabled,
        [bool] $AdvertiseClientSettings,
        [string] $AuthTarpitInterval,
        [string] $Banner,
        [bool] $BinaryMimeEnabled,
        [bool] $ChunkingEnabled,
        [string] $ConnectionInactivityTimeout,
        [string] $ConnectionTimeout,
        [string] $DefaultDomain,
        [bool] $DeliveryStatusNotificationEnabled,
        [string] $DomainController,
        [bool] $EightBitMimeEnabled,
        [bool] $EnableAuthGSSAPI,
        [bool] $EnhancedStatusCodesEnabled,
        [ValidateSet('None', 'Allow', 'Require')] [string] $ExtendedProtectionPolicy,
        [bool] $LongAddressesEnabled,
        [string] $MaxAcknowledgementDelay,
        [string] $MaxHeaderSize,
        [int] $MaxHopCount,
        [string] $MaxInboundConnection,
        [int] $MaxInboundConnectionPercentagePerSource,
        [string] $MaxInboundConnectionPerSource,
        [int] $MaxLocalHopCount,
        [int] $MaxLogonFailures,
        [string] $MaxProtocolErrors,
        [int] $MaxRecipientsPerMessage,
        [string] $MessageRateLimit,
        [ValidateSet('None', 'IPAddress', 'User', 'All')] [string] $MessageRateSource,
        [bool] $OrarEnabled,
        [bool] $PipeliningEnabled,
        [bool] $RejectReservedSecondLevelRecipientDomains,
        [bool] $RejectReservedTopLevelRecipientDomains,
        [bool] $RejectSingleLabelRecipientDomains,
        [bool] $RequireEHLODomain,
        [string] $ServiceDiscoveryFqdn,
        [ValidateSet('Enabled', 'Disabled', 'EnabledWithoutValue')] [string] $SizeEnabled,
        [string] $TarpitInterval,
        [string] $Comment
    )
    Get-StandInCall 'New-ReceiveConnector' $PSBoundParameters
}

function Set-ReceiveConnector {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Identity,
        [string] $Name,
        [string[]] $Bindings,
        [string[]] $RemoteIPRanges,
        [ValidateSet('None', 'Tls', 'Integrated', 'BasicAuth', 'BasicAuthRequireTLS', 'ExchangeServer', 'ExternalAuthoritative')] [string[]] $AuthMechanism,
        [bool] $RequireTLS,
        [bool] $DomainSecureEnabled,
        [ValidatePattern('^<I>.+<S>.+$')] [string] $TlsCertificateName,
        [string[]] $TlsDomainCapabilities,
        [string] $Fqdn,
        [ValidateSet('None', 'AnonymousUsers', 'ExchangeUsers', 'ExchangeServers', 'ExchangeLegacyServers', 'Partners', 'Custom')] [string[]] $PermissionGroups,
        [ValidateSet('FrontendTransport', 'HubTransport')] [string] $TransportRole,
        [bool] $SuppressXAnonymousTls,
        [string] $MaxMessageSize,
        [ValidateSet('None', 'Verbose')] [string] $ProtocolLoggingLevel,
        [bool] $Enabled,
        [bool] $AdvertiseClientSettings,
        [string] $AuthTarpitInterval,
        [string] $Banner,
        [bool] $BinaryMimeEnabled,
        [bool] $ChunkingEnabled,
        [string] $ConnectionInactivityTimeout,
        [string] $ConnectionTimeout,
        [string] $DefaultDomain,
        [bool] $DeliveryStatusNotificationEnabled,
        [string] $DomainController,
        [bool] $EightBitMimeEnabled,
        [bool] $EnableAuthGSSAPI,
        [bool] $EnhancedStatusCodesEnabled,
        [ValidateSet('None', 'Allow', 'Require')] [string] $ExtendedProtectionPolicy,
        [bool] $LongAddressesEnabled,
        [string] $MaxAcknowledgementDelay,
        [string] $MaxHeaderSize,
        [int] $MaxHopCount,
        [string] $MaxInboundConnection,
        [int] $MaxInboundConnectionPercentagePerSource,
        [string] $MaxInboundConnectionPerSource,
        [int] $MaxLocalHopCount,
        [int] $MaxLogonFailures,
        [string] $MaxProtocolErrors,
        [int] $MaxRecipientsPerMessage,
        [string] $MessageRateLimit,
        [ValidateSet('None', 'IPAddress', 'User', 'All')] [string] $MessageRateSource,
        [bool] $OrarEnabled,
        [bool] $PipeliningEnabled,
        [bool] $RejectReservedSecondLevelRecipientDomains,
        [bool] $RejectReservedTopLevelRecipientDomains,
        [bool] $RejectSingleLabelRecipientDomains,
        [bool] $RequireEHLODomain,
        [string] $ServiceDiscoveryFqdn,
        [ValidateSet('Enabled', 'Disabled', 'EnabledWithoutValue')] [string] $SizeEnabled,
        [string] $TarpitInterval,
        [bool] $BareLinefeedRejectionEnabled,
        [bool] $SmtpUtf8Enabled,
        [string] $Comment
    )
    Get-StandInCall 'Set-ReceiveConnector' $PSBoundParameters
}

function Set-TransportConfig {
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [ValidateScript({ Test-MultiValuedArgument $_ })] [object] $TLSSendDomainSecureList,
        [ValidateScript({ Test-MultiValuedArgument $_ })] [object] $TLSReceiveDomainSecureList,
        [bool] $AllowLegacyTLSClients
    )
    Get-StandInCall 'Set-TransportConfig' $PSBoundParameters
}

# The target cmdlets, for tests that walk all of them.
$ExchangeStandInNames = @('New-InboundConnector', 'New-OutboundConnector', 'New-SendConnector', 'New-ReceiveConnector', 'Set-ReceiveConnector', 'Set-TransportConfig')
