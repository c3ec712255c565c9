using System;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Presets;
using TlsTools.Trust;

namespace TlsTools.Commands;

/// <summary>
/// Tells whether root CAs are in the trust store this machine's TLS stack uses: certmgr's Trusted
/// Root Certification Authorities on Windows, the store .NET reads elsewhere. It reads local stores
/// only, so it is not a concurrent network cmdlet.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "TrustedRoot")]
[OutputType(typeof(TrustedRootResult))]
public sealed class TestTrustedRootCommand : TlsCmdletBase
{
    private const string CertificateSet = "Certificate";
    private const string ThumbprintSet = "Thumbprint";
    private const string PresetSet = "Preset";

    private TrustStoreSnapshot? _stores;

    /// <summary>A root, or a certificate whose issuing root is looked up.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public X509Certificate2[] Certificate { get; set; } = Array.Empty<X509Certificate2>();

    /// <summary>SHA-1 or SHA-256 thumbprints of roots.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string[] Thumbprint { get; set; } = Array.Empty<string>();

    /// <summary>A built-in list of roots.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PresetSet)]
    [ValidateSet("ExchangeOnline")]
    public string Preset { get; set; } = string.Empty;

    protected override void BeginProcessing()
    {
        _stores = TrustStoreSnapshot.Open(includeIntermediate: false);
        foreach (string problem in _stores.Problems)
        {
            WriteWarning("Certificate store not read: " + problem);
        }
    }

    protected override void ProcessRecord()
    {
        DateTime now = DateTime.UtcNow;
        switch (ParameterSetName)
        {
            case CertificateSet:
                foreach (X509Certificate2 c in Certificate)
                {
                    WriteObject(TrustedRootLookup.ForCertificate(c, _stores!, now));
                }
                break;
            case ThumbprintSet:
                foreach (string text in Thumbprint)
                {
                    string? thumbprint = TrustedRootLookup.NormalizeThumbprint(text);
                    if (thumbprint is null)
                    {
                        WriteError(InputErrors.InvalidThumbprint(text));
                        continue;
                    }
                    WriteObject(TrustedRootLookup.ByThumbprint(thumbprint, _stores!, now));
                }
                break;
            case PresetSet:
                foreach (PresetRoot root in CertificatePreset.Get(Preset).Roots)
                {
                    WriteObject(TrustedRootLookup.ForPresetRoot(root, _stores!, now));
                }
                break;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stores?.Dispose();
        }
        base.Dispose(disposing);
    }
}
