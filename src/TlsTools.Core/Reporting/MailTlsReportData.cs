using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Reporting;

/// <summary>The traffic light of a domain in the report.</summary>
public enum ReportLight
{
    /// <summary>Nothing to judge with (policy or scan data alone, a null MX).</summary>
    Grey,
    Green,
    Amber,
    Red,
}

/// <summary>Everything the report shows about one domain (or, with an empty name, the hosts tested directly).</summary>
public sealed class ReportDomain
{
    internal ReportDomain(string name) => Name = name;

    /// <summary>The domain; empty for hosts tested directly.</summary>
    public string Name { get; }

    /// <summary>The Test-MailTls -Summary object, when given.</summary>
    public IReportSource? Summary { get; internal set; }

    /// <summary>The Get-MailTlsPolicy object, when given.</summary>
    public IReportSource? Policy { get; internal set; }

    /// <summary>Test-MailTls results, one per (MX host, address, port), in arrival order.</summary>
    public List<IReportSource> Addresses { get; } = new();

    /// <summary>Get-TlsCipherSuite summaries, one per address.</summary>
    public List<IReportSource> Scans { get; } = new();

    /// <summary>Get-TlsCipherSuite rows, one per accepted pair.</summary>
    public List<IReportSource> Suites { get; } = new();

