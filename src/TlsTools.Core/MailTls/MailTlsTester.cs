using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Certificates;
using TlsTools.Net;
using TlsTools.Routing;
using TlsTools.Tls;

namespace TlsTools.MailTls;

/// <summary>
/// Tests whether mail to a server travels over TLS: greeting, EHLO, STARTTLS, handshake (SNI =
/// the MX name), EHLO again, QUIT. It never sends MAIL, RCPT or DATA. The first handshake offers
/// what a current sender offers (TLS 1.2 and 1.3); only when that fails does a second connection
/// offer legacy protocols and suites, so a server that speaks only old TLS is reported as such
/// rather than as having no TLS.
/// </summary>
public static class MailTlsTester
{
    /// <summary>Error ids meaning the server was never reached (no result object is due for them).</summary>
    public static readonly IReadOnlyCollection<string> UnreachedErrorIds = new[] { "ConnectFailed", "ConnectTimeout" };

    /// <summary>Resolves a domain's mail route through the configured DNS server.</summary>
    public static Task<MailRoute> ResolveAsync(string domain, MailTlsOptions options, CancellationToken cancellationToken)
    {
        IMailDnsResolver resolver = CreateResolver(options);
        return MailRoutePlanner.PlanAsync(domain, resolver, options.AddressFamily, cancellationToken);
    }

    /// <summary>
    /// The route to a host tested directly (a smart host): its addresses, through the configured
    /// DNS server, or, when none is named, the way any client on this machine resolves names
    /// (the hosts file included).
    /// </summary>
    public static async Task<MailRoute> ResolveHostAsync(HostEndpoint host, MailTlsOptions options, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPAddress> addresses;
        if (options.DnsServer is null || host.Address is not null)
        {
            addresses = (await TcpConnector.ResolveAsync(host.Host, cancellationToken).ConfigureAwait(false))
                .Where(a => options.AddressFamily == AddressFamilyFilter.Any
                    || (options.AddressFamily == AddressFamilyFilter.IPv4) == (a.AddressFamily == AddressFamily.InterNetwork))
                .ToList();
        }
        else
        {
            addresses = await CreateResolver(options).GetAddressesAsync(host.Host, options.AddressFamily, cancellationToken).ConfigureAwait(false);
        }
        return new MailRoute
        {
            Domain = string.Empty,
            Hosts = new[] { new MailHost(host.Host, null, addresses, addresses.Count == 0 ? "The host has no addresses of the family asked for." : null) },
            Family = options.AddressFamily,
        };
    }

    /// <summary>The resolver the options ask for.</summary>
    public static IMailDnsResolver CreateResolver(MailTlsOptions options) =>
        new DnsClientResolver(options.DnsServer is null ? null : DnsClientResolver.ParseServer(options.DnsServer),
            TimeSpan.FromSeconds(Math.Min(5, Math.Max(1, options.TimeoutSeconds))));

    /// <summary>The targets of a route: every address of every host, hosts in preference order.</summary>
    public static IReadOnlyList<MailTlsTarget> Targets(MailRoute route, int port) =>
        route.Hosts.SelectMany(h => h.Addresses.Select(a => new MailTlsTarget
        {
            Domain = route.Domain,
            MxHost = h.Name,
            Preference = h.Preference,
            Address = a,
            Port = port,
        })).ToList();

    /// <summary>Resolves and tests every address of a domain (at most <paramref name="parallel"/> at once).</summary>
    public static async Task<(MailRoute Route, IReadOnlyList<MailTlsResult> Results)> TestDomainAsync(string domain, MailTlsOptions options, CancellationToken cancellationToken, int parallel = 8)
    {
        MailRoute route = await ResolveAsync(domain, options, cancellationToken).ConfigureAwait(false);
        using var gate = new SemaphoreSlim(parallel);
        var tasks = Targets(route, options.Port).Select(async t =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await TestAddressAsync(t, options, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        });
        MailTlsResult[] results = await Task.WhenAll(tasks).ConfigureAwait(false);
        return (route, results);
    }

