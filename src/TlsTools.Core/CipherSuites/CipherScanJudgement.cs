using System.Collections.Generic;
using System.Linq;

namespace TlsTools.CipherSuites;

/// <summary>
/// Judges the facts of a cipher suite scan (pure): one result per accepted (protocol, suite) with its
/// strength and Exchange Online membership from <see cref="CipherSuiteInfo"/>, per-protocol support,
/// and the compliance questions (legacy protocols, weak suites, Exchange Online overlap, server order).
/// </summary>
public static class CipherScanJudgement
{
    public static CipherScanSummary Summarize(CipherScanFacts facts, string? domain = null)
    {
        string host = string.IsNullOrEmpty(facts.Target.HostName) ? facts.Target.Address.ToString() : facts.Target.HostName;
        string address = facts.Target.Address.ToString();
        var suites = new List<CipherSuiteResult>();
        var protocols = new List<TlsProtocolSupport>();
        foreach (ProtocolScanFacts p in facts.Protocols.OrderBy(p => p.Protocol))
        {
            bool? order = p.Accepted.Count >= 2 ? p.ServerOrder : null;
            foreach (ushort code in p.Accepted.OrderBy(c => c))
            {
                CipherSuiteInfo info = CipherSuiteInfo.Find(code) ?? throw new KeyNotFoundException($"Suite 0x{code:X4} is not in the registry.");
                suites.Add(new CipherSuiteResult
                {
                    ComputerName = host,
                    Domain = domain,
                    IPAddress = address,
                    Port = facts.Target.Port,
                    Protocol = p.Protocol,
                    Name = info.Name,
                    Code = info.CodeText,
                    KeyExchange = info.KeyExchange,
                    Authentication = info.Authentication,
                    Encryption = info.Encryption,
                    Bits = info.Bits,
                    Mac = info.Mac,
                    ForwardSecrecy = info.ForwardSecrecy,
                    Strength = info.Strength,
                    ExchangeOnline = info.ExchangeOnline,
                    ServerPrefersOwnOrder = order,
                });
            }
            bool? supported = p.Accepted.Count > 0 ? true : p.Inconclusive is null ? false : null;
            protocols.Add(new TlsProtocolSupport
            {
                Protocol = p.Protocol,
                Supported = supported,
                SuiteCount = p.Accepted.Count,
                ServerPrefersOwnOrder = order,
                Refusal = p.Refusal,
                Inconclusive = p.Inconclusive?.Message,
                Connections = p.Connections,
            });
        }

        bool inconclusive = facts.Protocols.Any(p => p.Inconclusive is not null);
        bool exchangeOnline = suites.Any(s => s.Protocol == TlsProtocolVersion.Tls12 && s.ExchangeOnline);
        TlsProtocolSupport? newestWithChoice = protocols.Where(p => p.SuiteCount >= 2 && p.ServerPrefersOwnOrder is not null)
            .OrderByDescending(p => p.Protocol).FirstOrDefault();
        return new CipherScanSummary
        {
            ComputerName = host,
            Domain = domain,
            IPAddress = address,
            Port = facts.Target.Port,
            SupportedProtocols = new ValueList<TlsProtocolVersion>(protocols.Where(p => p.Supported == true).Select(p => p.Protocol)),
            Suites = suites,
            Protocols = protocols,
            LegacyProtocolAccepted = protocols.Any(p => p.Supported == true && p.Protocol < TlsProtocolVersion.Tls12),
            WeakSuitesAccepted = new StringList(suites.Where(s => s.Strength <= CipherSuiteStrength.Weak).Select(s => s.Name).Distinct()),
            NonForwardSecretAccepted = suites.Any(s => !s.ForwardSecrecy),
            AcceptsExchangeOnlineSuite = exchangeOnline ? true : inconclusive ? null : false,
            ServerPrefersOwnOrder = newestWithChoice?.ServerPrefersOwnOrder,
            Inconclusive = inconclusive,
            Connections = facts.Protocols.Sum(p => p.Connections),
            Elapsed = facts.Elapsed,
        };
    }
}
