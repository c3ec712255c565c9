# Loads the TlsTools binary module for the running edition.
#
# PowerShell 7: a small loader assembly goes into the default load context and creates the module's
# own AssemblyLoadContext; TlsTools.dll and its dependencies (TlsTools.Core, BouncyCastle,
# DnsClient) load there, so other modules that bring other versions of them do not clash with us.
# Windows PowerShell 5.1 has no load contexts: the net472 build is imported directly.

# Module-qualified calls reach the real Import-Module even where a proxy function shadows it, without
# the cost of a Get-Command look-up (command discovery is a good part of an import's time).

if ($PSVersionTable.PSEdition -eq 'Core') {
    $isReload = $true
    if (-not ('TlsTools.Loader.LoadContext' -as [type])) {
        $isReload = $false
        # Not Add-Type: its first use costs a few hundred milliseconds of its own.
        $null = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyPath(
            [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'net8.0', 'TlsTools.Loader.dll'))
    }
    $moduleAssembly = [TlsTools.Loader.LoadContext]::Initialize()
    $innerModule = Microsoft.PowerShell.Core\Import-Module -Assembly $moduleAssembly -PassThru:$isReload

    # PowerShell resolves type names ([TlsTools.RemoteCertificate]) only in assemblies it knows:
    # the output types live in TlsTools.Core, loaded in our context as a dependency, so import it
    # too (it has no cmdlets) to make its types usable in scripts and tests.
    $coreAssembly = [TlsTools.Loader.LoadContext]::LoadDependency('TlsTools.Core')
    Microsoft.PowerShell.Core\Import-Module -Assembly $coreAssembly
}
else {
    $innerModule = Microsoft.PowerShell.Core\Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'net472', 'TlsTools.dll')) -ErrorAction Stop -PassThru
}

if ($innerModule) {
    # Import-Module -Assembly reuses a cached module on re-import and then does not add the
    # cmdlets to this module's scope: https://github.com/PowerShell/PowerShell/issues/20710
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet',
        [System.Reflection.BindingFlags]'Instance, NonPublic'
    )
    foreach ($cmd in $innerModule.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmd))
    }
}
