using System;
using System.Globalization;
using System.Net;

namespace TlsTools.Net;

/// <summary>
/// A target as a user types it: a host name, an IPv4 or IPv6 address, optionally with a port
/// (<c>host:port</c>, <c>[v6]:port</c>), or an SMTP address literal (<c>[192.0.2.1]</c>,
/// <c>[IPv6:2001:db8::1]</c>, as Exchange writes smart host addresses). A bare IPv6 address has no port.
/// </summary>
public sealed class HostEndpoint
{
    public HostEndpoint(string host, int? port)
    {
        Host = host;
        Port = port;
    }

    /// <summary>The host name or address literal, without brackets.</summary>
    public string Host { get; }

    /// <summary>The port written with the host, if any.</summary>
    public int? Port { get; }

    /// <summary>The host as an address, when it is an address literal.</summary>
    public IPAddress? Address => IPAddress.TryParse(Host, out IPAddress? a) ? a : null;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> when it is not a host.</summary>
    public static HostEndpoint Parse(string text)
    {
        if (!TryParse(text, out HostEndpoint? endpoint))
        {
            throw new FormatException($"'{text}' is not a host name, an address, or host:port.");
        }
        return endpoint!;
    }

    public static bool TryParse(string? text, out HostEndpoint? endpoint)
    {
        endpoint = null;
        if (text is null)
        {
            return false;
        }
        string s = text.Trim();
        if (s.Length == 0 || s.Length > 300)
        {
            return false;
        }

        string host;
        int? port = null;
        if (s[0] == '[')
        {
            int close = s.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            host = s.Substring(1, close - 1);
            // RFC 5321 address literals: [192.0.2.1] and [IPv6:2001:db8::1]; Exchange writes
            // smart hosts given as addresses in brackets.
            if (host.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                host = host.Substring(5);
            }
            string rest = s.Substring(close + 1);
            if (rest.Length > 0)
            {
                if (rest[0] != ':' || !TryParsePort(rest.Substring(1), out int p))
                {
                    return false;
                }
                port = p;
            }
            if (!IPAddress.TryParse(host, out _))
            {
                return false;
            }
        }
        else
        {
            int first = s.IndexOf(':');
            int last = s.LastIndexOf(':');
            if (first >= 0 && first != last)
            {
                // More than one colon: a bare IPv6 address, which cannot carry a port.
                if (!IPAddress.TryParse(s, out _))
                {
                    return false;
                }
                host = s;
            }
            else if (first >= 0)
            {
                host = s.Substring(0, first);
                if (!TryParsePort(s.Substring(first + 1), out int p))
                {
                    return false;
                }
                port = p;
            }
            else
            {
                host = s;
            }
        }

        // Exchange smart hosts and MX names may carry a trailing root dot.
        host = host.TrimEnd('.');
        if (host.Length == 0 || (!IPAddress.TryParse(host, out _) && !DomainName.IsValidHostName(host)))
        {
            return false;
        }
        endpoint = new HostEndpoint(host, port);
        return true;
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port > 0 && port <= 65535;

    /// <summary>Formats host and port the way a URL would: <c>[::1]:25</c>, <c>mx.example:25</c>.</summary>
    public static string Format(string host, int port) =>
        host.IndexOf(':') >= 0 ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    public override string ToString() => Port is int p ? Format(Host, p) : Host;
}
