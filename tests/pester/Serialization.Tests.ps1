# Results that come back through PowerShell remoting, a job or Import-Clixml are deserialized:
# every output type of every cmdlet, taken from real runs against the bed, goes through
# PowerShell's serializer (PSSerializer, what remoting uses) and must come back with its
# Deserialized. type name, every property with its value and meaning (nested results, lists,
# enums that still read and compare as their names) and the same default view.
BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/serialization.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed

    # Live objects by output type ($LiveByType), and the same objects after a round trip through the serializer.
    # $Deserialized (and $DeserializedAll, every object of every type) is what a report test can feed
    # to a report cmdlet as results that came back from remoting.
    $script:LiveByType = [ordered]@{}
    $script:Deserialized = [ordered]@{}
    $script:DeserializedAll = @()
    if (-not $NoBed) {
        $dns = Get-BedDnsServer $Bed
        $c = @{ DnsServer = $dns; Port = $Bed.smtpPort; TrustedRootCertificate = $Bed.ca.rootCert; IgnoreSystemTrustStore = $true; TimeoutSeconds = 10; AddressFamily = 'IPv4' }
        $fixture = Join-Path $RepoRoot 'tests/TlsTools.Core.Tests/Fixtures/Headers/postfix-bed-path-tls.eml'
        $policyDns = if ($Bed.resolver) { '{0}:{1}' -f $Bed.resolver.address, $Bed.resolver.port } else { $dns }

        $summaries = @(Test-MailTls -DomainName partner.bed.test, good.bed.test, splitmx.bed.test -Summary @c -ErrorAction Stop)
        $LiveByType['MailTlsDomainSummary'] = $summaries
        $LiveByType['MailTlsResult'] = @(Test-MailTls -DomainName good.bed.test, partner.bed.test @c -ErrorAction Stop)
        $LiveByType['RemoteCertificate'] = @(Get-RemoteCertificate 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp -TimeoutSeconds 10 -ErrorAction Stop)
        $LiveByType['MailTlsPolicy'] = @(Get-MailTlsPolicy -DomainName good.bed.test, dane.bed.test, partner.bed.test -DnsServer $policyDns -TimeoutSeconds 10 -ErrorAction Stop)
        $LiveByType['RevocationEndpointResult'] = @(Test-CrlReachability -Path $Bed.pki.revoked.leafCert -TimeoutSeconds 10 -ErrorAction Stop)
        $LiveByType['TrustedRootResult'] = @(Test-TrustedRoot -Preset ExchangeOnline)
        $LiveByType['ConnectorSpec'] = @(New-ForcedTlsConnectorSpec -PartnerDomain partner.bed.test -Platform ExchangeOnline -Direction Outbound -InputObject $summaries[0] -WarningAction SilentlyContinue)
        $LiveByType['CipherSuiteResult'] = @(Get-TlsCipherSuite 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp -TimeoutSeconds 10 -ErrorAction Stop)
        $LiveByType['CipherScanSummary'] = @(Get-TlsCipherSuite 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp -TimeoutSeconds 10 -Summary -ErrorAction Stop)
        $LiveByType['MailTlsHop'] = @(Get-MailTlsPath -Path $fixture)
        $LiveByType['MailTlsPathSummary'] = @(Get-MailTlsPath -Path $fixture -Summary)

        foreach ($k in $LiveByType.Keys) {
            $Deserialized[$k] = @(ConvertTo-RoundTrip $LiveByType[$k])
            $script:DeserializedAll += $Deserialized[$k]
        }
    }

    function Skip-WithoutBed {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return $true }
        $false
    }
}

