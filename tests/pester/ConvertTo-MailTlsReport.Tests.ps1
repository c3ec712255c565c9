# ConvertTo-MailTlsReport end to end: real cmdlets against the loopback test bed (Test-MailTls,
# Get-MailTlsPolicy, Get-TlsCipherSuite, Test-CrlReachability, Get-MailTlsPath on messages the bed
# delivered) feed one report, which headless Chromium renders: the tests assert on the page's DOM
# and keep a screenshot under the test results folder (TLSTOOLS_TEST_RESULTS). Chromium runs with a
# throwaway profile and no network: every name resolves to nothing and every request goes to a
# closed loopback port. Also: deserialized and JSON round-tripped input, 5,000 rows, errors.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Bed = Get-TestBed
    $script:NoBed = $null -eq $script:Bed
    $script:Chromium = Get-Command chromium, chromium-browser -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $script:Swaks = Get-Command swaks -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $script:Results = if ($env:TLSTOOLS_TEST_RESULTS) { $env:TLSTOOLS_TEST_RESULTS } else { Join-Path $TestDrive 'results' }
    $null = New-Item -ItemType Directory -Force $script:Results

    function Skip-WithoutChromium {
        if (-not $script:Chromium) { Set-ItResult -Skipped -Because 'chromium is not installed (tests/bed/install-deps.sh installs it)'; return $true }
        $false
    }

    function Invoke-Chromium {
        <#
        Renders a local HTML file in headless Chromium with a fresh profile and no network, and
        returns its DOM after load (-Screenshot: also writes a PNG of the page).
        #>
        param([string] $Html, [string] $Screenshot, [string] $WindowSize = '1400,2000')
        $profileDir = Join-Path $TestDrive ('chromium-' + [guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Force $profileDir
        $common = @('--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
            "--user-data-dir=$profileDir", "--crash-dumps-dir=$profileDir", '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--disable-extensions', '--disable-default-apps',
            '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=http://127.0.0.1:9', '--proxy-bypass-list=<-loopback>',
            "--window-size=$WindowSize", '--hide-scrollbars')
        $url = [System.Uri]::new((Resolve-Path $Html).Path).AbsoluteUri
        $saved = $env:HOME
        try {
            # Anything Chromium writes outside its profile goes to the throwaway folder too.
            $env:HOME = $profileDir
            if ($Screenshot) {
                $null = & timeout 120 $script:Chromium.Source @common "--screenshot=$Screenshot" $url 2>&1
            }
            $dom = & timeout 180 $script:Chromium.Source @common "--dump-dom" $url 2>$null
            if ($LASTEXITCODE -ne 0) { throw "chromium --dump-dom exited with $LASTEXITCODE" }
        }
        finally {
            $env:HOME = $saved
            Remove-Item $profileDir -Recurse -Force -ErrorAction SilentlyContinue
        }
        $dom -join "`n"
    }

    function ConvertTo-PageText {
        <# The text of a piece of DOM: tags removed, entities decoded, white space collapsed. #>
        param([string] $Dom)
        $text = $Dom -replace '<style[\s\S]*?</style>', ' ' -replace '<[^>]+>', ' '
        ([System.Net.WebUtility]::HtmlDecode($text) -replace '\s+', ' ').Trim()
    }

    function Get-OverviewRow {
        <# The cells (as text) of the overview row of one domain. #>
        param([string] $Dom, [string] $Domain)
        $section = [regex]::Match($Dom, '<section id="domains">[\s\S]*?</section>').Value
        $label = [System.Net.WebUtility]::HtmlEncode($Domain)
        $row = [regex]::Matches($section, '<tr class="[a-z]+">[\s\S]*?</tr>') | Where-Object { $_.Value -match ">$([regex]::Escape($label))</a>" } | Select-Object -First 1
        if (-not $row) { return $null }
        @([regex]::Matches($row.Value, '<td[^>]*>([\s\S]*?)</td>') | ForEach-Object { ConvertTo-PageText $_.Groups[1].Value })
    }

}

Describe 'ConvertTo-MailTlsReport on the test bed, rendered in Chromium' {
    BeforeAll {
        if ($NoBed) { return }
        $strict = Get-BedStrictTarget $Bed
        $script:SummaryDomains = @('good.bed.test', 'wrongname.bed.test', 'revoked.bed.test', 'legacy.bed.test', 'splitmx.bed.test', 'nullmx.bed.test')
        $script:Summaries = @($SummaryDomains | Test-MailTls -Summary @strict)
        # A domain given as per-address results only: the report judges it from them.
        $script:Direct = @(Test-MailTls -DomainName selfsigned.bed.test @strict)
        $script:Policy = Get-MailTlsPolicy -DomainName good.bed.test -DnsServer ('{0}:{1}' -f $Bed.resolver.address, $Bed.resolver.port) -Port $Bed.smtpPort -TrustedRootCertificate $Bed.ca.rootCert -TimeoutSeconds 10
        $script:Scan = @(Get-TlsCipherSuite -DomainName legacy.bed.test -DnsServer (Get-BedDnsServer $Bed) -Port $Bed.smtpPort -Summary -TimeoutSeconds 10)
        $script:Suites = @(Get-TlsCipherSuite 127.0.0.1 -Port $Bed.smtp.good.loopbackPort -StartTls Smtp -TimeoutSeconds 10)
        $script:Endpoints = @(Test-CrlReachability -Path $Bed.pki.good.leafCert -TimeoutSeconds 10)
        $script:Messages = @()
        $script:Hops = @()
        if ($Swaks -and $Bed.PSObject.Properties['path']) {
            $zone = $Bed.path.zone
            $files = @(
                Send-BedMessage -Bed $script:Bed -Swaks $script:Swaks -Name tls -Domain "tls.$zone" -Tls
                Send-BedMessage -Bed $script:Bed -Swaks $script:Swaks -Name clear -Domain "plain.$zone"
            )
            $script:Messages = @($files | Get-MailTlsPath -Summary)
            $script:Hops = @($files | Get-MailTlsPath)
        }
        $script:Report = Join-Path $Results 'mail-tls-report.html'
        $script:Screenshot = Join-Path $Results 'mail-tls-report.png'
        $all = @($Summaries; $Direct; $Policy; $Scan; $Suites; $Endpoints; $Messages; $Hops)
        $script:File = $all | ConvertTo-MailTlsReport -Path $Report -Title 'Bed partners <TLS>' -PassThru
        $script:Dom = if ($Chromium) { Invoke-Chromium -Html $Report -Screenshot $Screenshot } else { '' }
        $script:Text = ConvertTo-PageText $Dom
    }

    It 'writes one HTML file and returns it with -PassThru' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $File | Should -BeOfType ([System.IO.FileInfo])
        $File.FullName | Should -Be $Report
        $File.Length | Should -BeGreaterThan 10KB
        (Get-Content $Report -Raw) | Should -Match '^<!DOCTYPE html>'
    }

    It 'shows per domain the verdict and its reasons, ExchangeTlsLevel, DefaultDelivery, TlsDomainCandidates, protocols and soonest expiry' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        $Summaries.Count | Should -Be $SummaryDomains.Count
        foreach ($s in $Summaries) {
            $cells = Get-OverviewRow -Dom $Dom -Domain $s.Domain
            $cells | Should -Not -BeNullOrEmpty -Because "$($s.Domain) has a row"
            $cells[0] | Should -Match "\b$($s.Verdict)$"
            foreach ($reason in $s.Reasons) { $cells[2] | Should -BeLikeExactly "*$reason*" }
            if (-not $s.Reasons) { $cells[2] | Should -Be 'none' }
            $cells[3] | Should -Be "$($s.LowestExchangeTlsLevel)"
            $cells[4] | Should -Be "$($s.DefaultDelivery)"
            $cells[5] | Should -Be ($(if ($s.TlsDomainCandidates.Count) { $s.TlsDomainCandidates -join ', ' } else { '-' }))
            $protocols = @($s.Results.Protocol | Where-Object { $_ } | Sort-Object -Unique)
            foreach ($p in $protocols) { $cells[6] | Should -Match "\b$p\b" }
            if ($s.SoonestExpiry) { $cells[7] | Should -BeLike ('{0:yyyy-MM-dd} (*' -f $s.SoonestExpiry.ToUniversalTime()) } else { $cells[7] | Should -Be '-' }
        }
        # Worst first: the lights of the overview rows never get better going down.
        $section = [regex]::Match($Dom, '<section id="domains">[\s\S]*?</section>').Value
        $rank = @{ red = 0; amber = 1; green = 2; grey = 3 }
        $lights = @([regex]::Matches($section, '<tr class="([a-z]+)">') | ForEach-Object { $rank[$_.Groups[1].Value] })
        $lights | Should -Be ($lights | Sort-Object)
        $Text | Should -BeLikeExactly '*Bed partners <TLS>*'
    }

    It 'judges a domain given only as per-address results from those results' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        $Direct.Count | Should -BeGreaterThan 0
        $cells = Get-OverviewRow -Dom $Dom -Domain 'selfsigned.bed.test'
        $Direct[0].ChainValid | Should -BeFalse
        $cells[0] | Should -Match 'Warning|Fail'
        $cells[2] | Should -Match 'chain does not validate'
        $Text | Should -Match 'per-address results \(no -Summary given\)'
    }

    It 'draws the certificate expiry chart with one mark per certificate' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        $Dom | Should -Match '<svg class="chart"'
        $thumbprints = @(@($Summaries.Results; $Direct) | Where-Object CertificateNotAfter | ForEach-Object CertificateThumbprint | Sort-Object -Unique)
        $expired = @(@($Summaries.Results; $Direct) | Where-Object { $_.CertificateNotAfter -and $_.CertificateNotAfter.ToUniversalTime() -lt [datetime]::UtcNow } | ForEach-Object CertificateThumbprint | Sort-Object -Unique)
        $desc = [regex]::Match($Dom, '<desc id="chart-desc">([^<]*)</desc>').Groups[1].Value
        $desc | Should -BeLike "$($thumbprints.Count) certificates: $($expired.Count) expired*"
        $Text | Should -Match 'Soonest to expire'
    }

    It 'lists every address with its TLS facts' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        $details = ConvertTo-PageText ([regex]::Match($Dom, '<section id="details">[\s\S]*?</section>').Value)
        foreach ($r in @($Summaries.Results; $Direct) | Where-Object MxHost -ne '.') {
            $details | Should -BeLikeExactly "*$($r.IPAddress):$($r.Port)*"
            if ($r.CipherSuite) { $details | Should -BeLikeExactly "*$($r.CipherSuite)*" }
        }
        $details | Should -BeLikeExactly '*MTA-STS mode Enforce*'
        $details | Should -BeLikeExactly "*$($Policy.MtaStsRecord)*"
        $details | Should -Match ('legacy\.mx\.bed\.test {0}:{1} {2}' -f [regex]::Escape($Scan[0].IPAddress), $Scan[0].Port, ($Scan[0].SupportedProtocols -join ', '))
        $details | Should -BeLikeExactly '*Hosts tested directly*'
    }

    It 'has the CRL and OCSP endpoint table' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        $Endpoints.Count | Should -Be 3
        $section = ConvertTo-PageText ([regex]::Match($Dom, '<section id="revocation">[\s\S]*?</section>').Value)
        foreach ($e in $Endpoints) {
            $section | Should -BeLikeExactly "*$($e.Status) $($e.Kind) $($e.Uri)*"
        }
    }

    It 'has the message path of the messages the bed delivered' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        if (-not $Messages) { Set-ItResult -Skipped -Because 'the bed has no mail path or swaks is missing (tests/bed/install-deps.sh)'; return }
        $section = [regex]::Match($Dom, '<section id="path">[\s\S]*?</section>').Value
        $text = ConvertTo-PageText $section
        foreach ($m in $Messages) { $text | Should -BeLikeExactly "*$($m.Subject)*" }
        $hopRows = [regex]::Matches(([regex]::Match($section, '<table class="hops">[\s\S]*?</table>').Value), '<tr[ >]').Count - 1
        $hopRows | Should -Be $Hops.Count
        # The clear relay hop is red, the TLS ones are not.
        $clear = @($Hops | Where-Object Tls -EQ 'False')
        $clear.Count | Should -BeGreaterThan 0
        ([regex]::Matches($section, '<tr class="red"><td>[^<]*</td><td class="num">')).Count | Should -Be $clear.Count
        $text | Should -BeLikeExactly "*$($Hops[0].CipherSuite)*"
    }

    It 'keeps a screenshot of the page as a test artifact' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        $Screenshot | Should -Exist
        $bytes = [System.IO.File]::ReadAllBytes($Screenshot)
        $bytes.Length | Should -BeGreaterThan 10KB
        [System.BitConverter]::ToString($bytes, 0, 4) | Should -Be '89-50-4E-47'
    }

    It 'renders results that went through PowerShell''s serializer (Deserialized.TlsTools.*) the same way' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        if (Skip-WithoutChromium) { return }
        $xml = [System.Management.Automation.PSSerializer]::Serialize(@($Summaries; $Endpoints; $Messages), 4)
        $back = [System.Management.Automation.PSSerializer]::Deserialize($xml)
        $back[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.TlsTools.MailTlsDomainSummary'
        $path = Join-Path $Results 'mail-tls-report-deserialized.html'
        $back | ConvertTo-MailTlsReport -Path $path -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $dom = Invoke-Chromium -Html $path
        foreach ($s in $Summaries) {
            $cells = Get-OverviewRow -Dom $dom -Domain $s.Domain
            $cells[0] | Should -Match "\b$($s.Verdict)$"
            $cells[3] | Should -Be "$($s.LowestExchangeTlsLevel)"
            $cells[4] | Should -Be "$($s.DefaultDelivery)"
        }
        (ConvertTo-PageText $dom) | Should -BeLikeExactly "*$($Endpoints[0].Uri)*"
    }

    It 'renders results that went through ConvertTo-Json and back (enums as numbers, no type names)' {
        if ($NoBed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $back = $Summaries | ConvertTo-Json -Depth 5 | ConvertFrom-Json
        $path = Join-Path $TestDrive 'json.html'
        $back | ConvertTo-MailTlsReport -Path $path -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $html = Get-Content $path -Raw
        foreach ($s in $Summaries) {
            $html | Should -Match ('>{0}</a></td><td>' -f [regex]::Escape($s.Domain))
        }
        $worst = $Summaries | Where-Object Verdict -EQ 'Warning' | Select-Object -First 1
        $html | Should -Match ('<tr class="amber"><td class="verdict"><span class="light amber" aria-hidden="true">!</span>Warning</td><td class="domain"><a href="#d-\d+">{0}</a>' -f [regex]::Escape($worst.Domain))
    }
}

