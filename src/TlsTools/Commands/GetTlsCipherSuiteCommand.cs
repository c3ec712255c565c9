using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.CipherSuites;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Routing;

namespace TlsTools.Commands;

/// <summary>
/// Lists every protocol version and cipher suite a TLS server accepts, with crafted ClientHello
/// messages, independent of this machine's TLS stack.
/// </summary>
[Cmdlet(VerbsCommon.Get, "TlsCipherSuite", DefaultParameterSetName = HostSet)]
[OutputType(typeof(CipherSuiteResult), typeof(CipherScanSummary))]
public sealed class GetTlsCipherSuiteCommand : ConcurrentTargetCmdlet<GetTlsCipherSuiteCommand.Job>
{
    private const string HostSet = "ComputerName";
    private const string DomainSet = "Domain";

    private IMailDnsResolver? _resolver;
    private bool _startTlsGiven;

    /// <summary>The host to scan: a name, an address, or host:port.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = HostSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SmartHosts", "Fqdn", "HostName", "Address", "CN")]
    // One empty or blank item is an error of its own (InvalidComputerName/InvalidDomainName),
    // not a binding failure that ends the whole command.
    [AllowEmptyString]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    /// <summary>Mail domains: every address of every MX host is scanned.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Domain", "RecipientDomains", "AddressSpaces")]
    // One empty or blank item is an error of its own (InvalidComputerName/InvalidDomainName),
    // not a binding failure that ends the whole command.
    [AllowEmptyString]
    public string[] DomainName { get; set; } = Array.Empty<string>();

    /// <summary>The port; a port written as host:port wins.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>The protocol spoken before TLS; chosen from the port when not given (25 and 587: SMTP).</summary>
    [Parameter]
    public StartTlsProtocol StartTls { get; set; }

    /// <summary>The protocol versions to try; all of SSL 3.0 to TLS 1.3 by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public TlsProtocolVersion[]? Protocol { get; set; }

    /// <summary>The SNI name to send; by default the host name (no SNI for an address).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    /// <summary>The name to send in EHLO for SMTP STARTTLS.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HeloName { get; set; }

    /// <summary>The DNS server for MX and address look-ups: ip or ip:port.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DnsServer { get; set; }

    /// <summary>Which addresses of each host to scan.</summary>
    [Parameter]
    public AddressFamilyFilter AddressFamily { get; set; } = AddressFamilyFilter.Any;

    /// <summary>Emits one summary per address (protocols, order, weak suites, Exchange Online overlap) instead of one object per suite.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override string ProgressActivity => "Get-TlsCipherSuite";

    // A domain fans out into addresses: each address scan takes one throttle slot; every
    // connection of a scan has -TimeoutSeconds.
    protected override bool ThrottleEachTarget => false;

