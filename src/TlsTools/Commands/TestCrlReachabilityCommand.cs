using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Certificates;
using TlsTools.Presets;
using TlsTools.Revocation;
using TlsTools.Trust;

namespace TlsTools.Commands;

/// <summary>
/// Checks that the CRL, OCSP and CA-issuers endpoints certificates name can be reached from here
/// (through a proxy if asked) and serve valid, current content: certutil -URL as a cmdlet.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CrlReachability")]
[OutputType(typeof(RevocationEndpointResult))]
public sealed class TestCrlReachabilityCommand : ConcurrentTargetCmdlet<RevocationCheck>
{
    private const string CertificateSet = "Certificate";
    private const string PathSet = "Path";
    private const string UriSet = "Uri";
    private const string PresetSet = "Preset";

    private readonly List<X509Certificate2> _certificates = new();
    private RevocationHttpClient? _http;
    private RevocationChecker? _checker;
    private bool _presetQueued;

    /// <summary>Certificates whose endpoints are checked (a whole chain finds each issuer among its members).</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

    /// <summary>Certificate files: DER, PEM (chains too) or PKCS#7.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Endpoint URLs checked as given; the kind follows from the URL (.crl, .crt/.cer/.p7c, otherwise OCSP).</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Uri { get; set; } = Array.Empty<string>();

    /// <summary>A built-in list of endpoints.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PresetSet)]
    [ValidateSet("ExchangeOnline")]
    public string Preset { get; set; } = string.Empty;

    /// <summary>Send every request through this HTTP proxy.</summary>
    [Parameter]
    [ValidateNotNull]
    public System.Uri? Proxy { get; set; }

    /// <summary>Connect directly, ignoring the system proxy settings.</summary>
    [Parameter]
    public SwitchParameter NoProxy { get; set; }

    /// <summary>Responses larger than this are not read (status TooLarge).</summary>
    [Parameter]
    [ValidateRange(1024, 1024L * 1024 * 1024)]
    public long MaximumResponseBytes { get; set; } = HttpFetchOptions.DefaultMaximumResponseBytes;

    /// <summary>How many redirects (to http or https URLs) are followed.</summary>
    [Parameter]
    [ValidateRange(0, 10)]
    public int MaximumRedirection { get; set; } = 3;

    protected override string ProgressActivity => "Test-CrlReachability";

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (Proxy is not null && (!Proxy.IsAbsoluteUri || Proxy.Scheme != System.Uri.UriSchemeHttp))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{Proxy}' is not an http:// proxy URL."),
                "InvalidProxy", ErrorCategory.InvalidArgument, Proxy) { ErrorDetails = new ErrorDetails($"'{Proxy}' is not an http:// proxy URL, like http://proxy.contoso.com:8080.") });
        }
        // Exchange validates certificates through CryptoAPI, which fetches with WinHTTP: on Windows the
        // default route is the machine's WinHTTP proxy (netsh winhttp), not the user's browser proxy.
        ProxyRoute route = ProxyRoute.Default(Proxy, NoProxy.IsPresent, out string? proxyProblem);
        if (proxyProblem is not null)
        {
            WriteWarning(proxyProblem);
        }
        WriteVerbose("Requests go through: " + route.Source);
        _http = new RevocationHttpClient(new HttpFetchOptions
        {
            Proxy = Proxy,
            NoProxy = NoProxy.IsPresent,
            Route = route,
            MaximumResponseBytes = MaximumResponseBytes,
            MaximumRedirection = MaximumRedirection,
            UserAgent = "TlsTools/" + typeof(RevocationChecker).Assembly.GetName().Version?.ToString(3),
        });
        _checker = new RevocationChecker(_http, TimeSpan.FromSeconds(TimeoutSeconds), StopToken);
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case CertificateSet:
                _certificates.AddRange(Certificate.Where(c => c is not null));
                break;
            case PathSet:
                foreach (string path in Path)
                {
                    ReadFiles(path);
                }
                break;
            case UriSet:
                foreach (string text in Uri)
                {
                    if (RevocationPlanner.TryParseHttpUri(text, out System.Uri? uri, out string? error))
                    {
                        Enqueue(RevocationPlanner.ForUri(uri!));
                    }
                    else
                    {
                        WriteError(InputErrors.InvalidUri(text, error!));
                    }
                }
                break;
            case PresetSet:
                if (!_presetQueued)
                {
                    _presetQueued = true;
                    foreach (RevocationCheck check in RevocationPlanner.ForPreset(CertificatePreset.Get(Preset)))
                    {
                        Enqueue(check);
                    }
                }
                break;
        }
    }

    private void ReadFiles(string path)
    {
        IReadOnlyList<string> files;
        try
        {
            string literal = GetUnresolvedProviderPathFromPSPath(path);
            files = File.Exists(literal)
                ? new[] { literal }
                : SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _).ToList();
        }
        catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            WriteError(InputErrors.PathNotFound(path, e));
            return;
        }
        if (files.Count == 0)
        {
            // A wildcard that matches nothing.
            WriteError(InputErrors.PathNotFound(path));
            return;
        }
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                WriteError(InputErrors.PathNotFound(file));
                continue;
            }
            try
            {
                _certificates.AddRange(CertificateFile.Read(file));
            }
            catch (InvalidDataException e)
            {
                WriteError(InputErrors.CertificateFileInvalid(file, e));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(InputErrors.CertificateFileUnreadable(file, e));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_certificates.Count > 0)
        {
            var skipped = new List<string>();
            IReadOnlyList<RevocationCheck> checks;
            using (TrustStoreSnapshot stores = TrustStoreSnapshot.Open(includeIntermediate: true))
            {
                foreach (string problem in stores.Problems)
                {
                    WriteVerbose("Certificate store not read: " + problem);
                }
                checks = RevocationPlanner.ForCertificates(_certificates, stores.Certificates, skipped);
            }
            foreach (string line in skipped)
            {
                WriteWarning(line);
            }
            var withEndpoints = new HashSet<X509Certificate2>(checks.Select(c => c.Subject!.Certificate));
            foreach (X509Certificate2 c in _certificates.Where(c => !withEndpoints.Contains(c)).GroupBy(c => c.Thumbprint).Select(g => g.First()))
            {
                if (c.Subject == c.Issuer)
                {
                    WriteVerbose($"{c.Subject}: a root; it names no revocation endpoints.");
                }
                else
                {
                    WriteWarning($"{c.Subject} ({c.Thumbprint}) names no CRL, OCSP or CA-issuers URL: there is nothing to check.");
                }
            }
            foreach (RevocationCheck check in checks)
            {
                Enqueue(check);
            }
        }
        WaitForAll();
    }

    protected override async Task ProcessTargetAsync(RevocationCheck target, TargetOutput output, CancellationToken cancellationToken)
    {
        output.Verbose($"{target.Kind} {target.Uri}" + (target.Subject is null ? string.Empty : $" ({target.Subject.Certificate.Subject})"));
        RevocationEndpointResult result = await _checker!.CheckAsync(target, cancellationToken).ConfigureAwait(false);
        StopToken.ThrowIfCancellationRequested();
        output.Object(result);
    }

    protected override ErrorRecord CreateErrorRecord(RevocationCheck target, Exception exception, bool timedOut) =>
        InputErrors.CheckFailed(exception, target.Uri.OriginalString);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http?.Dispose();
        }
        base.Dispose(disposing);
    }
}
