# The promise of every network cmdlet, held against hostile servers, bad DNS, bad HTTP and bad
# input on real loopback sockets (tests/bed/lib/net_faults.py and smtp_faults.py): every input
# item ends in exactly one result or one non-terminating error record, within -TimeoutSeconds plus
# a small margin; nothing terminates the command; the other items go on; memory stays bounded;
# Ctrl+C ends the command within a second, also under load.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $Bed
    # The slack over -TimeoutSeconds an item may take (a loaded 2-core machine, process start-up).
    $script:Margin = 1.5
    if (-not $NoBed) {
        $script:NF = $Bed.netFaults
        $script:P = $NF.ports
        $script:Dns = "127.0.0.1:$($P.dns)"
        $script:SilentDns = "127.0.0.1:$($P.silentdns)"
        $script:Root = $Bed.ca.rootCert
        $script:Http = "http://127.0.0.1:$($P.http)"
        $script:Good = "127.0.0.1:$($Bed.smtp.good.loopbackPort)"
        if (-not $Bed.smtp.good.loopbackPort) { $script:Good = "127.0.0.1:$([int]$Bed.portBase + 26)" }
    }

    function Invoke-Outcome {
        <#
        Runs a command and sorts what it wrote: objects, non-terminating error records (their
        ErrorIds), whether it terminated, and the wall time.
        #>
        param([scriptblock] $Command)
        $ErrorActionPreference = 'Continue'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $terminated = $null
        try { $all = @(& $Command 2>&1) }
        catch { $all = @(); $terminated = $_ }
        $seconds = $watch.Elapsed.TotalSeconds
        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        [pscustomobject]@{
            Objects    = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
            Errors     = $errors
            ErrorIds   = @($errors | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] })
            Count      = $all.Count
            Terminated = $terminated
            Seconds    = $seconds
        }
    }

    function Get-FaultStats {
        Invoke-RestMethod -Uri "$Http/stats" -NoProxy -TimeoutSec 5
    }
}

