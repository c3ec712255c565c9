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
using TlsTools.Routing;

namespace TlsTools.Policy;

/// <summary>How a DNS question was answered.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum DnsAnswerStatus
{
    /// <summary>An answer (possibly with no records of the type: NODATA).</summary>
    Answered,
    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NameNotFound,
    /// <summary>SERVFAIL: from a validating resolver, usually DNSSEC validation failed (bogus).</summary>
    ServerFailure,
    /// <summary>Any other failure: timeout, refused, unreachable server.</summary>
    Failed,
}

/// <summary>The answer to one DNS question, with the resolver's AD flag.</summary>
public sealed class DnsAnswer<T>
{
    public IReadOnlyList<T> Records { get; init; } = Array.Empty<T>();

    /// <summary>
    /// The AD (authentic data) flag of the response: the resolver says it validated the answer
    /// (or the denial) with DNSSEC. Only as good as the resolver and the path to it.
    /// </summary>
    public bool Authenticated { get; init; }

    public DnsAnswerStatus Status { get; init; }

    /// <summary>Why the question failed, for messages.</summary>
    public string? Error { get; init; }

    public bool Failed => Status is DnsAnswerStatus.ServerFailure or DnsAnswerStatus.Failed;
}

/// <summary>The DNS questions of mail TLS policy (MX, addresses, TXT, TLSA), each with its AD flag.</summary>
public interface IPolicyDnsResolver
{
    /// <summary>The server asked, for messages ("127.0.0.1:53", or "system").</summary>
    string ServerName { get; }

    Task<DnsAnswer<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken);

    /// <summary>A and/or AAAA; authenticated only when every answer asked for was.</summary>
    Task<DnsAnswer<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken);

    /// <summary>TXT strings, each record's strings joined.</summary>
    Task<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken cancellationToken);

    Task<DnsAnswer<TlsaRecordData>> GetTlsaAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IPolicyDnsResolver"/> over DnsClient. Every query sets the DO bit (EDNS) so a
/// validating resolver reports with the AD flag whether it validated the answer; this class does
/// no DNSSEC validation of its own and trusts the resolver it asks, and the path to it.
/// </summary>
public sealed class PolicyDnsClient : IPolicyDnsResolver
{
    private readonly LookupClient _client;
    private readonly TimeSpan _timeout;

