@{
    RootModule           = 'TlsTools.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3a52-6d0e-4f38-9a43-1c8e2f7d9b61'
    Author               = 'TlsTools contributors'
    CompanyName          = 'TlsTools'
    Copyright            = '(c) TlsTools contributors. MIT License.'
    Description          = 'Prove that mail between your organisation and its partners travels over TLS, and set it up so that it must: SMTP STARTTLS probing, remote certificate inspection, revocation endpoint reachability, trusted roots and Exchange forced-TLS connector specifications.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('TlsTools.Format.ps1xml')
    TypesToProcess       = @('TlsTools.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-RemoteCertificate'
        'Get-TlsCipherSuite'
        'Test-CrlReachability'
        'Test-MailTls'
        'Test-TrustedRoot'
        'New-ForcedTlsConnectorSpec'
        'Get-MailTlsPolicy'
        'Get-MailTlsPath'
        'ConvertTo-MailTlsReport'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('TLS', 'SMTP', 'STARTTLS', 'Exchange', 'ExchangeOnline', 'Certificate', 'CRL', 'OCSP', 'MTA-STS', 'DANE', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See CHANGELOG.md in the module folder.'
        }
    }
}
