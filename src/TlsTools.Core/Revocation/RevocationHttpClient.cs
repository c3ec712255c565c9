using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;

namespace TlsTools.Revocation;

/// <summary>How <see cref="RevocationHttpClient"/> fetches.</summary>
public sealed class HttpFetchOptions
{
    /// <summary>The default cap on a response body: large CRLs run to a few megabytes.</summary>
    public const long DefaultMaximumResponseBytes = 10 * 1024 * 1024;

    /// <summary>Send every request through this proxy (http://host:port); ignored when <see cref="Route"/> is set.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>Connect directly; without <see cref="Proxy"/> or <see cref="Route"/> requests go direct anyway.</summary>
    public bool NoProxy { get; init; }

    /// <summary>
    /// How each request reaches the network (a fixed proxy, the WinHTTP proxy with its bypass list, or
    /// direct); null takes <see cref="Proxy"/> when set, else direct. Callers that want Exchange's
    /// view pass <see cref="ProxyRoute.Default"/>.
    /// </summary>
    public ProxyRoute? Route { get; init; }

    /// <summary>The route in effect.</summary>
    public ProxyRoute EffectiveRoute => Route ?? (Proxy is not null ? ProxyRoute.Fixed(Proxy) : ProxyRoute.Direct);

    /// <summary>A response body larger than this is not read (status TooLarge).</summary>
    public long MaximumResponseBytes { get; init; } = DefaultMaximumResponseBytes;

    /// <summary>How many redirects are followed (to http or https URLs only).</summary>
    public int MaximumRedirection { get; init; } = 3;

    public string UserAgent { get; init; } = "TlsTools";
}

/// <summary>How a fetch ended.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum HttpFetchOutcome
{
    /// <summary>A 2xx response was read to the end, within the size cap.</summary>
    Completed,
    NameResolution,
    ConnectFailed,
    /// <summary>The TLS handshake of an https URL failed.</summary>
    TlsFailed,
    Timeout,
    /// <summary>A non-2xx status.</summary>
    HttpStatus,
    /// <summary>Too many redirects, a redirect without a usable Location, or one to another scheme.</summary>
    RedirectRefused,
    TooLarge,
    /// <summary>The exchange broke off (connection closed mid-response, unparsable HTTP).</summary>
    ProtocolError,
}

/// <summary>The result of one fetch, complete or not.</summary>
public sealed class HttpFetchResult
{
    public HttpFetchOutcome Outcome { get; set; }

    /// <summary>The status of the last response, when one arrived.</summary>
    public int? StatusCode { get; set; }

    /// <summary>The body, when <see cref="Outcome"/> is Completed.</summary>
    public byte[] Body { get; set; } = Array.Empty<byte>();

    /// <summary>Body bytes read (also for an incomplete body).</summary>
    public long Bytes { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>The URL of the last request.</summary>
    public Uri FinalUri { get; set; } = null!;

    public int Redirects { get; set; }

    /// <summary>A TCP connection was made (known on .NET 8; on .NET Framework only once a response arrived).</summary>
    public bool Connected { get; set; }

    /// <summary>The address connected to, where known.</summary>
    public string? RemoteAddress { get; set; }

    public string? ContentType { get; set; }

    /// <summary>What happened, in words, for anything but Completed.</summary>
    public string Message { get; set; } = string.Empty;
}

/// <summary>
/// A small HTTP client for CRL, OCSP and CA-issuers URLs: every request on a fresh connection (so that
/// each endpoint's reachability is measured, not a pooled connection's), redirects followed by hand to
/// http/https only and at most <see cref="HttpFetchOptions.MaximumRedirection"/> times, bodies read up
/// to <see cref="HttpFetchOptions.MaximumResponseBytes"/>, and every step under the caller's token
/// (which carries the timeout). One instance serves one cmdlet invocation.
/// </summary>
public sealed class RevocationHttpClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly HttpFetchOptions _options;

