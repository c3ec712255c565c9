using System;
using System.Management.Automation;
using System.Threading;

namespace TlsTools.Commands;

/// <summary>
/// Base of every TlsTools cmdlet: owns the token that Ctrl+C (StopProcessing) cancels. The token
/// source is released through IDisposable, because EndProcessing is not reached after a stop.
/// </summary>
/// <remarks>
/// Dispose first cancels, then gives work still running on other threads a short, bounded time
/// to end (<see cref="WaitForOutstandingWork"/>), and only then lets the derived cmdlets release
/// what that work uses. Work that has not ended by then is abandoned: the token source it still
/// reads is not disposed (the GC takes it), and <see cref="WorkAbandoned"/> tells derived
/// cmdlets to leave alone what it may still touch.
/// </remarks>
public abstract class TlsCmdletBase : PSCmdlet, IDisposable
{
    /// <summary>How long Dispose waits for work on other threads to end after cancelling it.</summary>
    protected static readonly TimeSpan OutstandingWorkGrace = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _stopToken;
    private bool _disposed;

    protected TlsCmdletBase()
    {
        _stop = new CancellationTokenSource();
        // Read once: the token stays usable by late readers even after the source is disposed.
        _stopToken = _stop.Token;
    }

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped or torn down.</summary>
    protected CancellationToken StopToken => _stopToken;

    /// <summary>True when Dispose gave up waiting for work on other threads; that work may still run.</summary>
    protected bool WorkAbandoned { get; private set; }

    protected override void StopProcessing()
    {
        CancelQuietly();
        base.StopProcessing();
    }

    /// <summary>
    /// Waits, at most <paramref name="limit"/>, for work started on other threads to end; true
    /// when none is left. Called by Dispose after cancelling; the base has no such work.
    /// </summary>
    protected virtual bool WaitForOutstandingWork(TimeSpan limit) => true;

    public void Dispose()
    {
        if (!_disposed)
        {
            // A pipeline torn down by a terminating error (-ErrorAction Stop) disposes the
            // cmdlet without calling StopProcessing: cancel anyway, so no socket outlives it.
            CancelQuietly();
            WorkAbandoned = !WaitForOutstandingWork(OutstandingWorkGrace);
        }
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            CancelQuietly();
            if (!WorkAbandoned)
            {
                _stop.Dispose();
            }
        }
        _disposed = true;
    }

    private void CancelQuietly()
    {
        try
        {
            _stop.Cancel();
        }
        catch (AggregateException)
        {
            // A cancellation callback failed (a socket that would not close cleanly): the
            // token is cancelled all the same.
        }
        catch (ObjectDisposedException)
        {
            // Stopped after disposal: nothing is left to cancel.
        }
    }
}
