# The package: build.ps1 -Task Package writes a .nupkg; it installs with Install-PSResource from a
# folder repository (never a network registry: -Repository is always explicit), and the installed
# copy imports in a fresh pwsh and probes the test bed. Everything runs under a HOME of its own in
# TestDrive, so the repository registration and the CurrentUser install touch nothing else.
# The manifest lists exactly what the module exports, and the version has one source.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:Manifest = Import-PowerShellDataFile (Join-Path $ModulePath 'TlsTools.psd1')
    $script:Version = $Manifest.ModuleVersion
    $script:Module = Get-Module TlsTools

    function Skip-WithoutBed {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        $false
    }

    function Invoke-IsolatedPwsh {
        <#
        Runs a script in a fresh, non-interactive pwsh whose HOME (and so its PSResourceGet
        repository list and CurrentUser module folder) is $IsolatedHome; returns its output lines
        and sets $script:ChildExitCode.
        #>
        param([string] $Script, [string[]] $Arguments = @())
        $file = Join-Path $TestDrive ([guid]::NewGuid().ToString('N') + '.ps1')
        Set-Content -Path $file -Value $Script
        $saved = @{ HOME = $env:HOME; XDG_DATA_HOME = $env:XDG_DATA_HOME; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; XDG_CACHE_HOME = $env:XDG_CACHE_HOME; PSModulePath = $env:PSModulePath }
        try {
            $env:HOME = $IsolatedHome
            $env:XDG_DATA_HOME = $null; $env:XDG_CONFIG_HOME = $null; $env:XDG_CACHE_HOME = $null
            # Only the isolated user folder and PowerShell's own modules.
            $env:PSModulePath = (Join-Path $IsolatedHome '.local/share/powershell/Modules') + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
            # Started in the isolated HOME: NuGet, under PSResourceGet, may write a default
            # NuGet/NuGet.Config relative to the working folder, which must not be the repository.
            Push-Location -LiteralPath $IsolatedHome
            try { $out = & $Pwsh -NoProfile -NonInteractive -File $file @Arguments 2>&1 }
            finally { Pop-Location }
            $script:ChildExitCode = $LASTEXITCODE
            $out | ForEach-Object { "$_" }
        }
        finally {
            foreach ($k in $saved.Keys) { Set-Item -Path "env:$k" -Value $saved[$k] }
        }
    }

    $script:IsolatedHome = Join-Path $TestDrive 'home'
    New-Item -ItemType Directory -Force $IsolatedHome | Out-Null
    # The Package task of the build, on the module under test (-NoBuild).
    $script:PackageLog = Invoke-IsolatedPwsh -Script @'
param($Build)
& $Build -Task Package -NoBuild
exit $LASTEXITCODE
'@ -Arguments @('-Build', (Join-Path $RepoRoot 'build.ps1'))
    $script:PackageExit = $ChildExitCode
    $script:Nupkg = Join-Path $RepoRoot "output/package/TlsTools.$Version.nupkg"
}

Describe 'build.ps1 -Task Package' {
    It 'writes TlsTools.<version>.nupkg' {
        $PackageExit | Should -Be 0 -Because ($PackageLog -join "`n")
        $Nupkg | Should -Exist
    }

    It 'leaves no repository registered' {
        $left = Invoke-IsolatedPwsh -Script 'Get-PSResourceRepository | ForEach-Object Name'
        $left | Where-Object { $_ -like 'TlsTools*' } | Should -BeNullOrEmpty
    }

    It 'packs the module folder: manifest, root module, formats, help, the compliance kit and both builds' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Nupkg)
        try { $entries = @($zip.Entries | ForEach-Object FullName) }
        finally { $zip.Dispose() }
        foreach ($name in 'TlsTools.psd1', 'TlsTools.psm1', 'TlsTools.Format.ps1xml', 'CHANGELOG.md', 'en-US/TlsTools.dll-Help.xml',
            'Compliance/Partners.Tests.ps1', 'Compliance/Partners.psd1', 'bin/net8.0/TlsTools.dll', 'bin/net8.0/TlsTools.Loader.dll', 'bin/net472/TlsTools.dll') {
            $entries | Should -Contain $name
        }
        $entries | Where-Object { $_ -like '*.pdb' -or $_ -like '*.deps.json' } | Should -BeNullOrEmpty
    }

    It 'carries the version and the CHANGELOG section as release notes' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Nupkg)
        try {
            $reader = [System.IO.StreamReader]::new($zip.GetEntry('TlsTools.nuspec').Open())
            [xml] $nuspec = $reader.ReadToEnd()
            $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $nuspec.package.metadata.id | Should -Be 'TlsTools'
        $nuspec.package.metadata.version | Should -Be $Version
        $nuspec.package.metadata.releaseNotes | Should -Match 'Get-MailTlsPath'
    }
}

