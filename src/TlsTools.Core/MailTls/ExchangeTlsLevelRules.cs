using System;
using System.Collections.Generic;

namespace TlsTools.MailTls;

/// <summary>What one address's handshake showed, as the ExchangeTlsLevel decision needs it.</summary>
public sealed class TlsEvidence
{
    public bool TlsEstablished { get; init; }
    public string? Protocol { get; init; }
    public string? CipherSuite { get; init; }
    public bool? ChainValid { get; init; }
    public bool? NameMatches { get; init; }
}

/// <summary>
/// Decides the strongest Exchange Online outbound TlsSettings a server satisfies. Exchange
/// Online sends only with TLS 1.2 or later and only with the suites of its published list, so a
/// server that negotiates TLS 1.0 or an unlisted TLS 1.2 suite gets None even though it speaks
/// TLS: a forced-TLS connector would not deliver to it.
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
        if (rank == CipherSuiteFacts.ProtocolRank("Tls12") && !string.IsNullOrEmpty(e.CipherSuite)
            && !((HashSet<string>)CipherSuiteFacts.ExchangeOnlineTls12Suites).Contains(e.CipherSuite!))
        {
            why.Add($"The negotiated suite {e.CipherSuite} is not one Exchange Online offers.");
            return ExchangeTlsLevel.None;
        }
        if (e.ChainValid != true)
        {
            why.Add("The certificate chain does not validate.");
            return ExchangeTlsLevel.EncryptionOnly;
        }
        if (e.NameMatches != true)
        {
            why.Add("No certificate name matches the MX host or the domain.");
            return ExchangeTlsLevel.CertificateValidation;
        }
        return ExchangeTlsLevel.DomainValidation;
    }
}
