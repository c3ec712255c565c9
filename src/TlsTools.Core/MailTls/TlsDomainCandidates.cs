using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using TlsTools.Certificates;

namespace TlsTools.MailTls;

/// <summary>The TlsDomain values every certificate of a domain's MX hosts satisfies, and, when there are none, the host that breaks it.</summary>
public sealed class TlsDomainAnalysis
{
    internal TlsDomainAnalysis(IReadOnlyList<string> candidates, string? breakingHost, string? explanation)
    {
        Candidates = candidates;
        BreakingHost = breakingHost;
        Explanation = explanation;
    }

    /// <summary>
    /// Host names every certificate carries first, then <c>*.domain</c> values from the most specific,
    /// then host names some certificate satisfies only through a wildcard.
    /// </summary>
    public IReadOnlyList<string> Candidates { get; }

    /// <summary>
    /// When there is no candidate: the first MX host, in delivery order, whose certificate satisfies
    /// none of the values that fit every host before it. Null when there are candidates or no certificates.
    /// </summary>
    public string? BreakingHost { get; }

    /// <summary>A sentence naming the breaking host and the names on the certificates, for a summary's Reasons.</summary>
    public string? Explanation { get; }
}

/// <summary>
/// One outbound connector has one TlsDomain for all of a partner's MX hosts (New-OutboundConnector:
/// "TlsDomain ... is meaningful only when TlsSettings is DomainValidation", checked against the
/// certificate of whichever MX host Exchange Online connects to). This finds the values that every
/// certificate satisfies, by Exchange's rule for the value: a plain host name is matched like a
/// reference name (RFC 6125: a certificate's <c>*.x</c> covers one label), while a leading
/// <c>*.</c> on the TlsDomain covers the domain and every subdomain (New-OutboundConnector example 1;
/// Exchange connector reference rule X2), see <see cref="HostNameMatcher.MatchesConnectorDomain"/>.
/// Pure.
/// </summary>
public static class TlsDomainCandidates
{
    /// <summary>
    /// The candidates for a set of certificates, each given by its DNS names and common name (the
    /// common name counts only when there are no DNS names, RFC 6125 section 6.4.4).
    /// </summary>
    /// <param name="certificates">Per certificate: its DNS names and its common name.</param>
    /// <param name="partnerDomains">The partner's mail domains: a <c>*.parent</c> of two labels is offered only when it is one of them (or lies under one).</param>
    public static IReadOnlyList<string> From(IReadOnlyList<(IReadOnlyList<string> Names, string? CommonName)> certificates, IEnumerable<string> partnerDomains)
    {
        var sets = certificates
            .Select(c => (Names: NamesOf(c.Names, c.CommonName), Cn: c.CommonName?.Trim().TrimEnd('.').ToLowerInvariant()))
            .Where(c => c.Names.Count > 0)
            .ToList();
        if (sets.Count == 0)
        {
            return Array.Empty<string>();
        }
        var partners = partnerDomains.Select(d => d.Trim().TrimEnd('.').TrimStart('*', '.').ToLowerInvariant()).Where(d => d.Length > 0).ToList();

        var plain = sets.SelectMany(s => s.Names)
            .Where(n => !IsWildcard(n))
            .Distinct(StringComparer.Ordinal)
            .Where(n => sets.All(s => Satisfies(n, s.Names)))
            .OrderBy(n => sets.All(s => s.Cn == n) ? 0 : 1)
            .ThenBy(n => n.Length)
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();
        // A host name that some certificate satisfies only through its wildcard reads as one host's
        // name: it comes after the *.domain values.
        var carried = plain.Where(n => sets.All(s => s.Names.Contains(n))).ToList();
        var throughWildcard = plain.Where(n => !carried.Contains(n)).ToList();

        var wildcards = new List<string>();
        foreach (string name in sets.SelectMany(s => s.Names))
        {
            bool wildcard = IsWildcard(name);
            string bare = wildcard ? name.Substring(2) : name;
            string rest = wildcard ? bare : After(bare);
            while (rest.Length > 0)
            {
                wildcards.Add("*." + rest);
                rest = After(rest);
            }
        }
        var parents = wildcards
            .Distinct(StringComparer.Ordinal)
            .Where(w => AcceptableParent(w.Substring(2), partners))
            .Where(w => sets.All(s => Satisfies(w, s.Names)))
            .OrderByDescending(w => w.Length)
            .ThenBy(w => w, StringComparer.Ordinal);
        return carried.Concat(parents).Concat(throughWildcard).ToList();
    }