    /// <param name="server">The DNS server to ask; null for the system's configured servers.</param>
    /// <param name="timeout">The time one question may take, all of DnsClient's attempts (and a
    /// TCP retry of a truncated answer) together: a silent server ends it within this time, not twice it.</param>
    public PolicyDnsClient(IPEndPoint? server, TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
        }
        _timeout = timeout;
        (TimeSpan perQuery, int retries) = DnsClientResolver.QueryTiming(timeout);
        LookupClientOptions options = server is null ? new LookupClientOptions() : new LookupClientOptions(new NameServer(server));
        options.Timeout = perQuery;
        options.Retries = retries;
        options.UseCache = false;
        options.ThrowDnsErrors = false;
        options.UseTcpFallback = true;
        options.ContinueOnDnsError = false;
        options.ContinueOnEmptyResponse = false;
        options.RequestDnsSecRecords = true;
        _client = new LookupClient(options);
        ServerName = server is null ? "the system's DNS servers" : Net.HostEndpoint.Format(server.Address.ToString(), server.Port);
    }

    public string ServerName { get; }

    public async Task<DnsAnswer<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken) =>
        await QueryAsync(domain, QueryType.MX, r => r.Answers.MxRecords().Select(m => new MxRecordData(m.Preference, m.Exchange.Value)), cancellationToken).ConfigureAwait(false);

    public async Task<DnsAnswer<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return new DnsAnswer<IPAddress> { Records = new[] { literal }, Status = DnsAnswerStatus.Answered };
        }
        // A and AAAA are asked at the same time: a silent server costs one timeout, not two.
        var questions = new List<Task<DnsAnswer<IPAddress>>>();
        if (family != AddressFamilyFilter.IPv6)
        {
            questions.Add(QueryAsync(host, QueryType.A, r => r.Answers.ARecords().Select(a => a.Address), cancellationToken));
        }
        if (family != AddressFamilyFilter.IPv4)
        {
            questions.Add(QueryAsync(host, QueryType.AAAA, r => r.Answers.AaaaRecords().Select(a => a.Address), cancellationToken));
        }
        DnsAnswer<IPAddress>[] answers = await Task.WhenAll(questions).ConfigureAwait(false);
        DnsAnswer<IPAddress>? failed = answers.FirstOrDefault(a => a.Failed);
        return new DnsAnswer<IPAddress>
        {
            Records = answers.SelectMany(a => a.Records).Distinct().ToList(),
            Authenticated = answers.All(a => a.Authenticated),
            Status = failed?.Status ?? (answers.All(a => a.Status == DnsAnswerStatus.NameNotFound) ? DnsAnswerStatus.NameNotFound : DnsAnswerStatus.Answered),
            Error = failed?.Error,
        };
    }

    public async Task<DnsAnswer<string>> GetTxtAsync(string name, CancellationToken cancellationToken) =>
        await QueryAsync(name, QueryType.TXT, r => r.Answers.TxtRecords().Select(t => string.Concat(t.Text)), cancellationToken).ConfigureAwait(false);

    public async Task<DnsAnswer<TlsaRecordData>> GetTlsaAsync(string name, CancellationToken cancellationToken) =>
        await QueryAsync(name, QueryType.TLSA, r => r.Answers.OfType<TlsaRecord>().Select(t => new TlsaRecordData(
            (int)t.CertificateUsage, (int)t.Selector, (int)t.MatchingType, t.CertificateAssociationData.ToArray())), cancellationToken).ConfigureAwait(false);

    private async Task<DnsAnswer<T>> QueryAsync<T>(string name, QueryType type, Func<IDnsQueryResponse, IEnumerable<T>> select, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await DnsDeadline.RunAsync(name, _timeout,
                ct => _client.QueryAsync(name, type, QueryClass.IN, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (DnsLookupException e)
        {
            // The deadline of this question passed (DnsClient's own attempts did not end it).
            return new DnsAnswer<T> { Status = DnsAnswerStatus.Failed, Error = $"{type} query for {name}: {e.Message}" };
        }
        catch (DnsResponseException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string why = e.Code == DnsResponseCode.ConnectionTimeout
                ? $"the DNS server did not answer within {DnsDeadline.Seconds(_timeout)} s."
                : e.Message;
            return new DnsAnswer<T> { Status = DnsAnswerStatus.Failed, Error = $"{type} query for {name}: {why}" };
        }
        catch (SocketException e)
        {
            return new DnsAnswer<T> { Status = DnsAnswerStatus.Failed, Error = $"{type} query for {name}: {e.Message}" };
        }
        bool ad = response.Header.IsAuthenticData;
        switch (response.Header.ResponseCode)
        {
            case DnsHeaderResponseCode.NoError:
                return new DnsAnswer<T> { Records = select(response).ToList(), Authenticated = ad, Status = DnsAnswerStatus.Answered };
            case DnsHeaderResponseCode.NotExistentDomain:
                return new DnsAnswer<T> { Authenticated = ad, Status = DnsAnswerStatus.NameNotFound, Error = $"{name} does not exist (NXDOMAIN)." };
            case DnsHeaderResponseCode.ServerFailure:
                return new DnsAnswer<T>
                {
                    Status = DnsAnswerStatus.ServerFailure,
                    Error = string.Format(CultureInfo.InvariantCulture, "{0} query for {1}: SERVFAIL (from a validating resolver this usually means the DNSSEC signatures are bogus).", type, name),
                };
            default:
                return new DnsAnswer<T> { Status = DnsAnswerStatus.Failed, Error = $"{type} query for {name}: {response.ErrorMessage}" };
        }
    }
}
