BeforeDiscovery {
    # Profiles that complete a TLS handshake and so return a chain. Read from the bed's own
    # description at discovery time when it is up, else from this list (the tests then skip).
    $script:ChainProfiles = @('good', 'expired', 'wrongname', 'selfsigned', 'nointermediate', 'revoked', 'legacy', 'tls10')
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
}

Describe 'Get-RemoteCertificate against the test bed' {
    It 'returns the <_> profile''s chain leaf first, as openssl s_client -showcerts sees it' -ForEach $ChainProfiles {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $p = $Bed.smtp.$_
        $chain = @(Get-RemoteCertificate -ComputerName 127.0.0.1 -Port $p.loopbackPort -StartTls Smtp -TimeoutSeconds 10)
        $expected = @(Get-OpenSslThumbprint -Port $p.loopbackPort -StartTlsSmtp)
        $expected.Count | Should -BeGreaterThan 0
        $chain.Thumbprint | Should -Be $expected
        $chain[0].Thumbprint | Should -Be $p.leafThumbprint
        $chain.ChainIndex | Should -Be (0..($chain.Count - 1))
        $chain[0] | Should -BeOfType ([TlsTools.RemoteCertificate])
        $chain[0].Certificate | Should -BeOfType ([System.Security.Cryptography.X509Certificates.X509Certificate2])
    }

    It 'reports what each certificate says' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $chain = @(Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp)
        $chain.Count | Should -Be 2
        $leaf = $chain[0]
        $leaf.DnsNames | Should -Contain $Bed.smtp.good.hostName
        $leaf.Issuer | Should -Be $Bed.ca.intermediateSubject
        $leaf.IsSelfSigned | Should -BeFalse
        $leaf.DaysUntilExpiry | Should -BeGreaterThan 0
        $leaf.CrlDistributionPoints | Should -Not -BeNullOrEmpty
        $leaf.OcspUris | Should -Be @($Bed.pki.good.ocspUrl)
        $leaf.CaIssuersUris | Should -Be @($Bed.pki.good.caIssuersUrl)
        $leaf.ExchangeCertificateName | Should -Be ('<I>{0}<S>{1}' -f $leaf.Issuer, $leaf.Subject)
        $leaf.KeySize | Should -BeGreaterOrEqual 2048
        $chain[1].Subject | Should -Be $Bed.ca.intermediateSubject
    }

    It 'returns the expired leaf with a negative DaysUntilExpiry' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $leaf = Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.expired.loopbackPort -StartTls Smtp | Select-Object -First 1
        $leaf.DaysUntilExpiry | Should -BeLessThan 0
    }

    It 'returns a self-signed leaf alone and marks it' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $chain = @(Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.selfsigned.loopbackPort -StartTls Smtp)
        $chain.Count | Should -Be 1
        $chain[0].IsSelfSigned | Should -BeTrue
    }

    It 'returns only the leaf when the server omits the intermediate' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $chain = @(Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.nointermediate.loopbackPort -StartTls Smtp)
        $chain.Count | Should -Be 1
        $chain[0].IsSelfSigned | Should -BeFalse
    }

    It 'names the wrong name' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $leaf = Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.wrongname.loopbackPort -StartTls Smtp | Select-Object -First 1
        $leaf.DnsNames | Should -Not -Contain $Bed.smtp.wrongname.hostName
        $leaf.DnsNames | Should -Be @($Bed.pki.wrongname.names)
    }

    It 'speaks implicit TLS when asked (465 style)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $p = $Bed.smtp.implicit
        $chain = @(Get-RemoteCertificate 127.0.0.1 -Port $p.loopbackPort -StartTls None)
        $chain.Thumbprint | Should -Be @(Get-OpenSslThumbprint -Port $p.loopbackPort)
    }

    It 'reaches the good profile over IPv6 when the bed listens on ::1' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (-not $Bed.smtp.good.ipv6) { Set-ItResult -Skipped -Because 'the bed has no IPv6 listener (::1 unavailable)'; return }
        $chain = @(Get-RemoteCertificate "[::1]:$($Bed.smtpPort)" -StartTls Smtp)
        $chain[0].Thumbprint | Should -Be $Bed.smtp.good.leafThumbprint
        $chain[0].IPAddress | Should -Be '::1'
    }

    It 'writes the presented chain as PEM with -OutFile' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $file = Join-Path $TestDrive 'chain.pem'
        $chain = @(Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp -OutFile $file)
        $pem = Get-Content $file -Raw
        ([regex]::Matches($pem, 'BEGIN CERTIFICATE')).Count | Should -Be $chain.Count
        $c = [System.Security.Cryptography.X509Certificates.X509Certificate2Collection]::new()
        $c.ImportFromPemFile($file)
        $c.Thumbprint | Should -Be $chain.Thumbprint
    }

    It 'binds Exchange-style objects by property name (Fqdn, SmartHosts, Address)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $port = $Bed.smtp.good.loopbackPort
        $objects = @(
            [pscustomobject]@{ Fqdn = "127.0.0.1:$port" }
            [pscustomobject]@{ SmartHosts = @("127.0.0.1:$port") }
            [pscustomobject]@{ Address = '127.0.0.1'; Port = $port }
        )
        $leaves = $objects | Get-RemoteCertificate -StartTls Smtp | Where-Object ChainIndex -eq 0
        @($leaves).Count | Should -Be 3
        $leaves.Thumbprint | Sort-Object -Unique | Should -Be $Bed.smtp.good.leafThumbprint
    }

    It 'prefers a Send connector''s SmartHosts (as [address] literals) to its own Fqdn' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $sendConnector = [pscustomobject]@{ Name = 'To Partner'; Fqdn = 'outbound.contoso.invalid'; SmartHosts = @("[127.0.0.1]:$($Bed.smtp.good.loopbackPort)") }
        $leaf = $sendConnector | Get-RemoteCertificate -StartTls Smtp | Select-Object -First 1
        $leaf.ComputerName | Should -Be '127.0.0.1'
        $leaf.Thumbprint | Should -Be $Bed.smtp.good.leafThumbprint
    }

    It 'speaks TLS from the first byte on a port without a STARTTLS convention' {
        # The port-to-protocol table (25/587 SMTP, 143 IMAP, 110 POP3) is covered by the unit
        # tests; here: a bed port is no such port, so a TLS hello meets an SMTP greeting and fails.
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $err = $null
        $null = Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -ErrorVariable err -ErrorAction SilentlyContinue -TimeoutSeconds 3
        # Without STARTTLS the client sends a TLS hello to an SMTP server, which fails.
        $err.Count | Should -Be 1
    }
}

