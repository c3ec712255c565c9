using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.MailTls;
using TlsTools.Probing;

namespace TlsTools.CipherSuites;

/// <summary>Test-MailTls -IncludeProtocolScan: the cipher suite scan of an address, as columns of its result.</summary>
internal static class ProtocolScanColumns
{
    public static async Task AddAsync(MailTlsResult result, ProbeTarget target, int timeoutSeconds, CancellationToken cancellationToken)
    {
        CipherScanFacts facts = await CipherSuiteScanner.ScanAsync(target,
            new CipherScanOptions { ConnectionTimeout = TimeSpan.FromSeconds(timeoutSeconds) }, cancellationToken).ConfigureAwait(false);
        if (facts.Failure is { } failure)
        {
            result.Notes = new StringList(result.Notes.Concat(new[] { "Protocol scan failed: " + failure }));
            return;
        }
        Apply(result, CipherScanJudgement.Summarize(facts, result.Domain));
    }

    public static void Apply(MailTlsResult result, CipherScanSummary summary)
    {
        result.SupportedProtocols = new StringList(summary.SupportedProtocols.Select(p => p.ToString()));
        result.WeakSuitesAccepted = new StringList(summary.WeakSuitesAccepted);
        result.AcceptsExchangeOnlineSuite = summary.AcceptsExchangeOnlineSuite;
        result.ServerPrefersOwnOrder = summary.ServerPrefersOwnOrder;
        if (summary.Inconclusive)
        {
            result.Notes = new StringList(result.Notes.Concat(summary.Protocols
                .Where(p => p.Inconclusive is not null)
                .Select(p => $"Protocol scan of {p.Protocol} is inconclusive: {p.Inconclusive}")));
        }
    }
}
