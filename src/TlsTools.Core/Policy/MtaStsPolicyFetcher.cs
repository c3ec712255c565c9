using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Certificates;
using TlsTools.Net;
using TlsTools.Tls;

namespace TlsTools.Policy;

/// <summary>Why fetching an MTA-STS policy failed (the TLS-RPT result types sts-policy-fetch-error and sts-webpki-invalid).</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum MtaStsFetchFailureKind
{
    /// <summary>The policy host name has no address.</summary>
    NameResolution,
    /// <summary>No address of the policy host accepted a connection.</summary>
    ConnectFailed,
    /// <summary>The fetch did not finish in the time allowed.</summary>
    Timeout,
    /// <summary>The TLS handshake failed.</summary>
    TlsFailed,
    /// <summary>The policy host's certificate is not valid for mta-sts.&lt;domain&gt; (chain, dates or name).</summary>
    CertificateInvalid,
    /// <summary>The server answered with a redirect; RFC 8461 section 3.3 forbids following it.</summary>
    Redirect,
    /// <summary>The server answered with a status other than 200.</summary>
    HttpStatus,
    /// <summary>The response is larger than the size cap.</summary>
    TooLarge,
    /// <summary>The response is not valid HTTP/1.1.</summary>
    ProtocolViolation,
}

/// <summary>What one fetch of a policy saw.</summary>
public sealed class MtaStsFetchResult
{
    /// <summary>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt (with the port when it is not 443).</summary>
    public string Url { get; init; } = string.Empty;

    /// <summary>The address the policy was fetched from.</summary>
    public IPAddress? Address { get; init; }

    /// <summary>The certificates the policy host presented, leaf first.</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; init; } = Array.Empty<X509Certificate2>();

    public int? StatusCode { get; init; }

    public string? ContentType { get; init; }

    /// <summary>The Location header of a redirect.</summary>
    public string? Location { get; init; }

    /// <summary>The policy text (status 200, within the cap); null otherwise.</summary>
    public string? Text { get; init; }

    public MtaStsFetchFailureKind? Failure { get; init; }

    public string? Error { get; init; }

