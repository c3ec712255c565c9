# Get-MailTlsPath against real Received headers: the bed's mail path (tests/bed, "path" in bed.json)
# relays test messages through its own Postfix instances, with and without TLS, to a Maildir; every
# hop is held against what the bed configured and against the TLS sessions the MTAs logged. Also:
# MimeKit loads only when the cmdlet runs, errors and warnings, the fixtures of the xunit suite.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:Fixtures = Join-Path $script:RepoRoot 'tests/TlsTools.Core.Tests/Fixtures/Headers'
    $script:Pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    $script:Swaks = Get-Command swaks -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $script:Delivered = @{}

    function Get-LoggedTls {
        <# The "TLSv1.3 with cipher X" parts of the TLS sessions an MTA logged since $Offset. #>
        param([string] $Log, [long] $Offset)
        Get-BedLogLine -Path $Log -Offset $Offset |
            Where-Object { $_ -match 'TLS connection established from' } |
            ForEach-Object { if ($_ -match ': (TLSv[\d.]+) with cipher (\S+) \((\d+)/') { [pscustomobject]@{ Version = $Matches[1]; Cipher = $Matches[2]; Bits = [int]$Matches[3] } } }
    }

    if (-not $script:NoBed -and $script:Swaks -and $script:Bed.PSObject.Properties['path']) {
        $relayOffset = Get-BedLogOffset $script:Bed.path.relay.log
        $sinkOffset = Get-BedLogOffset $script:Bed.path.sink.log
        $zone = $script:Bed.path.zone
        $script:Delivered['tls'] = Send-BedMessage -Bed $script:Bed -Swaks $script:Swaks -Name tls -Domain "tls.$zone" -Tls
        $script:Delivered['tls12'] = Send-BedMessage -Bed $script:Bed -Swaks $script:Swaks -Name tls12 -Domain "tls12.$zone" -Tls
        $script:Delivered['plain'] = Send-BedMessage -Bed $script:Bed -Swaks $script:Swaks -Name plain -Domain "plain.$zone" -Tls
        $script:Delivered['bare'] = Send-BedMessage -Bed $script:Bed -Swaks $script:Swaks -Name bare -Domain "bare.$zone" -Tls
        $script:Delivered['clear'] = Send-BedMessage -Bed $script:Bed -Swaks $script:Swaks -Name clear -Domain "plain.$zone"
        $script:RelayTls = @(Get-LoggedTls $script:Bed.path.relay.log $relayOffset)
        $script:SinkTls = @(Get-LoggedTls $script:Bed.path.sink.log $sinkOffset)
    }

    function Skip-WithoutPath {
        if ($script:NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        if (-not $script:Swaks) { Set-ItResult -Skipped -Because 'swaks is not installed (tests/bed/install-deps.sh installs it)'; return $true }
        if (-not $script:Bed.PSObject.Properties['path']) { Set-ItResult -Skipped -Because 'the running bed has no mail path (restart it with tests/bed/stop.sh and start.sh)'; return $true }
        $false
    }
}

