using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace TlsTools.Revocation;

/// <summary>
/// The machine's WinHTTP proxy, as <c>netsh winhttp set proxy</c> stores it and <c>netsh winhttp
/// show proxy</c> shows it. Exchange validates certificates through CryptoAPI, which fetches CRLs,
/// OCSP answers and CA certificates with WinHTTP, so this proxy, not the user's browser (WinINet)
/// proxy that .NET picks by default, is the one Exchange's revocation checks go through.
/// </summary>
/// <remarks>
/// The value is the REG_BINARY <c>WinHttpSettings</c> under
/// <c>HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections</c>: little-endian
/// DWORDs <c>version</c> (0x18 as netsh writes it), <c>counter</c> (bumped on every change),
/// <c>flags</c> (1 direct, 2 named proxy, 4 auto-config URL, 8 auto-detect), then length-prefixed
/// ASCII strings: proxy server, bypass list and, when present, an auto-config URL. A missing
/// value means direct (what <c>netsh winhttp reset proxy</c> leaves:
/// <c>18 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00</c>).
/// </remarks>
public sealed class WinHttpProxySettings
{
    public const string RegistryKey = @"SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections";
    public const string RegistryValue = "WinHttpSettings";

    public const int FlagDirect = 1;
    public const int FlagProxy = 2;
    public const int FlagAutoConfigUrl = 4;
    public const int FlagAutoDetect = 8;

    private const int MaxString = 32 * 1024;

    /// <summary>The settings of a machine without a WinHTTP proxy.</summary>
    public static readonly WinHttpProxySettings Direct = new() { Flags = FlagDirect };

    public int Version { get; private set; }
    public int Counter { get; private set; }
    public int Flags { get; private set; }

    /// <summary>The proxy server list: <c>host:port</c>, or per scheme <c>http=host:port;https=host:port</c>; null when none.</summary>
    public string? ProxyServer { get; private set; }

    /// <summary>The bypass list: host names, wildcards (<c>*.contoso.com</c>, <c>10.*</c>) and <c>&lt;local&gt;</c>, separated by semicolons; null when none.</summary>
    public string? BypassList { get; private set; }

    /// <summary>A proxy auto-config (PAC) URL, when one is stored.</summary>
    public string? AutoConfigUrl { get; private set; }

    /// <summary>True when a named proxy is set (flag 2 and a proxy server).</summary>
    public bool UsesProxy => (Flags & FlagProxy) != 0 && !string.IsNullOrWhiteSpace(ProxyServer);

    /// <summary>True when WinHTTP is told to discover its proxy (WPAD) or run a PAC file, which this module does not evaluate.</summary>
    public bool UsesAutomaticProxy => (Flags & (FlagAutoDetect | FlagAutoConfigUrl)) != 0;

    /// <summary>Reads the binary value; throws <see cref="FormatException"/> when it does not follow the layout.</summary>
    public static WinHttpProxySettings Parse(byte[] value)
    {
        int pos = 0;
        var s = new WinHttpProxySettings
        {
            Version = ReadInt32(value, ref pos),
            Counter = ReadInt32(value, ref pos),
            Flags = ReadInt32(value, ref pos),
        };
        s.ProxyServer = ReadString(value, ref pos, "proxy server");
        s.BypassList = ReadString(value, ref pos, "bypass list");
        if (value.Length - pos >= 4)
        {
            s.AutoConfigUrl = ReadString(value, ref pos, "auto-config URL");
        }
        return s;
    }

    /// <summary>
    /// The proxy WinHTTP uses for <paramref name="destination"/>, or null for a direct connection
    /// (no named proxy, a bypassed host, or no entry for the URL's scheme).
    /// </summary>
    public Uri? ProxyFor(Uri destination)
    {
        if (!UsesProxy || IsBypassed(destination.Host))
        {
            return null;
        }
        string? chosen = null;
        string? any = null;
        foreach (string entry in Split(ProxyServer!))
        {
            int eq = entry.IndexOf('=');
            if (eq < 0)
            {
                any ??= entry;
                continue;
            }
            if (string.Equals(entry.Substring(0, eq).Trim(), destination.Scheme, StringComparison.OrdinalIgnoreCase))
            {
                chosen ??= entry.Substring(eq + 1).Trim();
            }
        }
        string? server = chosen ?? any;
        if (string.IsNullOrEmpty(server))
        {
            return null;
        }
        if (!server!.Contains("://"))
        {
            server = "http://" + server;
        }
        return Uri.TryCreate(server, UriKind.Absolute, out Uri? proxy) ? proxy : null;
    }

