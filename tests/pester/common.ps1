# Shared set-up for the Pester suite: dot-source from a BeforeAll block.
#
# The module under test is the built one (output/TlsTools by default, or TLSTOOLS_MODULE_PATH),
# never the source tree. Tests that need the loopback test bed call Get-TestBed, which starts it
# when this process may (root, packages present) and otherwise returns $null so the test skips
# with a visible reason.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ModulePath = if ($env:TLSTOOLS_MODULE_PATH) { $env:TLSTOOLS_MODULE_PATH } else { Join-Path $script:RepoRoot 'output/TlsTools' }

if (-not (Get-Module TlsTools)) {
    Import-Module (Join-Path $script:ModulePath 'TlsTools.psd1') -ErrorAction Stop
}

function Get-TestBedStatePath {
    $dir = if ($env:TLSTOOLS_BED_DIR) { $env:TLSTOOLS_BED_DIR } else { '/tmp/tlstools-bed' }
    Join-Path $dir 'bed.json'
}

function Test-TestBedDisabled {
    <# TLSTOOLS_BED_SKIP switches the bed off (any value but empty or 0). #>
    $env:TLSTOOLS_BED_SKIP -and $env:TLSTOOLS_BED_SKIP -ne '0'
}

function Get-TestBed {
    <#
    Returns the bed's state (from bed.json), starting the bed first if it is not up, or $null
    when it is switched off or cannot start; Get-TestBedSkipReason then says why.
    #>
    $state = Get-TestBedStatePath
    $start = Join-Path $script:RepoRoot 'tests/bed/start.sh'
    $script:TestBedStartError = $null
    if (Test-TestBedDisabled) { return $null }
    if (-not (Test-Path $start)) { $script:TestBedStartError = 'tests/bed/start.sh is missing'; return $null }
    $output = @(& bash $start 2>&1)
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $state)) {
        $script:TestBedStartError = ($output | Select-Object -Last 1) -as [string]
        return $null
    }
    Get-Content $state -Raw | ConvertFrom-Json
}

function Get-TestBedSkipReason {
    if (Test-TestBedDisabled) { return "the test bed is disabled (TLSTOOLS_BED_SKIP=$env:TLSTOOLS_BED_SKIP)" }
    $why = if ($script:TestBedStartError) { ": $($script:TestBedStartError.Trim())" } else { '' }
    "the loopback test bed could not be started$why (run tests/bed/install-deps.sh as root, then tests/bed/start.sh)"
}

function Get-OpenSslThumbprint {
    <#
    Returns the SHA-1 thumbprints of the chain `openssl s_client -showcerts` sees, in the order
    the server sent it, as the independent reference for Get-RemoteCertificate.
    #>
    param([string] $Address = '127.0.0.1', [int] $Port, [switch] $StartTlsSmtp)
    $args = @('s_client', '-connect', "${Address}:$Port", '-showcerts', '-no-CAfile', '-no-CApath', '-no-CAstore', '-cipher', 'ALL:@SECLEVEL=0')
    if ($StartTlsSmtp) { $args += @('-starttls', 'smtp') }
    $text = ('' | & timeout 10 openssl @args 2>$null) -join "`n"
    $blocks = [regex]::Matches($text, '-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----')
    foreach ($b in $blocks) {
        $body = $b.Value -replace '-----(BEGIN|END) CERTIFICATE-----', '' -replace '\s', ''
        [System.Security.Cryptography.X509Certificates.X509Certificate2]::new([Convert]::FromBase64String($body)).Thumbprint
    }
}

function Get-BedDnsServer {
    param($Bed)
    '{0}:{1}' -f $Bed.dns.address, $Bed.dns.port
}

function Get-BedStrictTarget {
    <#
    The parameters that point Test-MailTls at the bed and at nothing else: its DNS server, its
    SMTP port, its root as the only trust anchor, IPv4, a 10 s timeout.
    #>
    param($Bed)
    @{
        DnsServer              = Get-BedDnsServer $Bed
        Port                   = $Bed.smtpPort
        TrustedRootCertificate = $Bed.ca.rootCert
        IgnoreSystemTrustStore = $true
        TimeoutSeconds         = 10
        AddressFamily          = 'IPv4'
    }
}