Describe 'Every output type of every cmdlet survives PowerShell''s serializer' {
    It 'covers the OutputType of every cmdlet' {
        if (Skip-WithoutBed) { return }
        $declared = Get-Command -Module TlsTools -CommandType Cmdlet | ForEach-Object { $_.OutputType.Type } |
            Where-Object { $_ -and $_.Namespace -eq 'TlsTools' } | ForEach-Object Name | Sort-Object -Unique
        $declared.Count | Should -BeGreaterThan 8
        $declared | Where-Object { $_ -notin $LiveByType.Keys } | Should -BeNullOrEmpty
        @($LiveByType.Keys) | Where-Object { $_ -notin $declared } | Should -BeNullOrEmpty
    }

    It 'every enum that an output type holds, at any level, is sent as its name' {
        if (Skip-WithoutBed) { return }
        $seen = @{}; $enums = @{}
        $queue = [System.Collections.Generic.Queue[type]]::new()
        foreach ($k in $LiveByType.Keys) { $queue.Enqueue([TlsTools.MailTlsResult].Assembly.GetType("TlsTools.$k")) }
        while ($queue.Count) {
            $t = $queue.Dequeue()
            if ($seen[$t.FullName]) { continue }
            $seen[$t.FullName] = $true
            foreach ($p in $t.GetProperties()) {
                $pt = $p.PropertyType
                $candidates = @($pt) + @($pt.GetGenericArguments()) + @($pt.GetInterfaces() | ForEach-Object { $_.GetGenericArguments() })
                if ($pt.BaseType -and $pt.BaseType.IsGenericType) { $candidates += $pt.BaseType.GetGenericArguments() }
                foreach ($c in $candidates) {
                    if ($c.IsEnum) { $enums[$c.FullName] = $true }
                    elseif ($c.Namespace -like 'TlsTools*' -and $c.IsClass) { $queue.Enqueue($c) }
                }
            }
        }
        $enums.Count | Should -BeGreaterThan 10
        foreach ($e in $enums.Keys) {
            (Get-TypeData -TypeName $e).SerializationMethod | Should -Be 'String' -Because "$e is part of an output type"
        }
    }

    It '<_> comes back as Deserialized.TlsTools.<_> with every property''s value and meaning' -ForEach @(
        'MailTlsDomainSummary', 'MailTlsResult', 'RemoteCertificate', 'MailTlsPolicy', 'RevocationEndpointResult',
        'TrustedRootResult', 'ConnectorSpec', 'CipherSuiteResult', 'CipherScanSummary', 'MailTlsHop', 'MailTlsPathSummary'
    ) {
        if (Skip-WithoutBed) { return }
        $live = @($LiveByType[$_]); $back = @($Deserialized[$_])
        $live.Count | Should -BeGreaterThan 0
        $back.Count | Should -Be $live.Count
        for ($i = 0; $i -lt $live.Count; $i++) {
            $back[$i].pstypenames[0] | Should -Be "Deserialized.TlsTools.$_"
            $back[$i] | Should -Not -BeOfType ([TlsTools.MailTlsResult].Assembly.GetType("TlsTools.$_"))
            # every property of the type, and no more
            @($back[$i].PSObject.Properties.Name) | Should -Be @($live[$i].GetType().GetProperties().Name)
            $diff = @(Compare-RoundTrip -Live $live[$i] -Back $back[$i] -Path "$_[$i]")
            $diff | Should -BeNullOrEmpty
        }
    }
}