    /// <summary>
    /// The candidates for a domain's per-address results (the certificates of the addresses that
    /// negotiated TLS), and, when there are none, the host that breaks it.
    /// </summary>
    public static TlsDomainAnalysis Analyze(IEnumerable<MailTlsResult> results, IEnumerable<string> partnerDomains)
    {
        var partners = partnerDomains.ToList();
        var hosts = MailTlsSummarizer.InDeliveryOrder(results.Where(r => r.TlsEstablished))
            .Select(r => (Host: string.IsNullOrEmpty(r.MxHost) ? r.IPAddress : r.MxHost, Names: NamesOf(r.CertificateDnsNames, CommonName(r.CertificateSubject)), Cn: CommonName(r.CertificateSubject)))
            .Where(h => h.Names.Count > 0)
            .ToList();
        var certificates = hosts.Select(h => ((IReadOnlyList<string>)h.Names, h.Cn)).ToList();
        IReadOnlyList<string> candidates = From(certificates, partners);
        if (candidates.Count > 0 || hosts.Count == 0)
        {
            return new TlsDomainAnalysis(candidates, null, null);
        }

        // The first host that no value fitting every host before it fits.
        for (int i = 0; i < hosts.Count; i++)
        {
            if (From(certificates.Take(i + 1).ToList(), partners).Count > 0)
            {
                continue;
            }
            if (i == 0)
            {
                return new TlsDomainAnalysis(candidates, hosts[0].Host,
                    $"No TlsDomain fits the certificate of {hosts[0].Host} ({string.Join(", ", hosts[0].Names)}), so the domain is at most CertificateValidation.");
            }
            IReadOnlyList<string> before = From(certificates.Take(i).ToList(), partners);
            var earlier = hosts.Take(i).GroupBy(h => h.Host, StringComparer.OrdinalIgnoreCase)
                .Select(g => $"{g.Key} ({string.Join(", ", g.SelectMany(x => x.Names).Distinct(StringComparer.Ordinal))})");
            string text = $"No one TlsDomain fits every MX certificate: {hosts[i].Host} presents {string.Join(", ", hosts[i].Names)}, which satisfies none of "
                + $"{string.Join(", ", before)}, the values that fit {string.Join("; ", earlier)}. A DomainValidation connector for the domain would refuse "
                + "one of them (Exchange checks every MX certificate against the connector's one TlsDomain), so the domain is at most CertificateValidation.";
            return new TlsDomainAnalysis(candidates, hosts[i].Host, text);
        }
        return new TlsDomainAnalysis(candidates, null, null);
    }

    /// <summary>Whether a certificate with these names satisfies the TlsDomain value (Exchange's rule, see the class summary).</summary>
    public static bool Satisfies(string tlsDomain, IEnumerable<string> certificateNames) =>
        certificateNames.Any(n => HostNameMatcher.MatchesConnectorDomain(tlsDomain, n));

    /// <summary>The names of a certificate, lower-cased, without a trailing dot; the common name stands in when there are no DNS names.</summary>
    public static IReadOnlyList<string> NamesOf(IEnumerable<string>? dnsNames, string? commonName)
    {
        var names = (dnsNames ?? Enumerable.Empty<string>())
            .Select(n => n.Trim().TrimEnd('.').ToLowerInvariant())
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (names.Count == 0 && !string.IsNullOrWhiteSpace(commonName))
        {
            string cn = commonName!.Trim().TrimEnd('.').ToLowerInvariant();
            string bare = cn.StartsWith("*.", StringComparison.Ordinal) ? cn.Substring(2) : cn;
            if (bare.IndexOf('*') < 0 && Net.DomainName.IsValidHostName(bare))
            {
                names.Add(cn);
            }
        }
        return names;
    }

    /// <summary>
    /// Whether <c>*.parent</c> may be offered: a parent of three labels or more, or one that is a
    /// partner domain or lies under one. A parent of two labels such as <c>co.uk</c> cannot be told
    /// from <c>contoso.com</c> without the public suffix list, so it counts only as the partner's own.
    /// </summary>
    public static bool AcceptableParent(string parent, IEnumerable<string> partnerDomains)
    {
        int labels = parent.Split('.').Length;
        if (labels < 2)
        {
            return false;
        }
        return labels >= 3 || partnerDomains.Any(d => d == parent || parent.EndsWith("." + d, StringComparison.Ordinal));
    }

    /// <summary>The common name of a distinguished name as .NET formats it (<c>CN=x, O=y</c>), or null.</summary>
    public static string? CommonName(string? distinguishedName)
    {
        if (string.IsNullOrEmpty(distinguishedName))
        {
            return null;
        }
        Match m = Regex.Match(distinguishedName, @"(?:^|,\s*)CN=(""[^""]*""|[^,]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        return m.Success ? m.Groups[1].Value.Trim().Trim('"') : null;
    }

    private static bool IsWildcard(string name) => name.StartsWith("*.", StringComparison.Ordinal);

    private static string After(string name)
    {
        int dot = name.IndexOf('.');
        return dot > 0 ? name.Substring(dot + 1) : string.Empty;
    }
}
