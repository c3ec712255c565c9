# Get-TlsCipherSuite against the test bed: for every TLS profile, the accepted (protocol, suite)
# set equals what sslscan reports for the same port in the same run; the judgement of the
# profiles built for it (legacy, TLS 1.3 only, server order, RSA + ECDSA); failures as errors.

BeforeDiscovery {
    # Every bed profile that speaks TLS; read from the bed's description when it is up.
    $script:TlsProfiles = @('good', 'expired', 'wrongname', 'selfsigned', 'nointermediate', 'revoked', 'implicit',
        'legacy', 'tls10', 'tls13only', 'serverorder', 'dualcert')
    $state = Join-Path $(if ($env:TLSTOOLS_BED_DIR) { $env:TLSTOOLS_BED_DIR } else { '/tmp/tlstools-bed' }) 'bed.json'
    if (Test-Path $state) {
        $smtp = (Get-Content $state -Raw | ConvertFrom-Json).smtp
        $script:TlsProfiles = @($smtp.PSObject.Properties | Where-Object { $_.Value.startTls -or $_.Value.implicitTls } | ForEach-Object Name)
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:SslScan = Get-Command sslscan -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1

    function Get-SslScanAccepted {
        <# The (protocol, code) pairs sslscan accepts on a loopback port, as "Tls12 0xC02F" strings. #>
        param([int] $Port, [switch] $StartTlsSmtp)
        $xml = Join-Path ([System.IO.Path]::GetTempPath()) "tlstools-sslscan-$PID-$Port.xml"
        $args = @('--no-colour', '--no-heartbleed', '--no-renegotiation', '--no-compression', '--no-groups', '--no-fallback',
            '--no-check-certificate', "--xml=$xml")
        if ($StartTlsSmtp) { $args += '--starttls-smtp' }
        $null = & timeout 60 $script:SslScan.Source @args "127.0.0.1:$Port" 2>&1
        try {
            $map = @{ 'SSLv3' = 'Ssl3'; 'TLSv1.0' = 'Tls10'; 'TLSv1.1' = 'Tls11'; 'TLSv1.2' = 'Tls12'; 'TLSv1.3' = 'Tls13' }
            ([xml](Get-Content $xml -Raw)).document.ssltest.cipher |
                Where-Object status -in 'accepted', 'preferred' |
                ForEach-Object { '{0} 0x{1:X4}' -f $map[$_.sslversion], [Convert]::ToUInt16($_.id.Substring(2), 16) } |
                Sort-Object -Unique
        }
        finally {
            Remove-Item $xml -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Get-TlsCipherSuite against sslscan on the test bed' {
    It 'accepts the same protocol and suite pairs as sslscan on the <_> profile' -ForEach $TlsProfiles {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (-not $SslScan) { Set-ItResult -Skipped -Because 'sslscan is not installed (tests/bed/install-deps.sh installs it)'; return }
        $p = $Bed.smtp.$_
        $startTls = if ($p.implicitTls) { 'None' } else { 'Smtp' }
        $results = @(Get-TlsCipherSuite 127.0.0.1 -Port $p.loopbackPort -StartTls $startTls -TimeoutSeconds 10 -ErrorAction Stop)
        $ours = @($results | ForEach-Object { '{0} {1}' -f $_.Protocol, $_.Code } | Sort-Object -Unique)
        $reference = @(Get-SslScanAccepted -Port $p.loopbackPort -StartTlsSmtp:(-not $p.implicitTls))
        $reference.Count | Should -BeGreaterThan 0 -Because 'sslscan must see the profile'
        $ours | Should -Be $reference
        # The protocols the bed says it configured are exactly the protocols found.
        $protocols = @($results.Protocol | Sort-Object -Unique | ForEach-Object {
                @{ Tls10 = 'TLSv1'; Tls11 = 'TLSv1.1'; Tls12 = 'TLSv1.2'; Tls13 = 'TLSv1.3' }["$_"] })
        $protocols | Should -Be @($p.tlsProtocols)
    }
}

Describe 'Get-TlsCipherSuite judgement on the test bed' {
    BeforeAll {
        if (-not $NoBed) {
            $script:Summaries = @{}
            foreach ($name in 'good', 'legacy', 'tls10', 'tls13only', 'serverorder', 'dualcert') {
                $p = $Bed.smtp.$name
                if ($p) { $Summaries[$name] = Get-TlsCipherSuite $p.address -Port $p.port -StartTls Smtp -Summary -ErrorAction Stop }
            }
        }
    }

    It 'reports the legacy profile''s old protocols, weak suites and Exchange Online overlap' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $s = $Summaries.legacy
        $s | Should -BeOfType ([TlsTools.CipherScanSummary])
        "$($s.SupportedProtocols)" | Should -Be 'Tls10 Tls11 Tls12'
        $s.LegacyProtocolAccepted | Should -BeTrue
        $s.WeakSuitesAccepted | Should -Contain 'TLS_RSA_WITH_AES_128_CBC_SHA'
        $s.NonForwardSecretAccepted | Should -BeTrue
        $s.AcceptsExchangeOnlineSuite | Should -BeTrue
        $s.Inconclusive | Should -BeFalse
        ($s.Protocols | Where-Object Protocol -eq 'Ssl3').Supported | Should -BeFalse
        ($s.Protocols | Where-Object Protocol -eq 'Tls13').Refusal | Should -Match 'protocol_version'
    }

    It 'finds the TLS 1.0-only profile accepts no Exchange Online suite' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $s = $Summaries.tls10
        "$($s.SupportedProtocols)" | Should -Be 'Tls10'
        $s.AcceptsExchangeOnlineSuite | Should -BeFalse
        @($s.Suites.Strength | Sort-Object -Unique) | Should -Be @([TlsTools.CipherSuiteStrength]::Weak)
    }

    It 'finds TLS 1.3 alone on the TLS 1.3-only profile' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $s = $Summaries.tls13only
        "$($s.SupportedProtocols)" | Should -Be 'Tls13'
        $s.Suites.Name | Should -Contain 'TLS_AES_256_GCM_SHA384'
        $s.WeakSuitesAccepted | Should -BeNullOrEmpty
        $s.LegacyProtocolAccepted | Should -BeFalse
    }

    It 'tells the server-order profile from the client-order ones' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $Summaries.serverorder.ServerPrefersOwnOrder | Should -BeTrue
        ($Summaries.serverorder.Protocols | Where-Object Protocol -eq 'Tls12').ServerPrefersOwnOrder | Should -BeTrue
        $Summaries.good.ServerPrefersOwnOrder | Should -BeFalse
        $Summaries.legacy.ServerPrefersOwnOrder | Should -BeFalse
    }

    It 'finds both ECDSA and RSA suites on the dual-certificate profile' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $auth = @($Summaries.dualcert.Suites | Where-Object Protocol -eq 'Tls12' | ForEach-Object Authentication | Sort-Object -Unique)
        $auth | Should -Be @('ECDSA', 'RSA')
        ($Summaries.dualcert.Suites | Where-Object Name -eq 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256').Strength | Should -Be 'Recommended'
    }

    It 'returns one object per suite with the suite''s facts' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $p = $Bed.smtp.good
        $suite = Get-TlsCipherSuite $p.address -Port $p.port -StartTls Smtp -Protocol Tls12 |
            Where-Object Name -eq 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
        $suite | Should -BeOfType ([TlsTools.CipherSuiteResult])
        $suite.Code | Should -Be '0xC02F'
        $suite.Protocol | Should -Be 'Tls12'
        $suite.IPAddress | Should -Be $p.address
        $suite.KeyExchange | Should -Be 'ECDHE'
        $suite.Encryption | Should -Be 'AES-GCM'
        $suite.Bits | Should -Be 128
        $suite.ForwardSecrecy | Should -BeTrue
        $suite.Strength | Should -Be 'Secure'
        $suite.ExchangeOnline | Should -BeTrue
    }

    It 'scans every MX address of a domain through the bed''s DNS' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $s = @(Get-TlsCipherSuite -DomainName legacy.bed.test -DnsServer (Get-BedDnsServer $Bed) -Port $Bed.smtpPort -Summary -ErrorAction Stop)
        $s.Count | Should -Be 1
        $s[0].ComputerName | Should -Be $Bed.smtp.legacy.hostName
        $s[0].Domain | Should -Be 'legacy.bed.test'
        "$($s[0].SupportedProtocols)" | Should -Be 'Tls10 Tls11 Tls12'
    }
}