Describe 'Installed with Install-PSResource from a folder repository' {
    BeforeAll {
        $script:RepoDir = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory -Force $RepoDir | Out-Null
        Copy-Item $Nupkg $RepoDir
        $script:InstallLog = Invoke-IsolatedPwsh -Script @'
param($RepoDir, $Version)
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name TlsToolsLocal -Uri $RepoDir -Trusted
try {
    Install-PSResource -Name TlsTools -Version $Version -Repository TlsToolsLocal -Scope CurrentUser -TrustRepository -Quiet
}
finally { Unregister-PSResourceRepository -Name TlsToolsLocal }
(Get-InstalledPSResource -Name TlsTools -Scope CurrentUser).InstalledLocation
'@ -Arguments @('-RepoDir', $RepoDir, '-Version', $Version)
        $script:InstallExit = $ChildExitCode
    }

    It 'installs into the CurrentUser module folder' {
        $InstallExit | Should -Be 0 -Because ($InstallLog -join "`n")
        Join-Path $IsolatedHome ".local/share/powershell/Modules/TlsTools/$Version/TlsTools.psd1" | Should -Exist
    }

    It 'imports by name in a fresh pwsh and exports what the manifest lists' {
        $out = Invoke-IsolatedPwsh -Script @'
$ErrorActionPreference = 'Stop'
Import-Module TlsTools
$m = Get-Module TlsTools
"base=$($m.ModuleBase)"
"version=$($m.Version)"
"cmdlets=$((@($m.ExportedCmdlets.Keys) | Sort-Object) -join ',')"
"help=$((Get-Help Test-MailTls).Synopsis)"
'@
        $ChildExitCode | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain "base=$(Join-Path $IsolatedHome ".local/share/powershell/Modules/TlsTools/$Version")"
        $out | Should -Contain "version=$Version"
        $out | Should -Contain "cmdlets=$((@($Manifest.CmdletsToExport) | Sort-Object) -join ',')"
        ($out | Where-Object { $_ -like 'help=*' }) | Should -Not -Be 'help='
    }

    It 'probes the test bed from the installed copy' {
        if (Skip-WithoutBed) { return }
        $out = Invoke-IsolatedPwsh -Script @'
param($Dns, $Port, $Root)
$ErrorActionPreference = 'Stop'
Import-Module TlsTools
$s = Test-MailTls -DomainName good.bed.test -Summary -DnsServer $Dns -Port $Port -TrustedRootCertificate $Root -IgnoreSystemTrustStore -TimeoutSeconds 10
"module=$((Get-Command Test-MailTls).Module.ModuleBase)"
"verdict=$($s.Verdict)"
"level=$($s.LowestExchangeTlsLevel)"
'@ -Arguments @('-Dns', (Get-BedDnsServer $Bed), '-Port', $Bed.smtpPort, '-Root', $Bed.ca.rootCert)
        $ChildExitCode | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain "module=$(Join-Path $IsolatedHome ".local/share/powershell/Modules/TlsTools/$Version")"
        $out | Should -Contain 'verdict=Pass'
        $out | Should -Contain 'level=DomainValidation'
    }
}

Describe 'The manifest' {
    It 'lists exactly the cmdlets the loaded module exports' {
        @($Module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($Manifest.CmdletsToExport | Sort-Object)
        @($Module.ExportedFunctions.Keys) | Should -BeNullOrEmpty
        @($Manifest.FunctionsToExport) | Should -BeNullOrEmpty
        @($Module.ExportedAliases.Keys) | Should -BeNullOrEmpty
    }

    It 'lists exactly the format files the loaded module uses, and every one in the module folder' {
        @($Module.ExportedFormatFiles | Split-Path -Leaf | Sort-Object) | Should -Be @($Manifest.FormatsToProcess | Sort-Object)
        @(Get-ChildItem $ModulePath -Filter '*.Format.ps1xml' | ForEach-Object Name | Sort-Object) | Should -Be @($Manifest.FormatsToProcess | Sort-Object)
    }

    It 'lists exactly the type files the loaded module uses, and every one in the module folder' {
        $listed = @($Manifest.TypesToProcess | Where-Object { $_ } | Sort-Object)
        @($Module.ExportedTypeFiles | Split-Path -Leaf | Sort-Object) | Should -Be $listed
        @(Get-ChildItem $ModulePath -Filter '*.Types.ps1xml' | ForEach-Object Name | Sort-Object) | Should -Be $listed
    }

    It 'names the version once: the built assemblies carry the manifest version' {
        foreach ($dll in 'bin/net8.0/TlsTools.dll', 'bin/net8.0/TlsTools.Core.dll', 'bin/net472/TlsTools.dll') {
            $info = [System.Diagnostics.FileVersionInfo]::GetVersionInfo((Join-Path $ModulePath $dll))
            $info.ProductVersion -replace '\+.*$', '' | Should -Be $Version -Because $dll
        }
    }

    It 'has release notes: the CHANGELOG section of its version' {
        $Manifest.PrivateData.PSData.ReleaseNotes | Should -Match 'Get-MailTlsPath'
        $changelog = Get-Content (Join-Path $RepoRoot 'CHANGELOG.md') -Raw
        $changelog | Should -Match "(?m)^## v$([regex]::Escape($Version))\b"
    }

    It 'has a CHANGELOG that records every exported cmdlet' {
        $changelog = Get-Content (Join-Path $RepoRoot 'CHANGELOG.md') -Raw
        foreach ($name in $Manifest.CmdletsToExport) {
            $changelog | Should -Match ([regex]::Escape($name)) -Because "CHANGELOG.md records each capability"
        }
    }

    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest (Join-Path $ModulePath 'TlsTools.psd1') -ErrorAction Stop } | Should -Not -Throw
    }
}
