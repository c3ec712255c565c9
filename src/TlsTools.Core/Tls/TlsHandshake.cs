using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Tls;

/// <summary>Options for one client handshake.</summary>
public sealed class TlsHandshakeOptions
{
    /// <summary>The name sent as SNI and used for the platform's name check; null sends no SNI.</summary>
    public string? ServerName { get; init; }

    /// <summary>Protocols to offer; <see cref="SslProtocols.None"/> lets the platform choose.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    /// <summary>
    /// Also offer suites without forward secrecy and CBC suites (where the platform lets a client
    /// choose its suites: .NET on Linux and macOS), to reach servers that offer nothing newer.
    /// </summary>
    public bool AllowLegacyCipherSuites { get; init; }
}

/// <summary>
/// What a handshake produced. The certificates are exactly those the server presented, leaf
/// first, whatever their validity: a checking tool must report what it was shown.
/// </summary>
public sealed class TlsHandshakeResult : IDisposable
{
    internal TlsHandshakeResult(SslStream stream, IReadOnlyList<X509Certificate2> presented, SslPolicyErrors policyErrors)
    {
        Stream = stream;
        PresentedCertificates = presented;
        PolicyErrors = policyErrors;
    }

    /// <summary>The encrypted stream, for the dialog after the handshake.</summary>
    public SslStream Stream { get; }

    /// <summary>The negotiated protocol, e.g. Tls12, Tls13.</summary>
    public SslProtocols Protocol => Stream.SslProtocol;

    /// <summary>The IANA name of the negotiated cipher suite; null where the platform cannot tell (.NET Framework).</summary>
    public string? CipherSuite =>
#if NET8_0_OR_GREATER
        Stream.NegotiatedCipherSuite.ToString();
#else
        null;
#endif

    /// <summary>The key exchange as .NET Framework names it, where the suite name is not available.</summary>
    public string? KeyExchangeFallback =>
#if NET8_0_OR_GREATER
        null;
#else
        Stream.KeyExchangeAlgorithm switch
        {
            ExchangeAlgorithmType.RsaKeyX => "RSA",
            ExchangeAlgorithmType.DiffieHellman => "DHE",
            (ExchangeAlgorithmType)44550 => "ECDHE",
            _ => null,
        };
#endif

    /// <summary>The chain as the server sent it, leaf first.</summary>
    public IReadOnlyList<X509Certificate2> PresentedCertificates { get; }

    /// <summary>What the platform's own validation said (against the system trust store and the SNI name).</summary>
    public SslPolicyErrors PolicyErrors { get; }

    public void Dispose() => Stream.Dispose();
}

/// <summary>Runs a TLS client handshake that trusts nothing and records everything.</summary>
public static class TlsHandshake
{
    public static async Task<TlsHandshakeResult> RunAsync(Stream inner, TlsHandshakeOptions options, CancellationToken cancellationToken)
    {
        X509Certificate2? leaf = null;
        List<X509Certificate2> extra = new();
        SslPolicyErrors errors = SslPolicyErrors.None;

        // Accept any certificate and decide afterwards: the caller reports and judges it.
        bool Capture(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors policyErrors)
        {
            errors = policyErrors;
            if (certificate is not null)
            {
                leaf = new X509Certificate2(certificate);
            }
            if (chain is not null)
            {
                // .NET puts the certificates the peer sent into the chain's extra store.
                foreach (X509Certificate2 c in chain.ChainPolicy.ExtraStore)
                {
                    extra.Add(new X509Certificate2(c));
                }
                if (extra.Count == 0)
                {
                    // .NET Framework (Schannel) does not expose the sent chain: fall back to the built one.
                    foreach (X509ChainElement e in chain.ChainElements)
                    {
                        extra.Add(new X509Certificate2(e.Certificate));
                    }
                }
            }
            return true;
        }

        var ssl = new SslStream(inner, leaveInnerStreamOpen: false, Capture);
        try
        {
#if NET8_0_OR_GREATER
            var auth = new SslClientAuthenticationOptions
            {
                TargetHost = options.ServerName ?? string.Empty,
                EnabledSslProtocols = options.Protocols,
                // Revocation is checked by Test-CrlReachability on purpose, not silently during a probe.
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                // The platform still builds a chain to compute its policy errors. Without this
                // policy it fetches missing issuers from their CA-issuers URLs in the middle of the
                // handshake: a probe must not reach out to anyone but the server it was asked to
                // test, and must not wait for a download. A new policy per handshake, because
                // SslStream adds the server's certificates to the policy it is given.
                CertificateChainPolicy = NewOfflineChainPolicy(),
                RemoteCertificateValidationCallback = Capture,
            };
            if (options.AllowLegacyCipherSuites && !OperatingSystem.IsWindows() && LegacyCipherSuites.Policy is { } policy)
            {
                auth.CipherSuitesPolicy = policy;
            }
            await ssl.AuthenticateAsClientAsync(auth, cancellationToken).ConfigureAwait(false);
#else
            // .NET Framework's SslStream takes no chain policy: Windows builds the chain with its
            // own settings, which may fetch a missing issuer; .NET Framework has no switch for that.
            using (cancellationToken.Register(static s => ((SslStream)s!).Dispose(), ssl))
            {
                await ssl.AuthenticateAsClientAsync(options.ServerName ?? string.Empty, null, options.Protocols, checkCertificateRevocation: false).ConfigureAwait(false);
            }
#endif
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ssl.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new ProbeException(ProbeFailureKind.HandshakeFailed, "The TLS handshake failed: " + Describe(e), e);
        }

        return new TlsHandshakeResult(ssl, OrderChain(leaf, extra), errors);
    }

#if NET8_0_OR_GREATER
    /// <summary>A chain policy that never downloads a certificate or a revocation list.</summary>
    internal static X509ChainPolicy NewOfflineChainPolicy() => new()
    {
        RevocationMode = X509RevocationMode.NoCheck,
        DisableCertificateDownloads = true,
    };
#endif

    private static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (!parts.Contains(x.Message))
            {
                parts.Add(x.Message);
            }
        }
        return string.Join(" ", parts);
    }

    private static bool SameName(X500DistinguishedName a, X500DistinguishedName b) => a.RawData.SequenceEqual(b.RawData);

    /// <summary>Orders the presented certificates leaf first, each followed by its issuer when present, dropping duplicates.</summary>
    internal static IReadOnlyList<X509Certificate2> OrderChain(X509Certificate2? leaf, IReadOnlyList<X509Certificate2> sent)
    {
        var pool = sent.GroupBy(c => c.Thumbprint, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();
        var ordered = new List<X509Certificate2>();
        X509Certificate2? current = leaf ?? pool.FirstOrDefault();
        while (current is not null)
        {
            ordered.Add(current);
            pool.RemoveAll(c => string.Equals(c.Thumbprint, current.Thumbprint, StringComparison.OrdinalIgnoreCase));
            if (SameName(current.SubjectName, current.IssuerName))
            {
                break;
            }
            X509Certificate2 issuerOf = current;
            current = pool.FirstOrDefault(c => SameName(c.SubjectName, issuerOf.IssuerName));
        }
        // Anything left over was sent but does not link up; keep it, in the order sent.
        ordered.AddRange(pool);
        return ordered;
    }
}
