using System;

namespace TlsTools;

/// <summary>
/// Whether one root CA is in the trust store this machine's TLS stack uses, as
/// <c>Test-TrustedRoot</c> reports it.
/// </summary>
public sealed class TrustedRootResult
{
    /// <summary>The root's common name (from the preset, or from the certificate).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The root's SHA-1 thumbprint, upper-case hex (as asked for, when the root was not found).</summary>
    public string Thumbprint { get; set; } = string.Empty;

    /// <summary>True when the root is in a Root store.</summary>
    public bool Found { get; set; }

    /// <summary>The stores it is in, e.g. <c>LocalMachine\Root</c>; empty when not found.</summary>
    public string? Store { get; set; }

    /// <summary>When the root expires (from the store's copy, or from the preset when not found).</summary>
    public DateTime? NotAfter { get; set; }

    /// <summary>Who needs the root: the preset's note, e.g. which Exchange Online chain and since when.</summary>
    public string? RequiredBy { get; set; }

    /// <summary>The root's subject, when known.</summary>
    public string? Subject { get; set; }

    /// <summary>How the root was looked for, and anything worth knowing (expired, found by name and key only).</summary>
    public string Detail { get; set; } = string.Empty;
}
