<#
.SYNOPSIS
Times a full cipher suite scan of one host with Get-TlsCipherSuite, sslscan and testssl.sh, side
by side on the same port, directly and through a proxy that adds 25 ms each way.

.DESCRIPTION
The host is the test bed's legacy profile (TLS 1.0 to 1.2, 64 accepted protocol/suite pairs),
reached with SMTP STARTTLS on its loopback port. Get-TlsCipherSuite and sslscan run -Repeat times
per condition, testssl.sh -TestSslRepeat times (it takes minutes), and the median is reported:

- Get-TlsCipherSuite, timed inside this running PowerShell session (as users run it), after one
  warm-up scan; the start of a pwsh process with the module imported is reported apart.
- sslscan --starttls-smtp, its default full run (protocols, every cipher, groups, renegotiation,
  compression, Heartbleed, certificate).
- testssl.sh with the same scope as the cmdlet: protocols, ciphers per protocol and the server's
  preference (-p -E -P), with --nodns none (no resolver is ever asked) and --add-ca for the bed CA.

"delayed" runs go through bench/delay_proxy.py, which delays every chunk by -DelayMs in each
direction, so that connection count matters as it does against a real MX. Every peer run is
bounded with timeout; the proxy is stopped by its pid; the bed is started if needed and stopped
again if it was not running before.

