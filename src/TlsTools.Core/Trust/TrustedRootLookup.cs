using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using TlsTools.Certificates;
using TlsTools.Presets;
using TlsTools.Revocation;

namespace TlsTools.Trust;

/// <summary>Looks roots up in a <see cref="TrustStoreSnapshot"/> (Root stores only).</summary>
public static class TrustedRootLookup
{
    /// <summary>
    /// Normalises a thumbprint as typed or pasted (spaces, colons, lower case, the invisible mark
    /// certmgr's copy puts in front): SHA-1 (40 hex digits) or SHA-256 (64). Null when it is neither.
    /// </summary>
    public static string? NormalizeThumbprint(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var hex = new string(text.Where(c => !char.IsWhiteSpace(c) && c != ':' && c != '-' && c != '\u200e' && c != '\u200f').ToArray()).ToUpperInvariant();
        if ((hex.Length != 40 && hex.Length != 64) || !hex.All(Uri.IsHexDigit))
        {
            return null;
        }
        return hex;
    }

    /// <summary>Looks up a preset's root by its thumbprint.</summary>
    public static TrustedRootResult ForPresetRoot(PresetRoot root, TrustStoreSnapshot stores, DateTime now)
    {
        TrustedRootResult result = ByThumbprint(root.Thumbprint, stores, now);
        result.Name = root.Name;
        result.RequiredBy = root.RequiredBy;
        result.NotAfter ??= root.NotAfter;
        if (!result.Found && root.NotAfter < now)
        {
            result.Detail += $" It expired on {Invariant(root.NotAfter)}, so its absence does no harm.";
        }
        return result;
    }

    /// <summary>Looks a root up by a normalised SHA-1 or SHA-256 thumbprint.</summary>
    public static TrustedRootResult ByThumbprint(string thumbprint, TrustStoreSnapshot stores, DateTime now)
    {
        List<StoreCertificate> hits = stores.Certificates.Where(s => Matches(s.Certificate, thumbprint) && IsRootStore(s.Store)).ToList();
        var result = new TrustedRootResult { Thumbprint = thumbprint };
        if (hits.Count == 0)
        {
            result.Detail = $"No certificate with thumbprint {thumbprint} is in {StoresSearched(stores)}.";
            return result;
        }
        X509Certificate2 found = hits[0].Certificate;
        Fill(result, found, hits, now);
        result.Detail = "Found by thumbprint." + ExpiryNote(found, now);
        return result;
    }

    /// <summary>
    /// Looks up the root a certificate needs: the certificate itself when it is self-signed (by
    /// thumbprint, or by name and key for a re-issued root), otherwise its issuer (by name, and its
    /// key must verify the certificate's signature) — the usual case for the last certificate a
    /// server sends, which is an intermediate.
    /// </summary>
    public static TrustedRootResult ForCertificate(X509Certificate2 certificate, TrustStoreSnapshot stores, DateTime now)
    {
        var bc = Pki.ToBouncyCastle(certificate);
        List<StoreCertificate> roots = stores.Certificates.Where(s => IsRootStore(s.Store)).ToList();
        if (Pki.IsSelfSigned(bc))
        {
            string thumb = certificate.Thumbprint.ToUpperInvariant();
            List<StoreCertificate> same = roots.Where(s => string.Equals(s.Certificate.Thumbprint, thumb, StringComparison.OrdinalIgnoreCase)).ToList();
            if (same.Count > 0)
            {
                var r = new TrustedRootResult();
                Fill(r, same[0].Certificate, same, now);
                r.Detail = "The certificate is self-signed and is in the store." + ExpiryNote(same[0].Certificate, now);
                return r;
            }
            List<StoreCertificate> rekeyed = roots.Where(s => s.Certificate.Subject == certificate.Subject &&
                                                              s.Certificate.GetPublicKeyString() == certificate.GetPublicKeyString()).ToList();
            if (rekeyed.Count > 0)
            {
                var r = new TrustedRootResult();
                Fill(r, rekeyed[0].Certificate, rekeyed, now);
                r.Detail = $"The certificate ({thumb}) is not in the store, but a root with the same name and key is ({r.Thumbprint}): it anchors the same chains." +
                           ExpiryNote(rekeyed[0].Certificate, now);
                return r;
            }
            return new TrustedRootResult
            {
                Name = CommonName(certificate),
                Subject = certificate.Subject,
                Thumbprint = thumb,
                NotAfter = certificate.NotAfter.ToUniversalTime(),
                Detail = $"The certificate is self-signed and is not in {StoresSearched(stores)}.",
            };
        }

        List<StoreCertificate> issuers = roots.Where(s => string.Equals(s.Certificate.Subject, certificate.Issuer, StringComparison.OrdinalIgnoreCase) &&
                                                          Pki.IsIssuerOf(Pki.ToBouncyCastle(s.Certificate), bc)).ToList();
        if (issuers.Count > 0)
        {
            var r = new TrustedRootResult();
            Fill(r, issuers[0].Certificate, issuers, now);
            r.Detail = $"The certificate is not a root; its issuer {r.Subject} is in the store and verifies its signature." + ExpiryNote(issuers[0].Certificate, now);
            return r;
        }
        return new TrustedRootResult
        {
            Name = CommonName(certificate.IssuerName),
            Subject = certificate.Issuer,
            Detail = $"The certificate is not a root; no root named {certificate.Issuer} that signed it is in {StoresSearched(stores)} " +
                     "(it may be an intermediate whose issuer is not a root, or the root is missing).",
        };
    }

    private static void Fill(TrustedRootResult result, X509Certificate2 found, List<StoreCertificate> hits, DateTime now)
    {
        result.Found = true;
        result.Name = CommonName(found);
        result.Subject = found.Subject;
        result.Thumbprint = found.Thumbprint.ToUpperInvariant();
        result.NotAfter = found.NotAfter.ToUniversalTime();
        result.Store = string.Join(", ", hits.Select(h => h.Store).Distinct());
    }

    private static string ExpiryNote(X509Certificate2 c, DateTime now) =>
        c.NotAfter.ToUniversalTime() < now ? $" It expired on {Invariant(c.NotAfter.ToUniversalTime())}: chains to it no longer validate." : string.Empty;

    private static bool Matches(X509Certificate2 c, string thumbprint)
    {
        if (thumbprint.Length == 40)
        {
            return string.Equals(c.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);
        }
        return string.Equals(Pki.Hex(Pki.Sha256(c.RawData)), thumbprint, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsRootStore(string store) => store.EndsWith("\\Root", StringComparison.Ordinal);

    private static string StoresSearched(TrustStoreSnapshot stores)
    {
        string searched = "CurrentUser\\Root or LocalMachine\\Root";
        return stores.Problems.Count == 0 ? searched : searched + " (" + string.Join("; ", stores.Problems) + ")";
    }

    private static string CommonName(X509Certificate2 c) => CommonName(c.SubjectName);

    private static string CommonName(X500DistinguishedName name)
    {
        string cn = name.Decode(X500DistinguishedNameFlags.UseNewLines)
            .Split('\n')
            .Select(l => l.Trim())
            .LastOrDefault(l => l.StartsWith("CN=", StringComparison.OrdinalIgnoreCase)) ?? string.Empty;
        return cn.Length > 3 ? cn.Substring(3).Trim('"') : name.Name;
    }

    internal static string Invariant(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
