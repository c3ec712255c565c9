# Exchange-faithful per-address verdicts (issue 11, points 1, 2, 7, 8 and 9), end to end against
# the bed: Exchange Online's own suite offer, revocation (CRL, OCSP, proxy, cache), SHA-1 chains
# and the default EHLO name.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    if (-not $NoBed) {
        $script:Strict = Get-BedStrictTarget $Bed
    }

    function Skip-WithoutProfile([string[]] $Name) {
        foreach ($n in $Name) {
            if (-not $Bed.smtp.$n) { return "the bed has no '$n' profile (an older bed.json: restart the bed)" }
        }
        $null
    }
}

Describe 'Exchange Online''s suites decide a TLS 1.2 server, on every platform' {
    It 'rates a server that prefers a suite Exchange Online does not offer on the suite Exchange Online would get' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if ($why = Skip-WithoutProfile exochoice) { Set-ItResult -Skipped -Because $why; return }
        $r = Test-MailTls -DomainName exochoice.bed.test @Strict
        $r.TlsEstablished | Should -BeTrue
        $r.Protocol | Should -Be 'Tls12'
        # What this machine's stack got is not what decides (.NET on Linux offers ECDSA suites, Exchange Online does not).
        $r.ExchangeOnlineCipherSuite | Should -Be 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
        $r.ExchangeTlsLevel | Should -Be 'DomainValidation'
        if ($r.CipherSuite -ne $r.ExchangeOnlineCipherSuite) {
            ($r.Notes -join ' ') | Should -Match 'what Exchange Online would get'
        }
    }

    It 'rates a server that takes none of Exchange Online''s suites None, whatever this machine negotiated' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if ($why = Skip-WithoutProfile noexosuite) { Set-ItResult -Skipped -Because $why; return }
        $r = Test-MailTls -DomainName noexosuite.bed.test @Strict
        $r.TlsEstablished | Should -BeTrue
        $r.Protocol | Should -Be 'Tls12'
        $r.CipherSuite | Should -Match 'ECDSA'
        $r.ExchangeOnlineCipherSuite | Should -BeNullOrEmpty
        $r.ExchangeTlsLevel | Should -Be 'None'
        $r.ForcedTlsReady | Should -BeFalse
        ($r.Notes -join ' ') | Should -Match 'Exchange Online''s TLS 1.2 suites'
    }

    It 'asks a legacy MX that speaks TLS 1.2 and reports the suite Exchange Online gets' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName legacy.bed.test @Strict
        $r.Protocol | Should -Be 'Tls12'
        $r.ExchangeOnlineCipherSuite | Should -Be 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
        $r.ExchangeTlsLevel | Should -Be 'DomainValidation'
    }

    It 'does not ask a TLS 1.3 session, and agrees with Get-TlsCipherSuite where it asks' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if ($why = Skip-WithoutProfile exochoice) { Set-ItResult -Skipped -Because $why; return }
        (Test-MailTls -DomainName good.bed.test @Strict).ExchangeOnlineCipherSuite | Should -BeNullOrEmpty
        $p = $Bed.smtp.exochoice
        $scan = Get-TlsCipherSuite $p.address -Port $p.port -StartTls Smtp -Summary -TimeoutSeconds 10 -ErrorAction Stop
        $scan.AcceptsExchangeOnlineSuite | Should -BeTrue
        $p = $Bed.smtp.noexosuite
        (Get-TlsCipherSuite $p.address -Port $p.port -StartTls Smtp -Summary -TimeoutSeconds 10 -ErrorAction Stop).AcceptsExchangeOnlineSuite | Should -BeFalse
    }
}

