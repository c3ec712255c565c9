BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed

    function Get-ProxyLogSince {
        param([long] $Offset)
        $log = $Bed.proxy.log
        if (-not (Test-Path $log)) { return @() }
        $stream = [System.IO.File]::Open($log, 'Open', 'Read', 'ReadWrite')
        try {
            $null = $stream.Seek($Offset, 'Begin')
            (New-Object System.IO.StreamReader($stream)).ReadToEnd() -split "`n" | Where-Object { $_ }
        }
        finally { $stream.Dispose() }
    }
}

Describe 'Test-CrlReachability against the test bed' {
    It 'finds the good leaf''s CRL, OCSP and CA-issuers endpoints OK' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $case = $Bed.pki.good
        $results = @(Test-CrlReachability -Path $case.leafCert -TimeoutSeconds 10)
        $results.Count | Should -Be 3
        $results | ForEach-Object { $_ | Should -BeOfType ([TlsTools.RevocationEndpointResult]) }
        $crl = $results | Where-Object Kind -EQ 'Crl'
        $ocsp = $results | Where-Object Kind -EQ 'Ocsp'
        $aia = $results | Where-Object Kind -EQ 'CaIssuers'
        $crl.Uri | Should -Be $case.crlUrl
        $ocsp.Uri | Should -Be $case.ocspUrl
        $aia.Uri | Should -Be $case.caIssuersUrl
        foreach ($r in $crl, $ocsp) {
            $r.Status | Should -Be 'OK' -Because $r.Detail
            $r.CertificateStatus | Should -Be 'Good'
            $r.SignatureValid | Should -BeTrue
            $r.Reachable | Should -BeTrue
            $r.HttpStatus | Should -Be 200
            $r.Bytes | Should -BeGreaterThan 0
            $r.NextUpdate | Should -BeGreaterThan ([DateTime]::UtcNow)
            $r.Issuer | Should -Be $Bed.ca.intermediateSubject
        }
        $aia.Status | Should -Be 'OK' -Because $aia.Detail
        $aia.Issuer | Should -Be $Bed.ca.intermediateSubject
        $crl.Certificate | Should -Match 'CN=good\.mx\.bed\.test'
        $crl.Thumbprint | Should -Be $case.leafThumbprint
    }

    It 'finds the revoked leaf Revoked by both its CRL and its OCSP responder' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $results = @(Test-CrlReachability -Path $Bed.pki.revoked.leafCert -TimeoutSeconds 10)
        foreach ($kind in 'Crl', 'Ocsp') {
            $r = $results | Where-Object Kind -EQ $kind
            $r.Status | Should -Be 'Revoked' -Because $r.Detail
            $r.CertificateStatus | Should -Be 'Revoked'
            $r.RevocationReason | Should -Be 'keyCompromise'
            $r.RevocationDate | Should -Not -BeNullOrEmpty
            $r.SignatureValid | Should -BeTrue
        }
    }

    It 'reports an endpoint on a closed port as Unreachable within the timeout' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = @(Test-CrlReachability -Path $Bed.pki.closedport.leafCert -TimeoutSeconds 5 -ErrorVariable errs)
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $errs | Should -BeNullOrEmpty
        $results.Count | Should -Be 3
        foreach ($r in $results) {
            $r.Status | Should -Be 'Unreachable' -Because $r.Detail
            $r.Reachable | Should -BeFalse
            $r.HttpStatus | Should -BeNullOrEmpty
            $r.Uri | Should -Match ":$($Bed.closedPort)/"
        }
    }

    It 'reports an expired CRL as Expired' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-CrlReachability -Path $Bed.pki.expiredcrl.leafCert | Where-Object Kind -EQ 'Crl'
        $r.Uri | Should -Be $Bed.crl.expired.url
        $r.Status | Should -Be 'Expired' -Because $r.Detail
        $r.NextUpdate | Should -BeLessThan ([DateTime]::UtcNow)
        $r.SignatureValid | Should -BeTrue
    }

    It 'reports a CRL signed by the wrong key as Invalid' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-CrlReachability -Path $Bed.pki.badsigcrl.leafCert | Where-Object Kind -EQ 'Crl'
        $r.Uri | Should -Be $Bed.crl.badsig.url
        $r.Status | Should -Be 'Invalid' -Because $r.Detail
        $r.SignatureValid | Should -BeFalse
        $r.Issuer | Should -Be $Bed.ca.intermediateSubject
    }

    It 'sends every request through -Proxy (the bed''s proxy logs them)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $case = $Bed.pki.good
        $offset = (Get-Item $Bed.proxy.log).Length
        $results = @(Test-CrlReachability -Path $case.leafCert -Proxy $Bed.proxy.url)
        $results | ForEach-Object { $_.Status | Should -Be 'OK' -Because $_.Detail; $_.Proxy | Should -Be "$($Bed.proxy.url)/" }
        $lines = @(Get-ProxyLogSince $offset)
        ($lines | Where-Object { $_ -like "*`"GET $($case.crlUrl) HTTP/1.1`" 200*" }) | Should -Not -BeNullOrEmpty
        ($lines | Where-Object { $_ -like "*`"POST $($case.ocspUrl) HTTP/1.1`" 200*" }) | Should -Not -BeNullOrEmpty
        ($lines | Where-Object { $_ -like "*`"GET $($case.caIssuersUrl) HTTP/1.1`" 200*" }) | Should -Not -BeNullOrEmpty
    }

    It 'checks every certificate of a chain, finding each issuer among the others' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $results = @(Test-CrlReachability -Path $Bed.pki.good.fullChain, $Bed.ca.rootCert)
        $results.Count | Should -Be 6
        $results | ForEach-Object { $_.Status | Should -Be 'OK' -Because "$($_.Uri): $($_.Detail)" }
        $intermediate = $results | Where-Object Certificate -EQ $Bed.ca.intermediateSubject
        $intermediate.Uri | Should -Contain $Bed.crl.root.url
        $intermediate.Uri | Should -Contain $Bed.ocsp.rootUrl
        ($intermediate | Where-Object Kind -EQ 'Crl').Issuer | Should -Be $Bed.ca.rootSubject
    }

    It 'takes Get-RemoteCertificate output from the pipeline' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $results = @(Get-RemoteCertificate -ComputerName 127.0.0.1 -Port $Bed.smtp.revoked.loopbackPort -StartTls Smtp | Test-CrlReachability)
        $results.Count | Should -Be 6
        ($results | Where-Object { $_.Certificate -match 'revoked' -and $_.Kind -ne 'CaIssuers' }).Status | Should -Be @('Revoked', 'Revoked')
        ($results | Where-Object Certificate -EQ $Bed.ca.intermediateSubject).Status | Should -Be @('OK', 'OK', 'OK')
    }

    It 'checks raw URLs, guessing the kind from the URL' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $results = @($Bed.crl.intermediate.url, $Bed.ca.rootCerUrl, $Bed.ocsp.intermediateUrl | Test-CrlReachability)
        $results.Count | Should -Be 3
        ($results | Where-Object Uri -EQ $Bed.crl.intermediate.url).Kind | Should -Be 'Crl'
        ($results | Where-Object Uri -EQ $Bed.ca.rootCerUrl).Kind | Should -Be 'CaIssuers'
        ($results | Where-Object Uri -EQ $Bed.ocsp.intermediateUrl).Kind | Should -Be 'Ocsp'
        $results | ForEach-Object { $_.Status | Should -Be 'OK' -Because $_.Detail }
    }

    It 'stops reading at -MaximumResponseBytes' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-CrlReachability -Uri $Bed.ca.intermediateCerUrl -MaximumResponseBytes 1024
        $r.Status | Should -Be 'TooLarge' -Because $r.Detail
        $r.Reachable | Should -BeTrue
    }

    It 'checks the ExchangeOnline preset through a proxy without resolving a name here' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        # The bed's proxy answers 403 to every host name and never resolves one: each endpoint is a
        # finding, and the log shows the requests went to the proxy.
        $offset = (Get-Item $Bed.proxy.log).Length
        $results = @(Test-CrlReachability -Preset ExchangeOnline -Proxy $Bed.proxy.url -TimeoutSeconds 10)
        $results.Count | Should -BeGreaterOrEqual 15
        $results | ForEach-Object {
            $_.Status | Should -Be 'HttpError' -Because $_.Detail
            $_.HttpStatus | Should -Be 403
            $_.Note | Should -Match 'Exchange Online|Microsoft'
        }
        $results.Uri | Should -Contain 'http://crl.globalsign.com/gsorganizationvalsha2g3.crl'
        $results.Uri | Should -Contain 'http://cacerts.digicert.com/DigiCertGlobalRootG2.crt'
        $lines = @(Get-ProxyLogSince $offset)
        ($lines | Where-Object { $_ -like '*"GET http://crl.globalsign.com/gsorganizationvalsha2g3.crl HTTP/1.1" 403*' }) | Should -Not -BeNullOrEmpty
        ($lines | Where-Object { $_ -like '*"POST http://ocsp.digicert.com/ HTTP/1.1" 403*' }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'Test-CrlReachability without the bed' {
    It 'reports a silent endpoint as Timeout after -TimeoutSeconds' {
        # A listener that never accepts: the kernel completes the connection, nobody answers.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $url = 'http://127.0.0.1:{0}/silent.crl' -f $listener.LocalEndpoint.Port
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Test-CrlReachability -Uri $url -TimeoutSeconds 2
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
            $r.Status | Should -Be 'Timeout' -Because $r.Detail
            $r.Kind | Should -Be 'Crl'
            $r.Latency.TotalSeconds | Should -BeGreaterOrEqual 1.9
        }
        finally { $listener.Stop() }
    }

    It 'writes non-terminating errors with stable ids for bad input and goes on' {
        $bad = Join-Path ([System.IO.Path]::GetTempPath()) ("tlstools-not-a-cert-{0}.txt" -f [guid]::NewGuid())
        Set-Content -Path $bad -Value 'hello'
        try {
            $nothing = Join-Path ([System.IO.Path]::GetTempPath()) 'tlstools-no-such-file-*.cer'
            $null = Test-CrlReachability -Path $bad, '/nonexistent/leaf.cer', $nothing -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs.Count | Should -Be 3
            $errs.FullyQualifiedErrorId | Should -Contain 'CertificateFileInvalid,TlsTools.Commands.TestCrlReachabilityCommand'
            @($errs | Where-Object FullyQualifiedErrorId -EQ 'PathNotFound,TlsTools.Commands.TestCrlReachabilityCommand').TargetObject |
                Should -Be @('/nonexistent/leaf.cer', $nothing)
        }
        finally { Remove-Item $bad -ErrorAction SilentlyContinue }

        $closed = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $closed.Start(); $port = $closed.LocalEndpoint.Port; $closed.Stop()
        $results = @(Test-CrlReachability -Uri 'ldap://ldap.example/cn=CA', 'not a url', "http://127.0.0.1:$port/x.crl" -ErrorVariable errs -ErrorAction SilentlyContinue)
        @($errs | Where-Object FullyQualifiedErrorId -Like 'InvalidUri,*').Count | Should -Be 2
        $errs[0].TargetObject | Should -Be 'ldap://ldap.example/cn=CA'
        $results.Count | Should -Be 1
        $results[0].Status | Should -Be 'Unreachable'
    }

    It 'refuses a proxy that is not http://' {
        { Test-CrlReachability -Uri http://127.0.0.1:1/x.crl -Proxy 'ftp://proxy.example' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidProxy,TlsTools.Commands.TestCrlReachabilityCommand'
    }

    It 'has a table view that fits 120 columns' {
        (Get-FormatData -TypeName TlsTools.RevocationEndpointResult).FormatViewDefinition.Name | Should -Contain 'TlsTools.RevocationEndpointResult'
        $r = [TlsTools.RevocationEndpointResult]@{ Certificate = 'CN=mx.example, O=Example'; Uri = 'http://crl.example.com/' + ('x' * 60) + '.crl'; Status = 'OK'; Kind = 'Crl'; HttpStatus = 200; Latency = [TimeSpan]::FromMilliseconds(12); NextUpdate = [DateTime]::UtcNow }
        $lines = ($r | Format-Table | Out-String -Width 120) -split "`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match 'Status\s+Kind\s+Certificate\s+Uri\s+HTTP\s+ms\s+NextUpdate'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $lines[-1] | Should -Match '^OK\s+Crl\s+mx\.example\s'
    }
}
