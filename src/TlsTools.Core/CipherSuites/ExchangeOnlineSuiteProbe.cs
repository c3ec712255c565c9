using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Probing;

namespace TlsTools.CipherSuites;

/// <summary>
/// What a server answered to a TLS 1.2 ClientHello that offers exactly Exchange Online's suites,
/// in Microsoft's order: the suite Exchange Online would get, whatever this machine's TLS stack
/// offers (.NET on Windows offers DHE suites, on Linux it does not; neither offers Microsoft's list
/// as such). Facts only: <see cref="MailTls.ExchangeTlsLevelRules"/> judges them.
/// </summary>
public sealed class ExchangeOnlineSuiteFacts
{
    /// <summary>
    /// True when the server chose one of the offered suites with TLS 1.2; false when it refused the
    /// offer (an alert, a close, another version, a suite that was not offered); null when the server
    /// could not be asked to the end (<see cref="Failure"/>).
    /// </summary>
    public bool? Accepted { get; init; }

    /// <summary>The IANA name of the suite the server chose; null unless <see cref="Accepted"/>.</summary>
    public string? Suite { get; init; }

    /// <summary>What the server answered, in words: "ServerHello Tls12 TLS_...", "alert handshake_failure (40)", ...</summary>
    public string Answer { get; init; } = string.Empty;

    /// <summary>Why the server could not be asked (connection, dialog, timeout); null when it answered.</summary>
    public ProbeFailure? Failure { get; init; }
}

/// <summary>
/// Asks a server, on a connection of its own (the same STARTTLS dialog as every probe), which of
/// Exchange Online's TLS 1.2 suites it takes: one crafted ClientHello offering exactly
/// <see cref="CipherSuiteInfo.ExchangeOnlineSuiteCodes"/> (Microsoft's list; "when Office 365 sends
/// a connection request to another service, the receiving server is expected to choose the cipher
/// suite", Technical reference details about encryption), the ServerHello or alert read and the
/// connection closed. No handshake is finished and no key is used.
/// </summary>
public static class ExchangeOnlineSuiteProbe
{
    /// <summary>Asks once within <paramref name="timeout"/>; throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task<ExchangeOnlineSuiteFacts> AskAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        IReadOnlyList<ushort> offer = CipherSuiteInfo.ExchangeOnlineSuiteCodes;
        byte[] hello = ClientHello.Build(TlsProtocolVersion.Tls12, offer, target.Sni, RandomBytes);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using ServerConnection connection = await ServerConnection.OpenAsync(target, null, null, deadline.Token).ConfigureAwait(false);
            if (!connection.AtTlsStart)
            {
                return new ExchangeOnlineSuiteFacts
                {
                    Failure = new ProbeFailure(ProbeFailureKind.StartTlsNotOffered, "The server did not advertise STARTTLS on a second connection."),
                };
            }
            ServerAnswer answer;
            try
            {
                await connection.Stream.WriteAsync(hello, 0, hello.Length, deadline.Token).ConfigureAwait(false);
                answer = await ServerHelloReader.ReadAsync(connection.Stream, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException && !deadline.IsCancellationRequested)
            {
                // A reset in answer to the ClientHello is how some stacks refuse.
                answer = new ServerAnswer { Kind = ServerAnswerKind.Closed, Detail = "the server reset the connection" };
            }
            return FromAnswer(answer, offer);
        }
        catch (ProbeException e) when (!deadline.IsCancellationRequested)
        {
            return new ExchangeOnlineSuiteFacts { Failure = e.ToFailure() };
        }
        catch (Exception e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
            && e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or ProbeException)
        {
            return new ExchangeOnlineSuiteFacts
            {
                Failure = new ProbeFailure(ProbeFailureKind.Timeout, $"no answer to Exchange Online's ClientHello within {timeout.TotalSeconds:0.#} seconds"),
            };
        }
    }

    /// <summary>Reads a server's answer to the offer (pure).</summary>
    internal static ExchangeOnlineSuiteFacts FromAnswer(ServerAnswer answer, IReadOnlyList<ushort> offer)
    {
        bool accepted = answer.Kind == ServerAnswerKind.ServerHello
            && answer.Version == ClientHello.WireVersion(TlsProtocolVersion.Tls12)
            && offer.Contains(answer.CipherSuite);
        string detail = answer.Detail;
        if (answer.Kind == ServerAnswerKind.ServerHello && !offer.Contains(answer.CipherSuite))
        {
            detail += ", a suite that was not offered";
        }
        return new ExchangeOnlineSuiteFacts
        {
            Accepted = accepted,
            Suite = accepted ? CipherSuiteInfo.Find(answer.CipherSuite)?.Name : null,
            Answer = detail,
        };
    }

    private static byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        using var rng = RandomNumberGenerator.Create();
        rng.GetBytes(bytes);
        return bytes;
    }
}
