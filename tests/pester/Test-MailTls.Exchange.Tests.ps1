# Test-MailTls -Summary judged the way Exchange Online decides: one TlsDomain for all MX hosts of
# a connector (TlsDomainCandidates), and, with no connector, the partner's DANE records and
# MTA-STS policy under Exchange Online's default Opportunistic modes (DefaultDelivery). Against the
# loopback test bed, through its validating resolver (DANE needs the AD flag).

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:NoResolver = $NoBed -or $null -eq $Bed.resolver
    if (-not $NoBed) {
        $script:Common = @{
            Port                   = $Bed.smtpPort
            TrustedRootCertificate = $Bed.ca.rootCert
            IgnoreSystemTrustStore = $true
            TimeoutSeconds         = 10
            AddressFamily          = 'IPv4'
        }
        $script:Knot = Get-BedDnsServer $Bed
        $script:Summaries = @{}
        Test-MailTls -DomainName partner.bed.test, splitmx.bed.test, nocommon.bed.test, oldtls.bed.test, nullmx.bed.test, good.bed.test -Summary -DnsServer $Knot @Common |
            ForEach-Object { $Summaries[$_.Domain] = $_ }
    }
    if (-not $NoResolver) {
        $script:Resolver = '{0}:{1}' -f $Bed.resolver.address, $Bed.resolver.port
        $script:Validated = @{}
        Test-MailTls -DomainName good.bed.test, dane.bed.test, danefail.bed.test, stsmismatch.bed.test, partner.bed.test -Summary -DnsServer $Resolver @Common |
            ForEach-Object { $Validated[$_.Domain] = $_ }
    }

    function Skip-WithoutBed {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        $false
    }

    function Skip-WithoutResolver {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        if ($NoResolver) { Set-ItResult -Skipped -Because 'the test bed runs without its validating resolver (install unbound with tests/bed/install-deps.sh)'; return $true }
        $false
    }
}

Describe 'One TlsDomain per connector (TlsDomainCandidates)' {
    It 'offers *.mx.bed.test for two MX hosts whose certificates share no name but a parent' {
        if (Skip-WithoutBed) { return }
        $s = $Summaries['splitmx.bed.test']
        $s.MxHosts | Should -Be @('good.mx.bed.test', 'ipsan.mx.bed.test')
        @($Bed.smtp.good.certNames) | Where-Object { $_ -in @($Bed.smtp.ipsan.certNames) } | Should -BeNullOrEmpty
        $s.TlsDomainCandidates | Should -Be @('*.mx.bed.test')
        $s.LowestExchangeTlsLevel | Should -Be 'DomainValidation'
        $s.Verdict | Should -Be 'Pass' -Because ($s.Reasons -join '; ')
    }

    It 'finds no TlsDomain for two MX hosts whose certificates share nothing but bed.test, and names the host that breaks it' {
        if (Skip-WithoutBed) { return }
        $s = $Summaries['nocommon.bed.test']
        @($s.Results | ForEach-Object ExchangeTlsLevel | Select-Object -Unique) | Should -Be @('DomainValidation')
        $s.TlsDomainCandidates | Should -BeNullOrEmpty
        $s.LowestExchangeTlsLevel | Should -Be 'CertificateValidation'
        $s.Verdict | Should -Be 'Warning'
        $s.Reasons | Where-Object { $_ -like 'No one TlsDomain fits every MX certificate: not-this-host.bed.test presents not-this-host.bed.test*' } | Should -Not -BeNullOrEmpty
    }

    It 'lets New-ForcedTlsConnectorSpec take its TlsDomain from the candidates' {
        if (Skip-WithoutBed) { return }
        $spec = $Summaries['splitmx.bed.test'] | New-ForcedTlsConnectorSpec -Direction Outbound -WarningVariable w -WarningAction SilentlyContinue
        $spec.Parameters.TlsDomain | Should -Be '*.mx.bed.test'
        $spec.ReadyToApply | Should -BeTrue
        $w | Should -BeNullOrEmpty
        $spec.Evidence | Where-Object { $_.Contains('The only TlsDomain candidate.') } | Should -Not -BeNullOrEmpty

        $none = $Summaries['nocommon.bed.test'] | New-ForcedTlsConnectorSpec -Direction Outbound -WarningAction SilentlyContinue
        $none.ReadyToApply | Should -BeFalse
        $none.Warnings | Where-Object { $_ -like 'CertificateNameMismatch:*' } | Should -Not -BeNullOrEmpty
        $none.Evidence | Where-Object { $_.Contains('No TlsDomain candidate') } | Should -Not -BeNullOrEmpty
    }
}

