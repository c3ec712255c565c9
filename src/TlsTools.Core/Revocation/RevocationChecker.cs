using System;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;

namespace TlsTools.Revocation;

/// <summary>
/// Checks one endpoint the way <c>certutil -URL</c> does: fetch it (DNS, TCP, HTTP status, bytes,
/// latency), then judge the content: a CRL, an OCSP answer for the certificate, or the issuer's
/// certificate. A failure of the endpoint is a finding in the result, never an exception.
/// </summary>
public sealed class RevocationChecker
{
    private readonly RevocationHttpClient _http;
    private readonly TimeSpan _issuerTimeout;
    private readonly CancellationToken _stop;

    /// <param name="http">The client every fetch goes through (proxy, caps).</param>
    /// <param name="issuerTimeout">The time allowed to download a certificate's issuer from its CA-issuers URLs.</param>
    /// <param name="stop">Cancels everything, shared issuer downloads included.</param>
    public RevocationChecker(RevocationHttpClient http, TimeSpan issuerTimeout, CancellationToken stop)
    {
        _http = http;
        _issuerTimeout = issuerTimeout;
        _stop = stop;
    }

    /// <summary>The current time; replaceable for tests.</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.UtcNow;

    /// <summary>Checks <paramref name="check"/>; when <paramref name="cancellationToken"/> fires first, the result says Timeout.</summary>
    public async Task<RevocationEndpointResult> CheckAsync(RevocationCheck check, CancellationToken cancellationToken)
    {
        RevocationSubject? subject = check.Subject;
        var result = new RevocationEndpointResult
        {
            Certificate = subject?.Certificate.Subject ?? check.Label ?? string.Empty,
            Thumbprint = subject?.Certificate.Thumbprint.ToUpperInvariant(),
            Kind = check.Kind,
            Uri = check.Uri.OriginalString,
            Host = check.Uri.Host,
            Proxy = _http.ProxyFor(check.Uri),
            Note = check.Note,
        };

        Task<IssuerLookup>? issuerTask = subject is not null && check.Kind != RevocationEndpointKind.CaIssuers
            ? subject.GetIssuerAsync(_http, _issuerTimeout, _stop)
            : null;

        HttpFetchResult fetch;
        OcspQuery? query = null;
        IssuerLookup? issuer = null;
        if (check.Kind == RevocationEndpointKind.Ocsp && !check.ReachabilityOnly)
        {
            // The request names the issuer (its name and key hashes), so the issuer comes first.
            if (issuerTask is not null)
            {
                issuer = await WaitForIssuerAsync(issuerTask, cancellationToken).ConfigureAwait(false);
            }
            query = OcspEvaluator.BuildRequest(subject?.Bc, issuer?.Issuer);
            fetch = await _http.PostAsync(check.Uri, query.Request, OcspEvaluator.RequestContentType, OcspEvaluator.ResponseContentType, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            fetch = await _http.GetAsync(check.Uri, cancellationToken).ConfigureAwait(false);
        }

        Apply(fetch, result);
        if (check.ReachabilityOnly && HostAnswered(fetch.StatusCode))
        {
            // Only the host is known: an answer for its root (even "not found") shows it is reachable.
            result.Status = RevocationEndpointStatus.OK;
            result.Detail = $"The host answered (HTTP {fetch.StatusCode}); only the host is known, so no content was checked.";
            return result;
        }
        if (fetch.Outcome != HttpFetchOutcome.Completed)
        {
            return result;
        }

        DateTime now = Clock();

        switch (check.Kind)
        {
            case RevocationEndpointKind.Crl:
                if (issuerTask is not null)
                {
                    issuer = await WaitForIssuerAsync(issuerTask, cancellationToken).ConfigureAwait(false);
                }
                CrlEvaluator.Evaluate(fetch.Body, subject?.Bc, issuer?.Issuer, issuer?.Note, now, result);
                break;
            case RevocationEndpointKind.Ocsp:
                OcspEvaluator.Evaluate(fetch.Body, query!, issuer?.Issuer, issuer?.Note, now, result);
                break;
            case RevocationEndpointKind.CaIssuers:
                CaIssuersEvaluator.Evaluate(fetch.Body, subject?.Bc, check.ExpectedThumbprint, now, result);
                break;
        }
        return result;
    }

    /// <summary>2xx, 3xx and 404 come from the host; 401, 403, 407 and 5xx are as likely a proxy or gateway refusing.</summary>
    private static bool HostAnswered(int? status) => status is >= 200 and < 400 or 404;

    private static async Task<IssuerLookup> WaitForIssuerAsync(Task<IssuerLookup> lookup, CancellationToken cancellationToken)
    {
        try
        {
            return await lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return new IssuerLookup(null, "the issuer's download did not finish in time.");
        }
    }

    /// <summary>Copies the transport facts into the result and, for a failed fetch, the verdict.</summary>
    internal static void Apply(HttpFetchResult fetch, RevocationEndpointResult result)
    {
        result.Reachable = fetch.StatusCode is not null;
        result.HttpStatus = fetch.StatusCode;
        result.Latency = fetch.Elapsed;
        result.Bytes = fetch.Bytes;
        result.IPAddress = fetch.RemoteAddress;
        if (fetch.Redirects > 0)
        {
            result.RedirectedTo = fetch.FinalUri.OriginalString;
        }
        switch (fetch.Outcome)
        {
            case HttpFetchOutcome.Completed:
                return;
            case HttpFetchOutcome.NameResolution:
            case HttpFetchOutcome.ConnectFailed:
            case HttpFetchOutcome.TlsFailed:
                result.Status = RevocationEndpointStatus.Unreachable;
                break;
            case HttpFetchOutcome.Timeout:
                result.Status = RevocationEndpointStatus.Timeout;
                break;
            case HttpFetchOutcome.TooLarge:
                result.Status = RevocationEndpointStatus.TooLarge;
                break;
            default:
                result.Status = RevocationEndpointStatus.HttpError;
                break;
        }
        result.Detail = (result.Proxy is not null && result.Proxy != "direct" && fetch.Outcome is HttpFetchOutcome.ConnectFailed or HttpFetchOutcome.NameResolution
            ? $"Through the proxy {result.Proxy}: " : string.Empty) + fetch.Message;
    }
}
