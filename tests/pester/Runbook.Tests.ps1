# What a runbook or a scheduled task needs from the module: nothing prompts (-NonInteractive),
# -ErrorAction Stop ends the command at the first failed input with no further input probed, pwsh
# -File exits 0 on success and non-zero on a terminating error, and every output type survives
# ConvertTo-Json | ConvertFrom-Json and Export-Csv with every property (enums by name).

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:Manifest = Join-Path $ModulePath 'TlsTools.psd1'

    function Skip-WithoutBed {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        $false
    }

    function Invoke-Runbook {
        <# Runs a script with pwsh -NonInteractive -File, stdin closed; returns its output lines and sets $script:RunbookExit. #>
        param([string] $Script, [string[]] $Arguments = @())
        $file = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.ps1')
        Set-Content -Path $file -Value $Script
        $out = '' | & $Pwsh -NoProfile -NonInteractive -File $file @Arguments 2>&1
        $script:RunbookExit = $LASTEXITCODE
        @($out | ForEach-Object { "$_" })
    }

    function New-SilentListener {
        <# A loopback listener that accepts and never speaks; Accepted counts its connections. #>
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start()
        $l
    }

    function Get-AcceptedCount {
        param($Listener)
        $n = 0
        while ($Listener.Pending()) { $Listener.AcceptTcpClient().Dispose(); $n++ }
        $n
    }

    if (-not $NoBed) {
        $script:Dns = Get-BedDnsServer $Bed
        $script:Trust = @{ TrustedRootCertificate = $Bed.ca.rootCert; IgnoreSystemTrustStore = $true }
        $script:Closed = "127.0.0.1:$($Bed.closedPort)"
        $script:Good = '{0}:{1}' -f $Bed.smtp.good.address, $Bed.smtp.good.port
    }
}

Describe 'No prompts' {
    It 'no cmdlet asks for confirmation or input' {
        foreach ($c in Get-Command -Module TlsTools) {
            $attr = $c.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true)[0]
            "$($attr.ConfirmImpact)" | Should -Not -Be 'High' -Because "$($c.Name) would ask for confirmation"
        }
        $source = Get-ChildItem (Join-Path $RepoRoot 'src') -Recurse -Filter '*.cs' | Get-Content -Raw
        $source | Should -Not -Match '\b(ShouldContinue|PromptForChoice|PromptForCredential|ReadLine|ReadKey)\s*\(' -Because 'a runbook has nobody to answer'
    }

    It 'runs every cmdlet under pwsh -NonInteractive with stdin closed' {
        if (Skip-WithoutBed) { return }
        $out = Invoke-Runbook -Script @'
param($ModuleManifest, $Dns, $Port, $Root, $Good, $Proxy, $Message)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$s = Test-MailTls -DomainName good.bed.test -Summary -DnsServer $Dns -Port $Port -TrustedRootCertificate $Root -IgnoreSystemTrustStore
"summary=$($s.Verdict)"
$chain = Get-RemoteCertificate $Good -StartTls Smtp
"chain=$(@($chain).Count)"
"crl=$(@($chain | Test-CrlReachability -Proxy $Proxy).Count)"
"scan=$(@(Get-TlsCipherSuite $Good -StartTls Smtp -Summary).Count)"
"policy=$((Get-MailTlsPolicy -DomainName good.bed.test -DnsServer $Dns -Port $Port -TrustedRootCertificate $Root).Domain)"
"root=$(@(Test-TrustedRoot -Certificate ([System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Root))).Count)"
"spec=$(@($s | New-ForcedTlsConnectorSpec -Direction Outbound -WarningAction SilentlyContinue).Count)"
"path=$(@(Get-MailTlsPath -Path $Message).Count)"
'@ -Arguments @('-ModuleManifest', $Manifest, '-Dns', $Dns, '-Port', $Bed.smtpPort, '-Root', $Bed.ca.rootCert, '-Good', $Good, '-Proxy', $Bed.proxy.url,
            '-Message', (Join-Path $RepoRoot 'tests/TlsTools.Core.Tests/Fixtures/Headers/postfix-bed-path-tls.eml'))
        $RunbookExit | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'summary=Pass'
        ($out -join "`n") | Should -Not -Match 'NonInteractive mode'
        foreach ($key in 'chain', 'crl', 'scan', 'root', 'spec', 'path') {
            $line = $out | Where-Object { $_ -like "$key=*" }
            [int] ($line -replace '^.*=', '') | Should -BeGreaterThan 0 -Because "$key ($($out -join '; '))"
        }
        $out | Should -Contain 'policy=good.bed.test'
    }
}