function Send-BedMessage {
    <#
    Sends one message through the bed's relay (only ever to its loopback listener) to
    bob@<Domain> with swaks (-Swaks, the command) and returns the delivered file, waiting at
    most 30 s for the sink's delivery. The subject carries a unique token to find the file.
    #>
    param($Bed, $Swaks, [string] $Name, [string] $Domain, [switch] $Tls, [string] $Helo = 'client.partner.test')
    $token = 'path-{0}-{1}' -f $Name, [guid]::NewGuid().ToString('N').Substring(0, 12)
    $arguments = @('--server', ('{0}:{1}' -f $Bed.path.relay.address, $Bed.path.relay.port), '--helo', $Helo,
        '--from', 'alice@partner.test', '--to', "bob@$Domain", '--header', "Subject: $token", '--timeout', '20')
    if ($Tls) { $arguments += '--tls' }
    $out = & timeout 60 $Swaks.Source @arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "swaks failed ($LASTEXITCODE): $($out | Select-Object -Last 5 | Out-String)" }
    $deadline = [datetime]::UtcNow.AddSeconds(30)
    $new = Join-Path $Bed.path.maildir 'new'
    while ([datetime]::UtcNow -lt $deadline) {
        if (Test-Path $new) {
            $file = Get-ChildItem $new -File | Where-Object { Select-String -Path $_.FullName -Pattern "^Subject: $token$" -Quiet } | Select-Object -First 1
            if ($file) { return $file }
        }
        Start-Sleep -Milliseconds 100
    }
    throw "the message $token to $Domain was not delivered within 30 s (see $($Bed.path.sink.log))"
}

function New-ModuleRunspace {
    <#
    An open runspace with the module under test imported, for a command a test stops (Ctrl+C).
    The module is imported by a call of its own: a batch (AddStatement) that is stopped can
    still be reading the runspace's variables on a pool thread while it closes, which ends
    the whole process.
    #>
    $runspace = [runspacefactory]::CreateRunspace()
    $runspace.Open()
    $import = [powershell]::Create()
    try {
        $import.Runspace = $runspace
        $null = $import.AddCommand('Import-Module').AddParameter('Name', (Join-Path $script:ModulePath 'TlsTools.psd1')).Invoke()
    }
    finally { $import.Dispose() }
    $runspace
}

function Invoke-StoppedOnSilentServer {
    <#
    Runs a TlsTools command in a second runspace against a loopback server that accepts
    connections and never speaks, presses Ctrl+C (PowerShell.Stop) once the probe is really in
    flight (the server has accepted its connection: the command is waiting for a greeting), and
    reports whether it was still running, how many connections the server had accepted, how long
    the stop took, and the final state. $Parameters is a script block that gets the silent
    server's port and returns the parameters. Waiting for the connection is bounded by
    $AcceptTimeoutSeconds (module import in the runspace included).
    #>
    param([string] $Command, [scriptblock] $Parameters, [int] $AcceptTimeoutSeconds = 30)
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $accepted = [System.Collections.Generic.List[System.Net.Sockets.TcpClient]]::new()
    $runspace = New-ModuleRunspace
    $ps = $null
    try {
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        $null = $ps.AddCommand($Command).AddParameters((& $Parameters $listener.LocalEndpoint.Port))
        $async = $ps.BeginInvoke()
        $deadline = [datetime]::UtcNow.AddSeconds($AcceptTimeoutSeconds)
        while ($accepted.Count -eq 0 -and -not $async.IsCompleted -and [datetime]::UtcNow -lt $deadline) {
            if ($listener.Pending()) { $accepted.Add($listener.AcceptTcpClient()) } else { Start-Sleep -Milliseconds 20 }
        }
        # Take whatever else has connected by now (the other targets of the same command).
        while ($listener.Pending()) { $accepted.Add($listener.AcceptTcpClient()) }
        $runningBeforeStop = -not $async.IsCompleted
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $stopSeconds = $watch.Elapsed.TotalSeconds
        $null = $async.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(10))
        [pscustomobject]@{
            RunningBeforeStop   = $runningBeforeStop
            ConnectionsAccepted = $accepted.Count
            StopSeconds         = $stopSeconds
            State               = $ps.InvocationStateInfo.State
        }
    }
    finally {
        if ($ps) { $ps.Dispose() }
        $runspace.Dispose()
        foreach ($c in $accepted) { $c.Dispose() }
        $listener.Stop()
    }
}

function Get-BedLogOffset {
    <# The current size of a bed log (read from there on with Get-BedLogLine). #>
    param([string] $Path)
    if (Test-Path $Path) { (Get-Item $Path).Length } else { 0 }
}

function Get-BedLogLine {
    <# The lines a bed log gained since Get-BedLogOffset returned $Offset. #>
    param([string] $Path, [long] $Offset)
    if (-not (Test-Path $Path)) { return }
    $stream = [System.IO.File]::Open($Path, 'Open', 'Read', 'ReadWrite')
    try {
        $null = $stream.Seek([Math]::Min($Offset, $stream.Length), 'Begin')
        $reader = [System.IO.StreamReader]::new($stream)
        $reader.ReadToEnd() -split "`n" | Where-Object { $_ }
    }
    finally { $stream.Dispose() }
}
