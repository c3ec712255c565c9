using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Net;

/// <summary>Resolves and connects, turning socket errors into <see cref="ProbeException"/>s.</summary>
public static class TcpConnector
{
    /// <summary>
    /// Resolves <paramref name="host"/> with the system resolver (used only for a target the user
    /// named; MX and policy look-ups go through <c>DnsClient</c>). Address literals are not looked up.
    /// </summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return new[] { literal };
        }
        try
        {
#if NET8_0_OR_GREATER
            Task<IPAddress[]> lookup = Dns.GetHostAddressesAsync(host, cancellationToken);
#else
            Task<IPAddress[]> lookup = Dns.GetHostAddressesAsync(host);
#endif
            IPAddress[] addresses = await lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new ProbeException(ProbeFailureKind.NameResolution, $"'{host}' has no address records.");
            }
            // IPv4 first: the common case for mail, and what a dual-stack admin workstation tries first.
            return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ToArray();
        }
        catch (SocketException e)
        {
            throw new ProbeException(ProbeFailureKind.NameResolution, $"'{host}' could not be resolved: {e.Message}", e);
        }
    }

    /// <summary>Connects to <paramref name="address"/>:<paramref name="port"/>; cancellation closes the socket.</summary>
    public static async Task<TcpClient> ConnectAsync(IPAddress address, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient(address.AddressFamily) { NoDelay = true };
        try
        {
            using (cancellationToken.Register(static c => ((TcpClient)c!).Dispose(), client))
            {
#if NET8_0_OR_GREATER
                await client.ConnectAsync(address, port, cancellationToken).ConfigureAwait(false);
#else
                await client.ConnectAsync(address, port).ConfigureAwait(false);
#endif
            }
            cancellationToken.ThrowIfCancellationRequested();
            return client;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            client.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            string target = HostEndpoint.Format(address.ToString(), port);
            string reason = e is SocketException se ? se.Message : e.Message;
            throw new ProbeException(ProbeFailureKind.ConnectFailed, $"Could not connect to {target}: {reason}", e);
        }
    }
}

/// <summary>Task helpers missing from .NET Framework.</summary>
public static class TaskExtensions
{
    /// <summary>Waits for <paramref name="task"/> but gives up when <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task<T> WaitAsync<T>(this Task<T> task, CancellationToken cancellationToken)
    {
#if NET8_0_OR_GREATER
        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
#else
        if (!cancellationToken.CanBeCanceled)
        {
            return await task.ConfigureAwait(false);
        }
        var cancelled = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static s => ((TaskCompletionSource<object?>)s!).TrySetResult(null), cancelled))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
        return await task.ConfigureAwait(false);
#endif
    }
}
