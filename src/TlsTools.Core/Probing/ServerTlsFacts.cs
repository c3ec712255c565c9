using System;
using System.Collections.Generic;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Net;

namespace TlsTools.Probing;

/// <summary>What one TLS session with a server settled: protocol, suite and the chain as presented.</summary>
public sealed class TlsSessionFacts
{
    /// <summary>The negotiated protocol as the module names it: Tls10, Tls11, Tls12, Tls13.</summary>
    public string Protocol { get; init; } = string.Empty;

    /// <summary>The IANA name of the negotiated suite; null where the platform cannot tell (.NET Framework).</summary>
    public string? CipherSuite { get; init; }

    /// <summary>ECDHE, DHE, RSA, or the TLS 1.3 group family.</summary>
    public string? KeyExchange { get; init; }

    /// <summary>The certificates exactly as the server presented them, leaf first.</summary>
    public IReadOnlyList<X509Certificate2> PresentedCertificates { get; init; } = Array.Empty<X509Certificate2>();

    /// <summary>The offer that reached the server: Legacy means the current offer failed first.</summary>
    public TlsOffer Offer { get; init; }
}

/// <summary>
/// Everything one probe of one address saw, and nothing judged: whether it connected, what the
/// plain-text dialog showed, the TLS session if one was made, what the server said over TLS, and
/// the failure that ended the probe early, if any. The judgement is made elsewhere, from these facts.
/// </summary>
public sealed class ServerTlsFacts
{
    public ProbeTarget Target { get; init; } = new();

    /// <summary>Whether the TCP connection was made.</summary>
    public bool Connected { get; init; }

    /// <summary>The plain-text dialog (greeting, EHLO capabilities); null for TLS on connect or when it never ran.</summary>
    public PlainTextDialogResult? Dialog { get; init; }

    /// <summary>The SMTP dialog over TLS on connect (greeting and EHLO after the handshake).</summary>
    public PlainTextDialogResult? DialogOverTls { get; init; }

    /// <summary>True when the server offered TLS: it advertised STARTTLS, or speaks TLS on connect.</summary>
    public bool TlsOffered { get; init; }

    /// <summary>The TLS session; null when none was established.</summary>
    public TlsSessionFacts? Tls { get; init; }

    /// <summary>The reply code to EHLO sent over TLS (SMTP STARTTLS), when it was sent.</summary>
    public int? EhloOverTlsCode { get; init; }

    /// <summary>True when the server advertised STARTTLS again inside TLS (RFC 3207 section 4.2 forbids it).</summary>
    public bool StartTlsAdvertisedOverTls { get; init; }

    /// <summary>What went wrong in the dialog after the handshake; the session itself stands.</summary>
    public string? AfterTlsError { get; init; }

    /// <summary>Why the probe ended before a TLS session was made and used; null when it was not cut short.</summary>
    public ProbeFailure? Failure { get; init; }

    /// <summary>The dialog as sent and received, when it was recorded.</summary>
    public string? Transcript { get; init; }

    /// <summary>From the first connect to the end of the last dialog.</summary>
    public TimeSpan Duration { get; init; }
}
