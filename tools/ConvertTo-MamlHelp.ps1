#Requires -Version 7.2
<#
.SYNOPSIS
Builds the module's external help from the markdown in docs/<culture>.

.DESCRIPTION
Reads one markdown file per cmdlet (platyPS's layout: SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES,
PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS) and writes the MAML file Get-Help reads,
<AssemblyName>.dll-Help.xml, plus an about_*.help.txt for every about_*.md.

Prose, examples, notes, inputs, outputs and default values come from the markdown. What the
cmdlet itself knows (parameter sets, types, mandatory, position, pipeline input, aliases, accepted
values, wildcards) comes from the built module: a child pwsh imports it and reports its metadata
as JSON, so the build process never loads the module's assemblies and the help cannot drift from
the code. The ## SYNTAX section and the yaml blocks of the markdown are not used; where a yaml
block disagrees with the cmdlet, a warning names it.

The build fails when the markdown and the cmdlets disagree: an exported cmdlet without a file, an
undocumented parameter, a documented parameter the cmdlet does not have, fewer than three
examples, an example without code, or an empty SYNOPSIS, DESCRIPTION or parameter description.

Where the file goes: Get-Help looks for a cmdlet's help file (CmdletInfo.HelpFile, named after the
assembly: TlsTools.dll-Help.xml) in the culture folders (<culture>, then en-US) under the
ModuleBase of the cmdlet's module. The root module TlsTools.psm1 imports the assembly and
re-exports its cmdlets, so that module is TlsTools and the file must be in <module>/<culture>/;
a copy only beside the assembly is found on a first import (Get-Help falls back to the folder of
the nested binary module) but not after Import-Module -Force. A cmdlet that belongs to the binary
module itself is looked up beside its assembly (bin/<framework>/<culture>/), so the file is
written there too.

