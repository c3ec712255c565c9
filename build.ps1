#Requires -Version 7.2
<#
.SYNOPSIS
Builds, tests and demonstrates the TlsTools module.

.DESCRIPTION
Build: publishes the cmdlet assembly for net8.0 (PowerShell 7, loaded in its own assembly load
context) and net472 (Windows PowerShell 5.1), and lays out an importable module at
output/TlsTools/. Its help comes from docs/en-US/*.md.

Test: builds, then runs the xunit suite (net10.0, and net472 under Mono so that the .NET Framework
code paths run), a bounded fuzz pass over the parsers (tools/Invoke-Fuzz.ps1, one result per
target) and the Pester suite (in a fresh pwsh process, against the built module and the loopback
test bed) and prints 'N passed, N failed, N skipped' as its last line. It exits non-zero when anything failed. With CI=true a skipped test (a bed that could
not start, TLSTOOLS_BED_SKIP) fails the run: it is counted in 'failed' as well as in 'skipped'.

Demo: builds, starts the loopback test bed and runs the module's main job against it.

Package: builds, then writes output/package/TlsTools.<version>.nupkg with Publish-PSResource to a
local folder repository registered for the run only (never to a network registry).

.EXAMPLE
./build.ps1 -Task Build

.EXAMPLE
./build.ps1 -Task Test

.EXAMPLE
./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Package')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Skip the build step of Test, Demo and Package (use the module already in output/).
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$output = Join-Path $root 'output'
$moduleOut = Join-Path $output 'TlsTools'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
# Signed-package revocation checks cannot reach the network here and cost ~30 s per restore.
if (-not $env:NUGET_CERT_REVOCATION_MODE) { $env:NUGET_CERT_REVOCATION_MODE = 'offline' }

function Invoke-Native {
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($ArgumentList -join ' ') failed with exit code $LASTEXITCODE." }
}

function Get-PwshPath {
    # A pwsh installed as a .NET tool runs under the dotnet host, so the process path is dotnet's;
    # the pwsh launcher sits in PSHOME.
    $candidate = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    if (Test-Path $candidate) { return $candidate }
    (Get-Command pwsh -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile (Join-Path $root 'TlsTools.psd1')).ModuleVersion
}

function Get-ReleaseNote {
    <# The CHANGELOG.md section of a version ("## v<version> ..." up to the next "## "). #>
    param([string] $Version)
    $text = Get-Content (Join-Path $root 'CHANGELOG.md') -Raw
    $pattern = '(?ms)^## v' + [regex]::Escape($Version) + '\b[^\n]*\n(.*?)(?=^## |\z)'
    $m = [regex]::Match($text, $pattern)
    if (-not $m.Success) { throw "CHANGELOG.md has no section '## v$Version'." }
    $m.Groups[1].Value.Trim()
}

function Set-ReleaseNote {
    <# Writes the version's CHANGELOG section into the built manifest's ReleaseNotes. #>
    param([string] $ManifestPath, [string] $Version)
    $notes = (Get-ReleaseNote $Version) -replace "'", "''"
    $manifest = Get-Content $ManifestPath -Raw
    $line = [regex]::Match($manifest, "(?m)^(\s*)ReleaseNotes\s*=\s*'[^']*'")
    if (-not $line.Success) { throw "$ManifestPath has no one-line ReleaseNotes entry to fill." }
    $manifest = $manifest.Remove($line.Index, $line.Length).Insert($line.Index, "$($line.Groups[1].Value)ReleaseNotes = '$notes'")
    Set-Content -Path $ManifestPath -Value $manifest -NoNewline -Encoding utf8
}

function Invoke-BuildTask {
    $version = Get-ModuleVersion
    Write-Host "Building TlsTools $version ($Configuration)"
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    $common = @('-c', $Configuration, "-p:Version=$version", '--nologo', '-v', 'quiet')
    Invoke-Native dotnet (@('publish', "$root/src/TlsTools/TlsTools.csproj", '-f', 'net8.0', '-o', "$moduleOut/bin/net8.0") + $common)
    Invoke-Native dotnet (@('publish', "$root/src/TlsTools.Loader/TlsTools.Loader.csproj", '-o', "$moduleOut/bin/net8.0") + $common)
    Invoke-Native dotnet (@('publish', "$root/src/TlsTools/TlsTools.csproj", '-f', 'net472', '-o', "$moduleOut/bin/net472") + $common)
    # Debug symbols and dependency manifests are not part of the shipped module.
    Get-ChildItem $moduleOut -Recurse -Include '*.pdb', '*.deps.json' | Remove-Item -Force

    Copy-Item (Join-Path $root 'TlsTools.psd1') $moduleOut
    Set-ReleaseNote (Join-Path $moduleOut 'TlsTools.psd1') $version
    Copy-Item (Join-Path $root 'module/*') $moduleOut -Recurse
    Copy-Item (Join-Path $root 'CHANGELOG.md') $moduleOut
    Copy-Item (Join-Path $root 'LICENSE') $moduleOut -ErrorAction SilentlyContinue

    & (Join-Path $root 'tools/ConvertTo-MamlHelp.ps1') -DocsPath (Join-Path $root 'docs/en-US') -ModulePath $moduleOut
    Write-Host "Module ready: $moduleOut"
}

function Invoke-PackageTask {
    <#
    Publishes the built module folder to a folder repository registered under a name of its own
    for this run (removed afterwards), which leaves TlsTools.<version>.nupkg in output/package.
    -Repository is always explicit: no network registry is contacted.
    #>
    $version = Get-ModuleVersion
    $packageDir = Join-Path $output 'package'
    if (Test-Path $packageDir) { Remove-Item $packageDir -Recurse -Force }
    New-Item -ItemType Directory -Force $packageDir | Out-Null
    $repository = 'TlsToolsBuild' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    Register-PSResourceRepository -Name $repository -Uri $packageDir -Trusted
    try {
        Publish-PSResource -Path $moduleOut -Repository $repository -SkipDependenciesCheck -SkipModuleManifestValidate
    }
    finally {
        Unregister-PSResourceRepository -Name $repository
    }
    $nupkg = Join-Path $packageDir "TlsTools.$version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Package task: $nupkg was not written." }
    Write-Host "Package ready: $nupkg"
}

function Get-PesterModulePath {
    $pesterVersion = '5.9.1'
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $path = Join-Path $packages "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $path)) {
        Invoke-Native dotnet @('restore', "$root/tools/pester/pester.csproj", '--nologo', '-v', 'quiet')
    }
    $path
}

# Runs the xunit project for one target framework; counts from its trx file.
function Invoke-XunitRun {
    param([string] $Framework, [string] $Trx, [string] $Filter)
    Remove-Item $Trx -ErrorAction SilentlyContinue
    $arguments = @('test', "$root/tests/TlsTools.Core.Tests/TlsTools.Core.Tests.csproj", '-c', $Configuration, '-f', $Framework, '--nologo',
        '--logger', "trx;LogFileName=$Trx", '--logger', 'console;verbosity=normal')
    if ($Filter) { $arguments += @('--filter', $Filter) }
    & dotnet @arguments | Out-Host
    $exit = $LASTEXITCODE
    $passed = 0; $failed = 0; $skipped = 0
    if (Test-Path $Trx) {
        [xml] $doc = Get-Content $Trx -Raw
        $counters = $doc.TestRun.ResultSummary.Counters
        $passed = [int] $counters.passed
        $failed = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        # A skipped xunit test ([Fact(Skip = ...)]) is a result with outcome NotExecuted; the
        # trx counters leave it out of 'notExecuted' (it only shows as total minus executed).
        $skipped = $doc.SelectNodes("//*[local-name()='UnitTestResult'][@outcome='NotExecuted']").Count
    }
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }
    Write-Host ("xunit {0}: {1} passed, {2} failed, {3} skipped" -f $Framework, $passed, $failed, $skipped)
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function Invoke-TestTask {
    # Under CI a skipped test fails the run on purpose (counted in 'failed' as well as in
    # 'skipped'): a test that did not run proves nothing. tests/pester/run.ps1 does the same.
    $ciSkipsFail = $env:CI -eq 'true'
    $results = Join-Path $output 'TestResults'
    New-Item -ItemType Directory -Force $results | Out-Null

    Write-Host '== xunit'
    $trx = Join-Path $results 'xunit.trx'
    $xunit = Invoke-XunitRun -Framework 'net10.0' -Trx $trx
    $xPassed = $xunit.Passed; $xFailed = $xunit.Failed; $xSkipped = $xunit.Skipped

    # The same tests built for net472 and run under Mono: the core's .NET Framework branches (the
    # Windows PowerShell 5.1 build) execute here. Tests marked Platform=NotOnMono stay on net10.0.
    Write-Host '== xunit net472 (Mono)'
    if (Get-Command mono -CommandType Application -ErrorAction SilentlyContinue) {
        $mono = Invoke-XunitRun -Framework 'net472' -Trx (Join-Path $results 'xunit-net472.trx') -Filter 'Platform!=NotOnMono'
        $xPassed += $mono.Passed; $xFailed += $mono.Failed; $xSkipped += $mono.Skipped
    }
    else {
        Write-Host 'mono is not installed (tests/bed/install-deps.sh installs mono-complete): the net472 run is skipped'
        $xSkipped += 1
    }
    if ($ciSkipsFail -and $xSkipped -gt 0) {
        Write-Host "CI=true: $xSkipped skipped xunit test(s) count as failed"
        $xFailed += $xSkipped
    }

    Write-Host '== fuzz'
    $fuzzSummary = Join-Path $results 'fuzz-summary.json'
    Remove-Item $fuzzSummary -ErrorAction SilentlyContinue
    & (Get-PwshPath) -NoProfile -NonInteractive -File (Join-Path $root 'tools/Invoke-Fuzz.ps1') -Seconds 64 -Configuration $Configuration -SummaryPath $fuzzSummary
    $fuzzExit = $LASTEXITCODE
    $fPassed = 0; $fFailed = 0
    if (Test-Path $fuzzSummary) {
        $f = Get-Content $fuzzSummary -Raw | ConvertFrom-Json
        $fPassed = [int] $f.Passed; $fFailed = [int] $f.Failed
    }
    if ($fuzzExit -ne 0 -and $fFailed -eq 0) { $fFailed = 1 }
    $xPassed += $fPassed; $xFailed += $fFailed

    Write-Host '== Pester'
    $pester = Get-PesterModulePath
    $pwsh = Get-PwshPath
    $pPassed = 0; $pFailed = 0; $pSkipped = 0
    $summary = Join-Path $results 'pester-summary.json'
    Remove-Item $summary -ErrorAction SilentlyContinue
    & $pwsh -NoProfile -NonInteractive -File (Join-Path $root 'tests/pester/run.ps1') -ModulePath $moduleOut -PesterPath $pester -ResultsPath $results
    $pesterExit = $LASTEXITCODE
    if (Test-Path $summary) {
        $s = Get-Content $summary -Raw | ConvertFrom-Json
        # run.ps1 already counts skipped tests as failed under CI=true.
        $pPassed = [int] $s.Passed; $pFailed = [int] $s.Failed; $pSkipped = [int] $s.Skipped
    }
    if ($pesterExit -ne 0 -and $pFailed -eq 0) { $pFailed = 1 }

    $skipped = $xSkipped + $pSkipped
    Write-Host ("xunit (net10.0, net472 under Mono) and fuzz: {0} passed, {1} failed, {2} skipped; Pester: {3} passed, {4} failed, {5} skipped" -f $xPassed, $xFailed, $xSkipped, $pPassed, $pFailed, $pSkipped)
    if ($ciSkipsFail -and $skipped -gt 0) {
        Write-Host "CI=true: the run fails because $skipped test(s) were skipped (they are counted in failed too)"
    }
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f ($xPassed + $pPassed), ($xFailed + $pFailed), $skipped)
    if ($xFailed + $pFailed -gt 0) { exit 1 }
}

function Invoke-DemoTask {
    $bed = Join-Path $root 'tests/bed'
    Invoke-Native bash @("$bed/start.sh")
    $pwsh = Get-PwshPath
    & $pwsh -NoProfile -NonInteractive -File (Join-Path $root 'tools/Show-Demo.ps1') -ModulePath $moduleOut
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-BuildTask }
        'Test' { if (-not $NoBuild -and 'Build' -notin $Task) { Invoke-BuildTask }; Invoke-TestTask }
        'Demo' { if (-not $NoBuild -and 'Build' -notin $Task) { Invoke-BuildTask }; Invoke-DemoTask }
        'Package' { if (-not $NoBuild -and 'Build' -notin $Task) { Invoke-BuildTask }; Invoke-PackageTask }
    }
}
