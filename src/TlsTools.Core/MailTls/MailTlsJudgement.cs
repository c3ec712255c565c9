using System.Collections.Generic;
using System.Linq;
using System.Net;
using TlsTools.Certificates;
using TlsTools.CipherSuites;
using TlsTools.Net;
using TlsTools.Probing;
using TlsTools.Revocation;

namespace TlsTools.MailTls;

/// <summary>
/// Judges one probed address: from the facts of the probe and of its certificate, the result an
/// administrator reads (does mail travel over TLS, how well, which Exchange Online TlsSettings
/// would deliver, and why not more). Pure: no socket, no clock but the one given, no store.
/// </summary>
public static class MailTlsJudgement
{
    /// <summary>
    /// Judges one address. <paramref name="exchangeOnlineSuites"/> is the server's answer to exactly
    /// Exchange Online's TLS 1.2 suites (asked for TLS 1.2 sessions); without it the negotiated suite
    /// decides. <paramref name="revocation"/> holds the revocation facts of the validated chain;
    /// without them RevocationStatus is NotChecked.
    /// </summary>
    public static MailTlsResult Judge(MailTlsTarget target, ServerTlsFacts facts, CertificateAssessment? certificate, System.DateTime now, bool includeTranscript = false,
        ExchangeOnlineSuiteFacts? exchangeOnlineSuites = null, ChainRevocationFacts? revocation = null)
    {
        var r = new MailTlsResult
        {
            Domain = target.Domain,
            MxHost = target.MxHost,
            Preference = target.Preference,
            IPAddress = target.Address.ToString(),
            Port = target.Port,
            Duration = facts.Duration,
            Transcript = includeTranscript ? facts.Transcript : null,
        };
        PlainTextDialogResult? dialog = facts.Dialog ?? facts.DialogOverTls;
        r.Banner = dialog?.Banner ?? facts.Failure?.Greeting;
        r.StartTlsOffered = facts.TlsOffered;
        var notes = new List<string>();

        if (facts.Failure is { } failure)
        {
            r.ErrorId = failure.ErrorId;
            r.Error = failure.Kind == ProbeFailureKind.HandshakeFailed
                ? "STARTTLS was offered but no TLS session could be established from this machine: " + failure.Message
                : failure.Message;
            if (failure.Kind == ProbeFailureKind.GreetingRejected && failure.ServerReply is not null)
            {
                r.Banner = PlainTextChannel.Printable(failure.ServerReply.Replace('\n', ' '));
            }
        }

        TlsSessionFacts? tls = facts.Failure is null ? facts.Tls : null;
        if (tls is null)
        {
            r.TlsEstablished = false;
            if (facts.Failure is null && !facts.TlsOffered)
            {
                notes.Add(dialog?.EhloRefusal is { } refusal
                    ? $"The server refused EHLO ({refusal}): without ESMTP it cannot offer STARTTLS (RFC 3207), so mail to it travels in clear text."
                    : "The server does not offer STARTTLS: mail to it travels in clear text.");
            }
            r.ExchangeTlsLevel = ExchangeTlsLevelRules.Decide(new TlsEvidence { TlsEstablished = false }, out _);
            r.Notes = new StringList(notes);
            return r;
        }

        r.TlsEstablished = true;
        r.Protocol = tls.Protocol;
        r.CipherSuite = tls.CipherSuite;
        r.KeyExchange = tls.KeyExchange;
        r.ForwardSecrecy = CipherSuiteFacts.ForwardSecrecy(tls.KeyExchange);
        notes.AddRange(AfterTlsNotes(facts));
        if (tls.Offer == TlsOffer.Legacy)
        {
            notes.Add($"The server completed a handshake only when legacy protocols or suites were offered ({tls.Protocol}, {tls.CipherSuite}).");
        }

        if (certificate is not null)
        {
            CertificateFacts f = certificate.Leaf;
            r.CertificateSubject = f.Subject;
            r.CertificateIssuer = f.Issuer;
            r.CertificateThumbprint = f.Thumbprint;
            r.CertificateNotAfter = f.NotAfter;
            r.DaysUntilExpiry = f.DaysUntilExpiry(now);
            r.KeySize = f.KeySize;
            r.CertificateDnsNames = new StringList(f.DnsNames);
            r.ExchangeCertificateName = f.ExchangeCertificateName;
            r.ChainValid = certificate.ChainValid;
            r.ChainErrors = new StringList(certificate.ChainErrors);
            r.RootIssuer = certificate.RootIssuer;
            r.NameMatches = NameMatches(target, f);
            r.Sha1Signature = certificate.Sha1Signed.Count > 0;
        }

        bool? exchangeOnlineAccepted = null;
        if (exchangeOnlineSuites is not null && tls.Protocol == "Tls12")
        {
            exchangeOnlineAccepted = exchangeOnlineSuites.Accepted;
            r.ExchangeOnlineCipherSuite = exchangeOnlineSuites.Suite;
            notes.AddRange(ExchangeOnlineSuiteNotes(exchangeOnlineSuites, tls.CipherSuite));
        }

        RevocationVerdict? verdict = null;
        if (revocation is not null)
        {
            verdict = RevocationJudgement.Judge(revocation);
            r.RevocationStatus = verdict.Status;
            r.RevocationProxy = verdict.Status == RevocationStatus.NotChecked ? null : revocation.Proxy;
            if (verdict.Status == RevocationStatus.Unknown)
            {
                notes.Add("Revocation could not be confirmed, so the level stands; Exchange, which checks revocation for CertificateValidation " +
                    "and DomainValidation, may refuse the chain if it cannot get an answer either (" +
                    (revocation.Proxy == "direct" ? "checked connecting directly" : "checked through " + revocation.Proxy) + "): " +
                    string.Join(" ", verdict.Findings));
            }
        }

        r.ExchangeTlsLevel = ExchangeTlsLevelRules.Decide(new TlsEvidence
        {
            TlsEstablished = true,
            Protocol = r.Protocol,
            CipherSuite = r.CipherSuite,
            ChainValid = r.ChainValid,
            NameMatches = r.NameMatches,
            ExchangeOnlineSuiteAccepted = exchangeOnlineAccepted,
            ExchangeOnlineSuiteAnswer = exchangeOnlineSuites?.Answer,
            Sha1Signed = certificate?.Sha1Signed ?? System.Array.Empty<string>(),
            Revocation = r.RevocationStatus,
            RevocationFinding = verdict is { Status: RevocationStatus.Revoked, Findings.Count: > 0 } ? verdict.Findings[0] : null,
        }, out IReadOnlyList<string> reasons);
        r.ForcedTlsReady = r.ExchangeTlsLevel >= ExchangeTlsLevel.CertificateValidation;
        notes.AddRange(reasons);
        r.Notes = new StringList(notes);
        return r;
    }

