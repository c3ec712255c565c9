using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TlsTools.Net;

using TlsTools.Certificates;

namespace TlsTools.Connectors;

/// <summary>Syntax checks for the values connectors take: domains with Exchange wildcards, addresses, smart hosts.</summary>
public static class ConnectorValues
{
    private static readonly Regex DottedQuad = new(@"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$", RegexOptions.CultureInvariant);

    /// <summary>
    /// Checks a domain as connector fields take it: a DNS name, or <c>*.</c> followed by one
    /// (that domain and all its subdomains), or, where <paramref name="allowBareStar"/>, a bare <c>*</c>.
    /// Returns the rule broken, or null.
    /// </summary>
    public static ConnectorRule? CheckDomain(string? value, bool allowBareStar)
    {
        if (value is null)
        {
            return ConnectorRules.InvalidDomainName;
        }
        string v = value.Trim();
        if (v == "*")
        {
            return allowBareStar ? null : ConnectorRules.EmbeddedWildcardNotAllowed;
        }
        if (v.IndexOf('*') >= 0)
        {
            if (!v.StartsWith("*.", StringComparison.Ordinal) || v.IndexOf('*', 1) >= 0)
            {
                return ConnectorRules.EmbeddedWildcardNotAllowed;
            }
            v = v.Substring(2);
        }
        return IsDnsName(v) ? null : ConnectorRules.InvalidDomainName;
    }

    /// <summary>True for a DNS name of at least one label (no wildcard).</summary>
    public static bool IsDnsName(string value) =>
        value.Length > 0 && value.Trim() == value && DomainName.IsValidHostName(value);

    /// <summary>Lower-cases a domain (keeping a leading <c>*.</c>), converts Unicode labels to A-labels and drops a trailing dot.</summary>
    public static string NormalizeDomain(string value)
    {
        string v = value.Trim();
        if (v == "*")
        {
            return v;
        }
        if (v.StartsWith("*.", StringComparison.Ordinal))
        {
            return "*." + DomainName.Normalize(v.Substring(2));
        }
        return DomainName.Normalize(v);
    }

    /// <summary>True when the value is a wildcard domain (<c>*</c> or <c>*.x</c>).</summary>
    public static bool IsWildcard(string value) => value.IndexOf('*') >= 0;