    public RevocationHttpClient(HttpFetchOptions options)
    {
        _options = options;
        Route = options.EffectiveRoute;
        _client = new HttpClient(CreateHandler(Route), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public HttpFetchOptions Options => _options;

    /// <summary>The route every request takes.</summary>
    public ProxyRoute Route { get; }

    /// <summary>The proxy a request for <paramref name="uri"/> goes through, as results name it: its URL, or "direct".</summary>
    public string ProxyFor(Uri uri) => Route.Describe(uri);

    public Task<HttpFetchResult> GetAsync(Uri uri, CancellationToken cancellationToken) =>
        SendAsync(uri, null, null, null, cancellationToken);

    public Task<HttpFetchResult> PostAsync(Uri uri, byte[] body, string contentType, string? accept, CancellationToken cancellationToken) =>
        SendAsync(uri, body, contentType, accept, cancellationToken);

    private async Task<HttpFetchResult> SendAsync(Uri uri, byte[]? body, string? contentType, string? accept, CancellationToken cancellationToken)
    {
        var result = new HttpFetchResult { FinalUri = uri };
        var tracker = new ConnectionTracker();
        Stopwatch watch = Stopwatch.StartNew();
        HttpMethod method = body is null ? HttpMethod.Get : HttpMethod.Post;
        try
        {
            while (true)
            {
                using HttpRequestMessage request = new(method, result.FinalUri);
                request.Headers.ConnectionClose = true;
                request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
                if (accept is not null)
                {
                    request.Headers.TryAddWithoutValidation("Accept", accept);
                }
                if (method == HttpMethod.Post && body is not null)
                {
                    request.Content = new ByteArrayContent(body);
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType ?? "application/octet-stream");
                }
                ConnectionTracker.Attach(request, tracker);

                using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                result.Connected = true;
                result.StatusCode = (int)response.StatusCode;
                result.ContentType = response.Content.Headers.ContentType?.MediaType;
                int status = result.StatusCode.Value;

                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    Uri? location = response.Headers.Location;
                    if (location is null)
                    {
                        return Finish(result, HttpFetchOutcome.RedirectRefused, $"HTTP {status} without a Location header.");
                    }
                    Uri next = location.IsAbsoluteUri ? location : new Uri(result.FinalUri, location);
                    if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                    {
                        return Finish(result, HttpFetchOutcome.RedirectRefused, $"HTTP {status} redirects to {next.Scheme}:, which is not followed (http and https only).");
                    }
                    if (result.Redirects >= _options.MaximumRedirection)
                    {
                        return Finish(result, HttpFetchOutcome.RedirectRefused,
                            $"HTTP {status} to {next}: more than {_options.MaximumRedirection} redirects.");
                    }
                    result.Redirects++;
                    result.FinalUri = next;
                    if (status == 303)
                    {
                        // See Other: the answer is fetched with GET, without the body (RFC 9110 section 15.4.4).
                        method = HttpMethod.Get;
                        body = null;
                    }
                    // 301, 302, 307 and 308 re-send a POST with its body: an OCSP request moved to another
                    // responder URL must still carry the request (RFC 6960 appendix A.1 is POST or GET; a
                    // browser-style switch to GET would ask the new URL nothing).
                    continue;
                }

                if (status < 200 || status > 299)
                {
                    return Finish(result, HttpFetchOutcome.HttpStatus, $"HTTP {status} {response.ReasonPhrase}".TrimEnd());
                }

                long? length = response.Content.Headers.ContentLength;
                if (length > _options.MaximumResponseBytes)
                {
                    return Finish(result, HttpFetchOutcome.TooLarge,
                        $"The response announces {length} bytes, more than the maximum of {_options.MaximumResponseBytes}.");
                }
                return await ReadBodyAsync(response, result, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
            return Finish(result, HttpFetchOutcome.Timeout, result.StatusCode is null
                ? (tracker.Connected || result.Connected ? "Connected, but no answer came in time." : "No connection could be made in time.")
                : $"The response (HTTP {result.StatusCode}) did not finish in time; {result.Bytes} bytes were read.");
        }
        catch (HttpRequestException e)
        {
            (HttpFetchOutcome outcome, string message) = Classify(e);
            return Finish(result, outcome, message);
        }
        catch (IOException e)
        {
            return Finish(result, HttpFetchOutcome.ProtocolError, "The connection broke off: " + e.Message);
        }
        finally
        {
            result.Elapsed = watch.Elapsed;
            result.Connected |= tracker.Connected;
            result.RemoteAddress ??= tracker.RemoteAddress;
        }
    }

    private async Task<HttpFetchResult> ReadBodyAsync(HttpResponseMessage response, HttpFetchResult result, CancellationToken cancellationToken)
    {
        long max = _options.MaximumResponseBytes;
#if NET8_0_OR_GREATER
        using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
#else
        using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
#endif
        // Reads on .NET Framework ignore the token: disposing the response is what interrupts them.
        using CancellationTokenRegistration abort = cancellationToken.Register(static r => ((HttpResponseMessage)r!).Dispose(), response);
        using var body = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            int n = await stream.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            if (body.Length + n > max)
            {
                result.Bytes = body.Length + n;
                return Finish(result, HttpFetchOutcome.TooLarge, $"The response is larger than the maximum of {max} bytes; reading stopped after {result.Bytes}.");
            }
            body.Write(buffer, 0, n);
            result.Bytes = body.Length;
        }
        cancellationToken.ThrowIfCancellationRequested();
        result.Body = body.ToArray();
        result.Bytes = result.Body.Length;
        result.Outcome = HttpFetchOutcome.Completed;
        return result;
    }

    private static HttpFetchResult Finish(HttpFetchResult result, HttpFetchOutcome outcome, string message)
    {
        result.Outcome = outcome;
        result.Message = message;
        return result;
    }

    /// <summary>Turns a failed request into an outcome: DNS, TCP connect, TLS, or a broken exchange.</summary>
    internal static (HttpFetchOutcome, string) Classify(HttpRequestException e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case ProbeException p when p.Kind == ProbeFailureKind.NameResolution:
                    return (HttpFetchOutcome.NameResolution, p.Message);
                case ProbeException p when p.Kind == ProbeFailureKind.ConnectFailed:
                    return (HttpFetchOutcome.ConnectFailed, p.Message);
                case SocketException s when s.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain:
                    return (HttpFetchOutcome.NameResolution, "The name could not be resolved: " + s.Message);
                case SocketException s:
                    return (HttpFetchOutcome.ConnectFailed, "Could not connect: " + s.Message);
                case AuthenticationException a:
                    return (HttpFetchOutcome.TlsFailed, "The TLS handshake failed: " + a.Message);
                case WebException w when w.Status is WebExceptionStatus.NameResolutionFailure or WebExceptionStatus.ProxyNameResolutionFailure:
                    return (HttpFetchOutcome.NameResolution, w.Message);
                case WebException w when w.Status == WebExceptionStatus.ConnectFailure:
                    return (HttpFetchOutcome.ConnectFailed, w.Message);
                case WebException w when w.Status is WebExceptionStatus.TrustFailure or WebExceptionStatus.SecureChannelFailure:
                    return (HttpFetchOutcome.TlsFailed, w.Message);
            }
        }
#if NET8_0_OR_GREATER
        switch (e.HttpRequestError)
        {
            case HttpRequestError.NameResolutionError:
                return (HttpFetchOutcome.NameResolution, e.Message);
            case HttpRequestError.ConnectionError:
            case HttpRequestError.ProxyTunnelError:
                return (HttpFetchOutcome.ConnectFailed, e.Message);
            case HttpRequestError.SecureConnectionError:
                return (HttpFetchOutcome.TlsFailed, e.Message);
        }
#endif
        string detail = e.InnerException is null ? e.Message : e.Message + " " + e.InnerException.Message;
        return (HttpFetchOutcome.ProtocolError, detail);
    }

    private static HttpMessageHandler CreateHandler(ProxyRoute route)
    {
        IWebProxy? proxy = ReferenceEquals(route, ProxyRoute.Direct) ? null : new RouteProxy(route);
        bool useProxy = proxy is not null;
#if NET8_0_OR_GREATER
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 256,
            PooledConnectionLifetime = TimeSpan.Zero,
            UseProxy = useProxy,
            ConnectCallback = ConnectionTracker.ConnectAsync,
        };
