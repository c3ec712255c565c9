# Stand-ins for the commands the help examples call that this machine does not have: Exchange's
# Get-/Set- cmdlets, Connect-ExchangeOnline, remoting to Exchange servers, the clipboard and the
# Windows certificate store. They answer with the test bed's names. Dot-source after
# ExchangeStandIns.ps1 (the New-*/Set-* connector cmdlets) with $StandInBed set to bed.json's content.

function Get-AcceptedDomain {
    [CmdletBinding()] param()
    foreach ($d in 'good.bed.test', 'splitmx.bed.test') {
        [pscustomobject]@{ PSTypeName = 'ExchangeStandIn.AcceptedDomain'; Name = $d; DomainName = $d; DomainType = 'Authoritative' }
    }
}

function Get-SendConnector {
    [CmdletBinding()] param([Parameter(Position = 0)] [string] $Identity)
    [pscustomobject]@{ PSTypeName = 'ExchangeStandIn.SendConnector'; Identity = $Identity; Name = $Identity; SmartHosts = @($StandInBed.smtp.good.address); Fqdn = 'mail.contoso.test' }
}

function Set-SendConnector {
    [CmdletBinding(SupportsShouldProcess)] param([Parameter(Position = 0, Mandatory)] [string] $Identity, [string] $TlsCertificateName)
    if (-not $TlsCertificateName.StartsWith('<I>')) { throw "Set-SendConnector: '$TlsCertificateName' is not in the <I>issuer<S>subject form." }
    Get-StandInCall 'Set-SendConnector' $PSBoundParameters
}

function Get-OutboundConnector {
    [CmdletBinding()] param()
    [pscustomobject]@{ PSTypeName = 'ExchangeStandIn.OutboundConnector'; Name = 'To partner'; SmartHosts = @($StandInBed.smtp.good.address); TlsSettings = 'DomainValidation' }
    [pscustomobject]@{ PSTypeName = 'ExchangeStandIn.OutboundConnector'; Name = 'MX routing'; SmartHosts = @(); TlsSettings = 'EncryptionOnly' }
}

function Connect-ExchangeOnline { [CmdletBinding()] param() }

function Invoke-Command {
    # Remoting to Exchange servers: runs the script block here once per computer, as
    # Invoke-Command adds PSComputerName to what comes back.
    [CmdletBinding()]
    param(
        [string[]] $ComputerName,
        [string[]] $HostName,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList,
        [int] $ThrottleLimit
    )
    foreach ($c in @($ComputerName) + @($HostName) | Where-Object { $_ }) {
        & $ScriptBlock @ArgumentList | ForEach-Object { $_ | Add-Member -NotePropertyName PSComputerName -NotePropertyValue $c -PassThru -Force }
    }
}

function Get-Clipboard {
    # Headers as Outlook copies them: the saved message's header section.
    [CmdletBinding()] param([switch] $Raw)
    $text = Get-Content -Raw (Join-Path $StandInFixtures 'postfix-bed-path-tls.eml')
    ($text -split "\r?\n\r?\n", 2)[0]
}

function Get-StandInCertificateStore {
    # The certificates of a machine's personal store: the bed's good leaf and its CA.
    foreach ($path in $StandInBed.smtp.good.leafCert, $StandInBed.ca.intermediateCert) {
        [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($path)
    }
}