Describe '-ErrorAction Stop ends at the first failed input' {
    It '<Name> stops at the failed input and probes none after it' -ForEach @(
        @{ Name = 'Get-RemoteCertificate'; Extra = @{ StartTls = 'Smtp' } }
        @{ Name = 'Test-MailTls'; Extra = @{} }
        @{ Name = 'Get-TlsCipherSuite'; Extra = @{ StartTls = 'Smtp' } }
    ) {
        if (Skip-WithoutBed) { return }
        $listeners = @(1..4 | ForEach-Object { New-SilentListener })
        try {
            $after = @($listeners | ForEach-Object { "127.0.0.1:$($_.LocalEndpoint.Port)" })
            $targets = @($Closed) + $after
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            { & $Name -ComputerName $targets -ThrottleLimit 16 -TimeoutSeconds 3 -ErrorAction Stop @Extra } | Should -Throw -ErrorId "ConnectFailed,*"
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 3
            Start-Sleep -Milliseconds 300
            ($listeners | ForEach-Object { Get-AcceptedCount $_ } | Measure-Object -Sum).Sum | Should -Be 0 -Because 'no input after the failed one may be probed'

            # The same inputs without -ErrorAction Stop: every one is tried, concurrently.
            $null = & $Name -ComputerName $targets -ThrottleLimit 16 -TimeoutSeconds 2 -ErrorAction SilentlyContinue -ErrorVariable errs @Extra
            @($errs).Count | Should -BeGreaterOrEqual 1
            foreach ($l in $listeners) { Get-AcceptedCount $l | Should -BeGreaterOrEqual 1 }
        }
        finally { $listeners | ForEach-Object { $_.Stop() } }
    }

    It 'still probes every input, in order, when none fails' {
        if (Skip-WithoutBed) { return }
        $r = @(Get-RemoteCertificate -ComputerName $Good, "$($Bed.smtp.legacy.address):$($Bed.smtp.legacy.port)", "$($Bed.smtp.ipsan.address):$($Bed.smtp.ipsan.port)" -StartTls Smtp -ErrorAction Stop |
                Where-Object ChainIndex -eq 0)
        @($r.CommonName) | Should -Be @('good.mx.bed.test', 'legacy.mx.bed.test', 'ipsan.mx.bed.test')
    }

    It 'Test-MailTls stops at a domain that does not resolve, before the next domain' {
        if (Skip-WithoutBed) { return }
        $out = @()
        { Test-MailTls -DomainName missing.bed.test, good.bed.test -DnsServer $Dns -Port $Bed.smtpPort -ErrorAction Stop @Trust | ForEach-Object { $script:out += $_ } } |
            Should -Throw -ErrorId 'DomainNotFound,*'
        $out | Should -BeNullOrEmpty
    }
}

