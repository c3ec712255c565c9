using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Org.BouncyCastle.X509;
using TlsTools.Certificates;
using TlsTools.Net;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>
/// The CRLs and OCSP answers fetched during one run (one cmdlet invocation), by request: a domain
/// with many addresses, or many domains behind one CA, fetch each CRL once. An entry is reused
/// until the content's nextUpdate passes; failed fetches are kept too, so a dead endpoint costs
/// one timeout per run, not one per address. Thread-safe.
/// </summary>
public sealed class RevocationCache
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _fetches;

    /// <summary>How many fetches were started (the rest were answered from the cache).</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    internal sealed class Entry
    {
        private readonly object _gate = new();
        private X509Crl? _crl;
        private string? _crlProblem;
        private bool _crlRead;

        public Entry(Task<HttpFetchResult> fetch) => Fetch = fetch;

        public Task<HttpFetchResult> Fetch { get; }

        /// <summary>When the content stops being current; null until known (or when it names none).</summary>
        public DateTime? NextUpdate { get; set; }

        /// <summary>The fetched body read as a CRL, once for all its users; null with <paramref name="problem"/> when it is not one.</summary>
        public X509Crl? Crl(out string? problem)
        {
            lock (_gate)
            {
                if (!_crlRead)
                {
                    _crl = CrlEvaluator.TryRead(Fetch.Result.Body, out _crlProblem);
                    _crlRead = true;
                    NextUpdate ??= _crl?.NextUpdate?.ToUniversalTime();
                }
                problem = _crlProblem;
                return _crl;
            }
        }
    }

    /// <summary>The entry for <paramref name="key"/>, fetching it anew when it is missing or past its nextUpdate at <paramref name="now"/>.</summary>
    internal Entry Get(string key, Func<Task<HttpFetchResult>> fetch, DateTime now)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out Entry? entry) && !(entry.NextUpdate is DateTime next && next < now))
            {
                return entry;
            }
            entry = new Entry(fetch());
            _entries[key] = entry;
            _fetches++;
            return entry;
        }
    }
}

/// <summary>
/// Gathers the revocation facts of a validated chain, as Exchange's certificate validation would
/// look for them: for every certificate below the trust anchor, its CRL distribution points first
/// (one CRL serves every certificate of a CA, and is cached for the run), then, when no CRL gave a
/// verified answer, its OCSP responders. The issuer of each certificate is the next one in the
/// chain, so nothing is downloaded to find it (no CA-issuers request). A delta CRL that the complete
/// CRL or the certificate names is fetched and applied. Every request goes through
/// <see cref="RevocationHttpClient"/> (its proxy route and caps) under its own timeout; the
/// certificates of a chain are checked side by side. Facts only: <see cref="RevocationJudgement"/> judges.
/// </summary>
public sealed class ChainRevocationChecker
{
    private readonly RevocationHttpClient _http;
    private readonly RevocationCache _cache;
    private readonly TimeSpan _timeout;

    public ChainRevocationChecker(RevocationHttpClient http, RevocationCache cache, TimeSpan fetchTimeout)
    {
        _http = http;
        _cache = cache;
        _timeout = fetchTimeout;
    }

    /// <summary>The current time; replaceable for tests.</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.UtcNow;