Describe 'DNS faults' {
    It 'Test-MailTls: <Name> ends in <Kind> <Id> on time' -TestCases @(
        @{ Name = 'nxdomain'; Kind = 'error'; Id = 'DomainNotFound' }
        @{ Name = 'servfail'; Kind = 'error'; Id = 'DnsLookupFailed' }
        @{ Name = 'refused'; Kind = 'error'; Id = 'DnsLookupFailed' }
        @{ Name = 'silent'; Kind = 'error'; Id = 'DnsLookupFailed' }
        # The host's own look-up and the domain's DNS stage share the deadline: either may end it.
        @{ Name = 'mxsilent'; Kind = 'error'; Id = 'DnsLookupFailed|MxHostNotResolved' }
        @{ Name = 'nullmx'; Kind = 'result'; Id = '' }
        @{ Name = 'truncated'; Kind = 'result'; Id = '' }
        @{ Name = 'mxcname'; Kind = 'result'; Id = '' }
        @{ Name = 'mxip'; Kind = 'result'; Id = '' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Test-MailTls -DomainName "$Name.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 3 -SkipRevocationCheck }
        $o.Terminated | Should -BeNullOrEmpty
        $o.Count | Should -Be 1
        if ($Kind -eq 'error') {
            $o.ErrorIds.Count | Should -Be 1
            $o.ErrorIds[0] | Should -Match "^($Id)$"
            $o.Errors[0].TargetObject | Should -Match "^($Name|host\.silent)\.$([regex]::Escape($NF.zone))$"
        }
        else {
            $o.Objects.Count | Should -Be 1
            $o.Objects[0].Domain | Should -Be "$Name.$($NF.zone)"
        }
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Test-MailTls: a truncated UDP answer is asked again over TCP and the MX is probed' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $offset = Get-BedLogOffset $NF.log
        $o = Invoke-Outcome { Test-MailTls -DomainName "truncated.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 5 -SkipRevocationCheck }
        $o.Objects[0].MxHost | Should -Be "mx.truncated.$($NF.zone)"
        $o.Objects[0].TlsEstablished | Should -BeTrue
        $log = @(Get-BedLogLine $NF.log $offset)
        @($log -match "udp truncated\.$([regex]::Escape($NF.zone)) 15: .* TC").Count | Should -BeGreaterOrEqual 1
        @($log -match "tcp truncated\.$([regex]::Escape($NF.zone)) 15: rcode 0, 1 answers").Count | Should -BeGreaterOrEqual 1
    }

    It 'Test-MailTls: null MX, MX to a CNAME and MX to an IP literal each give one result naming the MX' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Test-MailTls -DomainName "nullmx.$($NF.zone)", "mxcname.$($NF.zone)", "mxip.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 5 -SkipRevocationCheck }
        $o.Count | Should -Be 3
        $by = @{}; foreach ($r in $o.Objects) { $by[$r.Domain] = $r }
        $by["nullmx.$($NF.zone)"].MxHost | Should -Be '.'
        $by["nullmx.$($NF.zone)"].TlsEstablished | Should -BeFalse
        # The CNAME is followed to the bed's good profile.
        $by["mxcname.$($NF.zone)"].MxHost | Should -Be "alias.mxcname.$($NF.zone)"
        $by["mxcname.$($NF.zone)"].IPAddress | Should -Be $NF.smtpAddress
        $by["mxcname.$($NF.zone)"].TlsEstablished | Should -BeTrue
        $by["mxip.$($NF.zone)"].MxHost | Should -Be $NF.smtpAddress
    }

    It 'Test-MailTls -Summary: 50 MX records give one summary on time' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Test-MailTls -DomainName "mx50.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 5 -SkipRevocationCheck -Summary }
        $o.Errors.Count | Should -Be 0
        $o.Objects.Count | Should -Be 1
        $o.Seconds | Should -BeLessThan (5 + $Margin)
    }

    It 'Test-MailTls -Summary: a domain whose DNS fails still gets its one summary row (the error record beside it says why)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Test-MailTls -DomainName "nxdomain.$($NF.zone)", "silent.$($NF.zone)", "servfail.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 3 -SkipRevocationCheck -Summary }
        $o.Terminated | Should -BeNullOrEmpty
        @($o.Objects.Domain | Sort-Object) | Should -Be @("nxdomain.$($NF.zone)", "servfail.$($NF.zone)", "silent.$($NF.zone)")
        @($o.ErrorIds | Sort-Object) | Should -Be @('DnsLookupFailed', 'DnsLookupFailed', 'DomainNotFound')
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Get-MailTlsPolicy: <Name> ends in <Kind> <Id> on time' -TestCases @(
        @{ Name = 'nxdomain'; Kind = 'error'; Id = 'DomainNotFound' }
        @{ Name = 'refused'; Kind = 'error'; Id = 'DnsLookupFailed' }
        @{ Name = 'silent'; Kind = 'error'; Id = 'DnsLookupFailed' }
        @{ Name = 'mxsilent'; Kind = 'result'; Id = '' }
        @{ Name = 'servfail'; Kind = 'result'; Id = '' }
        @{ Name = 'truncated'; Kind = 'result'; Id = '' }
        @{ Name = 'nullmx'; Kind = 'result'; Id = '' }
        @{ Name = 'bigtxt'; Kind = 'result'; Id = '' }
        @{ Name = 'bigtlsa'; Kind = 'result'; Id = '' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Get-MailTlsPolicy -DomainName "$Name.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 3 -TrustedRootCertificate $Root }
        $o.Terminated | Should -BeNullOrEmpty
        $o.Count | Should -Be 1
        if ($Kind -eq 'error') { $o.ErrorIds | Should -Be @($Id) }
        else { $o.Objects[0].Domain | Should -Be "$Name.$($NF.zone)" }
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Get-MailTlsPolicy: a 64 KB TXT answer and a 64 KB TLSA answer are read whole over TCP' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $txt = (Invoke-Outcome { Get-MailTlsPolicy -DomainName "bigtxt.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 5 -TrustedRootCertificate $Root }).Objects[0]
        $txt.MtaStsError | Should -Match '240 MTA-STS records'
        $tlsa = (Invoke-Outcome { Get-MailTlsPolicy -DomainName "bigtlsa.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 5 -TrustedRootCertificate $Root }).Objects[0]
        $tlsa.Hosts[0].TlsaRecords.Count | Should -Be 200
    }

    It 'the silent resolver holds -TimeoutSeconds 3 for <Cmd> (it took 6 s before)' -TestCases @(
        @{ Cmd = 'Test-MailTls' }, @{ Cmd = 'Test-MailTls -IncludePolicy' }, @{ Cmd = 'Get-MailTlsPolicy' }, @{ Cmd = 'Get-TlsCipherSuite' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = switch ($Cmd) {
            'Test-MailTls' { Invoke-Outcome { Test-MailTls -DomainName example.org -DnsServer $SilentDns -TimeoutSeconds 3 } }
            'Test-MailTls -IncludePolicy' { Invoke-Outcome { Test-MailTls -DomainName example.org -DnsServer $SilentDns -TimeoutSeconds 3 -IncludePolicy } }
            'Get-MailTlsPolicy' { Invoke-Outcome { Get-MailTlsPolicy -DomainName example.org -DnsServer $SilentDns -TimeoutSeconds 3 } }
            'Get-TlsCipherSuite' { Invoke-Outcome { Get-TlsCipherSuite -DomainName example.org -DnsServer $SilentDns -TimeoutSeconds 3 } }
        }
        $o.Count | Should -Be 1
        $o.ErrorIds | Should -Be @('DnsLookupFailed')
        $o.Errors[0].Exception.Message | Should -Match 'did not answer within 3 s'
        $o.Seconds | Should -BeGreaterThan 2.5
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It '10,000 piped domains: one outcome each, with the DNS queries outstanding at once bounded' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $null = Invoke-RestMethod -Uri "$Http/stats/reset" -NoProxy -TimeoutSec 5
        $names = 1..10000 | ForEach-Object { "d$_.bulk.$($NF.zone)" }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = @($names | Test-MailTls -DnsServer $Dns -ThrottleLimit 32 -TimeoutSeconds 10 -ErrorAction SilentlyContinue -ErrorVariable err)
        $seconds = $watch.Elapsed.TotalSeconds
        $stats = Get-FaultStats
        Write-Host ("10,000 domains in {0:0.0} s; {1} bulk queries, at most {2} outstanding at once" -f $seconds, $stats.bulkQueries, $stats.dnsMaxOutstanding)
        ($results.Count + $err.Count) | Should -Be 10000
        $err.Count | Should -Be 0
        @($results | Select-Object -ExpandProperty Domain -Unique).Count | Should -Be 10000
        $stats.bulkQueries | Should -BeGreaterOrEqual 10000
        $stats.dnsMaxOutstanding | Should -BeGreaterThan 1
        # The process-wide DNS gate allows 64 queries in flight.
        $stats.dnsMaxOutstanding | Should -BeLessOrEqual 64
    }
}

Describe 'HTTP faults: CRL, OCSP and MTA-STS' {
    It 'Test-CrlReachability: <Name> ends in one result <Status> on time' -TestCases @(
        @{ Name = 'endless'; Status = 'TooLarge'; Detail = 'larger than the maximum' }
        @{ Name = 'huge'; Status = 'TooLarge'; Detail = 'announces 1073741824 bytes' }
        @{ Name = 'loop'; Status = 'HttpError'; Detail = 'more than 3 redirects' }
        @{ Name = 'scheme'; Status = 'HttpError'; Detail = 'ftp:, which is not followed' }
        @{ Name = 'wrongtype'; Status = 'Invalid'; Detail = 'not a CRL' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Test-CrlReachability -Uri "$Http/$Name.crl" -TimeoutSeconds 3 -NoProxy }
        $o.Count | Should -Be 1
        $o.Objects[0].Status | Should -Be $Status
        $o.Objects[0].Detail | Should -Match ([regex]::Escape($Detail))
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Test-CrlReachability: a 1 GB CRL is not read (and the endless body is cut at the cap), so memory stays flat' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $null = Invoke-RestMethod -Uri "$Http/stats/reset" -NoProxy -TimeoutSec 5
        [GC]::Collect()
        $before = [GC]::GetTotalMemory($true)
        $o = Invoke-Outcome { Test-CrlReachability -Uri "$Http/huge.crl", "$Http/endless.crl" -TimeoutSeconds 5 -NoProxy -MaximumResponseBytes 1MB }
        $after = [GC]::GetTotalMemory($true)
        $o.Count | Should -Be 2
        Start-Sleep -Milliseconds 300
        $stats = Get-FaultStats
        # The server could push what fits in the socket buffers, never the gigabyte.
        $stats.hugeBytesSent | Should -BeLessThan 64MB
        $stats.endlessBytesSent | Should -BeLessThan 64MB
        ($after - $before) | Should -BeLessThan 32MB
    }

    It 'Test-CrlReachability: a server sending one byte a second is cut at -TimeoutSeconds' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Test-CrlReachability -Uri "$Http/slow.crl" -TimeoutSeconds 2 -NoProxy }
        $o.Count | Should -Be 1
        $o.Objects[0].Status | Should -Not -Be 'Valid'
        $o.Seconds | Should -BeGreaterThan 1.5
        $o.Seconds | Should -BeLessThan (2 + $Margin)
    }

    It 'Get-MailTlsPolicy: the MTA-STS policy host <Name> gives one result naming the fault' -TestCases @(
        @{ Name = 'ststlserror'; Pattern = 'TLS handshake failed' }
        @{ Name = 'stsendless'; Pattern = 'larger than the cap' }
        @{ Name = 'stsloop'; Pattern = 'redirect' }
        @{ Name = 'stsscheme'; Pattern = 'ftp://.*forbids following redirects' }
        @{ Name = 'ststype'; Pattern = '.' }
        @{ Name = 'stsslow'; Pattern = '.' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Get-MailTlsPolicy -DomainName "$Name.$($NF.zone)" -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 3 -TrustedRootCertificate $Root }
        $o.Count | Should -Be 1
        $o.Objects.Count | Should -Be 1
        $o.Objects[0].MtaStsRecord | Should -Match 'v=STSv1'
        $o.Objects[0].MtaStsMode | Should -BeNullOrEmpty
        $o.Objects[0].MtaStsError | Should -Match $Pattern
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Test-MailTls: a leaf whose CRL is slow or 1 GB and whose OCSP answer never ends is still judged on time' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $offset = Get-BedLogOffset $NF.log
        $o = Invoke-Outcome { Test-MailTls -ComputerName "127.0.0.1:$($P.revsmtp)" -TimeoutSeconds 4 -TrustedRootCertificate $Root -IgnoreSystemTrustStore }
        Start-Sleep -Milliseconds 200
        $log = @(Get-BedLogLine $NF.log $offset)
        # The faulty endpoints were really asked: a CRL and the OCSP responder.
        @($log -match 'http GET /(slow|huge)\.crl').Count | Should -BeGreaterOrEqual 1
        @($log -match 'http POST /endless\.ocsp').Count | Should -BeGreaterOrEqual 1
        Write-Host "revsmtp: RevocationStatus $($o.Objects[0].RevocationStatus)" 
        $o.Count | Should -Be 1
        $r = $o.Objects[0]
        $r.TlsEstablished | Should -BeTrue
        "$($r.RevocationStatus)" | Should -Not -BeIn @('Good', 'NotChecked', 'Revoked')
        $o.Seconds | Should -BeLessThan (4 + $Margin)
    }
}

Describe 'SMTP faults' {
    It 'Test-MailTls: a server that accepts and never reads ends in Timeout on time' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Test-MailTls -ComputerName "127.0.0.1:$($P.neverread)" -TimeoutSeconds 3 -SkipRevocationCheck }
        $o.Count | Should -Be 1
        $o.Objects[0].ErrorId | Should -Be 'Timeout'
        $o.Seconds | Should -BeGreaterThan 2.5
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Test-MailTls: a server that resets every second connection: one outcome per input, both kinds seen' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $targets = 1..6 | ForEach-Object { "127.0.0.1:$($P.resetsmtp)" }
        $null = Invoke-RestMethod -Uri "$Http/stats/reset" -NoProxy -TimeoutSec 5
        $o = Invoke-Outcome { Test-MailTls -ComputerName $targets -TimeoutSeconds 5 -SkipRevocationCheck -ThrottleLimit 1 }
        $stats = Get-FaultStats
        $o.Terminated | Should -BeNullOrEmpty
        $o.Count | Should -Be 6
        # Each result is either a session or says why not; a reset connection is tried again.
        @($o.Objects | Where-Object { -not $_.TlsEstablished -and -not $_.ErrorId }).Count | Should -Be 0
        @($o.Objects | Where-Object TlsEstablished).Count | Should -BeGreaterOrEqual 1
        $stats.resetConnections | Should -BeGreaterOrEqual 3
        $stats.passedConnections | Should -BeGreaterOrEqual 3
    }

    It 'Get-RemoteCertificate: a server that never reads ends in Timeout on time' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Get-RemoteCertificate 127.0.0.1 -Port $P.neverread -StartTls Smtp -TimeoutSeconds 3 }
        $o.Count | Should -Be 1
        $o.ErrorIds | Should -Be @('Timeout')
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Get-TlsCipherSuite (crafted ClientHellos) facing <Name>: one outcome on time' -TestCases @(
        @{ Name = 'neverread' }, @{ Name = 'resetsmtp' }, @{ Name = 'ehloreject' }, @{ Name = 'ehlo421' }, @{ Name = 'tlsfail' }, @{ Name = 'starttlsagain' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $port = if ($P.$Name) { $P.$Name } else { $Bed.faults.servers.$Name.port }
        $o = Invoke-Outcome { Get-TlsCipherSuite -ComputerName "127.0.0.1:$port" -StartTls Smtp -TimeoutSeconds 3 -Summary }
        Write-Host ("{0}: {1} objects, errors [{2}], {3:0.00} s" -f $Name, $o.Objects.Count, ($o.ErrorIds -join ','), $o.Seconds)
        $o.Terminated | Should -BeNullOrEmpty
        $o.Count | Should -Be 1
        switch ($Name) {
            'neverread' { $o.ErrorIds | Should -Be @('Timeout') }
            'resetsmtp' { $o.Objects[0].Protocols | Should -Not -BeNullOrEmpty }
            'ehloreject' { $o.ErrorIds | Should -Be @('StartTlsNotOffered') }
            'tlsfail' { $o.Objects.Count | Should -Be 1 }
        }
        # A scan makes many connections; a dead server is not asked again after a timeout.
        $bound = if ($Name -eq 'resetsmtp') { 30 } else { 3 + $Margin }
        $o.Seconds | Should -BeLessThan $bound
    }
}

