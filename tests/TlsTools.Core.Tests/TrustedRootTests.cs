using System;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Presets;
using TlsTools.Revocation;
using TlsTools.Tests.Support;
using TlsTools.Trust;
using Xunit;

namespace TlsTools.Tests;

/// <summary>Root look-ups on a store snapshot made of test certificates, and the preset data.</summary>
public class TrustedRootTests
{
    private static readonly TestPki Ca = new();
    private static readonly X509Certificate2 Root = TestPki.ToDotNet(Ca.Root);
    private static readonly X509Certificate2 Intermediate = TestPki.ToDotNet(Ca.Intermediate);
    private static readonly X509Certificate2 Leaf = TestPki.ToDotNet(Ca.IssueLeaf("trust.partner.example"));

    /// <summary>A snapshot owns (and disposes) its certificates: it gets copies.</summary>
    private static TrustStoreSnapshot Stores(params StoreCertificate[] certificates) =>
        TrustStoreSnapshot.FromCertificates(certificates.Select(c => new StoreCertificate(TestBytes.LoadCertificate(c.Certificate.RawData), c.Store)));

    [Theory]
    [InlineData("df 3c 24 f9 bf d6 66 76 1b 26 80 73 fe 06 d1 cc 8d 4f 82 a4", "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4")]
    [InlineData("\u200eDF:3C:24:F9:BF:D6:66:76:1B:26:80:73:FE:06:D1:CC:8D:4F:82:A4", "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4")]
    [InlineData("DF3C24F9BFD666761B268073FE06D1CC8D4F82", null)]
    [InlineData("XX3C24F9BFD666761B268073FE06D1CC8D4F82A4", null)]
    public void ThumbprintsAreNormalised(string input, string? expected) =>
        Assert.Equal(expected, TrustedRootLookup.NormalizeThumbprint(input));

    [Fact]
    public void RootIsFoundByThumbprintInARootStoreOnly()
    {
        using TrustStoreSnapshot stores = Stores(new StoreCertificate(Root, "LocalMachine\\Root"), new StoreCertificate(Intermediate, "LocalMachine\\CA"));
        TrustedRootResult found = TrustedRootLookup.ByThumbprint(Root.Thumbprint, stores, DateTime.UtcNow);
        Assert.True(found.Found);
        Assert.Equal("LocalMachine\\Root", found.Store);
        Assert.Equal("Revocation Test Root", found.Name);
        Assert.Equal(Root.NotAfter.ToUniversalTime(), found.NotAfter);

        TrustedRootResult notRoot = TrustedRootLookup.ByThumbprint(Intermediate.Thumbprint, stores, DateTime.UtcNow);
        Assert.False(notRoot.Found);
        Assert.Null(notRoot.Store);
    }

    [Fact]
    public void RootIsFoundBySha256Thumbprint()
    {
        using TrustStoreSnapshot stores = Stores(new StoreCertificate(Root, "CurrentUser\\Root"), new StoreCertificate(Root, "LocalMachine\\Root"));
        string sha256 = TestBytes.ToHex(TestBytes.Sha256(Root.RawData));
        TrustedRootResult r = TrustedRootLookup.ByThumbprint(sha256, stores, DateTime.UtcNow);
        Assert.True(r.Found);
        Assert.Equal("CurrentUser\\Root, LocalMachine\\Root", r.Store);
        Assert.Equal(Root.Thumbprint, r.Thumbprint);
    }

    [Fact]
    public void ForAnIntermediateTheIssuingRootIsLookedUp()
    {
        using TrustStoreSnapshot stores = Stores(new StoreCertificate(Root, "LocalMachine\\Root"));
        TrustedRootResult r = TrustedRootLookup.ForCertificate(Intermediate, stores, DateTime.UtcNow);
        Assert.True(r.Found);
        Assert.Equal(Root.Thumbprint, r.Thumbprint);
        Assert.Contains("not a root", r.Detail);

        TrustedRootResult self = TrustedRootLookup.ForCertificate(Root, stores, DateTime.UtcNow);
        Assert.True(self.Found);

        using TrustStoreSnapshot empty = Stores();
        TrustedRootResult missing = TrustedRootLookup.ForCertificate(Intermediate, empty, DateTime.UtcNow);
        Assert.False(missing.Found);
        Assert.Equal("Revocation Test Root", missing.Name);

        // A leaf's issuer is the intermediate, which is not a root.
        Assert.False(TrustedRootLookup.ForCertificate(Leaf, stores, DateTime.UtcNow).Found);
    }

    [Fact]
    public void PresetRootKeepsItsNoteAndDate()
    {
        PresetRoot g2 = ExchangeOnlinePreset.Preset.Roots.Single(r => r.Name == "DigiCert Global Root G2");
        using TrustStoreSnapshot empty = Stores();
        TrustedRootResult r = TrustedRootLookup.ForPresetRoot(g2, empty, DateTime.UtcNow);
        Assert.False(r.Found);
        Assert.Equal("DF3C24F9BFD666761B268073FE06D1CC8D4F82A4", r.Thumbprint);
        Assert.Equal(new DateTime(2038, 1, 15, 12, 0, 0, DateTimeKind.Utc), r.NotAfter);
        Assert.Contains("2026-03-22", r.RequiredBy);

        PresetRoot baltimore = ExchangeOnlinePreset.Preset.Roots.Single(x => x.Name.StartsWith("Baltimore", StringComparison.Ordinal));
        Assert.Contains("no harm", TrustedRootLookup.ForPresetRoot(baltimore, empty, DateTime.UtcNow).Detail);
    }

    [Fact]
    public void ExchangeOnlinePresetIsWellFormed()
    {
        CertificatePreset preset = CertificatePreset.Get("exchangeonline");
        Assert.Equal(4, preset.Roots.Count);
        Assert.All(preset.Roots, r => Assert.Equal(r.Thumbprint, TrustedRootLookup.NormalizeThumbprint(r.Thumbprint)));
        Assert.All(preset.Endpoints, e =>
        {
            Assert.True(RevocationPlanner.TryParseHttpUri(e.Uri, out _, out _), e.Uri);
            Assert.False(string.IsNullOrEmpty(e.Note));
            if (e.ExpectedThumbprint is not null)
            {
                Assert.Contains(preset.Roots, r => r.Thumbprint == e.ExpectedThumbprint);
            }
        });
        Assert.Contains(preset.Endpoints, e => e.Uri == "http://crl.globalsign.com/gsorganizationvalsha2g3.crl" && e.Kind == RevocationEndpointKind.Crl);
        Assert.Contains(preset.Endpoints, e => e.Kind == RevocationEndpointKind.Ocsp && e.Uri.Contains("ocsp.digicert.com", StringComparison.Ordinal));
        Assert.Equal(preset.Endpoints.Count, RevocationPlanner.ForPreset(preset).Count);
        Assert.Throws<ArgumentException>(() => CertificatePreset.Get("Nope"));
    }
}
