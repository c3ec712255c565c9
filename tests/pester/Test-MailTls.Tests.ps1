BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    if (-not $NoBed) {
        $script:Common = @{
            DnsServer              = Get-BedDnsServer $Bed
            Port                   = $Bed.smtpPort
            TrustedRootCertificate = $Bed.ca.rootCert
            TimeoutSeconds         = 10
        }
    }
}

Describe 'Test-MailTls -DomainName against the test bed' {
    BeforeAll {
        if (-not $NoBed) {
            $script:Partner = @(Test-MailTls -DomainName partner.bed.test @Common)
        }
    }

    It 'tests every address of every MX host of a multi-MX domain' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $expectedAddresses = 3 + [int][bool]$Bed.smtp.good.ipv6
        $Partner.Count | Should -Be $expectedAddresses
        ($Partner.MxHost | Sort-Object -Unique) | Should -Be @('expired.mx.bed.test', 'good.mx.bed.test', 'nostarttls.mx.bed.test')
        $Partner | ForEach-Object { $_ | Should -BeOfType ([TlsTools.MailTlsResult]) }
        ($Partner | Where-Object MxHost -eq 'good.mx.bed.test').Preference | Sort-Object -Unique | Should -Be 10
        ($Partner | Where-Object MxHost -eq 'expired.mx.bed.test').Preference | Should -Be 20
    }

    It 'rates the good host DomainValidation' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $good = $Partner | Where-Object { $_.MxHost -eq 'good.mx.bed.test' -and $_.IPAddress -eq $Bed.smtp.good.address }
        $good.StartTlsOffered | Should -BeTrue
        $good.TlsEstablished | Should -BeTrue
        $good.Protocol | Should -BeIn @('Tls12', 'Tls13')
        $good.CipherSuite | Should -Not -BeNullOrEmpty
        $good.ForwardSecrecy | Should -BeTrue
        $good.ChainValid | Should -BeTrue
        $good.NameMatches | Should -BeTrue
        $good.CertificateThumbprint | Should -Be $Bed.smtp.good.leafThumbprint
        $good.RootIssuer | Should -Be $Bed.ca.rootSubject
        $good.ExchangeTlsLevel | Should -Be 'DomainValidation'
        $good.ForcedTlsReady | Should -BeTrue
        $good.Banner | Should -Match 'good.mx.bed.test'
        $good.Error | Should -BeNullOrEmpty
    }

    It 'rates the expired-certificate host EncryptionOnly and says why' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $expired = $Partner | Where-Object MxHost -eq 'expired.mx.bed.test'
        $expired.TlsEstablished | Should -BeTrue
        $expired.ChainValid | Should -BeFalse
        ($expired.ChainErrors -join ' ') | Should -Match 'NotTimeValid'
        $expired.DaysUntilExpiry | Should -BeLessThan 0
        $expired.ExchangeTlsLevel | Should -Be 'EncryptionOnly'
        $expired.ForcedTlsReady | Should -BeFalse
    }

    It 'rates the host without STARTTLS None, without calling it an error' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $plain = $Partner | Where-Object MxHost -eq 'nostarttls.mx.bed.test'
        $plain.StartTlsOffered | Should -BeFalse
        $plain.TlsEstablished | Should -BeFalse
        $plain.ExchangeTlsLevel | Should -Be 'None'
        $plain.Error | Should -BeNullOrEmpty
    }

    It 'tests the IPv6 address of the good host where ::1 is available' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (-not $Bed.smtp.good.ipv6) { Set-ItResult -Skipped -Because 'the bed has no IPv6 listener (::1 unavailable)'; return }
        $v6 = $Partner | Where-Object IPAddress -eq '::1'
        $v6.MxHost | Should -Be 'good.mx.bed.test'
        $v6.ExchangeTlsLevel | Should -Be 'DomainValidation'
        @(Test-MailTls -DomainName partner.bed.test @Common -AddressFamily IPv6).IPAddress | Should -Be '::1'
    }

    It 'rates a host that speaks only TLS 1.0 with RSA key exchange as TLS, not as plain text' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $old = Test-MailTls -DomainName oldtls.bed.test @Common
        $old.TlsEstablished | Should -BeTrue
        $old.Protocol | Should -Be 'Tls10'
        $old.KeyExchange | Should -Be 'RSA'
        $old.ForwardSecrecy | Should -BeFalse
        $old.ExchangeTlsLevel | Should -Be 'None'
        ($old.Notes -join ' ') | Should -Match 'TLS 1.2 or later'
    }

    It 'falls back to the domain''s own addresses without MX (implicit MX)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = @(Test-MailTls -DomainName nomx.bed.test @Common -AddressFamily IPv4)
        $r.Count | Should -Be 1
        $r[0].MxHost | Should -Be 'nomx.bed.test'
        $r[0].Preference | Should -BeNullOrEmpty
        $r[0].TlsEstablished | Should -BeTrue
    }

    It 'reports a null MX as accepting no mail, not as a TLS failure' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName nullmx.bed.test @Common -ErrorVariable err
        $err.Count | Should -Be 0
        ($r.Notes -join ' ') | Should -Match 'null MX'
        $s = Test-MailTls -DomainName nullmx.bed.test @Common -Summary
        $s.Verdict | Should -Be 'NoMail'
    }

    It 'reports a 421 greeting as such, with the server text' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = @(Test-MailTls -DomainName fallback.bed.test @Common -AddressFamily IPv4)
        $tempfail = $r | Where-Object MxHost -eq 'tempfail.mx.bed.test'
        $tempfail.ErrorId | Should -Be 'GreetingRejected'
        $tempfail.Banner | Should -Match '421'
        $tempfail.StartTlsOffered | Should -BeFalse
        ($r | Where-Object MxHost -eq 'good.mx.bed.test').TlsEstablished | Should -BeTrue
    }

    It 'writes DomainNotFound for a domain that does not exist and goes on' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = @(Test-MailTls -DomainName missing.bed.test, good.bed.test @Common -ErrorVariable err -ErrorAction SilentlyContinue)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DomainNotFound,*'
        $err[0].TargetObject | Should -Be 'missing.bed.test'
        $r.Domain | Sort-Object -Unique | Should -Be 'good.bed.test'
    }

    It 'keeps the transcript with -IncludeTranscript and never sends MAIL, RCPT or DATA' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName good.bed.test @Common -AddressFamily IPv4 -IncludeTranscript -HeloName probe.tlstools.test
        $r.Transcript | Should -Match 'C: EHLO probe.tlstools.test'
        $r.Transcript | Should -Match 'C: STARTTLS'
        $r.Transcript | Should -Match 'C: QUIT'
        $r.Transcript | Should -Not -Match 'C: (MAIL|RCPT|DATA)'
    }

    It 'validates against the system store only when no anchors are given' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName good.bed.test -DnsServer $Common.DnsServer -Port $Common.Port -AddressFamily IPv4
        $r.ChainValid | Should -BeFalse
        ($r.ChainErrors -join ' ') | Should -Match 'UntrustedRoot|PartialChain'
        $r.ExchangeTlsLevel | Should -Be 'EncryptionOnly'
    }
}

