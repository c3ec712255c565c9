using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace TlsTools.Smtp;

/// <summary>One SMTP reply (RFC 5321 section 4.2): a three-digit code and one or more text lines.</summary>
public sealed class SmtpReply
{
    public SmtpReply(int code, IReadOnlyList<string> lines)
    {
        Code = code;
        Lines = lines;
    }

    /// <summary>The reply code, 200-599.</summary>
    public int Code { get; }

    /// <summary>The text of each line, without the code and separator.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>2xx.</summary>
    public bool IsPositive => Code >= 200 && Code < 300;

    /// <summary>4xx: try again later (a tarpit, a rate limit, TLS temporarily unavailable).</summary>
    public bool IsTransientNegative => Code >= 400 && Code < 500;

    /// <summary>5xx.</summary>
    public bool IsPermanentNegative => Code >= 500;

    /// <summary>The text as the server sent it, lines joined with a space.</summary>
    public string Text => string.Join(" ", Lines);

    public override string ToString() => string.Join("\n", Lines.Select((l, i) =>
        Code.ToString(CultureInfo.InvariantCulture) + (i == Lines.Count - 1 ? " " : "-") + l));
}

/// <summary>
/// Assembles SMTP reply lines into replies. Lines are fed one at a time, so the parser does no I/O
/// and is tested with plain strings.
/// </summary>
public sealed class SmtpReplyParser
{
    private readonly List<string> _lines = new();
    private int _code = -1;

    public SmtpReplyParser(int maxLines = 100)
    {
        MaxLines = maxLines;
    }

    /// <summary>The most lines one reply may have before it is treated as hostile.</summary>
    public int MaxLines { get; }

    /// <summary>
    /// Adds one line. Returns the complete reply when <paramref name="line"/> was its last line, else null.
    /// Throws <see cref="ProbeException"/> (ProtocolViolation) on a malformed line.
    /// </summary>
    public SmtpReply? Add(string line)
    {
        if (line.Length < 3 || !IsDigit(line[0]) || !IsDigit(line[1]) || !IsDigit(line[2]))
        {
            throw Violation($"'{Net.PlainTextChannel.Printable(Truncate(line))}' is not an SMTP reply line.");
        }
        int code = int.Parse(line.Substring(0, 3), NumberStyles.None, CultureInfo.InvariantCulture);
        if (code < 200 || code > 599)
        {
            throw Violation($"SMTP reply code {code} is out of range.");
        }
        if (_code >= 0 && code != _code)
        {
            throw Violation($"A multi-line SMTP reply changed its code from {_code} to {code}.");
        }
        bool more;
        if (line.Length == 3)
        {
            more = false;
        }
        else if (line[3] == '-')
        {
            more = true;
        }
        else if (line[3] == ' ')
        {
            more = false;
        }
        else
        {
            throw Violation($"'{Net.PlainTextChannel.Printable(Truncate(line))}' has no space or hyphen after the reply code.");
        }

        _code = code;
        _lines.Add(line.Length > 4 ? line.Substring(4) : string.Empty);
        if (_lines.Count > MaxLines)
        {
            throw Violation($"An SMTP reply had more than {MaxLines} lines.");
        }
        if (more)
        {
            return null;
        }

        var reply = new SmtpReply(_code, _lines.ToArray());
        _lines.Clear();
        _code = -1;
        return reply;
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private static string Truncate(string s) => s.Length > 80 ? s.Substring(0, 80) + "..." : s;

    private static ProbeException Violation(string message) => new(ProbeFailureKind.ProtocolViolation, message);
}

/// <summary>The extensions an EHLO reply advertises (RFC 5321 section 4.1.1.1).</summary>
public sealed class EhloCapabilities
{
    private readonly Dictionary<string, string> _keywords;

    private EhloCapabilities(string greetingName, Dictionary<string, string> keywords)
    {
        GreetingName = greetingName;
        _keywords = keywords;
    }

    /// <summary>The domain the server names in the first line of its EHLO reply.</summary>
    public string GreetingName { get; }

    /// <summary>The advertised keywords, upper case, in order.</summary>
    public IReadOnlyCollection<string> Keywords => _keywords.Keys;

    /// <summary>True when STARTTLS is advertised.</summary>
    public bool StartTls => Has("STARTTLS");

    public bool Has(string keyword) => _keywords.ContainsKey(keyword.ToUpperInvariant());

    /// <summary>The parameters of a keyword (e.g. SIZE's limit), or null when it is absent.</summary>
    public string? Parameters(string keyword) => _keywords.TryGetValue(keyword.ToUpperInvariant(), out string? p) ? p : null;

    /// <summary>Reads the capabilities from a 250 EHLO reply.</summary>
    public static EhloCapabilities Parse(SmtpReply reply)
    {
        if (reply.Lines.Count == 0)
        {
            return new EhloCapabilities(string.Empty, new Dictionary<string, string>());
        }
        string first = reply.Lines[0];
        int sp = first.IndexOf(' ');
        string name = sp < 0 ? first : first.Substring(0, sp);
        var keywords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in reply.Lines.Skip(1))
        {
            string trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }
            int s = trimmed.IndexOf(' ');
            string key = (s < 0 ? trimmed : trimmed.Substring(0, s)).ToUpperInvariant();
            string args = s < 0 ? string.Empty : trimmed.Substring(s + 1).Trim();
            if (!keywords.ContainsKey(key))
            {
                keywords.Add(key, args);
            }
        }
        return new EhloCapabilities(name, keywords);
    }
}