Describe 'pwsh -File exit codes' {
    It 'exits 0 when the runbook succeeds' {
        if (Skip-WithoutBed) { return }
        $out = Invoke-Runbook -Script @'
param($ModuleManifest, $Good)
Import-Module $ModuleManifest
$null = Get-RemoteCertificate $Good -StartTls Smtp -ErrorAction Stop
'@ -Arguments @('-ModuleManifest', $Manifest, '-Good', $Good)
        $RunbookExit | Should -Be 0 -Because ($out -join "`n")
    }

    It 'exits non-zero on a terminating error (-ErrorAction Stop), and runs no further line' {
        if (Skip-WithoutBed) { return }
        $out = Invoke-Runbook -Script @'
param($ModuleManifest, $Closed)
Import-Module $ModuleManifest
$null = Get-RemoteCertificate $Closed -StartTls Smtp -ErrorAction Stop
'after the failure'
'@ -Arguments @('-ModuleManifest', $Manifest, '-Closed', $Closed)
        $RunbookExit | Should -Not -Be 0
        $out | Should -Not -Contain 'after the failure'
        ($out -join "`n") | Should -Match 'refused|ConnectFailed|connect'
    }

    It 'exits non-zero under $ErrorActionPreference = Stop' {
        if (Skip-WithoutBed) { return }
        $null = Invoke-Runbook -Script @'
param($ModuleManifest, $Closed)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
Test-MailTls -ComputerName $Closed
'@ -Arguments @('-ModuleManifest', $Manifest, '-Closed', $Closed)
        $RunbookExit | Should -Not -Be 0
    }

    It 'exits 0 when a failure is non-terminating (the error is written, the runbook goes on)' {
        if (Skip-WithoutBed) { return }
        $out = Invoke-Runbook -Script @'
param($ModuleManifest, $Closed)
Import-Module $ModuleManifest
Test-MailTls -ComputerName $Closed -ErrorAction SilentlyContinue -ErrorVariable e
"errors=$($e.Count)"
'@ -Arguments @('-ModuleManifest', $Manifest, '-Closed', $Closed)
        $RunbookExit | Should -Be 0
        $out | Should -Contain 'errors=1'
    }
}