Describe 'Deserialized results keep their meaning' {
    It 'a summary carries its Results and DeliveryHosts as objects, not as type names' {
        if (Skip-WithoutBed) { return }
        $live = $LiveByType['MailTlsDomainSummary'] | Where-Object Domain -eq partner.bed.test
        $back = $Deserialized['MailTlsDomainSummary'] | Where-Object Domain -eq partner.bed.test
        $back.Results.Count | Should -Be $live.Results.Count
        $back.Results.Count | Should -BeGreaterOrEqual 3
        $back.Results[0].pstypenames[0] | Should -Be 'Deserialized.TlsTools.MailTlsResult'
        @($back.Results.MxHost) | Should -Be @($live.Results.MxHost)
        @($back.Results.CertificateDnsNames | Where-Object { $_ }) | Should -Contain 'good.mx.bed.test'
        $back.DeliveryHosts[0].pstypenames[0] | Should -Be 'Deserialized.TlsTools.MxHostDelivery'
        @($back.DeliveryHosts.Delivery) | Should -Be @($live.DeliveryHosts.Delivery | ForEach-Object ToString)
    }

    It 'enums read and compare as their names at every level' {
        if (Skip-WithoutBed) { return }
        $back = $Deserialized['MailTlsDomainSummary'] | Where-Object Domain -eq good.bed.test
        $back.Verdict | Should -BeOfType [string]
        $back.Verdict | Should -Be 'Pass'
        $back.LowestExchangeTlsLevel -eq 'DomainValidation' | Should -BeTrue
        $back.DefaultDelivery | Should -Be 'Tls'
        # below the first level (where the serializer would otherwise send a number)
        $back.Results[0].ExchangeTlsLevel | Should -BeOfType [string]
        $back.Results[0].ExchangeTlsLevel | Should -Be 'DomainValidation'
        $back.Results[0].RevocationStatus | Should -Be 'Good'
        $back.DeliveryHosts[0].Delivery | Should -Be 'Tls'
        @($Deserialized['MailTlsResult'] | Where-Object ExchangeTlsLevel -eq 'DomainValidation').Count |
            Should -Be @($LiveByType['MailTlsResult'] | Where-Object ExchangeTlsLevel -eq 'DomainValidation').Count
        $scan = $Deserialized['CipherScanSummary'][0]
        @($scan.SupportedProtocols) | Should -Be @($LiveByType['CipherScanSummary'][0].SupportedProtocols | ForEach-Object ToString)
        $scan.Suites[0].Strength | Should -BeOfType [string]
        $scan.Protocols[0].Protocol | Should -BeOfType [string]
        $path = $Deserialized['MailTlsPathSummary'][0]
        $path.LowestBoundaryTlsVersion | Should -Be 'Tls13'
        $path.Hops[0].Tls | Should -Be 'True'
    }

    It 'dates, durations and counts keep their types' {
        if (Skip-WithoutBed) { return }
        $i = [array]::FindIndex([object[]] $LiveByType['MailTlsResult'], [Predicate[object]] { param($r) $r.TlsEstablished -and $r.Domain -eq 'good.bed.test' })
        $i | Should -BeGreaterOrEqual 0
        $live = $LiveByType['MailTlsResult'][$i]; $back = $Deserialized['MailTlsResult'][$i]
        $back.TlsEstablished | Should -BeTrue
        $back.CertificateNotAfter | Should -BeOfType [datetime]
        $back.CertificateNotAfter | Should -Be $live.CertificateNotAfter
        $back.Duration | Should -BeOfType [timespan]
        $back.Port | Should -BeOfType [int]
        $back.DaysUntilExpiry | Should -Be $live.DaysUntilExpiry
        $s = $Deserialized['MailTlsDomainSummary'] | Where-Object Domain -eq good.bed.test
        $s.SoonestExpiry | Should -BeOfType [datetime]
        ($s.SoonestExpiry - (Get-Date)).TotalDays | Should -BeGreaterThan 30
        $hop = $Deserialized['MailTlsHop'][0]; $liveHop = $LiveByType['MailTlsHop'][0]
        $hop.Timestamp.UtcDateTime | Should -Be $liveHop.Timestamp.UtcDateTime
        $hop.Timestamp.Offset | Should -Be $liveHop.Timestamp.Offset
        $hop.ClientCertificate.pstypenames[0] | Should -Be 'Deserialized.TlsTools.HopClientCertificate'
    }

    It 'a connector spec keeps its parameters, arrays included' {
        if (Skip-WithoutBed) { return }
        $live = $LiveByType['ConnectorSpec'][0]; $back = $Deserialized['ConnectorSpec'][0]
        @($back.Parameters.Keys) | Should -Be @($live.Parameters.Keys)
        foreach ($k in $live.Parameters.Keys) {
            $lv = $live.Parameters[$k]
            if ($lv -is [System.Collections.IEnumerable] -and $lv -isnot [string]) {
                @($back.Parameters[$k]) | Should -Be @($lv | ForEach-Object { "$_" })
            }
            else { "$($back.Parameters[$k])" | Should -Be "$lv" }
        }
    }

    It 'a policy keeps its hosts with their TLSA records' {
        if (Skip-WithoutBed) { return }
        $live = $LiveByType['MailTlsPolicy'] | Where-Object Domain -eq dane.bed.test
        $back = $Deserialized['MailTlsPolicy'] | Where-Object Domain -eq dane.bed.test
        $back.Hosts.Count | Should -Be $live.Hosts.Count
        @($back.Hosts.TlsaRecords | Where-Object { $_ }).Count | Should -Be @($live.Hosts.TlsaRecords | Where-Object { $_ }).Count
        @($back.Hosts.TlsaRecords | Where-Object { $_ }).Count | Should -BeGreaterThan 0
        @($back.Hosts.MxHost) | Should -Be @($live.Hosts.MxHost)
    }
}

