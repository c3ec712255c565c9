# How the help examples (Get-Help <cmdlet> -Examples) run against the loopback test bed.
# HelpExamples.Tests.ps1 takes every example of every exported cmdlet, replaces the public names
# below (longest first) and runs it as written otherwise. A new cmdlet's examples are picked up by
# themselves; a name, file or Exchange cmdlet they use that is not here yet is one entry more.
#
# Placeholders filled from the bed's bed.json and the test's working folder:
#   {dns} bed DNS server (address:port)   {port} SMTP port of the profile addresses
#   {good} {legacy} {ipsan} {implicit}  addresses of those SMTP profiles
#   {root} bed root CA file   {chain} intermediate + root PEM   {http} base URL of CRLs and CA files
#   {proxy} bed HTTP proxy URL   {fixtures} folder of saved messages   {work} the working folder
#   {mimekit} the MimeKit.dll the module ships
@{
    # Public names, addresses, ports and paths in the examples -> what they stand for in the bed.
    Names     = @{
        # Host:port targets first (Get-RemoteCertificate and Get-TlsCipherSuite take no DNS server,
        # so host names become the addresses of bed profiles).
        'mail.fabrikam.com:25'                                   = '{good}:{port}'
        'mail.contoso.com:587'                                   = '{good}:{port}'
        'imap.contoso.com:143'                                   = '{ipsan}:{port}'
        '[2001:db8::25]:25'                                      = '{legacy}:{port}'
        'smtp.contoso.com:465'                                   = '{implicit}:{port}'
        '-ServerName mail.contoso.com'                           = '-ServerName good.mx.bed.test'
        "'*mail.contoso.com*'"                                   = "'*good.mx.bed.test*'"
        'mx1.fabrikam.com'                                       = '{good}'
        'mail.contoso.com'                                       = '{good}'
        'mail1.contoso.com'                                      = '{good}'
        'mail2.contoso.com'                                      = '{legacy}'
        '192.0.2.25'                                             = '{good}'
        '-Port 25'                                               = '-Port {port}'
        # Domains: fabrikam.com meets every rule; contoso.com too, with two MX hosts.
        'contoso.mail.onmicrosoft.com'                           = 'good.bed.test'
        'fabrikam.com'                                           = 'good.bed.test'
        'contoso.com'                                            = 'splitmx.bed.test'
        'outlook.com'                                            = 'path.bed.test'
        # DNS servers and the proxy.
        '-DnsServer 127.0.0.1'                                   = '-DnsServer {dns}'
        '-DnsServer 10.0.0.53'                                   = '-DnsServer {dns}'
        '-DnsServer 192.0.2.53'                                  = '-DnsServer {dns}'
        'http://proxy.contoso.com:8080'                          = '{proxy}'
        'http://crl.globalsign.com/gsorganizationvalsha2g3.crl'  = '{http}/intermediate.crl'
        # Files.
        '.\invoice.eml'                                          = '{fixtures}/postfix-bed-path-tls.eml'
        "'.\report.eml'"                                         = "'{fixtures}/postfix-bed-path-tls12.eml'"
        'D:\Archive\fabrikam\*.eml'                              = '{fixtures}/*.eml'
        '.\fabrikam\*.eml'                                       = '{fixtures}/postfix-bed-path-tls*.eml'
        '.\DigiCertGlobalRootG2.cer'                             = '{root}'
        '.\partner-chain.pem'                                    = '{chain}'
        '.\partner-root.cer'                                     = '{root}'
        '.\MimeKit.dll'                                          = '{mimekit}'
        # -Probe measures through the bed's DNS server, port and root CA (the parameters are
        # rejected without -Probe, so they are not defaults).
        '-Probe'                                                 = '-Probe -DnsServer {dns} -Port {port} -TrustedRootCertificate {root}'
        # The Windows certificate store (no Cert: drive here): the bed's leaves stand in.
        'Get-ChildItem Cert:\LocalMachine\My'                    = 'Get-StandInCertificateStore'
        'Get-Item Cert:\LocalMachine\My\5A7C22AB46E8D7E9D3C8F1E0A47B5C1D2E3F4A5B' = 'Get-StandInCertificateStore | Select-Object -First 1'
    }

    # Files the examples read from the working folder.
    Files     = @{
        'partners.csv' = "DomainName`ngood.bed.test`nlegacy.bed.test`n"
    }

    # Defaults for parameters the examples leave out because the real world has them right:
    # the DNS server, the SMTP port, the bed's private root CA, STARTTLS on a port that is not 25,
    # and the proxy (so that a revocation URL outside loopback never leaves the machine: the bed's
    # proxy refuses every target but loopback).
    Defaults  = @{
        'Test-MailTls:DnsServer'                          = '{dns}'
        'Test-MailTls:Port'                               = '{port}'
        'Test-MailTls:TrustedRootCertificate'             = '{root}'
        'Test-MailTls:IgnoreSystemTrustStore'             = $true
        'Test-MailTls:TimeoutSeconds'                     = 10
        'Get-MailTlsPolicy:DnsServer'                     = '{dns}'
        'Get-MailTlsPolicy:Port'                          = '{port}'
        'Get-MailTlsPolicy:TrustedRootCertificate'        = '{root}'
        'Get-TlsCipherSuite:DnsServer'                    = '{dns}'
        'Get-TlsCipherSuite:Port'                         = '{port}'
        'Get-TlsCipherSuite:StartTls'                     = 'Smtp'
        'Get-RemoteCertificate:StartTls'                  = 'Smtp'
        'Test-CrlReachability:Proxy'                      = '{proxy}'
        'Test-CrlReachability:TimeoutSeconds'             = 5
    }

    # Examples that run but whose Pester tests cannot pass against the bed, with the reason; their
    # tests must still run (and are reported).
    PesterMayFail = @{
        'Test-CrlReachability: Example 5' = "the preset's endpoints are on the internet; the bed's proxy refuses them"
    }
}
