using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>One endpoint to check: what it is, and for which certificate.</summary>
public sealed class RevocationCheck
{
    public RevocationCheck(RevocationEndpointKind kind, Uri uri)
    {
        Kind = kind;
        Uri = uri;
    }

    public RevocationEndpointKind Kind { get; }

    public Uri Uri { get; }

    /// <summary>The certificate that names the endpoint; null for a URL given directly or from a preset.</summary>
    public RevocationSubject? Subject { get; init; }

    /// <summary>What to show as the result's Certificate when there is no subject (a preset's CA name).</summary>
    public string? Label { get; init; }

    /// <summary>A preset's note: which chain needs the endpoint, and since when.</summary>
    public string? Note { get; init; }

    /// <summary>For a CA-issuers URL without a subject: the SHA-1 thumbprint the download must have.</summary>
    public string? ExpectedThumbprint { get; init; }

    /// <summary>Only a host is known (a preset names a host, not a file): an answer from the host (2xx, 3xx, 404) counts as OK.</summary>
    public bool ReachabilityOnly { get; init; }

    public override string ToString() => Uri.OriginalString;
}

/// <summary>How the issuer of a certificate was found, or why it was not.</summary>
internal sealed class IssuerLookup
{
    public IssuerLookup(BcCertificate? issuer, string note)
    {
        Issuer = issuer;
        Note = note;
    }

    public BcCertificate? Issuer { get; }

    /// <summary>Where the issuer came from, or why it is unknown.</summary>
    public string Note { get; }
}

/// <summary>
/// A certificate whose endpoints are checked. Its issuer is needed to check CRL signatures and to
/// build OCSP requests: it is taken from the certificates given with it or from this machine's
/// stores when there, and otherwise downloaded once from the certificate's CA-issuers URLs (shared
/// by all of its endpoint checks).
/// </summary>
public sealed class RevocationSubject
{
    private readonly object _gate = new();
    private Task<IssuerLookup>? _lookup;

    internal RevocationSubject(X509Certificate2 certificate, BcCertificate bc, IssuerLookup? known, IReadOnlyList<Uri> caIssuers)
    {
        Certificate = certificate;
        Bc = bc;
        Known = known;
        CaIssuers = caIssuers;
    }

    public X509Certificate2 Certificate { get; }

    internal BcCertificate Bc { get; }

    internal IssuerLookup? Known { get; }

    internal IReadOnlyList<Uri> CaIssuers { get; }

    /// <summary>The issuer as found without the network, or the one download shared by every check of this certificate.</summary>
    internal Task<IssuerLookup> GetIssuerAsync(RevocationHttpClient http, TimeSpan timeout, CancellationToken stop)
    {
        if (Known is not null)
        {
            return Task.FromResult(Known);
        }
        lock (_gate)
        {
            return _lookup ??= Task.Run(() => DownloadIssuerAsync(http, timeout, stop));
        }
    }

    private async Task<IssuerLookup> DownloadIssuerAsync(RevocationHttpClient http, TimeSpan timeout, CancellationToken stop)
    {
        if (CaIssuers.Count == 0)
        {
            return new IssuerLookup(null, "the issuer was not given, is not in this machine's certificate stores, and the certificate names no CA-issuers URL.");
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        cts.CancelAfter(timeout);
        var problems = new List<string>();
        foreach (Uri uri in CaIssuers)
        {
            HttpFetchResult fetch = await http.GetAsync(uri, cts.Token).ConfigureAwait(false);
            if (fetch.Outcome != HttpFetchOutcome.Completed)
            {
                problems.Add($"{uri}: {fetch.Message}");
                continue;
            }
            BcCertificate? issuer = CaIssuersEvaluator.FindIssuer(CaIssuersEvaluator.Read(fetch.Body), Bc);
            if (issuer is not null)
            {
                return new IssuerLookup(issuer, $"downloaded from {uri}");
            }
            problems.Add($"{uri}: the download is not the issuer");
        }
        return new IssuerLookup(null, "the issuer was not given and could not be downloaded (" + string.Join("; ", problems) + ").");
    }

    internal static IReadOnlyList<Uri> HttpUris(IEnumerable<string> uris) =>
        uris.Select(u => Uri.TryCreate(u, UriKind.Absolute, out Uri? x) ? x : null)
            .Where(u => u is not null && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps))
            .Select(u => u!)
            .ToList();
}
