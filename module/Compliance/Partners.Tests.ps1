<#
.SYNOPSIS
Compliance kit: asserts in Pester that mail to every partner in a data file travels over TLS the
way a forced-TLS connector needs.

.DESCRIPTION
For each partner domain in the data file (Partners.psd1 beside this file by default):
  - every MX address is ready for a DomainValidation connector (Test-MailTls -Summary:
    LowestExchangeTlsLevel is DomainValidation);
  - Exchange Online delivers to it over TLS without a connector (DefaultDelivery is Tls);
  - no MX address accepts TLS 1.0 (Get-TlsCipherSuite -Summary);
  - every certificate the MX addresses present stays valid for MinimumDaysValid more days;
  - the CRL and OCSP endpoints of those chains answer with valid content through the proxy
    (Test-CrlReachability -Proxy).
A failed test names the partner and says why (the verdict's reasons, the accepted protocols, the
certificate, the endpoint and its status).

Run it with the data file of your partners:
  $kit = Join-Path (Get-Module TlsTools -ListAvailable | Select-Object -First 1).ModuleBase 'Compliance/Partners.Tests.ps1'
  Invoke-Pester -Container (New-PesterContainer -Path $kit -Data @{ DataFile = '.\Partners.psd1' }) -Output Detailed
Get-Help about_TlsTools_Compliance has the details.
#>
param(
    # The data file of partner domains and settings (see Partners.psd1).
    [string] $DataFile = (Join-Path $PSScriptRoot 'Partners.psd1'),

    # The settings themselves, instead of a data file.
    [hashtable] $Settings
)

BeforeDiscovery {
    $kitSettings = if ($Settings) { $Settings } else { Import-PowerShellDataFile -Path $DataFile }
    $partners = @($kitSettings.Partners | Where-Object { $_ } | ForEach-Object { @{ Domain = [string] $_ } })
}

BeforeAll {
    if (-not (Get-Module TlsTools)) { Import-Module TlsTools -ErrorAction Stop }
    $kitSettings = if ($Settings) { $Settings } else { Import-PowerShellDataFile -Path $DataFile }

    $minimumDays = if ($kitSettings.MinimumDaysValid) { [int] $kitSettings.MinimumDaysValid } else { 30 }
    $port = if ($kitSettings.Port) { [int] $kitSettings.Port } else { 25 }
    $timeout = if ($kitSettings.TimeoutSeconds) { [int] $kitSettings.TimeoutSeconds } else { 15 }

    # Parameters shared by the probes of every partner.
    $dns = @{}
    if ($kitSettings.DnsServer) { $dns.DnsServer = [string] $kitSettings.DnsServer }
    $mailTls = @{ Port = $port; TimeoutSeconds = $timeout } + $dns
    if (@($kitSettings.TrustedRootCertificate | Where-Object { $_ }).Count -gt 0) {
        $mailTls.TrustedRootCertificate = @($kitSettings.TrustedRootCertificate | Where-Object { $_ })
    }
    if ($kitSettings.IgnoreSystemTrustStore) { $mailTls.IgnoreSystemTrustStore = $true }
    $scan = @{ Port = $port; TimeoutSeconds = $timeout } + $dns
    $reach = @{ TimeoutSeconds = $timeout }
    if ($kitSettings.Proxy) { $reach.Proxy = [uri] $kitSettings.Proxy } else { $reach.NoProxy = $true }

    function Format-ProbeError {
        param($Records)
        @($Records | ForEach-Object { "$($_.TargetObject): $($_.Exception.Message)" })
    }
}

Describe 'Mail to <Domain> travels over TLS' -ForEach $partners {
    BeforeAll {
        $summary = Test-MailTls -DomainName $Domain -Summary @mailTls -ErrorAction SilentlyContinue -ErrorVariable summaryErrors
        $scans = @(Get-TlsCipherSuite -DomainName $Domain -Summary @scan -ErrorAction SilentlyContinue -ErrorVariable scanErrors)
        $tlsResults = @($summary.Results | Where-Object TlsEstablished)
        $chains = @(foreach ($r in $tlsResults) {
                Get-RemoteCertificate -ComputerName $r.IPAddress -Port $r.Port -StartTls Smtp -ServerName $r.MxHost -TimeoutSeconds $timeout -ErrorAction SilentlyContinue -ErrorVariable +chainErrors
            })
        # Each certificate once, however many MX addresses present it.
        $certificates = @($chains | Sort-Object Thumbprint -Unique)
        $endpoints = @($certificates | Test-CrlReachability @reach -ErrorAction SilentlyContinue -ErrorVariable reachErrors)
    }

    It 'has MX hosts ready for a DomainValidation connector' {
        $summary | Should -Not -BeNullOrEmpty -Because ((Format-ProbeError $summaryErrors) -join '; ')
        $summary.LowestExchangeTlsLevel | Should -Be 'DomainValidation' -Because ($summary.Reasons -join '; ')
    }

    It 'gets mail from Exchange Online over TLS without a connector (DefaultDelivery Tls)' {
        $summary | Should -Not -BeNullOrEmpty -Because ((Format-ProbeError $summaryErrors) -join '; ')
        $summary.DefaultDelivery | Should -Be 'Tls' -Because ($summary.Reasons -join '; ')
    }

    It 'has no MX address that accepts TLS 1.0' {
        $scans.Count | Should -BeGreaterThan 0 -Because ((Format-ProbeError $scanErrors) -join '; ')
        Format-ProbeError $scanErrors | Should -BeNullOrEmpty
        $accepting = @($scans | Where-Object { $_.SupportedProtocols -contains 'Tls10' } |
                ForEach-Object { "$($_.ComputerName) ($($_.IPAddress)) accepts $($_.SupportedProtocols -join ', ')" })
        $accepting | Should -BeNullOrEmpty
    }

    It 'presents certificates valid for the required number of days' {
        $certificates.Count | Should -BeGreaterThan 0 -Because ((@('no MX address presented a certificate') + (Format-ProbeError $summaryErrors) + (Format-ProbeError $chainErrors)) -join '; ')
        $expiring = @($certificates | Where-Object DaysUntilExpiry -lt $minimumDays |
                ForEach-Object { "$($_.Subject) (presented by $($_.ServerName)) expires $($_.NotAfter.ToString('u')), $($_.DaysUntilExpiry) days" })
        $expiring | Should -BeNullOrEmpty -Because "every certificate must stay valid for $minimumDays more days"
    }

    It 'has CRL and OCSP endpoints reachable through the proxy' {
        $revocation = @($endpoints | Where-Object { "$($_.Kind)" -in 'Crl', 'Ocsp' })
        $revocation.Count | Should -BeGreaterThan 0 -Because ((@('no chain named a CRL or OCSP endpoint') + (Format-ProbeError $reachErrors)) -join '; ')
        Format-ProbeError $reachErrors | Should -BeNullOrEmpty
        $failing = @($revocation | Where-Object { "$($_.Status)" -ne 'OK' } |
                ForEach-Object { "$($_.Kind) $($_.Uri) for $($_.Certificate): $($_.Status) $($_.Detail)" })
        $failing | Should -BeNullOrEmpty
    }
}