#else
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 256,
            UseProxy = useProxy,
        };
#endif
        if (proxy is not null)
        {
            handler.Proxy = proxy;
        }
        return handler;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>A proxy chosen per URL by the route, loopback included (the framework's WebProxy may bypass local addresses).</summary>
    private sealed class RouteProxy : IWebProxy
    {
        private readonly ProxyRoute _route;

        public RouteProxy(ProxyRoute route) => _route = route;

        public ICredentials? Credentials { get; set; }

        public Uri? GetProxy(Uri destination) => _route.For(destination);

        public bool IsBypassed(Uri host) => _route.For(host) is null;
    }

    /// <summary>
    /// Records whether a request's connection was made and to which address. On .NET 8 the handler's
    /// connect callback resolves and connects through <see cref="TcpConnector"/>, so a name that does
    /// not resolve and a port that refuses are told apart; on .NET Framework the handler connects itself.
    /// </summary>
    private sealed class ConnectionTracker
    {
        private int _connected;
        private string? _address;

        public bool Connected => Volatile.Read(ref _connected) != 0;

        public string? RemoteAddress => Volatile.Read(ref _address);

#if NET8_0_OR_GREATER
        private static readonly HttpRequestOptionsKey<ConnectionTracker> s_key = new("TlsTools.ConnectionTracker");

        public static void Attach(HttpRequestMessage request, ConnectionTracker tracker) => request.Options.Set(s_key, tracker);

        public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
        {
            context.InitialRequestMessage.Options.TryGetValue(s_key, out ConnectionTracker? tracker);
            IPAddress[] addresses = await TcpConnector.ResolveAsync(context.DnsEndPoint.Host, cancellationToken).ConfigureAwait(false);
            ProbeException? last = null;
            foreach (IPAddress address in addresses)
            {
                try
                {
                    TcpClient client = await TcpConnector.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                    if (tracker is not null)
                    {
                        Volatile.Write(ref tracker._address, address.ToString());
                        Volatile.Write(ref tracker._connected, 1);
                    }
                    return new NetworkStream(client.Client, ownsSocket: true);
                }
                catch (ProbeException e) when (e.Kind == ProbeFailureKind.ConnectFailed)
                {
                    last = e;
                }
            }
            throw last ?? new ProbeException(ProbeFailureKind.NameResolution, $"'{context.DnsEndPoint.Host}' has no address.");
        }
#else
        public static void Attach(HttpRequestMessage request, ConnectionTracker tracker)
        {
        }
#endif
    }
}
