using System;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace TlsTools.Net;

/// <summary>
/// This machine's names, and the name a client sends with EHLO. RFC 5321 section 4.1.1.1 wants
/// the client's fully qualified domain name, or an address literal when it has none (section
/// 4.1.3: <c>[192.0.2.1]</c>, <c>[IPv6:2001:db8::1]</c>); many MTAs refuse a bare label such as
/// <c>EHLO vm</c>, which would turn a good server into a failure of the probe.
/// </summary>
public static class LocalHost
{
    private static readonly Lazy<string?> s_fqdn = new(Discover);

    /// <summary>
    /// The machine's fully qualified name when it has one (a name with a dot that is not
    /// <c>localhost</c>), from its host name, its DNS domain, or its canonical name; null otherwise.
    /// A null EHLO name makes each connection send the address literal of its local end
    /// (<see cref="Probing.ServerConnection"/>). Looked up once per process.
    /// </summary>
    public static string? FullyQualifiedName() => s_fqdn.Value;

    /// <summary>
    /// Chooses the fully qualified name from what the system says (pure): the host name when it is
    /// fully qualified, else host name plus DNS domain, else the canonical name the resolver gives
    /// (the hosts file first); null when none is a fully qualified name.
    /// </summary>
    public static string? ChooseFullyQualifiedName(string? hostName, string? domainName, Func<string?> canonicalName)
    {
        string host = (hostName ?? string.Empty).Trim().TrimEnd('.');
        if (IsFullyQualified(host))
        {
            return host;
        }
        string domain = (domainName ?? string.Empty).Trim().Trim('.');
        if (host.Length > 0 && domain.Length > 0 && domain != "(none)" && IsFullyQualified(host + "." + domain))
        {
            return host + "." + domain;
        }
        string? canonical = canonicalName()?.Trim().TrimEnd('.');
        return canonical is not null && IsFullyQualified(canonical) ? canonical : null;
    }

    /// <summary>True for a syntactically valid host name of two labels or more that is not localhost, *.localdomain or an address.</summary>
    public static bool IsFullyQualified(string? name) =>
        !string.IsNullOrEmpty(name)
        && name!.IndexOf('.') > 0
        && DomainName.IsValidHostName(name)
        && !IPAddress.TryParse(name, out _)
        && !name.StartsWith("localhost.", StringComparison.OrdinalIgnoreCase)
        && !name.EndsWith(".localdomain", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The EHLO argument for one connection: <paramref name="configured"/> when given, else the
    /// address literal of the connection's local end (RFC 5321 section 4.1.3).
    /// </summary>
    public static string HeloName(string? configured, EndPoint? localEndPoint) =>
        !string.IsNullOrEmpty(configured) ? configured!
        : localEndPoint is IPEndPoint ip ? AddressLiteral(ip.Address)
        : "[127.0.0.1]";

    /// <summary><c>[192.0.2.1]</c> or <c>[IPv6:2001:db8::1]</c> (RFC 5321 section 4.1.3); IPv4-mapped addresses as IPv4, no scope id.</summary>
    public static string AddressLiteral(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var unscoped = new IPAddress(address.GetAddressBytes());
            return "[IPv6:" + unscoped + "]";
        }
        return "[" + address + "]";
    }

    private static string? Discover()
    {
        string? host = null;
        string? domain = null;
        try
        {
            var props = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties();
            host = props.HostName;
            domain = props.DomainName;
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
        }
        if (string.IsNullOrEmpty(host))
        {
            try
            {
                host = Dns.GetHostName();
            }
            catch (SocketException)
            {
                return null;
            }
        }
        return ChooseFullyQualifiedName(host, domain, () => CanonicalName(host!));
    }

    /// <summary>The resolver's canonical name for the host name (hosts file first), waited for at most 1.5 seconds.</summary>
    private static string? CanonicalName(string host)
    {
        try
        {
            Task<IPHostEntry> lookup = Task.Run(() => Dns.GetHostEntry(host));
            return lookup.Wait(TimeSpan.FromSeconds(1.5)) ? lookup.Result.HostName : null;
        }
        catch (AggregateException)
        {
            return null;
        }
    }
}
