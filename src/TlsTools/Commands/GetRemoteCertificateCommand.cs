using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Certificates;
using TlsTools.Net;
using TlsTools.Probing;

namespace TlsTools.Commands;

/// <summary>Returns the certificate chain a TLS server presents, leaf first, without trusting it.</summary>
[Cmdlet(VerbsCommon.Get, "RemoteCertificate")]
[OutputType(typeof(RemoteCertificate))]
public sealed class GetRemoteCertificateCommand : ConcurrentTargetCmdlet<RemoteCertificateRequest>
{
    private StreamWriter? _pemWriter;

    /// <summary>The host to connect to: a name, an address, or host:port.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    // SmartHosts before Fqdn: a Send connector has both, and its Fqdn is its own EHLO name.
    [Alias("SmartHosts", "Fqdn", "HostName", "Address", "CN")]
    // One empty or blank item is an error of its own (InvalidComputerName/InvalidDomainName),
    // not a binding failure that ends the whole command.
    [AllowEmptyString]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    /// <summary>The port; a port written as host:port wins.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 443;

    /// <summary>The protocol spoken before TLS; chosen from the port when not given.</summary>
    [Parameter]
    public StartTlsProtocol StartTls { get; set; }

    /// <summary>The SNI name to send; by default the host name (no SNI for an address).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    /// <summary>The name to send in EHLO for SMTP STARTTLS.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HeloName { get; set; }

    /// <summary>Writes each presented chain to this file as PEM.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    protected override string ProgressActivity => "Get-RemoteCertificate";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (OutFile is not null)
        {
            string path = GetUnresolvedProviderPathFromPSPath(OutFile);
            try
            {
                _pemWriter = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "OutFileNotWritable", ErrorCategory.WriteError, OutFile));
            }
        }
    }

    protected override void ProcessRecord()
    {
        bool startTlsGiven = MyInvocation.BoundParameters.ContainsKey(nameof(StartTls));
        string? helo = HeloName ?? LocalHost.FullyQualifiedName();
        foreach (string input in ComputerName)
        {
            if (!HostEndpoint.TryParse(input, out HostEndpoint? endpoint))
            {
                WriteError(InputErrors.InvalidComputerName(input));
                continue;
            }
            int port = endpoint!.Port ?? Port;
            Enqueue(new RemoteCertificateRequest
            {
                ComputerName = endpoint.Host,
                Port = port,
                StartTls = startTlsGiven ? StartTls : PortDefaults.StartTlsForPort(port),
                ServerName = ServerName,
                HeloName = helo,
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            });
        }
    }

    protected override void EndProcessing()
    {
        WaitForAll();
        _pemWriter?.Flush();
    }

    protected override async Task ProcessTargetAsync(RemoteCertificateRequest target, TargetOutput output, CancellationToken cancellationToken)
    {
        output.Verbose($"Connecting to {HostEndpoint.Format(target.ComputerName, target.Port)} (STARTTLS: {target.StartTls}).");
        IReadOnlyList<RemoteCertificate> chain = await RemoteCertificateProbe.FetchAsync(target, cancellationToken).ConfigureAwait(false);
        foreach (RemoteCertificate certificate in chain)
        {
            output.Object(certificate);
        }
    }

    protected override void OnObject(object value)
    {
        if (_pemWriter is not null && value is RemoteCertificate rc && rc.Certificate is not null)
        {
            _pemWriter.Write(Pem.Encode(rc.Certificate));
        }
        base.OnObject(value);
    }

    protected override ErrorRecord CreateErrorRecord(RemoteCertificateRequest target, Exception exception, bool timedOut) =>
        ProbeErrors.Create(exception, HostEndpoint.Format(target.ComputerName, target.Port), timedOut, TimeoutSeconds);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pemWriter?.Dispose();
        }
        base.Dispose(disposing);
    }
}