Describe 'Certificate faults' {
    It 'Get-RemoteCertificate: a leaf whose subjectAltName is not DER is reported, saying what could not be read' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $o = Invoke-Outcome { Get-RemoteCertificate 127.0.0.1 -Port $P.badsan -TimeoutSeconds 5 }
        $o.Errors.Count | Should -Be 0
        $leaf = $o.Objects | Where-Object ChainIndex -eq 0
        $leaf.CommonName | Should -Be 'badsan.faults.test'
        $leaf.DnsNames.Count | Should -Be 0
        @($leaf.Unreadable) -join ' ' | Should -Match '^subjectAltName: not valid DER'
        $rest = @($o.Objects | Where-Object ChainIndex -gt 0)
        $rest.Count | Should -BeGreaterThan 0
        foreach ($c in $rest) { $c.Unreadable.Count | Should -Be 0 }
    }

    It 'Get-RemoteCertificate: an empty subject, 2000 names and a chain of 21 are read whole' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $empty = Invoke-Outcome { Get-RemoteCertificate 127.0.0.1 -Port $P.emptysubject -TimeoutSeconds 5 }
        $leaf = $empty.Objects | Where-Object ChainIndex -eq 0
        $leaf.Subject | Should -Be ''
        $leaf.CommonName | Should -BeNullOrEmpty
        @($leaf.DnsNames) | Should -Be @('emptysubject.faults.test')
        $many = Invoke-Outcome { Get-RemoteCertificate 127.0.0.1 -Port $P.manynames -TimeoutSeconds 5 }
        ($many.Objects | Where-Object ChainIndex -eq 0).DnsNames.Count | Should -Be 2000
        $deep = Invoke-Outcome { Get-RemoteCertificate 127.0.0.1 -Port $P.deepchain -TimeoutSeconds 5 }
        $deep.Errors.Count | Should -Be 0
        $deep.Objects.Count | Should -Be 21
        ($deep.Objects.ChainIndex | Sort-Object) | Should -Be (0..20)
        ($deep.Objects | Where-Object ChainIndex -eq 20).Subject | Should -Be 'CN=Deep CA 0'
    }
}