Describe 'JSON and CSV export of every output type' {
    BeforeDiscovery {
        $types = @(
            'MailTlsResult', 'MailTlsDomainSummary', 'RemoteCertificate', 'CipherSuiteResult', 'CipherScanSummary',
            'RevocationEndpointResult', 'TrustedRootResult', 'ConnectorSpec', 'MailTlsPolicy', 'MailTlsHop', 'MailTlsPathSummary'
        ) | ForEach-Object { @{ Type = $_ } }
    }

    BeforeAll {
        $script:Samples = @{}
        if (-not $NoBed) {
            $summary = Test-MailTls -DomainName good.bed.test -Summary -DnsServer $Dns -Port $Bed.smtpPort @Trust
            $Samples.MailTlsDomainSummary = $summary
            $Samples.MailTlsResult = $summary.Results[0]
            $chain = @(Get-RemoteCertificate $Good -StartTls Smtp)
            $Samples.RemoteCertificate = $chain[0]
            $Samples.CipherSuiteResult = @(Get-TlsCipherSuite $Good -StartTls Smtp)[0]
            $Samples.CipherScanSummary = Get-TlsCipherSuite $Good -StartTls Smtp -Summary
            $Samples.RevocationEndpointResult = @($chain[0] | Test-CrlReachability -Proxy $Bed.proxy.url)[0]
            $Samples.TrustedRootResult = @(Test-TrustedRoot -Certificate ([System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Bed.ca.rootCert)))[0]
            $Samples.ConnectorSpec = @($summary | New-ForcedTlsConnectorSpec -Direction Outbound -WarningAction SilentlyContinue)[0]
            $Samples.MailTlsPolicy = Get-MailTlsPolicy -DomainName good.bed.test -DnsServer $Dns -Port $Bed.smtpPort -TrustedRootCertificate $Bed.ca.rootCert
            $eml = Join-Path $RepoRoot 'tests/TlsTools.Core.Tests/Fixtures/Headers/postfix-bed-path-tls.eml'
            $Samples.MailTlsHop = @(Get-MailTlsPath -Path $eml)[-1]
            $Samples.MailTlsPathSummary = Get-MailTlsPath -Path $eml -Summary
        }

        function Get-ReportProperty {
            <# The properties a report reads: every public property but the raw certificate object. #>
            param($Object)
            @($Object.PSObject.Properties | Where-Object { $_.MemberType -eq 'Property' -and $_.Name -ne 'Certificate' })
        }

        function ConvertTo-Comparable {
            <# How a scalar value should read after a round trip: enums by name, dates as UTC instants, time spans in ticks. #>
            param($Value)
            if ($null -eq $Value) { return $null }
            if ($Value -is [enum]) { return $Value.ToString() }
            if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o') }
            if ($Value -is [datetimeoffset]) { return $Value.UtcDateTime.ToString('o') }
            if ($Value -is [timespan]) { return $Value.Ticks }
            if ($Value -is [bool] -or $Value -is [string] -or $Value.GetType().IsPrimitive -or $Value -is [decimal]) { return $Value }
            $null
        }
    }

    It '<Type> round-trips through ConvertTo-Json | ConvertFrom-Json with every property, enums by name' -ForEach $types {
        if (Skip-WithoutBed) { return }
        $original = $Samples[$Type]
        $original | Should -Not -BeNullOrEmpty
        $original.GetType().Name | Should -Be $Type
        $json = $original | ConvertTo-Json -Depth 6
        $back = $json | ConvertFrom-Json
        $props = Get-ReportProperty $original
        $props.Count | Should -BeGreaterThan 0
        foreach ($p in $props) {
            $back.PSObject.Properties.Name | Should -Contain $p.Name
            $value = $p.Value
            if ($value -is [enum]) {
                # Written as the name, never as a number.
                $json | Should -Match ('"{0}":\s*"{1}"' -f [regex]::Escape($p.Name), [regex]::Escape($value.ToString()))
            }
            $expected = ConvertTo-Comparable $value
            if ($null -ne $expected) {
                $actual = $back.($p.Name)
                if ($value -is [timespan]) { $actual = $actual.Ticks }
                elseif ($value -is [datetime] -or $value -is [datetimeoffset]) { $actual = ([datetime] $actual).ToUniversalTime().ToString('o') }
                $actual | Should -Be $expected -Because "$Type.$($p.Name)"
            }
            elseif ($value -is [System.Collections.IEnumerable] -and $value -isnot [string]) {
                @($back.($p.Name)).Count | Should -Be @($value).Count -Because "$Type.$($p.Name) keeps every item"
                foreach ($item in @($value)) {
                    if ($item -is [enum]) { @($back.($p.Name)) | Should -Contain $item.ToString() }
                }
            }
        }
    }

    It '<Type> exports to CSV with every property, enums by name and lists readable' -ForEach $types {
        if (Skip-WithoutBed) { return }
        $original = $Samples[$Type]
        $row = @($original | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv)[0]
        foreach ($p in Get-ReportProperty $original) {
            $row.PSObject.Properties.Name | Should -Contain $p.Name
            $value = $p.Value
            $cell = $row.($p.Name)
            if ($value -is [enum]) { $cell | Should -Be $value.ToString() }
            elseif ($value -is [string] -or ($null -ne $value -and $value.GetType().IsPrimitive)) { $cell | Should -Be "$value" }
            elseif ($value -is [System.Collections.IEnumerable] -and $value -isnot [System.Collections.IDictionary] -and
                @($value | Where-Object { $_ -isnot [string] -and $_ -isnot [enum] -and -not $_.GetType().IsPrimitive }).Count -eq 0) {
                # A list of names or values reads as its items. (Lists of nested objects, such as
                # Suites, Hosts or Parameters, are for JSON; their rows have their own output.)
                $cell | Should -Not -Match '^System\.|`1\[' -Because "$Type.$($p.Name) must read as its items, not as a type name"
                foreach ($item in @($value)) { $cell.Contains("$item") | Should -BeTrue -Because "$Type.$($p.Name) lists $item" }
            }
        }
    }
}