Describe 'Test-MailTls certificate checks, measured end to end' {
    # One bed domain per certificate failure; anchors: the bed root only.
    BeforeAll {
        if (-not $NoBed) {
            $script:Strict = Get-BedStrictTarget $Bed
        }
    }

    It 'rates <Domain> <Level> (ChainValid <Chain>, NameMatches <Name>)' -ForEach @(
        @{ Domain = 'good.bed.test'; Profile = 'good'; Level = 'DomainValidation'; Chain = $true; Name = $true }
        @{ Domain = 'wrongname.bed.test'; Profile = 'wrongname'; Level = 'CertificateValidation'; Chain = $true; Name = $false }
        @{ Domain = 'selfsigned.bed.test'; Profile = 'selfsigned'; Level = 'EncryptionOnly'; Chain = $false; Name = $true }
        @{ Domain = 'nointermediate.bed.test'; Profile = 'nointermediate'; Level = 'EncryptionOnly'; Chain = $false; Name = $true }
    ) {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = @(Test-MailTls -DomainName $Domain @Strict)
        $r.Count | Should -Be 1
        $r[0].MxHost | Should -Be $Bed.smtp.$Profile.hostName
        $r[0].IPAddress | Should -Be $Bed.smtp.$Profile.address
        $r[0].TlsEstablished | Should -BeTrue
        $r[0].CertificateThumbprint | Should -Be $Bed.smtp.$Profile.leafThumbprint
        $r[0].ChainValid | Should -Be $Chain
        $r[0].NameMatches | Should -Be $Name
        $r[0].ExchangeTlsLevel | Should -Be $Level
        $r[0].ForcedTlsReady | Should -Be ($Level -ne 'EncryptionOnly')
        if (-not $Chain) { $r[0].ChainErrors | Should -Not -BeNullOrEmpty }
        if (-not $Name) { ($r[0].Notes -join ' ') | Should -Match 'name' }
    }

    It 'names the chain error of the self-signed and the intermediate-less certificate' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        (Test-MailTls -DomainName selfsigned.bed.test @Strict).ChainErrors -join ' ' | Should -Match 'UntrustedRoot'
        (Test-MailTls -DomainName nointermediate.bed.test @Strict).ChainErrors -join ' ' | Should -Match 'PartialChain'
    }

    It 'a missing intermediate is an error, not a download: no request reaches the bed''s CA-issuers URLs' {
        # The nointermediate leaf names intermediate.cer as its caIssuers; the good chain's
        # intermediate names root.cer. A probe must judge what the server sent, never fetch.
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $log = $Bed.http.accessLog
        Test-Path $log | Should -BeTrue
        # The log is live: a request made now shows up in it.
        $offset = Get-BedLogOffset $log
        $null = Invoke-WebRequest -Uri "$($Bed.http.baseUrl)/intermediate.crl" -TimeoutSec 5 -NoProxy
        @(Get-BedLogLine $log $offset) -match '/intermediate\.crl' | Should -Not -BeNullOrEmpty

        $offset = Get-BedLogOffset $log
        $r = @(Test-MailTls -DomainName nointermediate.bed.test, good.bed.test @Strict)
        $r.TlsEstablished | Should -Be @($true, $true)
        ($r | Where-Object Domain -eq 'nointermediate.bed.test').ChainValid | Should -BeFalse
        $requests = @(Get-BedLogLine $log $offset)
        $caIssuers = @($Bed.pki.nointermediate.caIssuersUrl, $Bed.ca.rootCerUrl, $Bed.ca.intermediateCerUrl) |
            ForEach-Object { ([uri] $_).AbsolutePath } | Sort-Object -Unique
        $downloads = $requests | Where-Object { $line = $_; $caIssuers | Where-Object { $line -match [regex]::Escape(" $_ ") } }
        $downloads | Should -BeNullOrEmpty -Because 'a probe must not download certificates (AIA caIssuers) to build a chain'
    }
}

