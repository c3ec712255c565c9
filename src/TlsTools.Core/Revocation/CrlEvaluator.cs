using System;
using System.Collections.Generic;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>
/// Judges a downloaded CRL (RFC 5280 section 5): it must parse, come from the certificate's issuer
/// (same name, signature verified with the issuer's key when the issuer is known), be current
/// (nextUpdate not passed), and it tells whether the certificate's serial is listed.
/// </summary>
internal static class CrlEvaluator
{
    /// <summary>
    /// Fills <paramref name="result"/> from a CRL (DER or PEM) served by <paramref name="certificate"/>'s
    /// CDP (null for a URL given without one). The signature is checked with <paramref name="issuer"/>'s
    /// key when it is known; otherwise <paramref name="issuerNote"/> says why it is not.
    /// </summary>
    public static void Evaluate(byte[] body, BcCertificate? certificate, BcCertificate? issuer, string? issuerNote, DateTime now, RevocationEndpointResult result)
    {
        X509Crl? crl;
        try
        {
            crl = new X509CrlParser().ReadCrl(body);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(result, RevocationEndpointStatus.Invalid, "The response is not a CRL: " + e.Message);
            return;
        }
        if (crl is null)
        {
            Fail(result, RevocationEndpointStatus.Invalid, "The response is empty or not a CRL.");
            return;
        }
        Evaluate(crl, certificate, issuer, issuerNote, now, result);
    }

    /// <summary>Reads a CRL (DER or PEM); null when the bytes are not one.</summary>
    public static X509Crl? TryRead(byte[] body, out string? problem)
    {
        problem = null;
        try
        {
            X509Crl? crl = new X509CrlParser().ReadCrl(body);
            if (crl is null)
            {
                problem = "The response is empty or not a CRL.";
            }
            return crl;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problem = "The response is not a CRL: " + e.Message;
            return null;
        }
    }

    /// <summary>
    /// Judges a parsed complete CRL for <paramref name="certificate"/>: as the byte form, and also
    /// whether it covers the certificate at all (a partition, RFC 5280 section 5.2.5) and that it is
    /// not a delta CRL served where a complete one is expected.
    /// </summary>
    public static void Evaluate(X509Crl crl, BcCertificate? certificate, BcCertificate? issuer, string? issuerNote, DateTime now, RevocationEndpointResult result)
    {
        try
        {
            EvaluateParsed(crl, certificate, issuer, issuerNote, now, result);
        }
        catch (Exception e) when (Pki.IsUnreadable(e))
        {
            // BouncyCastle parses a CRL's fields lazily: malformed DER inside it shows only here.
            Fail(result, RevocationEndpointStatus.Invalid, "The CRL could not be read: " + e.Message);
        }
    }