    /// <summary>True when the media type is text/plain (section 3.3).</summary>
    public bool IsTextPlain => ContentType is not null
        && ContentType.Split(';')[0].Trim().Equals("text/plain", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> the way RFC 8461
/// section 3.3 asks: HTTPS with a certificate valid for the policy host under the given trust
/// anchors (and the system store), SNI set, one GET over HTTP/1.1, no redirects followed, only
/// 200 accepted, the body capped at <see cref="MaxPolicyBytes"/>. It connects to addresses the
/// caller resolved (through the DNS server the caller chose), never through the system resolver.
/// </summary>
public static class MtaStsPolicyFetcher
{
    /// <summary>The largest policy read: 64 KiB, far above any real policy.</summary>
    public const int MaxPolicyBytes = 64 * 1024;

    private const int MaxHeaderBytes = 16 * 1024;

    public static string PolicyHost(string domain) => "mta-sts." + domain;

    public static string PolicyUrl(string domain, int port) =>
        "https://" + PolicyHost(domain) + (port == 443 ? string.Empty : ":" + port.ToString(CultureInfo.InvariantCulture)) + "/.well-known/mta-sts.txt";

    /// <summary>Fetches the policy of <paramref name="domain"/> from the first of <paramref name="addresses"/> that connects.</summary>
    public static async Task<MtaStsFetchResult> FetchAsync(string domain, IReadOnlyList<IPAddress> addresses, int port,
        IReadOnlyCollection<X509Certificate2>? trustedRoots, bool useSystemTrustStore, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string host = PolicyHost(domain);
        string url = PolicyUrl(domain, port);
        if (addresses.Count == 0)
        {
            return new MtaStsFetchResult { Url = url, Failure = MtaStsFetchFailureKind.NameResolution, Error = $"{host} has no address." };
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        IPAddress? address = null;
        try
        {
            TcpClient? client = null;
            var connectErrors = new List<string>();
            foreach (IPAddress a in addresses)
            {
                try
                {
                    client = await TcpConnector.ConnectAsync(a, port, deadline.Token).ConfigureAwait(false);
                    address = a;
                    break;
                }
                catch (ProbeException e)
                {
                    connectErrors.Add(e.Message);
                }
            }
            if (client is null)
            {
                return new MtaStsFetchResult { Url = url, Failure = MtaStsFetchFailureKind.ConnectFailed, Error = string.Join(" ", connectErrors) };
            }
            using (client)
            {
                TlsHandshakeResult tls;
                try
                {
                    tls = await TlsHandshake.RunAsync(client.GetStream(), new TlsHandshakeOptions { ServerName = host }, deadline.Token).ConfigureAwait(false);
                }
                catch (ProbeException e)
                {
                    return new MtaStsFetchResult { Url = url, Address = address, Failure = MtaStsFetchFailureKind.TlsFailed, Error = e.Message };
                }
                using (tls)
                {
                    IReadOnlyList<X509Certificate2> presented = tls.PresentedCertificates;
                    string? certificateProblem = CheckCertificate(presented, host, trustedRoots, useSystemTrustStore);
                    if (certificateProblem is not null)
                    {
                        return new MtaStsFetchResult
                        {
                            Url = url, Address = address, Certificates = presented,
                            Failure = MtaStsFetchFailureKind.CertificateInvalid, Error = certificateProblem,
                        };
                    }
                    return await GetAsync(tls.Stream, host, port, url, address, presented, deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new MtaStsFetchResult
            {
                Url = url, Address = address, Failure = MtaStsFetchFailureKind.Timeout,
                Error = $"{url} did not answer within {timeout.TotalSeconds:0.#} seconds.",
            };
        }
        catch (IOException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (deadline.IsCancellationRequested)
            {
                return new MtaStsFetchResult { Url = url, Address = address, Failure = MtaStsFetchFailureKind.Timeout, Error = $"{url} did not answer within {timeout.TotalSeconds:0.#} seconds." };
            }
            return new MtaStsFetchResult { Url = url, Address = address, Failure = MtaStsFetchFailureKind.ProtocolViolation, Error = $"The connection to {url} failed: {e.Message}" };
        }
        catch (ObjectDisposedException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new MtaStsFetchResult { Url = url, Address = address, Failure = MtaStsFetchFailureKind.Timeout, Error = $"{url} did not answer within {timeout.TotalSeconds:0.#} seconds." };
        }
    }

    /// <summary>Null when the chain validates and a name matches the policy host; else why not.</summary>
    public static string? CheckCertificate(IReadOnlyList<X509Certificate2> presented, string host,
        IReadOnlyCollection<X509Certificate2>? trustedRoots, bool useSystemTrustStore)
    {
        if (presented.Count == 0)
        {
            return $"{host} presented no certificate.";
        }
        ChainValidation chain = ChainValidator.Validate(presented, trustedRoots, useSystemTrustStore);
        var problems = new List<string>();
        if (!chain.IsValid)
        {
            problems.Add("its chain does not validate (" + string.Join("; ", chain.Errors) + ")");
        }
        var names = DaneMatcher.CertificateNames(presented[0], out string? commonName);
        if (!HostNameMatcher.Matches(names, commonName, host))
        {
            problems.Add($"no certificate name matches {host} (names: {string.Join(", ", names.DefaultIfEmpty(commonName ?? "none"))})");
        }
        return problems.Count == 0 ? null : $"The certificate of {host} is not valid: " + string.Join("; ", problems) + " (RFC 8461 section 3.3 requires a valid certificate).";
    }

    private static async Task<MtaStsFetchResult> GetAsync(Stream stream, string host, int port, string url, IPAddress? address,
        IReadOnlyList<X509Certificate2> presented, CancellationToken cancellationToken)
    {
        string hostHeader = port == 443 ? host : host + ":" + port.ToString(CultureInfo.InvariantCulture);
        byte[] request = Encoding.ASCII.GetBytes(
            "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: TlsTools\r\nAccept: text/plain\r\nConnection: close\r\n\r\n");
        using (cancellationToken.Register(static s => ((Stream)s!).Dispose(), stream))
        {
            await stream.WriteAsync(request, 0, request.Length, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var reader = new CappedReader(stream);
            HttpHead? head = await ReadHeadAsync(reader, cancellationToken).ConfigureAwait(false);
            MtaStsFetchResult Fail(MtaStsFetchFailureKind kind, string error, HttpHead? h = null) => new()
            {
                Url = url, Address = address, Certificates = presented, StatusCode = h?.Status,
                ContentType = h?.Header("content-type"), Location = h?.Header("location"), Failure = kind, Error = error,
            };
            if (head is null)
            {
                return Fail(MtaStsFetchFailureKind.ProtocolViolation, $"{url} did not answer with an HTTP/1.x response head of at most {MaxHeaderBytes} bytes.");
            }
            if (head.Status is >= 300 and < 400)
            {
                return Fail(MtaStsFetchFailureKind.Redirect,
                    $"{url} answered {head.Status} with a redirect to {head.Header("location") ?? "(no Location)"}; RFC 8461 section 3.3 forbids following redirects.", head);
            }
            if (head.Status != 200)
            {
                return Fail(MtaStsFetchFailureKind.HttpStatus, $"{url} answered HTTP {head.Status}; only 200 counts (RFC 8461 section 3.3).", head);
            }
            string? lengthText = head.Header("content-length");
            if (lengthText is not null && long.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out long announced) && announced > MaxPolicyBytes)
            {
                return Fail(MtaStsFetchFailureKind.TooLarge, $"{url} announced a policy of {announced} bytes; the cap is {MaxPolicyBytes}.", head);
            }
            byte[]? body;
            bool chunked = (head.Header("transfer-encoding") ?? string.Empty).IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0;
            if (chunked)
            {
                body = await ReadChunkedAsync(reader, cancellationToken).ConfigureAwait(false);
            }
            else if (lengthText is not null && int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out int length))
            {
                body = await reader.ReadExactAsync(length, cancellationToken).ConfigureAwait(false);
                if (body is null)
                {
                    return Fail(MtaStsFetchFailureKind.ProtocolViolation, $"{url} closed the connection before sending its {length} bytes.", head);
                }
            }
            else
            {
                body = await reader.ReadToEndAsync(MaxPolicyBytes, cancellationToken).ConfigureAwait(false);
            }
            if (body is null)
            {
                return Fail(MtaStsFetchFailureKind.TooLarge, $"The policy at {url} is larger than the cap of {MaxPolicyBytes} bytes.", head);
            }
            return new MtaStsFetchResult
            {
                Url = url, Address = address, Certificates = presented, StatusCode = head.Status,
                ContentType = head.Header("content-type"), Text = Encoding.UTF8.GetString(body),
            };
        }
    }

    private sealed class HttpHead
    {
        public int Status { get; init; }
        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
        public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;
    }

    private static async Task<HttpHead?> ReadHeadAsync(CappedReader reader, CancellationToken cancellationToken)
    {
        string? statusLine = await reader.ReadLineAsync(MaxHeaderBytes, cancellationToken).ConfigureAwait(false);
        if (statusLine is null)
        {
            return null;
        }
        string[] parts = statusLine.Split(' ');
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            return null;
        }
        var head = new HttpHead { Status = status };
        while (true)
        {
            string? line = await reader.ReadLineAsync(MaxHeaderBytes, cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }
            if (line.Length == 0)
            {
                return head;
            }
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                string name = line.Substring(0, colon).Trim();
                if (!head.Headers.ContainsKey(name))
                {
                    head.Headers[name] = line.Substring(colon + 1).Trim();
                }
            }
        }
    }

    private static async Task<byte[]?> ReadChunkedAsync(CappedReader reader, CancellationToken cancellationToken)
    {
        var body = new MemoryStream();
        while (true)
        {
            string? sizeLine = await reader.ReadLineAsync(1024, cancellationToken).ConfigureAwait(false);
            if (sizeLine is null)
            {
                throw new IOException("The chunked body ended early.");
            }
            string hex = sizeLine.Split(';')[0].Trim();
            if (!int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size) || size < 0)
            {
                throw new IOException($"'{sizeLine}' is not a chunk size.");
            }
            if (size == 0)
            {
                return body.ToArray();
            }
            if (body.Length + size > MaxPolicyBytes)
            {
                return null;
            }
            byte[]? chunk = await reader.ReadExactAsync(size, cancellationToken).ConfigureAwait(false) ?? throw new IOException("The chunked body ended early.");
            body.Write(chunk, 0, chunk.Length);
            await reader.ReadLineAsync(16, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Buffered reads of lines and byte counts, each with a cap.</summary>
    private sealed class CappedReader
    {
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public CappedReader(Stream stream) => _stream = stream;

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await _stream.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
            return _end > 0;
        }

        /// <summary>A line without its CRLF/LF; null at the end of the stream or past <paramref name="cap"/> bytes.</summary>
        public async Task<string?> ReadLineAsync(int cap, CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
                byte b = _buffer[_start++];
                if (b == (byte)'\n')
                {
                    if (line.Count > 0 && line[line.Count - 1] == (byte)'\r')
                    {
                        line.RemoveAt(line.Count - 1);
                    }
                    return Encoding.ASCII.GetString(line.ToArray());
                }
                line.Add(b);
                if (line.Count > cap)
                {
                    return null;
                }
            }
        }

        /// <summary>Exactly <paramref name="count"/> bytes, or null when the stream ends first.</summary>
        public async Task<byte[]?> ReadExactAsync(int count, CancellationToken cancellationToken)
        {
            var data = new byte[count];
            int have = 0;
            while (have < count)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
                int n = Math.Min(count - have, _end - _start);
                Buffer.BlockCopy(_buffer, _start, data, have, n);
                _start += n;
                have += n;
            }
            return data;
        }

        /// <summary>Everything up to the end of the stream, or null when it exceeds <paramref name="cap"/> bytes.</summary>
        public async Task<byte[]?> ReadToEndAsync(int cap, CancellationToken cancellationToken)
        {
            var data = new MemoryStream();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    return data.ToArray();
                }
                data.Write(_buffer, _start, _end - _start);
                _start = _end;
                if (data.Length > cap)
                {
                    return null;
                }
            }
        }
    }
}
