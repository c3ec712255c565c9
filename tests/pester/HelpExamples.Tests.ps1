# Every example in the help of every exported cmdlet runs as written against the loopback test bed.
# The public names of the examples (fabrikam.com, mx1.fabrikam.com, proxy.contoso.com, file paths,
# ...) are replaced by the bed's through HelpExamples.map.psd1; Exchange cmdlets, the clipboard and
# the Windows certificate store are stand-ins (ExchangeStandIns.ps1, HelpExampleStandIns.ps1).
# All examples run in one fresh, non-interactive pwsh, each in a working folder of its own; an
# example passes when it throws nothing and writes no error, and an example that is a Pester test
# runs under Invoke-Pester and must pass.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $examples = @(foreach ($name in (Get-Command -Module TlsTools | Sort-Object Name).Name) {
            $i = 0
            foreach ($e in @((Get-Help $name -Full).examples.example)) {
                $i++
                @{ Cmdlet = $name; Number = $i; Title = ("$($e.title)" -replace '^-+\s*|\s*-+$', '').Trim() }
            }
        })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:Results = @{}

    function Skip-WithoutBed {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        $false
    }

    if (-not $NoBed) {
        $work = Join-Path $TestDrive 'examples'
        New-Item -ItemType Directory -Force $work | Out-Null
        $out = Join-Path $TestDrive 'examples.json'
        $runner = @'
param($ModuleManifest, $PesterManifest, $BedJson, $MapFile, $StandIns, $Fixtures, $Work, $Out)
$ErrorActionPreference = 'Continue'
Import-Module $PesterManifest
Import-Module $ModuleManifest
$bed = Get-Content $BedJson -Raw | ConvertFrom-Json
$map = Import-PowerShellDataFile $MapFile
$values = @{
    dns = '{0}:{1}' -f $bed.dns.address, $bed.dns.port
    port = "$($bed.smtpPort)"
    good = $bed.smtp.good.address; legacy = $bed.smtp.legacy.address; ipsan = $bed.smtp.ipsan.address; implicit = $bed.smtp.implicit.address
    root = $bed.ca.rootCert; chain = $bed.ca.chainFile; http = $bed.http.baseUrl; proxy = $bed.proxy.url
    fixtures = $Fixtures; work = $Work
    mimekit = Join-Path (Split-Path $ModuleManifest) 'bin/net8.0/MimeKit.dll'
}
function Resolve-Placeholder([string] $Text) {
    [regex]::Replace($Text, '\{(\w+)\}', { param($m) if ($values.ContainsKey($m.Groups[1].Value)) { $values[$m.Groups[1].Value] } else { $m.Value } })
}

# Stand-ins, made global so that scripts the examples write and Pester containers see them too.
$global:StandInBed = $bed
$global:StandInFixtures = $Fixtures
$before = @(Get-ChildItem function: | ForEach-Object Name)
foreach ($f in $StandIns -split [regex]::Escape([IO.Path]::PathSeparator)) { . $f }
foreach ($fn in Get-ChildItem function: | Where-Object Name -NotIn $before) { Set-Item -Path "function:global:$($fn.Name)" -Value $fn.ScriptBlock }

$global:PSDefaultParameterValues = @{}
foreach ($k in $map.Defaults.Keys) {
    $v = $map.Defaults[$k]
    if ($v -is [string]) { $v = Resolve-Placeholder $v; if ($v -match '^\d+$') { $v = [int] $v } }
    $global:PSDefaultParameterValues[$k] = $v
}

$keys = @($map.Names.Keys | Sort-Object { $_.Length } -Descending)
$namePattern = ($keys | ForEach-Object { [regex]::Escape($_) }) -join '|'
# Examples that import the module by name (on a remote server, say) find the one under test.
$env:PSModulePath = (Split-Path (Split-Path $ModuleManifest)) + [IO.Path]::PathSeparator + $env:PSModulePath
$results = foreach ($cmdlet in (Get-Command -Module TlsTools | Sort-Object Name).Name) {
    $n = 0
    foreach ($e in @((Get-Help $cmdlet -Full).examples.example)) {
        $n++
        $code = "$($e.code)"
        # One pass, longest name first: a replacement is never replaced again.
        $mapped = [regex]::Replace($code, $namePattern, { param($m) Resolve-Placeholder $map.Names[$m.Value] })
        $dir = Join-Path $Work "$cmdlet-$n"
        New-Item -ItemType Directory -Force $dir | Out-Null
        foreach ($f in $map.Files.Keys) { Set-Content -Path (Join-Path $dir $f) -Value $map.Files[$f] -NoNewline }
        Push-Location $dir
        [System.Environment]::CurrentDirectory = $dir
        $errors = [System.Collections.Generic.List[string]]::new()
        $threw = $null; $text = ''; $pester = $null
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        try {
            if ($mapped -match '(?m)^\s*Describe\s') {
                Set-Content -Path (Join-Path $dir 'Example.Tests.ps1') -Value $mapped
                $c = New-PesterConfiguration
                $c.Run.Path = (Join-Path $dir 'Example.Tests.ps1'); $c.Run.PassThru = $true; $c.Output.Verbosity = 'None'
                $r = Invoke-Pester -Configuration $c
                $pester = @{
                    Total = $r.TotalCount; Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
                    Messages = @($r.Failed | ForEach-Object { "$($_.ExpandedName): $($_.ErrorRecord)" })
                }
            }
            else {
                $text = & ([scriptblock]::Create($mapped)) 2>&1 | ForEach-Object {
                    if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add("$($_.FullyQualifiedErrorId): $_") } else { $_ }
                } | Out-String -Width 200
            }
        }
        catch { $threw = "$($_.FullyQualifiedErrorId): $_" }
        finally { Pop-Location }
        [pscustomobject]@{
            Key = "${cmdlet}: Example $n"; Code = $code; Mapped = $mapped; Threw = $threw; Errors = @($errors)
            Output = if ($text.Length -gt 4000) { $text.Substring(0, 4000) } else { $text }; Pester = $pester
            Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
        }
    }
}
@($results) | ConvertTo-Json -Depth 5 | Set-Content -Path $Out
'@
        $runnerFile = Join-Path $TestDrive 'run-examples.ps1'
        Set-Content -Path $runnerFile -Value $runner
        $log = '' | & $Pwsh -NoProfile -NonInteractive -File $runnerFile `
            -ModuleManifest (Join-Path $ModulePath 'TlsTools.psd1') `
            -PesterManifest (Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1') `
            -BedJson (Get-TestBedStatePath) -MapFile (Join-Path $PSScriptRoot 'HelpExamples.map.psd1') `
            -StandIns ((Join-Path $PSScriptRoot 'ExchangeStandIns.ps1'), (Join-Path $PSScriptRoot 'HelpExampleStandIns.ps1') -join [IO.Path]::PathSeparator) `
            -Fixtures (Join-Path $RepoRoot 'tests/TlsTools.Core.Tests/Fixtures/Headers') -Work $work -Out $out 2>&1
        $script:RunnerLog = $log -join "`n"
        if (Test-Path $out) {
            foreach ($r in @(Get-Content $out -Raw | ConvertFrom-Json)) { $Results[$r.Key] = $r }
        }
        $script:Map = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'HelpExamples.map.psd1')
    }
}

