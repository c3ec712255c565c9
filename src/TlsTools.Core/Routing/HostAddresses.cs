using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TlsTools.Net;

namespace TlsTools.Routing;

/// <summary>The addresses of a host given directly (a smart host), the one way every cmdlet resolves it.</summary>
public static class HostAddresses
{
    /// <summary>
    /// Through <paramref name="dnsServer"/> when one is named, else the way any client on this machine
    /// resolves names (the hosts file included); an address literal is its own address. Only the
    /// families <paramref name="family"/> asks for. Throws <see cref="DnsLookupException"/> or a
    /// NameResolution <see cref="ProbeException"/>.
    /// </summary>
    public static async Task<IReadOnlyList<IPAddress>> ResolveAsync(HostEndpoint host, IMailDnsResolver? dnsServer, AddressFamilyFilter family, CancellationToken cancellationToken)
    {
        if (dnsServer is not null && host.Address is null)
        {
            return await dnsServer.GetAddressesAsync(host.Host, family, cancellationToken).ConfigureAwait(false);
        }
        return (await TcpConnector.ResolveAsync(host.Host, cancellationToken).ConfigureAwait(false))
            .Where(a => family == AddressFamilyFilter.Any || (family == AddressFamilyFilter.IPv4) == (a.AddressFamily == AddressFamily.InterNetwork))
            .ToList();
    }
}
