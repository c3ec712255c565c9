using System;

namespace TlsTools;

/// <summary>Why a probe of one target failed. Each value maps to one stable PowerShell ErrorId.</summary>
public enum ProbeFailureKind
{
    /// <summary>The host name could not be resolved.</summary>
    NameResolution,
    /// <summary>The TCP connection was refused or could not be made.</summary>
    ConnectFailed,
    /// <summary>The target did not answer within the time allowed.</summary>
    Timeout,
    /// <summary>The server answered its greeting with a 4xx/5xx reply (tarpit, rate limit, service closed).</summary>
    GreetingRejected,
    /// <summary>The server does not advertise STARTTLS (or its protocol's equivalent).</summary>
    StartTlsNotOffered,
    /// <summary>The server advertised STARTTLS but refused the command.</summary>
    StartTlsRefused,
    /// <summary>Bytes arrived after the STARTTLS go-ahead and before the handshake (RFC 3207 section 5 injection).</summary>
    StartTlsInjection,
    /// <summary>The TLS handshake failed (alert, no common protocol or cipher, connection closed).</summary>
    HandshakeFailed,
    /// <summary>The server broke the protocol: an unparsable reply, an overlong line, too many lines.</summary>
    ProtocolViolation,
    /// <summary>The connection closed before the dialog ended.</summary>
    ConnectionClosed,
}

/// <summary>A failure of one probe, carrying what a caller needs to report it per target.</summary>
public sealed class ProbeException : Exception
{
    public ProbeException(ProbeFailureKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    /// <summary>What went wrong, as a stable category.</summary>
    public ProbeFailureKind Kind { get; }

    /// <summary>The last server reply seen before the failure, when there was one.</summary>
    public string? ServerReply { get; init; }
}
