# The built module's help: every exported cmdlet has complete help, read from the MAML file that
# tools/ConvertTo-MamlHelp.ps1 builds from docs/en-US, and the module exports exactly the cmdlets
# its manifest lists.

BeforeDiscovery {
    # Discovery runs before BeforeAll: read the list from the manifest, not from the module.
    $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../TlsTools.psd1')
    $cmdlets = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $manifest = Import-PowerShellDataFile (Join-Path $script:RepoRoot 'TlsTools.psd1')
    $module = Get-Module TlsTools
    $commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters

    function Get-HelpText($Value) {
        # Help text comes as para objects with a Text property, or as a plain string.
        (@($Value) | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join "`n"
    }
}

Describe 'Module exports' {
    It 'exports exactly the cmdlets of CmdletsToExport' {
        $exported = @(Get-Command -Module TlsTools | ForEach-Object Name | Sort-Object)
        $exported | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }

    It 'lists every exported cmdlet in about_TlsTools' {
        $about = Get-Help about_TlsTools -ErrorAction SilentlyContinue | Out-String
        $about | Should -Match 'about_TlsTools'
        foreach ($name in $module.ExportedCmdlets.Keys) {
            $about | Should -Match "\b$([regex]::Escape($name))\b" -Because "about_TlsTools lists the module's cmdlets"
        }
    }
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command -Name $Name -Module TlsTools
        $help = Get-Help -Name $Name -Full
    }

    It 'comes from the module help file, not from the cmdlet metadata' {
        $help.PSObject.TypeNames | Should -Contain 'MamlCommandHelpInfo'
        # Get-Help looks in the culture folders of the module base for <Assembly>.dll-Help.xml.
        Join-Path $module.ModuleBase "en-US/$(Split-Path $command.HelpFile -Leaf)" | Should -Exist
    }

    It 'has a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without a help file, Get-Help makes the synopsis from the syntax.
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
    }

    It 'has a description' {
        (Get-HelpText $help.description).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least 3 examples, each with code and remarks' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 3
        foreach ($example in $examples) {
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' needs code"
            (Get-HelpText $example.remarks).Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' says what it does"
        }
    }

    It 'describes every parameter' {
        $parameters = @($command.Parameters.Keys | Where-Object { $_ -notin $commonParameters })
        $parameters.Count | Should -BeGreaterThan 0
        $undocumented = @(foreach ($p in $parameters) {
                $paramHelp = Get-Help -Name $Name -Parameter $p -ErrorAction SilentlyContinue
                if (-not $paramHelp -or -not (Get-HelpText $paramHelp.description).Trim()) { $p }
            })
        $undocumented | Should -BeNullOrEmpty -Because "every parameter of $Name needs a description in docs/en-US/$Name.md"
    }

    It 'documents no parameter the cmdlet does not have' {
        $documented = @($help.parameters.parameter | ForEach-Object name)
        $extra = @($documented | Where-Object { -not $command.Parameters.ContainsKey($_) })
        $extra | Should -BeNullOrEmpty
    }

    It 'shows the syntax of every parameter set' {
        @($help.syntax.syntaxItem).Count | Should -Be $command.ParameterSets.Count
    }
}
