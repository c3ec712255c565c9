using System.Security.Cryptography.X509Certificates;
using TlsTools.Net;
using TlsTools.Routing;

namespace TlsTools.MailTls;

/// <summary>Options of a mail TLS test.</summary>
public sealed class MailTlsOptions
{
    /// <summary>The DNS server for MX and address look-ups ("ip" or "ip:port"); null uses the system's servers.</summary>
    public string? DnsServer { get; init; }

    public int Port { get; init; } = 25;

    public MailTlsMode TlsMode { get; init; } = MailTlsMode.StartTls;

    /// <summary>The time allowed for one address, from connect to QUIT.</summary>
    public int TimeoutSeconds { get; init; } = 30;

    /// <summary>The EHLO name; null sends the address literal of each connection's local end (the machine has no fully qualified name).</summary>
    public string? HeloName { get; init; } = LocalHost.FullyQualifiedName();

    /// <summary>Extra trust anchors for chain validation.</summary>
    public X509Certificate2Collection? TrustedRootCertificates { get; init; }

    /// <summary>Whether the system trust store also counts (default). False validates against the given anchors only.</summary>
    public bool UseSystemTrustStore { get; init; } = true;

    public bool IncludeTranscript { get; init; }

    /// <summary>Add the domain's MTA-STS and DANE facts to each result (domains only, not hosts given directly).</summary>
    public bool IncludePolicy { get; init; }

    /// <summary>Whether each address that speaks TLS also gets a full protocol and cipher suite scan.</summary>
    public bool IncludeProtocolScan { get; init; }

    public AddressFamilyFilter AddressFamily { get; init; } = AddressFamilyFilter.Any;

    /// <summary>
    /// Read the domain's MTA-STS and DANE policy (a few DNS queries and one HTTPS fetch per domain)
    /// for its summary's DefaultDelivery, without asking for the policy columns of each result.
    /// IncludePolicy implies it.
    /// </summary>
    public bool ReadPolicy { get; init; }

    /// <summary>
    /// Leave out the revocation check of each validated chain (RevocationStatus NotChecked): no CRL or
    /// OCSP request is made. By default every validated chain is checked, as Exchange's
    /// CertificateValidation does ("certificate chain validation and revocation lists checks").
    /// </summary>
    public bool SkipRevocationCheck { get; init; }

    /// <summary>
    /// How the revocation checks reach the network; null takes <see cref="Revocation.ProxyRoute.Default"/>:
    /// the machine's WinHTTP proxy on Windows (the one Exchange's CryptoAPI uses), direct elsewhere.
    /// </summary>
    public Revocation.ProxyRoute? RevocationRoute { get; init; }
}

/// <summary>One address to test.</summary>
public sealed class MailTlsTarget
{
    public string Domain { get; init; } = string.Empty;
    public string MxHost { get; init; } = string.Empty;
    public int? Preference { get; init; }
    public System.Net.IPAddress Address { get; init; } = System.Net.IPAddress.None;
    public int Port { get; init; } = 25;
}
