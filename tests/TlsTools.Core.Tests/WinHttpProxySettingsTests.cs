using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using TlsTools.Revocation;
using Xunit;

namespace TlsTools.Tests;

/// <summary>
/// The WinHttpSettings registry value (what netsh winhttp set proxy writes and CryptoAPI's fetches
/// use), read from fixture bytes: direct, a named proxy with a bypass list, per-scheme proxies,
/// automatic discovery, and broken values.
/// </summary>
public class WinHttpProxySettingsTests
{
    /// <summary>What netsh winhttp reset proxy leaves: version 0x18, counter 0, flags 1 (direct), two empty strings.</summary>
    private static readonly byte[] Direct =
    {
        0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };

    /// <summary>netsh winhttp set proxy proxy.contoso.com:8080 "&lt;local&gt;;*.contoso.com" (counter 5, flags 3).</summary>
    private static readonly byte[] Named = Blob(0x18, 5, 3, "proxy.contoso.com:8080", "<local>;*.contoso.com");

    private static byte[] Blob(int version, int counter, int flags, string proxy, string bypass, string? autoConfig = null)
    {
        var b = new List<byte>();
        void Int(int v) => b.AddRange(BitConverter.GetBytes(v));
        void Str(string s)
        {
            Int(s.Length);
            b.AddRange(Encoding.ASCII.GetBytes(s));
        }
        Int(version);
        Int(counter);
        Int(flags);
        Str(proxy);
        Str(bypass);
        if (autoConfig is not null)
        {
            Str(autoConfig);
        }
        return b.ToArray();
    }

    [Fact]
    public void TheResetValueIsDirect()
    {
        WinHttpProxySettings s = WinHttpProxySettings.Parse(Direct);
        Assert.Equal(0x18, s.Version);
        Assert.Equal(1, s.Flags);
        Assert.False(s.UsesProxy);
        Assert.Null(s.ProxyServer);
        Assert.Null(s.BypassList);
        Assert.Null(s.ProxyFor(new Uri("http://crl3.digicert.com/DigiCertGlobalRootG2.crl")));
        Assert.Equal("direct", ProxyRoute.WinHttp(s).Describe(new Uri("http://crl3.digicert.com/x.crl")));
        Assert.Contains("direct access", s.ToString());
    }

    [Fact]
    public void ANamedProxyWithABypassList()
    {
        WinHttpProxySettings s = WinHttpProxySettings.Parse(Named);
        Assert.Equal(5, s.Counter);
        Assert.True(s.UsesProxy);
        Assert.Equal("proxy.contoso.com:8080", s.ProxyServer);
        Assert.Equal("<local>;*.contoso.com", s.BypassList);
        Assert.Equal(new Uri("http://proxy.contoso.com:8080"), s.ProxyFor(new Uri("http://crl3.digicert.com/DigiCertGlobalRootG2.crl")));
        Assert.Equal(new Uri("http://proxy.contoso.com:8080"), s.ProxyFor(new Uri("http://ocsp.digicert.com")));
        Assert.Null(s.ProxyFor(new Uri("http://pki.contoso.com/ca.crl")));      // *.contoso.com
        Assert.Null(s.ProxyFor(new Uri("http://intranetca/ca.crl")));           // <local>: no dot
        Assert.NotNull(s.ProxyFor(new Uri("http://contoso.com.evil.example/"))); // the wildcard is anchored
        var route = ProxyRoute.WinHttp(s);
        Assert.Equal("http://proxy.contoso.com:8080/", route.Describe(new Uri("http://crl.globalsign.com/a.crl")));
        Assert.Equal("direct", route.Describe(new Uri("http://pki.contoso.com/ca.crl")));
        Assert.Contains("proxy.contoso.com:8080", route.Source);
    }

    [Fact]
    public void PerSchemeProxiesAndAnAutoConfigUrl()
    {
        WinHttpProxySettings s = WinHttpProxySettings.Parse(Blob(0x18, 9, 3 | 4, "http=webproxy:3128;https=tlsproxy:3129", "10.*;192.168.1.?", "http://wpad/wpad.dat"));
        Assert.Equal("http://wpad/wpad.dat", s.AutoConfigUrl);
        Assert.True(s.UsesAutomaticProxy);
        Assert.Equal(new Uri("http://webproxy:3128"), s.ProxyFor(new Uri("http://crl.example/a.crl")));
        Assert.Equal(new Uri("http://tlsproxy:3129"), s.ProxyFor(new Uri("https://crl.example/a.crl")));
        Assert.Null(s.ProxyFor(new Uri("http://10.1.2.3/a.crl")));
        Assert.Null(s.ProxyFor(new Uri("http://192.168.1.7/a.crl")));
        Assert.NotNull(s.ProxyFor(new Uri("http://192.168.1.17/a.crl")));
    }

    [Fact]
    public void AutomaticDiscoveryAloneGoesDirectAndSaysSo()
    {
        WinHttpProxySettings s = WinHttpProxySettings.Parse(Blob(0x18, 2, 1 | 8, string.Empty, string.Empty));
        Assert.False(s.UsesProxy);
        Assert.Null(s.ProxyFor(new Uri("http://crl.example/a.crl")));
        Assert.Contains("not evaluated", s.ToString());
    }

    [Fact]
    public void AProxyWithoutItsFlagIsNotUsed()
    {
        WinHttpProxySettings s = WinHttpProxySettings.Parse(Blob(0x18, 3, 1, "proxy.contoso.com:8080", string.Empty));
        Assert.False(s.UsesProxy);
        Assert.Null(s.ProxyFor(new Uri("http://crl.example/a.crl")));
    }

    [Theory]
    [InlineData(new byte[] { 0x18, 0x00, 0x00 })]                                     // shorter than a DWORD
    [InlineData(new byte[] { 0x18, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x40, 0, 0, 0, (byte)'p' })] // 64-byte proxy, 1 byte there
    [InlineData(new byte[] { 0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 })]    // no bypass length
    [InlineData(new byte[] { 0x18, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF })] // negative length
    public void ABrokenValueIsAFormatError(byte[] value)
    {
        Assert.Throws<FormatException>(() => WinHttpProxySettings.Parse(value));
    }

    [Fact]
    public void OffWindowsTheDefaultRouteIsDirectOrTheGivenProxy()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
        {
            return; // the machine's own WinHTTP setting decides there
        }
        Assert.Null(WinHttpProxySettings.ReadMachine());
        Assert.Same(ProxyRoute.Direct, ProxyRoute.Default(null, false, out string? problem));
        Assert.Null(problem);
        Assert.Equal("http://127.0.0.1:3128/", ProxyRoute.Default(new Uri("http://127.0.0.1:3128"), false, out _).Describe(new Uri("http://crl.example/a.crl")));
        Assert.Same(ProxyRoute.Direct, ProxyRoute.Default(null, true, out _));
    }
}
