using System;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Concurrency;

/// <summary>
/// At most N units of network work at once (a cmdlet's -ThrottleLimit), shared by every stage that
/// uses it. It is never disposed: tasks abandoned by a stopped pipeline may still release a slot, and
/// a SemaphoreSlim whose wait handle is never asked for holds nothing to free.
/// </summary>
public sealed class WorkThrottle
{
    private readonly SemaphoreSlim _slots;

    public WorkThrottle(int limit)
    {
        if (limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "At least one unit of work must be allowed.");
        }
        Limit = limit;
        _slots = new SemaphoreSlim(limit, limit);
    }

    public int Limit { get; }

    /// <summary>Waits for a slot, runs <paramref name="work"/>, and frees the slot however it ends.</summary>
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
