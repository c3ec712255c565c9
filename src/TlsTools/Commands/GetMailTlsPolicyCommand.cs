using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Concurrency;
using TlsTools.MailTls;
using TlsTools.Net;
using TlsTools.Policy;
using TlsTools.Routing;

namespace TlsTools.Commands;

/// <summary>
/// Reads a domain's MTA-STS, TLS-RPT and DANE policies and holds them against its MX hosts and
/// the certificate each MX address presents.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MailTlsPolicy")]
[OutputType(typeof(MailTlsPolicy))]
public sealed class GetMailTlsPolicyCommand : ConcurrentTargetCmdlet<string>
{
    private MailTlsPolicyInspector? _inspector;

    /// <summary>The mail domains whose policies are read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Domain", "RecipientDomains")]
    // One empty or blank item is an error of its own (InvalidComputerName/InvalidDomainName),
    // not a binding failure that ends the whole command.
    [AllowEmptyString]
    public string[] DomainName { get; set; } = Array.Empty<string>();

    /// <summary>The DNS server to ask: ip or ip:port. For DNSSEC facts it must be a validating resolver.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DnsServer { get; set; }

    /// <summary>Trust anchors for the policy host's certificate, as certificates or PEM/DER file paths (the system store counts too).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public CertificateSource[]? TrustedRootCertificate { get; set; }

    /// <summary>The SMTP port: TLSA records are read at _port._tcp and the MX addresses probed on it.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>Which addresses of each MX host to probe.</summary>
    [Parameter]
    public AddressFamilyFilter AddressFamily { get; set; } = AddressFamilyFilter.Any;

    /// <summary>The name sent with EHLO when MX hosts are probed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HeloName { get; set; }

    protected override string ProgressActivity => "Get-MailTlsPolicy";

    protected override bool ThrottleEachTarget => false;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
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
        X509Certificate2Collection? roots = CertificateSource.LoadAll(this, TrustedRootCertificate);
        var options = new MailTlsPolicyOptions
        {
            Port = Port,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            TrustedRootCertificates = roots?.Cast<X509Certificate2>().ToList(),
            UseSystemTrustStore = true,
            AddressFamily = AddressFamily,
            HeloName = HeloName ?? LocalHost.FullyQualifiedName(),
        };
        var dns = new PolicyDnsClient(server, TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, TimeoutSeconds))));
        _inspector = new MailTlsPolicyInspector(dns, options, new WorkThrottle(ThrottleLimit));
    }

    protected override void ProcessRecord()
    {
        foreach (string input in DomainName)
        {
            string? domain = MailDomainInput.Normalize(input, out string? reason);
            if (domain is null)
            {
                WriteError(InputErrors.InvalidDomainName(input, reason));
                continue;
            }
            Enqueue(domain);
        }
    }

    protected override void EndProcessing() => WaitForAll();

    protected override async Task ProcessTargetAsync(string domain, TargetOutput output, CancellationToken cancellationToken)
    {
        output.Planned(1);
        try
        {
            MailTlsPolicyFacts facts = await _inspector!.InspectAsync(domain, cancellationToken).ConfigureAwait(false);
            if (facts.Mx.Status is DnsAnswerStatus.NameNotFound or DnsAnswerStatus.Failed)
            {
                var e = new DnsLookupException(domain, facts.Mx.Error ?? "no answer", facts.Mx.Status == DnsAnswerStatus.NameNotFound);
                output.Error(ProbeErrors.Dns(e, domain, DnsServer));
                return;
            }
            output.Object(MailTlsPolicyJudgement.Judge(facts, DateTime.UtcNow));
        }
        finally
        {
            output.Completed();
        }
    }

    protected override ErrorRecord CreateErrorRecord(string target, Exception exception, bool timedOut) =>
        ProbeErrors.Create(exception, target, timedOut, TimeoutSeconds);
}
