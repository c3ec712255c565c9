<#
.SYNOPSIS
Runs the Pester suite against a built module and writes a summary for build.ps1.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ResultsPath,
    [string[]] $Path = $PSScriptRoot
)
$ErrorActionPreference = 'Stop'
$PSVersionTable | Format-Table -AutoSize | Out-String | Write-Host
Import-Module $PesterPath
$env:TLSTOOLS_MODULE_PATH = $ModulePath
# Test artifacts (rendered reports, screenshots) go beside the results.
$null = New-Item -ItemType Directory -Force $ResultsPath
$env:TLSTOOLS_TEST_RESULTS = (Resolve-Path $ResultsPath).Path

# Leave the loopback test bed as we found it: a bed the tests start is stopped (by its recorded
# pids) when the run ends.
$bedDir = if ($env:TLSTOOLS_BED_DIR) { $env:TLSTOOLS_BED_DIR } else { '/tmp/tlstools-bed' }
$bedScripts = Join-Path $PSScriptRoot '../bed'
$bedWasUp = $false
if (Test-Path (Join-Path $bedScripts 'status.sh')) {
    $null = & bash (Join-Path $bedScripts 'status.sh') *>&1
    $bedWasUp = $LASTEXITCODE -eq 0
}

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsPath 'pester.xml'
try {
    $result = Invoke-Pester -Configuration $config
}
finally {
    if (-not $bedWasUp -and (Test-Path (Join-Path $bedDir 'bed.json'))) {
        & bash (Join-Path $bedScripts 'stop.sh') | Out-Null
    }
}

# A failing BeforeAll or a file that does not parse fails its container, not a test: count it.
$failed = $result.FailedCount + $result.FailedContainersCount
$skipped = $result.SkippedCount
# Under CI a skipped test is a failure on purpose: a test that did not run proves nothing, and a
# bed that could not start must not turn the run green.
$skipsFail = $env:CI -eq 'true' -and $skipped -gt 0
if ($skipsFail) {
    foreach ($t in $result.Skipped) {
        "skipped under CI=true: $($t.ExpandedPath)"
    }
    "CI=true: $skipped skipped Pester test(s) count as failed"
    $failed += $skipped
}
@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $skipped } |
    ConvertTo-Json | Set-Content (Join-Path $ResultsPath 'pester-summary.json')
"pester: $($result.PassedCount) passed, $failed failed, $skipped skipped"
if ($result.Result -ne 'Passed' -or $result.TotalCount -eq 0 -or $skipsFail) { exit 1 }
