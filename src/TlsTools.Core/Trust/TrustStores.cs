using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TlsTools.Trust;

/// <summary>A certificate and the store it was read from (<c>LocalMachine\Root</c>, ...).</summary>
public sealed class StoreCertificate
{
    public StoreCertificate(X509Certificate2 certificate, string store)
    {
        Certificate = certificate;
        Store = store;
    }

    public X509Certificate2 Certificate { get; }

    public string Store { get; }
}

/// <summary>
/// A snapshot of the certificate stores this machine's TLS stack trusts, read once per use. On
/// Windows these are the CurrentUser and LocalMachine Root stores (the LocalMachine one includes the
/// third-party and group-policy roots); on Linux .NET reads LocalMachine\Root from the system bundle
/// (OpenSSL's default file and directory, or SSL_CERT_FILE / SSL_CERT_DIR) and CurrentUser\Root from
/// its own per-user store; on macOS from the keychains.
/// </summary>
public sealed class TrustStoreSnapshot : IDisposable
{
    private readonly List<StoreCertificate> _certificates = new();
    private readonly List<string> _problems = new();

    private TrustStoreSnapshot()
    {
    }

    /// <summary>Every certificate read, in store order: CurrentUser first.</summary>
    public IReadOnlyList<StoreCertificate> Certificates => _certificates;

    /// <summary>One line per store that could not be read.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Reads the Root stores and, with <paramref name="includeIntermediate"/>, the intermediate (CA) stores.</summary>
    public static TrustStoreSnapshot Open(bool includeIntermediate)
    {
        var snapshot = new TrustStoreSnapshot();
        foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            snapshot.Read(StoreName.Root, location);
            if (includeIntermediate)
            {
                snapshot.Read(StoreName.CertificateAuthority, location);
            }
        }
        return snapshot;
    }

    /// <summary>A snapshot of given certificates, for tests.</summary>
    internal static TrustStoreSnapshot FromCertificates(IEnumerable<StoreCertificate> certificates)
    {
        var snapshot = new TrustStoreSnapshot();
        snapshot._certificates.AddRange(certificates);
        return snapshot;
    }

    /// <summary>The store name as Windows shows it: <c>LocalMachine\Root</c>, <c>CurrentUser\CA</c>.</summary>
    public static string Name(StoreName name, StoreLocation location) =>
        location + "\\" + (name == StoreName.CertificateAuthority ? "CA" : name.ToString());

    private void Read(StoreName name, StoreLocation location)
    {
        string label = Name(name, location);
        try
        {
            using var store = new X509Store(name, location);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            foreach (X509Certificate2 c in store.Certificates)
            {
                _certificates.Add(new StoreCertificate(c, label));
            }
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            // A store that does not exist (an empty per-user store on Linux) is simply empty.
            if (!(e is CryptographicException && location == StoreLocation.CurrentUser))
            {
                _problems.Add($"{label}: {e.Message}");
            }
        }
    }

    public void Dispose()
    {
        foreach (StoreCertificate c in _certificates)
        {
            c.Certificate.Dispose();
        }
        _certificates.Clear();
    }
}
