using System;

namespace TlsTools.Net;

/// <summary>Syntax checks and normalisation for DNS names (RFC 1035 letters-digits-hyphen, RFC 5890 A-labels).</summary>
public static class DomainName
{
    /// <summary>True when <paramref name="name"/> is a syntactically valid host name (labels of 1-63 LDH characters, 253 total). Underscores are allowed, as real DNS data has them.</summary>
    public static bool IsValidHostName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }
        string n = name.EndsWith(".", StringComparison.Ordinal) ? name.Substring(0, name.Length - 1) : name;
        if (n.Length == 0 || n.Length > 253)
        {
            return false;
        }
        foreach (string label in n.Split('.'))
        {
            if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[label.Length - 1] == '-')
            {
                return false;
            }
            foreach (char c in label)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>Lower-cases, converts Unicode labels to A-labels and drops a trailing dot.</summary>
    public static string Normalize(string name)
    {
        string n = name.Trim().TrimEnd('.');
        try
        {
            n = new System.Globalization.IdnMapping().GetAscii(n);
        }
        catch (ArgumentException)
        {
            // Leave names IDNA rejects as they are: the syntax check reports them.
        }
        return n.ToLowerInvariant();
    }
}
