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

    It 'reads MimeMessage objects of a MimeKit loaded first, and loads its own MimeKit only when Get-MailTlsPath runs' {
        $mime = Join-Path $Packages 'mimekit/4.18.0/lib/net8.0/MimeKit.dll'
        if (-not (Test-Path $mime)) {
            Set-ItResult -Skipped -Because 'the other MimeKit version is not in the NuGet packages folder (tools/bootstrap.sh restores it)'
            return
        }
        $fixture = Join-Path $script:RepoRoot 'tests/TlsTools.Core.Tests/Fixtures/Headers/postfix-bed-path-tls12.eml'
        $script = {
            param($mime, $module, $fixture)
            $ErrorActionPreference = 'Stop'
            Add-Type -Path $mime
            Import-Module $module
            $list = { [System.AppDomain]::CurrentDomain.GetAssemblies() |
                Where-Object { $_.GetName().Name -eq 'MimeKit' } |
                ForEach-Object { '{0} {1}' -f ([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name), [System.IO.Path]::GetFileName([System.IO.Path]::GetDirectoryName([System.IO.Path]::GetDirectoryName([System.IO.Path]::GetDirectoryName($_.Location)))) } }
            $afterImport = @(& $list) -join ';'
            $message = [MimeKit.MimeMessage]::Load($fixture)
            $hops = @($message | Get-MailTlsPath)
            $own = @(Get-MailTlsPath -Path $fixture)
            [pscustomobject]@{
                AfterImport = $afterImport
                Loaded      = @(& $list) -join ';'
                MessageType = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($message.GetType().Assembly).Name
                Cipher      = $hops[1].CipherSuite
                Same        = ($hops.RawHeader -join '|') -eq ($own.RawHeader -join '|')
            }
        }
        $out = & $Pwsh -NoProfile -NonInteractive -OutputFormat Xml -Command $script -Args $mime, (Join-Path $script:ModulePath 'TlsTools.psd1'), $fixture
        $out.AfterImport | Should -Be 'Default 4.18.0'
        $out.MessageType | Should -Be 'Default'
        $out.Cipher | Should -Be 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
        $out.Same | Should -BeTrue
        $out.Loaded | Should -Match 'Default 4\.18\.0'
        $out.Loaded | Should -Match 'TlsTools '
    }
}
