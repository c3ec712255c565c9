using System;
using System.Management.Automation;

namespace TlsTools.Commands;

/// <summary>
/// Error records for input that cannot be used (a missing file, a bad URL, a malformed thumbprint),
/// with stable ErrorIds. An endpoint that cannot be reached is not an error but a result.
/// </summary>
internal static class InputErrors
{
    public static ErrorRecord PathNotFound(string path, Exception? inner = null) =>
        Build(new System.IO.FileNotFoundException($"Cannot find the certificate file '{path}'.", path, inner), "PathNotFound",
            ErrorCategory.ObjectNotFound, path, "Check the path; wildcards are allowed.");

    public static ErrorRecord CertificateFileInvalid(string path, Exception inner) =>
        Build(inner, "CertificateFileInvalid", ErrorCategory.InvalidData, path,
            "Give a file with one or more certificates: DER (.cer, .crt), PEM (a chain file too) or PKCS#7 (.p7b, .p7c).");

    public static ErrorRecord CertificateFileUnreadable(string path, Exception inner) =>
        Build(inner, "CertificateFileUnreadable", ErrorCategory.ReadError, path, "Check that the file can be read by this account.");

    public static ErrorRecord InvalidUri(string uri, string message) =>
        Build(new ArgumentException(message), "InvalidUri", ErrorCategory.InvalidArgument, uri,
            "Give absolute http:// or https:// URLs, e.g. http://crl.example.com/ca.crl.");

    public static ErrorRecord InvalidThumbprint(string thumbprint) =>
        Build(new ArgumentException($"'{thumbprint}' is not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint."),
            "InvalidThumbprint", ErrorCategory.InvalidArgument, thumbprint, "Copy the thumbprint from the certificate's details; spaces and colons are allowed.");

    /// <summary>A domain name that cannot be a mail domain; <paramref name="reason"/> says why.</summary>
    public static ErrorRecord InvalidDomainName(string input, string? reason) =>
        new(new ArgumentException(reason), "InvalidDomainName", ErrorCategory.InvalidArgument, input);

    /// <summary>A target that is neither a host name, an address, nor host:port.</summary>
    public static ErrorRecord InvalidComputerName(string input) =>
        new(new ArgumentException($"'{input}' is not a host name, an address, or host:port."), "InvalidComputerName", ErrorCategory.InvalidArgument, input);

    public static ErrorRecord CheckFailed(Exception exception, string target) =>
        Build(exception, "RevocationCheckFailed", ErrorCategory.NotSpecified, target, string.Empty);

    private static ErrorRecord Build(Exception exception, string errorId, ErrorCategory category, string target, string action)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        record.ErrorDetails = new ErrorDetails(exception.Message.Contains(target) ? exception.Message : $"{target}: {exception.Message}");
        if (action.Length > 0)
        {
            record.ErrorDetails.RecommendedAction = action;
        }
        return record;
    }
}
