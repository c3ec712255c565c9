using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Commands;

/// <summary>
/// A cmdlet that works on many network targets at once. Each target runs as a task (at most
/// ThrottleLimit at a time, each under its own timeout linked to Ctrl+C); the tasks never touch
/// the pipeline themselves but post to a queue that the pipeline thread drains, so objects,
/// errors and progress are written from the thread PowerShell requires, as each target finishes.
/// </summary>
/// <remarks>
/// Inputs are taken in a bounded window (<see cref="MaxTargetsInFlight"/>): when it is full,
/// <see cref="Enqueue"/> waits on the pipeline thread, writing what finished targets produce
/// meanwhile, until a target ends or Ctrl+C is pressed. So ten thousand piped inputs never make
/// ten thousand tasks, and the upstream command is held back rather than buffered.
/// </remarks>
public abstract class ConcurrentTargetCmdlet<TTarget> : TlsCmdletBase
{
    private readonly BlockingCollection<Action> _pipelineWork = new();
    private SemaphoreSlim? _throttle;
    private SemaphoreSlim? _window;
    private readonly object _pendingLock = new();
    private readonly ManualResetEventSlim _idle = new(initialState: true);
    private int _pending;
    private int _queued;
    private int _completed;
    private int _planned;
    private readonly int _activityId = Math.Abs(Environment.TickCount % 100000) + 1;

    /// <summary>How many targets are worked on at once; further inputs wait in the pipeline (see <see cref="MaxTargetsInFlight"/>).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 16;

    /// <summary>
    /// The time allowed for each target, from connect to the end of the dialog. A cmdlet that
    /// resolves a domain first gives the domain's whole DNS stage one deadline of its own too.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>The progress activity's title.</summary>
    protected abstract string ProgressActivity { get; }

    /// <summary>
    /// False for cmdlets whose input fans out (a domain becomes many addresses): the input item
    /// then takes no throttle slot and no timeout of its own; the cmdlet runs each unit of real
    /// network work through <see cref="RunThrottledAsync{T}"/> and counts progress in those units.
    /// </summary>
    protected virtual bool ThrottleEachTarget => true;

    /// <summary>
    /// How many inputs are worked on at once (started and not yet finished). ThrottleLimit for
    /// cmdlets that throttle each target; twice that for fan-out cmdlets, so the next inputs'
    /// look-ups overlap the current inputs' connections.
    /// </summary>
    protected virtual int MaxTargetsInFlight => ThrottleEachTarget ? ThrottleLimit : 2 * ThrottleLimit;

    /// <summary>Does the work for one target; runs on a worker thread and reports through <paramref name="output"/>.</summary>
    protected abstract Task ProcessTargetAsync(TTarget target, TargetOutput output, CancellationToken cancellationToken);

    /// <summary>Turns a failure of one target into the error record written for it.</summary>
    protected abstract ErrorRecord CreateErrorRecord(TTarget target, Exception exception, bool timedOut);

    /// <summary>
    /// True when the command is given -ErrorAction Stop: inputs are then worked on one at a time
    /// (the addresses of one domain still in parallel), and the first failed input ends the
    /// command before the next one is touched, as a runbook expects. $ErrorActionPreference
    /// alone keeps the concurrency: the first error still ends the command, but inputs already
    /// in flight have been probed.
    /// </summary>
    protected bool StopAtFirstError { get; private set; }

    protected override void BeginProcessing()
    {
        StopAtFirstError = ErrorsTerminate();
        int throttle = StopAtFirstError && ThrottleEachTarget ? 1 : ThrottleLimit;
        _throttle = new SemaphoreSlim(throttle, throttle);
        int window = StopAtFirstError ? 1 : Math.Max(1, MaxTargetsInFlight);
        _window = new SemaphoreSlim(window, window);
        base.BeginProcessing();
    }