Describe 'The default views render deserialized results' {
    It '<_> renders as Format-Table and Format-List exactly as the live object' -ForEach @(
        'MailTlsDomainSummary', 'MailTlsResult', 'RemoteCertificate', 'MailTlsPolicy', 'RevocationEndpointResult',
        'TrustedRootResult', 'ConnectorSpec', 'CipherSuiteResult', 'MailTlsHop', 'MailTlsPathSummary'
    ) {
        if (Skip-WithoutBed) { return }
        $labels = Get-ViewColumn -TypeName "TlsTools.$_"
        $labels.Count | Should -BeGreaterThan 2
        $table = $Deserialized[$_] | Format-Table | Out-String -Width 400
        $header = Get-TableHeader $table
        foreach ($l in $labels) { $header | Should -Match ([regex]::Escape($l)) }
        $table | Should -Be ($LiveByType[$_] | Format-Table | Out-String -Width 400)
        # Format-List: every property that holds a value, list or enum reads the same; nested objects
        # show as their type name in both (PowerShell lists no properties of properties)
        $type = [TlsTools.MailTlsResult].Assembly.GetType("TlsTools.$_")
        $flat = @($type.GetProperties() | Where-Object { -not (Test-NestedProperty $_.PropertyType) } | ForEach-Object Name)
        $flat.Count | Should -BeGreaterThan 3
        $liveList = @(Get-ListEntry ($LiveByType[$_] | Format-List | Out-String -Width 400))
        $backList = @(Get-ListEntry ($Deserialized[$_] | Format-List | Out-String -Width 400))
        $backList.Count | Should -Be $liveList.Count
        for ($i = 0; $i -lt $liveList.Count; $i++) {
            foreach ($name in $flat) {
                if ($liveList[$i].Contains($name)) { "$name : $($backList[$i][$name])" | Should -Be "$name : $($liveList[$i][$name])" }
            }
        }
    }

    It 'every view of the module also names its Deserialized. type' {
        $views = @(Get-FormatData -TypeName 'TlsTools.*' -PowerShellVersion $PSVersionTable.PSVersion)
        $views.Count | Should -BeGreaterOrEqual 10
        foreach ($v in $views) {
            $d = @(Get-FormatData -TypeName "Deserialized.$($v.TypeNames[0])" -PowerShellVersion $PSVersionTable.PSVersion)
            $d.Count | Should -Be 1 -Because "the view $($v.TypeNames[0]) selects Deserialized.$($v.TypeNames[0])"
            @($d[0].FormatViewDefinition.Name) | Should -Be @($v.FormatViewDefinition.Name)
        }
    }

    It 'the summary table shows each domain with its verdict and Exchange TLS level' {
        if (Skip-WithoutBed) { return }
        $lines = ($Deserialized['MailTlsDomainSummary'] | Format-Table | Out-String -Width 400) -split "`n"
        foreach ($s in $LiveByType['MailTlsDomainSummary']) {
            $row = $lines | Where-Object { $_ -match "^$([regex]::Escape($s.Domain))\s" }
            $row | Should -Not -BeNullOrEmpty
            $row | Should -Match "\b$($s.Verdict)\b"
            $row | Should -Match "\b$($s.LowestExchangeTlsLevel)\b"
        }
    }

    It 'Format-List * of a deserialized result shows every property' {
        if (Skip-WithoutBed) { return }
        $text = $Deserialized['MailTlsResult'][0] | Format-List * | Out-String -Width 400
        foreach ($p in [TlsTools.MailTlsResult].GetProperties().Name) { $text | Should -Match "(?m)^$p\s+:" }
    }

    It 'the report accepts every deserialized output type it reads, and shows each domain''s verdict' {
        if (Skip-WithoutBed) { return }
        $reportTypes = 'MailTlsDomainSummary', 'MailTlsResult', 'MailTlsPolicy', 'CipherScanSummary', 'CipherSuiteResult',
            'RevocationEndpointResult', 'MailTlsHop', 'MailTlsPathSummary'
        $given = @($reportTypes | Where-Object { $Deserialized.Contains($_) })
        $given.Count | Should -BeGreaterOrEqual 6
        $path = Join-Path $TestDrive 'deserialized.html'
        $given | ForEach-Object { $Deserialized[$_] } | ConvertTo-MailTlsReport -Path $path -ErrorVariable reportErrors
        $reportErrors | Should -BeNullOrEmpty
        $html = Get-Content -Path $path -Raw
        foreach ($s in $LiveByType['MailTlsDomainSummary']) {
            $html | Should -Match ('</span>{0}</td><td class="domain"><a href="#d-\d+">{1}</a>' -f $s.Verdict, [regex]::Escape($s.Domain))
        }
        $html | Should -Not -BeLikeExactly '*carries no per-address results*'
    }
}
