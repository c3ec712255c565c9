using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using TlsTools.CipherSuites;

namespace TlsTools.Headers;

/// <summary>
/// Reads one Received header (RFC 5321 section 4.4, RFC 5322 section 3.6.7) into a
/// <see cref="MailTlsHop"/>: the from, by, via, with, id and for clauses, the date after the last
/// semicolon, and the TLS facts each MTA writes in its own words:
/// <list type="bullet">
/// <item>Postfix (smtpd_tls_received_header): <c>(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) ...)</c>
/// and <c>(Client CN "x", Issuer "y" (verified OK))</c> / <c>(No client certificate requested)</c>;</item>
/// <item>Exim: <c>with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384</c> (4.92 and later), or
/// <c>with esmtps (TLS1.2:ECDHE_RSA_AES_256_GCM_SHA384:256)</c> (older; GnuTLS or OpenSSL names);</item>
/// <item>Exchange and Exchange Online: <c>with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_...)</c>,
/// Exchange 2010 <c>(TLS)</c>;</item>
/// <item>sendmail: <c>(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)</c>;</item>
/// <item>Gmail: <c>(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256)</c>;</item>
/// <item>the RFC 3848 / RFC 6531 protocol keywords alone: ESMTPS, ESMTPSA, LMTPS, UTF8SMTPS... (TLS)
/// and SMTP, ESMTP, ESMTPA, LMTP, UTF8SMTP... (no TLS).</item>
/// </list>
/// Pure and total: any text gives a hop, an unreadable one with Tls Unknown and a note, never an
/// exception. Every regular expression runs on bounded text under a match timeout.
/// </summary>
internal static class ReceivedHeaderParser
{
    /// <summary>Longer headers are not parsed (a real one is a few hundred characters).</summary>
    internal const int MaxHeaderChars = 64 * 1024;

    private static readonly TimeSpan s_regexTimeout = TimeSpan.FromMilliseconds(250);
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;

    private static readonly Regex s_postfixTls = new(
        @"^using\s+(?<ver>\S+)\s+with\s+cipher\s+(?<cipher>\S+)(?:\s+\((?<bits>\d+)/(?<alg>\d+)\s+bits\))?", Options, s_regexTimeout);

    private static readonly Regex s_keyValue = new(
        @"(?:^|[\s,;])(?<key>version|cipher|bits|verify)=(?<value>[^\s,;()]+)", Options, s_regexTimeout);

    private static readonly Regex s_eximTls = new(
        @"^(?<ver>(?:TLS|SSL)v?\d(?:[._]\d)?)(?::(?<cipher>[^:\s]+)(?::(?<bits>\d+))?)?$", Options, s_regexTimeout);

    private static readonly Regex s_postfixClientCert = new(
        @"^Client CN ""(?<cn>.*)"", Issuer ""(?<issuer>.*)"" \((?<verified>verified OK|not verified)\)$", Options, s_regexTimeout);

    private static readonly Regex s_version = new(
        @"^(?<p>TLS|SSL)\s?v?(?<major>\d)(?:[._](?<minor>\d))?$", Options, s_regexTimeout);

    private static readonly Regex s_addressLiteral = new(
        @"\[(?:IPv6:)?(?<ip>[0-9A-Fa-f:.]+)\](?::\d+)?", Options, s_regexTimeout);

    private static readonly Regex s_sendmailVersion = new(
        @"^\d+\.\d+\.\d+(?:\.\d+)?(?:/[\w.\-]+)+$", Options, s_regexTimeout);

    private static readonly HashSet<string> s_keywords = new(StringComparer.OrdinalIgnoreCase) { "from", "by", "via", "with", "id", "for" };

