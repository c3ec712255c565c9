using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Concurrency;
using TlsTools.Connectors;
using TlsTools.MailTls;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Routing;

namespace TlsTools.Commands;

/// <summary>Specifies the Exchange connectors (and settings) that force TLS with a partner, from its measured TLS posture.</summary>
[Cmdlet(VerbsCommon.New, "ForcedTlsConnectorSpec")]
[OutputType(typeof(ConnectorSpec), typeof(string), typeof(FileInfo))]
public sealed class NewForcedTlsConnectorSpecCommand : TlsCmdletBase
{
    private static readonly string[] ProbeOptions = { nameof(DnsServer), nameof(Port), nameof(TrustedRootCertificate), nameof(TimeoutSeconds) };

    private readonly List<string> _domains = new();
    private readonly List<MailTlsDomainSummary> _evidence = new();

    /// <summary>The partner's mail domains.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Domain", "DomainName")]
    [ValidateNotNullOrEmpty]
    public string[] PartnerDomain { get; set; } = Array.Empty<string>();

    /// <summary>Measurements of the partner's domains: Test-MailTls -Summary output.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public MailTlsDomainSummary[] InputObject { get; set; } = Array.Empty<MailTlsDomainSummary>();

    [Parameter]
    public ConnectorDirection Direction { get; set; } = ConnectorDirection.Both;

    [Parameter]
    public ConnectorPlatform Platform { get; set; } = ConnectorPlatform.ExchangeOnline;

    [Parameter]
    public ConnectorType ConnectorType { get; set; } = ConnectorType.Partner;

