using System;
using System.Collections.Generic;
using TlsTools.Probing;

namespace TlsTools.CipherSuites;

/// <summary>What the scan of one protocol version saw, without judgement.</summary>
public sealed class ProtocolScanFacts
{
    public TlsProtocolVersion Protocol { get; init; }

    /// <summary>The suites the server chose, in the order it chose them while the offer shrank.</summary>
    public IReadOnlyList<ushort> Accepted { get; init; } = Array.Empty<ushort>();

    /// <summary>
    /// True when the server chose its own first choice again from the accepted suites offered in
    /// reverse order; false when it followed the offer; null when fewer than two suites were accepted
    /// or the check could not be made.
    /// </summary>
    public bool? ServerOrder { get; init; }

    /// <summary>How the last offer was refused: "alert handshake_failure (40)", "the server closed the connection", "ServerHello Tls12 ...".</summary>
    public string? Refusal { get; init; }

    /// <summary>Set when the server could not be asked to the end (connections dropped, timeouts): the result is then incomplete.</summary>
    public ProbeFailure? Inconclusive { get; init; }

    /// <summary>TLS connections opened for this protocol, retries included.</summary>
    public int Connections { get; init; }
}

/// <summary>What a cipher suite scan of one address saw: one entry per protocol tried.</summary>
public sealed class CipherScanFacts
{
    public ProbeTarget Target { get; init; } = new();

    public IReadOnlyList<ProtocolScanFacts> Protocols { get; init; } = Array.Empty<ProtocolScanFacts>();

    /// <summary>A failure that ended the scan as a whole (never reached, STARTTLS not offered).</summary>
    public ProbeFailure? Failure { get; init; }

    public TimeSpan Elapsed { get; init; }
}
