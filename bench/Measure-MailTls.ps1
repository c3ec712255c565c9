<#
.SYNOPSIS
Times Test-MailTls against N loopback endpoints beside a sequential openssl s_client loop over
the same endpoints, directly and through a proxy that adds 25 ms each way.

.DESCRIPTION
Real MX hosts are tens of milliseconds away; loopback is not. So the benchmark runs twice:
direct (N connections to the test bed's good Postfix profile) and through bench/delay_proxy.py,
which listens on N loopback ports and delays every chunk by -DelayMs in each direction.

Test-MailTls is timed inside this running PowerShell session, as users run it; the start of a
pwsh process with the module imported is measured and reported separately. The openssl side is
`openssl s_client -starttls smtp` run once per endpoint, one after another, as a script would.
The test bed is started if it is not running (and stopped again afterwards), the proxy is
stopped by its pid.

.EXAMPLE
./bench/Measure-MailTls.ps1 -Count 100
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1000)] [int] $Count = 100,
    [ValidateRange(0, 500)] [double] $DelayMs = 25,
    [ValidateRange(1, 1024)] [int] $ThrottleLimit = 16,
    # Below Linux's ephemeral range (32768-60999), so no client socket can hold one of its ports.
    [int] $ProxyPort = 24000,
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
$good = $bed.smtp.good
$python = if ($env:TLSTOOLS_BED_PYTHON) { $env:TLSTOOLS_BED_PYTHON } else { '/usr/bin/python3' }

Import-Module (Join-Path $ModulePath 'TlsTools.psd1')
$pwshPath = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')

function Measure-OpenSslLoop([string[]] $Endpoints) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $ok = 0
    foreach ($e in $Endpoints) {
        $out = '' | & timeout 20 openssl s_client -connect $e -starttls smtp -servername $good.hostName 2>&1
        if (($out -join "`n") -match 'Cipher is (?!\(NONE\))') { $ok++ }
    }
    [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Succeeded = $ok }
}

function Measure-TestMailTls([string[]] $Endpoints) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $results = @(Test-MailTls -ComputerName $Endpoints -TrustedRootCertificate $bed.ca.rootCert -ThrottleLimit $ThrottleLimit -TimeoutSeconds 30 -ErrorAction SilentlyContinue)
    [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Succeeded = @($results | Where-Object TlsEstablished).Count }
}

function Show-Row([string] $Name, $Ours, $OpenSsl) {
    if ($Ours.Succeeded -ne $Count -or $OpenSsl.Succeeded -ne $Count) {
        Write-Warning "$Name run: only $($Ours.Succeeded) (Test-MailTls) and $($OpenSsl.Succeeded) (openssl) of $Count handshakes succeeded; the figures do not compare like with like."
    }
    [pscustomobject]@{
        Run                  = $Name
        Endpoints            = $Count
        'Test-MailTls (s)'   = [math]::Round($Ours.Seconds, 2)
        'openssl loop (s)'   = [math]::Round($OpenSsl.Seconds, 2)
        'Ratio'              = [math]::Round($OpenSsl.Seconds / $Ours.Seconds, 1)
        'TLS ok (ours/ssl)'  = '{0}/{1}' -f $Ours.Succeeded, $OpenSsl.Succeeded
    }
}

# Warm up once so JIT and first-use costs are not charged to the first run.
$null = Test-MailTls -ComputerName "127.0.0.1:$($good.loopbackPort)" -TrustedRootCertificate $bed.ca.rootCert

$rows = @()
$direct = @(1..$Count | ForEach-Object { "127.0.0.1:$($good.loopbackPort)" })
# A real MX is a warm, long-running server: let Postfix start the smtpd processes that this
# much concurrency needs before anything is timed.
$null = Measure-TestMailTls $direct
$rows += Show-Row 'direct' (Measure-TestMailTls $direct) (Measure-OpenSslLoop $direct)

$proxy = Start-Process -FilePath $python -PassThru -NoNewWindow -RedirectStandardOutput (Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-delay-proxy-$PID.log") -ArgumentList @(
    (Join-Path $PSScriptRoot 'delay_proxy.py'), '--listen-port', $ProxyPort, '--count', $Count,
    '--target-host', '127.0.0.1', '--target-port', $good.loopbackPort, '--delay-ms', $DelayMs, '--max-seconds', 900)
try {
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $ProxyPort + $Count - 1); $c.Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
    }
    if ($proxy.HasExited) { throw "The delay proxy did not start (exit code $($proxy.ExitCode))." }
    $delayed = @(0..($Count - 1) | ForEach-Object { "127.0.0.1:$($ProxyPort + $_)" })
    $rows += Show-Row "delayed ${DelayMs}ms each way" (Measure-TestMailTls $delayed) (Measure-OpenSslLoop $delayed)
}
finally {
    Stop-Process -Id $proxy.Id -ErrorAction SilentlyContinue
    if (-not $bedWasUp) { $null = & bash "$root/tests/bed/stop.sh" 2>&1 }
}

$start = [System.Diagnostics.Stopwatch]::StartNew()
& $pwshPath -NoProfile -NonInteractive -Command "Import-Module '$(Join-Path $ModulePath 'TlsTools.psd1')'; `$null = Get-Command Test-MailTls"
$pwshStart = $start.Elapsed.TotalSeconds

$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Write-Host ('pwsh start with the module imported (not included above): {0:N2} s' -f $pwshStart)
Write-Host ("Test-MailTls ThrottleLimit: $ThrottleLimit; machine: {0} cores" -f [Environment]::ProcessorCount)
$rows
