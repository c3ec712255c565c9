using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Policy;

/// <summary>
/// The <c>_mta-sts</c> TXT record of a domain (RFC 8461 section 3.1): <c>v=STSv1; id=...;</c>,
/// <c>v</c> first, an id of 1 to 32 letters and digits, extension fields allowed.
/// </summary>
public sealed class MtaStsRecord
{
    private MtaStsRecord(string text, string id)
    {
        Text = text;
        Id = id;
    }

    /// <summary>The record as published.</summary>
    public string Text { get; }

    /// <summary>The policy id; it changes whenever the policy changes.</summary>
    public string Id { get; }

    /// <summary>True when the TXT string starts like an MTA-STS record ("v=STSv1", then ';' or the end).</summary>
    public static bool LooksLikeRecord(string text)
    {
        string t = text.TrimStart();
        if (!t.StartsWith("v=STSv1", StringComparison.Ordinal))
        {
            return false;
        }
        string rest = t.Substring("v=STSv1".Length).TrimStart(' ', '\t');
        return rest.Length == 0 || rest[0] == ';';
    }

    /// <summary>Parses one record; null with <paramref name="error"/> when it breaks the grammar.</summary>
    public static MtaStsRecord? Parse(string text, out string? error)
    {
        error = null;
        if (!LooksLikeRecord(text))
        {
            error = "The record does not start with v=STSv1.";
            return null;
        }
        string? id = null;
        var fields = text.Split(';').Select(f => f.Trim(' ', '\t')).ToList();
        if (fields.Count > 0 && fields[fields.Count - 1].Length == 0)
        {
            fields.RemoveAt(fields.Count - 1);
        }
        for (int i = 1; i < fields.Count; i++)
        {
            string field = fields[i];
            int eq = field.IndexOf('=');
            if (eq <= 0)
            {
                error = $"The field '{field}' is not name=value.";
                return null;
            }
            string name = field.Substring(0, eq).Trim();
            string value = field.Substring(eq + 1).Trim();
            if (name == "id")
            {
                if (id is not null)
                {
                    error = "The record has more than one id field.";
                    return null;
                }
                if (value.Length is < 1 or > 32 || !value.All(IsAsciiLetterOrDigit))
                {
                    error = $"The id '{value}' is not 1 to 32 letters and digits.";
                    return null;
                }
                id = value;
            }
            else if (!IsExtensionName(name) || value.Length == 0)
            {
                error = $"The field '{field}' is not a valid extension field.";
                return null;
            }
        }
        if (id is null)
        {
            error = "The record has no id field.";
            return null;
        }
        return new MtaStsRecord(text, id);
    }

    /// <summary>
    /// Picks the domain's record from all its TXT strings: exactly one must start with v=STSv1;
    /// none or several mean the domain does not use MTA-STS (section 3.1).
    /// </summary>
    public static MtaStsRecord? Select(IEnumerable<string> txt, out string? error)
    {
        var candidates = txt.Where(LooksLikeRecord).ToList();
        if (candidates.Count == 0)
        {
            error = null;
            return null;
        }
        if (candidates.Count > 1)
        {
            error = $"The domain publishes {candidates.Count} MTA-STS records; with more than one, RFC 8461 section 3.1 says the domain does not use MTA-STS.";
            return null;
        }
        return Parse(candidates[0], out error);
    }

    private static bool IsAsciiLetterOrDigit(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9';

    private static bool IsExtensionName(string name) =>
        name.Length is >= 1 and <= 32 && IsAsciiLetterOrDigit(name[0])
        && name.All(c => IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
