using System;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Smtp;

namespace TlsTools.Net;

/// <summary>What the plain-text part of a STARTTLS dialog learned.</summary>
public sealed class PlainTextDialogResult
{
    /// <summary>The server's greeting, all lines joined.</summary>
    public string Banner { get; init; } = string.Empty;

    /// <summary>The greeting's reply code (SMTP), or 0 for IMAP/POP3.</summary>
    public int GreetingCode { get; init; }

    /// <summary>Whether the server advertised STARTTLS (or STLS).</summary>
    public bool StartTlsOffered { get; init; }

    /// <summary>The EHLO capabilities before TLS (SMTP only; null when EHLO was refused).</summary>
    public EhloCapabilities? Capabilities { get; init; }

    /// <summary>The reply code to EHLO (SMTP only): 250, or the 5xx of a server that speaks no ESMTP.</summary>
    public int EhloCode { get; init; }

    /// <summary>The text of a refused EHLO, for the report.</summary>
    public string? EhloRefusal { get; init; }
}

/// <summary>
/// Runs the plain-text part of SMTP, IMAP or POP3 up to the go-ahead for TLS. It never sends MAIL,
/// RCPT or DATA, and refuses to go on when the server sent bytes after the go-ahead (RFC 3207
/// section 5: such bytes would be read as if they had come over TLS).
/// </summary>
public static class StartTlsNegotiator
{
    /// <summary>Reads one SMTP reply, capped in lines and line length.</summary>
    public static async Task<SmtpReply> ReadSmtpReplyAsync(PlainTextChannel channel, CancellationToken cancellationToken)
    {
        var parser = new SmtpReplyParser();
        while (true)
        {
            string line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            SmtpReply? reply = parser.Add(line);
            if (reply is not null)
            {
                return reply;
            }
        }
    }

