using System;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.MailTls;

/// <summary>What one address's handshake showed, as the ExchangeTlsLevel decision needs it.</summary>
public sealed class TlsEvidence
{
    public bool TlsEstablished { get; init; }
    public string? Protocol { get; init; }
    public string? CipherSuite { get; init; }
    public bool? ChainValid { get; init; }
    public bool? NameMatches { get; init; }

    /// <summary>
    /// For a TLS 1.2 session: whether the server chose one of Exchange Online's suites when offered
    /// exactly Microsoft's list (<see cref="CipherSuites.ExchangeOnlineSuiteProbe"/>); null when it was
    /// not asked or could not be asked, which leaves the decision to the negotiated suite.
    /// </summary>
    public bool? ExchangeOnlineSuiteAccepted { get; init; }

    /// <summary>What the server answered to Exchange Online's offer, for the reason when it refused.</summary>
    public string? ExchangeOnlineSuiteAnswer { get; init; }

    /// <summary>The subjects of the chain's certificates (leaf and intermediates) signed with SHA-1.</summary>
    public IReadOnlyList<string> Sha1Signed { get; init; } = Array.Empty<string>();

    /// <summary>Whether a certificate of the chain is revoked (only Revoked lowers the level).</summary>
    public RevocationStatus Revocation { get; init; } = RevocationStatus.NotChecked;

    /// <summary>For a revoked chain: which certificate, and how (the verdict's finding).</summary>
    public string? RevocationFinding { get; init; }
}

/// <summary>
/// Decides the strongest Exchange Online outbound TlsSettings a server satisfies. Exchange
/// Online sends only with TLS 1.2 or later and only with the suites of its published list, so a
/// server that negotiates TLS 1.0, or that takes none of Exchange Online's TLS 1.2 suites, gets
/// None even though it speaks TLS: a forced-TLS connector would not deliver to it. Whether a TLS
/// 1.2 server takes one of them is decided from its answer to exactly Microsoft's list, not from
/// what this machine's TLS stack happened to offer. Above EncryptionOnly the certificate must
/// validate, must not be signed with SHA-1 (Microsoft, "Technical reference details about
/// encryption": Office 365 no longer accepts SHA-1 certificates since June 2016) and must not be
/// revoked (New-OutboundConnector: CertificateValidation is "certificate chain validation and
/// revocation lists checks"); DomainValidation also needs a matching name.
/// </summary>
public static class ExchangeTlsLevelRules
{
    public static ExchangeTlsLevel Decide(TlsEvidence e, out IReadOnlyList<string> reasons)
    {
        var why = new List<string>();
        reasons = why;
        if (!e.TlsEstablished)
        {
            why.Add("No TLS session could be established.");
            return ExchangeTlsLevel.None;
        }
        int rank = CipherSuiteFacts.ProtocolRank(e.Protocol);
        if (rank < CipherSuiteFacts.ProtocolRank("Tls12"))
        {
            why.Add($"The server negotiated {e.Protocol ?? "an unknown protocol"}; Exchange Online sends only with TLS 1.2 or later.");
            return ExchangeTlsLevel.None;
        }
        if (rank == CipherSuiteFacts.ProtocolRank("Tls12"))
        {
            if (e.ExchangeOnlineSuiteAccepted == false)
            {
                why.Add("Offered exactly Exchange Online's TLS 1.2 suites (Microsoft's list, Technical reference details about encryption), " +
                    $"the server took none ({e.ExchangeOnlineSuiteAnswer ?? "it refused the offer"}): Exchange Online would find no suite in common.");
                return ExchangeTlsLevel.None;
            }
            if (e.ExchangeOnlineSuiteAccepted is null && !string.IsNullOrEmpty(e.CipherSuite)
                && !CipherSuiteFacts.ExchangeOnlineTls12Suites.Contains(e.CipherSuite!))
            {
                why.Add($"The negotiated suite {e.CipherSuite} is not one Exchange Online offers.");
                return ExchangeTlsLevel.None;
            }
        }
        if (e.ChainValid != true)
        {
            why.Add("The certificate chain does not validate.");
            AddSha1(e, why);
            return ExchangeTlsLevel.EncryptionOnly;
        }
        if (AddSha1(e, why))
        {
            return ExchangeTlsLevel.EncryptionOnly;
        }
        if (e.Revocation == RevocationStatus.Revoked)
        {
            why.Add((e.RevocationFinding ?? "A certificate of the chain is revoked.") +
                " Exchange checks revocation for CertificateValidation and DomainValidation (" + Revocation.RevocationJudgement.Source + ").");
            return ExchangeTlsLevel.EncryptionOnly;
        }
        if (e.NameMatches != true)
        {
            why.Add("No certificate name matches the MX host or the domain.");
            return ExchangeTlsLevel.CertificateValidation;
        }
        return ExchangeTlsLevel.DomainValidation;
    }

    /// <summary>Adds the SHA-1 reason when the chain has a SHA-1 signature; true when it did.</summary>
    private static bool AddSha1(TlsEvidence e, List<string> why)
    {
        if (e.Sha1Signed.Count == 0)
        {
            return false;
        }
        why.Add($"Signed with SHA-1: {string.Join("; ", e.Sha1Signed)}. Exchange Online no longer accepts SHA-1 certificates for inbound or outbound " +
            "connections (since June 2016; Microsoft, Technical reference details about encryption), so it is at most EncryptionOnly.");
        return true;
    }
}
