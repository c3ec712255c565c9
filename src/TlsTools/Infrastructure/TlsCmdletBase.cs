using System;
using System.Management.Automation;
using System.Threading;

namespace TlsTools.Commands;

/// <summary>
/// Base of every TlsTools cmdlet: owns the token that Ctrl+C (StopProcessing) cancels. The token
/// source is disposed through IDisposable, because EndProcessing is not reached after a stop.
/// </summary>
public abstract class TlsCmdletBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken StopToken => _stop.Token;

    protected override void StopProcessing()
    {
        _stop.Cancel();
        base.StopProcessing();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            // A pipeline torn down by a terminating error (-ErrorAction Stop) disposes the
            // cmdlet without calling StopProcessing: cancel anyway, so no socket outlives it.
            _stop.Cancel();
            _stop.Dispose();
        }
        _disposed = true;
    }
}