Describe 'Test-MailTls against smart hosts given by IP address' {
    # No name to compare but the address: a certificate that names the address in an iPAddress
    # SAN matches it, one that does not, does not.
    It 'rates a smart host whose certificate carries its IP address' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $p = $Bed.smtp.ipsan
        @($p.certIPAddresses) | Should -Contain $p.address
        $r = Test-MailTls -ComputerName "$($p.address):$($p.port)" -TrustedRootCertificate $Bed.ca.rootCert -IgnoreSystemTrustStore -TimeoutSeconds 10
        $r.IPAddress | Should -Be $p.address
        $r.TlsEstablished | Should -BeTrue
        $r.CertificateThumbprint | Should -Be $p.leafThumbprint
        $r.ChainValid | Should -BeTrue
        $r.NameMatches | Should -BeTrue -Because 'the certificate names the smart host''s address in an iPAddress SAN'
        $r.ExchangeTlsLevel | Should -Be 'DomainValidation'
    }

    It 'rates a smart host whose certificate names only host names CertificateValidation' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $p = $Bed.smtp.good
        $r = Test-MailTls -ComputerName "$($p.address):$($p.port)" -TrustedRootCertificate $Bed.ca.rootCert -IgnoreSystemTrustStore -TimeoutSeconds 10
        $r.TlsEstablished | Should -BeTrue
        $r.ChainValid | Should -BeTrue
        $r.NameMatches | Should -Not -BeTrue
        $r.ExchangeTlsLevel | Should -Be 'CertificateValidation'
        $r.ForcedTlsReady | Should -BeTrue
    }

    It 'does not match an IP address against a certificate that names it only as a DNS name' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -ComputerName "127.0.0.1:$($Bed.smtp.good.loopbackPort)" -TrustedRootCertificate $Bed.ca.rootCert -IgnoreSystemTrustStore -TimeoutSeconds 10
        $r.NameMatches | Should -Not -BeTrue
        $r.ExchangeTlsLevel | Should -Be 'CertificateValidation'
    }
}

Describe 'Test-MailTls -Summary' {
    It 'gives one summary per domain for a compliance check' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $s = @(Test-MailTls -DomainName partner.bed.test, good.bed.test @Common -Summary)
        $s.Count | Should -Be 2
        $partner = $s | Where-Object Domain -eq 'partner.bed.test'
        $partner | Should -BeOfType ([TlsTools.MailTlsDomainSummary])
        $partner.Verdict | Should -Be 'Fail'
        $partner.MxCount | Should -Be 3
        $partner.AllTls | Should -BeFalse
        $partner.HostsWithoutTls | Should -Be @('nostarttls.mx.bed.test')
        $partner.LowestExchangeTlsLevel | Should -Be 'None'
        $good = $s | Where-Object Domain -eq 'good.bed.test'
        $good.Verdict | Should -Be 'Pass'
        $good.LowestExchangeTlsLevel | Should -Be 'DomainValidation'
        $good.ForcedTlsReady | Should -BeTrue
        $good.CertificateDnsNames | Should -Contain 'good.mx.bed.test'
    }
}

