using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.MailTls;
using TlsTools.Net;
using TlsTools.Smtp;
using TlsTools.Tls;

namespace TlsTools.Probing;

/// <summary>Options of one probe.</summary>
public sealed class TlsProbeOptions
{
    /// <summary>The time allowed for the whole probe, from the first connect to the end of the last dialog.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Record the dialog (<see cref="ServerTlsFacts.Transcript"/>).</summary>
    public bool RecordTranscript { get; init; }

    /// <summary>
    /// SMTP only: after the handshake, send EHLO again over TLS (STARTTLS; RFC 3207 section 4.2) or
    /// read the greeting and send EHLO (TLS on connect), then QUIT. Off, the connection closes after
    /// the handshake.
    /// </summary>
    public bool SmtpDialogOverTls { get; init; }

    /// <summary>
    /// Called once a handshake succeeds, before the dialog over TLS, with the session's facts: a
    /// caller can start work on the presented chain (its revocation check) while the probe finishes.
    /// It must return at once and must not throw.
    /// </summary>
    public Action<TlsSessionFacts>? OnSession { get; init; }
}

/// <summary>
/// Probes one address: connect, dialog to the start of TLS, a handshake offering what a current
/// sender offers and, only when that fails, a second connection offering legacy protocols and
/// suites, so that a server that speaks only old TLS is reported as such rather than as having no
/// TLS. It never sends MAIL, RCPT or DATA, and it never throws for a failure of the server: the
/// facts carry it. It throws <see cref="OperationCanceledException"/> only when the caller cancels.
/// </summary>
public static class TlsProbe
{
    public static async Task<ServerTlsFacts> ProbeAsync(ProbeTarget target, TlsProbeOptions options, CancellationToken cancellationToken)
    {
        StringBuilder? transcript = options.RecordTranscript ? new StringBuilder() : null;
        Action<bool, string>? log = transcript is null ? null : (sent, line) => transcript.Append(sent ? "C: " : "S: ").AppendLine(line);
        void Note(string text) => transcript?.Append("-- ").Append(text).AppendLine(" --");

        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        bool connected = false;
        Attempt? outcome = null;
        ProbeFailure? failure = null;
        try
        {
            Attempt first = await AttemptAsync(target, TlsOffer.Current, options, log, Note, () => connected = true, deadline.Token).ConfigureAwait(false);
            outcome = first;
            if (first.HandshakeFailure is { } failedFirst)
            {
                Note("the handshake offering TLS 1.2/1.3 failed; trying again offering legacy protocols and suites");
                string? secondError;
                try
                {
                    Attempt second = await AttemptAsync(target, TlsOffer.Legacy, options, log, Note, null, deadline.Token).ConfigureAwait(false);
                    if (second.Session is not null)
                    {
                        outcome = second;
                    }
                    secondError = second.HandshakeFailure?.Message;
                }
                catch (ProbeException e) when (!deadline.IsCancellationRequested)
                {
                    secondError = e.Message;
                }
                if (outcome.Session is null)
                {
                    failure = new ProbeFailure(ProbeFailureKind.HandshakeFailed,
                        failedFirst.Message + " A second attempt offering TLS 1.0-1.2 and legacy suites failed too: " + (secondError ?? "no session."),
                        failedFirst.ServerReply);
                }
            }
        }
        catch (ProbeException e) when (!deadline.IsCancellationRequested)
        {
            failure = e.ToFailure();
        }
        catch (ProbeException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller cancelled and the closed socket surfaced as a failure: it is a cancellation.
            throw new OperationCanceledException(cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or ProbeException && !cancellationToken.IsCancellationRequested)
        {
            // The deadline passed; whatever the closed socket made of it, the probe timed out.
            failure = new ProbeFailure(connected ? ProbeFailureKind.Timeout : ProbeFailureKind.ConnectTimeout,
                connected
                    ? $"{target} did not complete the dialog within {options.Timeout.TotalSeconds:0.#} seconds."
                    : $"{target} did not accept the connection within {options.Timeout.TotalSeconds:0.#} seconds.");
        }

        return new ServerTlsFacts
        {
            Target = target,
            Connected = connected,
            Dialog = outcome?.Dialog,
            DialogOverTls = outcome?.DialogOverTls,
            TlsOffered = outcome?.TlsOffered ?? false,
            Tls = outcome?.Session,
            EhloOverTlsCode = outcome?.EhloOverTlsCode,
            StartTlsAdvertisedOverTls = outcome?.StartTlsAdvertisedOverTls ?? false,
            AfterTlsError = outcome?.AfterTlsError,
            Failure = failure,
            Transcript = transcript?.ToString().TrimEnd(),
            Duration = watch.Elapsed,
        };
    }

    private sealed class Attempt
    {
        public PlainTextDialogResult? Dialog { get; set; }
        public PlainTextDialogResult? DialogOverTls { get; set; }
        public bool TlsOffered { get; set; }
        public TlsSessionFacts? Session { get; set; }
        public ProbeFailure? HandshakeFailure { get; set; }
        public int? EhloOverTlsCode { get; set; }
        public bool StartTlsAdvertisedOverTls { get; set; }
        public string? AfterTlsError { get; set; }
    }

    private static async Task<Attempt> AttemptAsync(ProbeTarget target, TlsOffer offer, TlsProbeOptions options, Action<bool, string>? log, Action<string> note, Action? onConnected, CancellationToken cancellationToken)
    {
        using ServerConnection connection = await ServerConnection.OpenAsync(target, log, onConnected, cancellationToken).ConfigureAwait(false);
        var attempt = new Attempt { Dialog = connection.Dialog, TlsOffered = connection.AtTlsStart };
        if (!connection.AtTlsStart)
        {
            await ServerConnection.QuitQuietlyAsync(connection.Channel, cancellationToken).ConfigureAwait(false);
            return attempt;
        }

        TlsHandshakeResult tls;
        try
        {
            tls = await connection.HandshakeAsync(offer, cancellationToken).ConfigureAwait(false);
        }
        catch (ProbeException e) when (e.Kind == ProbeFailureKind.HandshakeFailed)
        {
            note(e.Message);
            attempt.HandshakeFailure = e.ToFailure();
            return attempt;
        }

        using (tls)
        {
            attempt.Session = new TlsSessionFacts
            {
                Protocol = CipherSuiteFacts.ProtocolName(tls.Protocol),
                CipherSuite = tls.CipherSuite,
                KeyExchange = CipherSuiteFacts.KeyExchange(tls.CipherSuite) ?? tls.KeyExchangeFallback,
                PresentedCertificates = tls.PresentedCertificates,
                Offer = offer,
            };
            note($"TLS established: {attempt.Session.Protocol} {attempt.Session.CipherSuite}");
            options.OnSession?.Invoke(attempt.Session);
            if (options.SmtpDialogOverTls)
            {
                var channel = new PlainTextChannel(tls.Stream) { Log = log };
                if (target.StartTls == StartTlsProtocol.None)
                {
                    attempt.DialogOverTls = await connection.Guard(
                        StartTlsNegotiator.SmtpAsync(channel, connection.HeloName, upgrade: false, cancellationToken), cancellationToken).ConfigureAwait(false);
                    await ServerConnection.QuitQuietlyAsync(channel, cancellationToken).ConfigureAwait(false);
                }
                else if (target.StartTls == StartTlsProtocol.Smtp)
                {
                    await EhloOverTlsAsync(connection, channel, attempt, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        return attempt;
    }

    /// <summary>RFC 3207 section 4.2: EHLO again over TLS (the server must not offer STARTTLS again), then QUIT.</summary>
    private static async Task EhloOverTlsAsync(ServerConnection connection, PlainTextChannel channel, Attempt attempt, CancellationToken cancellationToken)
    {
        try
        {
            await connection.Guard(channel.WriteLineAsync("EHLO " + connection.HeloName, cancellationToken), cancellationToken).ConfigureAwait(false);
            SmtpReply ehlo = await connection.Guard(StartTlsNegotiator.ReadSmtpReplyAsync(channel, cancellationToken), cancellationToken).ConfigureAwait(false);
            attempt.EhloOverTlsCode = ehlo.Code;
            attempt.StartTlsAdvertisedOverTls = ehlo.Code == 250 && EhloCapabilities.Parse(ehlo).StartTls;
            await ServerConnection.QuitQuietlyAsync(channel, cancellationToken).ConfigureAwait(false);
        }
        catch (ProbeException e)
        {
            attempt.AfterTlsError = e.Message;
        }
    }
}