    /// <summary>Greeting, EHLO and STARTTLS. When <paramref name="upgrade"/> is false it stops after EHLO.</summary>
    public static async Task<PlainTextDialogResult> SmtpAsync(PlainTextChannel channel, string heloName, bool upgrade, CancellationToken cancellationToken)
    {
        SmtpReply greeting = await ReadSmtpReplyAsync(channel, cancellationToken).ConfigureAwait(false);
        string banner = PlainTextChannel.Printable(greeting.Text);
        if (greeting.Code != 220)
        {
            throw new ProbeException(ProbeFailureKind.GreetingRejected,
                $"The server greeted with {greeting.Code} instead of 220: {banner}")
            { ServerReply = greeting.ToString() };
        }

        await channel.WriteLineAsync("EHLO " + heloName, cancellationToken).ConfigureAwait(false);
        SmtpReply ehlo = await ReadSmtpReplyAsync(channel, cancellationToken).ConfigureAwait(false);
        if (ehlo.Code >= 400 && ehlo.Code < 500)
        {
            // A transient refusal (421: closing; RFC 5321 section 4.2.5) says nothing about TLS: come back later.
            throw new ProbeException(ProbeFailureKind.EhloRejected,
                $"The server answered EHLO with {ehlo.Code}: {PlainTextChannel.Printable(ehlo.Text)}")
            { ServerReply = ehlo.ToString(), Greeting = banner };
        }
        if (ehlo.Code != 250)
        {
            // A server that does not understand EHLO speaks no ESMTP, so it cannot advertise
            // STARTTLS (RFC 3207 needs EHLO): the facts say so, and mail to it travels in clear text.
            var refused = new PlainTextDialogResult
            {
                Banner = banner,
                GreetingCode = greeting.Code,
                EhloCode = ehlo.Code,
                EhloRefusal = $"{ehlo.Code} {PlainTextChannel.Printable(ehlo.Text)}",
            };
            if (upgrade)
            {
                throw new ProbeException(ProbeFailureKind.StartTlsNotOffered,
                    $"The server answered EHLO with {ehlo.Code}: {PlainTextChannel.Printable(ehlo.Text)}")
                { ServerReply = ehlo.ToString(), Greeting = banner };
            }
            return refused;
        }
        EhloCapabilities caps = EhloCapabilities.Parse(ehlo);
        var result = new PlainTextDialogResult
        {
            Banner = banner,
            GreetingCode = greeting.Code,
            StartTlsOffered = caps.StartTls,
            Capabilities = caps,
            EhloCode = ehlo.Code,
        };
        if (!upgrade)
        {
            return result;
        }
        if (!caps.StartTls)
        {
            throw new ProbeException(ProbeFailureKind.StartTlsNotOffered, "The server does not advertise STARTTLS.")
            { ServerReply = ehlo.ToString() };
        }

        await SmtpStartTlsAsync(channel, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Sends STARTTLS and checks the 220 go-ahead (RFC 3207 section 4).</summary>
    public static async Task SmtpStartTlsAsync(PlainTextChannel channel, CancellationToken cancellationToken)
    {
        await channel.WriteLineAsync("STARTTLS", cancellationToken).ConfigureAwait(false);
        SmtpReply go = await ReadSmtpReplyAsync(channel, cancellationToken).ConfigureAwait(false);
        if (go.Code != 220)
        {
            throw new ProbeException(ProbeFailureKind.StartTlsRefused,
                $"The server refused STARTTLS with {go.Code}: {PlainTextChannel.Printable(go.Text)}")
            { ServerReply = go.ToString() };
        }
        EnsureNothingBuffered(channel);
    }

    /// <summary>IMAP greeting and STARTTLS (RFC 3501 section 6.2.1).</summary>
    public static async Task<PlainTextDialogResult> ImapAsync(PlainTextChannel channel, CancellationToken cancellationToken)
    {
        string greeting = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (!greeting.StartsWith("* OK", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProbeException(ProbeFailureKind.GreetingRejected, $"The IMAP server greeted with '{PlainTextChannel.Printable(greeting)}'.");
        }
        await channel.WriteLineAsync("A1 STARTTLS", cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < 100; i++)
        {
            string line = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line.StartsWith("A1 ", StringComparison.Ordinal))
            {
                if (!line.StartsWith("A1 OK", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ProbeException(ProbeFailureKind.StartTlsRefused, $"The IMAP server refused STARTTLS: '{PlainTextChannel.Printable(line)}'.");
                }
                EnsureNothingBuffered(channel);
                return new PlainTextDialogResult { Banner = PlainTextChannel.Printable(greeting), StartTlsOffered = true };
            }
        }
        throw new ProbeException(ProbeFailureKind.ProtocolViolation, "The IMAP server sent too many lines without answering STARTTLS.");
    }

    /// <summary>POP3 greeting and STLS (RFC 2595 section 4).</summary>
    public static async Task<PlainTextDialogResult> Pop3Async(PlainTextChannel channel, CancellationToken cancellationToken)
    {
        string greeting = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (!greeting.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProbeException(ProbeFailureKind.GreetingRejected, $"The POP3 server greeted with '{PlainTextChannel.Printable(greeting)}'.");
        }
        await channel.WriteLineAsync("STLS", cancellationToken).ConfigureAwait(false);
        string answer = await channel.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (!answer.StartsWith("+OK", StringComparison.OrdinalIgnoreCase))
        {
            throw new ProbeException(ProbeFailureKind.StartTlsRefused, $"The POP3 server refused STLS: '{PlainTextChannel.Printable(answer)}'.");
        }
        EnsureNothingBuffered(channel);
        return new PlainTextDialogResult { Banner = PlainTextChannel.Printable(greeting), StartTlsOffered = true };
    }

    private static void EnsureNothingBuffered(PlainTextChannel channel)
    {
        if (channel.HasBufferedData)
        {
            throw new ProbeException(ProbeFailureKind.StartTlsInjection,
                "The server sent data after agreeing to start TLS and before the handshake; refusing to continue (RFC 3207 section 5).");
        }
    }
}