Describe 'ConvertTo-MailTlsReport input, output and errors' {
    It 'writes UnsupportedReportInput for each object it does not read, and the report from the rest' {
        $path = Join-Path $TestDrive 'mixed.html'
        $r = [TlsTools.MailTlsResult]@{ Domain = 'fabrikam.com'; MxHost = 'mx1.fabrikam.com'; IPAddress = '192.0.2.1'; Port = 25; TlsEstablished = $true; Protocol = 'Tls13'; ExchangeTlsLevel = 'EncryptionOnly' }
        $out = @((Get-Date), $r, 'text', 42 | ConvertTo-MailTlsReport -Path $path -ErrorVariable err -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 3
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'UnsupportedReportInput,TlsTools.Commands.ConvertToMailTlsReportCommand' }
        $err[0].CategoryInfo.Category | Should -Be 'InvalidType'
        $err[0].TargetObject | Should -BeOfType ([datetime])
        (Get-Content $path -Raw) | Should -Match '>fabrikam\.com</a>'
    }

    It 'refuses to overwrite with -NoClobber (FileExists) and leaves the file alone' {
        $path = Join-Path $TestDrive 'exists.html'
        Set-Content $path 'keep me'
        { [TlsTools.MailTlsResult]::new() | ConvertTo-MailTlsReport -Path $path -NoClobber -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists,TlsTools.Commands.ConvertToMailTlsReportCommand'
        (Get-Content $path -Raw).Trim() | Should -Be 'keep me'
        # Without -NoClobber it overwrites.
        [TlsTools.MailTlsResult]::new() | ConvertTo-MailTlsReport -Path $path
        (Get-Content $path -Raw) | Should -Match '^<!DOCTYPE html>'
    }

    It 'says PathNotWritable for a folder that does not exist' {
        $path = Join-Path $TestDrive 'no/such/folder/report.html'
        { [TlsTools.MailTlsResult]::new() | ConvertTo-MailTlsReport -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'PathNotWritable,TlsTools.Commands.ConvertToMailTlsReportCommand'
        $path | Should -Not -Exist
    }

    It 'writes a report without input and accepts a relative path' {
        Push-Location $TestDrive
        try {
            $file = @() | ConvertTo-MailTlsReport -Path 'empty.html' -PassThru
            $file.FullName | Should -Be (Join-Path $TestDrive 'empty.html')
            (Get-Content $file.FullName -Raw) | Should -Match 'No Test-MailTls, Get-MailTlsPolicy or Get-TlsCipherSuite output was given'
            # No input parameter at all: no prompt (the suite runs -NonInteractive, where a prompt is an error).
            ConvertTo-MailTlsReport -Path 'nothing.html' -ErrorAction Stop
            'nothing.html' | Should -Exist
        }
        finally { Pop-Location }
    }

    It 'reads an array given to -InputObject item by item' {
        $path = Join-Path $TestDrive 'array.html'
        $rows = 1..3 | ForEach-Object { [TlsTools.MailTlsResult]@{ Domain = "d$_.fabrikam.com"; MxHost = "mx.d$_.fabrikam.com"; IPAddress = "192.0.2.$_"; Port = 25 } }
        ConvertTo-MailTlsReport -Path $path -InputObject $rows -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $html = Get-Content $path -Raw
        1..3 | ForEach-Object { $html | Should -Match ">d$_\.fabrikam\.com</a>" }
    }

    It 'encodes hostile values so that the browser shows them as text' {
        if (Skip-WithoutChromium) { return }
        $path = Join-Path $TestDrive 'hostile.html'
        $evil = '<img src=x onerror="document.title=1"><script>document.title=2</script>'
        [TlsTools.MailTlsResult]@{ Domain = 'fabrikam.com'; MxHost = $evil; IPAddress = '192.0.2.1'; Port = 25; TlsEstablished = $false; Banner = $evil } |
            ConvertTo-MailTlsReport -Path $path -Title $evil
        $dom = Invoke-Chromium -Html $path
        $dom | Should -Not -Match '<img'
        $dom | Should -Not -Match '<script'
        (ConvertTo-PageText $dom) | Should -BeLikeExactly "*$evil*"
        [regex]::Match($dom, '<title>([^<]*)</title>').Groups[1].Value | Should -Be ([System.Net.WebUtility]::HtmlEncode($evil) -replace '&#39;', "'" -replace '&quot;', '"')
    }

    It 'renders 5,000 per-address results in the browser in reasonable time' {
        if (Skip-WithoutChromium) { return }
        $now = [datetime]::UtcNow
        $rows = foreach ($i in 0..4999) {
            $d = [int][math]::Floor($i / 10)
            [TlsTools.MailTlsResult]@{
                Domain = "d$d.fabrikam.com"; MxHost = "mx$($i % 10).d$d.fabrikam.com"; IPAddress = "10.0.$([math]::Floor($i / 250)).$($i % 250)"; Port = 25
                TlsEstablished = ($i % 50 -ne 0); Protocol = 'Tls13'; CipherSuite = 'TLS_AES_256_GCM_SHA384'; ChainValid = $true; NameMatches = $true
                ExchangeTlsLevel = 'DomainValidation'; CertificateThumbprint = ('{0:X40}' -f $i); CertificateNotAfter = $now.AddDays(($i % 800) - 20)
            }
        }
        $path = Join-Path $Results 'mail-tls-report-5000.html'
        $write = Measure-Command { $rows | ConvertTo-MailTlsReport -Path $path }
        $write.TotalSeconds | Should -BeLessThan 30
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $dom = Invoke-Chromium -Html $path
        $watch.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 120
        ([regex]::Matches($dom, '<article class="domain-detail"')).Count | Should -Be 500
        ([regex]::Matches($dom, '<td>10\.0\.\d+\.\d+:25</td>')).Count | Should -Be 5000
        [regex]::Match($dom, '<desc id="chart-desc">([^<]*)</desc>').Groups[1].Value | Should -BeLike '5000 certificates: *'
        Write-Host ("    5,000 rows: written in {0:0.0} s, rendered by Chromium in {1:0.0} s, {2:0.0} MB" -f $write.TotalSeconds, $watch.Elapsed.TotalSeconds, ((Get-Item $path).Length / 1MB))
    }
}