Describe 'Get-TlsCipherSuite failures' {
    It 'writes StartTlsNotOffered for a server without STARTTLS' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $out = Get-TlsCipherSuite 127.0.0.1 -Port $Bed.smtp.nostarttls.loopbackPort -StartTls Smtp -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StartTlsNotOffered,*'
    }

    It 'retries a server that greets with 421 and reports it, not an empty result' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $out = Get-TlsCipherSuite 127.0.0.1 -Port $Bed.smtp.tempfail.loopbackPort -StartTls Smtp -Protocol Tls12 -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GreetingRejected,*'
        $err[0].Exception.Message | Should -Match '3 attempts'
    }

    It 'writes ProtocolViolation when plain text answers the ClientHello' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $null = Get-TlsCipherSuite 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls None -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ProtocolViolation,*'
        $err[0].Exception.Message | Should -Match 'STARTTLS'
    }

    It 'writes ConnectFailed for a closed port' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $null = Get-TlsCipherSuite 127.0.0.1 -Port $Bed.closedPort -StartTls Smtp -Protocol Tls12 -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConnectFailed,*'
        $err[0].TargetObject | Should -Match "127\.0\.0\.1:$($Bed.closedPort)"
    }
}

Describe 'Test-MailTls -IncludeProtocolScan' {
    It 'adds the scan''s columns to each result' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName legacy.bed.test -DnsServer (Get-BedDnsServer $Bed) -Port $Bed.smtpPort -IncludeProtocolScan -ErrorAction Stop
        $r.TlsEstablished | Should -BeTrue
        $r.SupportedProtocols.ToString() | Should -Be 'Tls10, Tls11, Tls12'
        $r.WeakSuitesAccepted | Should -Contain 'TLS_RSA_WITH_AES_128_CBC_SHA'
        $r.AcceptsExchangeOnlineSuite | Should -BeTrue
        $r.ServerPrefersOwnOrder | Should -BeFalse
    }

    It 'leaves the columns empty without the switch' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $results = @(Test-MailTls -DomainName good.bed.test -DnsServer (Get-BedDnsServer $Bed) -Port $Bed.smtpPort -ErrorAction Stop)
        $results.Count | Should -BeGreaterThan 0
        foreach ($r in $results) {
            $r.SupportedProtocols | Should -BeNullOrEmpty
            $r.AcceptsExchangeOnlineSuite | Should -BeNullOrEmpty
        }
    }
}