Describe 'Get-MailTlsPath on messages the bed delivered' {
    It 'reads a relay over TLS 1.3 with a client certificate hop by hop' {
        if (Skip-WithoutPath) { return }
        $hops = @(Get-MailTlsPath -Path $Delivered['tls'].FullName)
        $hops.Count | Should -Be 2
        $hops.Index | Should -Be 1, 2

        $hops[0].From | Should -Be 'client.partner.test'
        $hops[0].FromAddress | Should -Be '127.0.0.1'
        $hops[0].By | Should -Be $Bed.path.relay.hostName
        $hops[0].Protocol | Should -Be 'ESMTPS'
        $hops[0].Tls | Should -Be 'True'
        $hops[0].TlsVersion | Should -Be 'Tls13'
        $hops[0].Software | Should -Be 'Postfix'
        $hops[0].ClientCertificate.Requested | Should -BeFalse
        $hops[0].CrossesOrganization | Should -BeTrue
        $hops[0].For | Should -Be "bob@tls.$($Bed.path.zone)"

        $hops[1].From | Should -Be $Bed.path.relay.hostName
        $hops[1].By | Should -Be $Bed.path.sink.hostName
        $hops[1].TlsVersion | Should -Be 'Tls13'
        $hops[1].ClientCertificate.Presented | Should -BeTrue
        $hops[1].ClientCertificate.Subject | Should -Be $Bed.path.clientCertificate.subject
        $hops[1].ClientCertificate.Issuer | Should -Be $Bed.path.clientCertificate.issuer
        $hops[1].ClientCertificate.Verified | Should -Be $Bed.path.clientCertificate.verified
        $hops[1].CrossesOrganization | Should -BeFalse
        $hops[1].Delay | Should -BeGreaterOrEqual ([timespan]::Zero)
        $hops[1].Delay | Should -BeLessThan ([timespan]::FromMinutes(1))
        $hops[1].Timestamp | Should -Not -BeNullOrEmpty
    }

    It 'names the cipher suites the MTAs logged for those sessions, in IANA form' {
        if (Skip-WithoutPath) { return }
        $hops = @(Get-MailTlsPath -Path $Delivered['tls'].FullName)
        # The relay's first logged session is this message's hop 1, the sink's its hop 2.
        $hops[0].RecordedCipher | Should -Be $RelayTls[0].Cipher
        $hops[0].Bits | Should -Be $RelayTls[0].Bits
        $hops[1].RecordedCipher | Should -Be $SinkTls[0].Cipher
        $hops[1].CipherSuite | Should -Match '^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$'
        $hops[1].CipherSuite | Should -Be $SinkTls[0].Cipher
    }

    It 'maps the OpenSSL name of the TLS 1.2 hop to its IANA name' {
        if (Skip-WithoutPath) { return }
        $expect = $Bed.path.domains."tls12.$($Bed.path.zone)"
        $hop = (Get-MailTlsPath -Path $Delivered['tls12'].FullName)[1]
        $hop.TlsVersion | Should -Be 'Tls12'
        $hop.RecordedCipher | Should -Be $expect.cipher
        $hop.CipherSuite | Should -Be 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
        $hop.Bits | Should -Be 128
        $SinkTls[1].Version | Should -Be 'TLSv1.2'
        $SinkTls[1].Cipher | Should -Be $expect.cipher
        $hop.ClientCertificate.Requested | Should -BeTrue
        $hop.ClientCertificate.Presented | Should -BeFalse
    }

    It 'reads a hop in clear as Tls False and a bare ESMTPS keyword as TLS without a version' {
        if (Skip-WithoutPath) { return }
        $plain = @(Get-MailTlsPath -Path $Delivered['plain'].FullName)
        $plain[0].Tls | Should -Be 'True'
        $plain[1].Tls | Should -Be 'False'
        $plain[1].Protocol | Should -Be 'ESMTP'
        $plain[1].TlsVersion | Should -BeNullOrEmpty
        $plain[1].ClientCertificate | Should -BeNullOrEmpty

        $bare = @(Get-MailTlsPath -Path $Delivered['bare'].FullName)
        $bare[1].Protocol | Should -Be 'ESMTPS'
        $bare[1].Tls | Should -Be 'True'
        $bare[1].TlsVersion | Should -BeNullOrEmpty
        $bare[1].CipherSuite | Should -BeNullOrEmpty

        $clear = @(Get-MailTlsPath -Path $Delivered['clear'].FullName)
        $clear.Tls | Should -Be 'False', 'False'
    }

    It 'summarises each message: hops over TLS, in clear, the first without TLS and the boundary verdict' {
        if (Skip-WithoutPath) { return }
        $all = @($Delivered.Values | Get-MailTlsPath -Summary)
        $all.Count | Should -Be 5
        $by = @{}
        foreach ($s in $all) { $by[($s.Subject -replace '^path-(\w+)-.*$', '$1')] = $s }

        $by['tls'].TlsHops | Should -Be 2
        $by['tls'].FirstHopWithoutTls | Should -BeNullOrEmpty
        $by['tls'].BoundaryHops | Should -Be 1
        $by['tls'].BoundaryTls12OrLater | Should -BeTrue

        # plain.path: the relay received it over TLS, then handed it on in clear inside bed.test.
        $by['plain'].ClearHops | Should -Be 1
        $by['plain'].FirstHopWithoutTls.Index | Should -Be 2
        $by['plain'].BoundaryTls12OrLater | Should -BeTrue

        $by['clear'].ClearHops | Should -Be 2
        $by['clear'].FirstHopWithoutTls.Index | Should -Be 1
    }

    It 'fails the compliance check for the message that entered in clear, and only for it' {
        if (Skip-WithoutPath) { return }
        $failing = @($Delivered.Values | Get-MailTlsPath -Summary | Where-Object BoundaryTls12OrLater -ne $true)
        $failing.Count | Should -Be 1
        $failing[0].Source | Should -Be $Delivered['clear'].FullName
        $failing[0].FirstHopWithoutTls.From | Should -Be 'client.partner.test'
        $failing[0].BoundaryTls12OrLater | Should -BeFalse
    }

    It 'counts the relay as the partner''s own with -OrganizationDomain' {
        if (Skip-WithoutPath) { return }
        $s = Get-MailTlsPath -Path $Delivered['clear'].FullName -Summary -OrganizationDomain partner.test, bed.test
        $s.BoundaryHops | Should -Be 0
        $s.BoundaryTls12OrLater | Should -BeNullOrEmpty
        $s.Notes | Should -Contain 'No hop crossed an organisation boundary.'
    }

    It 'takes files from Get-ChildItem and wildcards' {
        if (Skip-WithoutPath) { return }
        $files = @($Delivered.Values)
        $piped = @($files | Get-ChildItem | Get-MailTlsPath -Summary)
        $piped.Count | Should -Be $files.Count
        $wild = @(Get-MailTlsPath -Path (Join-Path $Bed.path.maildir 'new/*') -Summary)
        $wild.Count | Should -BeGreaterOrEqual $files.Count
    }
}