    /// <summary>What the answer to Exchange Online's suites adds to the notes: a question that could not be asked, or a suite that differs from this machine's.</summary>
    private static IEnumerable<string> ExchangeOnlineSuiteNotes(ExchangeOnlineSuiteFacts answer, string? negotiated)
    {
        if (answer.Failure is { } failure)
        {
            yield return "Exchange Online's TLS 1.2 suites could not be offered on a second connection (" + failure.Message +
                "); the suite this machine negotiated decides instead.";
        }
        else if (answer.Accepted == true && negotiated is not null && !string.Equals(negotiated, answer.Suite, System.StringComparison.OrdinalIgnoreCase))
        {
            yield return $"This machine negotiated {negotiated}; offered exactly Exchange Online's suites, the server chose {answer.Suite}, which is what Exchange Online would get.";
        }
    }

    /// <summary>
    /// Whether a certificate name matches the reference names of a mail server: the MX host name
    /// and the recipient domain (RFC 7672 section 3.2.3, RFC 8461 section 4.2 for the host name).
    /// A host given as an address (a smart host such as [192.0.2.1]) is matched against the
    /// certificate's iPAddress names instead (RFC 9525 section 6.3, IP-ID). Null when there is
    /// nothing to match.
    /// </summary>
    public static bool? NameMatches(MailTlsTarget target, CertificateFacts certificate)
    {
        var references = new List<string>();
        if (IPAddress.TryParse(target.MxHost, out IPAddress? literal))
        {
            string address = literal.ToString();
            if (certificate.IpAddresses.Any(a => string.Equals(a, address, System.StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }
        else
        {
            references.Add(target.MxHost);
        }
        if (!string.IsNullOrEmpty(target.Domain))
        {
            references.Add(target.Domain);
        }
        if (references.Count == 0)
        {
            return literal is null ? null : false;
        }
        return HostNameMatcher.FirstMatch(certificate.DnsNames, certificate.CommonName, references) is not null;
    }

    /// <summary>What the server did after the handshake that an administrator should know.</summary>
    private static IEnumerable<string> AfterTlsNotes(ServerTlsFacts facts)
    {
        if (facts.EhloOverTlsCode is int code && code != 250)
        {
            yield return $"The server answered EHLO over TLS with {code}.";
        }
        if (facts.StartTlsAdvertisedOverTls)
        {
            yield return "The server advertises STARTTLS again inside TLS (RFC 3207 section 4.2 forbids it).";
        }
        if (facts.AfterTlsError is not null)
        {
            yield return "After the handshake: " + facts.AfterTlsError;
        }
    }
}