.EXAMPLE
./tools/ConvertTo-MamlHelp.ps1 -DocsPath ./docs/en-US -ModulePath ./output/TlsTools
#>
[CmdletBinding()]
param(
    # The folder holding <Cmdlet>.md and about_*.md.
    [Parameter(Mandatory)]
    [string] $DocsPath,

    # The built module folder (holding <Name>.psd1).
    [Parameter(Mandatory)]
    [string] $ModulePath,

    # The help culture: the name of the folder the help goes to.
    [string] $Culture = 'en-US'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$clock = [System.Diagnostics.Stopwatch]::StartNew()

$DocsPath = (Resolve-Path -LiteralPath $DocsPath).ProviderPath
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$moduleName = Split-Path $ModulePath -Leaf
$manifestPath = Join-Path $ModulePath "$moduleName.psd1"
if (-not (Test-Path -LiteralPath $manifestPath)) { throw "ConvertTo-MamlHelp: no module manifest at $manifestPath." }
# Messages name files from the folder above the culture folder (docs/en-US/X.md).
$docsRoot = Split-Path (Split-Path $DocsPath)
$problems = [System.Collections.Generic.List[string]]::new()

#region Cmdlet metadata (child process)

# Runs in a child pwsh: imports the built module and describes each exported cmdlet as JSON.
$metadataScript = {
    param([string] $ManifestPath)
    $ErrorActionPreference = 'Stop'
    try { $module = Import-Module -Name $ManifestPath -PassThru -WarningAction SilentlyContinue }
    catch { [Console]::Error.WriteLine("Import-Module: $($_.Exception.Message)"); exit 1 }
    $common = [System.Management.Automation.Cmdlet]::CommonParameters

    function Get-TypeName([type] $Type, [bool] $Full) {
        $inner = [Nullable]::GetUnderlyingType($Type)
        if ($inner) { return Get-TypeName $inner $Full }
        if ($Type.IsArray) { return (Get-TypeName $Type.GetElementType() $Full) + '[]' }
        $name = if ($Full -and $Type.Namespace) { "$($Type.Namespace).$($Type.Name)" } else { $Type.Name }
        if ($Type.IsGenericType) {
            $typeArgs = foreach ($a in $Type.GetGenericArguments()) { Get-TypeName $a $Full }
            return $name.Split('`')[0] + '[' + ($typeArgs -join ', ') + ']'
        }
        $name
    }

    $cmdlets = foreach ($cmd in $module.ExportedCmdlets.Values) {
        $sets = [ordered]@{}
        foreach ($set in $cmd.ParameterSets) {
            $positional = [System.Collections.Generic.List[object]]::new()
            $named = [System.Collections.Generic.List[object]]::new()
            foreach ($sp in $set.Parameters) {
                if ($common -contains $sp.Name) { continue }
                if ($sp.Position -ge 0) { $positional.Add($sp) } else { $named.Add($sp) }
            }
            $sets[$set.Name] = [pscustomobject]@{
                Name       = $set.Name
                IsDefault  = $set.IsDefault -or $set.Name -eq $cmd.DefaultParameterSet
                # Syntax order: positional parameters by position, then the rest as declared.
                Parameters = @(@($positional | Sort-Object Position) + @($named) | ForEach-Object {
                        [pscustomobject]@{
                            Name           = $_.Name
                            Mandatory      = $_.IsMandatory
                            Position       = $_.Position
                            ByValue        = $_.ValueFromPipeline
                            ByPropertyName = $_.ValueFromPipelineByPropertyName
                        }
                    })
            }
        }
        $parameters = foreach ($p in $cmd.Parameters.Values) {
            if ($common -contains $p.Name) { continue }
            $shown = $false; $declared = $false
            foreach ($a in $p.Attributes) {
                if ($a -is [System.Management.Automation.ParameterAttribute]) { $declared = $true; if (-not $a.DontShow) { $shown = $true } }
            }
            if ($declared -and -not $shown) { continue }
            $type = $p.ParameterType
            $element = if ($type.IsArray) { $type.GetElementType() } else { $type }
            if ([Nullable]::GetUnderlyingType($element)) { $element = [Nullable]::GetUnderlyingType($element) }
            $validateSet = @($p.Attributes.Where({ $_ -is [System.Management.Automation.ValidateSetAttribute] }, 'First'))
            $accepted = @(if ($validateSet.Count) { $validateSet[0].ValidValues } elseif ($element.IsEnum) { [enum]::GetNames($element) })
            $entries = @(foreach ($s in $sets.Values) { $s.Parameters.Where({ $_.Name -eq $p.Name }, 'First') })
            $positions = @($entries.Position | Sort-Object -Unique)
            $pipeline = @(if ($entries.Where({ $_.ByPropertyName })) { 'ByPropertyName' }; if ($entries.Where({ $_.ByValue })) { 'ByValue' })
            [pscustomobject]@{
                Name           = $p.Name
                Type           = Get-TypeName $type $false
                FullType       = Get-TypeName $type $true
                IsArray        = $type.IsArray
                IsSwitch       = $p.SwitchParameter
                Aliases        = @($p.Aliases)
                AcceptedValues = @($accepted)
                Wildcards      = [bool] $p.Attributes.Where({ $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                # Across parameter sets: required only when mandatory in every set.
                Required       = $entries.Count -gt 0 -and -not $entries.Where({ -not $_.Mandatory })
                Position       = if ($positions.Count -eq 1 -and $positions[0] -ge 0) { [string] $positions[0] } else { 'named' }
                PipelineInput  = if ($pipeline.Count) { "True ($($pipeline -join ', '))" } else { 'False' }
            }
        }
        [pscustomobject]@{
            Name          = $cmd.Name
            Verb          = $cmd.Verb
            Noun          = $cmd.Noun
            HelpFile      = $cmd.HelpFile
            OutputTypes   = @(foreach ($t in $cmd.OutputType) { $t.Name })
            ParameterSets = @($sets.Values)
            Parameters    = @($parameters)
        }
    }
    ConvertTo-Json -InputObject @($cmdlets) -Depth 8 -Compress
}

# Starts the child now and returns it with a script block that waits for its answer, so that the
# markdown is read while the child starts up and imports the module.
function Start-MetadataReader {
    # The pwsh launcher of this PowerShell (a pwsh installed as a .NET tool runs under the dotnet
    # host, so the process path is not pwsh's), else the first pwsh on PATH.
    $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    if (-not (Test-Path -LiteralPath $pwsh)) { $pwsh = (Get-Command pwsh -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source }
    $manifest = $manifestPath
    $text = "& {$metadataScript} '$($manifest -replace "'", "''")'"
    $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($a in '-NoProfile', '-NonInteractive', '-NoLogo', '-OutputFormat', 'Text', '-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($text))) {
        $psi.ArgumentList.Add($a)
    }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $proc = [System.Diagnostics.Process]::Start($psi)
    $proc.StandardInput.Close()
    $stdout = $proc.StandardOutput.ReadToEndAsync()
    $stderr = $proc.StandardError.ReadToEndAsync()
    $wait = {
        $proc.WaitForExit()
        if ($proc.ExitCode -ne 0 -or -not $stdout.Result.Trim()) {
            throw "ConvertTo-MamlHelp: importing $manifest in a child pwsh failed (exit code $($proc.ExitCode)):`n$($stderr.Result.Trim())"
        }
        # The JSON is the last line; anything the module prints on import comes before it.
        @($stdout.Result.Trim().Split("`n")[-1] | ConvertFrom-Json)
    }.GetNewClosure()
    [pscustomobject]@{ Process = $proc; Wait = $wait }
}

#endregion

#region Markdown

# Splits markdown body text into blocks: paragraphs, lists, tables and code fences.
function ConvertFrom-MarkdownBlock([System.Collections.Generic.List[string]] $Lines, [string] $File) {
    $blocks = [System.Collections.Generic.List[object]]::new()
    $text = [System.Collections.Generic.List[string]]::new()
    $code = $null
    $fence = $null
    $lang = ''
    foreach ($line in @($Lines) + $null) {
        $atEnd = $null -eq $line
        if ($null -ne $fence) {
            if ($atEnd) { throw "${File}: a code fence ($fence) is not closed." }
            if ($line.Trim() -eq $fence) {
                $blocks.Add([pscustomobject]@{ Kind = 'Code'; Text = ($code -join "`n").TrimEnd(); Lang = $lang })
                $fence = $null
            }
            else { $code.Add($line) }
            continue
        }
        $opens = $false
        if (-not $atEnd -and $line -match '^\s*(```+|~~~+)\s*([\w.+-]*)\s*$') { $opens = $true; $openFence = $Matches[1]; $openLang = $Matches[2] }
        if (($atEnd -or $opens -or $line.Trim().Length -eq 0) -and $text.Count -gt 0) {
            if ($text[0] -match '^\s*\|') {
                $blocks.Add([pscustomobject]@{ Kind = 'Table'; Text = ($text -join "`n"); Lang = '' })
            }
            elseif ($text[0] -match '^\s*([-*+]|\d+\.)\s+') {
                # A list: one line per item, continuation lines folded into their item.
                $items = [System.Collections.Generic.List[string]]::new()
                foreach ($l in $text) {
                    if ($l -match '^\s*([-*+]|\d+\.)\s+(.*)$') { $items.Add("$($Matches[1]) $($Matches[2].Trim())") }
                    else { $items[$items.Count - 1] += ' ' + $l.Trim() }
                }
                $blocks.Add([pscustomobject]@{ Kind = 'List'; Text = ($items -join "`n"); Lang = '' })
            }
            else {
                $blocks.Add([pscustomobject]@{ Kind = 'Para'; Text = (@(foreach ($l in $text) { $l.Trim() }) -join ' '); Lang = '' })
            }
            $text.Clear()
        }
        if ($atEnd) { break }
        if ($opens) {
            $fence = $openFence; $lang = $openLang
            $code = [System.Collections.Generic.List[string]]::new()
        }
        elseif ($line.Trim().Length -gt 0) { $text.Add($line) }
    }
    , $blocks
}

# Splits a file into its # title, its ## sections and each section's ### subsections.
function Read-MarkdownDocument([string] $Path) {
    $lines = [System.IO.File]::ReadAllLines($Path)
    $i = 0
    $front = @{}
    if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') {
        for ($i = 1; $i -lt $lines.Count -and $lines[$i].Trim() -ne '---'; $i++) {
            if ($lines[$i] -match '^\s*([^:]+):\s*(.*)$') { $front[$Matches[1].Trim()] = $Matches[2].Trim() }
        }
        $i++
    }
    $doc = [pscustomobject]@{ Path = $Path; Rel = [System.IO.Path]::GetRelativePath($docsRoot, $Path); Title = $null; FrontMatter = $front; Sections = @{}; Order = [System.Collections.Generic.List[object]]::new() }
    $section = $null
    $sub = $null
    $fence = $null
    for (; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($null -eq $fence -and $line -match '^(#{1,3})\s+(.+?)\s*#*\s*$') {
            $level = $Matches[1].Length; $heading = $Matches[2]
            if ($level -eq 1) {
                if ($doc.Title) { throw "$($doc.Rel): a second '# ' title ('$heading') was found; one file documents one topic." }
                $doc.Title = $heading; $section = $null; $sub = $null
            }
            elseif ($level -eq 2) {
                $section = [pscustomobject]@{ Name = $heading; Lines = [System.Collections.Generic.List[string]]::new(); Subsections = [System.Collections.Generic.List[object]]::new() }
                $doc.Sections[$heading.ToUpperInvariant()] = $section
                $doc.Order.Add($section)
                $sub = $null
            }
            else {
                if (-not $section) { throw "$($doc.Rel): '### $heading' appears before any '## ' section." }
                $sub = [pscustomobject]@{ Title = $heading; Lines = [System.Collections.Generic.List[string]]::new() }
                $section.Subsections.Add($sub)
            }
            continue
        }
        # Inside a code fence, '#' starts a comment, not a heading.
        if ($null -eq $fence) { if ($line -match '^\s*(```+|~~~+)') { $fence = $Matches[1] } }
        elseif ($line.Trim() -eq $fence) { $fence = $null }
        if ($sub) { $sub.Lines.Add($line) } elseif ($section) { $section.Lines.Add($line) }
    }
    $doc
}

function Get-SectionBlocks($Doc, [string] $Name) {
    $s = $Doc.Sections[$Name]
    if (-not $s) { return , [System.Collections.Generic.List[object]]::new() }
    ConvertFrom-MarkdownBlock $s.Lines $Doc.Rel
}

# Markdown links read as their text (and address) in a console.
function ConvertTo-PlainText([string] $Text) {
    $Text -replace '\[([^\]]+)\]\((https?://[^)\s]+)\)', '$1 ($2)' -replace '\[([^\]]+)\]\([^)\s]*\)', '$1'
}

# Reads <Cmdlet>.md into what the help needs; problems that need no metadata are recorded here.
function Read-CmdletMarkdown([string] $Path) {
    $doc = Read-MarkdownDocument $Path
    $rel = $doc.Rel
    $synopsis = Get-SectionBlocks $doc 'SYNOPSIS'
    if ($synopsis.Count -eq 0) { $problems.Add("${rel}: ## SYNOPSIS is missing or empty.") }
    $description = Get-SectionBlocks $doc 'DESCRIPTION'
    if ($description.Count -eq 0) { $problems.Add("${rel}: ## DESCRIPTION is missing or empty.") }

    $examples = [System.Collections.Generic.List[object]]::new()
    if ($doc.Sections['EXAMPLES']) {
        foreach ($sub in $doc.Sections['EXAMPLES'].Subsections) {
            $blocks = ConvertFrom-MarkdownBlock $sub.Lines $rel
            $index = -1
            for ($k = 0; $k -lt $blocks.Count -and $index -lt 0; $k++) { if ($blocks[$k].Kind -eq 'Code' -and $blocks[$k].Text.Trim()) { $index = $k } }
            if ($index -lt 0) { $problems.Add("${rel}: example '$($sub.Title)' has no code."); continue }
            $codeBlock = $blocks[$index]
            $blocks.RemoveAt($index)
            if ($blocks.Count -eq 0) { $problems.Add("${rel}: example '$($sub.Title)' does not say what it does (no text besides the code).") }
            $examples.Add([pscustomobject]@{ Title = $sub.Title; Code = $codeBlock.Text; Remarks = $blocks })
        }
    }
    if ($examples.Count -lt 3) { $problems.Add("${rel}: ## EXAMPLES has $($examples.Count) example(s) with code; at least 3 are required.") }

    $parameters = [ordered]@{}
    if ($doc.Sections['PARAMETERS']) {
        foreach ($sub in $doc.Sections['PARAMETERS'].Subsections) {
            if ($sub.Title -eq 'CommonParameters') { continue }
            if ($sub.Title -notmatch '^-(\w+)$') { $problems.Add("${rel}: '### $($sub.Title)' under ## PARAMETERS is not '### -Name'."); continue }
            $name = $Matches[1]
            $blocks = ConvertFrom-MarkdownBlock $sub.Lines $rel
            $yaml = @{}
            $index = -1
            for ($k = 0; $k -lt $blocks.Count -and $index -lt 0; $k++) { if ($blocks[$k].Kind -eq 'Code' -and $blocks[$k].Lang -eq 'yaml') { $index = $k } }
            if ($index -ge 0) {
                $yamlText = $blocks[$index].Text
                $blocks.RemoveAt($index)
                foreach ($l in $yamlText -split "`n") { if ($l -match '^\s*([^:#][^:]*):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() } }
            }
            if ($parameters.Contains($name)) { $problems.Add("${rel}: parameter -$name is documented twice.") }
            $parameters[$name] = [pscustomobject]@{
                Name         = $name
                Blocks       = $blocks
                Yaml         = $yaml
                DefaultValue = if ($yaml['Default value']) { $yaml['Default value'] } else { 'None' }
            }
        }
    }

    $typed = {
        param($SectionName)
        $list = [System.Collections.Generic.List[object]]::new()
        if ($doc.Sections[$SectionName]) {
            foreach ($sub in $doc.Sections[$SectionName].Subsections) {
                $list.Add([pscustomobject]@{ Name = $sub.Title; Blocks = (ConvertFrom-MarkdownBlock $sub.Lines $rel) })
            }
        }
        , $list
    }

    $links = [System.Collections.Generic.List[object]]::new()
    if ($doc.FrontMatter['online version']) { $links.Add([pscustomobject]@{ Text = 'Online Version:'; Uri = $doc.FrontMatter['online version'] }) }
    if ($doc.Sections['RELATED LINKS']) {
        foreach ($m in [regex]::Matches(($doc.Sections['RELATED LINKS'].Lines -join "`n"), '\[([^\]]+)\]\(([^)\s]*)\)')) {
            # A link to another page of these docs (about_X.md) has no address outside them.
            $uri = if ($m.Groups[2].Value -match '^https?://') { $m.Groups[2].Value } else { '' }
            $links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $uri })
        }
    }

    [pscustomobject]@{
        Rel         = $rel
        Title       = $doc.Title
        Meta        = $null
        Synopsis    = $synopsis
        Description = $description
        Examples    = $examples
        Parameters  = $parameters
        Inputs      = & $typed 'INPUTS'
        Outputs     = & $typed 'OUTPUTS'
        Notes       = Get-SectionBlocks $doc 'NOTES'
        Links       = $links
    }
}

# Holds a cmdlet's markdown against its metadata; records every disagreement in $problems.
function Test-CmdletMarkdown($Help, $Meta) {
    $rel = $Help.Rel
    if ($Help.Title -cne $Meta.Name) { $problems.Add("${rel}: the title is '# $($Help.Title)'; it must be '# $($Meta.Name)'.") }
    $byName = @{}
    foreach ($p in $Meta.Parameters) {
        $byName[$p.Name] = $p
        $d = $Help.Parameters[$p.Name]
        if (-not $d) { $problems.Add("${rel}: parameter -$($p.Name) of $($Meta.Name) is not documented (add '### -$($p.Name)' under ## PARAMETERS)."); continue }
        if ($d.Name -cne $p.Name) { $problems.Add("${rel}: '### -$($d.Name)' must be spelled '### -$($p.Name)'.") }
        if ($d.Blocks.Count -eq 0) { $problems.Add("${rel}: parameter -$($p.Name) has no description.") }
        Test-ParameterYaml $rel $p $d.Yaml
    }
    foreach ($name in $Help.Parameters.Keys) {
        if (-not $byName.ContainsKey($name)) { $problems.Add("${rel}: documents parameter -$name, which $($Meta.Name) does not have.") }
    }
    foreach ($t in $Meta.OutputTypes) {
        if (-not $Help.Outputs.Where({ $_.Name -eq $t -or $_.Name -like "*.$t" })) {
            Write-Warning "${rel}: ## OUTPUTS does not list $t, which $($Meta.Name) declares as its output type."
        }
    }
}

# The yaml blocks are for readers of the markdown; the help takes these facts from the cmdlet.
# Say where the two disagree, so the markdown gets fixed.
function Test-ParameterYaml([string] $Rel, $Param, [hashtable] $Yaml) {
    if ($Yaml.Count -eq 0) { return }
    $actual = @{
        'Type'                  = $Param.Type
        'Required'              = [string] $Param.Required
        'Position'              = $Param.Position
        'Aliases'               = $Param.Aliases -join ','
        'Accept pipeline input' = $Param.PipelineInput
        'Accepted values'       = $Param.AcceptedValues -join ','
    }
    $normalize = { param($s) (($s -replace '^\s*(None|\(None\)|\(All\))\s*$', '') -split '[\s(),]+' | Where-Object { $_ } | Sort-Object) -join ',' }
    foreach ($key in $actual.Keys) {
        if ($Yaml.ContainsKey($key) -and (& $normalize $Yaml[$key]) -ne (& $normalize $actual[$key])) {
            Write-Warning "${Rel}: -$($Param.Name) says '${key}: $($Yaml[$key])'; the cmdlet says '$($actual[$key])'. The help uses the cmdlet's."
        }
    }
}

#endregion

#region MAML

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

function Write-Paras([System.Xml.XmlWriter] $W, $Blocks) {
    foreach ($b in $Blocks) {
        $t = if ($b.Kind -eq 'Code' -or $b.Kind -eq 'Table') { $b.Text } else { ConvertTo-PlainText $b.Text }
        $W.WriteElementString('maml', 'para', $ns.maml, $t)
    }
}

function Write-Description([System.Xml.XmlWriter] $W, $Blocks) {
    $W.WriteStartElement('maml', 'description', $ns.maml)
    Write-Paras $W $Blocks
    $W.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $W, $Param, $Doc, $Entry) {
    # $Entry is the parameter's place in one parameter set (syntax); none for the parameters list.
    $required = if ($Entry) { $Entry.Mandatory } else { $Param.Required }
    $position = if ($Entry) { if ($Entry.Position -ge 0) { [string] $Entry.Position } else { 'named' } } else { $Param.Position }
    $pipeline = $Param.PipelineInput
    if ($Entry) {
        $kinds = @(if ($Entry.ByPropertyName) { 'ByPropertyName' }; if ($Entry.ByValue) { 'ByValue' })
        $pipeline = if ($kinds.Count) { "True ($($kinds -join ', '))" } else { 'False' }
    }
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', ([string] $required).ToLowerInvariant())
    $W.WriteAttributeString('variableLength', ([string] $Param.IsArray).ToLowerInvariant())
    $W.WriteAttributeString('globbing', ([string] $Param.Wildcards).ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $pipeline)
    $W.WriteAttributeString('position', $position)
    $W.WriteAttributeString('aliases', $(if ($Param.Aliases.Count) { $Param.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $ns.maml, $Param.Name)
    Write-Description $W $Doc.Blocks
    if ($Param.AcceptedValues.Count -gt 0) {
        $W.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($v in $Param.AcceptedValues) {
            $W.WriteStartElement('command', 'parameterValue', $ns.command)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('command', 'variableLength', $ns.command, 'false')
            $W.WriteString($v)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    # A switch has no value in the syntax ([-Summary]); the parameters list names its type.
    if (-not ($Entry -and $Param.IsSwitch)) {
        $W.WriteStartElement('command', 'parameterValue', $ns.command)
        $W.WriteAttributeString('required', ([string] (-not $Param.IsSwitch)).ToLowerInvariant())
        $W.WriteAttributeString('variableLength', ([string] $Param.IsArray).ToLowerInvariant())
        $W.WriteString($Param.Type)
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $ns.dev)
    $W.WriteElementString('maml', 'name', $ns.maml, $Param.FullType)
    $W.WriteElementString('maml', 'uri', $ns.maml, '')
    $W.WriteEndElement()
    $W.WriteElementString('dev', 'defaultValue', $ns.dev, $Doc.DefaultValue)
    $W.WriteEndElement()
}

function Write-TypeList([System.Xml.XmlWriter] $W, [string] $ListName, [string] $ItemName, $Items) {
    $W.WriteStartElement('command', $ListName, $ns.command)
    foreach ($item in $Items) {
        $W.WriteStartElement('command', $ItemName, $ns.command)
        $W.WriteStartElement('dev', 'type', $ns.dev)
        $W.WriteElementString('maml', 'name', $ns.maml, $item.Name)
        $W.WriteEndElement()
        Write-Description $W $item.Blocks
        $W.WriteEndElement()
    }
    $W.WriteEndElement()
}

function Write-CmdletHelp([System.Xml.XmlWriter] $W, $Help) {
    $meta = $Help.Meta
    $byName = @{}
    foreach ($p in $meta.Parameters) { $byName[$p.Name] = $p }

    $W.WriteStartElement('command', 'command', $ns.command)
    foreach ($p in 'maml', 'command', 'dev', 'MSHelp') { $W.WriteAttributeString('xmlns', $p, $null, $ns[$p]) }
    $W.WriteStartElement('command', 'details', $ns.command)
    $W.WriteElementString('command', 'name', $ns.command, $meta.Name)
    $W.WriteElementString('command', 'verb', $ns.command, $meta.Verb)
    $W.WriteElementString('command', 'noun', $ns.command, $meta.Noun)
    Write-Description $W $Help.Synopsis
    $W.WriteEndElement()
    Write-Description $W $Help.Description

    # One syntax item per parameter set, the default set first.
    $W.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in @($meta.ParameterSets.Where({ $_.IsDefault })) + @($meta.ParameterSets.Where({ -not $_.IsDefault }))) {
        $W.WriteStartElement('command', 'syntaxItem', $ns.command)
        $W.WriteElementString('maml', 'name', $ns.maml, $meta.Name)
        foreach ($entry in $set.Parameters) {
            if ($byName.ContainsKey($entry.Name)) { Write-Parameter $W $byName[$entry.Name] $Help.Parameters[$entry.Name] $entry }
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    # The parameters in the order the markdown documents them.
    $W.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($name in $Help.Parameters.Keys) { Write-Parameter $W $byName[$name] $Help.Parameters[$name] $null }
    $W.WriteEndElement()

    Write-TypeList $W 'inputTypes' 'inputType' $Help.Inputs
    Write-TypeList $W 'returnValues' 'returnValue' $Help.Outputs

    $W.WriteStartElement('maml', 'alertSet', $ns.maml)
    $W.WriteStartElement('maml', 'alert', $ns.maml)
    Write-Paras $W $Help.Notes
    $W.WriteEndElement()
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'examples', $ns.command)
    foreach ($ex in $Help.Examples) {
        $W.WriteStartElement('command', 'example', $ns.command)
        $W.WriteElementString('maml', 'title', $ns.maml, "-------------------------- $($ex.Title) --------------------------")
        $W.WriteElementString('dev', 'code', $ns.dev, $ex.Code)
        $W.WriteStartElement('dev', 'remarks', $ns.dev)
        Write-Paras $W $ex.Remarks
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in $Help.Links) {
        $W.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $W.WriteElementString('maml', 'linkText', $ns.maml, $link.Text)
        $W.WriteElementString('maml', 'uri', $ns.maml, $link.Uri)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement()
}

#endregion

#region about_ topics

function Format-Wrapped([string] $Text, [int] $Indent, [int] $Hanging = 0, [int] $Width = 80) {
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = ''
    $first = ' ' * $Indent
    $rest = ' ' * ($Indent + $Hanging)
    foreach ($word in $Text.Split([char[]] " `t", [System.StringSplitOptions]::RemoveEmptyEntries)) {
        $prefix = if ($lines.Count -eq 0) { $first } else { $rest }
        if ($line -and ($prefix.Length + $line.Length + 1 + $word.Length) -gt $Width) {
            $lines.Add($prefix + $line)
            $line = $word
        }
        elseif ($line) { $line += " $word" }
        else { $line = $word }
    }
    if ($line) { $lines.Add($(if ($lines.Count -eq 0) { $first } else { $rest }) + $line) }
    , $lines
}

# about_X.md -> about_X.help.txt: TOPIC, then each ## section in capitals with its text indented.
function ConvertTo-AboutText([string] $Path) {
    $doc = Read-MarkdownDocument $Path
    $topic = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    if ($doc.Title -cne $topic) { $problems.Add("$($doc.Rel): the title is '# $($doc.Title)'; it must be '# $topic'.") }
    if ((Get-SectionBlocks $doc 'SHORT DESCRIPTION').Count -eq 0) { $problems.Add("$($doc.Rel): ## SHORT DESCRIPTION is missing or empty.") }
    $out = [System.Collections.Generic.List[string]]::new()
    $out.AddRange([string[]] @('TOPIC', "    $topic", ''))
    $emit = {
        param($Lines)
        foreach ($b in (ConvertFrom-MarkdownBlock $Lines $doc.Rel)) {
            switch ($b.Kind) {
                'Para' { $out.AddRange((Format-Wrapped (ConvertTo-PlainText $b.Text) 4)) }
                'List' { foreach ($item in $b.Text -split "`n") { $out.AddRange((Format-Wrapped (ConvertTo-PlainText $item) 4 2)) } }
                default { foreach ($l in $b.Text -split "`n") { $out.Add(("        $l").TrimEnd()) } }
            }
            $out.Add('')
        }
    }
    foreach ($section in $doc.Order) {
        $out.Add($section.Name.ToUpperInvariant())
        & $emit $section.Lines
        foreach ($sub in $section.Subsections) {
            $out.Add("  $($sub.Title)")
            & $emit $sub.Lines
        }
    }
    while ($out.Count -gt 0 -and -not $out[$out.Count - 1]) { $out.RemoveAt($out.Count - 1) }
    [pscustomobject]@{ Name = "$topic.help.txt"; Text = ($out -join "`n") + "`n" }
}

#endregion

#region Main

$reader = Start-MetadataReader
try {
    $cmdletDocs = @{}
    foreach ($file in [System.IO.Directory]::GetFiles($DocsPath, '*.md')) {
        $base = [System.IO.Path]::GetFileNameWithoutExtension($file)
        if (-not $base.StartsWith('about_')) { $cmdletDocs[$base] = Read-CmdletMarkdown $file }
    }
    $abouts = @(foreach ($file in [System.IO.Directory]::GetFiles($DocsPath, 'about_*.md')) { ConvertTo-AboutText $file })
    Write-Verbose "Markdown read in $($clock.ElapsedMilliseconds) ms."
    $metadata = & $reader.Wait
    Write-Verbose "Cmdlet metadata read by $($clock.ElapsedMilliseconds) ms."
}
finally {
    if (-not $reader.Process.HasExited) { $reader.Process.Kill() }
    $reader.Process.Dispose()
}

$helps = [System.Collections.Generic.List[object]]::new()
foreach ($meta in $metadata | Sort-Object Name) {
    $help = $cmdletDocs[$meta.Name]
    if (-not $help) {
        $problems.Add("$([System.IO.Path]::GetRelativePath($docsRoot, (Join-Path $DocsPath "$($meta.Name).md"))): missing; $($meta.Name) is exported by $moduleName and needs its help page.")
        continue
    }
    $help.Meta = $meta
    Test-CmdletMarkdown $help $meta
    $helps.Add($help)
}
foreach ($name in $cmdletDocs.Keys) {
    if (-not $metadata.Where({ $_.Name -eq $name })) { Write-Warning "$name.md: $moduleName exports no cmdlet $name; the page is not built." }
}
$moduleAbout = $abouts.Where({ $_.Name -eq "about_$moduleName.help.txt" })
foreach ($meta in $metadata) {
    if ($moduleAbout -and $moduleAbout[0].Text -notmatch "\b$([regex]::Escape($meta.Name))\b") {
        Write-Warning "about_$moduleName.md does not mention $($meta.Name); add it to the list of cmdlets."
    }
}

if ($problems.Count -gt 0) {
    throw ("ConvertTo-MamlHelp: the help in $DocsPath does not match the cmdlets of ${moduleName}:`n  - " + ($problems -join "`n  - "))
}

# One MAML file per assembly (the cmdlet's HelpFile name), written under the module folder and
# beside each build of that assembly.
$utf8 = [System.Text.UTF8Encoding]::new($false)
foreach ($group in $helps | Group-Object { $_.Meta.HelpFile }) {
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.NewLineChars = "`n"
    $settings.Encoding = $utf8
    $buffer = [System.IO.MemoryStream]::new()
    $w = [System.Xml.XmlWriter]::Create($buffer, $settings)
    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', 'http://msh')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($help in $group.Group) { Write-CmdletHelp $w $help }
    $w.WriteEndElement()
    $w.WriteEndDocument()
    $w.Dispose()
    $bytes = $buffer.ToArray()

    $assemblyName = $group.Name -replace '-Help\.xml$', ''
    $targets = [System.Collections.Generic.List[string]]::new()
    $targets.Add($ModulePath)
    $bin = Join-Path $ModulePath 'bin'
    if ([System.IO.Directory]::Exists($bin)) {
        foreach ($assembly in [System.IO.Directory]::GetFiles($bin, $assemblyName, [System.IO.SearchOption]::AllDirectories)) {
            $targets.Add([System.IO.Path]::GetDirectoryName($assembly))
        }
    }
    foreach ($dir in $targets) {
        $cultureDir = [System.IO.Directory]::CreateDirectory((Join-Path $dir $Culture)).FullName
        [System.IO.File]::WriteAllBytes((Join-Path $cultureDir $group.Name), $bytes)
    }
    Write-Verbose "$($group.Name): $($group.Count) cmdlet(s), written to $($targets.Count) folder(s)."
}

$aboutDir = [System.IO.Directory]::CreateDirectory((Join-Path $ModulePath $Culture)).FullName
foreach ($about in $abouts) {
    [System.IO.File]::WriteAllText((Join-Path $aboutDir $about.Name), $about.Text, $utf8)
}
Write-Host "Help: $($helps.Count) cmdlet(s), $($abouts.Count) about topic(s) -> $(Join-Path $moduleName $Culture) ($($clock.ElapsedMilliseconds) ms)"

#endregion
