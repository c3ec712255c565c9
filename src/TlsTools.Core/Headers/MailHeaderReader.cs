using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using MimeKit;

namespace TlsTools.Headers;

/// <summary>
/// Reads the header section of a message with MimeKit's parser (<see cref="HeaderList.Load(ParserOptions, Stream, CancellationToken)"/>)
/// from a file (.eml, an mbox-style "From " line first, header text saved as .txt, an Outlook .msg's
/// transport headers), from header text, or from a <see cref="MimeMessage"/>. Every input is capped:
/// the header section at <see cref="MaxHeaderBytes"/>, Received headers at <see cref="MailTlsPath.MaxHops"/>,
/// each header at <see cref="ReceivedHeaderParser.MaxHeaderChars"/>.
/// </summary>
/// <remarks>
/// The only class of the module that names MimeKit types, so MimeKit loads when Get-MailTlsPath
/// runs and never at Import-Module.
/// </remarks>
public static class MailHeaderReader
{
    /// <summary>At most this many bytes of a message's header section are read.</summary>
    public const int MaxHeaderBytes = 8 * 1024 * 1024;

    /// <summary>An Outlook .msg larger than this is not read.</summary>
    public const long MaxMsgFileBytes = 64L * 1024 * 1024;

    private static readonly Encoding s_strictUtf8 = new UTF8Encoding(false, true);
    private static readonly Encoding s_latin1 = Encoding.GetEncoding("ISO-8859-1");

