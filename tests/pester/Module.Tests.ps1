BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Manifest = Import-PowerShellDataFile (Join-Path $script:ModulePath 'TlsTools.psd1')
    $script:Packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    $script:Pwsh = if (Test-Path (Join-Path $PSHOME 'pwsh')) { Join-Path $PSHOME 'pwsh' } else { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
}

Describe 'TlsTools module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $exported = (Get-Command -Module TlsTools).Name | Sort-Object
        $exported | Should -Be ($Manifest.CmdletsToExport | Sort-Object)
    }

    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        (Get-Command -Module TlsTools).Verb | ForEach-Object { $_ | Should -BeIn $approved }
    }

    It 'carries the manifest version in its assemblies' {
        $asm = (Get-Command Get-RemoteCertificate).ImplementingType.Assembly
        $info = $asm.GetCustomAttributes([System.Reflection.AssemblyInformationalVersionAttribute], $false)[0].InformationalVersion
        ($info -split '\+')[0] | Should -Be $Manifest.ModuleVersion
    }

    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest (Join-Path $script:ModulePath 'TlsTools.psd1') -ErrorAction Stop } | Should -Not -Throw
    }

    It 'loads its dependencies into its own assembly load context' {
        $asm = (Get-Command Get-RemoteCertificate).ImplementingType.Assembly
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($asm).Name | Should -Be 'TlsTools'
    }

    It 'ships a net472 build for Windows PowerShell 5.1 without System.Management.Automation' {
        Join-Path $script:ModulePath 'bin/net472/TlsTools.dll' | Should -Exist
        Join-Path $script:ModulePath 'bin/net472/BouncyCastle.Cryptography.dll' | Should -Exist
        Join-Path $script:ModulePath 'bin/net472/System.Formats.Asn1.dll' | Should -Exist
        Join-Path $script:ModulePath 'bin/net472/System.Management.Automation.dll' | Should -Not -Exist
        Join-Path $script:ModulePath 'bin/net8.0/System.Management.Automation.dll' | Should -Not -Exist
    }

    It 'offers tab completion for fixed value sets' {
        $line = 'Get-RemoteCertificate -StartTls '
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $names | Should -Contain 'Smtp'
        $names | Should -Contain 'Imap'
    }
}

Describe 'Dependency isolation' {
    It 'works in a session that loaded other versions of BouncyCastle and DnsClient first' {
        $bc = Join-Path $Packages 'bouncycastle.cryptography/2.4.0/lib/net6.0/BouncyCastle.Cryptography.dll'
        $dns = Join-Path $Packages 'dnsclient/1.6.1/lib/net5.0/DnsClient.dll'
        if (-not ((Test-Path $bc) -and (Test-Path $dns))) {
            Set-ItResult -Skipped -Because 'the older dependency versions are not in the NuGet packages folder (tools/bootstrap.sh restores them)'
            return
        }
        $bed = Get-TestBed
        $script = {
            param($bc, $dns, $module, $bedJson)
            $ErrorActionPreference = 'Stop'
            Add-Type -Path $bc
            Add-Type -Path $dns
            Import-Module $module
            $bed = Get-Content $bedJson -Raw | ConvertFrom-Json
            $default = [System.AppDomain]::CurrentDomain.GetAssemblies() |
                Where-Object { $_.GetName().Name -in 'BouncyCastle.Cryptography', 'DnsClient' } |
                ForEach-Object { '{0} {1} {2}' -f $_.GetName().Name, $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
            $leaf = Get-RemoteCertificate 127.0.0.1 -Port $bed.smtp.good.loopbackPort -StartTls Smtp | Select-Object -First 1
            $mx = Test-MailTls -DomainName good.bed.test -DnsServer ('{0}:{1}' -f $bed.dns.address, $bed.dns.port) -Port $bed.smtpPort -AddressFamily IPv4 -TrustedRootCertificate $bed.ca.rootCert
            $loaded = [System.AppDomain]::CurrentDomain.GetAssemblies() |
                Where-Object { $_.GetName().Name -in 'BouncyCastle.Cryptography', 'DnsClient' } |
                ForEach-Object { '{0} {1} {2}' -f $_.GetName().Name, $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
            [pscustomobject]@{ Leaf = $leaf.Thumbprint; Level = [string]$mx.ExchangeTlsLevel; Loaded = $loaded -join ';' }
        }
        if (-not $bed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $bedJson = Get-TestBedStatePath
        $out = & $Pwsh -NoProfile -NonInteractive -OutputFormat Xml -Command $script -Args $bc, $dns, (Join-Path $script:ModulePath 'TlsTools.psd1'), $bedJson
        $out.Leaf | Should -Be $bed.smtp.good.leafThumbprint
        $out.Level | Should -Be 'DomainValidation'
        $out.Loaded | Should -Match 'BouncyCastle.Cryptography 2\.0\.0\.0 TlsTools'
        $out.Loaded | Should -Match 'DnsClient 1\.8\.0\.0 TlsTools'
        $out.Loaded | Should -Match 'DnsClient 1\.6\.1\.0 Default'
    }
}
