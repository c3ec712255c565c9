using System;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Routing;

/// <summary>
/// Bounds how many DNS queries are outstanding at once. Every <see cref="DnsClientResolver"/>
/// shares <see cref="Shared"/> unless given another, so however many domains are resolved at
/// the same time, the DNS server never sees more than <see cref="Limit"/> queries from this
/// process at once.
/// </summary>
public sealed class DnsQueryGate
{
    /// <summary>The default bound of the process-wide gate.</summary>
    public const int DefaultLimit = 64;

    private readonly SemaphoreSlim _slots;
    private int _peak;

    public DnsQueryGate(int limit)
    {
        if (limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "At least one query must be allowed.");
        }
        Limit = limit;
        _slots = new SemaphoreSlim(limit, limit);
    }

    /// <summary>The gate every resolver uses unless given another.</summary>
    public static DnsQueryGate Shared { get; } = new(DefaultLimit);

    /// <summary>The most queries outstanding at once.</summary>
    public int Limit { get; }

    /// <summary>Queries outstanding now.</summary>
    public int InFlight => Limit - _slots.CurrentCount;

    /// <summary>The most queries that were outstanding at once since the gate was made.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Runs one query once a slot is free; waiting for the slot heeds <paramref name="cancellationToken"/>.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> query, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int now = InFlight;
            int seen;
            while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
            return await query().ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
