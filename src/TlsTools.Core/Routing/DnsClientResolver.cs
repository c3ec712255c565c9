using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using DnsClient;
using DnsClient.Protocol;

namespace TlsTools.Routing;

/// <summary>
/// <see cref="IMailDnsResolver"/> over DnsClient, against a given DNS server (split-horizon checks,
/// tests) or the system's configured servers. Answers are not cached between look-ups.
/// </summary>
/// <remarks>
/// <para>The timeout is the time one domain's whole DNS stage may take (see
/// <see cref="StageTimeout"/>); each call here is held to it too. DnsClient's own per-query
/// timeout and retries are chosen so that all attempts of one query fit inside it (see
/// <see cref="QueryTiming"/>), and the deadline holds even if a query does not heed its token.</para>
/// <para>Queries pass through a <see cref="DnsQueryGate"/> (the process-wide one by default), so
/// the number of queries outstanding at once is bounded however many domains are resolved.</para>
/// </remarks>
public sealed class DnsClientResolver : IMailDnsResolver, IMailDnsStageTimeout
{
    private readonly LookupClient _client;
    private readonly DnsQueryGate _gate;
    private readonly TimeSpan _attemptsTotal;

    /// <param name="server">The DNS server to ask; null for the system's configured servers.</param>
    /// <param name="timeout">The time one domain's DNS stage (and each single call) may take.</param>
    /// <param name="gate">Bounds the queries outstanding at once; <see cref="DnsQueryGate.Shared"/> when null.</param>
    public DnsClientResolver(IPEndPoint? server, TimeSpan timeout, DnsQueryGate? gate = null)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
        }
        StageTimeout = timeout;
        _gate = gate ?? DnsQueryGate.Shared;
        (TimeSpan perQuery, int retries) = QueryTiming(timeout);
        _attemptsTotal = TimeSpan.FromTicks(perQuery.Ticks * (retries + 1));
        LookupClientOptions options = server is null ? new LookupClientOptions() : new LookupClientOptions(new NameServer(server));
        options.Timeout = perQuery;
        options.Retries = retries;
        options.UseCache = false;
        options.ThrowDnsErrors = false;
        options.UseTcpFallback = true;
        options.ContinueOnDnsError = false;
        options.ContinueOnEmptyResponse = false;
        _client = new LookupClient(options);
    }

    /// <inheritdoc />
    public TimeSpan StageTimeout { get; }

    /// <summary>
    /// DnsClient's per-query timeout and retry count for a stage of <paramref name="stageTimeout"/>:
    /// two attempts (three from 6 s on), each at most 5 s, together no longer than the stage, so a
    /// lost datagram is asked again and a silent server still ends inside the deadline.
    /// </summary>
    public static (TimeSpan PerQuery, int Retries) QueryTiming(TimeSpan stageTimeout)
    {
        int attempts = stageTimeout >= TimeSpan.FromSeconds(6) ? 3 : 2;
        long perQuery = Math.Min(stageTimeout.Ticks / attempts, TimeSpan.FromSeconds(5).Ticks);
        perQuery = Math.Max(perQuery, TimeSpan.FromMilliseconds(100).Ticks);
        return (TimeSpan.FromTicks(perQuery), attempts - 1);
    }

    /// <summary>Parses "ip", "ip:port" or "[v6]:port" (port 53 by default).</summary>
    public static IPEndPoint ParseServer(string text)
    {
        if (!Net.HostEndpoint.TryParse(text, out Net.HostEndpoint? e) || e!.Address is null)
        {
            throw new FormatException($"'{text}' is not a DNS server address (ip or ip:port).");
        }
        return new IPEndPoint(e.Address, e.Port ?? 53);
    }

    public Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken) =>
        DnsDeadline.RunAsync(domain, StageTimeout, async ct =>
        {
            IDnsQueryResponse response = await QueryAsync(domain, QueryType.MX, ct).ConfigureAwait(false);
            return (IReadOnlyList<MxRecordData>)response.Answers.MxRecords()
                .Select(r => new MxRecordData(r.Preference, r.Exchange.Value))
                .ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return Task.FromResult<IReadOnlyList<IPAddress>>(new[] { literal });
        }
        return DnsDeadline.RunAsync(host, StageTimeout, async ct =>
        {
            // A and AAAA are asked at the same time: one round trip, not two, of the stage's time.
            Task<IDnsQueryResponse>? a = family != AddressFamilyFilter.IPv6 ? QueryAsync(host, QueryType.A, ct) : null;
            Task<IDnsQueryResponse>? aaaa = family != AddressFamilyFilter.IPv4 ? QueryAsync(host, QueryType.AAAA, ct) : null;
            await Task.WhenAll(new[] { a, aaaa }.OfType<Task<IDnsQueryResponse>>()).ConfigureAwait(false);
            var result = new List<IPAddress>();
            if (a is not null)
            {
                result.AddRange((await a.ConfigureAwait(false)).Answers.ARecords().Select(r => r.Address));
            }
            if (aaaa is not null)
            {
                result.AddRange((await aaaa.ConfigureAwait(false)).Answers.AaaaRecords().Select(r => r.Address));
            }
            return (IReadOnlyList<IPAddress>)result.Distinct().ToList();
        }, cancellationToken);
    }

    /// <summary>The TXT strings of <paramref name="name"/>, each record's strings joined.</summary>
    public Task<IReadOnlyList<string>> GetTxtAsync(string name, CancellationToken cancellationToken) =>
        DnsDeadline.RunAsync(name, StageTimeout, async ct =>
        {
            IDnsQueryResponse response = await QueryAsync(name, QueryType.TXT, ct).ConfigureAwait(false);
            return (IReadOnlyList<string>)response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
        }, cancellationToken);

    private async Task<IDnsQueryResponse> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _gate.RunAsync(() => _client.QueryAsync(name, type, QueryClass.IN, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (e.Code == DnsResponseCode.ConnectionTimeout)
            {
                // Every attempt DnsClient made went unanswered.
                throw DnsDeadline.TimedOut(name, _attemptsTotal, e);
            }
            throw new DnsLookupException(name, $"{type} query: {e.Message}", false, e);
        }
        catch (SocketException e)
        {
            throw new DnsLookupException(name, $"{type} query: {e.Message}", false, e);
        }
        if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new DnsLookupException(name, "the name does not exist (NXDOMAIN).", true);
        }
        if (response.HasError)
        {
            throw new DnsLookupException(name, string.Format(CultureInfo.InvariantCulture, "{0} query: {1}", type, response.ErrorMessage), false);
        }
        return response;
    }
}
