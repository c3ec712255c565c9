<#
.SYNOPSIS
Child process of bench/Measure-MailTls.ps1: runs Test-MailTls over the targets in a file and
reports the peak resident set size (VmHWM) of this pwsh process as one line of JSON.

.DESCRIPTION
The module is imported and one warm-up probe is made first; VmHWM at that point is the
baseline (pwsh with the module loaded and the probe code run once). Then every target of
TargetsFile (one host:port a line) is tested in one Test-MailTls call, the result objects are
kept (as a script that sweeps and then reports would keep them), and VmHWM is read again.
Linux only (/proc/<pid>/status).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TargetsFile,
    [Parameter(Mandatory)] [string] $WarmupTarget,
    [string] $TrustedRootCertificate,
    [int] $ThrottleLimit = 0,
    [int] $TimeoutSeconds = 30
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Get-StatusKb([string] $Field) {
    $line = Get-Content "/proc/$PID/status" | Where-Object { $_ -like "${Field}:*" } | Select-Object -First 1
    [long] ($line -replace '[^0-9]', '')
}

Import-Module (Join-Path $ModulePath 'TlsTools.psd1')
$common = @{ TimeoutSeconds = $TimeoutSeconds; ErrorAction = 'SilentlyContinue' }
if ($TrustedRootCertificate) { $common.TrustedRootCertificate = $TrustedRootCertificate }
if ($ThrottleLimit -gt 0) { $common.ThrottleLimit = $ThrottleLimit }

$null = Test-MailTls -ComputerName $WarmupTarget @common
$baselineKb = Get-StatusKb 'VmHWM'

$targets = @(Get-Content $TargetsFile | Where-Object { $_ })
$errors = $null
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$results = @(Test-MailTls -ComputerName $targets @common -ErrorVariable errors)
$seconds = $watch.Elapsed.TotalSeconds
$peakKb = Get-StatusKb 'VmHWM'
$rssKb = Get-StatusKb 'VmRSS'

[pscustomobject]@{
    targets    = $targets.Count
    results    = $results.Count
    succeeded  = @($results | Where-Object TlsEstablished).Count
    errors     = @($errors).Count
    seconds    = $seconds
    baselineKb = $baselineKb
    peakKb     = $peakKb
    rssKb      = $rssKb
} | ConvertTo-Json -Compress
