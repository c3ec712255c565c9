# Get-MailTlsPolicy against the loopback test bed: MTA-STS policies in every mode and with every
# fetch failure the bed serves, TLSA records that match and do not for usages 3 and 2, and DNSSEC
# facts from the bed's validating resolver (Unbound) and from the authoritative server (no AD).

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:NoResolver = $NoBed -or $null -eq $Bed.resolver
    if (-not $NoResolver) {
        $script:Common = @{
            DnsServer              = '{0}:{1}' -f $Bed.resolver.address, $Bed.resolver.port
            Port                   = $Bed.smtpPort
            TrustedRootCertificate = $Bed.ca.rootCert
            TimeoutSeconds         = 10
        }
        $domains = 'good.bed.test', 'partner.bed.test', 'stsnone.bed.test', 'stsmismatch.bed.test', 'stsfail.bed.test',
            'stsredirect.bed.test', 'stsbadcert.bed.test', 'stsbig.bed.test', 'dane.bed.test', 'daneta.bed.test', 'bogus.bed.test'
        $script:Policies = @{}
        Get-MailTlsPolicy -DomainName $domains @Common | ForEach-Object { $Policies[$_.Domain] = $_ }
    }

    function Skip-WithoutResolver {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        if ($NoResolver) { Set-ItResult -Skipped -Because 'the test bed runs without its validating resolver (install unbound with tests/bed/install-deps.sh)'; return $true }
        $false
    }

    function Get-PolicyHost($Policy, $Name) { $Policy.Hosts | Where-Object MxHost -eq $Name }
}

Describe 'Get-MailTlsPolicy: MTA-STS' {
    It 'reads an enforce policy that covers the MX, with TLS-RPT' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['good.bed.test']
        $p | Should -BeOfType ([TlsTools.MailTlsPolicy])
        $p.MtaStsId | Should -Be $Bed.https.mtaSts.'good.bed.test'.id
        $p.MtaStsMode | Should -Be 'Enforce'
        $p.MtaStsMaxAge | Should -Be 604800
        @($p.MtaStsMx) | Should -Be @('good.mx.bed.test')
        $p.MtaStsMxMatch | Should -BeTrue
        $p.MtaStsPolicyText | Should -Be $Bed.https.mtaSts.'good.bed.test'.policy
        $p.MtaStsPolicyUrl | Should -Be 'https://mta-sts.good.bed.test/.well-known/mta-sts.txt'
        @($p.TlsRptRua) | Should -Be @('mailto:tlsrpt@good.bed.test')
        (Get-PolicyHost $p 'good.mx.bed.test').MtaStsCertificateValid | Should -BeTrue
        $p.Verdict | Should -Be 'Pass'
    }

    It 'reads a testing policy and reports the MX hosts that break its TLS rules as warnings' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['partner.bed.test']
        $p.MtaStsMode | Should -Be 'Testing'
        $p.MtaStsMxMatch | Should -BeTrue
        (Get-PolicyHost $p 'good.mx.bed.test').MtaStsCertificateValid | Should -BeTrue
        $expired = Get-PolicyHost $p 'expired.mx.bed.test'
        $expired.MtaStsCertificateValid | Should -BeFalse
        $expired.Addresses[0].MtaStsDetail | Should -Match 'NotTimeValid'
        (Get-PolicyHost $p 'nostarttls.mx.bed.test').Addresses[0].MtaStsDetail | Should -Match 'does not offer STARTTLS'
        $p.Verdict | Should -Be 'Warning'
    }

    It 'reads mode none as a withdrawn policy' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['stsnone.bed.test']
        $p.MtaStsMode | Should -Be 'None'
        $p.MtaStsMxMatch | Should -BeNullOrEmpty
        $p.Verdict | Should -Be 'NoPolicy'
    }

    It 'fails an enforce policy that does not cover the MX' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['stsmismatch.bed.test']
        $p.MtaStsMode | Should -Be 'Enforce'
        $p.MtaStsMxMatch | Should -BeFalse
        (Get-PolicyHost $p 'good.mx.bed.test').MtaStsCovered | Should -BeFalse
        $p.Verdict | Should -Be 'Fail'
        $p.Reasons[0] | Should -Match 'does not cover the MX host good.mx.bed.test'
    }

    It 'names each failed fetch with its own id: <Domain> -> <Id>' -ForEach @(
        @{ Domain = 'stsfail.bed.test'; Id = 'MtaStsPolicyHttpStatus'; Text = '404' }
        @{ Domain = 'stsredirect.bed.test'; Id = 'MtaStsPolicyRedirect'; Text = 'forbids following redirects' }
        @{ Domain = 'stsbadcert.bed.test'; Id = 'MtaStsPolicyCertificateInvalid'; Text = 'not-this-host.bed.test' }
        @{ Domain = 'stsbig.bed.test'; Id = 'MtaStsPolicyTooLarge'; Text = '65536' }
    ) {
        if (Skip-WithoutResolver) { return }
        $p = $Policies[$Domain]
        $p.MtaStsErrorId | Should -Be $Id
        $p.MtaStsError | Should -Match ([regex]::Escape($Text))
        $p.MtaStsRecord | Should -Not -BeNullOrEmpty
        $p.MtaStsMode | Should -BeNullOrEmpty
        $p.Verdict | Should -Be 'Warning'
    }

    It 'validates the policy host against -TrustedRootCertificate (without it the bed CA is unknown)' {
        if (Skip-WithoutResolver) { return }
        $c = $Common.Clone()
        $c.Remove('TrustedRootCertificate')
        $p = Get-MailTlsPolicy -DomainName good.bed.test @c
        $p.MtaStsErrorId | Should -Be 'MtaStsPolicyCertificateInvalid'
    }
}

