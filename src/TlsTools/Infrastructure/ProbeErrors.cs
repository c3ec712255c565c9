using System;
using System.Management.Automation;

namespace TlsTools.Commands;

/// <summary>
/// Maps core failures to ErrorRecords: the ErrorId is the failure kind's stable id
/// (<see cref="ProbeFailureKinds.ErrorId"/>), with a category, a recommended action, and the
/// target (host:port or domain) as target object.
/// </summary>
internal static class ProbeErrors
{
    /// <summary>An error record for an exception that ended the work on one target.</summary>
    public static ErrorRecord Create(Exception exception, string target, bool timedOut, int timeoutSeconds)
    {
        if (timedOut)
        {
            var timeout = new TimeoutException($"{target} did not answer within {timeoutSeconds} seconds.", exception);
            return Build(timeout, ProbeFailureKinds.ErrorId(ProbeFailureKind.Timeout), ErrorCategory.OperationTimeout, target,
                "Check that the host is reachable on this port from here, or raise -TimeoutSeconds.");
        }
        if (exception is ProbeException p)
        {
            (ErrorCategory category, string action) = Describe(p.Kind);
            return Build(p, ProbeFailureKinds.ErrorId(p.Kind), category, target, action);
        }
        return Build(exception, "UnexpectedError", ErrorCategory.NotSpecified, target, string.Empty);
    }

    /// <summary>An error record for a failure the core reported as a fact.</summary>
    public static ErrorRecord Create(ProbeFailure failure, string target)
    {
        (ErrorCategory category, string action) = Describe(failure.Kind);
        Exception e = failure.Kind is ProbeFailureKind.Timeout or ProbeFailureKind.ConnectTimeout
            ? new TimeoutException(failure.Message)
            : failure.ToException();
        return Build(e, failure.ErrorId, category, target, action);
    }

    private static (ErrorCategory Category, string Action) Describe(ProbeFailureKind kind) => kind switch
    {
        ProbeFailureKind.NameResolution => (ErrorCategory.ObjectNotFound, "Check the host name and the DNS server."),
        ProbeFailureKind.ConnectFailed => (ErrorCategory.ConnectionError, "Check the port and that no firewall blocks it (firewalls often block outbound port 25)."),
        ProbeFailureKind.ConnectTimeout => (ErrorCategory.OperationTimeout, "Check that the port is reachable from here (firewalls often drop outbound port 25), or raise -TimeoutSeconds."),
        ProbeFailureKind.Timeout => (ErrorCategory.OperationTimeout, "Raise -TimeoutSeconds or check the network path."),
        ProbeFailureKind.GreetingRejected => (ErrorCategory.ResourceUnavailable, "The server refused the session (often a temporary 4xx: rate limit or tarpit); try again later or from an allowed address."),
        ProbeFailureKind.EhloRejected => (ErrorCategory.ResourceUnavailable, "The server refused the session after its greeting (a temporary 4xx: rate limit or tarpit); try again later or from an allowed address."),
        ProbeFailureKind.StartTlsNotOffered => (ErrorCategory.ProtocolError, "The server does not offer STARTTLS; mail to it travels in clear text."),
        ProbeFailureKind.StartTlsRefused => (ErrorCategory.ProtocolError, "The server advertised STARTTLS but refused it; ask its administrator."),
        ProbeFailureKind.StartTlsInjection => (ErrorCategory.SecurityError, "Something on the path injected data before the TLS handshake."),
        ProbeFailureKind.HandshakeFailed => (ErrorCategory.SecurityError, "The server and this machine share no TLS version or cipher suite, or the server sent an alert."),
        ProbeFailureKind.ProtocolViolation => (ErrorCategory.ProtocolError, "The server's replies do not follow the protocol."),
        ProbeFailureKind.ConnectionClosed => (ErrorCategory.ConnectionError, "The server closed the connection early."),
        _ => (ErrorCategory.NotSpecified, string.Empty),
    };

    /// <summary>
    /// A failed DNS look-up: DomainNotFound for NXDOMAIN, else DnsLookupFailed, unless the caller
    /// names a more precise id (MxHostNotResolved).
    /// </summary>
    public static ErrorRecord Dns(Routing.DnsLookupException e, string target, string? dnsServer, string? errorId = null)
    {
        string id = errorId ?? (e.NameDoesNotExist ? "DomainNotFound" : "DnsLookupFailed");
        return Build(e, id, ErrorCategory.ObjectNotFound, target, dnsServer is null
            ? "Check the name, or name the DNS server to ask with -DnsServer."
            : $"Check the name and that {dnsServer} answers for it.");
    }

    private static ErrorRecord Build(Exception exception, string errorId, ErrorCategory category, string target, string action)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        record.ErrorDetails = new ErrorDetails($"{target}: {exception.Message}");
        if (action.Length > 0)
        {
            record.ErrorDetails.RecommendedAction = action;
        }
        return record;
    }
}