Describe 'Input faults' {
    It 'Test-MailTls -ComputerName: each bad item is an error of its own and the others go on' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $items = @('', ' ', '127.0.0.1:70000', '127.0.0.1:0', 'http://mx.example.org/', '[::1', $Good)
        $o = Invoke-Outcome { Test-MailTls -ComputerName $items -TimeoutSeconds 3 -SkipRevocationCheck }
        $o.Terminated | Should -BeNullOrEmpty
        $o.Count | Should -Be $items.Count
        @($o.ErrorIds | Where-Object { $_ -eq 'InvalidComputerName' }).Count | Should -Be 6
        $o.Objects.Count | Should -Be 1
        $o.Objects[0].TlsEstablished | Should -BeTrue
    }

    It 'Get-RemoteCertificate and Get-TlsCipherSuite: the same bad items, piped, one error each' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $items = @('', ' ', '127.0.0.1:70000', 'http://mx.example.org/', '[::1')
        $rc = Invoke-Outcome { $items | Get-RemoteCertificate -TimeoutSeconds 3 }
        $rc.Count | Should -Be $items.Count
        @($rc.ErrorIds | Where-Object { $_ -eq 'InvalidComputerName' }).Count | Should -Be $items.Count
        $cs = Invoke-Outcome { Get-TlsCipherSuite -ComputerName $items -TimeoutSeconds 3 }
        $cs.Count | Should -Be $items.Count
        @($cs.ErrorIds | Where-Object { $_ -eq 'InvalidComputerName' }).Count | Should -Be $items.Count
    }

    It 'IPv6 literals with and without brackets are addresses, not names' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        # Nothing of this bed listens on [::1] at the closed port: an outcome each, never a DNS look-up.
        $o = Invoke-Outcome { Get-RemoteCertificate -ComputerName '::1', "[::1]:$($Bed.closedPort)" -Port $Bed.closedPort -TimeoutSeconds 3 }
        $o.Count | Should -Be 2
        $o.ErrorIds | Should -Not -Contain 'InvalidComputerName'
        $o.ErrorIds | Should -Not -Contain 'DnsLookupFailed'
        $o.Seconds | Should -BeLessThan (3 + $Margin)
    }

    It 'Test-MailTls -DomainName: empty, blank, a URL and a..b are errors; a trailing dot and an IDN name are resolved' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $items = @('', '  ', 'http://example.org/', 'a..b', "truncated.$($NF.zone).", "bücher.$($NF.zone)")
        $o = Invoke-Outcome { Test-MailTls -DomainName $items -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 5 -SkipRevocationCheck }
        $o.Terminated | Should -BeNullOrEmpty
        $o.Count | Should -Be $items.Count
        @($o.ErrorIds | Where-Object { $_ -eq 'InvalidDomainName' }).Count | Should -Be 4
        $domains = @($o.Objects.Domain | Sort-Object)
        $domains | Should -Be @("truncated.$($NF.zone)", "xn--bcher-kva.$($NF.zone)")
    }

    It 'Get-MailTlsPolicy -DomainName: the same inputs, one outcome each' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $items = @('', '  ', 'http://example.org/', 'a..b', "nullmx.$($NF.zone).", "bücher.$($NF.zone)")
        $o = Invoke-Outcome { $items | Get-MailTlsPolicy -DnsServer $Dns -Port $Bed.smtpPort -TimeoutSeconds 5 -TrustedRootCertificate $Root }
        $o.Count | Should -Be $items.Count
        @($o.ErrorIds | Where-Object { $_ -eq 'InvalidDomainName' }).Count | Should -Be 4
        @($o.Objects.Domain | Sort-Object) | Should -Be @("nullmx.$($NF.zone)", "xn--bcher-kva.$($NF.zone)")
    }
}

