#if NETFRAMEWORK
using System;
using System.IO;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TlsTools.Tests.Support;

/// <summary>
/// The few newer BCL calls the test helpers use, written for .NET Framework 4.7.2 so that the same
/// helpers serve the net472 build of the tests (run under Mono by build.ps1 -Task Test).
/// </summary>
internal static class NetFrameworkCompat
{
    public static Task<int> ReadAsync(this Stream s, byte[] buffer, CancellationToken ct = default) =>
        s.ReadAsync(buffer, 0, buffer.Length, ct);

    public static Task WriteAsync(this Stream s, byte[] buffer, CancellationToken ct = default) =>
        s.WriteAsync(buffer, 0, buffer.Length, ct);

    public static Task WriteAsync(this Stream s, ArraySegment<byte> buffer, CancellationToken ct = default) =>
        s.WriteAsync(buffer.Array!, buffer.Offset, buffer.Count, ct);

    public static ArraySegment<byte> AsMemory(this byte[] buffer, int offset, int count) => new(buffer, offset, count);

    public static Task AsTask(this Task t) => t;

    public static async Task ReadExactlyAsync(this Stream s, byte[] buffer, CancellationToken ct = default)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await s.ReadAsync(buffer, total, buffer.Length - total, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }
            total += n;
        }
    }

    public static async Task<int> ReadAtLeastAsync(this Stream s, byte[] buffer, int minimum, bool throwOnEndOfStream, CancellationToken ct = default)
    {
        int total = 0;
        while (total < minimum)
        {
            int n = await s.ReadAsync(buffer, total, buffer.Length - total, ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (throwOnEndOfStream)
                {
                    throw new EndOfStreamException();
                }
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>Accepts a client; a stopped listener (Dispose) ends the wait as on .NET.</summary>
    public static async Task<TcpClient> AcceptTcpClientAsync(this TcpListener listener, CancellationToken ct)
    {
        using (ct.Register(static l => ((TcpListener)l!).Stop(), listener))
        {
            try
            {
                return await listener.AcceptTcpClientAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
            {
                throw new OperationCanceledException(ct);
            }
        }
    }

    public static async Task<UdpReceiveResult> ReceiveAsync(this UdpClient client, CancellationToken ct)
    {
        using (ct.Register(static c => ((UdpClient)c!).Close(), client))
        {
            try
            {
                return await client.ReceiveAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is not OperationCanceledException)
            {
                throw new OperationCanceledException(ct);
            }
        }
    }

    public static async Task WaitAsync(this Task task, TimeSpan timeout)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false) != task)
        {
            throw new TimeoutException();
        }
        await task.ConfigureAwait(false);
    }

    public static string[] Split(this string s, string separator) => s.Split(new[] { separator }, StringSplitOptions.None);

    public static StringBuilder Append(this StringBuilder sb, IFormatProvider provider, FormattableString text) =>
        sb.Append(text.ToString(provider));

    /// <summary>What SslStreamCertificateContext + SslServerAuthenticationOptions do on .NET.</summary>
    public static Task AuthenticateAsServerAsync(this SslStream ssl, X509Certificate2 certificate, CancellationToken ct) =>
        ssl.AuthenticateAsServerAsync(certificate, false, SslProtocols.Tls12, false);
}
#endif
