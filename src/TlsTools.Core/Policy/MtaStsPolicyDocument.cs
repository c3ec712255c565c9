using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TlsTools.Net;

namespace TlsTools.Policy;

/// <summary>
/// An MTA-STS policy file as parsed (RFC 8461 section 3.2): <c>key: value</c> lines separated by
/// CRLF or LF; version STSv1, a mode, a max_age of at most 31557600 seconds and one or more mx
/// patterns (unless the mode is none). Unknown keys are ignored; for keys other than mx only the
/// first occurrence counts.
/// </summary>
public sealed class MtaStsPolicyDocument
{
    /// <summary>The largest max_age the RFC allows (about one year).</summary>
    public const long MaxAgeLimit = 31557600;

    public MtaStsMode Mode { get; init; }

    public long MaxAge { get; init; }

    /// <summary>The mx patterns in the order given, lower-case, without a trailing dot.</summary>
    public IReadOnlyList<string> Mx { get; init; } = Array.Empty<string>();

    /// <summary>Parses a policy; null with <paramref name="error"/> when it is not a valid STSv1 policy.</summary>
    public static MtaStsPolicyDocument? Parse(string text, out string? error)
    {
        error = null;
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        var mx = new List<string>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                error = $"Line {i + 1} is not 'key: value': '{Shorten(line)}'.";
                return null;
            }
            string key = line.Substring(0, colon).Trim();
            string value = line.Substring(colon + 1).Trim(' ', '\t');
            if (key == "mx")
            {
                mx.Add(value);
            }
            else if (!first.ContainsKey(key))
            {
                first[key] = value;
            }
        }

        if (!first.TryGetValue("version", out string? version))
        {
            error = "The policy has no version field.";
            return null;
        }
        if (version != "STSv1")
        {
            error = $"The policy version is '{Shorten(version)}', not STSv1.";
            return null;
        }
        if (!first.TryGetValue("mode", out string? modeText))
        {
            error = "The policy has no mode field.";
            return null;
        }
        MtaStsMode mode;
        switch (modeText)
        {
            case "enforce": mode = MtaStsMode.Enforce; break;
            case "testing": mode = MtaStsMode.Testing; break;
            case "none": mode = MtaStsMode.None; break;
            default:
                error = $"The policy mode '{Shorten(modeText)}' is not enforce, testing or none.";
                return null;
        }
        if (!first.TryGetValue("max_age", out string? maxAgeText))
        {
            error = "The policy has no max_age field.";
            return null;
        }
        if (maxAgeText.Length is < 1 or > 10 || !maxAgeText.All(c => c is >= '0' and <= '9')
            || !long.TryParse(maxAgeText, NumberStyles.None, CultureInfo.InvariantCulture, out long maxAge) || maxAge > MaxAgeLimit)
        {
            error = $"The policy max_age '{Shorten(maxAgeText)}' is not a number of seconds from 0 to {MaxAgeLimit}.";
            return null;
        }
        var patterns = new List<string>();
        foreach (string pattern in mx)
        {
            string p = pattern.TrimEnd('.').ToLowerInvariant();
            if (!IsValidPattern(p))
            {
                error = $"The mx pattern '{Shorten(pattern)}' is not a host name or '*.' and a domain.";
                return null;
            }
            patterns.Add(p);
        }
        if (patterns.Count == 0 && mode != MtaStsMode.None)
        {
            error = $"The policy has mode {modeText} but no mx pattern.";
            return null;
        }
        return new MtaStsPolicyDocument { Mode = mode, MaxAge = maxAge, Mx = patterns };
    }

    /// <summary>
    /// True when a pattern covers the MX host (section 4.1): a literal name, or <c>*.</c> plus a
    /// domain where the wildcard stands for exactly one left-most label.
    /// </summary>
    public static bool PatternCovers(string pattern, string mxHost)
    {
        string p = pattern.Trim().TrimEnd('.').ToLowerInvariant();
        string host = DomainName.Normalize(mxHost);
        if (p.Length == 0 || host.Length == 0)
        {
            return false;
        }
        if (!p.StartsWith("*.", StringComparison.Ordinal))
        {
            return string.Equals(DomainName.Normalize(p), host, StringComparison.Ordinal);
        }
        string suffix = "." + DomainName.Normalize(p.Substring(2));
        if (suffix.Length < 2 || !host.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }
        string label = host.Substring(0, host.Length - suffix.Length);
        return label.Length > 0 && label.IndexOf('.') < 0;
    }

    /// <summary>The first pattern of this policy that covers <paramref name="mxHost"/>, or null.</summary>
    public string? CoveringPattern(string mxHost) => Mx.FirstOrDefault(p => PatternCovers(p, mxHost));

    private static bool IsValidPattern(string pattern)
    {
        string name = pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern.Substring(2) : pattern;
        if (name.Length == 0 || name.Length > 253 || name.IndexOf('*') >= 0)
        {
            return false;
        }
        return name.Split('.').All(l => l.Length is >= 1 and <= 63
            && l.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' || c > 127)
            && l[0] != '-' && l[l.Length - 1] != '-');
    }

    private static string Shorten(string s) => s.Length <= 80 ? s : s.Substring(0, 80) + "...";
}