Describe 'Get-MailTlsPolicy: DANE' {
    It 'matches a DANE-EE (3 1 1) record and fails the host whose record pins another key' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['dane.bed.test']
        $p.MxAuthenticated | Should -BeTrue
        $good = Get-PolicyHost $p 'good.mx.bed.test'
        $good.TlsaAuthenticated | Should -BeTrue
        $good.AddressesAuthenticated | Should -BeTrue
        $good.DaneApplies | Should -BeTrue
        $good.DaneMatch | Should -BeTrue
        $good.Addresses | ForEach-Object { $_.CertificateThumbprint | Should -Be $Bed.smtp.good.leafThumbprint }
        $bad = Get-PolicyHost $p 'badtlsa.mx.bed.test'
        $bad.DaneMatch | Should -BeFalse
        $p.Verdict | Should -Be 'Fail'
        ($p.Reasons -join "`n") | Should -Match 'badtlsa.mx.bed.test'
    }

    It 'matches a DANE-TA (2 1 1) record on the intermediate and fails an absent anchor and a wrong leaf name' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['daneta.bed.test']
        $legacy = Get-PolicyHost $p 'legacy.mx.bed.test'
        $legacy.DaneMatch | Should -BeTrue
        $legacy.Addresses[0].DaneMatchedRecord | Should -Match "^2 1 1 $($Bed.ca.intermediateSpkiSha256)$"
        $badta = Get-PolicyHost $p 'badta.mx.bed.test'
        $badta.DaneMatch | Should -BeFalse
        $badta.Addresses[0].DaneDetail | Should -Match 'pinned trust anchor'
        $wrong = Get-PolicyHost $p 'wrongname.mx.bed.test'
        $wrong.DaneMatch | Should -BeFalse
        $wrong.Addresses[0].DaneDetail | Should -Match 'not-this-host.bed.test'
        $p.Verdict | Should -Be 'Fail'
    }

    It 'tells an insecure zone: TLSA present, MX not authenticated, DANE does not apply' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['partner.bed.test']
        $p.MxAuthenticated | Should -BeFalse
        $p.DaneApplies | Should -BeFalse
        $good = Get-PolicyHost $p 'good.mx.bed.test'
        $good.TlsaPresent | Should -BeTrue
        $good.DaneApplies | Should -BeFalse
        $good.DaneMatch | Should -BeTrue
    }

    It 'fails a bogus zone (SERVFAIL from the validating resolver)' {
        if (Skip-WithoutResolver) { return }
        $p = $Policies['bogus.bed.test']
        $p.Verdict | Should -Be 'Fail'
        $p.ErrorId | Should -Be 'DnsServerFailure'
        $p.MxAuthenticated | Should -BeNullOrEmpty
    }

    It 'reads nothing as authenticated from a server that does not validate (the authoritative server)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $c = @{ DnsServer = Get-BedDnsServer $Bed; Port = $Bed.smtpPort; TrustedRootCertificate = $Bed.ca.rootCert; TimeoutSeconds = 10 }
        $p = Get-MailTlsPolicy -DomainName dane.bed.test @c
        $p.MxAuthenticated | Should -BeFalse
        $p.DaneApplies | Should -BeFalse
        (Get-PolicyHost $p 'good.mx.bed.test').TlsaAuthenticated | Should -BeFalse
        (Get-PolicyHost $p 'badtlsa.mx.bed.test').DaneMatch | Should -BeFalse
        $p.Verdict | Should -Be 'Warning'
        $p.DnssecSource | Should -Match ([regex]::Escape($c.DnsServer))
    }
}

Describe 'Get-MailTlsPolicy: input and errors' {
    It 'writes DomainNotFound for a name that does not exist, and still answers for the others' {
        if (Skip-WithoutResolver) { return }
        $out = Get-MailTlsPolicy -DomainName missing.bed.test, good.bed.test @Common -ErrorVariable errs -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'DomainNotFound,*'
        $errs[0].TargetObject | Should -Be 'missing.bed.test'
    }

    It 'takes domains from the pipeline by property name' {
        if (Skip-WithoutResolver) { return }
        $out = [pscustomobject]@{ Domain = 'stsnone.bed.test' } | Get-MailTlsPolicy @Common
        $out.Domain | Should -Be 'stsnone.bed.test'
    }

    It 'refuses a malformed -DnsServer' {
        { Get-MailTlsPolicy -DomainName example.com -DnsServer 'not a server' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDnsServer*'
    }
}
