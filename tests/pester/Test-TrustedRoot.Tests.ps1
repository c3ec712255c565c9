BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:Pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }

    function Get-RootStoreThumbprint {
        # The independent reference: what .NET's own Root stores hold.
        foreach ($location in 'CurrentUser', 'LocalMachine') {
            $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('Root', $location)
            try {
                $store.Open('ReadOnly')
                $store.Certificates.Thumbprint
            }
            catch { }
            finally { $store.Dispose() }
        }
    }

    function Invoke-WithSystemBundle {
        # Runs Test-TrustedRoot in a child process whose LocalMachine\Root also holds $CertFile
        # (on Linux .NET reads SSL_CERT_FILE as part of the system bundle); returns its objects.
        param([string] $CertFile, [string] $Arguments)
        $old = $env:SSL_CERT_FILE
        $env:SSL_CERT_FILE = $CertFile
        try {
            $command = "Import-Module '$ModulePath/TlsTools.psd1'; $Arguments | ConvertTo-Json -Depth 2"
            $json = & $Pwsh -NoProfile -NonInteractive -Command $command
            $json | ConvertFrom-Json
        }
        finally { $env:SSL_CERT_FILE = $old }
    }
}

Describe 'Test-TrustedRoot' {
    It 'looks up the ExchangeOnline preset roots in the Root stores' {
        $results = @(Test-TrustedRoot -Preset ExchangeOnline)
        $results.Count | Should -Be 4
        $results.Name | Should -Contain 'DigiCert Global Root G2'
        $results.Name | Should -Contain 'DigiCert Global Root CA'
        $inStore = @(Get-RootStoreThumbprint)
        foreach ($r in $results) {
            $r | Should -BeOfType ([TlsTools.TrustedRootResult])
            $r.Thumbprint | Should -Match '^[0-9A-F]{40}$'
            $r.RequiredBy | Should -Match 'Exchange Online'
            $r.NotAfter | Should -Not -BeNullOrEmpty
            $r.Found | Should -Be ($inStore -contains $r.Thumbprint)
            if ($r.Found) { $r.Store | Should -Match '^(CurrentUser|LocalMachine)\\Root' } else { $r.Store | Should -BeNullOrEmpty }
        }
        ($results | Where-Object Name -EQ 'DigiCert Global Root G2').Thumbprint | Should -Be 'DF3C24F9BFD666761B268073FE06D1CC8D4F82A4'
        ($results | Where-Object Name -EQ 'DigiCert Global Root G2').RequiredBy | Should -Match '2026-03-22'
    }

    It 'takes thumbprints from the pipeline and reports a malformed one as an error' {
        $results = @('DF3C24F9BFD666761B268073FE06D1CC8D4F82A4', 'not-a-thumbprint', ('00' * 20) | Test-TrustedRoot -ErrorVariable errs -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 2
        $results[1].Found | Should -BeFalse
        $results[1].Thumbprint | Should -Be ('00' * 20)
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvalidThumbprint,TlsTools.Commands.TestTrustedRootCommand'
        $errs[0].TargetObject | Should -Be 'not-a-thumbprint'
    }

    It 'does not find the test bed''s root in the stores' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Test-TrustedRoot -Thumbprint $Bed.ca.rootThumbprint
        $r.Found | Should -BeFalse
        $r.Thumbprint | Should -Be $Bed.ca.rootThumbprint
    }

    It 'finds the test bed''s root once the system bundle holds it' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'SSL_CERT_FILE extends the Root store on Linux only'; return }
        $r = Invoke-WithSystemBundle -CertFile $Bed.ca.rootCert -Arguments "Test-TrustedRoot -Thumbprint $($Bed.ca.rootThumbprint)"
        $r.Found | Should -BeTrue
        $r.Store | Should -Be 'LocalMachine\Root'
        $r.Name | Should -Be 'TlsTools Test Bed Root CA'
    }

    It 'looks up the root that issued an intermediate given as -Certificate' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'SSL_CERT_FILE extends the Root store on Linux only'; return }
        $arguments = "Test-TrustedRoot -Certificate ([System.Security.Cryptography.X509Certificates.X509Certificate2]::new('$($Bed.ca.intermediateCert)'))"
        $r = Invoke-WithSystemBundle -CertFile $Bed.ca.rootCert -Arguments $arguments
        $r.Found | Should -BeTrue
        $r.Thumbprint | Should -Be $Bed.ca.rootThumbprint
        $r.Detail | Should -Match 'not a root'
    }

    It 'takes the last certificate of Get-RemoteCertificate from the pipeline' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $r = Get-RemoteCertificate -ComputerName 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp | Select-Object -Last 1 | Test-TrustedRoot
        $r.Name | Should -Be 'TlsTools Test Bed Root CA'
        $r.Subject | Should -Be $Bed.ca.rootSubject
        $r.Found | Should -BeFalse
    }

    It 'has a table view that fits 120 columns' {
        (Get-FormatData -TypeName TlsTools.TrustedRootResult).FormatViewDefinition.Name | Should -Contain 'TlsTools.TrustedRootResult'
        $lines = (Test-TrustedRoot -Preset ExchangeOnline | Format-Table | Out-String -Width 120) -split "`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match 'Found\s+Name\s+Store\s+NotAfter\s+Thumbprint'
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
    }
}
