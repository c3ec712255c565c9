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
public sealed class DnsClientResolver : IMailDnsResolver
{
    private readonly LookupClient _client;

    public DnsClientResolver(IPEndPoint? server, TimeSpan timeout)
    {
        LookupClientOptions options = server is null ? new LookupClientOptions() : new LookupClientOptions(new NameServer(server));
        options.Timeout = timeout;
        options.Retries = 1;
        options.UseCache = false;
        options.ThrowDnsErrors = false;
        options.UseTcpFallback = true;
        options.ContinueOnDnsError = false;
        options.ContinueOnEmptyResponse = false;
        _client = new LookupClient(options);
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

    public async Task<IReadOnlyList<MxRecordData>> GetMxAsync(string domain, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response = await QueryAsync(domain, QueryType.MX, cancellationToken).ConfigureAwait(false);
        return response.Answers.MxRecords()
            .Select(r => new MxRecordData(r.Preference, r.Exchange.Value))
            .ToList();
    }

    public async Task<IReadOnlyList<IPAddress>> GetAddressesAsync(string host, AddressFamilyFilter family, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return new[] { literal };
        }
        var result = new List<IPAddress>();
        if (family != AddressFamilyFilter.IPv6)
        {
            IDnsQueryResponse a = await QueryAsync(host, QueryType.A, cancellationToken).ConfigureAwait(false);
            result.AddRange(a.Answers.ARecords().Select(r => r.Address));
        }
        if (family != AddressFamilyFilter.IPv4)
        {
            IDnsQueryResponse aaaa = await QueryAsync(host, QueryType.AAAA, cancellationToken).ConfigureAwait(false);
            result.AddRange(aaaa.Answers.AaaaRecords().Select(r => r.Address));
        }
        return result.Distinct().ToList();
    }

    /// <summary>The TXT strings of <paramref name="name"/>, each record's strings joined.</summary>
    public async Task<IReadOnlyList<string>> GetTxtAsync(string name, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response = await QueryAsync(name, QueryType.TXT, cancellationToken).ConfigureAwait(false);
        return response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
    }

    private async Task<IDnsQueryResponse> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (DnsResponseException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
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
