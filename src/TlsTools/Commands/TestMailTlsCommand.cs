using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Concurrency;
using TlsTools.MailTls;
using TlsTools.Net;
using TlsTools.Routing;

namespace TlsTools.Commands;

/// <summary>Tests, for every MX host and address of a domain, whether mail to it travels over TLS and how well.</summary>
[Cmdlet(VerbsDiagnostic.Test, "MailTls", DefaultParameterSetName = DomainSet)]
[OutputType(typeof(MailTlsResult), typeof(MailTlsDomainSummary))]
public sealed class TestMailTlsCommand : ConcurrentTargetCmdlet<TestMailTlsCommand.Job>
{
    private const string DomainSet = "Domain";
    private const string HostSet = "ComputerName";

    private MailTlsOrchestrator? _orchestrator;

    /// <summary>The mail domains whose MX hosts are tested.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DomainSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Domain", "RecipientDomains", "AddressSpaces")]
    // One empty or blank item is an error of its own (InvalidComputerName/InvalidDomainName),
    // not a binding failure that ends the whole command.
    [AllowEmptyString]
    public string[] DomainName { get; set; } = Array.Empty<string>();

    /// <summary>Hosts tested directly, such as smart hosts: a name, an address, or host:port.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HostSet, ValueFromPipelineByPropertyName = true)]
    [Alias("SmartHosts", "Fqdn", "HostName")]
    // One empty or blank item is an error of its own (InvalidComputerName/InvalidDomainName),
    // not a binding failure that ends the whole command.
    [AllowEmptyString]
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

    /// <summary>Adds the domain's MTA-STS and DANE facts to each result: MtaStsMode, MtaStsMxMatch, DaneTlsaPresent, DaneAuthenticated, DaneMatch.</summary>
    [Parameter]
    public SwitchParameter IncludePolicy { get; set; }

    /// <summary>Adds a full protocol and cipher suite scan of each address (Get-TlsCipherSuite) to its result.</summary>
    [Parameter]
    public SwitchParameter IncludeProtocolScan { get; set; }

    /// <summary>Emits one summary per domain instead of one result per address; reads the domain's MTA-STS and DANE policy for its DefaultDelivery.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Leaves out the CRL/OCSP check of each validated chain (RevocationStatus NotChecked).</summary>
    [Parameter]
    public SwitchParameter SkipRevocationCheck { get; set; }

    /// <summary>The HTTP proxy for the revocation checks; by default the WinHTTP proxy on Windows (netsh winhttp), direct elsewhere.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? RevocationProxy { get; set; }

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
        if (RevocationProxy is not null && (!RevocationProxy.IsAbsoluteUri || RevocationProxy.Scheme != Uri.UriSchemeHttp))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{RevocationProxy}' is not an http:// proxy URL."),
                "InvalidProxy", ErrorCategory.InvalidArgument, RevocationProxy) { ErrorDetails = new ErrorDetails($"'{RevocationProxy}' is not an http:// proxy URL, like http://proxy.contoso.com:8080.") });
        }
        Revocation.ProxyRoute revocationRoute = Revocation.ProxyRoute.Default(RevocationProxy, false, out string? proxyProblem);
        if (proxyProblem is not null)
        {
            WriteWarning(proxyProblem);
        }
        int port = Port;
        if (TlsMode == MailTlsMode.Implicit && !MyInvocation.BoundParameters.ContainsKey(nameof(Port)))
        {
            port = 465;
        }
        var options = new MailTlsOptions
        {
            DnsServer = DnsServer,
            Port = port,
            TlsMode = TlsMode,
            TimeoutSeconds = TimeoutSeconds,
            HeloName = HeloName ?? LocalHost.FullyQualifiedName(),
            TrustedRootCertificates = CertificateSource.LoadAll(this, TrustedRootCertificate),
            UseSystemTrustStore = !IgnoreSystemTrustStore,
            IncludeTranscript = IncludeTranscript,
            IncludePolicy = IncludePolicy,
            // -Summary always reads the policy: its DefaultDelivery depends on it.
            ReadPolicy = Summary,
            IncludeProtocolScan = IncludeProtocolScan,
            AddressFamily = AddressFamily,
            SkipRevocationCheck = SkipRevocationCheck,
            RevocationRoute = revocationRoute,
        };
        _orchestrator = new MailTlsOrchestrator(options, new WorkThrottle(ThrottleLimit));
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
                    WriteError(InputErrors.InvalidDomainName(input, reason));
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
                    WriteError(InputErrors.InvalidComputerName(input));
                    continue;
                }
                Enqueue(new Job { Host = host });
            }
        }
    }

    protected override void EndProcessing() => WaitForAll();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _orchestrator?.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async Task ProcessTargetAsync(Job job, TargetOutput output, CancellationToken cancellationToken)
    {
        var progress = new Progress(output, Summary, DnsServer, _orchestrator!.Options.AddressFamily);
        MailTlsOutcome outcome = job.Domain is not null
            ? await _orchestrator.TestDomainAsync(job.Domain, progress, cancellationToken).ConfigureAwait(false)
            : await _orchestrator.TestHostAsync(job.Host!, progress, cancellationToken).ConfigureAwait(false);

        if (outcome.DnsFailure is { } dns)
        {
            output.Error(ProbeErrors.Dns(dns, job.Label, DnsServer));
            if (Summary && outcome.IsDomain)
            {
                output.Object(outcome.Summarize());
            }
            return;
        }
        if (outcome.ResolveFailure is { } unresolved)
        {
            output.Error(ProbeErrors.Create(unresolved, job.Label));
            return;
        }
        if (outcome.Route!.IsNullMx)
        {
            output.Verbose($"{outcome.Route.Domain} publishes a null MX: it accepts no mail.");
            output.Object(Summary ? outcome.Summarize() : MailTlsResult.NullMx(outcome.Route.Domain));
            return;
        }
        if (Summary)
        {
            output.Object(outcome.Summarize());
        }
    }

    /// <summary>Writes each address's result (or its error) as it finishes, and counts progress in addresses.</summary>
    private sealed class Progress : IMailTlsProgress
    {
        private readonly TargetOutput _output;
        private readonly bool _summary;
        private readonly string? _dnsServer;
        private readonly AddressFamilyFilter _family;

        public Progress(TargetOutput output, bool summary, string? dnsServer, AddressFamilyFilter family)
        {
            _output = output;
            _summary = summary;
            _dnsServer = dnsServer;
            _family = family;
        }

        public void AddressesPlanned(int count) => _output.Planned(count);

        public void AddressTested(MailTlsResult result, ProbeFailure? failure)
        {
            if (failure is not null && ProbeFailureKinds.IsUnreached(failure.Kind))
            {
                _output.Error(ProbeErrors.Create(failure, $"{result.MxHost} ({HostEndpoint.Format(result.IPAddress, result.Port)})"));
            }
            else if (!_summary)
            {
                _output.Object(result);
            }
            _output.Completed();
        }

        public void HostNotResolved(MailHost host)
        {
            if (_family != AddressFamilyFilter.Any)
            {
                _output.Verbose($"{host.Name} has no {_family} address; it is not tested.");
                return;
            }
            var e = new DnsLookupException(host.Name, host.ResolutionError ?? "no addresses", false);
            _output.Error(ProbeErrors.Dns(e, host.Name, _dnsServer, "MxHostNotResolved"));
        }
    }

    protected override ErrorRecord CreateErrorRecord(Job target, Exception exception, bool timedOut) =>
        ProbeErrors.Create(exception, target.Label, timedOut, TimeoutSeconds);
}