Describe 'What Exchange Online does without a connector (DefaultDelivery)' {
    It 'is Tls for a domain whose MX hosts all speak TLS 1.2 or later' {
        if (Skip-WithoutBed) { return }
        $Summaries['good.bed.test'].DefaultDelivery | Should -Be 'Tls'
        $Summaries['splitmx.bed.test'].DefaultDelivery | Should -Be 'Tls'
    }

    It 'is ClearTextPossible when an MX host does not offer STARTTLS' {
        if (Skip-WithoutBed) { return }
        $s = $Summaries['partner.bed.test']
        $s.DefaultDelivery | Should -Be 'ClearTextPossible'
        $s.Verdict | Should -Be 'Fail'
        ($s.DeliveryHosts | Where-Object MxHost -eq 'nostarttls.mx.bed.test').Delivery | Should -Be 'ClearText'
        $s.Reasons | Where-Object { $_ -like 'DefaultDelivery ClearTextPossible:*nostarttls.mx.bed.test*' } | Should -Not -BeNullOrEmpty
    }

    It 'is ClearTextPossible when the only MX host speaks nothing newer than TLS 1.0' {
        if (Skip-WithoutBed) { return }
        $s = $Summaries['oldtls.bed.test']
        $s.AllTls | Should -BeTrue
        $s.DefaultDelivery | Should -Be 'ClearTextPossible'
    }

    It 'is NoMail for a null MX' {
        if (Skip-WithoutBed) { return }
        $Summaries['nullmx.bed.test'].DefaultDelivery | Should -Be 'NoMail'
    }

    It 'reads the policy with -Summary alone: the MTA-STS mode of good.bed.test' {
        if (Skip-WithoutBed) { return }
        $s = $Summaries['good.bed.test']
        $s.MtaStsMode | Should -Be 'Enforce'
        $s.DaneApplies | Should -BeFalse -Because 'the bed DNS server itself does not validate, so nothing is DNSSEC-authenticated'
        $s.PolicyVerdict | Should -Not -BeNullOrEmpty
    }

    It 'is Tls through a matching authenticated TLSA set (good.bed.test)' {
        if (Skip-WithoutResolver) { return }
        $s = $Validated['good.bed.test']
        $s.DaneApplies | Should -BeTrue
        $s.DefaultDelivery | Should -Be 'Tls'
        $h = $s.DeliveryHosts | Where-Object MxHost -eq 'good.mx.bed.test'
        $h.DaneApplies | Should -BeTrue
        $h.DaneMatch | Should -BeTrue
        $s.Verdict | Should -Be 'Pass' -Because ($s.Reasons -join '; ')
    }

    It 'is Blocked when the only MX host has an authenticated TLSA set that matches nothing (danefail.bed.test)' {
        if (Skip-WithoutResolver) { return }
        $s = $Validated['danefail.bed.test']
        $s.DefaultDelivery | Should -Be 'Blocked'
        $s.Verdict | Should -Be 'Fail'
        $h = $s.DeliveryHosts | Where-Object MxHost -eq 'badtlsa.mx.bed.test'
        $h.Delivery | Should -Be 'Refused'
        $h.RefusedBy | Should -Be 'DANE'
        $s.Reasons | Where-Object { $_ -like 'DefaultDelivery Blocked:*DANE/TLSA*' } | Should -Not -BeNullOrEmpty
    }

    It 'is Tls with a warning when one of two MX hosts mismatches its TLSA set (dane.bed.test)' {
        if (Skip-WithoutResolver) { return }
        $s = $Validated['dane.bed.test']
        $s.DefaultDelivery | Should -Be 'Tls'
        ($s.DeliveryHosts | Where-Object MxHost -eq 'badtlsa.mx.bed.test').Delivery | Should -Be 'Refused'
        $s.Reasons | Where-Object { $_ -like 'badtlsa.mx.bed.test: Exchange Online does not deliver to it by default*' } | Should -Not -BeNullOrEmpty
        $s.Verdict | Should -Be 'Warning'
    }

    It 'is Blocked when an enforce-mode MTA-STS policy covers no MX host (stsmismatch.bed.test)' {
        if (Skip-WithoutResolver) { return }
        $s = $Validated['stsmismatch.bed.test']
        $s.MtaStsMode | Should -Be 'Enforce'
        $s.DefaultDelivery | Should -Be 'Blocked'
        ($s.DeliveryHosts | Where-Object MxHost -eq 'good.mx.bed.test').RefusedBy | Should -Be 'MTA-STS'
        $s.Reasons | Where-Object { $_ -like 'DefaultDelivery Blocked:*MTA-STS*' } | Should -Not -BeNullOrEmpty
    }

    It 'does not apply TLSA records of an insecure domain (partner.bed.test)' {
        if (Skip-WithoutResolver) { return }
        $s = $Validated['partner.bed.test']
        $s.DaneApplies | Should -BeFalse
        $s.DefaultDelivery | Should -Be 'ClearTextPossible'
    }

    It 'writes flat CSV for the new columns' {
        if (Skip-WithoutResolver) { return }
        $row = $Validated['dane.bed.test'] | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv
        $row.DefaultDelivery | Should -Be 'Tls'
        $row.TlsDomainCandidates | Should -Be 'good.mx.bed.test, *.mx.bed.test'
        $row.DeliveryHosts | Should -Be 'good.mx.bed.test: Tls; badtlsa.mx.bed.test: Refused'
    }

    It 'asserts DefaultDelivery in a compliance check, as the README shows' {
        if (Skip-WithoutResolver) { return }
        $s = Test-MailTls -DomainName good.bed.test -Summary -DnsServer $Resolver @Common
        $s.DefaultDelivery | Should -Be 'Tls' -Because ($s.Reasons -join '; ')
        $s.Verdict | Should -Be 'Pass' -Because ($s.Reasons -join '; ')
    }
}

