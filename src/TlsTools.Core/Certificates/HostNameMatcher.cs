using System;
using System.Collections.Generic;
using System.Linq;
using TlsTools.Net;

namespace TlsTools.Certificates;

/// <summary>
/// Certificate name matching for mail servers (RFC 6125 section 6.4, as RFC 7672 section 3.2.3
/// and RFC 8461 section 4.2 apply it): DNS-IDs from the subjectAltName are compared case-insensitively
/// as A-labels; a wildcard is allowed only as the whole left-most label and stands for exactly
/// one label; partial-label wildcards (<c>f*.example.com</c>) never match (RFC 9525); the subject
/// CN is consulted only when the certificate has no DNS-ID at all.
/// </summary>
public static class HostNameMatcher
{
    /// <summary>True when a name of the certificate matches <paramref name="referenceName"/>.</summary>
    public static bool Matches(IEnumerable<string> dnsNames, string? commonName, string referenceName)
    {
        string reference = DomainName.Normalize(referenceName);
        if (reference.Length == 0)
        {
            return false;
        }
        var sans = dnsNames.Where(n => !string.IsNullOrWhiteSpace(n)).ToList();
        IEnumerable<string> presented = sans.Count > 0 ? sans : (commonName is null ? Enumerable.Empty<string>() : new[] { commonName });
        return presented.Any(p => MatchesOne(p, reference));
    }

    /// <summary>The first of <paramref name="referenceNames"/> the certificate matches, or null.</summary>
    public static string? FirstMatch(IEnumerable<string> dnsNames, string? commonName, IEnumerable<string> referenceNames)
    {
        var names = dnsNames.ToList();
        return referenceNames.FirstOrDefault(r => !string.IsNullOrEmpty(r) && Matches(names, commonName, r));
    }

    /// <summary>
    /// Whether a certificate name satisfies an Exchange connector domain (TlsDomain,
    /// TlsSenderCertificateName): a leading <c>*.</c> on the connector domain stands for the domain
    /// and every subdomain (New-OutboundConnector, example 1); a plain connector domain is one host
    /// name, matched by the RFC 6125 rules above (so a <c>*.com</c> certificate matches nothing).
    /// </summary>
    public static bool MatchesConnectorDomain(string connectorDomain, string certificateName)
    {
        string domain = DomainName.Normalize(connectorDomain);
        string name = DomainName.Normalize(certificateName);
        if (domain.Length == 0 || name.Length == 0)
        {
            return false;
        }
        if (!domain.StartsWith("*.", StringComparison.Ordinal))
        {
            return MatchesOne(name, domain);
        }
        string parent = domain.Substring(2);
        if (parent.IndexOf('*') >= 0 || (name.StartsWith("*.", StringComparison.Ordinal) && !IsWildcardName(name)))
        {
            return false;
        }
        string bare = name.StartsWith("*.", StringComparison.Ordinal) ? name.Substring(2) : name;
        return bare.IndexOf('*') < 0 && (bare == parent || bare.EndsWith("." + parent, StringComparison.Ordinal));
    }

    /// <summary>True for a wildcard of RFC 6125's one allowed form: "*." followed by at least two labels.</summary>
    private static bool IsWildcardName(string name) =>
        name.StartsWith("*.", StringComparison.Ordinal) && name.IndexOf('*', 1) < 0 && name.Substring(1).Count(c => c == '.') >= 2;

    private static bool MatchesOne(string presentedName, string reference)
    {
        string presented = DomainName.Normalize(presentedName);
        if (presented.Length == 0)
        {
            return false;
        }
        if (presented.IndexOf('*') < 0)
        {
            return string.Equals(presented, reference, StringComparison.Ordinal);
        }

        // Only "*.rest" with no other '*' is a wildcard; it needs at least two labels after it,
        // so "*.com" never matches anything.
        if (!presented.StartsWith("*.", StringComparison.Ordinal) || presented.IndexOf('*', 1) >= 0)
        {
            return false;
        }
        string suffix = presented.Substring(1); // ".example.com"
        if (suffix.Count(c => c == '.') < 2)
        {
            return false;
        }
        if (!reference.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }
        string firstLabel = reference.Substring(0, reference.Length - suffix.Length);
        return firstLabel.Length > 0 && firstLabel.IndexOf('.') < 0;
    }
}
