#Requires -Version 7.2
<#
.SYNOPSIS
A short, bounded fuzz pass over the core's parsers (tests/TlsTools.Fuzz).

.DESCRIPTION
Builds the fuzz harness and runs its mutation engine over each target's seed corpus
(tests/TlsTools.Fuzz/corpus): every target gets an equal share of -Seconds and at most -Iterations
inputs. The inputs follow from -Seed, so a run is repeatable; pass another seed to explore further.
An input that makes a parser throw is a crash: it is saved under -CrashPath, the pass reports it and
the script exits 1. A crash becomes a regression: copy the file to
tests/TlsTools.Fuzz/regressions/<target>/, fix the parser, and FuzzRegressionTests replays it.

Writes a summary (one result per target) to -SummaryPath for build.ps1 -Task Test.

With -Engine Afl the same targets run under afl-fuzz (Debian afl++) with SharpFuzz instrumentation
of TlsTools.Core.dll (the SharpFuzz.CommandLine .NET tool, 'sharpfuzz'), each for its share of -Seconds.

.EXAMPLE
./tools/Invoke-Fuzz.ps1 -Seconds 64

.EXAMPLE
./tools/Invoke-Fuzz.ps1 -Seconds 600 -Seed 7 -Target crl, ocsp
#>
[CmdletBinding()]
param(
    [double] $Seconds = 64,
    [long] $Iterations = 100000,
    [int] $Seed = 12,
    [string[]] $Target = @(),
    [ValidateSet('Mutate', 'Afl')]
    [string] $Engine = 'Mutate',
    [string] $CrashPath,
    [string] $SummaryPath,
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path $PSScriptRoot -Parent
$output = Join-Path $root 'output'
# The AFL engine instruments TlsTools.Core.dll in place: it gets a build of its own.
$bin = Join-Path $output ($Engine -eq 'Afl' ? 'fuzz/afl-bin' : 'fuzz/bin')
# pwsh -File passes "a,b" as one string.
$Target = @($Target | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$corpus = Join-Path $root 'tests/TlsTools.Fuzz/corpus'
if (-not $CrashPath) { $CrashPath = Join-Path $output 'fuzz/crashes' }

& dotnet build (Join-Path $root 'tests/TlsTools.Fuzz/TlsTools.Fuzz.csproj') -c $Configuration -o $bin --nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw "building the fuzz harness failed with exit code $LASTEXITCODE." }
$harness = Join-Path $bin 'TlsTools.Fuzz.dll'
$all = @(& dotnet $harness list)
if ($Target.Count -eq 0) { $Target = $all }

$results = [System.Collections.Generic.List[object]]::new()
if ($Engine -eq 'Mutate') {
    $lines = & dotnet $harness mutate --corpus $corpus --seconds $Seconds --iterations $Iterations --seed $Seed --crashes $CrashPath @Target
    $exit = $LASTEXITCODE
    $lines | ForEach-Object { Write-Host $_ }
    foreach ($line in $lines) {
        if ($line -match '^fuzz (?<t>\S+)\s+(?<n>\d+) inputs in\s+(?<s>[\d.]+) s, (?<seeds>\d+) seeds, (?<c>\d+) crash') {
            $results.Add([pscustomobject]@{ Target = $Matches.t; Inputs = [long]$Matches.n; Seconds = [double]$Matches.s; Crashes = [int]$Matches.c })
        }
    }
    if ($exit -ne 0 -and -not ($results | Where-Object Crashes -gt 0)) {
        # The harness itself failed (not a crash it caught): one failed result says so.
        $results.Add([pscustomobject]@{ Target = 'harness'; Inputs = 0; Seconds = 0; Crashes = 1 })
    }
}
else {
    if (-not (Get-Command afl-fuzz -ErrorAction SilentlyContinue)) { throw "-Engine Afl needs afl-fuzz (Debian afl++, tests/bed/install-deps.sh)." }
    $sharpfuzz = (Get-Command sharpfuzz -ErrorAction SilentlyContinue)?.Source ?? (Join-Path $HOME '.dotnet/tools/sharpfuzz')
    if (-not (Test-Path $sharpfuzz)) { throw "-Engine Afl needs the sharpfuzz tool (tools/bootstrap.sh installs SharpFuzz.CommandLine)." }
    & $sharpfuzz (Join-Path $bin 'TlsTools.Core.dll')
    if ($LASTEXITCODE -ne 0) { throw "sharpfuzz could not instrument TlsTools.Core.dll." }
    # dotnet itself is not instrumented (SharpFuzz instruments TlsTools.Core.dll): skip afl's binary check.
    $env:AFL_SKIP_BIN_CHECK = '1'; $env:AFL_SKIP_CPUFREQ = '1'; $env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'; $env:AFL_NO_UI = '1'
    $share = [int][math]::Max(5, $Seconds / $Target.Count)
    foreach ($t in $Target) {
        $out = Join-Path $output "fuzz/afl/$t"
        if (Test-Path $out) { Remove-Item $out -Recurse -Force }
        New-Item -ItemType Directory -Force (Split-Path $out) | Out-Null
        & afl-fuzz -i (Join-Path $corpus $t) -o $out -V $share -t 5000 -m none -- dotnet $harness afl $t | Select-Object -Last 5 | ForEach-Object { Write-Verbose $_ }
        if (-not (Test-Path (Join-Path $out 'default/fuzzer_stats'))) { throw "afl-fuzz did not run for $t (exit code $LASTEXITCODE); run it with -Verbose." }
        $stats = Get-Content (Join-Path $out 'default/fuzzer_stats') | Where-Object { $_ -match '^(execs_done|corpus_count)\s*:' }
        $found = @(Get-ChildItem (Join-Path $out 'default/crashes') -File -ErrorAction SilentlyContinue | Where-Object Name -ne 'README.txt')
        foreach ($f in $found) {
            New-Item -ItemType Directory -Force (Join-Path $CrashPath $t) | Out-Null
            Copy-Item $f.FullName (Join-Path $CrashPath "$t/afl-$($f.Name -replace '[^\w.-]', '_')")
        }
        Write-Host ("fuzz {0,-16} afl-fuzz {1} s, {2} crash(es); {3}" -f $t, $share, $found.Count, (($stats -replace '\s+', '') -join ', '))
        $results.Add([pscustomobject]@{ Target = $t; Inputs = 0; Seconds = $share; Crashes = $found.Count })
    }
}

$crashes = [int]($results | Measure-Object Crashes -Sum).Sum
$summary = [pscustomobject]@{
    Passed = @($results | Where-Object Crashes -eq 0).Count
    Failed = @($results | Where-Object Crashes -gt 0).Count
    Crashes = $crashes
    Seed = $Seed
    Targets = $results
}
if ($SummaryPath) { $summary | ConvertTo-Json -Depth 4 | Set-Content -Path $SummaryPath -Encoding utf8 }
if ($crashes -gt 0) {
    Write-Host "fuzz: $crashes crash(es); inputs saved under $CrashPath"
    exit 1
}