Describe 'Connector specs carry the modes (New-ForcedTlsConnectorSpec -Probe)' {
    It 'chooses SmtpDaneMode Mandatory for good.bed.test, whose only MX matches its authenticated TLSA records' {
        if (Skip-WithoutResolver) { return }
        $spec = New-ForcedTlsConnectorSpec -PartnerDomain good.bed.test -Direction Outbound -Probe -DnsServer $Resolver -Port $Bed.smtpPort -TrustedRootCertificate $Bed.ca.rootCert -TimeoutSeconds 10 -WarningVariable w -WarningAction SilentlyContinue
        $spec.Parameters.SmtpDaneMode | Should -Be 'Mandatory'
        $spec.Parameters.MtaStsMode | Should -Be 'Opportunistic'
        $spec.Evidence | Where-Object { $_ -like "SmtpDaneMode 'Mandatory': DANE applies to every MX host*" } | Should -Not -BeNullOrEmpty
        $spec.ReadyToApply | Should -BeTrue
    }

    It 'keeps Opportunistic and warns, naming DANE/TLSA, for danefail.bed.test' {
        if (Skip-WithoutResolver) { return }
        $spec = New-ForcedTlsConnectorSpec -PartnerDomain danefail.bed.test -Direction Outbound -TlsSettings CertificateValidation -Probe -DnsServer $Resolver -Port $Bed.smtpPort -TrustedRootCertificate $Bed.ca.rootCert -TimeoutSeconds 10 -WarningVariable w -WarningAction SilentlyContinue
        $spec.Parameters.SmtpDaneMode | Should -Be 'Opportunistic'
        $spec.ReadyToApply | Should -BeFalse
        ($w -join "`n") | Should -Match 'PartnerPolicyBlocksDelivery: badtlsa\.mx\.bed\.test: .*DANE/TLSA'
    }

    It 'warns, naming MTA-STS, for stsmismatch.bed.test' {
        if (Skip-WithoutResolver) { return }
        $spec = $Validated['stsmismatch.bed.test'] | New-ForcedTlsConnectorSpec -Direction Outbound -WarningVariable w -WarningAction SilentlyContinue
        $spec.Parameters.MtaStsMode | Should -Be 'Opportunistic'
        $spec.ReadyToApply | Should -BeFalse
        ($w -join "`n") | Should -Match 'PartnerPolicyBlocksDelivery: good\.mx\.bed\.test: .*MTA-STS'
    }

    It 'warns that Mandatory would queue and drop mail for a partner without DANE' {
        if (Skip-WithoutBed) { return }
        $spec = $Summaries['splitmx.bed.test'] | New-ForcedTlsConnectorSpec -Direction Outbound -AdditionalParameter @{ SmtpDaneMode = 'Mandatory' } -WarningVariable w -WarningAction SilentlyContinue
        $spec.Parameters.SmtpDaneMode | Should -Be 'Mandatory'
        $spec.ReadyToApply | Should -BeFalse
        ($w -join "`n") | Should -Match 'SmtpDaneModeMandatoryWithoutDane: SmtpDaneMode Mandatory: DANE/TLSA does not cover good\.mx\.bed\.test, ipsan\.mx\.bed\.test'
    }
}
