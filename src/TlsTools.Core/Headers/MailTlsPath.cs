using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Headers;

/// <summary>One Received header as the reader found it: its text and what the reader noticed (an encoding it had to guess).</summary>
public sealed class RawReceived
{
    public RawReceived(string text, IReadOnlyList<string>? notes = null)
    {
        Text = text;
        Notes = notes ?? Array.Empty<string>();
    }

    public string Text { get; }

    public IReadOnlyList<string> Notes { get; }
}

/// <summary>The header facts of one message, as <see cref="MailHeaderReader"/> read them.</summary>
public sealed class MessageHeaders
{
    public string? Source { get; init; }
    public string? MessageId { get; init; }
    public string? From { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? Date { get; init; }

    /// <summary>The Received headers in message order: the newest (added last, at the top) first.</summary>
    public List<RawReceived> Received { get; } = new();

    /// <summary>Received headers beyond the cap, not read.</summary>
    public int ReceivedSkipped { get; set; }

    public List<string> Notes { get; } = new();
}

/// <summary>
/// Turns a message's Received headers into hops in transit order and judges the path (pure): each
/// hop's delay from the one before, whether it crossed an organisation boundary, and the summary of
/// the message.
/// </summary>
public static class MailTlsPath
{
    /// <summary>At most this many Received headers are read per message (RFC 5321 section 6.3 counts 100 as a loop).</summary>
    public const int MaxHops = 1000;

    // Second-level labels under which a two-letter country code registers names for others
    // (example.co.uk, example.com.au): the organisation is then the last three labels. A short list
    // without the Public Suffix List; -OrganizationDomain settles any case it gets wrong.
    private static readonly HashSet<string> s_secondLevel = new(StringComparer.OrdinalIgnoreCase)
    {
        "co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go", "ltd", "plc", "sch", "nhs", "mil", "gob", "gv", "nic", "gen", "biz", "info",
    };

    /// <summary>The hops of one message, oldest first, with Index, Delay and CrossesOrganization set.</summary>
    public static List<MailTlsHop> Build(MessageHeaders message, IReadOnlyCollection<string>? organizationDomains = null)
    {
        var context = new ReceivedHeaderParser.MessageContext { Source = message.Source, MessageId = message.MessageId };
        var hops = new List<MailTlsHop>(message.Received.Count);
        for (int i = message.Received.Count - 1; i >= 0; i--)
        {
            RawReceived raw = message.Received[i];
            hops.Add(ReceivedHeaderParser.Parse(raw.Text, context, raw.Notes));
        }
        string[] own = (organizationDomains ?? Array.Empty<string>())
            .Select(d => d.Trim().TrimStart('*').Trim('.').ToLowerInvariant())
            .Where(d => d.Length > 0)
            .ToArray();
        MailTlsHop? previous = null;
        for (int i = 0; i < hops.Count; i++)
        {
            MailTlsHop hop = hops[i];
            hop.Index = i + 1;
            if (previous?.Timestamp is { } before && hop.Timestamp is { } now)
            {
                hop.Delay = now - before;
                if (hop.Delay < TimeSpan.Zero)
                {
                    hop.Notes = new StringList(hop.Notes.Append(
                        $"This hop's time is {(-hop.Delay.Value).TotalSeconds:0} s before the previous hop's: the two servers' clocks disagree."));
                }
            }
            hop.CrossesOrganization = CrossesOrganization(hop, own);
            previous = hop;
        }
        if (message.ReceivedSkipped > 0 && hops.Count > 0)
        {
            MailTlsHop oldest = hops[0];
            oldest.Notes = new StringList(oldest.Notes.Append(
                $"{message.ReceivedSkipped} older Received headers were not read (at most {MaxHops} are read per message)."));
        }
        return hops;
    }