    private static void EvaluateParsed(X509Crl crl, BcCertificate? certificate, BcCertificate? issuer, string? issuerNote, DateTime now, RevocationEndpointResult result)
    {
        result.Issuer = Pki.Format(crl.IssuerDN);
        result.ThisUpdate = crl.ThisUpdate.ToUniversalTime();
        result.NextUpdate = crl.NextUpdate?.ToUniversalTime();
        ISet<X509CrlEntry>? entries = crl.GetRevokedCertificates();
        result.EntryCount = entries?.Count ?? 0;

        var notes = new List<string>
        {
            $"CRL of {result.Issuer}, {result.EntryCount} entries, thisUpdate {Pki.Stamp(crl.ThisUpdate)}" +
            (crl.NextUpdate is DateTime nu ? $", nextUpdate {Pki.Stamp(nu)}" : ", no nextUpdate") + ".",
        };

        if (certificate is not null && !crl.IssuerDN.Equivalent(certificate.IssuerDN))
        {
            result.Status = RevocationEndpointStatus.WrongIssuer;
            notes.Insert(0, $"The CRL was issued by {result.Issuer}, but the certificate by {Pki.Format(certificate.IssuerDN)}.");
            result.Detail = string.Join(" ", notes);
            return;
        }

        if (issuer is not null)
        {
            result.SignatureValid = SignatureValid(crl, issuer);
            if (result.SignatureValid == false)
            {
                result.Status = RevocationEndpointStatus.Invalid;
                notes.Insert(0, $"The CRL's signature does not verify with the key of {Pki.Format(issuer.SubjectDN)} (thumbprint {Pki.Thumbprint(issuer)}): it was signed by another key.");
                result.Detail = string.Join(" ", notes);
                return;
            }
            notes.Add($"Signature verified with the key of {Pki.Format(issuer.SubjectDN)}.");
        }
        else
        {
            notes.Add("Signature not checked: " + (issuerNote ?? "the issuer is not known."));
        }

        if (CrlScope.IsDelta(crl))
        {
            result.Status = RevocationEndpointStatus.Invalid;
            notes.Insert(0, "The distribution point serves a delta CRL (RFC 5280 section 5.2.4), where a complete CRL is expected.");
            result.Detail = string.Join(" ", notes);
            return;
        }
        bool someReasonsOnly = false;
        if (certificate is not null && CrlScope.NotCovering(crl, certificate, out someReasonsOnly) is string notCovering)
        {
            result.Status = RevocationEndpointStatus.Invalid;
            notes.Insert(0, notCovering);
            result.Detail = string.Join(" ", notes);
            return;
        }

        bool expired = crl.NextUpdate is DateTime next && next.ToUniversalTime() < now;
        bool future = crl.ThisUpdate.ToUniversalTime() > now + Pki.ClockSkew;

        bool revoked = false;
        if (certificate is not null)
        {
            X509CrlEntry? entry = crl.GetRevokedCertificate(certificate.SerialNumber);
            if (entry is not null)
            {
                revoked = true;
                result.CertificateStatus = CertificateRevocationStatus.Revoked;
                result.RevocationDate = entry.RevocationDate.ToUniversalTime();
                int? reason = ReasonCode(entry);
                result.RevocationReason = reason is int r ? Pki.ReasonName(r) : null;
                notes.Insert(0, $"Serial {Pki.Serial(certificate)} is listed: revoked {Pki.Stamp(entry.RevocationDate)}" +
                    (result.RevocationReason is null ? "." : $", reason {result.RevocationReason}."));
            }
            else if (someReasonsOnly)
            {
                notes.Add($"Serial {Pki.Serial(certificate)} is not listed, but the CRL covers only some revocation reasons (issuing distribution point: onlySomeReasons), so that does not make it good.");
            }
            else if (!expired && !future)
            {
                result.CertificateStatus = CertificateRevocationStatus.Good;
                notes.Add($"Serial {Pki.Serial(certificate)} is not listed.");
            }
        }
        else
        {
            notes.Add("No certificate was given, so no serial was looked up.");
        }

        if (future)
        {
            result.Status = RevocationEndpointStatus.Invalid;
            notes.Insert(0, $"The CRL's thisUpdate ({Pki.Stamp(crl.ThisUpdate)}) lies in the future: check this machine's clock or the CA's.");
        }
        else if (revoked)
        {
            result.Status = RevocationEndpointStatus.Revoked;
            if (expired)
            {
                notes.Add("The CRL has also expired.");
            }
        }
        else if (expired)
        {
            result.Status = RevocationEndpointStatus.Expired;
            notes.Insert(0, $"The CRL expired at its nextUpdate, {Pki.Stamp(crl.NextUpdate!.Value)}: the CA no longer publishes a current one here.");
        }
        else
        {
            result.Status = RevocationEndpointStatus.OK;
        }
        result.Detail = string.Join(" ", notes);
    }

    /// <summary>
    /// Judges a delta CRL (RFC 5280 section 5.2.4) against the complete CRL it was named by: it must be
    /// a delta of the same issuer, signed with the issuer's key, build on a complete CRL no newer than
    /// <paramref name="complete"/>, and be current. A serial it lists is revoked, unless the reason
    /// is removeFromCRL (a certificateHold lifted): then the certificate is good with that reason.
    /// </summary>
    public static void EvaluateDelta(X509Crl delta, X509Crl complete, BcCertificate certificate, BcCertificate? issuer, string? issuerNote, DateTime now, RevocationEndpointResult result)
    {
        try
        {
            EvaluateDeltaParsed(delta, complete, certificate, issuer, issuerNote, now, result);
        }
        catch (Exception e) when (Pki.IsUnreadable(e))
        {
            Fail(result, RevocationEndpointStatus.Invalid, "The delta CRL could not be read: " + e.Message);
        }
    }

