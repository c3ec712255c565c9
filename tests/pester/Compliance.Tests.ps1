# The compliance kit shipped in the module (Compliance/Partners.Tests.ps1 with its data file), run
# from the built module folder in a fresh, non-interactive pwsh against the loopback test bed: it
# passes for a partner that meets every rule and fails, test by test, for partners that break one.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:KitPath = Join-Path $script:ModulePath 'Compliance/Partners.Tests.ps1'
    $script:PesterManifest = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
    $script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

    function Skip-WithoutBed {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        $false
    }

    function New-BedDataFile {
        <# A data file in the kit's format that names bed domains and the bed's DNS server, CA and proxy. #>
        param([string[]] $Partners, [string] $Name)
        $path = Join-Path $TestDrive "$Name.psd1"
        $list = ($Partners | ForEach-Object { "'$_'" }) -join ', '
        @"
@{
    Partners               = @($list)
    MinimumDaysValid       = 30
    Proxy                  = '$($Bed.proxy.url)'
    DnsServer              = '$(Get-BedDnsServer $Bed)'
    Port                   = $($Bed.smtpPort)
    TrustedRootCertificate = @('$($Bed.ca.rootCert)')
    IgnoreSystemTrustStore = `$true
    TimeoutSeconds         = 10
}
"@ | Set-Content -Path $path -Encoding utf8
        $path
    }

    function Invoke-Kit {
        <#
        Runs the shipped kit with a data file in a child pwsh (-NonInteractive, as a runbook runs it)
        and returns one object per test: Domain, Name, Result, Message.
        #>
        param([string] $DataFile)
        $out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.json')
        $runner = Join-Path $TestDrive 'run-kit.ps1'
        @'
param($PesterManifest, $ModuleManifest, $Kit, $DataFile, $Out)
$ErrorActionPreference = 'Stop'
Import-Module $PesterManifest
Import-Module $ModuleManifest
$c = New-PesterConfiguration
$c.Run.Container = New-PesterContainer -Path $Kit -Data @{ DataFile = $DataFile }
$c.Run.PassThru = $true
$c.Output.Verbosity = 'None'
$r = Invoke-Pester -Configuration $c
@($r.Tests | ForEach-Object {
        [pscustomobject]@{ Domain = $_.Block.Data.Domain; Name = $_.Name; Result = "$($_.Result)"; Message = "$($_.ErrorRecord)" }
    }) | ConvertTo-Json -Depth 3 | Set-Content -Path $Out
if ($r.Result -ne 'Passed') { exit 1 }
'@ | Set-Content -Path $runner
        $log = & $Pwsh -NoProfile -NonInteractive -File $runner -PesterManifest $PesterManifest `
            -ModuleManifest (Join-Path $ModulePath 'TlsTools.psd1') -Kit $KitPath -DataFile $DataFile -Out $out 2>&1
        $script:KitExitCode = $LASTEXITCODE
        if (-not (Test-Path $out)) { throw "The kit wrote no results: $($log -join "`n")" }
        @(Get-Content $out -Raw | ConvertFrom-Json)
    }
}

Describe 'The compliance kit in the module' {
    It 'is shipped in the built module with its data file' {
        $KitPath | Should -Exist
        Join-Path $ModulePath 'Compliance/Partners.psd1' | Should -Exist
        $data = Import-PowerShellDataFile (Join-Path $ModulePath 'Compliance/Partners.psd1')
        @($data.Partners).Count | Should -BeGreaterThan 0
        $data.MinimumDaysValid | Should -Be 30
    }
}

Describe 'The compliance kit against the test bed' {
    BeforeAll {
        if (-not $NoBed) {
            $script:Good = Invoke-Kit (New-BedDataFile -Partners 'good.bed.test' -Name 'good')
            $script:GoodExit = $KitExitCode
            $script:Bad = Invoke-Kit (New-BedDataFile -Partners 'oldtls.bed.test', 'partner.bed.test', 'crlunreachable.bed.test' -Name 'bad')
            $script:BadExit = $KitExitCode
        }
    }

    It 'passes every rule for a partner that meets them all' {
        if (Skip-WithoutBed) { return }
        $Good.Count | Should -Be 5
        foreach ($t in $Good) { $t.Result | Should -Be 'Passed' -Because "$($t.Domain): $($t.Name): $($t.Message)" }
        $GoodExit | Should -Be 0
    }

    It 'fails the run when a partner breaks a rule' {
        if (Skip-WithoutBed) { return }
        $Bad.Count | Should -Be 15
        $BadExit | Should -Not -Be 0
    }

    It 'fails <Rule> for <Domain> and says why' -ForEach @(
        @{ Domain = 'oldtls.bed.test'; Rule = 'has no MX address that accepts TLS 1.0'; Why = 'accepts Tls10' }
        @{ Domain = 'oldtls.bed.test'; Rule = 'has MX hosts ready for a DomainValidation connector'; Why = 'DomainValidation' }
        @{ Domain = 'partner.bed.test'; Rule = 'gets mail from Exchange Online over TLS without a connector (DefaultDelivery Tls)'; Why = 'ClearTextPossible' }
        @{ Domain = 'partner.bed.test'; Rule = 'presents certificates valid for the required number of days'; Why = 'expired\.mx\.bed\.test' }
        @{ Domain = 'crlunreachable.bed.test'; Rule = 'has CRL and OCSP endpoints reachable through the proxy'; Why = 'intermediate\.crl' }
    ) {
        if (Skip-WithoutBed) { return }
        $t = @($Bad | Where-Object { $_.Domain -eq $Domain -and $_.Name -eq $Rule })
        $t.Count | Should -Be 1
        $t[0].Result | Should -Be 'Failed'
        $t[0].Message | Should -Match $Why
    }

    It 'passes <Rule> for <Domain>' -ForEach @(
        @{ Domain = 'oldtls.bed.test'; Rule = 'has CRL and OCSP endpoints reachable through the proxy' }
        @{ Domain = 'crlunreachable.bed.test'; Rule = 'has no MX address that accepts TLS 1.0' }
        @{ Domain = 'crlunreachable.bed.test'; Rule = 'presents certificates valid for the required number of days' }
    ) {
        if (Skip-WithoutBed) { return }
        $t = @($Bad | Where-Object { $_.Domain -eq $Domain -and $_.Name -eq $Rule })
        $t.Count | Should -Be 1
        $t[0].Result | Should -Be 'Passed' -Because $t[0].Message
    }

    It 'asked for the CRLs through the proxy' {
        if (Skip-WithoutBed) { return }
        Get-Content $Bed.proxy.log | Where-Object { $_ -match 'intermediate\.crl' } | Should -Not -BeNullOrEmpty
    }
}