Describe 'Get-MailTlsPath without the bed' {
    It 'reads every fixture of the xunit suite' {
        $hops = @(Get-ChildItem $Fixtures -File | Where-Object Extension -in '.eml', '.txt' | Get-MailTlsPath)
        $hops.Count | Should -BeGreaterThan 20
        ($hops | Where-Object Software -eq 'Exchange Online').Count | Should -BeGreaterThan 0
        ($hops | Where-Object CipherSuite -eq 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384').Count | Should -BeGreaterThan 0
    }

    It 'reads header text, a MimeMessage and header text piped as a string' {
        $text = Get-Content (Join-Path $Fixtures 'gmail.eml') -Raw
        (Get-MailTlsPath -HeaderText $text).Count | Should -Be 4
        ($text | Get-MailTlsPath).Count | Should -Be 4
    }

    It 'writes PathNotFound, InvalidMessage and a warning for a message without Received headers' {
        $null = Get-MailTlsPath -Path (Join-Path $TestDrive 'missing.eml') -ErrorVariable e1 -ErrorAction SilentlyContinue
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $null = 42 | Get-MailTlsPath -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'InvalidMessage,*'
        $none = Join-Path $TestDrive 'none.eml'
        Set-Content $none "From: a@example.com`r`nSubject: x`r`n`r`nbody"
        $null = Get-MailTlsPath -Path $none -WarningVariable w -WarningAction SilentlyContinue
        $w[0] | Should -BeLike '*no Received header*'
    }

    It 'ends quickly on hostile input with Tls Unknown and a note' {
        $big = Join-Path $TestDrive 'big.eml'
        [System.IO.File]::WriteAllText($big, "Received: from x.example (" + ('a' * 1MB) + ") by mx.example.com with ESMTPS`r`n`r`n")
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $hop = Get-MailTlsPath -Path $big
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
        $hop.Tls | Should -Be 'Unknown'
        $hop.Notes | Should -Not -BeNullOrEmpty
    }

    It 'does not load MimeKit at Import-Module, only when it runs' {
        $script = {
            param($module, $fixture)
            $ErrorActionPreference = 'Stop'
            Import-Module $module
            $names = { [System.AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { '{0} {1}' -f $_.GetName().Name, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name } }
            $before = @(& $names) -match '^(MimeKit|MailKit) '
            $hops = @(Get-MailTlsPath -Path $fixture)
            $after = @(& $names) -match '^(MimeKit|MailKit) '
            [pscustomobject]@{ Before = $before -join ';'; After = $after -join ';'; Hops = $hops.Count }
        }
        $out = & $Pwsh -NoProfile -NonInteractive -OutputFormat Xml -Command $script -Args (Join-Path $ModulePath 'TlsTools.psd1'), (Join-Path $Fixtures 'exim.eml')
        $out.Before | Should -BeNullOrEmpty
        $out.After | Should -Be 'MimeKit TlsTools'
        $out.Hops | Should -Be 5
    }
}
