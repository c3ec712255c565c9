using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace TlsTools.Connectors;

/// <summary>
/// Renders specifications as a commented PowerShell script to review and run: one splatted call per
/// specification, from a hashtable literal, with the warnings and evidence as comments. Every value
/// is a single-quoted literal (quotes doubled), so nothing from a certificate, a DNS answer or a
/// parameter is ever interpreted; comments are single lines with control characters replaced.
/// A specification that is not ready to apply is rendered with its call commented out.
/// </summary>
public static class ConnectorScript
{
    /// <summary>The characters PowerShell's tokenizer reads as a single quote (PowerShell's CodeGeneration escapes the same set).</summary>
    private static readonly char[] SingleQuotes = { '\'', '\u2018', '\u2019', '\u201A', '\u201B' };

    public static string Render(IReadOnlyList<ConnectorSpec> specs, string version, DateTime now)
    {
        var sb = new StringBuilder();
        ConnectorPlatform? platform = specs.Select(s => (ConnectorPlatform?)s.Platform).FirstOrDefault();
        sb.Append("# Forced TLS connectors, specified with TlsTools ").Append(Comment(version))
          .Append(" New-ForcedTlsConnectorSpec on ").Append(now.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)).Append(" UTC.\n");
        sb.Append("#\n");
        sb.Append("# Review every value and warning below before running this script. It changes mail flow:\n");
        sb.Append("# a wrong certificate name or a partner server without TLS makes mail queue or bounce.\n");
        sb.Append(platform == ConnectorPlatform.ExchangeServer
            ? "# Run it in the Exchange Management Shell of the organisation the connectors belong to.\n"
            : "# Run it after Connect-ExchangeOnline, connected to the tenant the connectors belong to.\n");
        int notReady = specs.Count(s => !s.ReadyToApply);
        if (notReady > 0)
        {
            sb.Append("# ").Append(notReady.ToString(CultureInfo.InvariantCulture))
              .Append(" of the calls below are commented out: a warning blocks them. Resolve it, or uncomment the call once reviewed.\n");
        }
        sb.Append("\n$ErrorActionPreference = 'Stop'\n");

        for (int i = 0; i < specs.Count; i++)
        {
            ConnectorSpec spec = specs[i];
            string variable = "$spec" + (i + 1).ToString(CultureInfo.InvariantCulture);
            sb.Append('\n');
            sb.Append("# ---- ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(" of ").Append(specs.Count.ToString(CultureInfo.InvariantCulture))
              .Append(": ").Append(Comment(spec.Cmdlet)).Append(' ').Append(Comment(spec.Name))
              .Append(" (").Append(spec.Platform.ToString()).Append(", ").Append(spec.Direction.ToString()).Append(")\n");
            sb.Append("# Ready to apply: ").Append(spec.ReadyToApply ? "yes" : "no").Append('\n');
            if (spec.Warnings.Count > 0)
            {
                sb.Append("# Warnings:\n");
                foreach (string w in spec.Warnings)
                {
                    sb.Append("#   ").Append(Comment(w)).Append('\n');
                }
            }
            if (spec.Evidence.Count > 0)
            {
                sb.Append("# Evidence:\n");
                foreach (string e in spec.Evidence)
                {
                    sb.Append("#   ").Append(Comment(e)).Append('\n');
                }
            }
            sb.Append(variable).Append(" = [ordered]@{\n");
            int width = spec.Parameters.Keys.Cast<object>().Select(k => Key(k).Length).DefaultIfEmpty(0).Max();
            foreach (DictionaryEntry p in spec.Parameters)
            {
                string key = Key(p.Key);
                sb.Append("    ").Append(key).Append(' ', width - key.Length).Append(" = ").Append(Literal(p.Value)).Append('\n');
            }
            sb.Append("}\n");
            string call = Command(spec.Cmdlet) + " @" + variable.Substring(1);
            sb.Append(spec.ReadyToApply ? call : "# " + call + "    # blocked by the warnings above").Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Text made safe for a single-line comment: control and line-separator characters become spaces.</summary>
    public static string Comment(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        var sb = new StringBuilder(text!.Length);
        foreach (char ch in text)
        {
            sb.Append(char.IsControl(ch) || ch == '\u2028' || ch == '\u2029' || ch == '\u0085' ? ' ' : ch);
        }
        return sb.ToString();
    }

    /// <summary>A single-quoted PowerShell string literal: every kind of single quote is doubled.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'');
        foreach (char ch in value)
        {
            if (Array.IndexOf(SingleQuotes, ch) >= 0)
            {
                sb.Append(ch);
            }
            sb.Append(ch);
        }
        sb.Append('\'');
        return sb.ToString();
    }

    /// <summary>A literal for a specification value: $true/$false, a number, a quoted string, @(...) or @{ Add = @(...) }.</summary>
    public static string Literal(object? value)
    {
        switch (value)
        {
            case null:
                return "$null";
            case bool b:
                return b ? "$true" : "$false";
            case int n:
                return n.ToString(CultureInfo.InvariantCulture);
            case string s:
                return Quote(s);
            case IDictionary d:
                var parts = new List<string>();
                foreach (DictionaryEntry e in d)
                {
                    parts.Add(Key(e.Key) + " = " + Literal(e.Value));
                }
                return "@{ " + string.Join("; ", parts) + " }";
            case IEnumerable list:
                return "@(" + string.Join(", ", list.Cast<object?>().Select(Literal)) + ")";
            default:
                throw new ArgumentException($"A specification value of type {value.GetType().FullName} cannot be rendered.", nameof(value));
        }
    }

    /// <summary>A hashtable key: a bare word when it is one (every Exchange parameter name is), quoted otherwise.</summary>
    private static string Key(object key)
    {
        string k = Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty;
        bool bare = k.Length > 0 && (char.IsLetter(k[0]) || k[0] == '_') && k.All(c => (c < 128 && char.IsLetterOrDigit(c)) || c == '_');
        return bare ? k : Quote(k);
    }

    /// <summary>The cmdlet name as a command: only Verb-Noun names of letters are written bare.</summary>
    private static string Command(string cmdlet)
    {
        bool plain = cmdlet.Length > 0 && cmdlet.All(c => (c < 128 && char.IsLetter(c)) || c == '-');
        return plain ? cmdlet : "& " + Quote(cmdlet);
    }
}
