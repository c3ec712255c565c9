using System;

namespace TlsTools;

/// <summary>
/// Why a probe of one target failed. Each value maps to one stable PowerShell ErrorId
/// (<see cref="ProbeFailureKinds.ErrorId"/>), from the core to the cmdlet's ErrorRecord.
/// </summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum ProbeFailureKind
{
    /// <summary>The host name could not be resolved.</summary>
    NameResolution,
    /// <summary>The TCP connection was refused or could not be made.</summary>
    ConnectFailed,
    /// <summary>The TCP connection was not made within the time allowed.</summary>
    ConnectTimeout,
    /// <summary>The target connected but did not finish the dialog within the time allowed.</summary>
    Timeout,
    /// <summary>The server answered its greeting with a 4xx/5xx reply (tarpit, rate limit, service closed).</summary>
    GreetingRejected,
    /// <summary>The server greeted, then refused EHLO with a transient 4xx reply (421: closing; a rate limit or tarpit).</summary>
    EhloRejected,
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

/// <summary>The stable names of failure kinds, shared by result objects and ErrorRecords.</summary>
public static class ProbeFailureKinds
{
    /// <summary>The ErrorId of a failure kind, as result objects carry it and ErrorRecords use it.</summary>
    public static string ErrorId(ProbeFailureKind kind) => kind switch
    {
        ProbeFailureKind.NameResolution => "NameResolutionFailed",
        ProbeFailureKind.HandshakeFailed => "TlsHandshakeFailed",
        _ => kind.ToString(),
    };

    /// <summary>True when the server was never reached: there is nothing to report about it but the error.</summary>
    public static bool IsUnreached(ProbeFailureKind kind) =>
        kind is ProbeFailureKind.ConnectFailed or ProbeFailureKind.ConnectTimeout or ProbeFailureKind.NameResolution;
}

/// <summary>A failure of one probe as a fact: its kind, what was seen, and the last server reply.</summary>
public sealed class ProbeFailure
{
    public ProbeFailure(ProbeFailureKind kind, string message, string? serverReply = null, string? greeting = null)
    {
        Kind = kind;
        Message = message;
        ServerReply = serverReply;
        Greeting = greeting;
    }

    public ProbeFailureKind Kind { get; }
    public string Message { get; }

    /// <summary>The last server reply seen before the failure, when there was one.</summary>
    public string? ServerReply { get; }

    /// <summary>The server's greeting, when the dialog got past it.</summary>
    public string? Greeting { get; }

    /// <summary>The stable ErrorId of <see cref="Kind"/>.</summary>
    public string ErrorId => ProbeFailureKinds.ErrorId(Kind);

    /// <summary>The exception form, for callers that report one failure per target as an error.</summary>
    public ProbeException ToException() => new(Kind, Message) { ServerReply = ServerReply, Greeting = Greeting };

    public override string ToString() => ErrorId + ": " + Message;
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

    /// <summary>The server's greeting, when the dialog got past it.</summary>
    public string? Greeting { get; init; }

    /// <summary>The fact form of this failure.</summary>
    public ProbeFailure ToFailure() => new(Kind, Message, ServerReply, Greeting);
}
