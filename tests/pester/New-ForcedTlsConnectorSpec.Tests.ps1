BeforeDiscovery {
    # Every combination the cmdlet accepts, each with the inputs it needs.
    $script:Combinations = foreach ($platform in 'ExchangeOnline', 'ExchangeServer') {
        foreach ($direction in 'Inbound', 'Outbound', 'Both') {
            foreach ($type in 'Partner', 'OnPremises') {
                foreach ($tls in 'EncryptionOnly', 'CertificateValidation', 'DomainValidation') {
                    $smartHostChoices = if ($direction -eq 'Inbound') { , $false } else { $false, $true }
                    $senderIpChoices = if ($direction -eq 'Outbound') { , $false } else { $false, $true }
                    $domainSecureChoices = if ($platform -eq 'ExchangeServer' -and $type -eq 'Partner') { $false, $true } else { , $false }
                    foreach ($smartHost in $smartHostChoices) {
                        foreach ($senderIp in $senderIpChoices) {
                            foreach ($domainSecure in $domainSecureChoices) {
                                # An Exchange Online OnPremises outbound connector always needs smart hosts.
                                if ($platform -eq 'ExchangeOnline' -and $type -eq 'OnPremises' -and $direction -ne 'Inbound' -and -not $smartHost) { continue }
                                # A partner's dedicated receive connector needs its sending addresses.
                                if ($platform -eq 'ExchangeServer' -and $type -eq 'Partner' -and $direction -ne 'Outbound' -and -not $senderIp) { continue }
                                # Domain security works with DNS routing only.
                                if ($domainSecure -and $smartHost) { continue }
                                @{ Platform = $platform; Direction = $direction; Type = $type; Tls = $tls; SmartHost = $smartHost; SenderIp = $senderIp; DomainSecure = $domainSecure }
                            }
                        }
                    }
                }
            }
        }
    }

    # Rule id -> the parameters that trip it. Cert: add -TlsCertificate; Measurement: give that measurement.
    $script:RuleCases = @(
        @{ Id = 'InvalidDomainName'; Params = @{ PartnerDomain = 'partner example'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation' } }
        @{ Id = 'EmbeddedWildcardNotAllowed'; Params = @{ PartnerDomain = 'mail.*.partner.example'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation' } }
        @{ Id = 'ParameterNotApplicable'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; TlsDomain = 'mail.partner.example' } }
        @{ Id = 'InvalidIPAddress'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; SenderIPAddress = '192.0.2.300' } }
        @{ Id = 'InvalidSmartHost'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; SmartHost = 'smart host!' } }
        @{ Id = 'UnknownParameter'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ NoSuchParameter = $true } } }
        @{ Id = 'InvalidParameterValue'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ SmtpDaneMode = 'Always' } } }
        @{ Id = 'ReservedParameter'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; AdditionalParameter = @{ EFTestMode = $true } } }
        @{ Id = 'InboundConnectorNeedsSenderDomains'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; AdditionalParameter = @{ SenderDomains = @() } } }
        @{ Id = 'PartnerOnlySetting'; Params = @{ Direction = 'Inbound'; ConnectorType = 'OnPremises' }; Cert = $true }
        @{ Id = 'SenderIPAddressIPv6NotAllowed'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; SenderIPAddress = '2001:db8::25' } }
        @{ Id = 'SenderIPAddressPrefixOutOfRange'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; SenderIPAddress = '192.0.2.0/16' } }
        @{ Id = 'TreatMessagesAsInternalNeedsOnPremises'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; AdditionalParameter = @{ TreatMessagesAsInternal = $true } } }
        @{ Id = 'TreatMessagesAsInternalWithCloudServicesMail'; Params = @{ Direction = 'Inbound'; ConnectorType = 'OnPremises'; AdditionalParameter = @{ TreatMessagesAsInternal = $true; CloudServicesMailEnabled = $true } }; Cert = $true }
        @{ Id = 'IPAndCertificateRestrictionOnOneConnector'; Params = @{ Direction = 'Inbound'; TlsSenderCertificateName = 'mail.partner.example'; AdditionalParameter = @{ RestrictDomainsToIPAddresses = $true; SenderIPAddresses = '192.0.2.1' } } }
        @{ Id = 'RestrictDomainsToCertificateNeedsName'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; AdditionalParameter = @{ RestrictDomainsToCertificate = $true } } }
        @{ Id = 'RestrictDomainsToIPAddressesNeedsSenderIPAddresses'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; AdditionalParameter = @{ RestrictDomainsToIPAddresses = $true } } }
        @{ Id = 'TlsSenderCertificateNameRequired'; Params = @{ Direction = 'Inbound' } }
        @{ Id = 'TlsSenderCertificateNameNeedsCertificateValidation'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; TlsSenderCertificateName = 'mail.partner.example' } }
        @{ Id = 'OnPremisesInboundNeedsCertificateOrIP'; Params = @{ Direction = 'Inbound'; ConnectorType = 'OnPremises'; TlsSettings = 'EncryptionOnly' } }
        @{ Id = 'UseMXRecordFalseNeedsSmartHosts'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ UseMXRecord = $false } } }
        @{ Id = 'SmartHostsNeedUseMXRecordFalse'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; SmartHost = 'relay.partner.example'; AdditionalParameter = @{ UseMXRecord = $true } } }
        @{ Id = 'OnPremisesOnlySetting'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ AllAcceptedDomains = $true } } }
        @{ Id = 'OutboundConnectorNeedsScope'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ RecipientDomains = $null } } }
        @{ Id = 'OnPremisesOutboundNeedsSmartHosts'; Params = @{ Direction = 'Outbound'; ConnectorType = 'OnPremises'; TlsSettings = 'CertificateValidation' } }
        @{ Id = 'OutboundConnectorNameTooLong'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; Name = 'n' * 65 } }
        @{ Id = 'TlsDomainNeedsDomainValidation'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; TlsDomain = 'mail.partner.example' } }
        @{ Id = 'DomainValidationNeedsTlsDomain'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; SmartHost = 'relay.partner.example' } }
        @{ Id = 'OutboundDomainValidationWithoutTlsDomain'; Params = @{ Direction = 'Outbound' } }
        @{ Id = 'PolicyModesNotExplicit'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ MtaStsMode = $null } } }
        @{ Id = 'LinkedReceiveConnectorRequirements'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ LinkedReceiveConnector = 'EX01\From partner' } } }
        @{ Id = 'Exchange2010OnlyParameter'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ IsCoexistenceConnector = $false } } }
        @{ Id = 'RequireTlsNotExplicit'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; AdditionalParameter = @{ RequireTls = $null } } }
        @{ Id = 'TlsSettingsNotExplicit'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ TlsSettings = $null } } }
        @{ Id = 'RequireTlsDisabled'; Params = @{ Direction = 'Inbound'; TlsSettings = 'EncryptionOnly'; AdditionalParameter = @{ RequireTls = $false } } }
        @{ Id = 'InvalidTlsCertificateName'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ TlsCertificateName = 'CN=mail.contoso.example' } } }
        @{ Id = 'SendConnectorNeedsAddressSpaces'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ AddressSpaces = $null } } }
        @{ Id = 'RequireTlsWithIgnoreStartTls'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ IgnoreSTARTTLS = $null } } }
        @{ Id = 'TlsAuthLevelNeedsRequireTls'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ RequireTLS = $false } } }
        @{ Id = 'DomainValidationUsesRecipientDomain'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound' } }
        @{ Id = 'SmartHostsExcludeDnsRouting'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; SmartHost = 'relay.partner.example'; AdditionalParameter = @{ DNSRoutingEnabled = $true } } }
        @{ Id = 'DnsRoutingDisabledNeedsSmartHosts'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; AdditionalParameter = @{ DNSRoutingEnabled = $false } } }
        @{ Id = 'DomainSecureNeedsExchangeServer'; Params = @{ Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; DomainSecure = $true } }
        @{ Id = 'DomainSecureNeedsDnsRouting'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; DomainSecure = $true; SmartHost = 'relay.partner.example' }; Cert = $true }
        @{ Id = 'DomainSecureNoWildcards'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; DomainSecure = $true; PartnerDomain = '*.partner.example' }; Cert = $true }
        @{ Id = 'DomainSecureNeedsBothSecureLists'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; DomainSecure = $true; AdditionalParameter = @{ TLSReceiveDomainSecureList = $null } }; Cert = $true }
        @{ Id = 'ReceiveConnectorNeedsTlsAuth'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Inbound'; SenderIPAddress = '192.0.2.0/24'; AdditionalParameter = @{ AuthMechanism = 'None' } } }
        @{ Id = 'ReceiveConnectorNeedsRemoteIPRanges'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Inbound' } }
        @{ Id = 'ReceiveConnectorIdentityRequired'; Params = @{ Platform = 'ExchangeServer'; ConnectorType = 'OnPremises'; Direction = 'Inbound' }; Cert = $true }
        @{ Id = 'TlsCertificateNameNotSet'; Params = @{ Platform = 'ExchangeServer'; Direction = 'Outbound'; TlsSettings = 'CertificateValidation'; DomainSecure = $true } }
        @{ Id = 'PublicReceiveConnectorNotForced'; Params = @{ Platform = 'ExchangeServer'; ConnectorType = 'OnPremises'; Direction = 'Inbound'; ReceiveConnector = 'EX01\Default Frontend EX01' }; Cert = $true }
        @{ Id = 'MxHostWithoutStartTls'; Params = @{}; Measurement = 'NoTls' }
        @{ Id = 'CertificateNameMismatch'; Params = @{ TlsDomain = 'smtp.partner.example' }; Measurement = 'Good' }
        @{ Id = 'CertificateExpiresSoon'; Params = @{}; Measurement = 'Expiring' }
        @{ Id = 'CertificateExpired'; Params = @{}; Measurement = 'Expired' }
        @{ Id = 'CertificateChainNotTrusted'; Params = @{}; Measurement = 'Untrusted' }
        @{ Id = 'TlsSettingsAboveMeasuredLevel'; Params = @{}; Measurement = 'LowLevel' }
        @{ Id = 'PartnerAcceptsNoMail'; Params = @{ TlsSettings = 'CertificateValidation'; TlsSenderCertificateName = 'mail.partner.example' }; Measurement = 'NullMx' }
        @{ Id = 'SmartHostNotMeasured'; Params = @{ Direction = 'Outbound'; SmartHost = 'relay.partner.example' }; Measurement = 'Good' }
        @{ Id = 'NoEvidence'; Params = @{ TlsDomain = 'mail.partner.example'; TlsSenderCertificateName = 'mail.partner.example' } }
        @{ Id = 'PartnerPolicyBlocksDelivery'; Params = @{ Direction = 'Outbound' }; Measurement = 'DaneRefused' }
        @{ Id = 'SmtpDaneModeMandatoryWithoutDane'; Params = @{ Direction = 'Outbound'; AdditionalParameter = @{ SmtpDaneMode = 'Mandatory' } }; Measurement = 'NoDane' }
    )
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/ExchangeStandIns.ps1

    # Synthetic measurements for the rule table, built the way Test-MailTls builds them: every
    # field follows from the few facts given (an expired certificate fails the chain, the level
    # follows ExchangeTlsLevelRules, the summary follows MailTlsSummarizer), so no test feeds the
    # builder evidence the tester cannot produce. Rules judged on evidence the bed can produce
    # are also tested with real Test-MailTls -Summary output (Context 'Measuring the test bed').
    $script:ResultType = [TlsTools.MailTlsResult]
    $script:SummaryType = [TlsTools.MailTlsDomainSummary]
    $script:ResultListType = [TlsTools.MailTlsResultList]
    $script:LevelType = [TlsTools.ExchangeTlsLevel]
    $script:VerdictType = [TlsTools.MailTlsVerdict]

    function Test-NameCovers {
        param([string[]] $Names, [string[]] $References)
        foreach ($n in $Names) {
            foreach ($r in $References) {
                if ($n -eq $r) { return $true }
                if ($n.StartsWith('*.') -and $r.EndsWith($n.Substring(1)) -and $r.Substring(0, $r.Length - $n.Length + 1) -notmatch '\.') { return $true }
            }
        }
        $false
    }

    function New-TestResult {
        param([string] $MxHost, [string] $Address, [string[]] $Names = @(), [bool] $Tls = $true, [bool] $Trusted = $true, $Days = 200,
            [string] $Protocol = 'Tls13', [string] $Domain = 'partner.example')
        $cn = if ($Names) { $Names[0] } else { $MxHost }
        $dnsNames = [string[]] @(if ($Tls) { $Names })
        $chainErrors = [string[]] @(if ($Tls -and -not $Trusted) { 'UntrustedRoot: self-signed certificate in certificate chain' }
            if ($Tls -and $Days -lt 0) { 'NotTimeValid: certificate has expired' })
        $chainValid = if ($Tls) { $chainErrors.Count -eq 0 } else { $null }
        $nameMatches = if ($Tls) { Test-NameCovers $dnsNames @($MxHost, $Domain) } else { $null }
        $suite = switch ($Protocol) { 'Tls13' { 'TLS_AES_256_GCM_SHA384' } 'Tls12' { 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384' } default { 'TLS_RSA_WITH_AES_256_CBC_SHA' } }
        $legacy = $Protocol -in 'Tls10', 'Tls11'
        # ExchangeTlsLevelRules.Decide
        $level = if (-not $Tls -or $legacy) { 'None' } elseif (-not $chainValid) { 'EncryptionOnly' } elseif (-not $nameMatches) { 'CertificateValidation' } else { 'DomainValidation' }
        $notes = [string[]] @(if (-not $Tls) { 'The server does not offer STARTTLS: mail to it travels in clear text.' })
        New-Object -TypeName $ResultType.FullName -Property @{
            Domain                  = $Domain
            MxHost                  = $MxHost
            Preference              = 10
            IPAddress               = $Address
            Port                    = 25
            Banner                  = "$MxHost ESMTP"
            StartTlsOffered         = $Tls
            TlsEstablished          = $Tls
            Protocol                = if ($Tls) { $Protocol } else { $null }
            CipherSuite             = if ($Tls) { $suite } else { $null }
            KeyExchange             = if ($Tls) { if ($legacy) { 'RSA' } else { 'ECDHE' } } else { $null }
            ForwardSecrecy          = if ($Tls) { -not $legacy } else { $null }
            CertificateSubject      = if ($Tls) { "CN=$cn, O=Partner, C=DE" } else { $null }
            CertificateIssuer       = if ($Tls) { 'CN=Partner CA, O=Partner, C=DE' } else { $null }
            RootIssuer              = if ($Tls) { 'CN=Partner Root, O=Partner, C=DE' } else { $null }
            CertificateThumbprint   = if ($Tls) { ('{0:X40}' -f [Math]::Abs("$MxHost|$cn".GetHashCode())) } else { $null }
            CertificateNotAfter     = if ($Tls) { [datetime]::UtcNow.AddDays($Days + 0.5) } else { $null }
            DaysUntilExpiry         = if ($Tls) { $Days } else { $null }
            KeySize                 = if ($Tls) { 2048 } else { $null }
            CertificateDnsNames     = [TlsTools.StringList]::new($dnsNames)
            ExchangeCertificateName = if ($Tls) { "<I>CN=Partner CA, O=Partner, C=DE<S>CN=$cn, O=Partner, C=DE" } else { $null }
            ChainValid              = $chainValid
            ChainErrors             = [TlsTools.StringList]::new($chainErrors)
            NameMatches             = $nameMatches
            ExchangeTlsLevel        = $level
            ForcedTlsReady          = $level -in 'CertificateValidation', 'DomainValidation'
            Notes                   = [TlsTools.StringList]::new($notes)
        }
    }

    function New-TestSummary {
        <# MailTlsSummarizer's rules, for results that all come from one domain's MX hosts. #>
        param([string] $Domain = 'partner.example', $Results = @(), [switch] $NullMx)
        $Results = @($Results)
        $hosts = [string[]] @($Results | ForEach-Object MxHost | Select-Object -Unique)
        $withoutTls = [string[]] @($Results | Where-Object { -not $_.TlsEstablished } | ForEach-Object MxHost | Select-Object -Unique)
        $established = @($Results | Where-Object TlsEstablished)
        $names = [string[]] @($established | ForEach-Object { $_.CertificateDnsNames } | Select-Object -Unique)
        $exchangeNames = [string[]] @($established | ForEach-Object ExchangeCertificateName | Select-Object -Unique)
        $lowest = [int] $(if ($Results.Count -eq 0 -or $withoutTls.Count -gt 0) { 0 } else { ($Results | ForEach-Object { [int] $_.ExchangeTlsLevel } | Measure-Object -Minimum).Minimum })
        $reasons = [System.Collections.Generic.List[string]]::new()
        foreach ($r in $Results) {
            if (-not $r.StartTlsOffered) { $reasons.Add("$($r.MxHost) ($($r.IPAddress)): STARTTLS is not offered; mail to it travels in clear text.") }
            elseif ($r.ChainValid -eq $false) { $reasons.Add("$($r.MxHost) ($($r.IPAddress)): the certificate chain does not validate ($($r.ChainErrors -join '; ')).") }
            elseif ($r.NameMatches -eq $false) { $reasons.Add("$($r.MxHost) ($($r.IPAddress)): no certificate name matches $($r.MxHost) or $($r.Domain).") }
        }
        $legacyOnly = @($established | Where-Object Protocol -in 'Tls10', 'Tls11').Count -gt 0
        $soonest = ($established | ForEach-Object CertificateNotAfter | Measure-Object -Minimum).Minimum
        $verdict = if ($NullMx) { 'NoMail' }
        elseif ($Results.Count -eq 0 -or $withoutTls.Count -gt 0 -or $legacyOnly) { 'Fail' }
        else {
            if ($soonest -and ($soonest - [datetime]::UtcNow).TotalDays -lt 30) { $reasons.Add("A certificate expires on $($soonest.ToString('yyyy-MM-dd')), within 30 days.") }
            if ($lowest -lt [int] [System.Enum]::Parse($LevelType, 'DomainValidation')) { $reasons.Add("The lowest Exchange TLS level is $([System.Enum]::ToObject($LevelType, $lowest)).") }
            if ($reasons.Count -gt 0) { 'Warning' } else { 'Pass' }
        }
        $typed = [Array]::CreateInstance($ResultType, $Results.Count)
        for ($i = 0; $i -lt $Results.Count; $i++) { $typed[$i] = $Results[$i] }
        if ($NullMx) { $reasons = [System.Collections.Generic.List[string]]::new([string[]] @('The domain publishes a null MX (RFC 7505): it accepts no mail.')) }
        New-Object -TypeName $SummaryType.FullName -Property @{
            Domain                   = $Domain
            MxCount                  = $hosts.Count
            MxHosts                  = [TlsTools.StringList]::new($hosts)
            AddressesTested          = $Results.Count
            AllTls                   = $Results.Count -gt 0 -and $withoutTls.Count -eq 0
            HostsWithoutTls          = [TlsTools.StringList]::new($withoutTls)
            LowestExchangeTlsLevel   = [System.Enum]::ToObject($LevelType, [int] $lowest)
            ForcedTlsReady           = $Results.Count -gt 0 -and $withoutTls.Count -eq 0 -and @($Results | Where-Object { -not $_.ForcedTlsReady }).Count -eq 0
            SoonestExpiry            = $soonest
            CertificateDnsNames      = [TlsTools.StringList]::new($names)
            ExchangeCertificateNames = [TlsTools.StringList]::new($exchangeNames)
            Reasons                  = [TlsTools.StringList]::new([string[]] $reasons)
            Verdict                  = $verdict
            Results                  = $ResultListType::new($typed)
        }
    }

    function New-TestCertificate {
        param([string] $CommonName, [string[]] $DnsNames = @($CommonName), [int] $Days = 300)
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$CommonName, O=Contoso, C=CH", $rsa,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $san = [System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
        foreach ($n in $DnsNames) { $san.AddDnsName($n) }
        $request.CertificateExtensions.Add($san.Build())
        $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddDays(-1), [datetimeoffset]::UtcNow.AddDays($Days))
    }

    function Get-RuleErrorId {
        param([scriptblock] $ScriptBlock)
        try { $null = & $ScriptBlock; $null } catch { ($_.FullyQualifiedErrorId -split ',')[0] }
    }

    function Invoke-Spec {
        <# Splats a spec into the stand-in of its cmdlet, the way the help tells an administrator to. #>
        param([Parameter(ValueFromPipeline)] $Spec)
        process {
            $p = $Spec.Parameters
            & $Spec.Cmdlet @p
        }
    }

    function Test-ScriptCalls {
        <# Parses a rendered script; returns the parse errors and the commands it calls with the keys of their splatted hashtables. #>
        param([string] $Script)
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Script, [ref] $tokens, [ref] $errors)
        $tables = @{}
        foreach ($assign in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.AssignmentStatementAst] }, $true)) {
            $hash = $assign.Right.Find({ $args[0] -is [System.Management.Automation.Language.HashtableAst] }, $true)
            if ($hash) { $tables[$assign.Left.VariablePath.UserPath] = @($hash.KeyValuePairs | ForEach-Object { $_.Item1.Value }) }
        }
        $calls = foreach ($command in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $splat = $command.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.VariableExpressionAst] -and $_.Splatted }
            [pscustomobject]@{ Name = $command.GetCommandName(); Keys = if ($splat) { $tables[$splat.VariablePath.UserPath] } else { @() } }
        }
        [pscustomobject]@{ Errors = $errors; Calls = @($calls) }
    }

    function Add-TestPolicy {
        <# The policy facts -Summary adds: one DeliveryHosts entry per MX host, as DefaultDeliveryRules decides them. #>
        param($Summary, [hashtable[]] $Hosts)
        $entries = foreach ($h in $Hosts) {
            $d = [TlsTools.MxHostDelivery]::new()
            $d.MxHost = $h.MxHost; $d.Preference = 10; $d.Delivery = $h.Delivery; $d.DaneApplies = [bool] $h.Dane; $d.DaneMatch = $h.DaneMatch
            $d.RefusedBy = $h.RefusedBy; $d.Reason = if ($h.RefusedBy -eq 'DANE') { 'DANE/TLSA: no authenticated TLSA record of the host matches the certificate presented' } else { 'over TLS (opportunistic)' }
            $d
        }
        $Summary.DeliveryHosts = [TlsTools.MxHostDeliveryList]::new([TlsTools.MxHostDelivery[]] @($entries))
        $Summary.DaneApplies = @($Hosts | Where-Object Dane).Count -gt 0
        $Summary.DefaultDelivery = if (@($Hosts | Where-Object Delivery -eq 'Tls').Count -gt 0) { 'Tls' } else { 'Blocked' }
        $Summary
    }

    $script:OnPremCert = New-TestCertificate 'mail.contoso.example' @('mail.contoso.example', 'autodiscover.contoso.example')
    $script:Measured = @{
        Good      = New-TestSummary -Results @(
            New-TestResult mx1.partner.example 192.0.2.1 @('mx1.partner.example', 'mail.partner.example')
            New-TestResult mx2.partner.example 192.0.2.2 @('mx2.partner.example', 'mail.partner.example'))
        NoTls     = New-TestSummary -Results @(
            New-TestResult mx1.partner.example 192.0.2.1 @('mail.partner.example')
            New-TestResult mx2.partner.example 192.0.2.2 -Tls $false)
        Expiring  = New-TestSummary -Results @(New-TestResult mx1.partner.example 192.0.2.1 @('mail.partner.example') -Days 12)
        Expired   = New-TestSummary -Results @(New-TestResult mx1.partner.example 192.0.2.1 @('mail.partner.example') -Days -3)
        Untrusted = New-TestSummary -Results @(New-TestResult mx1.partner.example 192.0.2.1 @('mail.partner.example') -Trusted $false)
        # TLS 1.0 only: a session, a valid chain, and still ExchangeTlsLevel None.
        LowLevel  = New-TestSummary -Results @(New-TestResult mx1.partner.example 192.0.2.1 @('mail.partner.example') -Protocol Tls10)
        NullMx    = New-TestSummary -NullMx
        # Authenticated TLSA records that match neither MX certificate: DefaultDelivery Blocked.
        DaneRefused = Add-TestPolicy (New-TestSummary -Results @(
                New-TestResult mx1.partner.example 192.0.2.1 @('mx1.partner.example', 'mail.partner.example')
                New-TestResult mx2.partner.example 192.0.2.2 @('mx2.partner.example', 'mail.partner.example'))) @(
            @{ MxHost = 'mx1.partner.example'; Delivery = 'Refused'; Dane = $true; DaneMatch = $false; RefusedBy = 'DANE' }
            @{ MxHost = 'mx2.partner.example'; Delivery = 'Refused'; Dane = $true; DaneMatch = $false; RefusedBy = 'DANE' })
        # Policy read, no DANE anywhere: SmtpDaneMode Mandatory would queue and drop everything.
        NoDane = Add-TestPolicy (New-TestSummary -Results @(
                New-TestResult mx1.partner.example 192.0.2.1 @('mx1.partner.example', 'mail.partner.example'))) @(
            @{ MxHost = 'mx1.partner.example'; Delivery = 'Tls'; Dane = $false })
    }
}

