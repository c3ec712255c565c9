using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Reporting;

/// <summary>The TlsTools output types the report reads.</summary>
public enum ReportInputKind
{
    /// <summary>Not a TlsTools output the report reads.</summary>
    Unsupported,
    /// <summary>Test-MailTls: one address.</summary>
    MailTlsResult,
    /// <summary>Test-MailTls -Summary: one domain.</summary>
    MailTlsDomainSummary,
    /// <summary>Get-TlsCipherSuite: one accepted (protocol, suite) pair.</summary>
    CipherSuiteResult,
    /// <summary>Get-TlsCipherSuite -Summary: one address.</summary>
    CipherScanSummary,
    /// <summary>Get-MailTlsPolicy: one domain.</summary>
    MailTlsPolicy,
    /// <summary>Test-CrlReachability: one endpoint.</summary>
    RevocationEndpointResult,
    /// <summary>Get-MailTlsPath: one hop.</summary>
    MailTlsHop,
    /// <summary>Get-MailTlsPath -Summary: one message.</summary>
    MailTlsPathSummary,
}

/// <summary>Tells which TlsTools output an object is, by its type name (live or <c>Deserialized.</c>), else by its properties.</summary>
public static class ReportInput
{
    private const string Deserialized = "Deserialized.";

    // Property sets that only the given output has: objects that lost their type name (ConvertFrom-Json,
    // Import-Csv of a JSON round trip, Select-Object *) are still recognised.
    private static readonly (ReportInputKind Kind, string[] Properties)[] s_shapes =
    {
        (ReportInputKind.MailTlsDomainSummary, new[] { "Domain", "Verdict", "LowestExchangeTlsLevel", "AddressesTested" }),
        (ReportInputKind.MailTlsResult, new[] { "Domain", "MxHost", "IPAddress", "ExchangeTlsLevel", "TlsEstablished" }),
        (ReportInputKind.CipherScanSummary, new[] { "ComputerName", "IPAddress", "SupportedProtocols", "LegacyProtocolAccepted" }),
        (ReportInputKind.CipherSuiteResult, new[] { "ComputerName", "IPAddress", "Protocol", "Name", "Strength", "ExchangeOnline" }),
        (ReportInputKind.MailTlsPolicy, new[] { "Domain", "Verdict", "MtaStsMode", "DaneApplies", "DnssecSource" }),
        (ReportInputKind.RevocationEndpointResult, new[] { "Kind", "Uri", "Reachable", "Status", "Detail" }),
        (ReportInputKind.MailTlsPathSummary, new[] { "HopCount", "TlsHops", "ClearHops", "BoundaryTls12OrLater" }),
        (ReportInputKind.MailTlsHop, new[] { "Index", "By", "Tls", "RawHeader" }),
    };

    public static ReportInputKind Classify(IReportSource source)
    {
        if (source is null)
        {
            return ReportInputKind.Unsupported;
        }
        foreach (string typeName in source.TypeNames)
        {
            string name = typeName.StartsWith(Deserialized, StringComparison.Ordinal) ? typeName.Substring(Deserialized.Length) : typeName;
            if (!name.StartsWith("TlsTools.", StringComparison.Ordinal))
            {
                continue;
            }
            string shortName = name.Substring("TlsTools.".Length);
            if (Enum.TryParse(shortName, ignoreCase: false, out ReportInputKind kind) && kind != ReportInputKind.Unsupported)
            {
                return kind;
            }
        }
        foreach ((ReportInputKind kind, string[] properties) in s_shapes)
        {
            if (properties.All(source.Has))
            {
                return kind;
            }
        }
        return ReportInputKind.Unsupported;
    }

    /// <summary>The type names the report reads, for error messages and help.</summary>
    public static IReadOnlyList<string> SupportedTypeNames { get; } = s_shapes
        .Select(s => "TlsTools." + s.Kind)
        .OrderBy(n => n, StringComparer.Ordinal)
        .ToArray();
}
