# A sweep through PowerShell remoting over SSH, to this machine itself: the bed runs its own sshd
# (loopback only, throwaway host and client keys, a powershell subsystem; "ssh" in bed.json), the
# remote side imports the built module and runs Test-MailTls against the bed with everything it
# needs passed through -ArgumentList (the remote process has none of the bed's variables), and
# the results come back deserialized, rendered by the module's views.
# Without an sshd (openssh-server missing, the bed not started as root) these tests skip, and
# a skip fails the run under CI=true.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/serialization.ps1
    # A bed started from here gives its sshd this very pwsh for the powershell subsystem.
    if (-not $env:TLSTOOLS_BED_PWSH) {
        $candidate = Join-Path $PSHOME 'pwsh'
        if (Test-Path $candidate) { $env:TLSTOOLS_BED_PWSH = $candidate }
    }
    $script:Bed = Get-TestBed
    $script:NoSsh = $null -eq $Bed -or $null -eq $Bed.ssh
    $script:SkipReason = if ($null -eq $Bed) { Get-TestBedSkipReason }
    elseif ($null -eq $Bed.ssh) { 'the test bed runs without its sshd (install openssh-server with tests/bed/install-deps.sh, then restart the bed)' }

    if (-not $NoSsh) {
        # Only the bed's own known_hosts, never the user's ~/.ssh: the host key must be the bed's.
        $script:SshOptions = @{
            UserKnownHostsFile    = $Bed.ssh.knownHosts
            GlobalKnownHostsFile  = '/dev/null'
            StrictHostKeyChecking = 'yes'
            IdentitiesOnly        = 'yes'
            BatchMode             = 'yes'
            ConnectTimeout        = '10'
        }
        $script:Ssh = @{ Port = $Bed.ssh.port; UserName = $Bed.ssh.user; KeyFilePath = $Bed.ssh.clientKey; Options = $SshOptions }
        $script:UserKnownHosts = Join-Path $HOME '.ssh/known_hosts'
        $script:UserKnownHostsBefore = if (Test-Path $UserKnownHosts) { (Get-FileHash $UserKnownHosts).Hash } else { 'absent' }

        # What the remote side needs, as arguments: the module to import and the bed's DNS server,
        # SMTP port and root certificate.
        $script:Target = Get-BedStrictTarget $Bed
        $script:Sweep = {
            param([string] $ModulePath, [hashtable] $Target, [string[]] $Domain, [bool] $Summary)
            $ErrorActionPreference = 'Stop'
            Import-Module (Join-Path $ModulePath 'TlsTools.psd1')
            Test-MailTls -DomainName $Domain -Summary:$Summary @Target
        }
        $script:Domains = 'good.bed.test', 'partner.bed.test', 'oldtls.bed.test'

        # One remote run over SSH: results and summaries, deserialized. A report test can feed
        # $RemoteResults and $RemoteSummaries to a report cmdlet as results of a remote sweep.
        $script:Session = New-PSSession -HostName 127.0.0.1 @Ssh -ErrorAction Stop
        $script:RemoteFacts = Invoke-Command -Session $Session -ErrorAction Stop -ScriptBlock {
            [pscustomobject]@{ Pid = $PID; BedDir = $env:TLSTOOLS_BED_DIR; ModuleLoaded = [bool](Get-Module TlsTools) }
        }
        $script:RemoteResults = @(Invoke-Command -Session $Session -ScriptBlock $Sweep -ArgumentList $ModulePath, $Target, $Domains -ErrorAction Stop)
        $script:RemoteSummaries = @(Invoke-Command -Session $Session -ScriptBlock $Sweep -ArgumentList $ModulePath, $Target, $Domains, $true -ErrorAction Stop)
        $script:LocalResults = @(Test-MailTls -DomainName $Domains @Target)
        $script:LocalSummaries = @(Test-MailTls -DomainName $Domains -Summary @Target)
    }

    function Skip-WithoutSsh {
        if ($NoSsh) { Set-ItResult -Skipped -Because $SkipReason; return $true }
        $false
    }
}

AfterAll {
    if ($script:Session) { $script:Session | Remove-PSSession -ErrorAction SilentlyContinue }
}