    private bool ErrorsTerminate() =>
        MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound) && IsStop(bound);

    private static bool IsStop(object? value)
    {
        if (value is PSObject wrapped)
        {
            value = wrapped.BaseObject;
        }
        return value switch
        {
            ActionPreference preference => preference == ActionPreference.Stop,
            string text => string.Equals(text, nameof(ActionPreference.Stop), StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    /// <summary>
    /// Starts work on a target and writes whatever finished targets have produced so far. When
    /// <see cref="MaxTargetsInFlight"/> targets are running it first waits for one to end, writing
    /// their output meanwhile; Ctrl+C ends the wait with <see cref="PipelineStoppedException"/>.
    /// Call from the pipeline thread (ProcessRecord or EndProcessing).
    /// </summary>
    protected void Enqueue(TTarget target)
    {
        WaitForWindowSlot();
        if (StopAtFirstError)
        {
            // A failed target posts its error before it frees its slot: write it now, so that
            // it ends the command before the next target starts.
            Drain(waitForAll: false);
        }
        AddPending();
        _queued++;
        var output = new TargetOutput(this);
        _ = Task.Run(() => RunOneAsync(target, output));
        Drain(waitForAll: false);
    }

    private void WaitForWindowSlot()
    {
        if (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        // Every target that ends frees its slot and then posts to the queue, so a blocking take
        // wakes up each time a slot may have come free.
        while (!_window!.Wait(0))
        {
            Action work;
            try
            {
                work = _pipelineWork.Take(StopToken);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            work();
        }
    }

    private void AddPending()
    {
        lock (_pendingLock)
        {
            if (_pending++ == 0)
            {
                _idle.Reset();
            }
        }
    }

    private void RemovePending()
    {
        lock (_pendingLock)
        {
            if (--_pending == 0)
            {
                _idle.Set();
            }
        }
    }

    /// <summary>Waits for every target, writing results as they arrive. Call from EndProcessing.</summary>
    protected void WaitForAll()
    {
        Drain(waitForAll: true);
        if (_queued > 0)
        {
            WriteProgress(new ProgressRecord(_activityId, ProgressActivity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>Runs one unit of network work under the throttle (for fan-out cmdlets).</summary>
    protected async Task<T> RunThrottledAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await _throttle!.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _throttle.Release();
        }
    }

    private async Task RunOneAsync(TTarget target, TargetOutput output)
    {
        bool entered = false;
        try
        {
            if (ThrottleEachTarget)
            {
                await _throttle!.WaitAsync(StopToken).ConfigureAwait(false);
                entered = true;
            }
            using var perTarget = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
            if (ThrottleEachTarget)
            {
                perTarget.CancelAfter(TimeSpan.FromSeconds(TimeoutSeconds));
            }
            try
            {
                await ProcessTargetAsync(target, output, perTarget.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!StopToken.IsCancellationRequested)
            {
                bool timedOut = perTarget.IsCancellationRequested;
                ErrorRecord record = CreateErrorRecord(target, e, timedOut);
                Post(() => WriteError(record));
            }
        }
        catch (Exception) when (StopToken.IsCancellationRequested)
        {
            // Stopped: nothing more is written, and whatever a cancelled target threw is expected.
        }
        catch (Exception e)
        {
            // Making the error record failed: the target still gets one outcome.
            Post(() => WriteError(new ErrorRecord(e, "UnexpectedError", ErrorCategory.NotSpecified, target)));
        }
        finally
        {
            if (entered)
            {
                _throttle!.Release();
            }
            _window!.Release();
            RemovePending();
            // Always post after freeing the slot: it wakes a pipeline thread that waits in
            // Enqueue for a slot or in WaitForAll for the last target.
            if (ThrottleEachTarget)
            {
                Post(() =>
                {
                    _completed++;
                    WriteProgressRecord();
                });
            }
            else
            {
                Post(static () => { });
            }
        }
    }

    private void AddPlanned(int count)
    {
        _planned += count;
        WriteProgressRecord();
    }

    private void AddCompleted()
    {
        _completed++;
        WriteProgressRecord();
    }

    private void WriteProgressRecord()
    {
        int total = ThrottleEachTarget ? _queued : _planned;
        int percent = total == 0 ? 0 : Math.Min(100, _completed * 100 / total);
        string status = string.Format(CultureInfo.CurrentCulture, "{0} of {1} done", _completed, total);
        WriteProgress(new ProgressRecord(_activityId, ProgressActivity, status) { PercentComplete = percent });
    }

    internal void Post(Action work)
    {
        try
        {
            _pipelineWork.Add(work);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The cmdlet has finished: late output from a cancelled task is dropped.
        }
    }

    private void Drain(bool waitForAll)
    {
        while (true)
        {
            Action? work;
            if (waitForAll && Volatile.Read(ref _pending) > 0)
            {
                try
                {
                    work = _pipelineWork.Take(StopToken);
                }
                catch (OperationCanceledException)
                {
                    throw new PipelineStoppedException();
                }
            }
            else if (!_pipelineWork.TryTake(out work))
            {
                return;
            }
            work();
        }
    }

    /// <summary>After a stop or a terminating error: waits, bounded, for the cancelled targets to end.</summary>
    protected override bool WaitForOutstandingWork(TimeSpan limit) => _idle.Wait(limit);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Output still queued, or posted from here on, is dropped: the pipeline has ended.
            // The queue, the semaphores and the idle event are not disposed, since abandoned
            // targets may still touch them; none of them holds an operating-system handle.
            _pipelineWork.CompleteAdding();
        }
        base.Dispose(disposing);
    }

    /// <summary>The thread-safe way a worker task writes to the pipeline.</summary>
    protected sealed class TargetOutput
    {
        private readonly ConcurrentTargetCmdlet<TTarget> _cmdlet;

        internal TargetOutput(ConcurrentTargetCmdlet<TTarget> cmdlet) => _cmdlet = cmdlet;

        public void Object(object value) => _cmdlet.Post(() => _cmdlet.OnObject(value));

        public void Error(ErrorRecord record) => _cmdlet.Post(() => _cmdlet.WriteError(record));

        public void Verbose(string text) => _cmdlet.Post(() => _cmdlet.WriteVerbose(text));

        public void Warning(string text) => _cmdlet.Post(() => _cmdlet.WriteWarning(text));

        /// <summary>Fan-out cmdlets: <paramref name="count"/> more units of work are known.</summary>
        public void Planned(int count) => _cmdlet.Post(() => _cmdlet.AddPlanned(count));

        /// <summary>Fan-out cmdlets: one unit of work has finished.</summary>
        public void Completed() => _cmdlet.Post(_cmdlet.AddCompleted);
    }

    /// <summary>Writes one result object; runs on the pipeline thread. Override to also record it.</summary>
    protected virtual void OnObject(object value) => WriteObject(value);
}
