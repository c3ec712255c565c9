<#
.SYNOPSIS
Measures the speed targets of TlsTools against the loopback test bed and prints one table:
one probe against a bare STARTTLS dialog, a 100-address sweep against an openssl loop (direct
and 25 ms each way), the cost of Import-Module, and the peak memory of a 1000-target run.

.DESCRIPTION
Run it as root from a built checkout (./build.ps1 -Task Build): it starts the test bed with the
TLSTOOLS_BED_* environment of the shell (and stops it again at the end unless it was already
running), reads addresses and ports from the bed's bed.json, and stops everything it started by
pid. Nothing leaves loopback.

Probe   One probe in this warm pwsh session, against the good Postfix profile: a bare .NET
        SslStream STARTTLS dialog (greeting, EHLO, STARTTLS, handshake, EHLO, QUIT; raw sockets,
        any certificate accepted; compiled below with Add-Type) against
        Test-MailTls -ComputerName <address>:<port> and Get-RemoteCertificate -StartTls Smtp.
        Runs are interleaved (bare, Test-MailTls, Get-RemoteCertificate, bare, ...) after a
        warm-up; medians. Target: one probe <= 1.5x the bare dialog.
Sweep   SweepCount targets: distinct loopback addresses (NET.101 ... NET.200 of the bed's /24)
        served by bench/delay_proxy.py, which forwards every connection to the good profile.
        Direct = 0 ms delay, delayed = DelayMs each way. Test-MailTls at its default
        ThrottleLimit and at -ThrottleLimit 100, timed inside this session (Measure-Command),
        against a sequential bash loop of
        `openssl s_client -starttls smtp -no-CAfile -no-CApath -no-CAstore` over the same
        targets. Medians of SweepRuns runs. Targets: delayed >= 10x (default ThrottleLimit) and
        >= 20x (ThrottleLimit 100) faster than the loop; direct >= 1.5x.
Import  `pwsh -NoProfile -c exit` against `pwsh -NoProfile -c 'Import-Module <module>'` with
        hyperfine (medians, warm-up runs) when it is installed, else a timed loop.
        Target: Import-Module adds <= 0.3 s. This is also the pwsh start that the in-session
        figures above leave out.
Memory  A child pwsh (bench/Measure-PeakMemory.ps1) runs Test-MailTls over MemoryCount
        targets (the direct proxy's listeners) at the default ThrottleLimit and at 100 and
        reports its VmHWM from /proc/<pid>/status. Peer figure: VmHWM of the same child after
        Import-Module and one probe. Target: <= 250 MB.

Every handshake is counted on both sides; a row with failures carries a warning and its "met"
is "no" (the figures would not compare like with like). Every loop is bounded in count, every
child process in time. The figures of a loaded machine are noisy: take the ones you publish on
a quiet machine.

.EXAMPLE
./bench/Measure-MailTls.ps1

.EXAMPLE
./bench/Measure-MailTls.ps1 -Part Probe, Import -ProbeRuns 50 -JsonPath ./bench-results.json
#>
[CmdletBinding()]
param(
    # Which measurements to run: Probe, Sweep, Import, Memory (a list, or one comma-separated
    # string as `pwsh -File` passes it).
    [string[]] $Part = @('Probe', 'Sweep', 'Import', 'Memory'),
    [ValidateRange(1, 1000)] [int] $ProbeRuns = 30,
    [ValidateRange(0, 100)] [int] $WarmupRuns = 5,
    [ValidateRange(1, 1000)] [int] $SweepCount = 100,
    [ValidateRange(1, 20)] [int] $SweepRuns = 3,
    [ValidateRange(0, 500)] [double] $DelayMs = 25,
    [ValidateRange(1, 1024)] [int] $HighThrottleLimit = 100,
    [ValidateRange(2, 100)] [int] $ImportRuns = 10,
    [ValidateRange(1, 5000)] [int] $MemoryCount = 1000,
    # First port of the proxies' listeners on NET.101 ... NET.200: below Linux's ephemeral
    # range (32768-60999), so that no client socket can hold one of them. The direct proxy
    # uses ProxyPort .. ProxyPort+49, the delayed one ProxyPort+50 .. ProxyPort+99.
    [ValidateRange(1024, 32600)] [int] $ProxyPort = 24000,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../output/TlsTools'),
    [string] $PwshPath,
    # Where the table's rows are also written as JSON (optional).
    [string] $JsonPath,
    # Time the pwsh starts of row c in a loop even when hyperfine is installed.
    [switch] $NoHyperfine,
    # Leave the test bed running at the end even when this script started it.
    [switch] $KeepBed,
    # Also write the rows to the pipeline.
    [switch] $PassThru
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version 3

$Part = @($Part -split ',' | ForEach-Object Trim | Where-Object { $_ })
foreach ($p in $Part) {
    if ($p -notin 'Probe', 'Sweep', 'Import', 'Memory') { throw "Unknown part '$p': use Probe, Sweep, Import or Memory." }
}
if (-not $IsLinux) { throw 'The benchmark needs Linux (the test bed, /proc, bash, openssl).' }
$root = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$ModulePath = (Resolve-Path $ModulePath).Path
$manifest = Join-Path $ModulePath 'TlsTools.psd1'
if (-not (Test-Path $manifest)) { throw "No built module at $ModulePath; run ./build.ps1 -Task Build first." }
if (-not $PwshPath) {
    $PwshPath = @((Get-Command pwsh -CommandType Application -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty Source),
        (Join-Path $HOME '.dotnet/tools/pwsh'), (Join-Path $PSHOME 'pwsh')) |
        Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
}
$python = if ($env:TLSTOOLS_BED_PYTHON) { $env:TLSTOOLS_BED_PYTHON } else { '/usr/bin/python3' }
$loadBefore = (Get-Content /proc/loadavg -Raw).Trim()
$work = Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-bench-$PID"
$null = New-Item -ItemType Directory -Path $work -Force

# ---------------------------------------------------------------------------------------------
# Measuring functions
# ---------------------------------------------------------------------------------------------
function Get-Median([double[]] $Values) {
    if ($Values.Count -eq 0) { return [double]::NaN }
    $s = [double[]] ($Values | Sort-Object)
    $m = [math]::Floor($s.Count / 2)
    if ($s.Count % 2) { $s[$m] } else { ($s[$m - 1] + $s[$m]) / 2 }
}

$script:rows = [System.Collections.Generic.List[object]]::new()
function Add-Row {
    param([string] $Measure, [string] $Figure, [string] $Peer, [double] $Ratio, [string] $RatioText,
        [string] $Target, [bool] $Met, [string] $Checks, [int] $Failures, [hashtable] $Values, [switch] $Informational)
    if ($Failures -gt 0) {
        Write-Warning "${Measure}: $Failures handshake(s) or run(s) failed ($Checks); the figures do not compare like with like."
    }
    $script:rows.Add([pscustomobject]@{
            Measure  = $Measure
            Figure   = $Figure
            Peer     = $Peer
            Ratio    = $RatioText
            Target   = $Target
            Met      = if ($Informational) { '-' } elseif ($Met -and $Failures -eq 0) { 'yes' } else { 'no' }
            Checks   = $Checks
            Failures = $Failures
            Values   = $Values
        })
}

function Format-Ms([double] $Seconds) { '{0:N1} ms' -f ($Seconds * 1000) }
function Format-S([double] $Seconds) { '{0:N2} s' -f $Seconds }

# Starts bench/delay_proxy.py and waits (bounded) for its "ready" line.
function Start-DelayProxy([string] $Name, [int] $FirstPort, [int] $PortsPerAddress, [double] $Delay) {
    $out = Join-Path $work "$Name.out"
    $err = Join-Path $work "$Name.err"
    $proxyArgs = @((Join-Path $PSScriptRoot 'delay_proxy.py'),
        '--listen-address', $script:firstProxyAddress, '--address-count', $script:proxyAddressCount,
        '--listen-port', $FirstPort, '--count', $PortsPerAddress, '--delay-ms', $Delay,
        '--max-seconds', 1800) + ($script:upstream | ForEach-Object { '--target', $_ })
    $p = Start-Process -FilePath $python -ArgumentList $proxyArgs -PassThru -RedirectStandardOutput $out -RedirectStandardError $err
    $script:proxies.Add($p)
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ((Test-Path $out) -and ((Get-Content $out -Raw) -match '^ready')) { return $p }
        if ($p.HasExited) { break }
        Start-Sleep -Milliseconds 100
    }
    throw "The $Name proxy did not start: $(if (Test-Path $err) { Get-Content $err -Raw })"
}

# Target i of a proxy: address NET.(101 + i % 100), port FirstPort + floor(i / 100).
function Get-ProxyTargets([int] $Count, [int] $FirstPort) {
    foreach ($i in 0..($Count - 1)) {
        '{0}.{1}:{2}' -f $bed.net, (101 + $i % $script:proxyAddressCount), ($FirstPort + [math]::Floor($i / $script:proxyAddressCount))
    }
}

# A sequential openssl loop in one bash process (no pwsh process start per target), bounded by
# `timeout`. Each run's output is kept and checked afterwards, outside the timed part.
function Measure-OpenSslLoop([string[]] $Targets) {
    $log = Join-Path $work 'openssl.log'
    $loop = 'for e in "$@"; do echo "=== $e"; openssl s_client -connect "$e" -starttls smtp -no-CAfile -no-CApath -no-CAstore </dev/null 2>&1; done >"$0"'
    $bound = [int] (60 + $Targets.Count * (2 + 20 * $DelayMs / 1000))
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    & timeout $bound bash -c $loop $log @Targets
    $seconds = $watch.Elapsed.TotalSeconds
    $rc = $LASTEXITCODE
    $blocks = (Get-Content $log -Raw) -split '(?m)^=== ' | Where-Object { $_ }
    $ok = @($blocks | Where-Object { $_ -match 'Cipher is (?!\(NONE\))' }).Count
    if ($rc -ne 0) { Write-Warning "The openssl loop ended with exit code $rc (124: it ran out of its $bound s)." }
    [pscustomobject]@{ Seconds = $seconds; Succeeded = $ok; Failed = $Targets.Count - $ok }
}

function Measure-Sweep([string[]] $Targets, [int] $Throttle) {
    $p = @{ ComputerName = $Targets; TrustedRootCertificate = $rootCert; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'sweepErrors' }
    if ($Throttle -gt 0) { $p.ThrottleLimit = $Throttle }
    $sweepErrors = $null
    $results = $null
    $t = Measure-Command { $results = @(Test-MailTls @p) }
    $ok = @($results | Where-Object TlsEstablished).Count
    [pscustomobject]@{ Seconds = $t.TotalSeconds; Succeeded = $ok; Failed = $Targets.Count - $ok; Errors = @($sweepErrors).Count }
}

# ---------------------------------------------------------------------------------------------
# The bare dialog: the least a STARTTLS probe has to do, with no parsing beyond reply codes.
# ---------------------------------------------------------------------------------------------
if (-not ('TlsToolsBench.BareStartTls' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace TlsToolsBench
{
    public static class BareStartTls
    {
        static readonly byte[] Ehlo = Encoding.ASCII.GetBytes("EHLO bench.invalid\r\n");
        static readonly byte[] StartTls = Encoding.ASCII.GetBytes("STARTTLS\r\n");
        static readonly byte[] Quit = Encoding.ASCII.GetBytes("QUIT\r\n");

        // Greeting, EHLO, STARTTLS, handshake (any certificate), EHLO, QUIT. Returns the
        // negotiated protocol; throws on anything unexpected.
        public static string Run(string address, int port, int timeoutMs)
        {
            var ip = IPAddress.Parse(address);
            using (var tcp = new TcpClient(ip.AddressFamily) { NoDelay = true, ReceiveTimeout = timeoutMs, SendTimeout = timeoutMs })
            {
                if (!tcp.ConnectAsync(ip, port).Wait(timeoutMs)) throw new TimeoutException("connect");
                var net = tcp.GetStream();
                var buffer = new byte[8192];
                Expect(net, buffer, "220");
                net.Write(Ehlo, 0, Ehlo.Length);
                string caps = Expect(net, buffer, "250");
                if (caps.IndexOf("STARTTLS", StringComparison.OrdinalIgnoreCase) < 0) throw new InvalidOperationException("STARTTLS not offered");
                net.Write(StartTls, 0, StartTls.Length);
                Expect(net, buffer, "220");
                using (var ssl = new SslStream(net, false, (s, c, ch, e) => true))
                {
                    ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
                    {
                        TargetHost = string.Empty,
                        EnabledSslProtocols = SslProtocols.None,
                        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                    });
                    ssl.Write(Ehlo, 0, Ehlo.Length);
                    Expect(ssl, buffer, "250");
                    ssl.Write(Quit, 0, Quit.Length);
                    Expect(ssl, buffer, "221");
                    return ssl.SslProtocol.ToString();
                }
            }
        }

        // Reads one (possibly multi-line) reply; the server sends nothing unasked, so reading
        // in chunks never takes bytes that belong to the next step.
        static string Expect(System.IO.Stream stream, byte[] buffer, string code)
        {
            var text = new StringBuilder();
            while (true)
            {
                int n = stream.Read(buffer, 0, buffer.Length);
                if (n <= 0) throw new InvalidOperationException("connection closed, expected " + code);
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
                if (text.Length > 65536) throw new InvalidOperationException("reply too long");
                string s = text.ToString();
                if (!s.EndsWith("\r\n", StringComparison.Ordinal)) continue;
                int previous = s.Length >= 3 ? s.LastIndexOf("\r\n", s.Length - 3, StringComparison.Ordinal) : -1;
                int start = previous < 0 ? 0 : previous + 2;
                if (s.Length - start >= 4 && s[start + 3] == ' ')
                {
                    if (!s.StartsWith(code, StringComparison.Ordinal) || string.CompareOrdinal(s, start, code, 0, 3) != 0)
                        throw new InvalidOperationException("expected " + code + ": " + s.Trim());
                    return s;
                }
            }
        }
    }
}
'@
}

# ---------------------------------------------------------------------------------------------
# Test bed, module, proxies
# ---------------------------------------------------------------------------------------------
$null = & bash "$root/tests/bed/status.sh" *>&1
$bedWasUp = $LASTEXITCODE -eq 0
$script:proxies = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
try {
    # start.sh returns at once when the bed is up; either way it prints the path of bed.json.
    if (-not $bedWasUp) { Write-Host 'Starting the test bed ...' }
    $startLog = Join-Path $work 'bed-start.log'
    $bedJson = & bash "$root/tests/bed/start.sh" 2>$startLog
    if ($LASTEXITCODE -ne 0) { throw "The test bed could not be started (run as root?):`n$(Get-Content $startLog -Raw)" }
    $bedJson = @($bedJson | Where-Object { $_ -like '*bed.json' })[-1]
    $bed = Get-Content $bedJson -Raw | ConvertFrom-Json
    $bedDir = Split-Path $bedJson
    $good = $bed.smtp.good
    $rootCert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($bed.ca.rootCert)
    # The good profile listens on NET.1:smtpPort and 127.0.0.1:loopbackPort; the proxies use both,
    # so that Postfix's per-listener process limit (100) is not what a sweep at 100 measures.
    $script:upstream = @("$($good.address):$($good.port)", "127.0.0.1:$($good.loopbackPort)")
    $script:firstProxyAddress = "$($bed.net).101"
    $script:proxyAddressCount = 100

    Import-Module $manifest
    $defaultThrottle = try { [Activator]::CreateInstance((Get-Command Test-MailTls).ImplementingType).ThrottleLimit } catch { $null }
    $defaultLabel = if ($defaultThrottle) { "default ($defaultThrottle)" } else { 'default' }
    Write-Host ("Module: {0} {1}; pwsh {2}; {3} cores; bed {4} (net {5})" -f $manifest, (Get-Module TlsTools).Version, $PSVersionTable.PSVersion, [Environment]::ProcessorCount, $bedDir, $bed.net)

    # ---- a. one probe against the bare dialog -----------------------------------------------
    if ('Probe' -in $Part) {
        Write-Host "Probe: $WarmupRuns warm-up and $ProbeRuns timed runs each against $($good.address):$($good.port) ..."
        $target = "$($good.address):$($good.port)"
        $bare = [System.Collections.Generic.List[double]]::new()
        $ours = [System.Collections.Generic.List[double]]::new()
        $cert = [System.Collections.Generic.List[double]]::new()
        $revoc = [System.Collections.Generic.List[double]]::new()
        $fail = @{ bare = 0; ours = 0; cert = 0; revoc = 0 }
        $bareProtocol = $null; $oursProtocol = $null
        $freq = [double] [System.Diagnostics.Stopwatch]::Frequency
        foreach ($i in 1..($WarmupRuns + $ProbeRuns)) {
            $timed = $i -gt $WarmupRuns
            $t0 = [System.Diagnostics.Stopwatch]::GetTimestamp()
            try { $bareProtocol = [TlsToolsBench.BareStartTls]::Run($good.address, $good.port, 15000) }
            catch {
                if (-not $timed) { throw "The bare dialog failed in the warm-up: $($_.Exception.GetBaseException().Message)" }
                $fail.bare++
            }
            $t1 = [System.Diagnostics.Stopwatch]::GetTimestamp()
            # The probe does the bare dialog's work (and judges it); the revocation check, which adds a
            # CRL fetch and its verification, is timed on its own below.
            $r = Test-MailTls -ComputerName $target -TrustedRootCertificate $rootCert -SkipRevocationCheck -ErrorAction SilentlyContinue
            $t2 = [System.Diagnostics.Stopwatch]::GetTimestamp()
            $c = @(Get-RemoteCertificate -ComputerName $good.address -Port $good.port -StartTls Smtp -ErrorAction SilentlyContinue)
            $t3 = [System.Diagnostics.Stopwatch]::GetTimestamp()
            $v = Test-MailTls -ComputerName $target -TrustedRootCertificate $rootCert -ErrorAction SilentlyContinue
            $t4 = [System.Diagnostics.Stopwatch]::GetTimestamp()
            if (-not $timed) { continue }
            if (-not ($r -and $r.TlsEstablished)) { $fail.ours++ } else { $oursProtocol = "$($r.Protocol)" }
            if ($c.Count -lt 1) { $fail.cert++ }
            if (-not ($v -and $v.TlsEstablished -and "$($v.RevocationStatus)" -eq 'Good')) { $fail.revoc++ }
            $bare.Add(($t1 - $t0) / $freq); $ours.Add(($t2 - $t1) / $freq); $cert.Add(($t3 - $t2) / $freq); $revoc.Add(($t4 - $t3) / $freq)
        }
        $mBare = Get-Median $bare; $mOurs = Get-Median $ours; $mCert = Get-Median $cert; $mRevoc = Get-Median $revoc
        $checks = 'failed runs: bare {0}, ours {1} of {2}'
        # Like with like: both sides should have negotiated the same TLS version.
        if ($oursProtocol -and $bareProtocol -and ($oursProtocol -replace '[^0-9]') -ne ($bareProtocol -replace '[^0-9]')) {
            Write-Warning "The bare dialog negotiated $bareProtocol, Test-MailTls $oursProtocol."
        }
        $checks += "; $bareProtocol"
        Add-Row -Measure 'a. 1 probe: Test-MailTls -SkipRevocationCheck / bare dialog' -Figure (Format-Ms $mOurs) -Peer (Format-Ms $mBare) `
            -Ratio ($mOurs / $mBare) -RatioText ('{0:N2}x' -f ($mOurs / $mBare)) -Target '<= 1.5x' -Met (($mOurs / $mBare) -le 1.5) `
            -Checks ($checks -f $fail.bare, $fail.ours, $ProbeRuns) -Failures ($fail.bare + $fail.ours) `
            -Values @{ seconds = $mOurs; peerSeconds = $mBare; runs = $ProbeRuns }
        Add-Row -Measure 'a. 1 probe and its revocation check: Test-MailTls / bare dialog' -Figure (Format-Ms $mRevoc) -Peer (Format-Ms $mBare) `
            -Ratio ($mRevoc / $mBare) -RatioText ('{0:N2}x' -f ($mRevoc / $mBare)) -Target 'reported' -Informational `
            -Checks (($checks -f $fail.bare, $fail.revoc, $ProbeRuns) + '; RevocationStatus Good') -Failures ($fail.bare + $fail.revoc) `
            -Values @{ seconds = $mRevoc; peerSeconds = $mBare; runs = $ProbeRuns }
        Add-Row -Measure 'a. 1 probe: Get-RemoteCertificate / bare dialog' -Figure (Format-Ms $mCert) -Peer (Format-Ms $mBare) `
            -Ratio ($mCert / $mBare) -RatioText ('{0:N2}x' -f ($mCert / $mBare)) -Target '<= 1.5x' -Met (($mCert / $mBare) -le 1.5) `
            -Checks ($checks -f $fail.bare, $fail.cert, $ProbeRuns) -Failures ($fail.bare + $fail.cert) `
            -Values @{ seconds = $mCert; peerSeconds = $mBare; runs = $ProbeRuns }
    }

    # ---- b. sweep against the openssl loop, direct and delayed -------------------------------
    $directPorts = [math]::Ceiling([math]::Max($SweepCount, $MemoryCount) / $script:proxyAddressCount)
    if (('Sweep' -in $Part) -or ('Memory' -in $Part)) {
        $null = Start-DelayProxy 'direct-proxy' $ProxyPort $directPorts 0
    }
    if ('Sweep' -in $Part) {
        $delayedPort = $ProxyPort + 50
        $null = Start-DelayProxy 'delayed-proxy' $delayedPort ([math]::Ceiling($SweepCount / $script:proxyAddressCount)) $DelayMs
        $sets = [ordered]@{
            direct  = @(Get-ProxyTargets $SweepCount $ProxyPort)
            delayed = @(Get-ProxyTargets $SweepCount $delayedPort)
        }
        # A real MX is a warm, long-running server: let Postfix start the smtpd processes that
        # this much concurrency needs, and let the first-use costs of both clients pass.
        Write-Host "Sweep: warm-up ..."
        $null = Measure-Sweep $sets.direct $HighThrottleLimit
        $null = Measure-Sweep $sets.delayed $HighThrottleLimit
        $null = Measure-OpenSslLoop $sets.direct[0..([math]::Min(9, $SweepCount - 1))]
        $m = @{}
        foreach ($run in 1..$SweepRuns) {
            foreach ($set in $sets.Keys) {
                Write-Host "Sweep: run $run of $SweepRuns, $set ($SweepCount targets) ..."
                foreach ($who in 'openssl', 'default', 'high') {
                    $res = switch ($who) {
                        'openssl' { Measure-OpenSslLoop $sets[$set] }
                        'default' { Measure-Sweep $sets[$set] 0 }
                        'high' { Measure-Sweep $sets[$set] $HighThrottleLimit }
                    }
                    $key = "$set/$who"
                    if (-not $m.ContainsKey($key)) { $m[$key] = [System.Collections.Generic.List[object]]::new() }
                    $m[$key].Add($res)
                }
            }
        }
        foreach ($set in $sets.Keys) {
            $loop = $m["$set/openssl"]
            $loopS = Get-Median ($loop | ForEach-Object Seconds)
            $loopFail = ($loop | Measure-Object Failed -Sum).Sum
            foreach ($who in 'default', 'high') {
                $ourS = Get-Median ($m["$set/$who"] | ForEach-Object Seconds)
                $ourFail = ($m["$set/$who"] | Measure-Object Failed -Sum).Sum
                $need = if ($set -eq 'direct') { 1.5 } elseif ($who -eq 'default') { 10 } else { 20 }
                $label = if ($who -eq 'default') { $defaultLabel } else { "$HighThrottleLimit" }
                $where = if ($set -eq 'direct') { 'direct' } else { "$DelayMs ms each way" }
                $speedup = $loopS / $ourS
                Add-Row -Measure "b. sweep $SweepCount, $where, ThrottleLimit ${label} / openssl loop" `
                    -Figure (Format-S $ourS) -Peer (Format-S $loopS) -Ratio $speedup -RatioText ('{0:N1}x faster' -f $speedup) `
                    -Target ('>= {0}x faster' -f $need) -Met ($speedup -ge $need) `
                    -Checks ('failed handshakes over {0} runs: ours {1}, openssl {2}' -f $SweepRuns, $ourFail, $loopFail) `
                    -Failures ($ourFail + $loopFail) -Values @{ seconds = $ourS; peerSeconds = $loopS; runs = $SweepRuns; targets = $SweepCount }
            }
        }
    }

    # ---- c. Import-Module cost ---------------------------------------------------------------
    if ('Import' -in $Part) {
        Write-Host "Import: $ImportRuns runs each of a bare pwsh start and one that imports the module ..."
        # The module path is quoted for pwsh, the pwsh path and the command for hyperfine's
        # shell-style splitting (-N: no shell between hyperfine and pwsh).
        $importScript = "Import-Module '$($manifest -replace "'", "''")' -ErrorAction Stop"
        $bareCmd = "'$PwshPath' -NoProfile -c exit"
        $importCmd = "'$PwshPath' -NoProfile -c `"$importScript`""
        & $PwshPath -NoProfile -c $importScript
        if ($LASTEXITCODE -ne 0) { throw "pwsh could not import $manifest" }
        $hyperfine = if (-not $NoHyperfine) { Get-Command hyperfine -CommandType Application -ErrorAction Ignore }
        if ($hyperfine) {
            $json = Join-Path $work 'hyperfine.json'
            & timeout 600 hyperfine -N --style none --warmup 2 --runs $ImportRuns --export-json $json $bareCmd $importCmd | Out-Null
            if ($LASTEXITCODE -ne 0) { throw "hyperfine failed (exit code $LASTEXITCODE)." }
            $hf = (Get-Content $json -Raw | ConvertFrom-Json).results
            $bareS = $hf[0].median; $importS = $hf[1].median; $how = 'hyperfine'
        }
        else {
            $b = [System.Collections.Generic.List[double]]::new(); $im = [System.Collections.Generic.List[double]]::new()
            foreach ($i in 1..($ImportRuns + 2)) {
                $w = [System.Diagnostics.Stopwatch]::StartNew()
                & timeout 60 $PwshPath -NoProfile -c exit
                $t1 = $w.Elapsed.TotalSeconds
                $w.Restart()
                & timeout 60 $PwshPath -NoProfile -c $importScript
                $t2 = $w.Elapsed.TotalSeconds
                if ($i -gt 2) { $b.Add($t1); $im.Add($t2) }
            }
            $bareS = Get-Median $b; $importS = Get-Median $im; $how = 'timed loop'
        }
        $added = $importS - $bareS
        Add-Row -Measure 'c. pwsh + Import-Module / bare pwsh start' -Figure (Format-S $importS) -Peer (Format-S $bareS) `
            -Ratio ($importS / $bareS) -RatioText ('+{0:N2} s ({1:N2}x)' -f $added, ($importS / $bareS)) -Target 'adds <= 0.30 s' `
            -Met ($added -le 0.3) -Checks "medians of $ImportRuns runs ($how)" -Failures 0 `
            -Values @{ seconds = $importS; peerSeconds = $bareS; addedSeconds = $added; runs = $ImportRuns }
    }

    # ---- d. peak memory of a large run -------------------------------------------------------
    if ('Memory' -in $Part) {
        $targetsFile = Join-Path $work 'memory-targets.txt'
        Get-ProxyTargets $MemoryCount $ProxyPort | Set-Content $targetsFile
        foreach ($throttle in 0, $HighThrottleLimit) {
            $label = if ($throttle -eq 0) { $defaultLabel } else { "$throttle" }
            Write-Host "Memory: $MemoryCount targets in a child pwsh, ThrottleLimit $label ..."
            $childArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Measure-PeakMemory.ps1'),
                '-ModulePath', $ModulePath, '-TargetsFile', $targetsFile, '-WarmupTarget', "$($good.address):$($good.port)",
                '-TrustedRootCertificate', $bed.ca.rootCert, '-ThrottleLimit', $throttle)
            $out = & timeout 600 $PwshPath @childArgs
            if ($LASTEXITCODE -ne 0) { throw "The memory child failed (exit code $LASTEXITCODE): $out" }
            $mem = ($out | Select-Object -Last 1) | ConvertFrom-Json
            $peakMb = $mem.peakKb / 1024; $baseMb = $mem.baselineKb / 1024
            $failed = $mem.targets - $mem.succeeded
            Add-Row -Measure "d. VmHWM, $MemoryCount targets, ThrottleLimit $label / after 1 probe" `
                -Figure ('{0:N0} MB' -f $peakMb) -Peer ('{0:N0} MB' -f $baseMb) -Ratio ($peakMb / $baseMb) -RatioText ('{0:N2}x' -f ($peakMb / $baseMb)) `
                -Target '<= 250 MB' -Met ($peakMb -le 250) `
                -Checks ('{0} of {1} handshakes succeeded in {2:N1} s' -f $mem.succeeded, $mem.targets, $mem.seconds) -Failures $failed `
                -Values @{ peakMb = $peakMb; baselineMb = $baseMb; seconds = $mem.seconds; targets = $mem.targets }
        }
    }
}
finally {
    foreach ($p in $script:proxies) {
        if (-not $p.HasExited) { Stop-Process -Id $p.Id -ErrorAction SilentlyContinue }
        $null = $p.WaitForExit(10000)
    }
    if (-not $bedWasUp -and -not $KeepBed) {
        Write-Host 'Stopping the test bed ...'
        $null = & bash "$root/tests/bed/stop.sh" 2>&1
    }
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}

$rows | Format-Table Measure, Figure, Peer, Ratio, Target, Met, Checks -Wrap | Out-String -Width 250 | Write-Host
$loadAfter = (Get-Content /proc/loadavg -Raw).Trim()
Write-Host 'Figures a and b are taken inside this pwsh session; row c is the pwsh start they leave out.'
Write-Host ('{0:u}; {1} cores; /proc/loadavg before: {2}; after: {3}' -f [DateTime]::UtcNow, [Environment]::ProcessorCount, $loadBefore, $loadAfter)
if ([double] ($loadAfter -split ' ')[1] -gt [Environment]::ProcessorCount) {
    Write-Warning 'The machine was busy (5-minute load above the number of cores): the figures are noisy; take the ones you publish on a quiet machine.'
}
$failedRows = @($rows | Where-Object Failures -gt 0).Count
if ($failedRows) { Write-Warning "$failedRows row(s) had failed handshakes or runs: see Checks." }
if ($JsonPath) {
    [pscustomobject]@{
        createdUtc = [DateTime]::UtcNow.ToString('o')
        cores      = [Environment]::ProcessorCount
        loadBefore = $loadBefore
        loadAfter  = $loadAfter
        pwsh       = "$($PSVersionTable.PSVersion)"
        module     = "$((Get-Module TlsTools).Version)"
        parameters = @{ ProbeRuns = $ProbeRuns; SweepCount = $SweepCount; SweepRuns = $SweepRuns; DelayMs = $DelayMs; HighThrottleLimit = $HighThrottleLimit; ImportRuns = $ImportRuns; MemoryCount = $MemoryCount }
        rows       = $rows
    } | ConvertTo-Json -Depth 5 | Set-Content $JsonPath
}
if ($PassThru) { $rows }
