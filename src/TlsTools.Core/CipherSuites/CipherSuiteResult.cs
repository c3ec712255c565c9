using System;
using System.Collections.Generic;

namespace TlsTools;

/// <summary>One (protocol, cipher suite) pair a server accepts.</summary>
public sealed class CipherSuiteResult
{
    /// <summary>The host as given (or the MX host name).</summary>
    public string ComputerName { get; init; } = string.Empty;

    /// <summary>The mail domain whose MX host this is; null for a host given directly.</summary>
    public string? Domain { get; init; }

    public string IPAddress { get; init; } = string.Empty;

    public int Port { get; init; }

    public TlsProtocolVersion Protocol { get; init; }

    /// <summary>The IANA name, for example TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>The IANA code as text, for example 0xC02F.</summary>
    public string Code { get; init; } = string.Empty;

    public string KeyExchange { get; init; } = string.Empty;

    public string Authentication { get; init; } = string.Empty;

    public string Encryption { get; init; } = string.Empty;

    public int Bits { get; init; }

    /// <summary>AEAD, or the record MAC (SHA1, SHA256, SHA384, MD5).</summary>
    public string Mac { get; init; } = string.Empty;

    public bool ForwardSecrecy { get; init; }

    /// <summary>ciphersuite.info's classification: Recommended, Secure, Weak, Insecure.</summary>
    public CipherSuiteStrength Strength { get; init; }

    /// <summary>True when Exchange Online offers this suite (Microsoft's "TLS cipher suites supported by Office 365").</summary>
    public bool ExchangeOnline { get; init; }

    /// <summary>Whether the server imposes its own order for this protocol (null: not known).</summary>
    public bool? ServerPrefersOwnOrder { get; init; }

    public override string ToString() => $"{Protocol} {Name}";
}

/// <summary>Whether a server accepts one protocol version, and how it chooses among its suites.</summary>
public sealed class TlsProtocolSupport
{
    public TlsProtocolVersion Protocol { get; init; }

    /// <summary>True when the server accepted at least one suite; false when it refused every offer; null when inconclusive.</summary>
    public bool? Supported { get; init; }

    /// <summary>How many suites the server accepts with this protocol.</summary>
    public int SuiteCount { get; init; }

    /// <summary>True when the server chooses by its own order, false when it follows the client's; null when not known.</summary>
    public bool? ServerPrefersOwnOrder { get; init; }

    /// <summary>How the server refused the last offer (an alert, a close, another version).</summary>
    public string? Refusal { get; init; }

    /// <summary>Why the result for this protocol is incomplete (connections dropped, timeouts); null when complete.</summary>
    public string? Inconclusive { get; init; }

    public int Connections { get; init; }

    public override string ToString() => $"{Protocol}: {(Supported is null ? "inconclusive" : Supported.Value ? "accepted" : "refused")}";
}

/// <summary>Everything a cipher suite scan found for one address, with the judgement a compliance check needs.</summary>
public sealed class CipherScanSummary
{
    public string ComputerName { get; init; } = string.Empty;

    public string? Domain { get; init; }

    public string IPAddress { get; init; } = string.Empty;

    public int Port { get; init; }

    /// <summary>The protocol versions the server accepts, oldest first.</summary>
    public IReadOnlyList<TlsProtocolVersion> SupportedProtocols { get; init; } = Array.Empty<TlsProtocolVersion>();

    /// <summary>Every accepted (protocol, suite) pair.</summary>
    public IReadOnlyList<CipherSuiteResult> Suites { get; init; } = Array.Empty<CipherSuiteResult>();

    /// <summary>Per protocol tried: accepted or not, suite count, order, and what was inconclusive.</summary>
    public IReadOnlyList<TlsProtocolSupport> Protocols { get; init; } = Array.Empty<TlsProtocolSupport>();

    /// <summary>True when SSL 3.0, TLS 1.0 or TLS 1.1 is accepted (Exchange Online no longer uses them).</summary>
    public bool LegacyProtocolAccepted { get; init; }

    /// <summary>The distinct names of accepted suites classified Weak or Insecure.</summary>
    public IReadOnlyList<string> WeakSuitesAccepted { get; init; } = Array.Empty<string>();

    /// <summary>True when an accepted suite has no forward secrecy.</summary>
    public bool NonForwardSecretAccepted { get; init; }

    /// <summary>True when at least one accepted TLS 1.2 suite is on Exchange Online's list; null when the scan is inconclusive and found none.</summary>
    public bool? AcceptsExchangeOnlineSuite { get; init; }

    /// <summary>The order rule of the newest protocol with at least two suites: true when the server imposes its own order.</summary>
    public bool? ServerPrefersOwnOrder { get; init; }

    /// <summary>True when some protocol could not be asked to the end.</summary>
    public bool Inconclusive { get; init; }

    public int Connections { get; init; }

    public TimeSpan Elapsed { get; init; }

    public override string ToString() => $"{ComputerName} ({IPAddress}:{Port}): {string.Join(", ", SupportedProtocols)}";
}