Describe 'Test-MailTls -ComputerName' {
    It 'tests smart hosts directly, binding SmartHosts by property name' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $connector = [pscustomobject]@{ Name = 'To partner'; SmartHosts = @("127.0.0.1:$($Bed.smtp.good.loopbackPort)", "127.0.0.1:$($Bed.smtp.nostarttls.loopbackPort)") }
        $r = @($connector | Test-MailTls -TrustedRootCertificate $Bed.ca.rootCert -TimeoutSeconds 10)
        $r.Count | Should -Be 2
        ($r | Where-Object Port -eq $Bed.smtp.good.loopbackPort).TlsEstablished | Should -BeTrue
        ($r | Where-Object Port -eq $Bed.smtp.nostarttls.loopbackPort).StartTlsOffered | Should -BeFalse
    }

    It 'speaks implicit TLS with -TlsMode Implicit' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -ComputerName 127.0.0.1 -Port $Bed.smtp.implicit.loopbackPort -TlsMode Implicit -TrustedRootCertificate $Bed.ca.rootCert
        $r.TlsEstablished | Should -BeTrue
        $r.Banner | Should -Match 'implicit.mx.bed.test'
    }

    It 'writes ConnectFailed for an address nothing listens on' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = @(Test-MailTls -ComputerName "127.0.0.1:$($Bed.closedPort)" -ErrorVariable err -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConnectFailed,*'
        $err[0].TargetObject | Should -Match $Bed.closedPort
    }
}

Describe 'Test-MailTls input binding' {
    It 'binds DomainName from Get-AcceptedDomain-like objects and Import-Csv rows' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $csv = Join-Path $TestDrive 'partners.csv'
        'Domain', 'good.bed.test', 'nomx.bed.test' | Set-Content $csv
        $fromCsv = @(Import-Csv $csv | Test-MailTls @Common -AddressFamily IPv4)
        ($fromCsv.Domain | Sort-Object -Unique) | Should -Be @('good.bed.test', 'nomx.bed.test')
        $accepted = [pscustomobject]@{ Name = 'Good'; DomainName = 'good.bed.test' }
        @($accepted | Test-MailTls @Common -AddressFamily IPv4).Domain | Should -Be 'good.bed.test'
    }

    It 'rejects a wildcard address space with InvalidDomainName' {
        $null = Test-MailTls -DomainName '*' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDomainName,*'
    }
}

Describe 'Test-MailTls manners' {
    It 'reports progress in addresses and completes it' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Join-Path $script:ModulePath 'TlsTools.psd1')).AddStatement()
            $null = $ps.AddCommand('Test-MailTls').AddParameter('DomainName', 'partner.bed.test').AddParameter('DnsServer', $Common.DnsServer).AddParameter('Port', $Common.Port).AddParameter('TrustedRootCertificate', $Common.TrustedRootCertificate)
            $results = $ps.Invoke()
            $results.Count | Should -BeGreaterOrEqual 3
            $progress = @($ps.Streams.Progress)
            $progress.Count | Should -BeGreaterThan 0
            $progress[-1].RecordType | Should -Be 'Completed'
            ($progress | Where-Object RecordType -eq 'Processing' | Select-Object -Last 1).StatusDescription | Should -Match "^$($results.Count) of $($results.Count) done$"
        }
        finally { $ps.Dispose() }
    }

    It 'stops promptly on Ctrl+C while every address waits on a silent server' {
        $run = Invoke-StoppedOnSilentServer Test-MailTls {
            param($port)
            @{ ComputerName = @(1..8 | ForEach-Object { "127.0.0.1:$port" }); TimeoutSeconds = 120 }
        }
        $run.ConnectionsAccepted | Should -BeGreaterThan 0 -Because 'Stop must hit a probe that is waiting on the server'
        $run.RunningBeforeStop | Should -BeTrue
        $run.StopSeconds | Should -BeLessThan 1
        $run.State | Should -Be 'Stopped'
    }

    It 'reports a silent server as Timeout within -TimeoutSeconds, in its result' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Test-MailTls -ComputerName "127.0.0.1:$($listener.LocalEndpoint.Port)" -TimeoutSeconds 2
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
            $r.ErrorId | Should -Be 'Timeout'
            $r.TlsEstablished | Should -BeFalse
        }
        finally { $listener.Stop() }
    }

    It 'survives Export-Csv and ConvertTo-Json with flat fields' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-MailTls -DomainName good.bed.test @Common -AddressFamily IPv4
        $csv = $r | ConvertTo-Csv | ConvertFrom-Csv
        $csv.ExchangeTlsLevel | Should -Be 'DomainValidation'
        $csv.CertificateDnsNames | Should -Be ($r.CertificateDnsNames -join ', ')
        $json = $r | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $json.CertificateThumbprint | Should -Be $r.CertificateThumbprint
        $json.CertificateDnsNames | Should -Be @($r.CertificateDnsNames)
    }
}
