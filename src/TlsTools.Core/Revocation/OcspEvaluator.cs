using System;
using System.Collections.Generic;
using System.Linq;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Ocsp;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Ocsp;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace TlsTools.Revocation;

/// <summary>An OCSP request ready to send, and what it asks about.</summary>
internal sealed class OcspQuery
{
    public OcspQuery(CertificateID id, byte[] request, bool probe, string description)
    {
        Id = id;
        Request = request;
        IsProbe = probe;
        Description = description;
    }

    public CertificateID Id { get; }

    /// <summary>The DER OCSPRequest (RFC 6960 section 4.1.1), unsigned and without a nonce, as Windows and most clients send it.</summary>
    public byte[] Request { get; }

    /// <summary>True when no certificate was given: the request asks about a made-up certificate, to see that the responder answers at all.</summary>
    public bool IsProbe { get; }

    public string Description { get; }
}

/// <summary>
/// Builds OCSP requests and judges responses (RFC 6960): the response must be successful, answer
/// for the certificate asked about, be signed by the issuer or by a responder the issuer authorised
/// (id-kp-OCSPSigning, section 4.2.2.2), and be current.
/// </summary>
internal static class OcspEvaluator
{
    public const string RequestContentType = "application/ocsp-request";
    public const string ResponseContentType = "application/ocsp-response";

    public static OcspQuery BuildRequest(BcCertificate? certificate, BcCertificate? issuer)
    {
        CertificateID id;
        bool probe = false;
        string description;
        if (certificate is not null && issuer is not null)
        {
            id = new CertificateID(CertificateID.DigestSha1, issuer, certificate.SerialNumber);
            description = $"serial {Pki.Serial(certificate)} of {Pki.Format(issuer.SubjectDN)}";
        }
        else if (certificate is not null && Pki.AuthorityKeyId(certificate) is byte[] aki)
        {
            // Without the issuer's certificate the CertID can still be built: the issuer's name is in the
            // certificate, and its key hash is the authority key identifier under RFC 5280 method (1).
            byte[] nameHash = Pki.Sha1(certificate.CertificateStructure.TbsCertificate.Issuer.GetEncoded(Asn1Encodable.Der));
            id = new CertificateID(new CertID(CertificateID.DigestSha1, new DerOctetString(nameHash), new DerOctetString(aki),
                new DerInteger(certificate.SerialNumber)));
            description = $"serial {Pki.Serial(certificate)} (issuer from the certificate's name and authority key identifier)";
        }
        else
        {
            // Nothing to ask about: a made-up CertID shows whether the responder answers OCSP at all.
            byte[] zero = new byte[20];
            id = new CertificateID(new CertID(CertificateID.DigestSha1, new DerOctetString(zero), new DerOctetString(zero), new DerInteger(BigInteger.One)));
            probe = true;
            description = "a made-up certificate (no certificate was given)";
        }
        var generator = new OcspReqGenerator();
        generator.AddRequest(id);
        return new OcspQuery(id, generator.Generate().GetEncoded(), probe, description);
    }

    public static void Evaluate(byte[] body, OcspQuery query, BcCertificate? issuer, string? issuerNote, DateTime now, RevocationEndpointResult result)
    {
        try
        {
            EvaluateBody(body, query, issuer, issuerNote, now, result);
        }
        catch (Exception e) when (Pki.IsUnreadable(e))
        {
            // BouncyCastle parses a response's fields lazily: malformed DER inside it shows only here.
            result.CertificateStatus = null;
            Set(result, RevocationEndpointStatus.Invalid, "The OCSP response could not be read: " + e.Message);
        }
    }

