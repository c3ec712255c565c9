using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Policy;

/// <summary>
/// The <c>_smtp._tls</c> TXT record of a domain (RFC 8460 section 3): <c>v=TLSRPTv1; rua=uri[,uri]</c>,
/// <c>v</c> first, <c>rua</c> required, each URI <c>mailto:</c> or <c>https:</c>.
/// </summary>
public sealed class TlsRptRecord
{
    private TlsRptRecord(string text, IReadOnlyList<string> rua)
    {
        Text = text;
        Rua = rua;
    }

    public string Text { get; }

    /// <summary>Where reports go: mailto: and https: URIs, as published.</summary>
    public IReadOnlyList<string> Rua { get; }

    /// <summary>True when the TXT string starts like a TLS-RPT record.</summary>
    public static bool LooksLikeRecord(string text)
    {
        string t = text.TrimStart();
        if (!t.StartsWith("v=TLSRPTv1", StringComparison.Ordinal))
        {
            return false;
        }
        string rest = t.Substring("v=TLSRPTv1".Length).TrimStart(' ', '\t');
        return rest.Length == 0 || rest[0] == ';';
    }

    /// <summary>Parses one record; null with <paramref name="error"/> when it breaks the grammar.</summary>
    public static TlsRptRecord? Parse(string text, out string? error)
    {
        error = null;
        if (!LooksLikeRecord(text))
        {
            error = "The record does not start with v=TLSRPTv1.";
            return null;
        }
        List<string>? rua = null;
        var fields = text.Split(';').Select(f => f.Trim(' ', '\t')).ToList();
        if (fields[fields.Count - 1].Length == 0)
        {
            fields.RemoveAt(fields.Count - 1);
        }
        for (int i = 1; i < fields.Count; i++)
        {
            int eq = fields[i].IndexOf('=');
            if (eq <= 0)
            {
                error = $"The field '{fields[i]}' is not name=value.";
                return null;
            }
            string name = fields[i].Substring(0, eq).Trim();
            string value = fields[i].Substring(eq + 1).Trim();
            if (name != "rua")
            {
                continue;
            }
            if (rua is not null)
            {
                error = "The record has more than one rua field.";
                return null;
            }
            rua = value.Split(',').Select(u => u.Trim(' ', '\t')).ToList();
            foreach (string uri in rua)
            {
                bool mailto = uri.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) && uri.Length > "mailto:".Length;
                bool https = uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(uri, UriKind.Absolute, out _);
                if (!mailto && !https)
                {
                    error = $"The report address '{uri}' is neither a mailto: nor an https: URI.";
                    return null;
                }
            }
        }
        if (rua is null || rua.Count == 0)
        {
            error = "The record has no rua field.";
            return null;
        }
        return new TlsRptRecord(text, rua);
    }

    /// <summary>Picks the domain's record: exactly one TLSRPTv1 record, else reporting is off (section 3).</summary>
    public static TlsRptRecord? Select(IEnumerable<string> txt, out string? error)
    {
        var candidates = txt.Where(LooksLikeRecord).ToList();
        if (candidates.Count == 0)
        {
            error = null;
            return null;
        }
        if (candidates.Count > 1)
        {
            error = $"The domain publishes {candidates.Count} TLS-RPT records; with more than one, RFC 8460 section 3 says no reports are sent.";
            return null;
        }
        return Parse(candidates[0], out error);
    }
}