Describe 'New-ForcedTlsConnectorSpec' {
    Context 'Specs splat into the Exchange cmdlets' {
        It '<Platform> <Direction> <Type> <Tls> (smart host <SmartHost>, sender IPs <SenderIp>, domain secure <DomainSecure>)' -ForEach $Combinations {
            $p = @{ PartnerDomain = 'partner.example'; Platform = $Platform; Direction = $Direction; ConnectorType = $Type; TlsSettings = $Tls; InputObject = $Measured.Good }
            if ($SmartHost) { $p.SmartHost = 'mx1.partner.example' }
            if ($SenderIp) { $p.SenderIPAddress = '192.0.2.0/24' }
            if ($DomainSecure) { $p.DomainSecure = $true }
            if ($Platform -eq 'ExchangeServer' -or $Type -eq 'OnPremises') { $p.TlsCertificate = $OnPremCert }
            if ($Platform -eq 'ExchangeServer' -and $Type -eq 'OnPremises' -and $Direction -ne 'Outbound' -and -not $SenderIp) { $p.ReceiveConnector = 'EX01\Default Frontend EX01' }

            $specs = @(New-ForcedTlsConnectorSpec @p -WarningAction SilentlyContinue)
            $specs.Count | Should -BeGreaterThan 0
            foreach ($spec in $specs) {
                $spec | Should -BeOfType ([TlsTools.ConnectorSpec])
                $spec.Cmdlet | Should -BeIn $ExchangeStandInNames
                $call = $spec | Invoke-Spec
                $call.Cmdlet | Should -Be $spec.Cmdlet
                @($call.Parameters.Keys) -join ',' | Should -Be (@($spec.Parameters.Keys) -join ',')
                foreach ($reserved in 'EFTestMode', 'EFSkipMailGateway', 'ScanAndDropRecipients', 'ClientHostNames', 'LinkForModifiedConnector', 'RequireOorg') {
                    $spec.Parameters.Contains($reserved) | Should -BeFalse
                }
                switch ($spec.Cmdlet) {
                    'New-InboundConnector' { $spec.Parameters.RequireTls | Should -BeTrue }
                    'New-OutboundConnector' { $spec.Parameters.TlsSettings | Should -Be $Tls }
                    'New-SendConnector' { $spec.Parameters.RequireTLS | Should -BeTrue; $spec.Parameters.IgnoreSTARTTLS | Should -BeFalse; $spec.Parameters.TlsAuthLevel | Should -Be $Tls }
                    'New-ReceiveConnector' { $spec.Parameters.RequireTLS | Should -BeTrue }
                }
            }

            # The same specs as a script: it parses, calls only the target cmdlets with their real parameters, and runs.
            $script = New-ForcedTlsConnectorSpec @p -AsScript -WarningAction SilentlyContinue
            $parsed = Test-ScriptCalls $script
            $parsed.Errors | Should -BeNullOrEmpty
            $parsed.Calls.Count | Should -Be @($specs | Where-Object ReadyToApply).Count
            foreach ($c in $parsed.Calls) {
                $c.Name | Should -BeIn $ExchangeStandInNames
                $known = (Get-Command $c.Name).Parameters.Keys
                $c.Keys | ForEach-Object { $_ | Should -BeIn $known }
            }
            $ran = @(& ([scriptblock]::Create($script)))
            @($ran.Cmdlet) -join ',' | Should -Be (@($specs | Where-Object ReadyToApply | ForEach-Object Cmdlet) -join ',')
        }
    }

    Context 'The rule table' {
        It 'has a test for every rule' {
            $ids = [TlsTools.Connectors.ConnectorRules]::All.Id
            $tested = $RuleCases.Id
            $ids | Where-Object { $_ -notin $tested } | Should -BeNullOrEmpty
        }

        It 'trips <Id>' -ForEach $RuleCases {
            $rule = [TlsTools.Connectors.ConnectorRules]::Find($Id)
            $p = @{ PartnerDomain = 'partner.example' }
            foreach ($k in $Params.Keys) { $p[$k] = $Params[$k] }
            if ($Cert) { $p.TlsCertificate = $OnPremCert }
            if ($Measurement) { $p.InputObject = $Measured[$Measurement] }
            if ($rule.Severity -eq 'Error') {
                Get-RuleErrorId { New-ForcedTlsConnectorSpec @p -WarningAction SilentlyContinue } | Should -Be $Id
            }
            else {
                $specs = @(New-ForcedTlsConnectorSpec @p -WarningVariable warnings -WarningAction SilentlyContinue)
                $flagged = @($specs | Where-Object { $_.Warnings | Where-Object { $_ -like "${Id}: *" } })
                $flagged.Count | Should -BeGreaterThan 0
                @($warnings | Where-Object { "$_" -like "*: ${Id}: *" }).Count | Should -BeGreaterThan 0
                if ($rule.Blocks) { @($flagged | Where-Object { -not $_.ReadyToApply }).Count | Should -BeGreaterThan 0 }
                # A spec with a warning still binds.
                $specs | Invoke-Spec | Should -Not -BeNullOrEmpty
            }
        }

        It 'names the rule in the error record' {
            $record = $null
            try { New-ForcedTlsConnectorSpec -PartnerDomain partner.example -Platform ExchangeServer -Direction Outbound -SmartHost relay.partner.example } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be 'DomainValidationNeedsTlsDomain,TlsTools.Commands.NewForcedTlsConnectorSpecCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.ErrorDetails.RecommendedAction | Should -Match 'P4'
        }

        It 'makes a rule with no documented source a warning that says so' {
            [TlsTools.Connectors.ConnectorRules]::All | Where-Object { $_.Basis -in 'Undocumented', 'Evidence' -and $_.Severity -eq 'Error' } | Should -BeNullOrEmpty
            $spec = New-ForcedTlsConnectorSpec -PartnerDomain partner.example -Direction Outbound -WarningVariable w -WarningAction SilentlyContinue
            $spec.Parameters.Contains('TlsDomain') | Should -BeFalse
            $spec.ReadyToApply | Should -BeFalse
            ($w -join "`n") | Should -Match 'OutboundDomainValidationWithoutTlsDomain: .*no Microsoft documentation states'
        }

        It 'takes several ErrorPolicies values, as New-SendConnector does' {
            $spec = New-ForcedTlsConnectorSpec -PartnerDomain partner.example -Platform ExchangeServer -Direction Outbound -TlsSettings CertificateValidation `
                -AdditionalParameter @{ ErrorPolicies = 'DowngradeDnsFailures', 'DowngradeCustomFailures' } -WarningAction SilentlyContinue
            $spec.Parameters.ErrorPolicies | Should -Be @('DowngradeDnsFailures', 'DowngradeCustomFailures')
            $call = $spec | Invoke-Spec
            $call.Parameters.ErrorPolicies | Should -Be @('DowngradeDnsFailures', 'DowngradeCustomFailures')
        }

        It 'knows every parameter the stand-in of <_> has, and the stand-in every parameter it knows' -ForEach @('New-InboundConnector', 'New-OutboundConnector', 'New-SendConnector', 'New-ReceiveConnector', 'Set-ReceiveConnector', 'Set-TransportConfig') {
            $name = $_
            $table = [TlsTools.Connectors.ExchangeCmdlets]::Find($name)
            $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
            $standIn = (Get-Command $name).Parameters.Values | Where-Object { $_.Name -notin $common -and $_.ParameterType -ne [switch] -and $_.ParameterType -ne [pscredential] } | ForEach-Object Name
            $known = @($table.Parameters.Name) + @($table.Reserved) + @(if ($name -eq 'Set-TransportConfig') { 'AllowLegacyTLSClients' })
            $standIn | Where-Object { $_ -notin $known } | Should -BeNullOrEmpty
            $table.Parameters.Name | Where-Object { $_ -notin $standIn } | Should -BeNullOrEmpty
        }
    }

    Context 'Measured evidence from the pipeline' {
        It 'fills TlsDomain and TlsSenderCertificateName from the piped summary and says where they came from' {
            $specs = @($Measured.Good | New-ForcedTlsConnectorSpec)
            $specs.Count | Should -Be 2
            $specs[0].Parameters.TlsSenderCertificateName | Should -Be 'mail.partner.example'
            $specs[0].Parameters.SenderDomains | Should -Be 'partner.example'
            $specs[1].Parameters.TlsDomain | Should -Be 'mail.partner.example'
            $specs[1].Parameters.RecipientDomains | Should -Be 'partner.example'
            $specs[1].Evidence | Where-Object {
                $_.StartsWith("TlsDomain 'mail.partner.example': carried by the certificate of every TLS server") -and $_.Contains('mx1.partner.example (192.0.2.1)') -and $_.Contains('[Test-MailTls]')
            } | Should -Not -BeNullOrEmpty
            $specs.ReadyToApply | Should -Be @($true, $true)
            $specs.Warnings | Should -BeNullOrEmpty
            $specs[1].Parameters.MtaStsMode | Should -Be 'Opportunistic'
            $specs[1].Parameters.SmtpDaneMode | Should -Be 'Opportunistic'
        }

        It 'chooses SmtpDaneMode Mandatory when DANE covers every MX host and matches, and warns when the partner records refuse delivery' {
            $full = Add-TestPolicy (New-TestSummary -Results @(
                    New-TestResult mx1.partner.example 192.0.2.1 @('mx1.partner.example', 'mail.partner.example')
                    New-TestResult mx2.partner.example 192.0.2.2 @('mx2.partner.example', 'mail.partner.example'))) @(
                @{ MxHost = 'mx1.partner.example'; Delivery = 'Tls'; Dane = $true; DaneMatch = $true }
                @{ MxHost = 'mx2.partner.example'; Delivery = 'Tls'; Dane = $true; DaneMatch = $true })
            $spec = $full | New-ForcedTlsConnectorSpec -Direction Outbound
            $spec.Parameters.SmtpDaneMode | Should -Be 'Mandatory'
            $spec.Parameters.MtaStsMode | Should -Be 'Opportunistic'
            $spec.ReadyToApply | Should -BeTrue

            $blocked = $Measured.DaneRefused | New-ForcedTlsConnectorSpec -Direction Outbound -WarningVariable w -WarningAction SilentlyContinue
            $blocked.Parameters.SmtpDaneMode | Should -Be 'Opportunistic'
            $blocked.ReadyToApply | Should -BeFalse
            ($w -join "`n") | Should -Match 'PartnerPolicyBlocksDelivery: mx1.partner.example: .*DANE/TLSA'
        }

        It 'warns for a host without STARTTLS, an expiring certificate, an untrusted chain and a name mismatch' {
            $summary = New-TestSummary -Results @(
                New-TestResult mx1.partner.example 192.0.2.1 @('mail.partner.example') -Days 5
                New-TestResult mx2.partner.example 192.0.2.2 @('mail.partner.example') -Trusted $false
                New-TestResult mx3.partner.example 192.0.2.3 -Tls $false
                New-TestResult backup.hoster.example 198.51.100.7 @('smtp.hoster.example'))
            $specs = @($summary | New-ForcedTlsConnectorSpec -Direction Outbound -WarningVariable w -WarningAction SilentlyContinue)
            $specs.Count | Should -Be 1
            $spec = $specs[0]
            $spec.Parameters.TlsDomain | Should -Be 'mail.partner.example'
            $spec.ReadyToApply | Should -BeFalse
            $spec.Warnings | Where-Object { $_ -like 'MxHostWithoutStartTls: mx3.partner.example (192.0.2.3)*' } | Should -Not -BeNullOrEmpty
            $spec.Warnings | Where-Object { $_ -like 'CertificateExpiresSoon: The certificate of mx1.partner.example (192.0.2.1)*' } | Should -Not -BeNullOrEmpty
            $spec.Warnings | Where-Object { $_ -like 'CertificateChainNotTrusted: The certificate chain of mx2.partner.example (192.0.2.2) is not trusted (UntrustedRoot*' } | Should -Not -BeNullOrEmpty
            $spec.Warnings | Where-Object { $_ -like "CertificateNameMismatch: The certificate of backup.hoster.example (198.51.100.7) carries smtp.hoster.example, which does not match TlsDomain 'mail.partner.example'*" } | Should -Not -BeNullOrEmpty
            $w.Count | Should -Be $spec.Warnings.Count
        }

        It 'binds PartnerDomain from objects with a DomainName property' {
            $spec = [pscustomobject]@{ DomainName = 'partner.example' } | New-ForcedTlsConnectorSpec -Direction Outbound -TlsSettings CertificateValidation -WarningAction SilentlyContinue
            $spec.Parameters.RecipientDomains | Should -Be 'partner.example'
        }

        It 'builds the on-premises TlsCertificateName from the certificate itself' {
            $specs = @(New-ForcedTlsConnectorSpec -PartnerDomain partner.example -Platform ExchangeServer -SenderIPAddress 192.0.2.0/24 -TlsCertificate $OnPremCert -InputObject $Measured.Good)
            $expected = '<I>{0}<S>{1}' -f $OnPremCert.Issuer, $OnPremCert.Subject
            $specs | ForEach-Object { $_.Parameters.TlsCertificateName | Should -Be $expected }
            $specs[0].Parameters.TlsDomain | Should -Be 'mail.partner.example'
        }
    }

    Context '-AsScript' {
        It 'quotes untrusted text and keeps comments on one line' {
            $hostile = "Partner's `"connector`" `$(Remove-Item -Recurse /) ‘x’`n# not a comment"
            $summary = New-TestSummary -Results @(
                New-TestResult "mx1.partner.example`nRemove-Item /" 192.0.2.1 @('mail.partner.example')
                New-TestResult 'mx2.partner.example' 192.0.2.2 -Tls $false)
            $script = $summary | New-ForcedTlsConnectorSpec -Direction Outbound -Name ($hostile.Substring(0, 40)) -AdditionalParameter @{ Comment = $hostile } -AsScript -WarningAction SilentlyContinue
            $parsed = Test-ScriptCalls $script
            $parsed.Errors | Should -BeNullOrEmpty
            $parsed.Calls | Should -BeNullOrEmpty    # blocked: a host without TLS
            # Uncommented, the call receives the text exactly as given.
            $runnable = $script -replace '(?m)^# (New-OutboundConnector @spec1)    # blocked by the warnings above$', '$1'
            $call = & ([scriptblock]::Create($runnable))
            $call.Parameters.Comment | Should -BeExactly $hostile
            $call.Parameters.Name | Should -BeExactly $hostile.Substring(0, 40)
            ($script -split "`n" | Where-Object { $_ -like 'Remove-Item*' }) | Should -BeNullOrEmpty
        }

        It 'writes the script to -Path and returns the file' {
            $path = Join-Path $TestDrive 'partner.ps1'
            $file = $Measured.Good | New-ForcedTlsConnectorSpec -Path $path
            $file | Should -BeOfType ([System.IO.FileInfo])
            $file.FullName | Should -Be $path
            $text = Get-Content $path -Raw
            (Test-ScriptCalls $text).Calls.Name -join ',' | Should -Be 'New-InboundConnector,New-OutboundConnector'
            [System.IO.File]::ReadAllBytes($path)[0..2] | Should -Be @(0xEF, 0xBB, 0xBF)
        }
    }

    Context 'Measuring the test bed (-Probe and Test-MailTls)' {
        BeforeAll {
            $script:Bed = Get-TestBed
            $script:NoBed = $null -eq $script:Bed
            if (-not $NoBed) {
                $script:Probe = @{
                    Probe                  = $true
                    DnsServer              = Get-BedDnsServer $Bed
                    Port                   = $Bed.smtpPort
                    TrustedRootCertificate = $Bed.ca.rootCert
                    TimeoutSeconds         = 10
                }
                # Real Test-MailTls -Summary output for the rules judged on measured evidence.
                $script:LiveSummary = @{}
                Test-MailTls -DomainName good.bed.test, partner.bed.test, selfsigned.bed.test, nointermediate.bed.test, wrongname.bed.test, oldtls.bed.test, nullmx.bed.test `
                    -Summary -DnsServer $Probe.DnsServer -Port $Probe.Port -TrustedRootCertificate $Probe.TrustedRootCertificate -IgnoreSystemTrustStore -AddressFamily IPv4 -TimeoutSeconds 10 |
                    ForEach-Object { $LiveSummary[$_.Domain] = $_ }
                $script:GoodLeaf = (Get-RemoteCertificate -ComputerName $Bed.smtp.good.address -Port $Bed.smtpPort -StartTls Smtp -TimeoutSeconds 10 |
                    Where-Object ChainIndex -eq 0).Certificate
            }
        }

        It 'takes TlsDomain and TlsSenderCertificateName from the certificate of good.bed.test' {
            if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
            $specs = @(New-ForcedTlsConnectorSpec -PartnerDomain good.bed.test @Probe -WarningVariable w -WarningAction SilentlyContinue)
            $specs.Cmdlet -join ',' | Should -Be 'New-InboundConnector,New-OutboundConnector'
            $bedName = @($Bed.smtp.good.certNames)
            $bedName.Count | Should -Be 1
            $specs[0].Parameters.TlsSenderCertificateName | Should -Be $bedName[0]
            $specs[1].Parameters.TlsDomain | Should -Be $bedName[0]
            $specs[0].Parameters.TlsSenderCertificateName | Should -Be $GoodLeaf.GetNameInfo([System.Security.Cryptography.X509Certificates.X509NameType]::DnsName, $false)
            $specs.ReadyToApply -join ',' | Should -Be 'True,True'
            $w | Should -BeNullOrEmpty
            $specs[1].Evidence | Where-Object { $_.Contains("good.mx.bed.test ($($Bed.smtp.good.address)") -and $_.Contains('[-Probe]') } | Should -Not -BeNullOrEmpty
            $specs | Invoke-Spec | Should -HaveCount 2
        }

        It 'gives the same specification from piped Test-MailTls -Summary output' {
            if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
            $summary = Test-MailTls -DomainName good.bed.test -Summary -DnsServer $Probe.DnsServer -Port $Probe.Port -TrustedRootCertificate $Probe.TrustedRootCertificate -TimeoutSeconds 10
            $specs = @($summary | New-ForcedTlsConnectorSpec)
            $specs[1].Parameters.TlsDomain | Should -Be $Bed.smtp.good.certNames
            $specs[0].Parameters.TlsSenderCertificateName | Should -Be $Bed.smtp.good.certNames
            $specs[1].Evidence | Where-Object { $_.Contains('[Test-MailTls]') } | Should -Not -BeNullOrEmpty
        }

        It 'builds the on-premises TlsCertificateName that Test-MailTls measures for the certificate' {
            if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
            $specs = @(New-ForcedTlsConnectorSpec -PartnerDomain good.bed.test @Probe -Platform ExchangeServer -SenderIPAddress 127.0.13.0/24 -TlsCertificate $GoodLeaf)
            $measured = Test-MailTls -DomainName good.bed.test -DnsServer $Probe.DnsServer -Port $Probe.Port -TrustedRootCertificate $Probe.TrustedRootCertificate -TimeoutSeconds 10 |
                Where-Object IPAddress -eq $Bed.smtp.good.address
            $send = $specs | Where-Object Cmdlet -eq 'New-SendConnector'
            $send.Parameters.TlsDomain | Should -Be $Bed.smtp.good.certNames
            $send.Parameters.TlsCertificateName | Should -Be $measured.ExchangeCertificateName
            $send.Parameters.TlsCertificateName | Should -Be ('<I>{0}<S>{1}' -f $GoodLeaf.Issuer, $GoodLeaf.Subject)
            ($specs | Where-Object Cmdlet -eq 'New-ReceiveConnector').Parameters.TlsCertificateName | Should -Be $measured.ExchangeCertificateName
            $specs | Invoke-Spec | Should -HaveCount 2
        }

        It 'flags the MX host without STARTTLS and the expired certificate of partner.bed.test' {
            if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
            $spec = New-ForcedTlsConnectorSpec -PartnerDomain partner.bed.test @Probe -Direction Outbound -WarningAction SilentlyContinue
            $spec.ReadyToApply | Should -BeFalse
            $spec.Warnings | Where-Object { $_ -like "MxHostWithoutStartTls: nostarttls.mx.bed.test ($($Bed.smtp.nostarttls.address))*" } | Should -Not -BeNullOrEmpty
            $spec.Warnings | Where-Object { $_ -like "CertificateExpired: The certificate of expired.mx.bed.test ($($Bed.smtp.expired.address))*" } | Should -Not -BeNullOrEmpty
            # No name is on both certificates; both sit under mx.bed.test.
            $spec.Parameters.TlsDomain | Should -Be '*.mx.bed.test'
            $spec.Warnings | Where-Object { $_ -like 'CertificateNameMismatch:*' } | Should -BeNullOrEmpty
        }

        It 'trips <Id> on the measured summary of <Domain>' -ForEach @(
            @{ Id = 'MxHostWithoutStartTls'; Domain = 'partner.bed.test'; Params = @{ Direction = 'Outbound' }; Mx = 'nostarttls' }
            @{ Id = 'CertificateExpired'; Domain = 'partner.bed.test'; Params = @{ Direction = 'Outbound' }; Mx = 'expired' }
            @{ Id = 'CertificateChainNotTrusted'; Domain = 'selfsigned.bed.test'; Params = @{ Direction = 'Outbound' }; Mx = 'selfsigned' }
            @{ Id = 'CertificateChainNotTrusted'; Domain = 'nointermediate.bed.test'; Params = @{ Direction = 'Outbound' }; Mx = 'nointermediate' }
            @{ Id = 'CertificateNameMismatch'; Domain = 'wrongname.bed.test'; Params = @{ Direction = 'Outbound'; TlsDomain = 'wrongname.mx.bed.test' }; Mx = 'wrongname' }
            @{ Id = 'TlsSettingsAboveMeasuredLevel'; Domain = 'oldtls.bed.test'; Params = @{ Direction = 'Outbound' }; Mx = $null }
            @{ Id = 'PartnerAcceptsNoMail'; Domain = 'nullmx.bed.test'; Params = @{ TlsSettings = 'CertificateValidation'; TlsSenderCertificateName = 'mail.partner.example' }; Mx = $null }
            @{ Id = 'SmartHostNotMeasured'; Domain = 'good.bed.test'; Params = @{ Direction = 'Outbound'; SmartHost = 'relay.partner.example' }; Mx = $null }
        ) {
            if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
            $summary = $LiveSummary[$Domain]
            $summary | Should -Not -BeNullOrEmpty
            $summary.Domain | Should -Be $Domain
            $specs = @($summary | New-ForcedTlsConnectorSpec @Params -WarningVariable warnings -WarningAction SilentlyContinue)
            $flagged = @($specs | Where-Object { $_.Warnings | Where-Object { $_ -like "${Id}: *" } })
            $flagged.Count | Should -BeGreaterThan 0
            @($warnings | Where-Object { "$_" -like "*: ${Id}: *" }).Count | Should -BeGreaterThan 0
            if ($Mx) {
                $hostName = $Bed.smtp.$Mx.hostName
                @($flagged.Warnings | Where-Object { $_ -like "${Id}: *" -and $_.Contains($hostName) }).Count | Should -BeGreaterThan 0
            }
            if ([TlsTools.Connectors.ConnectorRules]::Find($Id).Blocks) { @($flagged | Where-Object { -not $_.ReadyToApply }).Count | Should -BeGreaterThan 0 }
        }

        It 'finds nothing to warn about in the measured summary of good.bed.test' {
            if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
            $specs = @($LiveSummary['good.bed.test'] | New-ForcedTlsConnectorSpec -WarningVariable warnings -WarningAction SilentlyContinue)
            $specs.ReadyToApply -join ',' | Should -Be 'True,True'
            $warnings | Should -BeNullOrEmpty
            $specs.Warnings | Should -BeNullOrEmpty
        }

        It 'stops with the DNS error id for a domain that does not exist' {
            if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
            Get-RuleErrorId { New-ForcedTlsConnectorSpec -PartnerDomain nosuchdomain.bed.test @Probe } | Should -Be 'DomainNotFound'
        }
    }

    Context 'Command surface' {
        It 'completes <Parameter> values' -ForEach @(
            @{ Parameter = 'Platform'; Expected = @('ExchangeOnline', 'ExchangeServer') }
            @{ Parameter = 'Direction'; Expected = @('Inbound', 'Outbound', 'Both') }
            @{ Parameter = 'ConnectorType'; Expected = @('Partner', 'OnPremises') }
            @{ Parameter = 'TlsSettings'; Expected = @('EncryptionOnly', 'CertificateValidation', 'DomainValidation') }
        ) {
            $line = "New-ForcedTlsConnectorSpec -$Parameter "
            $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $Expected | ForEach-Object { $names | Should -Contain $_ }
        }

        It 'refuses -Probe options without -Probe' {
            Get-RuleErrorId { New-ForcedTlsConnectorSpec -PartnerDomain partner.example -DnsServer 127.0.0.1 } | Should -Be 'ParameterNotApplicable'
        }

        It 'formats as a table that fits 120 columns' {
            $lines = $Measured.Good | New-ForcedTlsConnectorSpec | Format-Table | Out-String -Width 120 -Stream
            $lines | Where-Object { $_ -match 'New-OutboundConnector' } | Should -Not -BeNullOrEmpty
            $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        }
    }
}
