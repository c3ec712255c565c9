# Failure paths on real sockets: the bed's fault-injecting SMTP servers (tests/bed/lib/smtp_faults.py)
# misbehave in ways Postfix cannot, and both cmdlets must report each one precisely.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    if (-not $NoBed) {
        $script:Fault = @{}
        foreach ($f in $Bed.faults.servers.PSObject.Properties) { $Fault[$f.Name] = $f.Value }
        $script:Anchors = @{ TrustedRootCertificate = $Bed.ca.rootCert; IgnoreSystemTrustStore = $true; TimeoutSeconds = 10 }

        function Invoke-Fault {
            <# Test-MailTls against one fault server; returns the result, the errors and what the server logged. #>
            param([string] $Name)
            $offset = Get-BedLogOffset $Bed.faults.log
            $err = $null
            $result = @(Test-MailTls -ComputerName "127.0.0.1:$($Fault[$Name].port)" @Anchors -IncludeTranscript -ErrorVariable err -ErrorAction SilentlyContinue)
            [pscustomobject]@{ Result = $result; Errors = @($err); ServerLog = @(Get-BedLogLine $Bed.faults.log $offset) }
        }

        function Invoke-FaultCertificate {
            param([string] $Name)
            $err = $null
            $chain = @(Get-RemoteCertificate 127.0.0.1 -Port $Fault[$Name].port -StartTls Smtp -TimeoutSeconds 10 -ErrorVariable err -ErrorAction SilentlyContinue)
            [pscustomobject]@{ Chain = $chain; Errors = @($err) }
        }
    }
}

Describe 'Test-MailTls against misbehaving servers' {
    It 'reports EHLO answered with 502 as a server without STARTTLS (no ESMTP), keeping its greeting and the reply' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $run = Invoke-Fault ehloreject
        $run.Errors.Count | Should -Be 0
        $run.Result.Count | Should -Be 1
        $r = $run.Result[0]
        # Like the nostarttls profile: a fact about the server, not an error of the test.
        $r.ErrorId | Should -BeNullOrEmpty
        $r.Notes -join ' ' | Should -Match 'refused EHLO \(502'
        $r.Banner | Should -Match '^ehloreject'
        $r.StartTlsOffered | Should -BeFalse
        $r.TlsEstablished | Should -BeFalse
        $r.ExchangeTlsLevel | Should -Be 'None'
        $r.ForcedTlsReady | Should -BeFalse
        $r.Transcript | Should -Match 'S: 502 5\.5\.2'
        $run.ServerLog -match ' C: (MAIL|RCPT|DATA)' | Should -BeNullOrEmpty
        $run.ServerLog -match ' C: STARTTLS' | Should -BeNullOrEmpty
    }

    It 'reports 421 after a 220 greeting as a failure with the server text, not as a TLS level' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $run = Invoke-Fault ehlo421
        $run.Errors.Count | Should -Be 0
        $r = $run.Result[0]
        # A transient refusal says nothing about TLS: its own ErrorId, the greeting kept as Banner.
        $r.ErrorId | Should -Be 'EhloRejected'
        $r.Error | Should -Match '421 ?'
        $r.Error | Should -Match 'Service not available'
        $r.Banner | Should -Match '^ehlo421'
        $r.TlsEstablished | Should -BeFalse
        $r.ExchangeTlsLevel | Should -Be 'None'
        $r.Transcript | Should -Match 'S: 220 ehlo421'
        $run.ServerLog -match ' C: EHLO ' | Should -HaveCount 1
    }

    It 'reports a server where both the modern and the legacy handshake fail as TlsHandshakeFailed' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $run = Invoke-Fault tlsfail
        $run.Errors.Count | Should -Be 0
        $r = $run.Result[0]
        $r.ErrorId | Should -Be 'TlsHandshakeFailed'
        $r.StartTlsOffered | Should -BeTrue
        $r.TlsEstablished | Should -BeFalse
        $r.ExchangeTlsLevel | Should -Be 'None'
        $r.Banner | Should -Match 'tlsfail\.faults\.bed\.test'
        $r.Error | Should -Match 'second attempt'
        $r.Transcript | Should -Match 'trying again offering legacy'
        # Two connections, each with its own STARTTLS and a ClientHello the server refused.
        @($run.ServerLog -match 'ClientHello of \d+ bytes').Count | Should -Be 2
        @($run.ServerLog -match ' C: STARTTLS').Count | Should -Be 2
    }

    It 'notes a server that advertises STARTTLS again inside TLS (RFC 3207 4.2) and still measures the session' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $run = Invoke-Fault starttlsagain
        $run.Errors.Count | Should -Be 0
        $r = $run.Result[0]
        $r.ErrorId | Should -BeNullOrEmpty
        $r.TlsEstablished | Should -BeTrue
        $r.Protocol | Should -BeIn @('Tls12', 'Tls13')
        $r.CertificateThumbprint | Should -Be $Bed.faults.leafThumbprint
        $r.ChainValid | Should -BeTrue
        ($r.Notes -join ' ') | Should -Match 'STARTTLS again'
        # One STARTTLS only: the repeated offer is noted, never taken.
        @($run.ServerLog -match ' C: STARTTLS').Count | Should -Be 1
        @($run.ServerLog -match ' C: EHLO ').Count | Should -Be 2
        $run.ServerLog -match ' C: (MAIL|RCPT|DATA)' | Should -BeNullOrEmpty
    }
}

Describe 'Get-RemoteCertificate against misbehaving servers' {
    It 'writes <ErrorId> with the reply for EHLO answered with <Code>' -ForEach @(
        @{ Server = 'ehloreject'; Code = '502'; ErrorId = 'StartTlsNotOffered'; Category = 'ProtocolError' }
        @{ Server = 'ehlo421'; Code = '421'; ErrorId = 'EhloRejected'; Category = 'ResourceUnavailable' }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $run = Invoke-FaultCertificate $Server
        $run.Chain.Count | Should -Be 0
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $run.Errors[0].Exception.Message | Should -Match $Code
        $run.Errors[0].CategoryInfo.Category | Should -Be $Category
        $run.Errors[0].TargetObject | Should -Match "$($Fault[$Server].port)"
    }

    It 'writes TlsHandshakeFailed when both handshakes fail' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $offset = Get-BedLogOffset $Bed.faults.log
        $run = Invoke-FaultCertificate tlsfail
        $run.Chain.Count | Should -Be 0
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'TlsHandshakeFailed,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $run.Errors[0].Exception.Message | Should -Match 'legacy suites failed too'
        @(Get-BedLogLine $Bed.faults.log $offset) -match 'ClientHello of' | Should -HaveCount 2
    }

    It 'returns the chain of a server that advertises STARTTLS again inside TLS' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $run = Invoke-FaultCertificate starttlsagain
        $run.Errors.Count | Should -Be 0
        $run.Chain.Count | Should -Be 2
        $run.Chain[0].Thumbprint | Should -Be $Bed.faults.leafThumbprint
        $run.Chain[0].DnsNames | Should -Contain $Fault.starttlsagain.hostName
    }
}
