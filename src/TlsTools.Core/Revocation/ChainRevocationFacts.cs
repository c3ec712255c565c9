using System;
using System.Collections.Generic;

namespace TlsTools
{
    /// <summary>
    /// Whether a server's certificate chain is revoked, as Exchange's certificate validation would
    /// find it: Exchange Online's <c>TlsSettings CertificateValidation</c> means "certificate chain
    /// validation and revocation lists checks" (New-OutboundConnector, office-docs-powershell
    /// exchange/exchange-ps/ExchangePowerShell/New-OutboundConnector.md).
    /// </summary>
#if NET
    [Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
    public enum RevocationStatus
    {
        /// <summary>Every certificate of the chain below the trust anchor has a current, signature-verified answer (CRL or OCSP) that it is not revoked.</summary>
        Good,
        /// <summary>A signature-verified CRL or OCSP answer says a certificate of the chain is revoked.</summary>
        Revoked,
        /// <summary>No verified answer for some certificate: endpoints unreachable, stale, from an unknown issuer, or none named.</summary>
        Unknown,
        /// <summary>Not checked: no validated chain to check, or -SkipRevocationCheck.</summary>
        NotChecked,
    }
}

namespace TlsTools.Revocation
{
    /// <summary>One CRL distribution point of a certificate: the (base) CRL it served and, when the CA publishes one, the delta CRL applied to it.</summary>
    public sealed class CrlCheckFacts
    {
        /// <summary>The complete CRL from the distribution point, as <see cref="CrlEvaluator"/> judged it for the certificate.</summary>
        public RevocationEndpointResult Base { get; init; } = new();

        /// <summary>True when the base CRL or the certificate names a freshest (delta) CRL (RFC 5280 sections 4.2.1.15 and 5.2.6): the base alone is then not current.</summary>
        public bool DeltaNamed { get; init; }

        /// <summary>The delta CRL (RFC 5280 section 5.2.4) applied to the base; null when none is named or none could be fetched.</summary>
        public RevocationEndpointResult? Delta { get; init; }
    }

    /// <summary>What the revocation endpoints of one certificate of a chain said.</summary>
    public sealed class CertificateRevocationFacts
    {
        public string Subject { get; init; } = string.Empty;

        public string Thumbprint { get; init; } = string.Empty;

        /// <summary>Its place in the chain: 0 for the leaf.</summary>
        public int Depth { get; init; }

        /// <summary>The CRL distribution points checked, in the order the certificate names them (a check stops at the first decisive answer).</summary>
        public IReadOnlyList<CrlCheckFacts> Crls { get; init; } = Array.Empty<CrlCheckFacts>();

        /// <summary>The OCSP responders asked, in order (only when no CRL gave a decisive answer).</summary>
        public IReadOnlyList<RevocationEndpointResult> Ocsp { get; init; } = Array.Empty<RevocationEndpointResult>();

        /// <summary>True when the certificate names neither a CRL distribution point nor an OCSP responder (http or https).</summary>
        public bool NamesNoEndpoint { get; init; }
    }

    /// <summary>
    /// The revocation facts of a validated chain: one entry per certificate below the trust anchor,
    /// and the proxy every request went through. Gathered by <see cref="ChainRevocationChecker"/>,
    /// judged by <see cref="RevocationJudgement"/>.
    /// </summary>
    public sealed class ChainRevocationFacts
    {
        public IReadOnlyList<CertificateRevocationFacts> Certificates { get; init; } = Array.Empty<CertificateRevocationFacts>();

        /// <summary>The proxy the requests went through ("direct" when none).</summary>
        public string Proxy { get; init; } = "direct";

        /// <summary>Why nothing was checked (no validated chain, checks switched off); null when the chain was checked.</summary>
        public string? NotCheckedBecause { get; init; }
    }
}