.EXAMPLE
./bench/Measure-CipherScan.ps1 -Repeat 3
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 20)] [int] $Repeat = 3,
    # testssl.sh takes minutes per run; by default it runs once per condition.
    [ValidateRange(1, 20)] [int] $TestSslRepeat = 1,
    [ValidateRange(0, 500)] [double] $DelayMs = 25,
    # Below Linux's ephemeral range (32768-60999), so no client socket can hold it.
    [int] $ProxyPort = 24700,
    [string] $BedProfile = 'legacy',
    [ValidateRange(10, 3600)] [int] $PeerTimeoutSeconds = 900,
    [switch] $SkipTestSsl,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../output/TlsTools')
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '..')
$bedDir = if ($env:TLSTOOLS_BED_DIR) { $env:TLSTOOLS_BED_DIR } else { '/tmp/tlstools-bed' }
$null = & bash "$root/tests/bed/status.sh" *>&1
$bedWasUp = $LASTEXITCODE -eq 0
$null = & bash "$root/tests/bed/start.sh" 2>&1
if ($LASTEXITCODE -ne 0) { throw 'The test bed could not be started.' }
$bed = Get-Content (Join-Path $bedDir 'bed.json') -Raw | ConvertFrom-Json
$target = $bed.smtp.$BedProfile
if (-not $target -or -not $target.startTls) { throw "Profile '$BedProfile' is not a STARTTLS profile of the bed." }
$python = if ($env:TLSTOOLS_BED_PYTHON) { $env:TLSTOOLS_BED_PYTHON } else { '/usr/bin/python3' }
$sslscan = (Get-Command sslscan -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
$testssl = (Get-Command testssl, testssl.sh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $sslscan) { throw 'sslscan is not installed (tests/bed/install-deps.sh installs it).' }
if (-not $testssl -and -not $SkipTestSsl) { throw 'testssl.sh is not installed (tests/bed/install-deps.sh installs it); or use -SkipTestSsl.' }

Import-Module (Join-Path $ModulePath 'TlsTools.psd1')
$pwshPath = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $mid = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

function Measure-Scanner([string] $Name, [scriptblock] $Run, [int] $Runs = $Repeat) {
    $times = @(); $found = @()
    for ($i = 0; $i -lt $Runs; $i++) {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $found += & $Run
        $times += $watch.Elapsed.TotalSeconds
    }
    [pscustomobject]@{ Name = $Name; Seconds = (Get-Median $times); Found = ($found | Select-Object -Last 1) }
}

function Invoke-Cmdlet([int] $Port) {
    $r = @(Get-TlsCipherSuite 127.0.0.1 -Port $Port -StartTls Smtp -TimeoutSeconds 30 -ErrorAction SilentlyContinue)
    $r.Count
}

function Invoke-SslScan([int] $Port) {
    $xml = Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-bench-sslscan-$PID.xml"
    $null = & timeout $PeerTimeoutSeconds $sslscan --no-colour --starttls-smtp "--xml=$xml" "127.0.0.1:$Port" 2>&1
    try { @(([xml](Get-Content $xml -Raw)).document.ssltest.cipher | Where-Object status -in 'accepted', 'preferred').Count }
    finally { Remove-Item $xml -ErrorAction SilentlyContinue }
}

function Invoke-TestSsl([int] $Port) {
    $json = Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-bench-testssl-$PID.json"
    Remove-Item $json -ErrorAction SilentlyContinue
    $null = & timeout $PeerTimeoutSeconds $testssl --quiet --color 0 --warnings off --nodns none --add-ca $bed.ca.rootCert `
        --connect-timeout 10 --openssl-timeout 10 --starttls smtp -p -E -P --jsonfile $json "127.0.0.1:$Port" 2>&1
    try { @((Get-Content $json -Raw | ConvertFrom-Json) | Where-Object id -like 'cipher-tls*').Count }
    catch { 0 }
    finally { Remove-Item $json -ErrorAction SilentlyContinue }
}

function Measure-Condition([string] $Condition, [int] $Port) {
    $scanners = @(
        Measure-Scanner 'Get-TlsCipherSuite' { Invoke-Cmdlet $Port }
        Measure-Scanner 'sslscan' { Invoke-SslScan $Port }
    )
    if (-not $SkipTestSsl) { $scanners += Measure-Scanner 'testssl.sh -p -E -P' { Invoke-TestSsl $Port } $TestSslRepeat }
    $ours = $scanners[0]
    foreach ($t in $scanners) {
        [pscustomobject]@{
            Condition      = $Condition
            Scanner        = $t.Name
            'Median (s)'   = [math]::Round($t.Seconds, 2)
            'vs cmdlet'    = if ($t -eq $ours) { '1.0x' } else { '{0:N1}x slower' -f ($t.Seconds / $ours.Seconds) }
            'Suites found' = $t.Found
        }
    }
}

# Warm-up: JIT and first-use costs are not charged to the first timed run.
$null = Invoke-Cmdlet $target.loopbackPort

$rows = @()
$rows += Measure-Condition 'direct' $target.loopbackPort

$proxy = Start-Process -FilePath $python -PassThru -NoNewWindow -RedirectStandardOutput (Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-cipher-proxy-$PID.log") -RedirectStandardError (Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-cipher-proxy-$PID.err") -ArgumentList @(
    (Join-Path $PSScriptRoot 'delay_proxy.py'), '--listen-port', $ProxyPort, '--count', 1,
    '--target-host', '127.0.0.1', '--target-port', $target.loopbackPort, '--delay-ms', $DelayMs, '--max-seconds', 3600)
try {
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $ProxyPort); $c.Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
    }
    if ($proxy.HasExited) { throw "The delay proxy did not start (exit code $($proxy.ExitCode))." }
    $rows += Measure-Condition "delayed ${DelayMs}ms each way" $ProxyPort
}
finally {
    Stop-Process -Id $proxy.Id -ErrorAction SilentlyContinue
    if (-not $bedWasUp) { $null = & bash "$root/tests/bed/stop.sh" 2>&1 }
}

$start = [System.Diagnostics.Stopwatch]::StartNew()
& $pwshPath -NoProfile -NonInteractive -Command "Import-Module '$(Join-Path $ModulePath 'TlsTools.psd1')'; `$null = Get-Command Get-TlsCipherSuite"
$pwshStart = $start.Elapsed.TotalSeconds

$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Write-Host ('Profile {0} ({1} accepted pairs expected); median of {2} runs (testssl.sh: {5}); pwsh start with the module imported (not included above): {3:N2} s; machine: {4} cores' -f `
        $BedProfile, ($rows | Where-Object Scanner -eq 'Get-TlsCipherSuite' | Select-Object -First 1).'Suites found', $Repeat, $pwshStart, [Environment]::ProcessorCount, $TestSslRepeat)
$rows