    internal HashSet<string> AddressKeys { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The report's input, sorted by what it is: domains with their summaries, per-address results,
/// policies and cipher scans; revocation endpoints; message paths. Add objects with
/// <see cref="Add"/>; the writer reads the rest.
/// </summary>
public sealed class MailTlsReportData
{
    private readonly Dictionary<string, ReportDomain> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _hopKeys = new(StringComparer.Ordinal);

    public IEnumerable<ReportDomain> Domains => _domains.Values;

    public List<IReportSource> Endpoints { get; } = new();

    public List<IReportSource> PathSummaries { get; } = new();

    public List<IReportSource> Hops { get; } = new();

    /// <summary>How many objects of each kind were added.</summary>
    public Dictionary<ReportInputKind, int> Counts { get; } = new();

    /// <summary>Adds one input object; returns what it was taken as (Unsupported: left out).</summary>
    public ReportInputKind Add(IReportSource source)
    {
        ReportInputKind kind = ReportInput.Classify(source);
        switch (kind)
        {
            case ReportInputKind.MailTlsResult:
                AddAddress(source);
                break;
            case ReportInputKind.MailTlsDomainSummary:
                ReportDomain d = Domain(ReportValue.Text(source, "Domain"));
                d.Summary = source;
                foreach (IReportSource result in ReportValue.Sources(source, "Results"))
                {
                    AddAddress(result);
                }
                break;
            case ReportInputKind.CipherScanSummary:
                Domain(ReportValue.Text(source, "Domain")).Scans.Add(source);
                break;
            case ReportInputKind.CipherSuiteResult:
                Domain(ReportValue.Text(source, "Domain")).Suites.Add(source);
                break;
            case ReportInputKind.MailTlsPolicy:
                Domain(ReportValue.Text(source, "Domain")).Policy = source;
                break;
            case ReportInputKind.RevocationEndpointResult:
                Endpoints.Add(source);
                break;
            case ReportInputKind.MailTlsHop:
                AddHop(source);
                break;
            case ReportInputKind.MailTlsPathSummary:
                PathSummaries.Add(source);
                foreach (IReportSource hop in ReportValue.Sources(source, "Hops"))
                {
                    AddHop(hop);
                }
                break;
            default:
                return ReportInputKind.Unsupported;
        }
        Counts[kind] = Counts.TryGetValue(kind, out int n) ? n + 1 : 1;
        return kind;
    }

    private ReportDomain Domain(string? name)
    {
        string key = (name ?? string.Empty).Trim().TrimEnd('.');
        if (!_domains.TryGetValue(key, out ReportDomain? d))
        {
            d = new ReportDomain(key);
            _domains.Add(key, d);
        }
        return d;
    }

    private void AddAddress(IReportSource result)
    {
        ReportDomain d = Domain(ReportValue.Text(result, "Domain"));
        // A result piped on its own and again inside its summary is shown once.
        string key = string.Join("|", ReportValue.Text(result, "MxHost"), ReportValue.Text(result, "IPAddress"), ReportValue.Text(result, "Port"));
        if (d.AddressKeys.Add(key))
        {
            d.Addresses.Add(result);
        }
    }

    private void AddHop(IReportSource hop)
    {
        string key = string.Join("|", ReportValue.Text(hop, "Source") ?? ReportValue.Text(hop, "MessageId"), ReportValue.Text(hop, "Index"), ReportValue.Text(hop, "RawHeader")?.GetHashCode());
        if (_hopKeys.Add(key))
        {
            Hops.Add(hop);
        }
    }
}

/// <summary>How the report judges a domain: the summary's verdict when there is one, else a light made from what was given.</summary>
public static class ReportVerdicts
{
    public sealed class DomainVerdict
    {
        public ReportLight Light { get; init; }

        /// <summary>The verdict word shown next to the light.</summary>
        public string Verdict { get; init; } = string.Empty;

        /// <summary>Where the verdict comes from.</summary>
        public string Basis { get; init; } = string.Empty;

        public IReadOnlyList<string> Reasons { get; init; } = Array.Empty<string>();
    }

    public static DomainVerdict Judge(ReportDomain domain, DateTime nowUtc)
    {
        if (domain.Summary is { } summary)
        {
            MailTlsVerdict? v = ReportValue.Enum<MailTlsVerdict>(summary, "Verdict");
            return new DomainVerdict
            {
                Light = v switch
                {
                    MailTlsVerdict.Pass => ReportLight.Green,
                    MailTlsVerdict.Warning => ReportLight.Amber,
                    MailTlsVerdict.Fail => ReportLight.Red,
                    _ => ReportLight.Grey,
                },
                Verdict = v?.ToString() ?? ReportValue.Text(summary, "Verdict") ?? "Unknown",
                Basis = "Test-MailTls -Summary",
                Reasons = ReportValue.Strings(summary, "Reasons"),
            };
        }
        if (domain.Addresses.Count > 0)
        {
            return FromAddresses(domain.Addresses, nowUtc);
        }
        if (domain.Policy is { } policy)
        {
            MailTlsPolicyVerdict? p = ReportValue.Enum<MailTlsPolicyVerdict>(policy, "Verdict");
            return new DomainVerdict
            {
                Light = p switch
                {
                    MailTlsPolicyVerdict.Pass => ReportLight.Green,
                    MailTlsPolicyVerdict.Warning => ReportLight.Amber,
                    MailTlsPolicyVerdict.Fail => ReportLight.Red,
                    _ => ReportLight.Grey,
                },
                Verdict = "Policy " + (p?.ToString() ?? ReportValue.Text(policy, "Verdict") ?? "Unknown"),
                Basis = "Get-MailTlsPolicy only",
                Reasons = ReportValue.Strings(policy, "Reasons"),
            };
        }
        return new DomainVerdict
        {
            Light = ReportLight.Grey,
            Verdict = "Not judged",
            Basis = "cipher suite scan only",
            Reasons = new[] { "No Test-MailTls result for this domain: the report lists what was scanned." },
        };
    }

    /// <summary>
    /// A light from per-address results alone (no summary given): red when an address does not
    /// speak TLS or failed, amber for certificate or protocol findings, else green.
    /// </summary>
    private static DomainVerdict FromAddresses(IReadOnlyList<IReportSource> results, DateTime nowUtc)
    {
        var red = new List<string>();
        var amber = new List<string>();
        foreach (IReportSource r in results)
        {
            string where = $"{ReportValue.Text(r, "MxHost")} ({ReportValue.Text(r, "IPAddress")})";
            if (ReportValue.Text(r, "MxHost") == ".")
            {
                continue;
            }
            string? error = ReportValue.Text(r, "Error");
            if (ReportValue.Bool(r, "TlsEstablished") != true)
            {
                red.Add($"{where}: no TLS{(string.IsNullOrEmpty(error) ? string.Empty : " (" + error + ")")}");
                continue;
            }
            DateTime? notAfter = ReportValue.Date(r, "CertificateNotAfter");
            if (notAfter is { } na && na.ToUniversalTime() < nowUtc)
            {
                red.Add($"{where}: certificate expired on {na:yyyy-MM-dd}");
            }
            else if (notAfter is { } soon && soon.ToUniversalTime() < nowUtc.AddDays(30))
            {
                amber.Add($"{where}: certificate expires on {soon:yyyy-MM-dd}");
            }
            if (ReportValue.Bool(r, "ChainValid") == false)
            {
                amber.Add($"{where}: the chain does not validate");
            }
            if (ReportValue.Bool(r, "NameMatches") == false)
            {
                amber.Add($"{where}: no certificate name matches");
            }
            string? protocol = ReportValue.Text(r, "Protocol");
            if (protocol is "Tls10" or "Tls11" or "Ssl3")
            {
                amber.Add($"{where}: negotiated {protocol}");
            }
            if (ReportValue.Enum<RevocationStatus>(r, "RevocationStatus") == RevocationStatus.Revoked)
            {
                red.Add($"{where}: the certificate is revoked");
            }
        }
        ReportLight light = red.Count > 0 ? ReportLight.Red : amber.Count > 0 ? ReportLight.Amber : ReportLight.Green;
        return new DomainVerdict
        {
            Light = light,
            Verdict = light switch { ReportLight.Red => "Fail", ReportLight.Amber => "Warning", _ => "Pass" },
            Basis = "per-address results (no -Summary given)",
            Reasons = red.Concat(amber).ToList(),
        };
    }
}
