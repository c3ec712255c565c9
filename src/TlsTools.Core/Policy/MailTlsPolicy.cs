using System;
using System.Collections.Generic;

namespace TlsTools;

/// <summary>The mode of an MTA-STS policy (RFC 8461 section 5).</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum MtaStsMode
{
    /// <summary>The policy is withdrawn: senders apply no MTA-STS checks.</summary>
    None,
    /// <summary>Senders deliver even when a check fails, and report it through TLS-RPT.</summary>
    Testing,
    /// <summary>Senders do not deliver to an MX host that fails the checks.</summary>
    Enforce,
}

/// <summary>What a domain's published TLS policies mean for mail sent to it.</summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum MailTlsPolicyVerdict
{
    /// <summary>The domain publishes neither MTA-STS nor usable DANE: senders use opportunistic TLS.</summary>
    NoPolicy,
    /// <summary>The policies are consistent with the MX hosts and their certificates.</summary>
    Pass,
    /// <summary>Something is off, but a validating sender still delivers (testing mode, reporting, broken optional parts).</summary>
    Warning,
    /// <summary>A validating sender (Exchange Online with the default modes) holds or rejects mail to at least one MX host.</summary>
    Fail,
}

/// <summary>One address of an MX host: the chain it presented, held against the TLSA records and the MTA-STS rules.</summary>
public sealed class MailTlsPolicyAddress
{
    public string IPAddress { get; set; } = string.Empty;
    public int Port { get; set; }

    /// <summary>Whether a TLS session was established (STARTTLS offered and the handshake done).</summary>
    public bool TlsEstablished { get; set; }

    /// <summary>The SHA-1 thumbprint of the leaf the address presented.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>True when a usable TLSA record authenticates the presented chain; null when the host has no TLSA records or no chain was obtained.</summary>
    public bool? DaneMatch { get; set; }

    /// <summary>The TLSA record that matched.</summary>
    public string? DaneMatchedRecord { get; set; }

    /// <summary>What matched, or why nothing did.</summary>
    public string? DaneDetail { get; set; }

    /// <summary>
    /// True when the address meets RFC 8461 section 4.2: TLS, a chain to a trusted root, within
    /// its dates, and a name matching the MX host; null without an MTA-STS policy in force.
    /// </summary>
    public bool? MtaStsCertificateValid { get; set; }

    /// <summary>Why the address does not meet the MTA-STS rules.</summary>
    public string? MtaStsDetail { get; set; }

    /// <summary>Why no chain was obtained.</summary>
    public string? Error { get; set; }

    public string? ErrorId { get; set; }

    public override string ToString() => IPAddress;
}

/// <summary>The policy facts of one MX host: MTA-STS coverage and DANE.</summary>
public sealed class MailTlsPolicyHost
{
    public string MxHost { get; set; } = string.Empty;
    public int? Preference { get; set; }

    /// <summary>True when an mx pattern of the MTA-STS policy covers the host; null without a policy.</summary>
    public bool? MtaStsCovered { get; set; }

    /// <summary>The pattern that covers it.</summary>
    public string? MtaStsPattern { get; set; }

    /// <summary>The TLSA owner name: _port._tcp.&lt;TLSA base domain&gt;.</summary>
    public string TlsaName { get; set; } = string.Empty;

    /// <summary>The TLSA records in presentation form ("3 1 1 HEX").</summary>
    public StringList TlsaRecords { get; set; } = StringList.None;

    public bool TlsaPresent { get; set; }

    /// <summary>True when the host's address records were DNSSEC-authenticated (the resolver's AD flag).</summary>
    public bool? AddressesAuthenticated { get; set; }

    /// <summary>True when the TLSA answer (records or their absence) was DNSSEC-authenticated.</summary>
    public bool? TlsaAuthenticated { get; set; }

    /// <summary>True when DANE applies to the host (RFC 7672 section 2.2): MX set, addresses and a non-empty TLSA set all authenticated.</summary>
    public bool DaneApplies { get; set; }

    /// <summary>True when at least one TLSA record is usable for SMTP (usage 2 or 3, known selector and matching type).</summary>
    public bool? DaneUsable { get; set; }

    /// <summary>True when every address tested matched a TLSA record; false when one did not; null when not tested.</summary>
    public bool? DaneMatch { get; set; }

    /// <summary>True when every address meets the MTA-STS certificate rules; false when one does not; null when not tested.</summary>
    public bool? MtaStsCertificateValid { get; set; }

    /// <summary>One entry per address probed (hosts with TLSA records, and every host under an MTA-STS policy in force).</summary>
    public IReadOnlyList<MailTlsPolicyAddress> Addresses { get; set; } = Array.Empty<MailTlsPolicyAddress>();

    /// <summary>DNS problems of this host (SERVFAIL, no address).</summary>
    public string? Error { get; set; }

    public override string ToString() => MxHost;
}

/// <summary>
/// What <c>Get-MailTlsPolicy</c> found for one domain: its MTA-STS record and policy, its TLS-RPT
/// record, and per MX host the policy coverage and the DANE records held against the certificate
/// each address presents, with a verdict and its reasons.
/// </summary>
public sealed class MailTlsPolicy
{
    public string Domain { get; set; } = string.Empty;

    public MailTlsPolicyVerdict Verdict { get; set; }

    /// <summary>Why the verdict is what it is, most important first.</summary>
    public StringList Reasons { get; set; } = StringList.None;

    /// <summary>The MX hosts in preference order (the domain itself for an implicit MX).</summary>
    public StringList MxHosts { get; set; } = StringList.None;

    /// <summary>True when the MX answer was DNSSEC-authenticated.</summary>
    public bool? MxAuthenticated { get; set; }

    /// <summary>The _mta-sts TXT record, when exactly one valid record is published.</summary>
    public string? MtaStsRecord { get; set; }

    public string? MtaStsId { get; set; }

    /// <summary>The mode of the fetched policy; null when there is no valid policy.</summary>
    public MtaStsMode? MtaStsMode { get; set; }

    public long? MtaStsMaxAge { get; set; }

    /// <summary>The mx patterns of the policy.</summary>
    public StringList MtaStsMx { get; set; } = StringList.None;

    /// <summary>The policy URL fetched.</summary>
    public string? MtaStsPolicyUrl { get; set; }

    /// <summary>The policy text as fetched.</summary>
    public string? MtaStsPolicyText { get; set; }

    /// <summary>True when every MX host is covered by an mx pattern; null without a policy.</summary>
    public bool? MtaStsMxMatch { get; set; }

    /// <summary>What went wrong with the record or the policy.</summary>
    public string? MtaStsError { get; set; }

    /// <summary>The stable id of <see cref="MtaStsError"/>.</summary>
    public string? MtaStsErrorId { get; set; }

    /// <summary>The _smtp._tls TXT record.</summary>
    public string? TlsRptRecord { get; set; }

    /// <summary>Where TLS reports go.</summary>
    public StringList TlsRptRua { get; set; } = StringList.None;

    public string? TlsRptError { get; set; }

    /// <summary>True when at least one MX host has DANE in force.</summary>
    public bool DaneApplies { get; set; }

    /// <summary>The policy facts of each MX host.</summary>
    public IReadOnlyList<MailTlsPolicyHost> Hosts { get; set; } = Array.Empty<MailTlsPolicyHost>();

    /// <summary>Where the DNSSEC facts come from: the AD flag of this resolver, which the check trusts.</summary>
    public string DnssecSource { get; set; } = string.Empty;

    /// <summary>The DNS failure that kept the domain from being checked at all.</summary>
    public string? Error { get; set; }

    public string? ErrorId { get; set; }
}
