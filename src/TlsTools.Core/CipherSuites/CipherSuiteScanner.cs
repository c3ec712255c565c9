using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Probing;

namespace TlsTools.CipherSuites;

/// <summary>How a cipher suite scan of one address runs.</summary>
public sealed class CipherScanOptions
{
    /// <summary>The protocol versions to try; all of SSL 3.0 to TLS 1.3 by default.</summary>
    public IReadOnlyList<TlsProtocolVersion> Protocols { get; init; } = new[]
    {
        TlsProtocolVersion.Ssl3, TlsProtocolVersion.Tls10, TlsProtocolVersion.Tls11, TlsProtocolVersion.Tls12, TlsProtocolVersion.Tls13,
    };

    /// <summary>The time allowed for one connection: connect, STARTTLS dialog, ClientHello and answer.</summary>
    public TimeSpan ConnectionTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Connections per address at the same time (protocols and parts of one protocol's offer run side by side).</summary>
    public int MaxConnections { get; init; } = 8;

    /// <summary>How often one ClientHello is tried when the connection fails before an answer (dropped, 421, timeout).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The pause before the first retry; it doubles with each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Whether to check, per protocol, whether the server imposes its own order (one more connection each).</summary>
    public bool CheckServerOrder { get; init; } = true;
}

/// <summary>
/// Finds every (protocol, suite) pair a server accepts, with crafted ClientHello messages, so that
/// the local TLS stack limits nothing. Per protocol: offer every candidate suite, note the one the
/// server chooses, remove it and offer the rest again, until the server refuses: accepted + 1
/// connections. Once a protocol is known to be accepted, the rest of its offer is split into parts
/// asked side by side. Every connection is opened by <see cref="ServerConnection.OpenAsync"/>
/// (STARTTLS spoken there), and a connection that fails before an answer is retried with back-off;
/// a protocol that could not be asked to the end is reported as inconclusive, not as refused.
/// </summary>
public static class CipherSuiteScanner
{
    private const int PartsPerProtocol = 4;
    private const int MinSuitesPerPart = 8;