    /// <summary>Reads a message file. IO errors propagate; a file that holds no headers gives a message without Received headers and a note.</summary>
    public static MessageHeaders ReadFile(string path, CancellationToken cancellationToken = default)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024);
        byte[] head = ReadUpTo(stream, 8);
        if (OutlookMsg.IsCompoundFile(head))
        {
            if (stream.Length > MaxMsgFileBytes)
            {
                var big = new MessageHeaders { Source = path };
                big.Notes.Add($"The Outlook .msg file is larger than {MaxMsgFileBytes / (1024 * 1024)} MiB; it was not read.");
                return big;
            }
            stream.Position = 0;
            byte[] all = ReadUpTo(stream, (int)stream.Length);
            string? text = OutlookMsg.TransportHeaders(all, out string? problem);
            if (text is null)
            {
                var none = new MessageHeaders { Source = path };
                none.Notes.Add(problem ?? "The Outlook .msg file holds no Internet headers (a message that was never sent over SMTP, or a draft).");
                return none;
            }
            return ReadText(text, path, cancellationToken);
        }
        stream.Position = 0;
        return ReadBytes(ReadHeaderSection(stream, out bool capped), path, capped, cancellationToken);
    }

    /// <summary>Reads header text (a whole message or its headers alone, as copied from a mail client).</summary>
    public static MessageHeaders ReadText(string text, string? source = null, CancellationToken cancellationToken = default)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text.Length > MaxHeaderBytes ? text.Substring(0, MaxHeaderBytes) : text);
        using var stream = new MemoryStream(bytes, false);
        return ReadBytes(ReadHeaderSection(stream, out bool capped), source, capped || text.Length > MaxHeaderBytes, cancellationToken);
    }

    /// <summary>True for a MimeKit MimeMessage, whichever MimeKit (and load context) it comes from.</summary>
    public static bool IsMimeMessage(object? value) => value?.GetType().FullName == "MimeKit.MimeMessage";

    /// <summary>
    /// Reads the headers of a MimeKit <c>MimeMessage</c>. The message is read through reflection
    /// (its Headers, each with Field and RawValue) and its header section parsed again here, so a
    /// message from another MimeKit (another module's, another version, another load context) works
    /// as well as one from this module's MimeKit, and no MimeKit type crosses the module's boundary.
    /// </summary>
    public static MessageHeaders ReadMessageObject(object message, CancellationToken cancellationToken = default)
    {
        if (!IsMimeMessage(message))
        {
            throw new ArgumentException($"Not a MimeKit MimeMessage: {message.GetType().FullName}.", nameof(message));
        }
        object? headers = message.GetType().GetProperty("Headers")?.GetValue(message);
        var section = new MemoryStream();
        bool capped = false;
        if (headers is System.Collections.IEnumerable list)
        {
            foreach (object? header in list)
            {
                if (header is null)
                {
                    continue;
                }
                Type t = header.GetType();
                string? field = t.GetProperty("Field")?.GetValue(header) as string;
                byte[]? raw = t.GetProperty("RawValue")?.GetValue(header) as byte[];
                if (field is null || raw is null)
                {
                    continue;
                }
                if (section.Length + field.Length + raw.Length + 2 > MaxHeaderBytes)
                {
                    capped = true;
                    break;
                }
                byte[] name = Encoding.ASCII.GetBytes(field + ":");
                section.Write(name, 0, name.Length);
                section.Write(raw, 0, raw.Length);
                if (raw.Length == 0 || raw[raw.Length - 1] != (byte)'\n')
                {
                    section.WriteByte((byte)'\n');
                }
            }
        }
        section.WriteByte((byte)'\n');
        return ReadBytes(section.ToArray(), null, capped, cancellationToken);
    }

    private static MessageHeaders ReadBytes(byte[] section, string? source, bool capped, CancellationToken cancellationToken)
    {
        HeaderList headers;
        var notes = new List<string>();
        if (capped)
        {
            notes.Add($"The header section is larger than {MaxHeaderBytes / (1024 * 1024)} MiB; only its first {MaxHeaderBytes / (1024 * 1024)} MiB were read.");
        }
        try
        {
            using var stream = new MemoryStream(section, false);
            headers = HeaderList.Load(new ParserOptions(), stream, cancellationToken);
        }
        catch (FormatException e)
        {
            var failed = new MessageHeaders { Source = source };
            failed.Notes.AddRange(notes);
            failed.Notes.Add("The headers could not be parsed: " + e.Message);
            return failed;
        }
        string? messageId = null;
        string? from = null;
        string? subject = null;
        DateTimeOffset? date = null;
        foreach (Header h in headers)
        {
            switch (h.Id)
            {
                case HeaderId.MessageId when messageId is null:
                    messageId = SafeValue(h).Trim().Trim('<', '>');
                    break;
                case HeaderId.From when from is null:
                    from = SafeValue(h).Trim();
                    break;
                case HeaderId.Subject when subject is null:
                    subject = SafeValue(h).Trim();
                    break;
                case HeaderId.Date when date is null:
                    if (MimeKit.Utils.DateUtils.TryParse(SafeValue(h), out DateTimeOffset d))
                    {
                        date = d;
                    }
                    break;
            }
        }
        var result = new MessageHeaders
        {
            Source = source,
            MessageId = string.IsNullOrEmpty(messageId) ? null : messageId,
            From = from,
            Subject = subject,
            Date = date,
        };
        result.Notes.AddRange(notes);
        Collect(headers, result);
        return result;
    }

    private static void Collect(HeaderList headers, MessageHeaders result)
    {
        foreach (Header h in headers)
        {
            if (h.Id != HeaderId.Received)
            {
                continue;
            }
            if (result.Received.Count >= MailTlsPath.MaxHops)
            {
                result.ReceivedSkipped++;
                continue;
            }
            byte[] raw = h.RawValue;
            var notes = new List<string>();
            string value;
            if (raw.Length > ReceivedHeaderParser.MaxHeaderChars * 4)
            {
                // Far above the cap whatever the encoding: decode only what the parser would keep.
                value = s_latin1.GetString(raw, 0, ReceivedHeaderParser.MaxHeaderChars + 1) + new string(' ', raw.Length - ReceivedHeaderParser.MaxHeaderChars - 1);
            }
            else
            {
                try
                {
                    value = s_strictUtf8.GetString(raw);
                }
                catch (DecoderFallbackException)
                {
                    value = s_latin1.GetString(raw);
                    notes.Add("The header is not valid UTF-8; it was read as Latin-1.");
                }
            }
            result.Received.Add(new RawReceived(h.Field + ":" + value, notes));
        }
        if (result.ReceivedSkipped > 0)
        {
            result.Notes.Add($"The message has {result.Received.Count + result.ReceivedSkipped} Received headers; the newest {MailTlsPath.MaxHops} were read.");
        }
    }

    private static string SafeValue(Header h)
    {
        try
        {
            return h.Value ?? string.Empty;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or DecoderFallbackException)
        {
            return s_latin1.GetString(h.RawValue);
        }
    }

    /// <summary>
    /// The bytes of the header section: from the first header line (leading blank lines, an mbox
    /// "From " line and Outlook's "Microsoft Mail Internet Headers Version 2.0" line skipped) to the
    /// first empty line, at most <see cref="MaxHeaderBytes"/>, with a blank line appended so that
    /// the parser sees the end of the headers.
    /// </summary>
    private static byte[] ReadHeaderSection(Stream stream, out bool capped)
    {
        capped = false;
        var output = new MemoryStream();
        var line = new MemoryStream();
        bool started = false;
        int total = 0;
        int b;
        var reader = new BufferedStream(stream, 64 * 1024);
        while (true)
        {
            b = reader.ReadByte();
            if (b < 0)
            {
                break;
            }
            total++;
            if (total > MaxHeaderBytes)
            {
                capped = true;
                break;
            }
            line.WriteByte((byte)b);
            if (b != '\n')
            {
                continue;
            }
            byte[] l = line.ToArray();
            line.SetLength(0);
            bool blank = IsBlank(l);
            if (!started)
            {
                if (blank || IsPreamble(l))
                {
                    continue;
                }
                started = true;
            }
            else if (blank)
            {
                break;
            }
            output.Write(l, 0, l.Length);
        }
        if (line.Length > 0 && !(started && IsBlank(line.ToArray())))
        {
            output.Write(line.ToArray(), 0, (int)line.Length);
            output.WriteByte((byte)'\n');
        }
        output.WriteByte((byte)'\n');
        return output.ToArray();
    }

    private static bool IsBlank(byte[] line)
    {
        foreach (byte c in line)
        {
            if (c != '\r' && c != '\n' && c != ' ' && c != '\t')
            {
                return false;
            }
        }
        return true;
    }

    // A first line that is not a header field: an mbox separator ("From sender date") or the line
    // Outlook puts above the Internet headers it shows.
    private static bool IsPreamble(byte[] line)
    {
        string text = s_latin1.GetString(line, 0, Math.Min(line.Length, 200)).TrimEnd();
        if (text.StartsWith("From ", StringComparison.Ordinal) || text.StartsWith("Microsoft Mail Internet Headers", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        int colon = text.IndexOf(':');
        return colon <= 0 || text.Substring(0, colon).IndexOf(' ') >= 0;
    }

    private static byte[] ReadUpTo(Stream stream, int count)
    {
        var buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = stream.Read(buffer, read, count - read);
            if (n <= 0)
            {
                break;
            }
            read += n;
        }
        if (read < count)
        {
            Array.Resize(ref buffer, read);
        }
        return buffer;
    }
}