    /// <summary>Parses a strict dotted-quad IPv4 address (IPAddress.Parse also takes "1" or "1.2").</summary>
    public static bool TryParseIPv4(string text, out IPAddress? address)
    {
        address = null;
        Match m = DottedQuad.Match(text);
        if (!m.Success)
        {
            return false;
        }
        for (int i = 1; i <= 4; i++)
        {
            if (int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }
        address = IPAddress.Parse(text);
        return true;
    }

    private static bool TryParseIPv6(string text, out IPAddress? address)
    {
        address = null;
        if (text.IndexOf(':') < 0 || text.IndexOf('%') >= 0)
        {
            return false;
        }
        if (IPAddress.TryParse(text, out IPAddress? a) && a.AddressFamily == AddressFamily.InterNetworkV6)
        {
            address = a;
            return true;
        }
        return false;
    }

    private static bool TryParsePrefix(string text, int max, out int prefix)
    {
        prefix = -1;
        if (text.Length == 0 || text.Length > 3 || !text.All(c => c >= '0' && c <= '9'))
        {
            return false;
        }
        prefix = int.Parse(text, CultureInfo.InvariantCulture);
        return prefix <= max;
    }

    /// <summary>
    /// Checks an Exchange Online SenderIPAddresses entry: an IPv4 address or an IPv4 CIDR prefix of /24 to /32.
    /// Returns the rule broken, or null.
    /// </summary>
    public static ConnectorRule? CheckSenderIPAddress(string? value)
    {
        string v = value?.Trim() ?? string.Empty;
        int slash = v.IndexOf('/');
        string address = slash < 0 ? v : v.Substring(0, slash);
        if (TryParseIPv6(address, out _))
        {
            return ConnectorRules.SenderIPAddressIPv6NotAllowed;
        }
        if (!TryParseIPv4(address, out _))
        {
            return ConnectorRules.InvalidIPAddress;
        }
        if (slash < 0)
        {
            return null;
        }
        if (!TryParsePrefix(v.Substring(slash + 1), 32, out int prefix))
        {
            return ConnectorRules.InvalidIPAddress;
        }
        return prefix >= 24 && prefix <= 32 ? null : ConnectorRules.SenderIPAddressPrefixOutOfRange;
    }

    /// <summary>
    /// Checks an on-premises RemoteIPRanges entry: an IPv4 or IPv6 address, a range <c>a-b</c> of one
    /// family, or a CIDR prefix. Returns true when valid.
    /// </summary>
    public static bool IsRemoteIPRange(string? value)
    {
        string v = value?.Trim() ?? string.Empty;
        if (v.Length == 0)
        {
            return false;
        }
        int dash = v.IndexOf('-');
        if (dash > 0)
        {
            string a = v.Substring(0, dash), b = v.Substring(dash + 1);
            return (TryParseIPv4(a, out _) && TryParseIPv4(b, out _)) || (TryParseIPv6(a, out _) && TryParseIPv6(b, out _));
        }
        int slash = v.IndexOf('/');
        string address = slash < 0 ? v : v.Substring(0, slash);
        bool v4 = TryParseIPv4(address, out _);
        bool v6 = !v4 && TryParseIPv6(address, out _);
        if (!v4 && !v6)
        {
            return false;
        }
        return slash < 0 || TryParsePrefix(v.Substring(slash + 1), v4 ? 32 : 128, out _);
    }

    /// <summary>
    /// Checks a smart host: a host name or an IP address; Exchange Online also takes an IPv4 CIDR prefix.
    /// </summary>
    public static bool IsSmartHost(string? value, bool allowCidr)
    {
        string v = value?.Trim() ?? string.Empty;
        if (v.Length == 0)
        {
            return false;
        }
        int slash = v.IndexOf('/');
        if (slash > 0)
        {
            return allowCidr && TryParseIPv4(v.Substring(0, slash), out _) && TryParsePrefix(v.Substring(slash + 1), 32, out _);
        }
        if (v.StartsWith("[", StringComparison.Ordinal) && v.EndsWith("]", StringComparison.Ordinal))
        {
            v = v.Substring(1, v.Length - 2);
        }
        return TryParseIPv4(v, out _) || TryParseIPv6(v, out _) || IsDnsName(v);
    }

    /// <summary>Whether any of the certificate's names matches the connector domain.</summary>
    public static bool CertificateMatches(string connectorDomain, IEnumerable<string> certificateNames) =>
        certificateNames.Any(n => HostNameMatcher.MatchesConnectorDomain(connectorDomain, n));

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
}

/// <summary>The name chosen for a connector from the certificates seen, and how it was chosen.</summary>
public sealed class CertificateNameChoice
{
    internal CertificateNameChoice(string name, CertificateNameBasis basis, int covered, int total)
    {
        Name = name;
        Basis = basis;
        Covered = covered;
        Total = total;
    }

    public string Name { get; }
    public CertificateNameBasis Basis { get; }

