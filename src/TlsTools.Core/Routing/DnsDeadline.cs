using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Routing;

/// <summary>
/// One deadline for a run of DNS work, that holds even when the work does not heed its token:
/// at the deadline the awaiting caller gets a <see cref="DnsLookupException"/> ("did not answer
/// within N s") at once, and work still running is left to end on its own, its failure observed.
/// Cancellation by the caller's token stays an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class DnsDeadline : IDisposable
{
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _source;
    private readonly TaskCompletionSource<bool> _expired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _registration;
    private int _abandoned;

    public DnsDeadline(TimeSpan budget, CancellationToken cancellationToken)
    {
        Budget = budget;
        _caller = cancellationToken;
        _source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _registration = _source.Token.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetResult(true), _expired);
        _source.CancelAfter(budget);
    }

    public TimeSpan Budget { get; }

    /// <summary>Cancelled at the deadline or by the caller; hand it to the work.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True once the deadline (not the caller) has cancelled <see cref="Token"/>.</summary>
    public bool Expired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Runs <paramref name="work"/> under a deadline of its own.</summary>
    public static async Task<T> RunAsync<T>(string name, TimeSpan budget, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var deadline = new DnsDeadline(budget, cancellationToken);
        return await deadline.AwaitAsync(name, StartAsync(work, deadline.Token)).ConfigureAwait(false);
    }

    /// <summary>Awaits <paramref name="task"/>, but no longer than the deadline.</summary>
    public async Task<T> AwaitAsync<T>(string name, Task<T> task)
    {
        await Task.WhenAny(task, _expired.Task).ConfigureAwait(false);
        if (!task.IsCompleted)
        {
            Observe(task);
            Interlocked.Exchange(ref _abandoned, 1);
            _caller.ThrowIfCancellationRequested();
            throw TimedOut(name, Budget);
        }
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Expired)
        {
            throw TimedOut(name, Budget);
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        if (Volatile.Read(ref _abandoned) == 0)
        {
            // Work that was left running still holds the token: its source is then left to the GC.
            _source.Dispose();
        }
    }

    /// <summary>The error of a DNS server that did not answer in time.</summary>
    public static DnsLookupException TimedOut(string name, TimeSpan budget, Exception? inner = null) =>
        new(name, $"the DNS server did not answer within {Seconds(budget)} s.", false, inner);

    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Marks a task's failure as observed, so an abandoned task never raises UnobservedTaskException.</summary>
    public static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Starts work so that a synchronous throw becomes a faulted task.</summary>
    public static async Task<T> StartAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        await work(cancellationToken).ConfigureAwait(false);
}