Describe 'PowerShell remoting over SSH to the bed''s own sshd' {
    It 'runs in another process that has none of the bed''s variables' {
        if (Skip-WithoutSsh) { return }
        $RemoteFacts.Pid | Should -Not -Be $PID
        $RemoteFacts.BedDir | Should -BeNullOrEmpty
        $RemoteFacts.ModuleLoaded | Should -BeFalse
        $Session.Transport | Should -Be 'SSH'
        $Session.ComputerName | Should -Be '127.0.0.1'
    }

    It 'Test-MailTls results come back deserialized with the same findings as a local run' {
        if (Skip-WithoutSsh) { return }
        $RemoteResults.Count | Should -Be $LocalResults.Count
        $RemoteResults.Count | Should -BeGreaterOrEqual 5
        foreach ($r in $RemoteResults) {
            $r.pstypenames[0] | Should -Be 'Deserialized.TlsTools.MailTlsResult'
            $r.PSComputerName | Should -Be '127.0.0.1'
        }
        $key = { '{0}|{1}|{2}|{3}|{4}|{5}' -f $_.Domain, $_.MxHost, $_.IPAddress, $_.TlsEstablished, $_.Protocol, $_.ExchangeTlsLevel }
        @($RemoteResults | ForEach-Object $key | Sort-Object) | Should -Be @($LocalResults | ForEach-Object $key | Sort-Object)
        $good = $RemoteResults | Where-Object Domain -eq good.bed.test
        $good.ExchangeTlsLevel | Should -BeOfType [string]
        $good.ExchangeTlsLevel | Should -Be 'DomainValidation'
        $good.CertificateThumbprint | Should -Be $Bed.pki.good.leafThumbprint
        $good.CertificateNotAfter | Should -BeOfType [datetime]
        ($RemoteResults | Where-Object Domain -eq oldtls.bed.test).ExchangeTlsLevel | Should -Not -Be 'DomainValidation'
    }

    It 'summaries come back with their nested results and verdicts as names' {
        if (Skip-WithoutSsh) { return }
        $RemoteSummaries.Count | Should -Be 3
        foreach ($s in $RemoteSummaries) {
            $local = $LocalSummaries | Where-Object Domain -eq $s.Domain
            $s.pstypenames[0] | Should -Be 'Deserialized.TlsTools.MailTlsDomainSummary'
            $s.Verdict | Should -BeOfType [string]
            $s.Verdict | Should -Be $local.Verdict.ToString()
            $s.LowestExchangeTlsLevel | Should -Be $local.LowestExchangeTlsLevel.ToString()
            $s.DefaultDelivery | Should -Be $local.DefaultDelivery.ToString()
            @($s.Reasons) | Should -Be @($local.Reasons)
            $s.Results.Count | Should -Be $local.Results.Count
            $s.Results[0].pstypenames[0] | Should -Be 'Deserialized.TlsTools.MailTlsResult'
            $s.Results[0].ExchangeTlsLevel | Should -BeOfType [string]
            @($s.Results.MxHost) | Should -Be @($local.Results.MxHost)
        }
        ($RemoteSummaries | Where-Object Domain -eq good.bed.test).Verdict | Should -Be 'Pass'
        ($RemoteSummaries | Where-Object Domain -eq partner.bed.test).Verdict | Should -Be 'Fail'
    }

    It 'deserialized results render with the module''s views' {
        if (Skip-WithoutSsh) { return }
        foreach ($pair in @(@{ Type = 'TlsTools.MailTlsResult'; Remote = $RemoteResults; Local = $LocalResults },
                @{ Type = 'TlsTools.MailTlsDomainSummary'; Remote = $RemoteSummaries; Local = $LocalSummaries })) {
            $labels = Get-ViewColumn -TypeName $pair.Type
            $labels.Count | Should -BeGreaterThan 4
            $text = $pair.Remote | Format-Table | Out-String -Width 400
            $header = Get-TableHeader $text
            foreach ($l in $labels) { $header | Should -Match ([regex]::Escape($l)) }
            # the view's columns, then the column PowerShell adds for remote results: the machine each came from
            $header.TrimEnd() | Should -Match '\sPSComputerName$'
            ($header.TrimEnd() -replace '\s+PSComputerName$') | Should -Be (Get-TableHeader ($pair.Local | Format-Table | Out-String -Width 400)).TrimEnd()
            $header | Should -Not -Match 'RunspaceId'
            ($pair.Remote | Format-Table | Out-String -Width 400) -split "`n" | Where-Object { $_ -match '\S' } | Select-Object -Skip 2 |
                ForEach-Object { $_.TrimEnd() | Should -Match '\s127\.0\.0\.1$' }
        }
        $lines = ($RemoteSummaries | Format-Table | Out-String -Width 400) -split "`n"
        foreach ($s in $LocalSummaries) {
            $row = $lines | Where-Object { $_ -match "^$([regex]::Escape($s.Domain))\s" }
            $row | Should -Not -BeNullOrEmpty
            $row | Should -Match "\b$($s.Verdict)\b"
            $row | Should -Match "\b$($s.LowestExchangeTlsLevel)\b"
        }
    }

    It 'fans out over several hosts and sessions with -ThrottleLimit' {
        if (Skip-WithoutSsh) { return }
        $hosts = @($Bed.ssh.addresses) + @($Bed.ssh.addresses)
        $hosts.Count | Should -Be 4
        $sessions = @(New-PSSession -HostName $hosts @Ssh -ErrorAction Stop)
        try {
            $sessions.Count | Should -Be 4
            $timed = {
                param([string] $ModulePath, [hashtable] $Target, [string[]] $Domain)
                $ErrorActionPreference = 'Stop'
                $start = [datetime]::UtcNow
                Import-Module (Join-Path $ModulePath 'TlsTools.psd1')
                $summaries = @(Test-MailTls -DomainName $Domain -Summary @Target)
                Start-Sleep -Milliseconds 500
                [pscustomobject]@{ Pid = $PID; Start = $start; End = [datetime]::UtcNow; Summaries = $summaries }
            }
            $runs = @(Invoke-Command -Session $sessions -ThrottleLimit 2 -ScriptBlock $timed -ArgumentList $ModulePath, $Target, $Domains -ErrorAction Stop)
            $runs.Count | Should -Be 4
            @($runs.Pid | Sort-Object -Unique).Count | Should -Be 4
            @($runs | Group-Object PSComputerName | ForEach-Object { '{0}={1}' -f $_.Name, $_.Count } | Sort-Object) |
                Should -Be @($Bed.ssh.addresses | ForEach-Object { "$_=2" } | Sort-Object)
            # never more than two remote runs at once
            foreach ($r in $runs) {
                @($runs | Where-Object { $_.Start -le $r.Start -and $_.End -gt $r.Start }).Count | Should -BeLessOrEqual 2
            }
            foreach ($r in $runs) {
                $r.Summaries.Count | Should -Be 3
                foreach ($s in $r.Summaries) {
                    $s.pstypenames[0] | Should -Be 'Deserialized.TlsTools.MailTlsDomainSummary'
                    $s.Verdict | Should -Be ($LocalSummaries | Where-Object Domain -eq $s.Domain).Verdict.ToString()
                }
            }
            $all = $runs | ForEach-Object { $_.Summaries }
            ((Get-TableHeader ($all | Format-Table | Out-String -Width 400)).TrimEnd() -replace '\s+PSComputerName$') |
                Should -Be (Get-TableHeader ($LocalSummaries | Format-Table | Out-String -Width 400)).TrimEnd()
        }
        finally {
            $sessions | Remove-PSSession -ErrorAction SilentlyContinue
        }
    }

    It 'checks the host key against the bed''s known_hosts only, and leaves the user''s ~/.ssh alone' {
        if (Skip-WithoutSsh) { return }
        $empty = Join-Path $TestDrive 'known_hosts'
        Set-Content -Path $empty -Value ''
        $strict = $SshOptions.Clone()
        $strict.UserKnownHostsFile = $empty
        $err = $null
        try {
            Invoke-Command -HostName 127.0.0.1 -Port $Bed.ssh.port -UserName $Bed.ssh.user -KeyFilePath $Bed.ssh.clientKey -Options $strict -ScriptBlock { $PID } -ErrorAction Stop
        }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        (Get-Content $empty -Raw) | Should -Not -Match 'ssh-'
        $after = if (Test-Path $UserKnownHosts) { (Get-FileHash $UserKnownHosts).Hash } else { 'absent' }
        $after | Should -Be $UserKnownHostsBefore
    }

    It 'feeds the report: a remote sweep''s deserialized summaries render with their per-address results' {
        if (Skip-WithoutSsh) { return }
        $path = Join-Path $TestDrive 'remote-sweep.html'
        $RemoteSummaries | ConvertTo-MailTlsReport -Path $path -ErrorVariable reportErrors
        $reportErrors | Should -BeNullOrEmpty
        $html = Get-Content -Path $path -Raw
        foreach ($s in $LocalSummaries) {
            $html | Should -Match ('</span>{0}</td><td class="domain"><a href="#d-\d+">{1}</a>' -f $s.Verdict, [regex]::Escape($s.Domain))
        }
        # the summaries' nested Results came through remoting, so the page needs no second input
        $html | Should -Not -BeLikeExactly '*carries no per-address results*'
        foreach ($r in $LocalResults) { $html | Should -BeLikeExactly "*$($r.IPAddress)*" }
    }

    It 'feeds the report: a remote sweep''s deserialized per-address results are judged on the page' {
        if (Skip-WithoutSsh) { return }
        $path = Join-Path $TestDrive 'remote-results.html'
        $RemoteResults | ConvertTo-MailTlsReport -Path $path -ErrorVariable reportErrors
        $reportErrors | Should -BeNullOrEmpty
        $html = Get-Content -Path $path -Raw
        foreach ($d in @($LocalResults.Domain | Sort-Object -Unique)) {
            $html | Should -Match ('<td class="domain"><a href="#d-\d+">{0}</a>' -f [regex]::Escape($d))
        }
        foreach ($r in $LocalResults) { $html | Should -BeLikeExactly "*$($r.IPAddress)*" }
    }
}