    /// <summary>How many of the certificates carry (match) the name.</summary>
    public int Covered { get; }
    public int Total { get; }
}

#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum CertificateNameBasis
{
    /// <summary>Every certificate carries this name.</summary>
    CarriedByAll,
    /// <summary>No name is on every certificate; every certificate has a name under this parent domain (the connector takes *.parent).</summary>
    CommonParent,
    /// <summary>The certificates disagree; this name is carried by the most of them.</summary>
    CarriedByMost,
}

/// <summary>Chooses the one name a connector expects (TlsDomain, TlsSenderCertificateName) from the certificates seen.</summary>
public static class CertificateNameChooser
{
    /// <summary>
    /// Chooses a name that every certificate matches: a name on all of them (preferring one that is
    /// each certificate's common name, then a plain name over a wildcard, then the shortest); else
    /// <c>*.parent</c> for a parent domain all names share (a partner domain, a subdomain of one, or a
    /// name of three labels or more, never a bare TLD-like suffix); else the name carried by most.
    /// Returns null when there are no names at all.
    /// </summary>
    /// <param name="certificates">Per certificate: its DNS names and its common name.</param>
    /// <param name="partnerDomains">The partner's domains, which may serve as the common parent.</param>
    public static CertificateNameChoice? Choose(IReadOnlyList<(IReadOnlyList<string> Names, string? CommonName)> certificates, IEnumerable<string> partnerDomains)
    {
        var sets = certificates
            .Select(c => (Names: NamesOf(c.Names, c.CommonName), Cn: c.CommonName?.Trim().ToLowerInvariant()))
            .Where(c => c.Names.Count > 0)
            .ToList();
        if (sets.Count == 0)
        {
            return null;
        }

        IEnumerable<string> common = sets[0].Names;
        foreach (var s in sets.Skip(1))
        {
            common = common.Intersect(s.Names, StringComparer.Ordinal);
        }
        string? best = common
            .OrderBy(n => sets.All(s => s.Cn == n) ? 0 : 1)
            .ThenBy(n => ConnectorValues.IsWildcard(n) ? 1 : 0)
            .ThenBy(n => n.Length)
            .ThenBy(n => n, StringComparer.Ordinal)
            .FirstOrDefault();
        if (best is not null)
        {
            return new CertificateNameChoice(best, CertificateNameBasis.CarriedByAll, sets.Count, sets.Count);
        }

        var partners = partnerDomains.Select(d => d.Trim().TrimStart('*', '.').ToLowerInvariant()).ToList();
        string? parent = CommonParent(sets.Select(s => s.Names).ToList(), partners);
        if (parent is not null)
        {
            return new CertificateNameChoice("*." + parent, CertificateNameBasis.CommonParent, sets.Count, sets.Count);
        }

        var counts = sets.SelectMany(s => s.Names.Where(n => !ConnectorValues.IsWildcard(n)))
            .Distinct(StringComparer.Ordinal)
            .Select(n => (Name: n, Count: sets.Count(s => ConnectorValues.CertificateMatches(n, s.Names))))
            .OrderByDescending(x => x.Count)
            .ThenBy(x => sets.FindIndex(s => s.Names.Contains(x.Name)))
            .ThenBy(x => x.Name.Length)
            .ToList();
        if (counts.Count == 0)
        {
            string w = sets[0].Names[0];
            return new CertificateNameChoice(w, CertificateNameBasis.CarriedByMost, sets.Count(s => s.Names.Contains(w)), sets.Count);
        }
        return new CertificateNameChoice(counts[0].Name, CertificateNameBasis.CarriedByMost, counts[0].Count, sets.Count);
    }

    /// <summary>The names of a certificate, lower-cased; the common name stands in when there are no DNS names.</summary>
    public static IReadOnlyList<string> NamesOf(IEnumerable<string>? dnsNames, string? commonName)
    {
        var names = (dnsNames ?? Enumerable.Empty<string>())
            .Select(n => n.Trim().TrimEnd('.').ToLowerInvariant())
            .Where(n => n.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (names.Count == 0 && !string.IsNullOrWhiteSpace(commonName) && ConnectorValues.CheckDomain(commonName!.Trim(), false) is null)
        {
            names.Add(commonName.Trim().TrimEnd('.').ToLowerInvariant());
        }
        return names;
    }

    private static string? CommonParent(List<IReadOnlyList<string>> sets, List<string> partners)
    {
        // Candidate parents: every proper suffix of every name of the first certificate.
        var candidates = new List<string>();
        foreach (string name in sets[0])
        {
            string bare = name.StartsWith("*.", StringComparison.Ordinal) ? name.Substring(2) : name;
            string rest = name.StartsWith("*.", StringComparison.Ordinal) ? bare : (bare.IndexOf('.') > 0 ? bare.Substring(bare.IndexOf('.') + 1) : string.Empty);
            while (rest.Length > 0)
            {
                candidates.Add(rest);
                int dot = rest.IndexOf('.');
                rest = dot > 0 ? rest.Substring(dot + 1) : string.Empty;
            }
        }
        return candidates
            .Distinct(StringComparer.Ordinal)
            .Where(p => Acceptable(p, partners))
            .Where(p => sets.All(s => ConnectorValues.CertificateMatches("*." + p, s)))
            .OrderByDescending(p => p.Length)
            .FirstOrDefault();
    }

    private static bool Acceptable(string parent, List<string> partners)
    {
        int labels = parent.Split('.').Length;
        if (labels < 2)
        {
            return false;
        }
        return labels >= 3 || partners.Any(d => d == parent || parent.EndsWith("." + d, StringComparison.Ordinal));
    }
}