    /// <summary>True when <paramref name="host"/> matches the bypass list (<c>&lt;local&gt;</c>: a name without a dot).</summary>
    public bool IsBypassed(string host)
    {
        if (string.IsNullOrWhiteSpace(BypassList))
        {
            return false;
        }
        string h = host.Trim('[', ']');
        foreach (string entry in Split(BypassList!))
        {
            if (string.Equals(entry, "<local>", StringComparison.OrdinalIgnoreCase))
            {
                if (h.IndexOf('.') < 0 && h.IndexOf(':') < 0)
                {
                    return true;
                }
                continue;
            }
            string pattern = entry;
            int scheme = pattern.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                pattern = pattern.Substring(scheme + 3);
            }
            string regex = "^" + Regex.Escape(pattern.Trim('[', ']')).Replace("\\*", ".*").Replace("\\?", ".") + "$";
            if (Regex.IsMatch(h, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>What netsh winhttp show proxy would say, in one line.</summary>
    public override string ToString()
    {
        if (UsesProxy)
        {
            return $"WinHTTP proxy {ProxyServer}" + (string.IsNullOrWhiteSpace(BypassList) ? string.Empty : $", bypass {BypassList}");
        }
        return UsesAutomaticProxy ? "WinHTTP automatic proxy discovery (not evaluated: direct)" : "WinHTTP direct access (no proxy server)";
    }

    /// <summary>
    /// Reads this machine's WinHTTP settings from the registry: null on other systems than Windows,
    /// <see cref="Direct"/> when no value is stored.
    /// </summary>
    public static WinHttpProxySettings? ReadMachine()
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            return null;
        }
#else
        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
        {
            return null;
        }
#endif
        using Microsoft.Win32.RegistryKey? key = Microsoft.Win32.Registry.LocalMachine.OpenSubKey(RegistryKey);
        return key?.GetValue(RegistryValue) is byte[] value ? Parse(value) : Direct;
    }

    private static IEnumerable<string> Split(string list) =>
        list.Split(new[] { ';', ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()).Where(e => e.Length > 0);

    private static int ReadInt32(byte[] value, ref int pos)
    {
        if (value.Length - pos < 4)
        {
            throw new FormatException($"The WinHttpSettings value ends at byte {value.Length}, inside a 4-byte field at {pos}.");
        }
        int v = value[pos] | (value[pos + 1] << 8) | (value[pos + 2] << 16) | (value[pos + 3] << 24);
        pos += 4;
        return v;
    }

    private static string? ReadString(byte[] value, ref int pos, string what)
    {
        int length = ReadInt32(value, ref pos);
        if (length < 0 || length > MaxString || value.Length - pos < length)
        {
            throw new FormatException($"The WinHttpSettings value announces a {what} of {length} bytes at byte {pos - 4}, but has {value.Length - pos} left.");
        }
        string text = Encoding.ASCII.GetString(value, pos, length).TrimEnd('\0');
        pos += length;
        return text.Length == 0 ? null : text;
    }
}

/// <summary>
/// How revocation and CA-issuers requests reach the network: through a proxy given explicitly,
/// through the machine's WinHTTP proxy (Windows, the default: what Exchange's CryptoAPI uses), or
/// directly (other systems, or when asked). Every result names the proxy it went through.
/// </summary>
public sealed class ProxyRoute
{
    private readonly Func<Uri, Uri?> _select;

    private ProxyRoute(string source, Func<Uri, Uri?> select)
    {
        Source = source;
        _select = select;
    }

    /// <summary>Where the route comes from, in words: "direct", "-Proxy http://...", "WinHTTP proxy ..." .</summary>
    public string Source { get; }

    public static ProxyRoute Direct { get; } = new("direct", _ => null);

    public static ProxyRoute Fixed(Uri proxy) => new("proxy " + proxy, _ => proxy);

    public static ProxyRoute WinHttp(WinHttpProxySettings settings) => new(settings.ToString(), settings.ProxyFor);

    /// <summary>
    /// The default route: <paramref name="proxy"/> when given, direct when <paramref name="noProxy"/>,
    /// else the WinHTTP proxy on Windows and direct elsewhere. A WinHTTP value that cannot be read
    /// is reported through <paramref name="problem"/> and the route is direct.
    /// </summary>
    public static ProxyRoute Default(Uri? proxy, bool noProxy, out string? problem)
    {
        problem = null;
        if (proxy is not null)
        {
            return Fixed(proxy);
        }
        if (noProxy)
        {
            return Direct;
        }
        try
        {
            WinHttpProxySettings? winHttp = WinHttpProxySettings.ReadMachine();
            return winHttp is null ? Direct : WinHttp(winHttp);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            problem = $"The WinHTTP proxy setting (HKLM\\{WinHttpProxySettings.RegistryKey}\\{WinHttpProxySettings.RegistryValue}) could not be read, so requests go direct: {e.Message}";
            return Direct;
        }
    }

    /// <summary>The proxy for <paramref name="destination"/>; null for a direct connection.</summary>
    public Uri? For(Uri destination) => _select(destination);

    /// <summary>The proxy for <paramref name="destination"/> as results name it: its URL, or "direct".</summary>
    public string Describe(Uri destination) => For(destination)?.ToString() ?? "direct";

    public override string ToString() => Source;
}