Describe 'Revocation, as CertificateValidation checks it' {
    It 'rates a revoked leaf EncryptionOnly and says why' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName revoked.bed.test @Strict
        $r.CertificateThumbprint | Should -Be $Bed.smtp.revoked.leafThumbprint
        $r.ChainValid | Should -BeTrue
        $r.NameMatches | Should -BeTrue
        $r.RevocationStatus | Should -Be 'Revoked'
        $r.ExchangeTlsLevel | Should -Be 'EncryptionOnly'
        $r.ForcedTlsReady | Should -BeFalse
        $r.RevocationProxy | Should -Be 'direct'
        ($r.Notes -join ' ') | Should -Match 'is revoked'
        ($r.Notes -join ' ') | Should -Match 'keyCompromise'
    }

    It 'rates a good chain Good, fetching each CRL once per run however many addresses share it, and no certificate' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if ($why = Skip-WithoutProfile exochoice, sha1) { Set-ItResult -Skipped -Because $why; return }
        $log = $Bed.http.accessLog
        $offset = Get-BedLogOffset $log
        $r = @(Test-MailTls -DomainName good.bed.test, revoked.bed.test, exochoice.bed.test, legacy.bed.test, wrongname.bed.test @Strict)
        $r.Count | Should -Be 5
        ($r | Where-Object Domain -eq 'good.bed.test').RevocationStatus | Should -Be 'Good'
        ($r | Where-Object Domain -eq 'legacy.bed.test').RevocationStatus | Should -Be 'Good'
        ($r | Where-Object Domain -eq 'wrongname.bed.test').RevocationStatus | Should -Be 'Good'
        ($r | Where-Object Domain -eq 'wrongname.bed.test').ExchangeTlsLevel | Should -Be 'CertificateValidation'
        $requests = @(Get-BedLogLine $log $offset)
        @($requests -match '/intermediate\.crl ').Count | Should -Be 1 -Because 'five chains under one intermediate share one CRL fetch'
        @($requests -match '/root\.crl ').Count | Should -Be 1
        @($requests -match '\.cer ').Count | Should -Be 0 -Because 'the issuer comes from the validated chain'
    }

    It 'keeps the level of a chain whose revocation cannot be checked and names why' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if ($why = Skip-WithoutProfile crlunreachable) { Set-ItResult -Skipped -Because $why; return }
        $r = Test-MailTls -DomainName crlunreachable.bed.test @Strict
        $r.ChainValid | Should -BeTrue
        $r.RevocationStatus | Should -Be 'Unknown'
        $r.ExchangeTlsLevel | Should -Be 'DomainValidation'
        ($r.Notes -join ' ') | Should -Match 'could not be confirmed'
        ($r.Notes -join ' ') | Should -Match ([regex]::Escape("127.0.0.1:$($Bed.closedPort)"))
    }

    It 'goes through -RevocationProxy, and every result names the proxy' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $offset = Get-BedLogOffset $Bed.proxy.log
        $r = Test-MailTls -DomainName revoked.bed.test @Strict -RevocationProxy $Bed.proxy.url
        $r.RevocationStatus | Should -Be 'Revoked'
        $r.RevocationProxy | Should -Be "$($Bed.proxy.url)/"
        $lines = @(Get-BedLogLine $Bed.proxy.log $offset)
        ($lines | Where-Object { $_ -like "*`"GET $($Bed.crl.intermediate.url) HTTP/1.1`" 200*" }) | Should -Not -BeNullOrEmpty
    }

    It 'checks nothing with -SkipRevocationCheck' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $offset = Get-BedLogOffset $Bed.http.accessLog
        $r = Test-MailTls -DomainName revoked.bed.test @Strict -SkipRevocationCheck
        $r.RevocationStatus | Should -Be 'NotChecked'
        $r.RevocationProxy | Should -BeNullOrEmpty
        $r.ExchangeTlsLevel | Should -Be 'DomainValidation'
        @(Get-BedLogLine $Bed.http.accessLog $offset) | Should -BeNullOrEmpty
    }

    It 'does not check a chain that does not validate' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName selfsigned.bed.test @Strict
        $r.ChainValid | Should -BeFalse
        $r.RevocationStatus | Should -Be 'NotChecked'
    }

    It 'refuses a -RevocationProxy that is not an http:// URL' {
        { Test-MailTls -ComputerName 127.0.0.1:1 -RevocationProxy 'ftp://proxy.example' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidProxy,TlsTools.Commands.TestMailTlsCommand'
    }
}

Describe 'SHA-1 chains' {
    It 'rates a chain signed with SHA-1 at most EncryptionOnly and says so' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if ($why = Skip-WithoutProfile sha1) { Set-ItResult -Skipped -Because $why; return }
        $r = Test-MailTls -DomainName sha1.bed.test @Strict
        $r.TlsEstablished | Should -BeTrue
        $r.CertificateThumbprint | Should -Be $Bed.smtp.sha1.leafThumbprint
        $r.Sha1Signature | Should -BeTrue
        $r.ExchangeTlsLevel | Should -Be 'EncryptionOnly'
        $r.ForcedTlsReady | Should -BeFalse
        ($r.Notes -join ' ') | Should -Match 'SHA-1'
        ($r.Notes -join ' ') | Should -Match 'sha1\.mx\.bed\.test'
    }

    It 'does not flag a SHA-256 chain' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        (Test-MailTls -DomainName good.bed.test @Strict).Sha1Signature | Should -BeFalse
    }
}

Describe 'The default EHLO name' {
    It 'is this machine''s fully qualified name or the address literal of the local end, never a bare label' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName good.bed.test @Strict -IncludeTranscript
        $ehlo = @([regex]::Matches($r.Transcript, '(?m)^C: EHLO (\S+)') | ForEach-Object { $_.Groups[1].Value })
        $ehlo.Count | Should -Be 2 -Because 'EHLO is sent before STARTTLS and again over TLS'
        $fqdn = [TlsTools.Net.LocalHost]::FullyQualifiedName()
        foreach ($name in $ehlo) {
            if ($fqdn) { $name | Should -Be $fqdn }
            else { $name | Should -Be '[127.0.0.1]' -Because 'this machine has no fully qualified name: the local end of a loopback connection' }
            $name | Should -Not -Be ([System.Net.Dns]::GetHostName()) -Because 'a bare host name is refused by many MTAs'
        }
    }

    It 'is what the server logged' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        # The fault server logs every line a client sends.
        $offset = Get-BedLogOffset $Bed.faults.log
        $null = Test-MailTls -ComputerName "127.0.0.1:$($Bed.faults.servers.starttlsagain.port)" -TrustedRootCertificate $Bed.ca.rootCert -TimeoutSeconds 10
        $sent = @(Get-BedLogLine $Bed.faults.log $offset) -match ' C: EHLO '
        $sent.Count | Should -BeGreaterThan 0
        $expected = [TlsTools.Net.LocalHost]::FullyQualifiedName()
        if (-not $expected) { $expected = '[127.0.0.1]' }
        foreach ($line in $sent) { $line | Should -Match ([regex]::Escape(" C: EHLO $expected") + '$') }
    }

    It 'is the name given with -HeloName' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName good.bed.test @Strict -IncludeTranscript -HeloName probe.tlstools.test
        $r.Transcript | Should -Match 'C: EHLO probe\.tlstools\.test'
        $r.Transcript | Should -Not -Match 'C: EHLO \['
    }
}

Describe 'Test-CrlReachability names the proxy of every result' {
    It 'says direct when it goes direct (Linux and macOS without -Proxy)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if ($IsWindows) { Set-ItResult -Skipped -Because 'on Windows the default is the machine''s WinHTTP proxy'; return }
        $results = @(Test-CrlReachability -Path $Bed.pki.good.leafCert -TimeoutSeconds 10)
        $results | ForEach-Object { $_.Proxy | Should -Be 'direct' }
    }
}
