<#
.SYNOPSIS
Runs the module's main job against the loopback test bed and prints what an administrator sees.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'TlsTools.psd1')
$bedDir = if ($env:TLSTOOLS_BED_DIR) { $env:TLSTOOLS_BED_DIR } else { '/tmp/tlstools-bed' }
$bed = Get-Content (Join-Path $bedDir 'bed.json') -Raw | ConvertFrom-Json

Write-Host "`n== Get-RemoteCertificate: the chain the test bed's good mail server presents over STARTTLS"
Get-RemoteCertificate -ComputerName 127.0.0.1 -Port $bed.smtp.good.loopbackPort -StartTls Smtp |
    Format-Table | Out-String -Width 160 | Write-Host

Write-Host "== Every SMTP profile of the bed, leaf certificates only"
$targets = foreach ($p in $bed.smtp.PSObject.Properties) { '127.0.0.1:{0}' -f $p.Value.loopbackPort }
Get-RemoteCertificate -ComputerName $targets -StartTls Smtp -TimeoutSeconds 5 -ErrorAction Continue |
    Where-Object ChainIndex -eq 0 |
    Select-Object Port, CommonName, DaysUntilExpiry, IsSelfSigned, Thumbprint |
    Format-Table | Out-String -Width 160 | Write-Host