    /// <summary>One input: a domain, or a host given directly.</summary>
    public sealed class Job
    {
        public string? Domain { get; init; }
        public HostEndpoint? Host { get; init; }
        public string Label => Domain ?? Host!.ToString();
    }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _startTlsGiven = MyInvocation.BoundParameters.ContainsKey(nameof(StartTls));
        IPEndPoint? server = null;
        if (DnsServer is not null)
        {
            try
            {
                server = DnsClientResolver.ParseServer(DnsServer);
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidDnsServer", ErrorCategory.InvalidArgument, DnsServer));
            }
        }
        _resolver = new DnsClientResolver(server, TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, TimeoutSeconds))));
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == DomainSet)
        {
            foreach (string input in DomainName)
            {
                string? domain = MailTls.MailDomainInput.Normalize(input, out string? reason);
                if (domain is null)
                {
                    WriteError(InputErrors.InvalidDomainName(input, reason));
                    continue;
                }
                Enqueue(new Job { Domain = domain });
            }
            return;
        }
        foreach (string input in ComputerName)
        {
            if (!HostEndpoint.TryParse(input, out HostEndpoint? endpoint))
            {
                WriteError(InputErrors.InvalidComputerName(input));
                continue;
            }
            Enqueue(new Job { Host = endpoint });
        }
    }

    protected override void EndProcessing() => WaitForAll();

    protected override async Task ProcessTargetAsync(Job job, TargetOutput output, CancellationToken cancellationToken)
    {
        var targets = new List<(string Host, IPAddress Address, int Port)>();
        if (job.Domain is not null)
        {
            MailRoute route;
            try
            {
                route = await MailRoutePlanner.PlanAsync(job.Domain, _resolver!, AddressFamily, cancellationToken).ConfigureAwait(false);
            }
            catch (DnsLookupException e)
            {
                output.Error(ProbeErrors.Dns(e, job.Domain, DnsServer));
                return;
            }
            if (route.IsNullMx)
            {
                output.Verbose($"{route.Domain} publishes a null MX: it accepts no mail.");
                return;
            }
            foreach (MailHost host in route.Hosts)
            {
                if (host.Addresses.Count == 0 && AddressFamily == AddressFamilyFilter.Any)
                {
                    output.Error(ProbeErrors.Dns(new DnsLookupException(host.Name, host.ResolutionError ?? "no addresses", false), host.Name, DnsServer, "MxHostNotResolved"));
                }
                targets.AddRange(host.Addresses.Select(a => (host.Name, a, Port)));
            }
        }
        else
        {
            HostEndpoint host = job.Host!;
            IReadOnlyList<IPAddress> addresses;
            try
            {
                addresses = await HostAddresses.ResolveAsync(host, DnsServer is null ? null : _resolver, AddressFamily, cancellationToken).ConfigureAwait(false);
            }
            catch (DnsLookupException e)
            {
                output.Error(ProbeErrors.Dns(e, host.Host, DnsServer));
                return;
            }
            if (addresses.Count == 0)
            {
                output.Error(ProbeErrors.Create(new ProbeFailure(ProbeFailureKind.NameResolution, $"'{host.Host}' has no {AddressFamily} address."), host.ToString()));
                return;
            }
            targets.AddRange(addresses.Select(a => (host.Host, a, host.Port ?? Port)));
        }

        output.Planned(targets.Count);
        var options = new CipherScanOptions
        {
            Protocols = Protocol is { Length: > 0 } ? Protocol : new CipherScanOptions().Protocols,
            ConnectionTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
        };
        string? helo = HeloName ?? LocalHost.FullyQualifiedName();
        await Task.WhenAll(targets.Select(t => ScanOneAsync(job, t.Host, t.Address, t.Port, helo, options, output, cancellationToken))).ConfigureAwait(false);
    }

    private async Task ScanOneAsync(Job job, string host, IPAddress address, int port, string? helo, CipherScanOptions options, TargetOutput output, CancellationToken cancellationToken)
    {
        var target = new ProbeTarget
        {
            HostName = host,
            Address = address,
            Port = port,
            StartTls = _startTlsGiven ? StartTls : job.Domain is not null ? StartTlsProtocol.Smtp : PortDefaults.StartTlsForPort(port),
            ServerName = ServerName,
            HeloName = helo,
        };
        string label = target.ToString();
        try
        {
            output.Verbose($"Scanning {label} (STARTTLS: {target.StartTls}; {string.Join(", ", options.Protocols)}).");
            CipherScanFacts facts = await RunThrottledAsync(ct => CipherSuiteScanner.ScanAsync(target, options, ct), cancellationToken).ConfigureAwait(false);
            if (facts.Failure is { } failure)
            {
                output.Error(ProbeErrors.Create(failure, label));
                return;
            }
            CipherScanSummary summary = CipherScanJudgement.Summarize(facts, job.Domain);
            foreach (TlsProtocolSupport p in summary.Protocols.Where(p => p.Inconclusive is not null))
            {
                output.Warning($"{label}: {p.Protocol} is inconclusive: {p.Inconclusive}");
            }
            output.Verbose($"{label}: {summary.Suites.Count} suites accepted ({string.Join(", ", summary.SupportedProtocols)}) in {summary.Connections} connections, {summary.Elapsed.TotalMilliseconds:0} ms.");
            if (Summary)
            {
                output.Object(summary);
            }
            else
            {
                foreach (CipherSuiteResult suite in summary.Suites)
                {
                    output.Object(suite);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.Error(ProbeErrors.Create(e, label, false, TimeoutSeconds));
        }
        finally
        {
            output.Completed();
        }
    }

    protected override ErrorRecord CreateErrorRecord(Job target, Exception exception, bool timedOut) =>
        ProbeErrors.Create(exception, target.Label, timedOut, TimeoutSeconds);
}
