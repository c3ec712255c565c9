using System;
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
}