    public static async Task<CipherScanFacts> ScanAsync(ProbeTarget target, CipherScanOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(Math.Max(1, options.MaxConnections));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var scan = new Scan(target, options, gate, abort.Token);
        Task<ProtocolScanFacts>[] work = options.Protocols.Distinct().OrderBy(p => p)
            .Select(p => scan.ProtocolAsync(p)).ToArray();
        ProtocolScanFacts[] protocols;
        try
        {
            protocols = await Task.WhenAll(work).ConfigureAwait(false);
        }
        catch (ProbeException e)
        {
            // A failure no retry mends (STARTTLS not offered, a name that does not resolve): the scan ends.
            abort.Cancel();
            await Task.WhenAll(work.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new CipherScanFacts { Target = target, Failure = e.ToFailure(), Elapsed = stopwatch.Elapsed };
        }

        ProbeFailure? failure = null;
        if (protocols.Length > 0 && protocols.All(p => p.Inconclusive is not null && p.Refusal is null && p.Accepted.Count == 0))
        {
            // Not one answer on any protocol: the server was never asked anything; report why.
            ProbeFailure first = protocols[0].Inconclusive!;
            failure = new ProbeFailure(first.Kind, "No ClientHello of any protocol was answered: " + first.Message, first.ServerReply);
        }
        return new CipherScanFacts { Target = target, Protocols = protocols, Failure = failure, Elapsed = stopwatch.Elapsed };
    }

    private static bool IsPermanent(ProbeFailureKind kind) =>
        kind is ProbeFailureKind.NameResolution or ProbeFailureKind.StartTlsNotOffered or ProbeFailureKind.StartTlsInjection;

    private sealed class Scan
    {
        private readonly ProbeTarget _target;
        private readonly CipherScanOptions _options;
        private readonly SemaphoreSlim _gate;
        private readonly CancellationToken _token;

        public Scan(ProbeTarget target, CipherScanOptions options, SemaphoreSlim gate, CancellationToken token)
        {
            _target = target;
            _options = options;
            _gate = gate;
            _token = token;
        }

        public async Task<ProtocolScanFacts> ProtocolAsync(TlsProtocolVersion protocol)
        {
            await Task.Yield();
            var state = new ProtocolState(protocol);
            List<ushort> candidates = CipherSuiteInfo.ForProtocol(protocol).Select(s => s.Code).ToList();

            // The first offer holds every candidate: its answer says whether the protocol is accepted at all.
            ushort? first = await StepAsync(state, candidates).ConfigureAwait(false);
            if (first is ushort chosen)
            {
                candidates.Remove(chosen);
                int parts = Math.Max(1, Math.Min(PartsPerProtocol, candidates.Count / MinSuitesPerPart));
                var chains = new List<Task>();
                for (int i = 0; i < parts; i++)
                {
                    // Interleaved parts: accepted suites cluster in code ranges, so each part gets its share.
                    List<ushort> part = candidates.Where((_, index) => index % parts == i).ToList();
                    chains.Add(ChainAsync(state, part));
                }
                await Task.WhenAll(chains).ConfigureAwait(false);
                if (_options.CheckServerOrder && state.Inconclusive is null)
                {
                    await ServerOrderAsync(state, chosen).ConfigureAwait(false);
                }
            }
            return state.ToFacts();
        }

        private async Task ChainAsync(ProtocolState state, List<ushort> offer)
        {
            await Task.Yield();
            while (offer.Count > 0)
            {
                ushort? chosen = await StepAsync(state, offer).ConfigureAwait(false);
                if (chosen is null)
                {
                    return;
                }
                offer.Remove(chosen.Value);
            }
        }

        /// <summary>One ClientHello: the suite the server chose from <paramref name="offer"/>, or null when it refused or could not be asked.</summary>
        private async Task<ushort?> StepAsync(ProtocolState state, IReadOnlyList<ushort> offer)
        {
            ServerAnswer? answer = await HelloAsync(state, offer).ConfigureAwait(false);
            if (answer is null)
            {
                return null;
            }
            if (answer.Kind == ServerAnswerKind.NotTls)
            {
                // Plain text or SSL 2.0 where TLS should start: nothing here is a refusal of TLS; the scan ends.
                throw new ProbeException(ProbeFailureKind.ProtocolViolation,
                    $"The server does not speak TLS here: {answer.Detail}. Does the port need STARTTLS (-StartTls)?");
            }
            if (!answer.Accepted)
            {
                state.Refused(answer.Detail);
                return null;
            }
            if (answer.Version != ClientHello.WireVersion(state.Protocol))
            {
                state.Refused(answer.Detail);
                return null;
            }
            if (!offer.Contains(answer.CipherSuite))
            {
                state.Refused(answer.Detail + ", a suite that was not offered");
                return null;
            }
            state.Accept(answer.CipherSuite);
            return answer.CipherSuite;
        }

        private async Task ServerOrderAsync(ProtocolState state, ushort firstChoice)
        {
            List<ushort> accepted = state.AcceptedSnapshot();
            if (accepted.Count < 2)
            {
                return;
            }
            // The first choice, made from the full offer, goes last: a server that still takes it imposes its order.
            List<ushort> offer = accepted.Where(s => s != firstChoice).Reverse().Concat(new[] { firstChoice }).ToList();
            ServerAnswer? answer = await HelloAsync(state, offer).ConfigureAwait(false);
            if (answer is { Accepted: true } && answer.Version == ClientHello.WireVersion(state.Protocol))
            {
                state.ServerOrder = answer.CipherSuite != offer[0];
            }
        }

        /// <summary>Opens a connection, sends one ClientHello and reads the answer, retrying with back-off when the connection fails first.</summary>
        private async Task<ServerAnswer?> HelloAsync(ProtocolState state, IReadOnlyList<ushort> offer)
        {
            byte[] hello = ClientHello.Build(state.Protocol, offer, _target.Sni, RandomBytes);
            ProbeFailure? last = null;
            for (int attempt = 1; attempt <= Math.Max(1, _options.MaxAttempts); attempt++)
            {
                if (attempt > 1)
                {
                    var delay = TimeSpan.FromMilliseconds(_options.RetryDelay.TotalMilliseconds * (1 << (attempt - 2)));
                    await Task.Delay(delay, _token).ConfigureAwait(false);
                }
                await _gate.WaitAsync(_token).ConfigureAwait(false);
                try
                {
                    state.Connected();
                    return await OneHelloAsync(hello).ConfigureAwait(false);
                }
                catch (ProbeException e) when (!IsPermanent(e.Kind))
                {
                    last = e.ToFailure();
                    if (e.Kind == ProbeFailureKind.Timeout)
                    {
                        // A server that let a whole connection's time pass is not asked again: a
                        // retry would multiply -TimeoutSeconds; only failures before an answer
                        // (a reset, a refused connect) are worth another attempt.
                        state.Inconclusive ??= new ProbeFailure(last.Kind, $"no answer ({last.Message})", last.ServerReply);
                        return null;
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
            state.Inconclusive ??= new ProbeFailure(last!.Kind,
                $"no answer after {_options.MaxAttempts} attempts ({last.Message})", last.ServerReply);
            return null;
        }

        private async Task<ServerAnswer> OneHelloAsync(byte[] hello)
        {
            using var perConnection = CancellationTokenSource.CreateLinkedTokenSource(_token);
            perConnection.CancelAfter(_options.ConnectionTimeout);
            try
            {
                using ServerConnection connection = await ServerConnection.OpenAsync(_target, null, null, perConnection.Token).ConfigureAwait(false);
                if (!connection.AtTlsStart)
                {
                    throw new ProbeException(ProbeFailureKind.StartTlsNotOffered, "The server does not advertise STARTTLS.")
                    {
                        ServerReply = connection.Dialog?.Banner,
                    };
                }
                try
                {
                    await connection.Stream.WriteAsync(hello, 0, hello.Length, perConnection.Token).ConfigureAwait(false);
                    return await ServerHelloReader.ReadAsync(connection.Stream, perConnection.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException && !perConnection.IsCancellationRequested)
                {
                    // A reset in answer to the ClientHello is how some stacks refuse.
                    return new ServerAnswer { Kind = ServerAnswerKind.Closed, Detail = "the server reset the connection" };
                }
            }
            catch (Exception e) when (perConnection.IsCancellationRequested && !_token.IsCancellationRequested
                && e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or ProbeException)
            {
                throw new ProbeException(ProbeFailureKind.Timeout,
                    $"no answer within {_options.ConnectionTimeout.TotalSeconds:0.#} seconds", e);
            }
        }
    }

    private static byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        using var rng = RandomNumberGenerator.Create();
        rng.GetBytes(bytes);
        return bytes;
    }

    /// <summary>What one protocol's chains have found so far; chains of one protocol run side by side.</summary>
    private sealed class ProtocolState
    {
        private readonly object _lock = new();
        private readonly List<ushort> _accepted = new();
        private int _connections;
        private string? _refusal;

        public ProtocolState(TlsProtocolVersion protocol) => Protocol = protocol;

        public TlsProtocolVersion Protocol { get; }

        public bool? ServerOrder { get; set; }

        public ProbeFailure? Inconclusive { get; set; }

        public void Connected() => Interlocked.Increment(ref _connections);

        public void Accept(ushort suite)
        {
            lock (_lock)
            {
                _accepted.Add(suite);
            }
        }

        public void Refused(string detail)
        {
            lock (_lock)
            {
                _refusal ??= detail;
            }
        }

        public List<ushort> AcceptedSnapshot()
        {
            lock (_lock)
            {
                return _accepted.ToList();
            }
        }

        public ProtocolScanFacts ToFacts() => new()
        {
            Protocol = Protocol,
            Accepted = AcceptedSnapshot(),
            ServerOrder = ServerOrder,
            Refusal = _refusal,
            Inconclusive = Inconclusive,
            Connections = _connections,
        };
    }
}
