using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.MailTls;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Routing;

namespace TlsTools.Commands;

/// <summary>Tests, for every MX host and address of a domain, whether mail to it travels over TLS and how well.</summary>
[Cmdlet(VerbsDiagnostic.Test, "MailTls", DefaultParameterSetName = DomainSet)]
[OutputType(typeof(MailTlsResult), typeof(MailTlsDomainSummary))]
public sealed class TestMailTlsCommand : ConcurrentTargetCmdlet<TestMailTlsCommand.Job>
{
    private const string DomainSet = "Domain";
    private const string HostSet = "ComputerName";

    private MailTlsOptions? _options;

    /// <summary>The mail domains whose MX hosts are tested.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DomainSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Domain", "RecipientDomains", "AddressSpaces")]
    [ValidateNotNullOrEmpty]
    public string[] DomainName { get; set; } = Array.Empty<string>();

    /// <summary>Hosts tested directly, such as smart hosts: a name, an address, or host:port.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HostSet, ValueFromPipelineByPropertyName = true)]
    [Alias("SmartHosts", "Fqdn", "HostName")]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    /// <summary>The DNS server for MX and address look-ups: ip or ip:port.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DnsServer { get; set; }

    /// <summary>The port; 25 for STARTTLS, 465 for implicit TLS unless given.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>StartTls (plain SMTP, then STARTTLS) or Implicit (TLS on connect, port 465).</summary>
    [Parameter]
    public MailTlsMode TlsMode { get; set; } = MailTlsMode.StartTls;

    /// <summary>The name sent with EHLO; the machine's fully qualified name by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HeloName { get; set; }

    /// <summary>Which addresses of each host to test.</summary>
    [Parameter]
    public AddressFamilyFilter AddressFamily { get; set; } = AddressFamilyFilter.Any;

    /// <summary>Trust anchors to validate against, as certificates or PEM/DER file paths.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public CertificateSource[]? TrustedRootCertificate { get; set; }

    /// <summary>Validate only against -TrustedRootCertificate, not the system trust store.</summary>
    [Parameter]
    public SwitchParameter IgnoreSystemTrustStore { get; set; }

    /// <summary>Adds the SMTP dialog to each result.</summary>
    [Parameter]
    public SwitchParameter IncludeTranscript { get; set; }

    /// <summary>Emits one summary per domain instead of one result per address.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    protected override string ProgressActivity => "Test-MailTls";

    protected override bool ThrottleEachTarget => false;

