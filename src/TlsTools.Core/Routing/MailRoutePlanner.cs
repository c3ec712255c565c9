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
    public static async Task<MailRoute> PlanAsync(string domain, IMailDnsResolver resolver, AddressFamilyFilter family, CancellationToken cancellationToken)
    {
        IReadOnlyList<MxRecordData> mx = await resolver.GetMxAsync(domain, cancellationToken).ConfigureAwait(false);
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
            IReadOnlyList<IPAddress> own = await resolver.GetAddressesAsync(domain, family, cancellationToken).ConfigureAwait(false);
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

        var lookups = ordered.Select(async r =>
        {
            try
            {
                IReadOnlyList<IPAddress> a = await resolver.GetAddressesAsync(r.Name, family, cancellationToken).ConfigureAwait(false);
                return new MailHost(r.Name, r.Preference, a, a.Count == 0 ? "The MX host has no address records of the family asked for." : null);
            }
            catch (DnsLookupException e)
            {
                return new MailHost(r.Name, r.Preference, Array.Empty<IPAddress>(), e.Message);
            }
        });
        MailHost[] hosts = await Task.WhenAll(lookups).ConfigureAwait(false);
        return new MailRoute { Domain = domain, Hosts = hosts, Family = family };
    }

    private static bool IsRoot(string exchange) => string.IsNullOrEmpty(exchange) || exchange == ".";
}
