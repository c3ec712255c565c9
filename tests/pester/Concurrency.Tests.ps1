# Concurrency at scale: one deadline per domain's DNS stage, a bounded number of inputs and DNS
# queries in flight however many names are piped in, and a prompt stop. The DNS servers here are
# stubs on 127.0.0.1 started by the test: one never answers, one answers NXDOMAIN after a delay
# and counts the queries it holds unanswered at once (the client's real query concurrency).

BeforeAll {
    . $PSScriptRoot/common.ps1

    if (-not ('TlsToolsTests.DnsStub' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TlsToolsTests
{
    /// <summary>
    /// UDP DNS stub on 127.0.0.1: answers NXDOMAIN after a delay, or never (silent). Counts the
    /// queries seen and the most held unanswered at once.
    /// </summary>
    public sealed class DnsStub : IDisposable
    {
        private readonly UdpClient _socket;
        private readonly int _delayMs;
        private readonly bool _silent;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _received, _outstanding, _peak;

        public DnsStub(int delayMs, bool silent)
        {
            _delayMs = delayMs;
            _silent = silent;
            _socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_socket.Client.LocalEndPoint).Port;
            Task.Run(ServeAsync);
        }

        public int Port { get; private set; }
        public string Server { get { return "127.0.0.1:" + Port; } }
        public int Received { get { return Volatile.Read(ref _received); } }
        public int Peak { get { return Volatile.Read(ref _peak); } }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                UdpReceiveResult request;
                try { request = await _socket.ReceiveAsync(_stop.Token); }
                catch (Exception) { if (_stop.IsCancellationRequested) return; continue; }
                Interlocked.Increment(ref _received);
                if (_silent) continue;
                int now = Interlocked.Increment(ref _outstanding);
                int seen;
                while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
                var ignored = AnswerAsync(request);
            }
        }

        private async Task AnswerAsync(UdpReceiveResult request)
        {
            try
            {
                await Task.Delay(_delayMs, _stop.Token);
            }
            catch (Exception) { return; }
            finally { Interlocked.Decrement(ref _outstanding); }
            // Counted as answered before the answer leaves, so the client cannot have seen it yet.
            byte[] reply = NxDomain(request.Buffer);
            try { if (reply != null) await _socket.SendAsync(reply, reply.Length, request.RemoteEndPoint); }
            catch (Exception) { }
        }

        private static byte[] NxDomain(byte[] query)
        {
            if (query.Length < 12) return null;
            int end = 12;
            while (end < query.Length && query[end] != 0) end += query[end] + 1;
            end += 5;
            if (end > query.Length) return null;
            byte[] reply = new byte[end];
            Array.Copy(query, reply, end);
            reply[2] = (byte)(0x80 | (query[2] & 0x01));
            reply[3] = 0x03;
            reply[4] = 0; reply[5] = 1;
            for (int i = 6; i < 12; i++) reply[i] = 0;
            return reply;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
        }
    }

    /// <summary>Counts task exceptions nobody observed, in this process, from Start on.</summary>
    public static class UnobservedTasks
    {
        private static int _count;
        private static int _started;

        public static int Count { get { return Volatile.Read(ref _count); } }

        public static void Start()
        {
            if (Interlocked.Exchange(ref _started, 1) == 0)
            {
                TaskScheduler.UnobservedTaskException += (sender, e) => Interlocked.Increment(ref _count);
            }
        }
    }
}
'@
    }
}

Describe 'Test-MailTls DNS stage deadline' {
    It 'gives DnsLookupFailed within -TimeoutSeconds when the DNS server never answers' {
        $stub = [TlsToolsTests.DnsStub]::new(0, $true)
        try {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $r = Test-MailTls -DomainName silent.example -DnsServer $stub.Server -TimeoutSeconds 3 -ErrorAction SilentlyContinue -ErrorVariable err
            $elapsed = $watch.Elapsed.TotalSeconds
            $r | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'DnsLookupFailed,*'
            $err[0].TargetObject | Should -Be 'silent.example'
            $err[0].Exception.Message | Should -Match 'did not answer within 3 s'
            $elapsed | Should -BeLessThan 4
            $elapsed | Should -BeGreaterThan 2.5
            # DnsClient's attempts fit inside the deadline (two, not a retry of the whole timeout).
            $stub.Received | Should -BeLessOrEqual 2
        }
        finally { $stub.Dispose() }
    }

    It 'gives every one of several silent domains its outcome within the same deadline' {
        $stub = [TlsToolsTests.DnsStub]::new(0, $true)
        try {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $names = 1..6 | ForEach-Object { "silent$_.example" }
            $null = $names | Test-MailTls -DnsServer $stub.Server -TimeoutSeconds 2 -ThrottleLimit 8 -ErrorAction SilentlyContinue -ErrorVariable err
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 3
            $err.Count | Should -Be 6
            ($err.TargetObject | Sort-Object -Unique).Count | Should -Be 6
        }
        finally { $stub.Dispose() }
    }
}