    /// <summary>One input: a domain, or a host tested directly.</summary>
    public sealed class Job
    {
        public string? Domain { get; init; }
        public HostEndpoint? Host { get; init; }
        public string Label => Domain ?? Host!.ToString();
    }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (DnsServer is not null)
        {
            try
            {
                DnsClientResolver.ParseServer(DnsServer);
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "InvalidDnsServer", ErrorCategory.InvalidArgument, DnsServer));
            }
        }
        if (IgnoreSystemTrustStore && TrustedRootCertificate is null)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-IgnoreSystemTrustStore needs -TrustedRootCertificate."),
                "TrustAnchorsMissing", ErrorCategory.InvalidArgument, null));
        }
        int port = Port;
        if (TlsMode == MailTlsMode.Implicit && !MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
        {
            port = 465;
        }
        _options = new MailTlsOptions
        {
            DnsServer = DnsServer,
            Port = port,
            TlsMode = TlsMode,
            TimeoutSeconds = TimeoutSeconds,
            HeloName = HeloName ?? LocalHost.FullyQualifiedName(),
            TrustedRootCertificates = CertificateSource.LoadAll(this, TrustedRootCertificate),
            UseSystemTrustStore = !IgnoreSystemTrustStore,
            IncludeTranscript = IncludeTranscript,
            AddressFamily = AddressFamily,
        };
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == DomainSet)
        {
            foreach (string input in DomainName)
            {
                string? domain = MailDomainInput.Normalize(input, out string? reason);
                if (domain is null)
                {
                    WriteError(new ErrorRecord(new ArgumentException(reason), "InvalidDomainName", ErrorCategory.InvalidArgument, input));
                    continue;
                }
                Enqueue(new Job { Domain = domain });
            }
        }
        else
        {
            foreach (string input in ComputerName)
            {
                if (!HostEndpoint.TryParse(input, out HostEndpoint? host))
                {
                    WriteError(new ErrorRecord(new ArgumentException($"'{input}' is not a host name, an address, or host:port."),
                        "InvalidComputerName", ErrorCategory.InvalidArgument, input));
                    continue;
                }
                Enqueue(new Job { Host = host });
            }
        }
    }

    protected override void EndProcessing() => WaitForAll();

    protected override async Task ProcessTargetAsync(Job job, TargetOutput output, CancellationToken cancellationToken)
    {
        MailTlsOptions options = _options!;
        MailRoute route;
        try
        {
            route = job.Domain is not null
                ? await MailTlsTester.ResolveAsync(job.Domain, options, cancellationToken).ConfigureAwait(false)
                : await MailTlsTester.ResolveHostAsync(job.Host!, options, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsLookupException e)
        {
            output.Error(ProbeErrors.Dns(e, job.Label, DnsServer));
            if (Summary && job.Domain is not null)
            {
                output.Object(MailTlsSummarizer.DnsFailure(job.Domain, e.Message));
            }
            return;
        }
        catch (ProbeException e)
        {
            output.Error(ProbeErrors.Create(e, job.Label, false, TimeoutSeconds));
            return;
        }

        if (route.IsNullMx)
        {
            output.Verbose($"{route.Domain} publishes a null MX: it accepts no mail.");
            output.Object(Summary ? MailTlsSummarizer.Summarize(route, Array.Empty<MailTlsResult>()) : MailTlsResult.NullMx(route.Domain));
            return;
        }

        foreach (MailHost host in route.Hosts.Where(h => h.Addresses.Count == 0))
        {
            if (options.AddressFamily != AddressFamilyFilter.Any)
            {
                output.Verbose($"{host.Name} has no {options.AddressFamily} address; it is not tested.");
                continue;
            }
            var e = new DnsLookupException(host.Name, host.ResolutionError ?? "no addresses", false);
            output.Error(ProbeErrors.Dns(e, host.Name, DnsServer, "MxHostNotResolved"));
        }

        int port = job.Host?.Port ?? options.Port;
        IReadOnlyList<MailTlsTarget> targets = MailTlsTester.Targets(route, port);
        output.Planned(targets.Count);
        var results = new List<MailTlsResult>();
        var running = targets.Select(async t =>
        {
            MailTlsResult r = await RunThrottledAsync(ct => MailTlsTester.TestAddressAsync(t, options, ct), cancellationToken).ConfigureAwait(false);
            lock (results)
            {
                results.Add(r);
            }
            if (r.ErrorId is not null && MailTlsTester.UnreachedErrorIds.Contains(r.ErrorId))
            {
                output.Error(UnreachedError(r));
            }
            else if (!Summary)
            {
                output.Object(r);
            }
            output.Completed();
        });
        await Task.WhenAll(running).ConfigureAwait(false);

        if (Summary)
        {
            output.Object(MailTlsSummarizer.Summarize(route, results));
        }
    }

    private static ErrorRecord UnreachedError(MailTlsResult r)
    {
        string target = $"{r.MxHost} ({HostEndpoint.Format(r.IPAddress, r.Port)})";
        bool timeout = r.ErrorId == "ConnectTimeout";
        Exception e = timeout ? new TimeoutException(r.Error) : new ProbeException(ProbeFailureKind.ConnectFailed, r.Error ?? "Connection failed.");
        var record = new ErrorRecord(e, r.ErrorId, timeout ? ErrorCategory.OperationTimeout : ErrorCategory.ConnectionError, target);
        record.ErrorDetails = new ErrorDetails($"{target}: {r.Error}")
        {
            RecommendedAction = "Check that port " + r.Port + " of this address is reachable from here (firewalls often block outbound port 25).",
        };
        return record;
    }

    protected override ErrorRecord CreateErrorRecord(Job target, Exception exception, bool timedOut) =>
        ProbeErrors.Create(exception, target.Label, timedOut, TimeoutSeconds);
}
