using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TlsTools.Commands;

/// <summary>
/// A certificate given as an object or as a file path. PowerShell converts either to this type
/// through its constructors, so one parameter takes <c>Get-ChildItem Cert:\...</c> output,
/// <c>Get-RemoteCertificate</c> certificates and paths alike.
/// </summary>
public sealed class CertificateSource
{
    public CertificateSource(X509Certificate2 certificate)
    {
        Certificate = certificate;
    }

    public CertificateSource(string path)
    {
        Path = path;
    }

    public X509Certificate2? Certificate { get; }

    public string? Path { get; }

    public override string ToString() => Certificate?.Subject ?? Path ?? string.Empty;

    /// <summary>
    /// Turns the sources given to a parameter into certificates, resolving paths against the
    /// cmdlet's current location. A file that cannot be read stops the cmdlet (TrustedRootNotReadable):
    /// validating against fewer anchors than the user named would give misleading answers.
    /// </summary>
    internal static X509Certificate2Collection? LoadAll(PSCmdlet cmdlet, IEnumerable<CertificateSource>? sources)
    {
        if (sources is null)
        {
            return null;
        }
        var certificates = new X509Certificate2Collection();
        foreach (CertificateSource source in sources)
        {
            if (source.Certificate is not null)
            {
                certificates.Add(source.Certificate);
                continue;
            }
            string path = cmdlet.GetUnresolvedProviderPathFromPSPath(source.Path);
            try
            {
                foreach (X509Certificate2 c in Certificates.CertificateFile.Read(path))
                {
                    certificates.Add(c);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or FormatException or ArgumentException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "TrustedRootNotReadable", ErrorCategory.ReadError, source.Path));
            }
        }
        return certificates;
    }
}