Describe 'Test-MailTls with many piped domains' {
    It 'gives exactly one outcome per domain with DNS queries in flight bounded' {
        $stub = [TlsToolsTests.DnsStub]::new(10, $false)
        try {
            $throttle = 8
            $names = 1..10000 | ForEach-Object { "d$_.example" }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $results = @($names | Test-MailTls -DnsServer $stub.Server -ThrottleLimit $throttle -TimeoutSeconds 10 -ErrorAction SilentlyContinue -ErrorVariable err)
            $elapsed = $watch.Elapsed.TotalSeconds
            Write-Host ("10000 domains: {0:0.0} s, {1} queries, at most {2} unanswered at once (timing on a shared machine is noisy)" -f $elapsed, $stub.Received, $stub.Peak)
            $results.Count | Should -Be 0
            $err.Count | Should -Be 10000
            @($err | Where-Object { $_.FullyQualifiedErrorId -notlike 'DomainNotFound,*' }).Count | Should -Be 0
            ($err.TargetObject | Sort-Object -Unique).Count | Should -Be 10000
            # One MX query per domain; a window of 2 x ThrottleLimit domains at a time.
            $stub.Received | Should -BeGreaterOrEqual 10000
            $stub.Peak | Should -BeLessOrEqual (2 * $throttle)
            $stub.Peak | Should -BeGreaterThan 1
        }
        finally { $stub.Dispose() }
    }

    It 'answers a bed domain piped two thousand times, once each, through the bed DNS' {
        $bed = Get-TestBed
        if ($null -eq $bed) { Set-ItResult -Skipped -Because (Get-TestBedSkipReason); return }
        $names = 1..2000 | ForEach-Object { 'nullmx.bed.test' }
        $results = @($names | Test-MailTls -DnsServer (Get-BedDnsServer $bed) -ThrottleLimit 8 -TimeoutSeconds 10 -ErrorAction SilentlyContinue -ErrorVariable err)
        $err.Count | Should -Be 0
        $results.Count | Should -Be 2000
        @($results | Where-Object { $_.Domain -ne 'nullmx.bed.test' -or $_.MxHost -ne '.' }).Count | Should -Be 0
    }

    It 'stops within two seconds on Ctrl+C and sends no more queries' {
        $stub = [TlsToolsTests.DnsStub]::new(300, $false)
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Join-Path $script:ModulePath 'TlsTools.psd1')).AddStatement()
            $null = $ps.AddScript('param($server) 1..10000 | ForEach-Object { "d$_.example" } | Test-MailTls -DnsServer $server -ThrottleLimit 16 -TimeoutSeconds 30').AddArgument($stub.Server)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ($stub.Received -lt 100 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $async.IsCompleted | Should -BeFalse
            $stub.Received | Should -BeGreaterOrEqual 100
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopSeconds = $watch.Elapsed.TotalSeconds
            $atStop = $stub.Received
            Start-Sleep -Milliseconds 700
            Write-Host ("Ctrl+C after {0} queries: stopped in {1:0.00} s" -f $atStop, $stopSeconds)
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $stopSeconds | Should -BeLessThan 2
            $stub.Received | Should -Be $atStop
            $stub.Received | Should -BeLessThan 10000
        }
        finally {
            $ps.Dispose()
            $stub.Dispose()
        }
    }

    It 'ends at once on a terminating error, dropping late output without unobserved task exceptions' {
        [TlsToolsTests.UnobservedTasks]::Start()
        $stub = [TlsToolsTests.DnsStub]::new(200, $false)
        try {
            $before = [TlsToolsTests.UnobservedTasks]::Count
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            { 1..2000 | ForEach-Object { "d$_.example" } | Test-MailTls -DnsServer $stub.Server -ThrottleLimit 16 -TimeoutSeconds 10 -ErrorAction Stop } |
                Should -Throw -ErrorId 'DomainNotFound,TlsTools.Commands.TestMailTlsCommand'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 3
            # The other domains in flight were cancelled with the pipeline: no more queries.
            $atEnd = $stub.Received
            Start-Sleep -Milliseconds 700
            $stub.Received | Should -Be $atEnd
            $stub.Received | Should -BeLessThan 100
            foreach ($i in 1..2) {
                [GC]::Collect()
                [GC]::WaitForPendingFinalizers()
            }
            [TlsToolsTests.UnobservedTasks]::Count | Should -Be $before
        }
        finally { $stub.Dispose() }
    }
}
