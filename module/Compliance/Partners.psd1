# The partners the compliance kit (Partners.Tests.ps1) checks, and how this machine reaches them.
# Copy this file, list your partners' mail domains, and run:
#   Invoke-Pester -Container (New-PesterContainer -Path (Join-Path (Get-Module TlsTools).ModuleBase 'Compliance/Partners.Tests.ps1') -Data @{ DataFile = '.\Partners.psd1' })
@{
    # Mail domains of the partners whose mail must travel over TLS.
    Partners               = @(
        'fabrikam.com'
        'contoso.com'
    )

    # Every certificate a partner's MX hosts present must stay valid for at least this many days.
    MinimumDaysValid       = 30

    # The proxy through which this organisation's mail servers reach CRL, OCSP and CA-issuers
    # endpoints (an http:// URL); leave it empty for a direct connection.
    Proxy                  = 'http://proxy.contoso.com:8080'

    # A DNS server to ask (address or address:port); empty for the system's resolver. Name a
    # validating resolver, so that the partners' DANE records count as Exchange Online counts them.
    DnsServer              = ''

    # The SMTP port of the MX hosts (25 unless a test network says otherwise).
    Port                   = 25

    # Root CA certificates (file paths) to trust besides or, with IgnoreSystemTrustStore, instead
    # of the system's trust store; empty for the system's roots only.
    TrustedRootCertificate = @()
    IgnoreSystemTrustStore = $false

    # Seconds allowed for each probe.
    TimeoutSeconds         = 15
}