    // RFC 3848 and RFC 6531 "with" keywords (IANA Mail Transmission Types), plus HTTP/HTTPS and
    // SMTPS (implicit TLS, as Gmail writes it): the S suffix says TLS was used.
    private static readonly HashSet<string> s_tlsKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "ESMTPS", "ESMTPSA", "LMTPS", "LMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "UTF8LMTPS", "UTF8LMTPSA", "SMTPS", "HTTPS",
    };

    private static readonly HashSet<string> s_clearKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SMTP", "ESMTP", "ESMTPA", "LMTP", "LMTPA", "UTF8SMTP", "UTF8SMTPA", "UTF8LMTP", "UTF8LMTPA", "HTTP",
    };

    private sealed class Comment
    {
        public Comment(string text, int position)
        {
            Text = text;
            Position = position;
        }

        public string Text { get; }
        public int Position { get; }
        public string Clause { get; set; } = string.Empty;
    }

    /// <summary>Context copied onto every hop of one message.</summary>
    internal sealed class MessageContext
    {
        public string? Source { get; init; }
        public string? MessageId { get; init; }
    }

    /// <summary>Reads one header. <paramref name="raw"/> is the whole field ("Received: ...") as it appears, folded.</summary>
    internal static MailTlsHop Parse(string raw, MessageContext? context = null, IEnumerable<string>? readerNotes = null)
    {
        context ??= new MessageContext();
        var notes = new List<string>(readerNotes ?? Array.Empty<string>());
        string rawHeader = raw.Length > MaxHeaderChars ? raw.Substring(0, MaxHeaderChars) : raw;
        rawHeader = rawHeader.TrimEnd('\r', '\n');
        if (raw.Length > MaxHeaderChars)
        {
            notes.Add($"The header is {raw.Length} characters long; only headers up to {MaxHeaderChars} characters are read.");
            return Unreadable(rawHeader, context, notes);
        }
        try
        {
            return ParseCore(raw, rawHeader, context, notes);
        }
        catch (RegexMatchTimeoutException)
        {
            notes.Add("The header took too long to read.");
            return Unreadable(rawHeader, context, notes);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IndexOutOfRangeException)
        {
            notes.Add("The header could not be read: " + e.Message);
            return Unreadable(rawHeader, context, notes);
        }
    }

    private static MailTlsHop Unreadable(string rawHeader, MessageContext context, List<string> notes) => new()
    {
        Source = context.Source,
        MessageId = context.MessageId,
        Tls = HopTls.Unknown,
        RawHeader = rawHeader,
        Notes = new StringList(notes),
    };

    private static MailTlsHop ParseCore(string raw, string rawHeader, MessageContext context, List<string> notes)
    {
        int colon = raw.IndexOf(':');
        string value = colon >= 0 && raw.Substring(0, colon).Trim().Equals("Received", StringComparison.OrdinalIgnoreCase)
            ? raw.Substring(colon + 1)
            : raw;
        value = Unfold(value);

        // Comments out of the way first: "with" and ";" inside "(using TLSv1.3 with cipher ...)" are not syntax.
        var top = new StringBuilder(value.Length);
        var comments = new List<Comment>();
        var current = new StringBuilder();
        int depth = 0;
        bool quoted = false;
        int semicolon = -1;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (depth > 0)
            {
                if (c == '\\' && i + 1 < value.Length)
                {
                    current.Append(value[++i]);
                }
                else if (c == '(')
                {
                    depth++;
                    current.Append(c);
                }
                else if (c == ')')
                {
                    depth--;
                    if (depth == 0)
                    {
                        comments.Add(new Comment(Collapse(current.ToString()), top.Length));
                        top.Append(' ');
                    }
                    else
                    {
                        current.Append(c);
                    }
                }
                else
                {
                    current.Append(c);
                }
                continue;
            }
            if (quoted)
            {
                top.Append(c);
                if (c == '\\' && i + 1 < value.Length)
                {
                    top.Append(value[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    top.Append(c);
                    break;
                case '(':
                    depth = 1;
                    current.Clear();
                    break;
                case ';':
                    semicolon = top.Length;
                    top.Append(c);
                    break;
                default:
                    top.Append(c);
                    break;
            }
        }
        if (depth > 0)
        {
            notes.Add("A comment is not closed (unbalanced parentheses); its text was read as a comment.");
            comments.Add(new Comment(Collapse(current.ToString()), top.Length));
        }

        string topText = top.ToString();
        string clauseText = semicolon >= 0 ? topText.Substring(0, semicolon) : topText;
        string? dateText = semicolon >= 0 ? Collapse(topText.Substring(semicolon + 1)) : null;

        // Clauses: a keyword starts one, its value runs to the next keyword.
        var clauses = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var clauseStarts = new List<(int Position, string Name)>();
        string? currentClause = null;
        foreach (Match token in Regex.Matches(clauseText, @"\S+", RegexOptions.CultureInvariant, s_regexTimeout))
        {
            if (s_keywords.Contains(token.Value) && !(currentClause is not null && clauses[currentClause].Count == 0))
            {
                currentClause = token.Value.ToLowerInvariant();
                if (clauses.ContainsKey(currentClause))
                {
                    // A second "for" or "id": keep the first value, read no further into it.
                    currentClause = currentClause + "#" + token.Index.ToString(CultureInfo.InvariantCulture);
                }
                clauses[currentClause] = new List<string>();
                clauseStarts.Add((token.Index, currentClause));
                continue;
            }
            if (currentClause is null)
            {
                currentClause = "(before)";
                clauses[currentClause] = new List<string>();
                clauseStarts.Add((0, currentClause));
            }
            clauses[currentClause].Add(token.Value);
        }
        foreach (Comment comment in comments)
        {
            comment.Clause = semicolon >= 0 && comment.Position > semicolon
                ? "(date)"
                : clauseStarts.LastOrDefault(s => s.Position <= comment.Position).Name ?? "(before)";
        }

        List<string> Clause(string name) => clauses.TryGetValue(name, out List<string>? v) ? v : new List<string>();
        IEnumerable<string> CommentsOf(string name) => comments.Where(c => c.Clause == name).Select(c => c.Text);

        // from: HELO name (or an address literal, or Exim's reverse name), then the comment with the address.
        List<string> fromTokens = Clause("from");
        string? from = fromTokens.FirstOrDefault();
        string? fromHostName = null;
        string? fromAddress = null;
        string? fromComment = CommentsOf("from").FirstOrDefault(c => !IsTlsComment(c));
        if (from is not null && s_addressLiteral.Match(from) is { Success: true } literal)
        {
            fromAddress = literal.Groups["ip"].Value;
        }
        if (fromComment is not null)
        {
            Match ip = s_addressLiteral.Match(fromComment);
            if (ip.Success)
            {
                fromAddress = ip.Groups["ip"].Value;
            }
            else if (LooksLikeAddress(fromComment.Split(' ')[0]))
            {
                fromAddress = fromComment.Split(' ')[0];
            }
            Match helo = Regex.Match(fromComment, @"(?:^|\s)helo=(?<h>\S+)", Options, s_regexTimeout);
            string first = fromComment.Split(' ')[0];
            if (helo.Success)
            {
                // Exim: "from <reverse name> ([ip] helo=<helo>)" or "from [ip] (helo=<helo>)".
                if (from is not null && !from.StartsWith("[", StringComparison.Ordinal))
                {
                    fromHostName = TrimDot(from);
                }
                from = helo.Groups["h"].Value;
            }
            else if (first.Length > 0 && !first.StartsWith("[", StringComparison.Ordinal) && !LooksLikeAddress(first)
                && !first.Equals("unknown", StringComparison.OrdinalIgnoreCase) && first.IndexOf('.') > 0 && first.IndexOf('=') < 0)
            {
                fromHostName = TrimDot(first);
            }
        }
        if (from is null && fromTokens.Count == 0 && clauses.ContainsKey("from"))
        {
            notes.Add("The from clause is empty.");
        }

        string? by = Clause("by").FirstOrDefault();
        List<string> withTokens = Clause("with");
        string withText = string.Join(" ", withTokens);
        string? protocol = null;
        if (withText.StartsWith("Microsoft SMTP Server", StringComparison.OrdinalIgnoreCase))
        {
            protocol = "Microsoft SMTP Server";
        }
        else if (withTokens.Count > 0)
        {
            string keyword = withTokens[0].TrimEnd(';', ',');
            protocol = s_tlsKeywords.Contains(keyword) || s_clearKeywords.Contains(keyword) ? keyword.ToUpperInvariant() : keyword;
        }
        string? id = Clause("id").FirstOrDefault()?.TrimEnd(';', ',');
        string? forValue = Clause("for").FirstOrDefault()?.Trim('<', '>', ';', ',');
        if (forValue is { Length: 0 })
        {
            forValue = null;
        }

        // TLS facts, wherever the MTA wrote them (never in the date's comments).
        string? version = null;
        string? cipher = null;
        int? bits = null;
        bool details = false;
        HopClientCertificate? clientCert = null;
        foreach (Comment comment in comments.Where(c => c.Clause != "(date)"))
        {
            string text = comment.Text;
            Match m;
            if ((m = s_postfixTls.Match(text)).Success)
            {
                details = true;
                version ??= m.Groups["ver"].Value;
                cipher ??= m.Groups["cipher"].Value;
                if (m.Groups["bits"].Success)
                {
                    bits ??= ParseInt(m.Groups["bits"].Value);
                }
                continue;
            }
            if ((m = s_eximTls.Match(text)).Success)
            {
                details = true;
                version ??= m.Groups["ver"].Value;
                if (m.Groups["cipher"].Success)
                {
                    cipher ??= m.Groups["cipher"].Value;
                }
                if (m.Groups["bits"].Success)
                {
                    bits ??= ParseInt(m.Groups["bits"].Value);
                }
                continue;
            }
            if (text.Equals("TLS", StringComparison.OrdinalIgnoreCase) && comment.Clause.StartsWith("with", StringComparison.Ordinal))
            {
                // Exchange 2010: "with Microsoft SMTP Server (TLS)".
                details = true;
                continue;
            }
            if ((m = s_postfixClientCert.Match(text)).Success)
            {
                bool verified = m.Groups["verified"].Value.Equals("verified OK", StringComparison.OrdinalIgnoreCase);
                clientCert = new HopClientCertificate
                {
                    Requested = true,
                    Presented = true,
                    Subject = m.Groups["cn"].Value,
                    Issuer = m.Groups["issuer"].Value,
                    Verified = verified,
                    Recorded = text,
                };
                continue;
            }
            if (text.Equals("No client certificate requested", StringComparison.OrdinalIgnoreCase))
            {
                clientCert = new HopClientCertificate { Requested = false, Presented = false, Recorded = text };
                continue;
            }
            if (text.Equals("Client did not present a certificate", StringComparison.OrdinalIgnoreCase))
            {
                clientCert = new HopClientCertificate { Requested = true, Presented = false, Recorded = text };
                continue;
            }
            if (text.Equals("Google Transport Security", StringComparison.OrdinalIgnoreCase))
            {
                notes.Add("Google Transport Security: Google's own transport between its servers.");
                continue;
            }
            MatchCollection pairs = s_keyValue.Matches(text);
            if (pairs.Count > 0)
            {
                var kv = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (Match pair in pairs)
                {
                    kv[pair.Groups["key"].Value] = pair.Groups["value"].Value;
                }
                if (kv.ContainsKey("version") || kv.ContainsKey("cipher"))
                {
                    details = true;
                    if (kv.TryGetValue("version", out string? v))
                    {
                        version ??= v;
                    }
                    if (kv.TryGetValue("cipher", out string? ci))
                    {
                        cipher ??= ci;
                    }
                    if (kv.TryGetValue("bits", out string? b))
                    {
                        bits ??= ParseInt(b.Split('/')[0]);
                    }
                    if (kv.TryGetValue("verify", out string? verify))
                    {
                        clientCert = SendmailVerify(verify, "verify=" + verify);
                    }
                }
            }
        }

        // Exim 4.92 and later: "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384".
        int tlsWord = withTokens.FindIndex(t => t.Equals("tls", StringComparison.OrdinalIgnoreCase));
        if (tlsWord >= 1 && tlsWord + 1 < withTokens.Count)
        {
            details = true;
            cipher = withTokens[tlsWord + 1].TrimEnd(';', ',');
        }

        TlsProtocolVersion? tlsVersion = null;
        if (version is not null)
        {
            tlsVersion = ParseVersion(version);
            if (tlsVersion is null)
            {
                notes.Add(version.IndexOf('/') >= 0
                    ? $"The header records the protocol family '{version}', not the version that was negotiated."
                    : $"TLS version '{version}' is not one this module knows.");
            }
        }
        string? cipherSuite = null;
        if (cipher is not null)
        {
            cipherSuite = CipherSuiteNames.ToIana(cipher, tlsVersion == TlsProtocolVersion.Tls13);
            if (cipherSuite is null)
            {
                notes.Add($"Cipher '{cipher}' is not a name this module can map to an IANA name.");
            }
        }

        HopTls tls = HopTls.Unknown;
        bool keywordTls = protocol is not null && s_tlsKeywords.Contains(protocol);
        bool keywordClear = protocol is not null && s_clearKeywords.Contains(protocol);
        if (details)
        {
            tls = HopTls.True;
            if (keywordClear)
            {
                notes.Add($"The protocol keyword {protocol} says no TLS, but the header records TLS details; the details win.");
            }
        }
        else if (keywordTls)
        {
            tls = HopTls.True;
        }
        else if (keywordClear)
        {
            tls = HopTls.False;
        }
        if (clientCert is not null && tls == HopTls.Unknown)
        {
            // Postfix writes its client certificate line only for TLS sessions.
            tls = HopTls.True;
        }

        DateTimeOffset? timestamp = null;
        if (string.IsNullOrWhiteSpace(dateText))
        {
            notes.Add("The header has no date.");
        }
        else if (MimeKit.Utils.DateUtils.TryParse(dateText, out DateTimeOffset parsed))
        {
            timestamp = parsed;
        }
        else
        {
            notes.Add($"The date '{Shorten(dateText!)}' is not readable.");
        }

        if (by is null && from is null && withTokens.Count == 0)
        {
            notes.Add("Not a Received header this module can read (no from, by or with clause).");
        }

        return new MailTlsHop
        {
            Source = context.Source,
            MessageId = context.MessageId,
            From = from is null ? null : TrimDot(from),
            FromHostName = fromHostName,
            FromAddress = fromAddress,
            By = by is null ? null : TrimDot(by),
            Protocol = protocol,
            Tls = tls,
            TlsVersion = tlsVersion,
            CipherSuite = cipherSuite,
            RecordedCipher = cipher,
            Bits = bits,
            ClientCertificate = clientCert,
            Timestamp = timestamp,
            Software = DetectSoftware(by, withText, comments),
            Id = id,
            For = forValue,
            RawHeader = rawHeader,
            Notes = notes.Count == 0 ? StringList.None : new StringList(notes),
        };
    }

    private static bool IsTlsComment(string text) =>
        s_postfixTls.IsMatch(text) || s_eximTls.IsMatch(text) || text.StartsWith("Client ", StringComparison.OrdinalIgnoreCase)
        || text.Equals("No client certificate requested", StringComparison.OrdinalIgnoreCase)
        || s_keyValue.IsMatch(text) && !text.Contains("helo=");

    /// <summary>sendmail's ${verify}: OK, NO (none presented), NOT (not requested), FAIL (presented, not verified), NONE (no STARTTLS), ...</summary>
    private static HopClientCertificate SendmailVerify(string verify, string recorded) => verify.ToUpperInvariant() switch
    {
        "OK" or "TRUSTED" => new HopClientCertificate { Requested = true, Presented = true, Verified = true, Recorded = recorded },
        "FAIL" => new HopClientCertificate { Requested = true, Presented = true, Verified = false, Recorded = recorded },
        "NO" => new HopClientCertificate { Requested = true, Presented = false, Recorded = recorded },
        "NOT" => new HopClientCertificate { Requested = false, Presented = false, Recorded = recorded },
        _ => new HopClientCertificate { Recorded = recorded },
    };

    internal static TlsProtocolVersion? ParseVersion(string text)
    {
        string t = text.Trim().Trim(',', ';');
        Match m = s_version.Match(t);
        if (!m.Success)
        {
            return null;
        }
        int major = m.Groups["major"].Value[0] - '0';
        int? minor = m.Groups["minor"].Success ? m.Groups["minor"].Value[0] - '0' : null;
        if (m.Groups["p"].Value.Equals("SSL", StringComparison.OrdinalIgnoreCase))
        {
            return major == 3 ? TlsProtocolVersion.Ssl3 : null;
        }
        return (major, minor) switch
        {
            (1, null) or (1, 0) => TlsProtocolVersion.Tls10,
            (1, 1) => TlsProtocolVersion.Tls11,
            (1, 2) => TlsProtocolVersion.Tls12,
            (1, 3) => TlsProtocolVersion.Tls13,
            _ => null,
        };
    }

    private static string? DetectSoftware(string? by, string withText, List<Comment> comments)
    {
        string host = (by ?? string.Empty).TrimEnd('.').ToLowerInvariant();
        if (withText.StartsWith("Microsoft SMTP Server", StringComparison.OrdinalIgnoreCase)
            || withText.StartsWith("mapi", StringComparison.OrdinalIgnoreCase))
        {
            return host.EndsWith(".outlook.com", StringComparison.Ordinal) || host.EndsWith(".office365.com", StringComparison.Ordinal)
                || host.EndsWith(".outlook.cn", StringComparison.Ordinal)
                ? "Exchange Online"
                : "Exchange";
        }
        foreach (Comment c in comments.Where(c => c.Clause.StartsWith("by", StringComparison.Ordinal) || c.Clause.StartsWith("with", StringComparison.Ordinal)))
        {
            string t = c.Text;
            if (t.Equals("Postfix", StringComparison.OrdinalIgnoreCase) || t.StartsWith("Postfix,", StringComparison.OrdinalIgnoreCase))
            {
                return "Postfix";
            }
            if (t.StartsWith("Exim ", StringComparison.OrdinalIgnoreCase))
            {
                return "Exim";
            }
            if (s_sendmailVersion.IsMatch(t) || t.IndexOf("sendmail", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return "sendmail";
            }
            foreach (string name in new[] { "Dovecot", "OpenSMTPD", "Haraka", "MDaemon", "Zimbra", "Courier" })
            {
                if (t.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                {
                    return name;
                }
            }
            if (t.StartsWith("qmail", StringComparison.OrdinalIgnoreCase))
            {
                return "qmail";
            }
        }
        if (host == "mx.google.com" || host.EndsWith(".google.com", StringComparison.Ordinal) || host == "smtp.gmail.com"
            || comments.Any(c => c.Text.Equals("Google Transport Security", StringComparison.OrdinalIgnoreCase)))
        {
            return "Gmail";
        }
        if (comments.Any(c => c.Text.StartsWith("Postfix", StringComparison.OrdinalIgnoreCase)))
        {
            return "Postfix";
        }
        if (comments.Any(c => c.Text.StartsWith("Exim ", StringComparison.OrdinalIgnoreCase)))
        {
            return "Exim";
        }
        if (comments.Any(c => s_keyValue.IsMatch(c.Text) && c.Text.IndexOf("verify=", StringComparison.OrdinalIgnoreCase) >= 0))
        {
            return "sendmail";
        }
        return null;
    }

    /// <summary>Removes folding (CRLF or LF before white space) and turns control characters into spaces.</summary>
    internal static string Unfold(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            sb.Append(c == '\r' || c == '\n' || c == '\t' || char.IsControl(c) ? ' ' : c);
        }
        return sb.ToString();
    }

    private static string Collapse(string text) => Regex.Replace(text, @"\s+", " ", RegexOptions.CultureInvariant, s_regexTimeout).Trim();

    private static string TrimDot(string name) => name.Length > 1 ? name.TrimEnd('.') : name;

    private static string Shorten(string text) => text.Length > 80 ? text.Substring(0, 80) + "..." : text;

    private static int? ParseInt(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : null;

    internal static bool LooksLikeAddress(string text)
    {
        string t = text.Trim('[', ']');
        if (t.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            t = t.Substring(5);
        }
        return t.Length > 0 && System.Net.IPAddress.TryParse(t, out _) && (t.IndexOf('.') >= 0 || t.IndexOf(':') >= 0);
    }
}
