using System;
using System.Management.Automation;

namespace TlsTools.Commands;

/// <summary>Maps core failures to ErrorRecords with stable ErrorIds, a category and the target as target object.</summary>
internal static class ProbeErrors
{
    public static ErrorRecord Create(Exception exception, string target, bool timedOut, int timeoutSeconds)
    {
        if (timedOut)
        {
            var timeout = new TimeoutException($"{target} did not answer within {timeoutSeconds} seconds.", exception);
            return Build(timeout, "Timeout", ErrorCategory.OperationTimeout, target,
                "Check that the host is reachable on this port from here, or raise -TimeoutSeconds.");
        }

        if (exception is ProbeException p)
        {
            (string id, ErrorCategory category, string action) = p.Kind switch
            {
                ProbeFailureKind.NameResolution => ("NameResolutionFailed", ErrorCategory.ObjectNotFound, "Check the host name and the DNS server."),
                ProbeFailureKind.ConnectFailed => ("ConnectFailed", ErrorCategory.ConnectionError, "Check the port and that no firewall blocks it."),
                ProbeFailureKind.Timeout => ("Timeout", ErrorCategory.OperationTimeout, "Raise -TimeoutSeconds or check the network path."),
                ProbeFailureKind.GreetingRejected => ("GreetingRejected", ErrorCategory.ResourceUnavailable, "The server refused the session (often a temporary 4xx: rate limit or tarpit); try again later or from an allowed address."),
                ProbeFailureKind.StartTlsNotOffered => ("StartTlsNotOffered", ErrorCategory.ProtocolError, "The server does not offer STARTTLS; mail to it travels in clear text."),
                ProbeFailureKind.StartTlsRefused => ("StartTlsRefused", ErrorCategory.ProtocolError, "The server advertised STARTTLS but refused it; ask its administrator."),
                ProbeFailureKind.StartTlsInjection => ("StartTlsInjection", ErrorCategory.SecurityError, "Something on the path injected data before the TLS handshake."),
                ProbeFailureKind.HandshakeFailed => ("TlsHandshakeFailed", ErrorCategory.SecurityError, "The server and this machine share no TLS version or cipher suite, or the server sent an alert."),
                ProbeFailureKind.ProtocolViolation => ("ProtocolViolation", ErrorCategory.ProtocolError, "The server's replies do not follow the protocol."),
                ProbeFailureKind.ConnectionClosed => ("ConnectionClosed", ErrorCategory.ConnectionError, "The server closed the connection early."),
                _ => ("ProbeFailed", ErrorCategory.NotSpecified, string.Empty),
            };
            return Build(p, id, category, target, action);
        }

        return Build(exception, "UnexpectedError", ErrorCategory.NotSpecified, target, string.Empty);
    }

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