    internal static bool? CrossesOrganization(MailTlsHop hop, IReadOnlyCollection<string> own)
    {
        if (hop.From is null && hop.FromAddress is null && hop.FromHostName is null)
        {
            // "Received: by host with ..." : a local submission or a hand-over inside one server.
            return hop.By is null ? null : false;
        }
        if (hop.Protocol is { } p && p.StartsWith("local", StringComparison.OrdinalIgnoreCase))
        {
            // Exim's local submissions: "from alice by host with local", "with local-esmtp".
            return false;
        }
        string? sender = OrganizationOf(hop.FromHostName, own) ?? OrganizationOf(hop.From, own);
        string? receiver = OrganizationOf(hop.By, own);
        if (sender is null || receiver is null)
        {
            return null;
        }
        return !string.Equals(sender, receiver, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The organisation a host name belongs to: "(own)" for a name under one of <paramref name="own"/>,
    /// else its registrable domain (the last two labels, three under a country's second level such as
    /// co.uk); null for a missing name, an address literal or a single label.
    /// </summary>
    internal static string? OrganizationOf(string? name, IReadOnlyCollection<string> own)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        string host = name!.Trim().TrimEnd('.').ToLowerInvariant();
        if (host.StartsWith("[", StringComparison.Ordinal) || ReceivedHeaderParser.LooksLikeAddress(host) || host == "localhost" || host == "unknown")
        {
            return null;
        }
        foreach (string domain in own)
        {
            if (host == domain || host.EndsWith("." + domain, StringComparison.Ordinal))
            {
                return "(own)";
            }
        }
        string[] labels = host.Split('.');
        if (labels.Length < 2 || labels.Any(l => l.Length == 0))
        {
            return null;
        }
        int take = labels.Length >= 3 && labels[labels.Length - 1].Length == 2 && s_secondLevel.Contains(labels[labels.Length - 2]) ? 3 : 2;
        return string.Join(".", labels.Skip(labels.Length - take));
    }

    /// <summary>One message's summary from its hops (oldest first).</summary>
    public static MailTlsPathSummary Summarize(MessageHeaders message, IReadOnlyList<MailTlsHop> hops)
    {
        var notes = new List<string>(message.Notes);
        List<MailTlsHop> boundary = hops.Where(h => h.CrossesOrganization != false).ToList();
        bool? boundaryOk;
        TlsProtocolVersion? lowest = boundary.Where(h => h.Tls == HopTls.True && h.TlsVersion is not null).Select(h => h.TlsVersion).Min();
        if (hops.Count == 0)
        {
            boundaryOk = null;
            notes.Add("The message has no Received header.");
        }
        else if (boundary.Count == 0)
        {
            boundaryOk = null;
            notes.Add("No hop crossed an organisation boundary.");
        }
        else if (boundary.Any(h => h.Tls == HopTls.False || (h.Tls == HopTls.True && h.TlsVersion is { } v && v < TlsProtocolVersion.Tls12)))
        {
            boundaryOk = false;
        }
        else if (boundary.All(h => h.Tls == HopTls.True && h.TlsVersion is { } v && v >= TlsProtocolVersion.Tls12))
        {
            boundaryOk = true;
        }
        else
        {
            boundaryOk = null;
            foreach (MailTlsHop h in boundary.Where(h => h.Tls != HopTls.True || h.TlsVersion is null))
            {
                notes.Add(h.Tls == HopTls.True
                    ? $"Hop {h.Index} ({Describe(h)}) used TLS, but its header does not record the version."
                    : $"Hop {h.Index} ({Describe(h)}) does not record whether it used TLS.");
            }
        }
        foreach (MailTlsHop h in boundary.Where(h => h.CrossesOrganization is null))
        {
            notes.Add($"Hop {h.Index} ({Describe(h)}) is counted as crossing an organisation boundary: a host name is missing or is an address.");
        }
        return new MailTlsPathSummary
        {
            Source = message.Source,
            MessageId = message.MessageId,
            From = message.From,
            Subject = message.Subject,
            Date = message.Date,
            HopCount = hops.Count,
            TlsHops = hops.Count(h => h.Tls == HopTls.True),
            ClearHops = hops.Count(h => h.Tls == HopTls.False),
            UnknownHops = hops.Count(h => h.Tls == HopTls.Unknown),
            FirstHopWithoutTls = hops.FirstOrDefault(h => h.Tls == HopTls.False),
            BoundaryHops = boundary.Count,
            BoundaryTls12OrLater = boundaryOk,
            LowestBoundaryTlsVersion = lowest,
            Hops = hops.ToArray(),
            Notes = notes.Count == 0 ? StringList.None : new StringList(notes),
        };
    }

    private static string Describe(MailTlsHop h) => $"{h.FromHostName ?? h.From ?? h.FromAddress ?? "?"} to {h.By ?? "?"}";
}