    [Parameter]
    public TlsAuthLevel TlsSettings { get; set; } = TlsAuthLevel.DomainValidation;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TlsDomain { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TlsSenderCertificateName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] SmartHost { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] SenderIPAddress { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter DomainSecure { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Your own on-premises Exchange servers' certificate.</summary>
    [Parameter]
    [ValidateNotNull]
    public X509Certificate2? TlsCertificate { get; set; }

    /// <summary>The existing receive connector that Exchange Online's mail arrives on (on-premises side of a hybrid).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReceiveConnector { get; set; }

    /// <summary>More parameters for the target cmdlets; $null removes one.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? AdditionalParameter { get; set; }

    /// <summary>Measures each partner domain (as Test-MailTls -Summary) before building.</summary>
    [Parameter]
    public SwitchParameter Probe { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DnsServer { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 25;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public CertificateSource[]? TrustedRootCertificate { get; set; }

    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>Emits a reviewable PowerShell script of the specifications instead of the objects.</summary>
    [Parameter]
    public SwitchParameter AsScript { get; set; }

    /// <summary>Writes the script to this file (implies -AsScript).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override void BeginProcessing()
    {
        bool probeOption = ProbeOptions.Any(MyInvocation.BoundParameters.ContainsKey);
        if (probeOption && !Probe)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-DnsServer, -Port, -TrustedRootCertificate and -TimeoutSeconds are for -Probe."),
                ConnectorRules.ParameterNotApplicable.Id, ErrorCategory.InvalidArgument, null));
        }
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
    }

    protected override void ProcessRecord()
    {
        foreach (string d in PartnerDomain)
        {
            if (!_domains.Contains(d, StringComparer.OrdinalIgnoreCase))
            {
                _domains.Add(d);
            }
        }
        foreach (MailTlsDomainSummary s in InputObject)
        {
            if (s is not null)
            {
                _evidence.Add(s);
            }
        }
        InputObject = Array.Empty<MailTlsDomainSummary>();
    }

    protected override void EndProcessing()
    {
        string source = _evidence.Count > 0 ? "Test-MailTls" : "-Probe";
        if (Probe)
        {
            ProbeDomains();
        }

        var request = new ConnectorSpecRequest
        {
            PartnerDomains = _domains,
            Direction = Direction,
            Platform = Platform,
            ConnectorType = ConnectorType,
            TlsSettings = TlsSettings,
            TlsDomain = TlsDomain,
            TlsSenderCertificateName = TlsSenderCertificateName,
            SmartHosts = SmartHost,
            SenderIPAddresses = SenderIPAddress,
            DomainSecure = DomainSecure,
            Name = Name,
            TlsCertificate = TlsCertificate,
            ReceiveConnector = ReceiveConnector,
            Evidence = _evidence,
            EvidenceSource = source,
            AdditionalParameters = AdditionalParameter is null ? null : Unwrap(AdditionalParameter),
            Now = DateTime.UtcNow,
        };
        ConnectorSpecResult result = ConnectorSpecBuilder.Build(request);
        if (!result.Succeeded)
        {
            ThrowRuleError(result.Errors);
        }

        foreach (ConnectorSpec spec in result.Specs)
        {
            foreach (string warning in spec.Warnings)
            {
                WriteWarning($"{spec.Cmdlet} '{spec.Name}': {warning}");
            }
        }

        if (!AsScript && Path is null)
        {
            foreach (ConnectorSpec spec in result.Specs)
            {
                WriteObject(spec);
            }
            return;
        }

        string script = ConnectorScript.Render(result.Specs, ModuleVersion(), request.Now);
        if (Path is null)
        {
            WriteObject(script);
            return;
        }
        string path = GetUnresolvedProviderPathFromPSPath(Path);
        try
        {
            // A byte order mark lets Windows PowerShell 5.1 read non-ASCII names as UTF-8.
            File.WriteAllText(path, script, new UTF8Encoding(true));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "PathNotWritable", ErrorCategory.WriteError, Path));
        }
        WriteObject(new FileInfo(path));
    }

    private void ThrowRuleError(IReadOnlyList<ConnectorFinding> errors)
    {
        ConnectorFinding first = errors[0];
        string message = first.Message;
        if (errors.Count > 1)
        {
            message += " Also: " + string.Join(" ", errors.Skip(1).Select(e => $"[{e.Rule.Id}] {e.Message}"));
        }
        var record = new ErrorRecord(new ArgumentException(message), first.Rule.Id, ErrorCategory.InvalidArgument, first.Target);
        record.ErrorDetails = new ErrorDetails(message)
        {
            RecommendedAction = $"Rule {first.Rule.Id} ({first.Rule.Source}): {first.Rule.Summary}",
        };
        ThrowTerminatingError(record);
    }

    private void ProbeDomains()
    {
        var options = new MailTlsOptions
        {
            DnsServer = DnsServer,
            Port = Port,
            TimeoutSeconds = TimeoutSeconds,
            HeloName = LocalHost.FullyQualifiedName(),
            TrustedRootCertificates = CertificateSource.LoadAll(this, TrustedRootCertificate),
            UseSystemTrustStore = true,
            // The partner's DANE and MTA-STS evidence chooses MtaStsMode and SmtpDaneMode.
            ReadPolicy = true,
        };
        var orchestrator = new MailTlsOrchestrator(options, new WorkThrottle(ProbeThrottleLimit));
        var measured = new HashSet<string>(_evidence.Select(e => e.Domain), StringComparer.OrdinalIgnoreCase);
        foreach (string input in _domains.ToList())
        {
            string? domain = MailDomainInput.Normalize(input, out string? reason);
            if (domain is null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(reason), ConnectorRules.InvalidDomainName.Id, ErrorCategory.InvalidArgument, input));
                return;
            }
            if (measured.Contains(domain))
            {
                WriteVerbose($"{domain} was measured already (piped in); -Probe does not test it again.");
                continue;
            }
            WriteVerbose($"Probing the mail servers of {domain} (port {Port}).");
            var progress = new ProbeProgress();
            MailTlsOutcome outcome = WaitWithProgress(orchestrator.TestDomainAsync(domain, progress, StopToken), progress, domain);
            if (outcome.DnsFailure is { } dns)
            {
                ThrowTerminatingError(ProbeErrors.Dns(dns, domain, DnsServer));
            }
            MailTlsDomainSummary summary = outcome.Summarize();
            WriteVerbose($"{domain}: {summary.AddressesTested} address(es) tested, lowest ExchangeTlsLevel {summary.LowestExchangeTlsLevel}, verdict {summary.Verdict}.");
            _evidence.Add(summary);
            measured.Add(domain);
        }
    }

    /// <summary>How many addresses -Probe tests at once.</summary>
    private const int ProbeThrottleLimit = 16;

    /// <summary>
    /// Waits for a domain's test on the pipeline thread, writing its progress (counted by the worker
    /// threads) as it goes, and turning Ctrl+C into a stopped pipeline.
    /// </summary>
    private T WaitWithProgress<T>(Task<T> work, ProbeProgress progress, string domain)
    {
        var record = new ProgressRecord(ProgressActivityId, "New-ForcedTlsConnectorSpec -Probe", $"Testing the mail servers of {domain}");
        try
        {
            while (!work.Wait(100, StopToken))
            {
                WriteProbeProgress(record, progress);
            }
            WriteProbeProgress(record, progress);
            return work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }
    }

    private const int ProgressActivityId = 7521;

    private void WriteProbeProgress(ProgressRecord record, ProbeProgress progress)
    {
        int planned = progress.Planned;
        int done = progress.Done;
        record.StatusDescription = $"{done} of {planned} addresses done";
        record.PercentComplete = planned == 0 ? 0 : Math.Min(100, done * 100 / planned);
        WriteProgress(record);
    }

    /// <summary>Counts a domain's addresses as the worker threads report them.</summary>
    private sealed class ProbeProgress : IMailTlsProgress
    {
        private int _planned;
        private int _done;

        public int Planned => Volatile.Read(ref _planned);
        public int Done => Volatile.Read(ref _done);

        public void AddressesPlanned(int count) => Interlocked.Add(ref _planned, count);

        public void AddressTested(MailTlsResult result, ProbeFailure? failure) => Interlocked.Increment(ref _done);

        public void HostNotResolved(MailHost host)
        {
        }
    }

    /// <summary>Strips PowerShell's wrappers from hashtable values, so the core sees bools, strings and arrays.</summary>
    private static Hashtable Unwrap(Hashtable table)
    {
        var copy = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry e in table)
        {
            copy[e.Key is PSObject pk ? pk.BaseObject : e.Key] = UnwrapValue(e.Value);
        }
        return copy;
    }

    private static object? UnwrapValue(object? value)
    {
        object? v = value is PSObject p ? p.BaseObject : value;
        return v switch
        {
            SwitchParameter s => s.IsPresent,
            Hashtable h => Unwrap(h),
            object[] a => a.Select(UnwrapValue).ToArray(),
            _ => v,
        };
    }

    private string ModuleVersion()
    {
        string? version = MyInvocation.MyCommand.Module?.Version?.ToString();
        if (!string.IsNullOrEmpty(version) && version != "0.0")
        {
            return version!;
        }
        string? info = typeof(ConnectorSpec).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return info?.Split('+')[0] ?? "0.0.0";
    }
}
