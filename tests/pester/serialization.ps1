# Helpers for the tests of deserialized results (Serialization.Tests.ps1, Remoting.Tests.ps1):
# dot-source after common.ps1.

function ConvertTo-RoundTrip {
    <# Each object after a trip through PowerShell's serializer, as remoting sends it (default depth: the type's SerializationDepth). #>
    param([object[]] $InputObject)
    foreach ($o in $InputObject) {
        [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o))
    }
}

function Compare-RoundTrip {
    <#
    Walks a live object and its deserialized copy side by side and returns one line per property
    whose value or meaning was lost: primitives must be equal and of the same type, enums must
    come back as their names (strings), DateTimeOffset as the same instant and offset, lists with
    the same items, dictionaries with the same keys and values, nested TlsTools objects as
    Deserialized.TlsTools.* objects with the same properties. A certificate comes back as its text.
    #>
    param($Live, $Back, [string] $Path, [int] $Level = 0)
    if ($Level -gt 8) { return "${Path}: nested deeper than 8 levels" }
    if ($null -eq $Live) {
        if ($null -ne $Back) { "${Path}: null came back as '$Back'" }
        return
    }
    if ($null -eq $Back) { return "${Path}: '$Live' came back as null" }
    $t = $Live.GetType()
    if ($t.IsEnum) {
        if ($Back -isnot [string]) { return "${Path}: enum $($t.Name) came back as $($Back.pstypenames[0]), not its name" }
        if ($Back -ne $Live.ToString()) { return "${Path}: enum '$Live' came back as '$Back'" }
        return
    }
    if ($t.IsPrimitive -or $Live -is [string] -or $Live -is [datetime] -or $Live -is [timespan] -or $Live -is [decimal] -or $Live -is [guid] -or $Live -is [uri]) {
        $b = if ($Back -is [psobject]) { $Back.PSObject.BaseObject } else { $Back }
        if ($b.GetType() -ne $t) { return "${Path}: $($t.Name) came back as $($b.GetType().Name)" }
        if ($b -ne $Live) { return "${Path}: '$Live' came back as '$b'" }
        return
    }
    if ($Live -is [System.DateTimeOffset]) {
        if ($Back.UtcDateTime -ne $Live.UtcDateTime -or $Back.Offset -ne $Live.Offset) { return "${Path}: '$Live' came back as '$Back'" }
        return
    }
    if ($Live -is [System.Security.Cryptography.X509Certificates.X509Certificate]) {
        if ("$Back" -notmatch [regex]::Escape($Live.Thumbprint)) { return "${Path}: the certificate's text lacks its thumbprint" }
        return
    }
    if ($Live -is [System.Collections.IDictionary]) {
        if ($Back -isnot [System.Collections.IDictionary]) { return "${Path}: dictionary came back as $($Back.pstypenames[0])" }
        $lk = @($Live.Keys | ForEach-Object { "$_" }); $bk = @($Back.Keys | ForEach-Object { "$_" })
        if (($lk -join '|') -ne ($bk -join '|')) { return "${Path}: keys $($lk -join ',') came back as $($bk -join ',')" }
        foreach ($k in $Live.Keys) { Compare-RoundTrip -Live $Live[$k] -Back $Back["$k"] -Path "$Path[$k]" -Level ($Level + 1) }
        return
    }
    if ($Live -is [System.Collections.IEnumerable]) {
        $l = @($Live); $b = @($Back)
        if ($Back -is [string] -and $l.Count -gt 0) { return "${Path}: list came back as the text '$Back'" }
        if ($l.Count -ne $b.Count) { return "${Path}: $($l.Count) items came back as $($b.Count)" }
        for ($i = 0; $i -lt $l.Count; $i++) { Compare-RoundTrip -Live $l[$i] -Back $b[$i] -Path "$Path[$i]" -Level ($Level + 1) }
        return
    }
    if ($Back -is [string]) { return "${Path}: $($t.FullName) came back as the text '$Back'" }
    if ($t.Namespace -like 'TlsTools*' -and $Back.pstypenames[0] -ne "Deserialized.$($t.FullName)") {
        return "${Path}: came back as $($Back.pstypenames[0])"
    }
    foreach ($p in $t.GetProperties()) {
        if ($p.GetIndexParameters().Count) { continue }
        if ($null -eq $Back.PSObject.Properties[$p.Name]) { "${Path}.$($p.Name): missing"; continue }
        Compare-RoundTrip -Live $p.GetValue($Live) -Back $Back.($p.Name) -Path "$Path.$($p.Name)" -Level ($Level + 1)
    }
}

function Get-ViewColumn {
    <# The column headers of the table view that TlsTools.Format.ps1xml defines for a type (labels, or the property names of unlabelled columns). #>
    param([string] $TypeName)
    [xml] $doc = Get-Content (Join-Path $ModulePath 'TlsTools.Format.ps1xml') -Raw
    $view = $doc.Configuration.ViewDefinitions.View | Where-Object { $_.ViewSelectedBy.TypeName -contains $TypeName -and $_.TableControl } | Select-Object -First 1
    if (-not $view) { return @() }
    $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
    $items = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem)
    for ($i = 0; $i -lt $headers.Count; $i++) {
        $label = if ($headers[$i] -is [System.Xml.XmlElement]) { $headers[$i].Label } else { $null }
        if ($label) { $label } else { $items[$i].PropertyName }
    }
}

function Get-TableHeader {
    <# The header line of the first table in Format-Table text (the line above the dashes). #>
    param([string] $Text)
    $lines = $Text -split "`r?`n"
    for ($i = 1; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -match '^\s*-+(\s+-+)*\s*$') { return $lines[$i - 1] }
    }
    $null
}

function Test-NestedProperty {
    <# True for a property type whose values are objects with properties of their own (or a dictionary), not values, lists of values or enums. #>
    param([type] $Type)
    $t = if ([Nullable]::GetUnderlyingType($Type)) { [Nullable]::GetUnderlyingType($Type) } else { $Type }
    if ($t.IsPrimitive -or $t.IsEnum -or $t -in [string], [datetime], [timespan], [decimal], [DateTimeOffset]) { return $false }
    if ([System.Collections.IDictionary].IsAssignableFrom($t)) { return $true }
    if ($t -ne [string] -and [System.Collections.IEnumerable].IsAssignableFrom($t)) {
        $item = if ($t.IsArray) { $t.GetElementType() } else { @($t.GetInterfaces() + $t | Where-Object { $_.IsGenericType -and $_.GetGenericTypeDefinition() -eq [System.Collections.Generic.IEnumerable`1] } | Select-Object -First 1).GetGenericArguments() | Select-Object -First 1 }
        if (-not $item) { return $true }
        return (Test-NestedProperty $item)
    }
    if ([System.Security.Cryptography.X509Certificates.X509Certificate].IsAssignableFrom($t)) { return $true }
    $true
}

function Get-ListEntry {
    <# Format-List text as one ordered dictionary (property name -> displayed text) per object. #>
    param([string] $Text)
    $current = $null; $name = $null
    foreach ($line in ($Text -split "`r?`n")) {
        if ($line -match '^(\w+)\s+: ?(.*)$') {
            $name = $Matches[1]
            if ($null -eq $current -or $current.Contains($name)) {
                if ($null -ne $current) { $current }
                $current = [ordered]@{}
            }
            $current[$name] = $Matches[2]
        }
        elseif ($line -match '^\s+\S' -and $null -ne $name -and $null -ne $current) { $current[$name] += ' ' + $line.Trim() }
        elseif ($line -notmatch '\S') { $name = $null }
    }
    if ($null -ne $current) { $current }
}