    private static void EvaluateBody(byte[] body, OcspQuery query, BcCertificate? issuer, string? issuerNote, DateTime now, RevocationEndpointResult result)
    {
        OcspResp response;
        try
        {
            response = new OcspResp(body);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Set(result, RevocationEndpointStatus.Invalid, "The response is not an OCSP response: " + e.Message);
            return;
        }

        if (response.Status != OcspRespStatus.Successful)
        {
            string name = ResponseStatusName(response.Status);
            if (query.IsProbe)
            {
                Set(result, RevocationEndpointStatus.OK, $"The responder answers OCSP: it said '{name}' to a request about {query.Description}.");
            }
            else if (response.Status == OcspRespStatus.Unauthorized)
            {
                Set(result, RevocationEndpointStatus.WrongIssuer, $"The responder answered 'unauthorized': it does not answer for this certificate's issuer (RFC 6960 section 2.3).");
            }
            else
            {
                Set(result, RevocationEndpointStatus.Invalid, $"The responder answered '{name}' instead of a status for {query.Description}.");
            }
            return;
        }

        BasicOcspResp? basic;
        try
        {
            basic = response.GetResponseObject() as BasicOcspResp;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Set(result, RevocationEndpointStatus.Invalid, "The OCSP response body does not parse: " + e.Message);
            return;
        }
        if (basic is null)
        {
            Set(result, RevocationEndpointStatus.Invalid, "The OCSP response is not a basic OCSP response (RFC 6960 section 4.2.1).");
            return;
        }

        BcCertificate? signer = FindSigner(basic, issuer, now, out string signerName, out string? authorisationProblem);
        result.Issuer = signerName;
        var notes = new List<string>();

        if (authorisationProblem is not null)
        {
            Set(result, RevocationEndpointStatus.WrongIssuer, authorisationProblem);
            return;
        }
        if (signer is not null)
        {
            result.SignatureValid = Verify(basic, signer);
            if (result.SignatureValid == false)
            {
                Set(result, RevocationEndpointStatus.Invalid, $"The response's signature does not verify with the key of {Pki.Format(signer.SubjectDN)}.");
                return;
            }
            notes.Add($"Signed by {Pki.Format(signer.SubjectDN)}" + (signer == issuer ? " (the issuer)." : ", a responder the issuer authorised."));
        }
        else if (!query.IsProbe)
        {
            notes.Add("Signature not checked: " + (issuerNote ?? "the issuer is not known."));
        }

        if (query.IsProbe)
        {
            result.Status = RevocationEndpointStatus.OK;
            notes.Insert(0, $"The responder answers OCSP: a signed response to a request about {query.Description}.");
            result.Detail = string.Join(" ", notes);
            return;
        }

        SingleResp? single = basic.Responses.FirstOrDefault(r => r.GetCertID().Equals(query.Id));
        if (single is null)
        {
            Set(result, RevocationEndpointStatus.Invalid, $"The response does not answer for {query.Description} ({basic.Responses.Length} other answers).");
            return;
        }

        result.ThisUpdate = single.ThisUpdate.ToUniversalTime();
        result.NextUpdate = single.NextUpdate?.ToUniversalTime();
        notes.Add($"thisUpdate {Pki.Stamp(single.ThisUpdate)}" + (single.NextUpdate is DateTime nu ? $", nextUpdate {Pki.Stamp(nu)}." : ", no nextUpdate."));

        bool expired = single.NextUpdate is DateTime next && next.ToUniversalTime() < now;
        bool future = single.ThisUpdate.ToUniversalTime() > now + Pki.ClockSkew;
        object status = single.GetCertStatus();

        if (future)
        {
            result.Status = RevocationEndpointStatus.Invalid;
            notes.Insert(0, $"The response's thisUpdate ({Pki.Stamp(single.ThisUpdate)}) lies in the future: check this machine's clock or the responder's.");
        }
        else if (status is RevokedStatus revoked)
        {
            result.Status = RevocationEndpointStatus.Revoked;
            result.CertificateStatus = CertificateRevocationStatus.Revoked;
            result.RevocationDate = revoked.RevocationTime.ToUniversalTime();
            result.RevocationReason = revoked.HasRevocationReason ? Pki.ReasonName(revoked.RevocationReason) : null;
            notes.Insert(0, $"The responder says {query.Description} is revoked since {Pki.Stamp(revoked.RevocationTime)}" +
                (result.RevocationReason is null ? "." : $", reason {result.RevocationReason}."));
        }
        else if (expired)
        {
            result.Status = RevocationEndpointStatus.Expired;
            notes.Insert(0, $"The response expired at its nextUpdate, {Pki.Stamp(single.NextUpdate!.Value)}: the responder serves stale answers.");
        }
        else if (status is UnknownStatus)
        {
            result.Status = RevocationEndpointStatus.WrongIssuer;
            result.CertificateStatus = CertificateRevocationStatus.Unknown;
            notes.Insert(0, $"The responder does not know {query.Description} ('unknown', RFC 6960 section 2.2): it does not serve this issuer, or the certificate was never issued.");
        }
        else
        {
            result.Status = RevocationEndpointStatus.OK;
            result.CertificateStatus = CertificateRevocationStatus.Good;
            notes.Insert(0, $"The responder says {query.Description} is good.");
        }
        result.Detail = string.Join(" ", notes);
    }