    /// <summary>
    /// Tests one address. Never throws for a failure of the server: the result carries Error and
    /// ErrorId. Throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<MailTlsResult> TestAddressAsync(MailTlsTarget target, MailTlsOptions options, CancellationToken cancellationToken)
    {
        var result = new MailTlsResult
        {
            Domain = target.Domain,
            MxHost = target.MxHost,
            Preference = target.Preference,
            IPAddress = target.Address.ToString(),
            Port = target.Port,
        };
        var transcript = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        bool connected = false;
        try
        {
            Attempt first = await AttemptAsync(target, options, legacy: false, transcript, () => connected = true, timeout.Token).ConfigureAwait(false);
            Attempt outcome = first;
            if (first.HandshakeError is not null)
            {
                transcript.AppendLine("-- handshake with TLS 1.2/1.3 failed; trying again offering legacy protocols and suites --");
                Attempt second = await AttemptAsync(target, options, legacy: true, transcript, () => { }, timeout.Token).ConfigureAwait(false);
                outcome = second.Tls is not null ? second : first;
                if (second.Tls is null && second.HandshakeError is not null)
                {
                    outcome = new Attempt(first.Dialog, null, first.HandshakeError + " A second attempt offering TLS 1.0-1.2 and legacy suites failed too: " + second.HandshakeError, first.Notes);
                }
            }
            Fill(result, target, options, outcome);
        }
        catch (ProbeException e) when (!cancellationToken.IsCancellationRequested)
        {
            result.Error = e.Message;
            result.ErrorId = ErrorIdOf(e.Kind, connected);
            if (e.Kind == ProbeFailureKind.GreetingRejected)
            {
                result.Banner = e.ServerReply is null ? null : PlainTextChannel.Printable(e.ServerReply.Replace('\n', ' '));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Error = $"{HostEndpoint.Format(result.IPAddress, result.Port)} did not complete the dialog within {options.TimeoutSeconds} seconds.";
            result.ErrorId = connected ? "Timeout" : "ConnectTimeout";
        }
        finally
        {
            result.Duration = watch.Elapsed;
            if (options.IncludeTranscript)
            {
                result.Transcript = transcript.ToString().TrimEnd();
            }
        }
        return result;
    }

    private static string ErrorIdOf(ProbeFailureKind kind, bool connected) => kind switch
    {
        ProbeFailureKind.ConnectFailed => "ConnectFailed",
        ProbeFailureKind.GreetingRejected => "GreetingRejected",
        ProbeFailureKind.StartTlsRefused => "StartTlsRefused",
        ProbeFailureKind.StartTlsInjection => "StartTlsInjection",
        ProbeFailureKind.HandshakeFailed => "TlsHandshakeFailed",
        ProbeFailureKind.ProtocolViolation => "ProtocolViolation",
        ProbeFailureKind.ConnectionClosed => "ConnectionClosed",
        ProbeFailureKind.Timeout => connected ? "Timeout" : "ConnectTimeout",
        _ => kind.ToString(),
    };

    private sealed class Attempt
    {
        public Attempt(PlainTextDialogResult? dialog, TlsOutcome? tls, string? handshakeError, List<string> notes)
        {
            Dialog = dialog;
            Tls = tls;
            HandshakeError = handshakeError;
            Notes = notes;
        }

        public PlainTextDialogResult? Dialog { get; }
        public TlsOutcome? Tls { get; }
        public string? HandshakeError { get; }
        public List<string> Notes { get; }
    }

    private sealed class TlsOutcome
    {
        public string Protocol { get; init; } = string.Empty;
        public string? CipherSuite { get; init; }
        public string? KeyExchange { get; init; }
        public IReadOnlyList<X509Certificate2> Presented { get; init; } = Array.Empty<X509Certificate2>();
        public bool Legacy { get; init; }
    }

    private static async Task<Attempt> AttemptAsync(MailTlsTarget target, MailTlsOptions options, bool legacy, StringBuilder transcript, Action onConnected, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        using TcpClient client = await TcpConnector.ConnectAsync(target.Address, target.Port, cancellationToken).ConfigureAwait(false);
        onConnected();
        using CancellationTokenRegistration closeOnCancel = cancellationToken.Register(static c => ((TcpClient)c!).Dispose(), client);
        NetworkStream network = client.GetStream();
        var channel = new PlainTextChannel(network) { Log = (sent, line) => transcript.Append(sent ? "C: " : "S: ").AppendLine(line) };
        try
        {
            PlainTextDialogResult? dialog = null;
            if (options.TlsMode == MailTlsMode.StartTls)
            {
                dialog = await StartTlsNegotiator.SmtpAsync(channel, options.HeloName, upgrade: false, cancellationToken).ConfigureAwait(false);
                if (!dialog.StartTlsOffered)
                {
                    await QuitQuietlyAsync(channel, cancellationToken).ConfigureAwait(false);
                    return new Attempt(dialog, null, null, notes);
                }
                await StartTlsNegotiator.SmtpStartTlsAsync(channel, cancellationToken).ConfigureAwait(false);
            }

            string? sni = IPAddress.TryParse(target.MxHost, out _) ? null : target.MxHost;
            TlsHandshakeResult tls;
            try
            {
                tls = await TlsHandshake.RunAsync(network, new TlsHandshakeOptions
                {
                    ServerName = sni,
                    Protocols = legacy ? LegacyProtocols : SslProtocols.None,
                    AllowLegacyCipherSuites = legacy,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (ProbeException e) when (e.Kind == ProbeFailureKind.HandshakeFailed)
            {
                transcript.AppendLine("-- " + e.Message + " --");
                return new Attempt(dialog, null, e.Message, notes);
            }

            using (tls)
            {
                var outcome = new TlsOutcome
                {
                    Protocol = CipherSuiteFacts.ProtocolName(tls.Protocol),
                    CipherSuite = tls.CipherSuite,
                    KeyExchange = CipherSuiteFacts.KeyExchange(tls.CipherSuite) ?? tls.KeyExchangeFallback,
                    Presented = tls.PresentedCertificates,
                    Legacy = legacy,
                };
                transcript.AppendLine($"-- TLS established: {outcome.Protocol} {outcome.CipherSuite} --");
                if (options.TlsMode == MailTlsMode.Implicit)
                {
                    var greetingChannel = new PlainTextChannel(tls.Stream) { Log = channel.Log };
                    dialog = await StartTlsNegotiator.SmtpAsync(greetingChannel, options.HeloName, upgrade: false, cancellationToken).ConfigureAwait(false);
                    await QuitQuietlyAsync(greetingChannel, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await AfterTlsAsync(tls.Stream, options.HeloName, channel.Log, notes, cancellationToken).ConfigureAwait(false);
                }
                return new Attempt(dialog, outcome, null, notes);
            }
        }
        catch (Exception e) when (e is SocketException or System.IO.IOException or ObjectDisposedException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProbeException(ProbeFailureKind.ConnectionClosed, "The connection failed: " + e.Message, e);
        }
    }

    private const SslProtocols LegacyProtocols = Probing.RemoteCertificateProbe.LegacyProtocols;

    /// <summary>RFC 3207 section 4.2: EHLO again over TLS (the server must not offer STARTTLS again), then QUIT.</summary>
    private static async Task AfterTlsAsync(SslStream stream, string heloName, Action<bool, string>? log, List<string> notes, CancellationToken cancellationToken)
    {
        var channel = new PlainTextChannel(stream) { Log = log };
        try
        {
            await channel.WriteLineAsync("EHLO " + heloName, cancellationToken).ConfigureAwait(false);
            Smtp.SmtpReply ehlo = await StartTlsNegotiator.ReadSmtpReplyAsync(channel, cancellationToken).ConfigureAwait(false);
            if (ehlo.Code != 250)
            {
                notes.Add($"The server answered EHLO over TLS with {ehlo.Code}.");
            }
            else if (Smtp.EhloCapabilities.Parse(ehlo).StartTls)
            {
                notes.Add("The server advertises STARTTLS again inside TLS (RFC 3207 section 4.2 forbids it).");
            }
            await QuitQuietlyAsync(channel, cancellationToken).ConfigureAwait(false);
        }
        catch (ProbeException e)
        {
            notes.Add("After the handshake: " + e.Message);
        }
    }

    /// <summary>
    /// Says QUIT and closes without waiting for the 221: everything that matters has been
    /// answered, and a round trip to a distant server would only add to every test.
    /// </summary>
    private static async Task QuitQuietlyAsync(PlainTextChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            await channel.WriteLineAsync("QUIT", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ProbeException or System.IO.IOException or SocketException or ObjectDisposedException)
        {
            // A server that hangs up on QUIT has still answered everything that matters.
        }
    }

    private static void Fill(MailTlsResult r, MailTlsTarget target, MailTlsOptions options, Attempt a)
    {
        r.Banner = a.Dialog?.Banner;
        r.StartTlsOffered = options.TlsMode == MailTlsMode.Implicit || (a.Dialog?.StartTlsOffered ?? false);
        var notes = new List<string>(a.Notes);
        if (a.Tls is null)
        {
            r.TlsEstablished = false;
            if (a.HandshakeError is not null)
            {
                r.Error = "STARTTLS was offered but no TLS session could be established from this machine: " + a.HandshakeError;
                r.ErrorId = "TlsHandshakeFailed";
            }
            else
            {
                notes.Add("The server does not offer STARTTLS: mail to it travels in clear text.");
            }
            r.ExchangeTlsLevel = ExchangeTlsLevelRules.Decide(new TlsEvidence { TlsEstablished = false }, out _);
            r.Notes = new StringList(notes);
            return;
        }

        TlsOutcome t = a.Tls;
        r.TlsEstablished = true;
        r.Protocol = t.Protocol;
        r.CipherSuite = t.CipherSuite;
        r.KeyExchange = t.KeyExchange;
        r.ForwardSecrecy = CipherSuiteFacts.ForwardSecrecy(t.KeyExchange);
        if (t.Legacy)
        {
            notes.Add($"The server completed a handshake only when legacy protocols or suites were offered ({t.Protocol}, {t.CipherSuite}).");
        }

        if (t.Presented.Count > 0)
        {
            X509Certificate2 leaf = t.Presented[0];
            CertificateFacts f = CertificateFacts.From(leaf);
            r.CertificateSubject = f.Subject;
            r.CertificateIssuer = f.Issuer;
            r.CertificateThumbprint = f.Thumbprint;
            r.CertificateNotAfter = f.NotAfter;
            r.DaysUntilExpiry = f.DaysUntilExpiry(DateTime.UtcNow);
            r.KeySize = f.KeySize;
            r.CertificateDnsNames = new StringList(f.DnsNames);
            r.ExchangeCertificateName = f.ExchangeCertificateName;

            IReadOnlyCollection<X509Certificate2>? roots = options.TrustedRootCertificates?.Cast<X509Certificate2>().ToList();
            ChainValidation chain = ChainValidator.Validate(t.Presented, roots, options.UseSystemTrustStore);
            r.ChainValid = chain.IsValid;
            r.ChainErrors = new StringList(chain.Errors);
            r.RootIssuer = chain.RootSubject ?? t.Presented[t.Presented.Count - 1].Issuer;

            var references = new List<string>();
            if (!IPAddress.TryParse(target.MxHost, out _))
            {
                references.Add(target.MxHost);
            }
            if (!string.IsNullOrEmpty(target.Domain))
            {
                references.Add(target.Domain);
            }
            r.NameMatches = references.Count == 0 ? null : HostNameMatcher.FirstMatch(f.DnsNames, f.CommonName, references) is not null;
        }

        r.ExchangeTlsLevel = ExchangeTlsLevelRules.Decide(new TlsEvidence
        {
            TlsEstablished = true,
            Protocol = r.Protocol,
            CipherSuite = r.CipherSuite,
            ChainValid = r.ChainValid,
            NameMatches = r.NameMatches,
        }, out IReadOnlyList<string> reasons);
        r.ForcedTlsReady = r.ExchangeTlsLevel >= ExchangeTlsLevel.CertificateValidation;
        notes.AddRange(reasons);
        r.Notes = new StringList(notes);
    }
}
