# Test-MailTls -IncludePolicy against the loopback test bed: the MTA-STS and DANE facts of each
# result, held against the chain each address presented, through the bed's validating resolver.

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
        $script:Results = @(Test-MailTls -DomainName dane.bed.test, daneta.bed.test, stsmismatch.bed.test, partner.bed.test -IncludePolicy @Common)
    }

    function Skip-WithoutResolver {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        if ($NoResolver) { Set-ItResult -Skipped -Because 'the test bed runs without its validating resolver (install unbound with tests/bed/install-deps.sh)'; return $true }
        $false
    }

    function Get-Result($Domain, $MxHost) {
        $Results | Where-Object { $_.Domain -eq $Domain -and $_.MxHost -eq $MxHost -and $_.IPAddress -notmatch ':' }
    }
}

Describe 'Test-MailTls -IncludePolicy' {
    It 'matches DANE-EE on the good host and reports the mismatch of badtlsa in Notes' {
        if (Skip-WithoutResolver) { return }
        $good = Get-Result dane.bed.test good.mx.bed.test
        $good.DaneTlsaPresent | Should -BeTrue
        $good.DaneAuthenticated | Should -BeTrue
        $good.DaneMatch | Should -BeTrue
        $bad = Get-Result dane.bed.test badtlsa.mx.bed.test
        $bad.DaneAuthenticated | Should -BeTrue
        $bad.DaneMatch | Should -BeFalse
        ($bad.Notes -join ' ') | Should -Match 'no TLSA record of _\d+\._tcp\.badtlsa\.mx\.bed\.test matches'
    }

    It 'matches DANE-TA on legacy and not on badta or wrongname' {
        if (Skip-WithoutResolver) { return }
        (Get-Result daneta.bed.test legacy.mx.bed.test).DaneMatch | Should -BeTrue
        (Get-Result daneta.bed.test badta.mx.bed.test).DaneMatch | Should -BeFalse
        $wrong = Get-Result daneta.bed.test wrongname.mx.bed.test
        $wrong.DaneMatch | Should -BeFalse
        ($wrong.Notes -join ' ') | Should -Match 'RFC 7672 section 3.2.3'
    }

    It 'reports the MTA-STS mode and an MX the enforce policy does not cover' {
        if (Skip-WithoutResolver) { return }
        $r = Get-Result stsmismatch.bed.test good.mx.bed.test
        $r.MtaStsMode | Should -Be 'Enforce'
        $r.MtaStsMxMatch | Should -BeFalse
        ($r.Notes -join ' ') | Should -Match 'does not cover good.mx.bed.test'
        $p = Get-Result partner.bed.test good.mx.bed.test
        $p.MtaStsMode | Should -Be 'Testing'
        $p.MtaStsMxMatch | Should -BeTrue
    }

    It 'does not call TLSA records of an insecure domain authenticated' {
        if (Skip-WithoutResolver) { return }
        $r = Get-Result partner.bed.test good.mx.bed.test
        $r.DaneTlsaPresent | Should -BeTrue
        $r.DaneAuthenticated | Should -BeFalse
        $r.DaneMatch | Should -BeTrue
    }

    It 'leaves the policy properties empty without the switch' {
        if (Skip-WithoutResolver) { return }
        $r = Test-MailTls -DomainName dane.bed.test @Common | Select-Object -First 1
        $r.DaneMatch | Should -BeNullOrEmpty
        $r.DaneTlsaPresent | Should -BeNullOrEmpty
        $r.MtaStsMode | Should -BeNullOrEmpty
    }
}