Describe 'Load' {
    It '1000 loopback inputs with 10 % faults: exactly 1000 outcomes, peak memory under 250 MB' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $faults = @("127.0.0.1:$($Bed.closedPort)", "127.0.0.1:$($P.neverread)", "127.0.0.1:$($Bed.faults.servers.tlsfail.port)",
            "127.0.0.1:$($Bed.faults.servers.ehlo421.port)", "127.0.0.1:$($P.resetsmtp)")
        $targets = for ($i = 0; $i -lt 1000; $i++) { if ($i % 10 -eq 5) { $faults[[Math]::Floor($i / 10) % $faults.Count] } else { $Good } }
        $list = Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-load-$PID.txt"
        Set-Content -Path $list -Value $targets
        # A process of its own, so that its peak working set is this command's, not the suite's.
        $script = @'
param($module, $list)
Import-Module $module
$targets = Get-Content $list
$watch = [Diagnostics.Stopwatch]::StartNew()
$peakGc = 0
$results = 0
$errors = 0
Test-MailTls -ComputerName $targets -TimeoutSeconds 3 -SkipRevocationCheck -ThrottleLimit 32 -ErrorAction SilentlyContinue -ErrorVariable +err | ForEach-Object {
    $results++
    if ($results % 50 -eq 0) { $peakGc = [Math]::Max($peakGc, [GC]::GetTotalMemory($false)) }
}
$errors = $err.Count
$status = Get-Content /proc/self/status
$hwm = [long](($status -match '^VmHWM:' -split '\s+')[1]) * 1KB
[pscustomobject]@{ Results = $results; Errors = $errors; Seconds = $watch.Elapsed.TotalSeconds; PeakWorkingSet = $hwm; PeakGcHeap = $peakGc } | ConvertTo-Json -Compress
'@
        $scriptFile = Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-load-$PID.ps1"
        Set-Content -Path $scriptFile -Value $script
        try {
            $pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
            $json = & $pwsh -NoProfile -NonInteractive -File $scriptFile (Join-Path $script:ModulePath 'TlsTools.psd1') $list | Select-Object -Last 1
        }
        finally { Remove-Item $list, $scriptFile -ErrorAction SilentlyContinue }
        $m = $json | ConvertFrom-Json
        Write-Host ("1000 inputs: {0} results + {1} errors in {2:0.0} s; peak working set {3:0} MB, GC heap {4:0} MB" -f $m.Results, $m.Errors, $m.Seconds, ($m.PeakWorkingSet / 1MB), ($m.PeakGcHeap / 1MB))
        ($m.Results + $m.Errors) | Should -Be 1000
        # 900 inputs are the good profile: they are results, not errors.
        $m.Results | Should -BeGreaterOrEqual 900
        $m.PeakWorkingSet | Should -BeLessThan 250MB
    }

    It 'Ctrl+C under load (1000 inputs in flight) ends the command within a second' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $targets = for ($i = 0; $i -lt 1000; $i++) { if ($i % 10 -eq 5) { "127.0.0.1:$($P.neverread)" } else { $Good } }
        $runspace = New-ModuleRunspace
        $ps = $null
        try {
            $ps = [powershell]::Create()
            $ps.Runspace = $runspace
            $null = $ps.AddCommand('Test-MailTls').AddParameter('ComputerName', [string[]]$targets).AddParameter('TimeoutSeconds', 10).AddParameter('SkipRevocationCheck').AddParameter('ThrottleLimit', 32)
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]$null, $out)
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while ($out.Count -lt 100 -and -not $async.IsCompleted -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $async.IsCompleted | Should -BeFalse
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopSeconds = $watch.Elapsed.TotalSeconds
            Write-Host ("Ctrl+C after {0} of 1000 outcomes: stopped in {1:0.000} s" -f $out.Count, $stopSeconds)
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $stopSeconds | Should -BeLessThan 1
        }
        finally {
            if ($ps) { $ps.Dispose() }
            $runspace.Dispose()
        }
    }

    It 'Ctrl+C while <Command> waits on 200 stalled inputs ends it within a second' -TestCases @(
        @{ Command = 'Get-RemoteCertificate' }, @{ Command = 'Get-TlsCipherSuite' }, @{ Command = 'Get-MailTlsPolicy' }, @{ Command = 'Test-CrlReachability' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $stalled = 1..200 | ForEach-Object { "127.0.0.1:$($P.neverread)" }
        $parameters = switch ($Command) {
            'Get-RemoteCertificate' { @{ ComputerName = [string[]]$stalled; StartTls = 'Smtp'; TimeoutSeconds = 30; ThrottleLimit = 32 } }
            'Get-TlsCipherSuite' { @{ ComputerName = [string[]]$stalled; StartTls = 'Smtp'; TimeoutSeconds = 30; ThrottleLimit = 32 } }
            'Get-MailTlsPolicy' { @{ DomainName = [string[]](1..200 | ForEach-Object { "d$_.example.org" }); DnsServer = $SilentDns; TimeoutSeconds = 30; ThrottleLimit = 32 } }
            'Test-CrlReachability' { @{ Uri = [string[]](1..200 | ForEach-Object { "$Http/slow.crl?$_" }); TimeoutSeconds = 30; NoProxy = $true } }
        }
        $runspace = New-ModuleRunspace
        $ps = $null
        try {
            $ps = [powershell]::Create()
            $ps.Runspace = $runspace
            $null = $ps.AddCommand($Command).AddParameters($parameters)
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1500
            $async.IsCompleted | Should -BeFalse
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopSeconds = $watch.Elapsed.TotalSeconds
            Write-Host ("{0}: stopped in {1:0.000} s" -f $Command, $stopSeconds)
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $stopSeconds | Should -BeLessThan 1
        }
        finally {
            if ($ps) { $ps.Dispose() }
            $runspace.Dispose()
        }
    }
}
