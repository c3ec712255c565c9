using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Routing;

/// <summary>Finds where mail for a domain goes: MX records by preference, the implicit MX, or a null MX.</summary>
public static class MailRoutePlanner
{
    /// <summary>How many MX hosts of one domain are looked up at the same time.</summary>
    public const int HostLookupsAtOnce = 4;

    /// <summary>
    /// Plans the route of <paramref name="domain"/>. The whole DNS stage (MX, then the addresses of
    /// every host, or the implicit-MX fallback) runs under one deadline: <paramref name="timeout"/>,
    /// else the resolver's <see cref="IMailDnsStageTimeout.StageTimeout"/>, else none. When the MX
    /// or implicit-MX look-up has not finished by then this throws a <see cref="DnsLookupException"/>
    /// saying the server did not answer within the deadline. Hosts whose addresses were still
    /// outstanding get that as their <see cref="MailHost.ResolutionError"/>; when no host got an
    /// address at all, the domain fails that way.
    /// </summary>
    public static async Task<MailRoute> PlanAsync(string domain, IMailDnsResolver resolver, AddressFamilyFilter family, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TimeSpan? budget = timeout ?? (resolver as IMailDnsStageTimeout)?.StageTimeout;
        if (budget is null)
        {
            return await PlanCoreAsync(domain, resolver, family, null, cancellationToken).ConfigureAwait(false);
        }
        using var deadline = new DnsDeadline(budget.Value, cancellationToken);
        return await PlanCoreAsync(domain, resolver, family, deadline, deadline.Token).ConfigureAwait(false);
    }

    private static Task<T> Within<T>(DnsDeadline? deadline, string name, Func<CancellationToken, Task<T>> work, CancellationToken token) =>
        deadline is null ? work(token) : deadline.AwaitAsync(name, DnsDeadline.StartAsync(work, token));

    private static async Task<MailRoute> PlanCoreAsync(string domain, IMailDnsResolver resolver, AddressFamilyFilter family, DnsDeadline? deadline, CancellationToken token)
    {
        IReadOnlyList<MxRecordData> mx = await Within(deadline, domain, ct => resolver.GetMxAsync(domain, ct), token).ConfigureAwait(false);
        var real = mx.Where(r => !IsRoot(r.Exchange)).ToList();

        // RFC 7505: a single "0 ." record says the domain accepts no mail. A "." beside real
        // records is a misconfiguration; the real records still route mail.
        if (mx.Count > 0 && real.Count == 0)
        {
            return new MailRoute { Domain = domain, IsNullMx = true, Family = family };
        }

        if (real.Count == 0)
        {
            // RFC 5321 section 5.1: no MX means the domain itself is the mail host.
            IReadOnlyList<IPAddress> own = await Within(deadline, domain, ct => resolver.GetAddressesAsync(domain, family, ct), token).ConfigureAwait(false);
            string? error = own.Count == 0 ? "The domain has neither MX nor address records." : null;
            return new MailRoute
            {
                Domain = domain,
                IsImplicitMx = true,
                Family = family,
                Hosts = new[] { new MailHost(domain, null, own, error) },
            };
        }

        // Lowest preference first; equal preferences by name, so reports are stable.
        var ordered = real
            .Select(r => (r.Preference, Name: r.Exchange.TrimEnd('.').ToLowerInvariant()))
            .Distinct()
            .OrderBy(r => r.Preference).ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToList();

        // A domain with many MX hosts asks for a few at a time, not for all at once.
        using var hostGate = new SemaphoreSlim(HostLookupsAtOnce, HostLookupsAtOnce);
        var lookups = ordered.Select(async r =>
        {
            try
            {
                await hostGate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    IReadOnlyList<IPAddress> a = await Within(deadline, r.Name, ct => resolver.GetAddressesAsync(r.Name, family, ct), token).ConfigureAwait(false);
                    return new MailHost(r.Name, r.Preference, a, a.Count == 0 ? "The MX host has no address records of the family asked for." : null);
                }
                finally
                {
                    hostGate.Release();
                }
            }
            catch (DnsLookupException e)
            {
                return new MailHost(r.Name, r.Preference, Array.Empty<IPAddress>(), e.Message);
            }
            catch (OperationCanceledException) when (deadline?.Expired == true)
            {
                // Still waiting for its turn when the deadline passed.
                return new MailHost(r.Name, r.Preference, Array.Empty<IPAddress>(), DnsDeadline.TimedOut(r.Name, deadline.Budget).Message);
            }
        }).ToList();
        MailHost[] hosts = await Task.WhenAll(lookups).ConfigureAwait(false);
        if (deadline?.Expired == true && hosts.All(h => h.Addresses.Count == 0))
        {
            throw new DnsLookupException(domain, $"the DNS server did not answer within {DnsDeadline.Seconds(deadline!.Budget)} s (the MX records came, the addresses of their hosts did not).", false);
        }
        return new MailRoute { Domain = domain, Hosts = hosts, Family = family };
    }

    private static bool IsRoot(string exchange) => string.IsNullOrEmpty(exchange) || exchange == ".";
}
