<#
.SYNOPSIS
Runs the module's main job against the loopback test bed and prints what an administrator sees.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'TlsTools.psd1')
$bedDir = if ($env:TLSTOOLS_BED_DIR) { $env:TLSTOOLS_BED_DIR } else { '/tmp/tlstools-bed' }
$bed = Get-Content (Join-Path $bedDir 'bed.json') -Raw | ConvertFrom-Json
$dns = '{0}:{1}' -f $bed.dns.address, $bed.dns.port
$width = 160

Write-Host "`n== Get-RemoteCertificate: the chain the bed's good mail server presents over STARTTLS"
Get-RemoteCertificate -ComputerName 127.0.0.1 -Port $bed.smtp.good.loopbackPort -StartTls Smtp |
    Format-Table | Out-String -Width $width | Write-Host

Write-Host "== Test-MailTls: every MX address of partner.bed.test (a good, an expired-certificate and a no-STARTTLS MX)"
Write-Host "   DNS from the bed's server $dns; chains validated against the bed's test root CA"
Test-MailTls -DomainName partner.bed.test -DnsServer $dns -Port $bed.smtpPort -TrustedRootCertificate $bed.ca.rootCert |
    Sort-Object Preference, IPAddress |
    Format-Table | Out-String -Width $width | Write-Host

Write-Host "== Test-MailTls -Summary: one verdict per domain, as a compliance check asserts it"
$domains = 'good.bed.test', 'partner.bed.test', 'oldtls.bed.test', 'fallback.bed.test', 'nullmx.bed.test'
Test-MailTls -DomainName $domains -DnsServer $dns -Port $bed.smtpPort -TrustedRootCertificate $bed.ca.rootCert -Summary |
    Sort-Object Domain |
    Format-Table | Out-String -Width $width | Write-Host

Write-Host "== New-ForcedTlsConnectorSpec: the Exchange Online connectors that force TLS with good.bed.test, from the measurement"
Test-MailTls -DomainName good.bed.test -DnsServer $dns -Port $bed.smtpPort -TrustedRootCertificate $bed.ca.rootCert -Summary |
    New-ForcedTlsConnectorSpec -TlsSettings DomainValidation |
    Format-Table | Out-String -Width $width | Write-Host

Write-Host "== Test-CrlReachability: the certutil -URL check of the revoked profile's chain (CRL, OCSP, CA issuers)"
Get-RemoteCertificate -ComputerName 127.0.0.1 -Port $bed.smtp.revoked.loopbackPort -StartTls Smtp |
    Test-CrlReachability |
    Format-Table | Out-String -Width $width | Write-Host