    /// <summary>
    /// Checks <paramref name="chain"/> (leaf first, trust anchor last, as <see cref="ChainValidation.Chain"/>
    /// gives it). Endpoint failures are facts; only cancellation of <paramref name="cancellationToken"/> throws.
    /// </summary>
    public async Task<ChainRevocationFacts> CheckAsync(IReadOnlyList<X509Certificate2> chain, CancellationToken cancellationToken)
    {
        if (chain.Count < 2)
        {
            return new ChainRevocationFacts { Proxy = _http.Route.Source };
        }
        CertificateRevocationFacts[] certificates = await Task.WhenAll(
            Enumerable.Range(0, chain.Count - 1).Select(i => CheckCertificateAsync(chain[i], chain[i + 1], i, cancellationToken))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        List<string> proxies = certificates
            .SelectMany(c => c.Crls.SelectMany(x => new[] { x.Base, x.Delta }).Concat(c.Ocsp))
            .Where(r => r?.Proxy is not null)
            .Select(r => r!.Proxy!)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new ChainRevocationFacts
        {
            Certificates = certificates,
            Proxy = proxies.Count == 0 ? "direct" : string.Join(", ", proxies),
        };
    }

    private async Task<CertificateRevocationFacts> CheckCertificateAsync(X509Certificate2 certificate, X509Certificate2 issuerCertificate, int depth, CancellationToken cancellationToken)
    {
        IReadOnlyList<Uri> crlUris;
        IReadOnlyList<Uri> ocspUris;
        try
        {
            CertificateFacts facts = CertificateFacts.From(certificate);
            crlUris = RevocationSubject.HttpUris(facts.CrlDistributionPoints);
            ocspUris = RevocationSubject.HttpUris(facts.OcspUris);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            crlUris = Array.Empty<Uri>();
            ocspUris = Array.Empty<Uri>();
        }
        if (crlUris.Count > 0)
        {
            // The first CRL is requested before anything else is computed: the fetch is the slow part.
            _ = _cache.Get(Key(crlUris[0], null), () => FetchAsync(crlUris[0], null, cancellationToken), Clock());
        }
        BcCertificate subject = Pki.ToBouncyCastle(certificate);
        BcCertificate issuerBc = Pki.IssuerInBouncyCastle(issuerCertificate);
        // The chain engine verified every signature of a validated chain: the next certificate is the
        // issuer, and only its name is compared here (BouncyCastle's certificate signature check costs
        // tens of milliseconds, which a probe must not pay for what is already known).
        BcCertificate? issuer = issuerBc.SubjectDN.Equivalent(subject.IssuerDN) ? issuerBc : null;
        string issuerNote = issuer is null ? $"the next certificate of the chain ({issuerCertificate.Subject}) is not its issuer." : "issuer from the validated chain";

        var crls = new List<CrlCheckFacts>();
        var ocsp = new List<RevocationEndpointResult>();
        CertificateRevocationFacts Facts() => new()
        {
            Subject = certificate.Subject,
            Thumbprint = certificate.Thumbprint.ToUpperInvariant(),
            Depth = depth,
            Crls = crls,
            Ocsp = ocsp,
            NamesNoEndpoint = crlUris.Count == 0 && ocspUris.Count == 0,
        };
        bool Decided() => RevocationJudgement.Certificate(Facts()).Status != RevocationStatus.Unknown;

        foreach (Uri uri in crlUris)
        {
            crls.Add(await CrlAsync(certificate, subject, issuer, issuerNote, uri, cancellationToken).ConfigureAwait(false));
            if (Decided())
            {
                return Facts();
            }
        }
        foreach (Uri uri in ocspUris)
        {
            ocsp.Add(await OcspAsync(certificate, subject, issuer, issuerNote, uri, cancellationToken).ConfigureAwait(false));
            if (Decided())
            {
                break;
            }
        }
        return Facts();
    }

    private async Task<CrlCheckFacts> CrlAsync(X509Certificate2 certificate, BcCertificate subject, BcCertificate? issuer, string issuerNote, Uri uri, CancellationToken cancellationToken)
    {
        DateTime now = Clock();
        RevocationEndpointResult result = NewResult(certificate, RevocationEndpointKind.Crl, uri);
        (RevocationCache.Entry entry, HttpFetchResult fetch) = await GetAsync(uri, null, cancellationToken).ConfigureAwait(false);
        RevocationChecker.Apply(fetch, result);
        if (fetch.Outcome != HttpFetchOutcome.Completed)
        {
            return new CrlCheckFacts { Base = result };
        }
        X509Crl? crl = entry.Crl(out string? problem);
        if (crl is null)
        {
            result.Status = RevocationEndpointStatus.Invalid;
            result.Detail = problem ?? "The response is not a CRL.";
            return new CrlCheckFacts { Base = result };
        }
        CrlEvaluator.Evaluate(crl, subject, issuer, issuerNote, now, result);

        IReadOnlyList<Uri> deltaUris = CrlScope.FreshestCrlUris(crl, subject);
        if (deltaUris.Count == 0)
        {
            return new CrlCheckFacts { Base = result };
        }
        RevocationEndpointResult? delta = null;
        if (result.SignatureValid == true && result.Status is RevocationEndpointStatus.OK or RevocationEndpointStatus.Revoked)
        {
            foreach (Uri deltaUri in deltaUris)
            {
                delta = NewResult(certificate, RevocationEndpointKind.Crl, deltaUri);
                (RevocationCache.Entry deltaEntry, HttpFetchResult deltaFetch) = await GetAsync(deltaUri, null, cancellationToken).ConfigureAwait(false);
                RevocationChecker.Apply(deltaFetch, delta);
                if (deltaFetch.Outcome != HttpFetchOutcome.Completed)
                {
                    continue;
                }
                X509Crl? deltaCrl = deltaEntry.Crl(out string? deltaProblem);
                if (deltaCrl is null)
                {
                    delta.Status = RevocationEndpointStatus.Invalid;
                    delta.Detail = deltaProblem ?? "The response is not a CRL.";
                    continue;
                }
                CrlEvaluator.EvaluateDelta(deltaCrl, crl, subject, issuer, issuerNote, now, delta);
                if (delta.SignatureValid == true && delta.Status is RevocationEndpointStatus.OK or RevocationEndpointStatus.Revoked)
                {
                    break;
                }
            }
        }
        return new CrlCheckFacts { Base = result, DeltaNamed = true, Delta = delta };
    }

    private async Task<RevocationEndpointResult> OcspAsync(X509Certificate2 certificate, BcCertificate subject, BcCertificate? issuer, string issuerNote, Uri uri, CancellationToken cancellationToken)
    {
        DateTime now = Clock();
        RevocationEndpointResult result = NewResult(certificate, RevocationEndpointKind.Ocsp, uri);
        OcspQuery query = OcspEvaluator.BuildRequest(subject, issuer);
        (RevocationCache.Entry entry, HttpFetchResult fetch) = await GetAsync(uri, query.Request, cancellationToken).ConfigureAwait(false);
        RevocationChecker.Apply(fetch, result);
        if (fetch.Outcome == HttpFetchOutcome.Completed)
        {
            OcspEvaluator.Evaluate(fetch.Body, query, issuer, issuerNote, now, result);
            entry.NextUpdate ??= result.NextUpdate;
        }
        return result;
    }

    /// <summary>The cached fetch of a GET (<paramref name="ocspRequest"/> null) or an OCSP POST, started under this checker's timeout.</summary>
    private async Task<(RevocationCache.Entry, HttpFetchResult)> GetAsync(Uri uri, byte[]? ocspRequest, CancellationToken cancellationToken)
    {
        RevocationCache.Entry entry = _cache.Get(Key(uri, ocspRequest), () => FetchAsync(uri, ocspRequest, cancellationToken), Clock());
        HttpFetchResult fetch = await entry.Fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return (entry, fetch);
    }

    private static string Key(Uri uri, byte[]? ocspRequest) =>
        ocspRequest is null ? "GET " + uri.AbsoluteUri : "POST " + uri.AbsoluteUri + " " + Convert.ToBase64String(ocspRequest);

    private async Task<HttpFetchResult> FetchAsync(Uri uri, byte[]? ocspRequest, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        return ocspRequest is null
            ? await _http.GetAsync(uri, deadline.Token).ConfigureAwait(false)
            : await _http.PostAsync(uri, ocspRequest, OcspEvaluator.RequestContentType, OcspEvaluator.ResponseContentType, deadline.Token).ConfigureAwait(false);
    }

    private RevocationEndpointResult NewResult(X509Certificate2 certificate, RevocationEndpointKind kind, Uri uri) => new()
    {
        Certificate = certificate.Subject,
        Thumbprint = certificate.Thumbprint.ToUpperInvariant(),
        Kind = kind,
        Uri = uri.OriginalString,
        Host = uri.Host,
        Proxy = _http.ProxyFor(uri),
    };
}
