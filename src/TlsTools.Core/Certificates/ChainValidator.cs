using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;

namespace TlsTools.Certificates;

/// <summary>The outcome of building and checking a chain.</summary>
public sealed class ChainValidation
{
    public bool IsValid { get; init; }

    /// <summary>One entry per problem, e.g. "NotTimeValid: ...", "UntrustedRoot: ...".</summary>
    public IReadOnlyList<string> Errors { get; init; } = Array.Empty<string>();

    /// <summary>The subject of the top certificate of the built chain (the root, when one was found).</summary>
    public string? RootSubject { get; init; }

    /// <summary>Which anchors made it valid: "System", "Custom", or null.</summary>
    public string? TrustedBy { get; init; }

    /// <summary>
    /// The certificates of the built chain, leaf first and the trust anchor last (copies that outlive
    /// the chain engine); empty when the chain did not validate. Revocation checks take each
    /// certificate's issuer from here, so they never download an issuer.
    /// </summary>
    public IReadOnlyList<X509Certificate2> Chain { get; init; } = Array.Empty<X509Certificate2>();
}

/// <summary>
/// Validates a presented chain for a TLS server against the system store, given anchors, or
/// both. It never downloads anything: missing intermediates are an error, not a fetch (a checking
/// tool must not reach out on its own, and Exchange's own validation may not be able to either).
/// (.NET Framework has no switch to turn certificate downloads off: there Windows' chain engine
/// decides.) Revocation is not checked here; Test-CrlReachability does that explicitly.
/// </summary>
public static class ChainValidator
{
    public static ChainValidation Validate(IReadOnlyList<X509Certificate2> presented, IReadOnlyCollection<X509Certificate2>? customRoots, bool useSystemStore, DateTime? at = null)
    {
        ChainValidation result = ValidateAt(presented, customRoots, useSystemStore, at);
        if (result.IsValid || presented.Count == 0)
        {
            return result;
        }

        // An expired (or not yet valid) leaf makes some platforms stop building the chain, which
        // hides the root and adds unrelated errors. Build again at the middle of the leaf's
        // validity: if that chain is sound, expiry is the one problem, and the root is known.
        X509Certificate2 leaf = presented[0];
        DateTime now = (at ?? DateTime.UtcNow).ToUniversalTime();
        DateTime notBefore = leaf.NotBefore.ToUniversalTime();
        DateTime notAfter = leaf.NotAfter.ToUniversalTime();
        if (now <= notAfter && now >= notBefore)
        {
            return result;
        }
        ChainValidation inTime = ValidateAt(presented, customRoots, useSystemStore, notBefore + TimeSpan.FromTicks((notAfter - notBefore).Ticks / 2));
        if (!inTime.IsValid)
        {
            return result;
        }
        string error = now > notAfter
            ? $"NotTimeValid: the certificate expired on {notAfter:yyyy-MM-dd HH:mm} UTC."
            : $"NotTimeValid: the certificate is valid only from {notBefore:yyyy-MM-dd HH:mm} UTC.";
        return new ChainValidation { IsValid = false, Errors = new[] { error }, RootSubject = inTime.RootSubject };
    }

    private static ChainValidation ValidateAt(IReadOnlyList<X509Certificate2> presented, IReadOnlyCollection<X509Certificate2>? customRoots, bool useSystemStore, DateTime? at)
    {
        if (presented.Count == 0)
        {
            return new ChainValidation { IsValid = false, Errors = new[] { "NoCertificate: the server presented no certificate." } };
        }
        bool haveCustom = customRoots is { Count: > 0 };
        // A chain build costs about a millisecond: when the presented chain ends below one of the
        // given anchors, try those first, so a private CA's chain is not first refused by the
        // system store (the answer is the same either way; only the order of the tries differs).
        if (haveCustom && useSystemStore && IssuedByOneOf(presented[presented.Count - 1], customRoots!))
        {
            ChainValidation first = Build(presented, customRoots, at);
            return first.IsValid ? first : Build(presented, null, at);
        }
        ChainValidation? system = null;
        if (useSystemStore)
        {
            system = Build(presented, null, at);
            if (system.IsValid)
            {
                return system;
            }
        }
        if (haveCustom)
        {
            ChainValidation custom = Build(presented, customRoots, at);
            if (custom.IsValid || system is null)
            {
                return custom;
            }
        }
        return system ?? new ChainValidation { IsValid = false, Errors = new[] { "NoTrustAnchors: no trust anchors were given." } };
    }

    private static bool IssuedByOneOf(X509Certificate2 top, IReadOnlyCollection<X509Certificate2> anchors) =>
        anchors.Any(a => a.SubjectName.RawData.SequenceEqual(top.IssuerName.RawData) || a.Thumbprint == top.Thumbprint);

    private static ChainValidation Build(IReadOnlyList<X509Certificate2> presented, IReadOnlyCollection<X509Certificate2>? customRoots, DateTime? at)
    {
        using var chain = new X509Chain();
        X509ChainPolicy policy = chain.ChainPolicy;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.VerificationTime = (at ?? DateTime.UtcNow).ToLocalTime();
        // Server authentication EKU (1.3.6.1.5.5.7.3.1).
        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        foreach (X509Certificate2 c in presented.Skip(1))
        {
            policy.ExtraStore.Add(c);
        }
#if NET8_0_OR_GREATER
        policy.DisableCertificateDownloads = true;
        if (customRoots is not null)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            foreach (X509Certificate2 r in customRoots)
            {
                policy.CustomTrustStore.Add(r);
            }
        }
#else
        if (customRoots is not null)
        {
            // .NET Framework has no custom trust mode: accept an unknown root, then require that
            // the root of the built chain is one of the given anchors.
            policy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            foreach (X509Certificate2 r in customRoots)
            {
                policy.ExtraStore.Add(r);
            }
        }
#endif
        bool ok = chain.Build(presented[0]);
        var errors = new List<string>();
        foreach (X509ChainStatus s in chain.ChainStatus)
        {
            if (s.Status == X509ChainStatusFlags.NoError)
            {
                continue;
            }
#if !NET8_0_OR_GREATER
            if (customRoots is not null && s.Status == X509ChainStatusFlags.UntrustedRoot)
            {
                continue;
            }
#endif
            string text = $"{s.Status}: {s.StatusInformation.Trim()}";
            if (!errors.Contains(text))
            {
                errors.Add(text);
            }
        }
        X509Certificate2? top = chain.ChainElements.Count > 0 ? chain.ChainElements[chain.ChainElements.Count - 1].Certificate : null;
#if !NET8_0_OR_GREATER
        if (customRoots is not null && top is not null && !customRoots.Any(r => r.Thumbprint == top.Thumbprint))
        {
            ok = false;
            errors.Add("UntrustedRoot: the chain does not end in one of the given trusted roots.");
        }
        else if (customRoots is not null && errors.Count == 0)
        {
            ok = true;
        }
#endif
        bool valid = ok && errors.Count == 0;
        var built = new List<X509Certificate2>();
        if (valid)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                built.Add(new X509Certificate2(element.Certificate.RawData));
            }
        }
        return new ChainValidation
        {
            IsValid = valid,
            Errors = errors,
            RootSubject = top?.Subject,
            TrustedBy = valid ? (customRoots is null ? "System" : "Custom") : null,
            Chain = built,
        };
    }
}