    private static void EvaluateDeltaParsed(X509Crl delta, X509Crl complete, BcCertificate certificate, BcCertificate? issuer, string? issuerNote, DateTime now, RevocationEndpointResult result)
    {
        result.Issuer = Pki.Format(delta.IssuerDN);
        result.ThisUpdate = delta.ThisUpdate.ToUniversalTime();
        result.NextUpdate = delta.NextUpdate?.ToUniversalTime();
        ISet<X509CrlEntry>? entries = delta.GetRevokedCertificates();
        result.EntryCount = entries?.Count ?? 0;
        var notes = new List<string>
        {
            $"Delta CRL of {result.Issuer}, {result.EntryCount} entries, thisUpdate {Pki.Stamp(delta.ThisUpdate)}" +
            (delta.NextUpdate is DateTime nu ? $", nextUpdate {Pki.Stamp(nu)}" : ", no nextUpdate") + ".",
        };
        void Stop(RevocationEndpointStatus status, string why)
        {
            result.Status = status;
            notes.Insert(0, why);
            result.Detail = string.Join(" ", notes);
        }

        Org.BouncyCastle.Math.BigInteger? deltaBase = CrlScope.DeltaBase(delta);
        if (deltaBase is null)
        {
            Stop(RevocationEndpointStatus.Invalid, "The freshest-CRL URL serves a complete CRL, not a delta CRL (no delta CRL indicator).");
            return;
        }
        if (!delta.IssuerDN.Equivalent(certificate.IssuerDN))
        {
            Stop(RevocationEndpointStatus.WrongIssuer, $"The delta CRL was issued by {result.Issuer}, but the certificate by {Pki.Format(certificate.IssuerDN)}.");
            return;
        }
        if (issuer is not null)
        {
            result.SignatureValid = SignatureValid(delta, issuer);
            if (result.SignatureValid == false)
            {
                Stop(RevocationEndpointStatus.Invalid, $"The delta CRL's signature does not verify with the key of {Pki.Format(issuer.SubjectDN)}.");
                return;
            }
            notes.Add($"Signature verified with the key of {Pki.Format(issuer.SubjectDN)}.");
        }
        else
        {
            notes.Add("Signature not checked: " + (issuerNote ?? "the issuer is not known."));
        }
        Org.BouncyCastle.Math.BigInteger? completeNumber = CrlScope.Number(complete);
        if (completeNumber is null || completeNumber.CompareTo(deltaBase) < 0)
        {
            Stop(RevocationEndpointStatus.Invalid, $"The delta CRL builds on complete CRL number {deltaBase}, newer than the complete CRL in hand ({completeNumber?.ToString() ?? "no CRL number"}).");
            return;
        }
        if (delta.ThisUpdate.ToUniversalTime() > now + Pki.ClockSkew)
        {
            Stop(RevocationEndpointStatus.Invalid, $"The delta CRL's thisUpdate ({Pki.Stamp(delta.ThisUpdate)}) lies in the future.");
            return;
        }
        bool expired = delta.NextUpdate is DateTime n && n.ToUniversalTime() < now;
        X509CrlEntry? entry = delta.GetRevokedCertificate(certificate.SerialNumber);
        int? reason = entry is null ? null : ReasonCode(entry);
        if (entry is not null && reason != 8)
        {
            result.CertificateStatus = CertificateRevocationStatus.Revoked;
            result.RevocationDate = entry.RevocationDate.ToUniversalTime();
            result.RevocationReason = reason is int r ? Pki.ReasonName(r) : null;
            Stop(RevocationEndpointStatus.Revoked, $"Serial {Pki.Serial(certificate)} is listed on the delta CRL: revoked {Pki.Stamp(entry.RevocationDate)}" +
                (result.RevocationReason is null ? "." : $", reason {result.RevocationReason}."));
            return;
        }
        if (expired)
        {
            Stop(RevocationEndpointStatus.Expired, $"The delta CRL expired at its nextUpdate, {Pki.Stamp(delta.NextUpdate!.Value)}.");
            return;
        }
        result.CertificateStatus = CertificateRevocationStatus.Good;
        if (entry is not null)
        {
            result.RevocationReason = Pki.ReasonName(8);
            notes.Add($"Serial {Pki.Serial(certificate)} is listed with removeFromCRL: a hold was lifted.");
        }
        else
        {
            notes.Add($"Serial {Pki.Serial(certificate)} is not listed.");
        }
        result.Status = RevocationEndpointStatus.OK;
        result.Detail = string.Join(" ", notes);
    }

    // A CRL kept for a run is checked against each issuer once: every certificate of that CA reuses the answer.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<X509Crl, System.Collections.Concurrent.ConcurrentDictionary<string, bool>> s_verified = new();

    private static bool SignatureValid(X509Crl crl, BcCertificate issuer) =>
        s_verified.GetValue(crl, _ => new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal))
            .GetOrAdd(Pki.Thumbprint(issuer), _ => VerifySignature(crl, issuer));

    private static bool VerifySignature(X509Crl crl, BcCertificate issuer)
    {
        try
        {
            return Pki.PlatformVerifies(crl.GetTbsCertList(), crl.GetSignature(), crl.SigAlgOid, crl.GetSigAlgParams(), issuer)
                || crl.IsSignatureValid(issuer.GetPublicKey());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static int? ReasonCode(X509CrlEntry entry)
    {
        Asn1OctetString? ext = entry.GetExtensionValue(X509Extensions.ReasonCode);
        if (ext is null)
        {
            return null;
        }
        try
        {
            return DerEnumerated.GetInstance(Asn1Object.FromByteArray(ext.GetOctets())).IntValueExact;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static void Fail(RevocationEndpointResult result, RevocationEndpointStatus status, string detail)
    {
        result.Status = status;
        result.Detail = detail;
    }
}