Describe 'Help example <Cmdlet> <Number>: <Title>' -ForEach $examples {
    BeforeAll {
        $key = "${Cmdlet}: Example $Number"
        $r = $Results[$key]
    }

    It 'names only hosts the map gives to the bed' {
        if (Skip-WithoutBed) { return }
        $r | Should -Not -BeNullOrEmpty -Because "the examples run wrote no result for $key ($RunnerLog)"
        $left = [regex]::Matches($r.Mapped, '\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|io)\b', 'IgnoreCase') | ForEach-Object Value
        $left | Should -BeNullOrEmpty -Because 'a public name without an entry in HelpExamples.map.psd1 would be looked up outside the bed'
    }

    It 'runs as written against the bed' {
        if (Skip-WithoutBed) { return }
        $r | Should -Not -BeNullOrEmpty -Because $RunnerLog
        $r.Threw | Should -BeNullOrEmpty -Because "the example threw.`n$($r.Mapped)"
        @($r.Errors) | Should -BeNullOrEmpty -Because "the example wrote errors.`n$($r.Mapped)"
        if ($r.Pester) {
            $r.Pester.Total | Should -BeGreaterThan 0 -Because 'the Pester example must run tests'
            if (-not $Map.PesterMayFail.ContainsKey($key)) {
                $r.Pester.Failed | Should -Be 0 -Because (@($r.Pester.Messages) -join "`n")
            }
        }
    }
}