Describe 'Get-RemoteCertificate errors' {
    It 'writes StartTlsNotOffered for a server without STARTTLS and goes on with the next target' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $targets = "127.0.0.1:$($Bed.smtp.nostarttls.loopbackPort)", "127.0.0.1:$($Bed.smtp.good.loopbackPort)"
        $out = @(Get-RemoteCertificate $targets -StartTls Smtp -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 2
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'StartTlsNotOffered,*'
        $err[0].TargetObject | Should -Be "127.0.0.1:$($Bed.smtp.nostarttls.loopbackPort)"
        $err[0].CategoryInfo.Category | Should -Be 'ProtocolError'
    }

    It 'writes GreetingRejected with the server text for a 421 greeting' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $null = Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.tempfail.loopbackPort -StartTls Smtp -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GreetingRejected,*'
        $err[0].Exception.Message | Should -Match '421'
    }

    It 'writes ConnectFailed for a closed port' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $null = Get-RemoteCertificate 127.0.0.1 -Port $Bed.closedPort -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConnectFailed,*'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'writes InvalidComputerName for input that is no host' {
        $null = Get-RemoteCertificate 'not a host' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidComputerName,*'
    }

    It 'writes Timeout for a server that never speaks, within -TimeoutSeconds' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $null = Get-RemoteCertificate 127.0.0.1 -Port $port -StartTls Smtp -TimeoutSeconds 2 -ErrorVariable err -ErrorAction SilentlyContinue
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 8
            $err[0].FullyQualifiedErrorId | Should -BeLike 'Timeout,*'
            $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        }
        finally { $listener.Stop() }
    }

    It 'stops promptly on Ctrl+C (StopProcessing) while sockets wait' {
        $run = Invoke-StoppedOnSilentServer Get-RemoteCertificate {
            param($port)
            @{ ComputerName = @(1..5 | ForEach-Object { "127.0.0.1:$port" }); StartTls = 'Smtp'; TimeoutSeconds = 120 }
        }
        $run.ConnectionsAccepted | Should -BeGreaterThan 0 -Because 'Stop must hit a probe that is waiting on the server'
        $run.RunningBeforeStop | Should -BeTrue
        $run.StopSeconds | Should -BeLessThan 1
        $run.State | Should -Be 'Stopped'
    }
}

Describe 'Get-RemoteCertificate output' {
    It 'survives Export-Csv and ConvertTo-Json with flat fields' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $leaf = Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp | Select-Object -First 1
        $csv = $leaf | Select-Object -ExcludeProperty Certificate | ConvertTo-Csv | ConvertFrom-Csv
        $csv.DnsNames | Should -Be ($leaf.DnsNames -join ', ')
        $csv.Thumbprint | Should -Be $leaf.Thumbprint
        $json = $leaf | Select-Object -ExcludeProperty Certificate | ConvertTo-Json | ConvertFrom-Json
        $json.DnsNames | Should -Be @($leaf.DnsNames)
        $json.DaysUntilExpiry | Should -Be $leaf.DaysUntilExpiry
    }

    It 'has a default table view' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $text = Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp | Out-String -Width 120
        $text | Should -Match 'CommonName'
        $text | Should -Match 'Thumbprint'
        $text | Should -Not -Match 'CrlDistributionPoints'
    }
}