    /// <summary>
    /// Finds who signed the response: the issuer itself, or a certificate in the response that the
    /// responder ID names. A delegated responder must be issued by the issuer and carry id-kp-OCSPSigning.
    /// </summary>
    private static BcCertificate? FindSigner(BasicOcspResp basic, BcCertificate? issuer, DateTime now, out string signerName, out string? problem)
    {
        problem = null;
        ResponderID rid = basic.ResponderId.ToAsn1Object();
        BcCertificate[] included = basic.GetCerts() ?? Array.Empty<BcCertificate>();
        signerName = rid.Name is X509Name n ? Pki.Format(n) : "key " + Pki.Hex(rid.GetKeyHash() ?? Array.Empty<byte>());

        if (issuer is not null && Names(rid, issuer))
        {
            signerName = Pki.Format(issuer.SubjectDN);
            return issuer;
        }
        BcCertificate? responder = included.FirstOrDefault(c => Names(rid, c));
        if (responder is null)
        {
            if (issuer is not null)
            {
                problem = $"The response was signed by {signerName}, which is neither the issuer ({Pki.Format(issuer.SubjectDN)}) nor a responder certificate included in the response.";
            }
            return null;
        }
        signerName = Pki.Format(responder.SubjectDN);
        if (issuer is null)
        {
            // The responder certificate cannot be tied to an issuer we do not know: its signature is not a proof.
            return null;
        }
        if (!Pki.IsIssuerOf(issuer, responder))
        {
            problem = $"The response was signed by {signerName}, a responder certificate that {Pki.Format(issuer.SubjectDN)} did not issue.";
            return null;
        }
        IList<DerObjectIdentifier>? eku = null;
        try
        {
            eku = responder.GetExtendedKeyUsage();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            eku = null;
        }
        if (eku is null || !eku.Contains(KeyPurposeID.id_kp_OCSPSigning))
        {
            problem = $"The response was signed by {signerName}, whose certificate lacks the OCSP-signing purpose (RFC 6960 section 4.2.2.2).";
            return null;
        }
        // A delegated responder's certificate must itself be valid now (RFC 6960 section 4.2.2.2: the
        // client checks the responder certificate; an expired one authorises nothing).
        DateTime notBefore = responder.NotBefore.ToUniversalTime();
        DateTime notAfter = responder.NotAfter.ToUniversalTime();
        if (now < notBefore - Pki.ClockSkew || now > notAfter)
        {
            problem = now > notAfter
                ? $"The response was signed by {signerName}, a delegated responder whose certificate expired on {Pki.Stamp(notAfter)} (RFC 6960 section 4.2.2.2)."
                : $"The response was signed by {signerName}, a delegated responder whose certificate is valid only from {Pki.Stamp(notBefore)}.";
            return null;
        }
        return responder;
    }

    private static bool Names(ResponderID rid, BcCertificate certificate)
    {
        byte[]? keyHash = rid.GetKeyHash();
        if (keyHash is not null)
        {
            return keyHash.SequenceEqual(Pki.KeyHash(certificate));
        }
        return rid.Name is X509Name name && name.Equivalent(certificate.SubjectDN);
    }

    private static bool Verify(BasicOcspResp basic, BcCertificate signer)
    {
        try
        {
            return PlatformVerifies(basic, signer) || basic.Verify(signer.GetPublicKey());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static bool PlatformVerifies(BasicOcspResp basic, BcCertificate signer)
    {
        BasicOcspResponse response = BasicOcspResponse.GetInstance(Asn1Object.FromByteArray(basic.GetEncoded()));
        AlgorithmIdentifier algorithm = response.SignatureAlgorithm;
        byte[]? parameters = algorithm.Parameters is Asn1Encodable p && p.ToAsn1Object() is not DerNull ? p.ToAsn1Object().GetEncoded() : null;
        return Pki.PlatformVerifies(response.TbsResponseData.GetEncoded(Asn1Encodable.Der), response.Signature.GetOctets(), algorithm.Algorithm.Id, parameters, signer);
    }

    private static string ResponseStatusName(int status) => status switch
    {
        OcspRespStatus.Successful => "successful",
        OcspRespStatus.MalformedRequest => "malformedRequest",
        OcspRespStatus.InternalError => "internalError",
        OcspRespStatus.TryLater => "tryLater",
        OcspRespStatus.SigRequired => "sigRequired",
        OcspRespStatus.Unauthorized => "unauthorized",
        _ => "status " + status,
    };

    private static void Set(RevocationEndpointResult result, RevocationEndpointStatus status, string detail)
    {
        result.Status = status;
        result.Detail = detail;
    }
}
