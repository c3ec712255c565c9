using System;
using System.Collections.Generic;

namespace TlsTools;

/// <summary>
/// What a Received header says about TLS on its hop. Unknown when the header says nothing either
/// way (no TLS details, no RFC 3848 protocol keyword): never a guess. Compare with
/// <c>-eq 'True'</c> in scripts: every value of an enum is truthy but the first.
/// </summary>
#if NET
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
#endif
public enum HopTls
{
    /// <summary>The header records neither TLS details nor a protocol keyword that tells.</summary>
    Unknown = 0,

    /// <summary>The header records TLS (details such as version and cipher, or ESMTPS and its kin).</summary>
    True = 1,

    /// <summary>The header records a protocol keyword without TLS (SMTP, ESMTP, ESMTPA, LMTP, HTTP...; RFC 3848) and no TLS details.</summary>
    False = 2,
}

/// <summary>The client certificate facts a receiving MTA recorded for a hop (Postfix, sendmail).</summary>
public sealed class HopClientCertificate
{
    /// <summary>Whether the server asked the client for a certificate; null when not recorded.</summary>
    public bool? Requested { get; init; }

    /// <summary>Whether the client presented a certificate; null when not recorded.</summary>
    public bool? Presented { get; init; }

    /// <summary>The subject (common name) the MTA recorded.</summary>
    public string? Subject { get; init; }

    /// <summary>The issuer (common name) the MTA recorded.</summary>
    public string? Issuer { get; init; }

    /// <summary>Whether the MTA verified the certificate; null when not presented or not recorded.</summary>
    public bool? Verified { get; init; }

    /// <summary>The words the MTA wrote, for example <c>Client CN "a", Issuer "b" (verified OK)</c> or <c>verify=NOT</c>.</summary>
    public string Recorded { get; init; } = string.Empty;

    public override string ToString() => Presented switch
    {
        true => $"{Subject ?? "presented"}{(Verified == true ? " (verified)" : Verified == false ? " (not verified)" : string.Empty)}",
        false => Requested == false ? "not requested" : "none presented",
        _ => Requested == false ? "not requested" : Recorded,
    };
}

/// <summary>
/// One hop of a delivered message, read from the Received header its receiving MTA added. Hops come
/// in transit order: Index 1 is the oldest (nearest the sender), the last one the MTA that delivered.
/// Only headers added by MTAs you trust prove anything: any header below them may have been written
/// by the sender.
/// </summary>
public sealed class MailTlsHop
{
    /// <summary>The file the message was read from; null for -Message and -HeaderText input.</summary>
    public string? Source { get; init; }

    /// <summary>The message's Message-ID, without angle brackets.</summary>
    public string? MessageId { get; init; }

    /// <summary>1 for the oldest hop (nearest the sender).</summary>
    public int Index { get; set; }

    /// <summary>The name the sending host gave (HELO/EHLO) as the receiving MTA recorded it.</summary>
    public string? From { get; init; }

    /// <summary>The sending host's name as the receiving MTA looked it up (reverse DNS), when recorded.</summary>
    public string? FromHostName { get; init; }

    /// <summary>The sending host's IP address as the receiving MTA saw it.</summary>
    public string? FromAddress { get; init; }

    /// <summary>The receiving host.</summary>
    public string? By { get; init; }

    /// <summary>
    /// The "with" protocol: RFC 3848 / RFC 6531 keywords in upper case (SMTP, ESMTP, ESMTPS,
    /// ESMTPSA, LMTP, UTF8SMTPS, ...), HTTP, HTTPS, "Microsoft SMTP Server", or another word as written.
    /// </summary>
    public string? Protocol { get; init; }

    /// <summary>True, False or Unknown: see <see cref="HopTls"/>.</summary>
    public HopTls Tls { get; init; }

    /// <summary>The TLS version the header records; null when it records none.</summary>
    public TlsProtocolVersion? TlsVersion { get; init; }

    /// <summary>The IANA name of the cipher suite (mapped from OpenSSL or GnuTLS names); null when not recorded or not known.</summary>
    public string? CipherSuite { get; init; }

    /// <summary>The cipher as the MTA wrote it.</summary>
    public string? RecordedCipher { get; init; }

    /// <summary>The cipher's key bits as recorded (256 for "256/256 bits").</summary>
    public int? Bits { get; init; }

    /// <summary>Client certificate facts when the MTA recorded them; null otherwise.</summary>
    public HopClientCertificate? ClientCertificate { get; init; }

    /// <summary>The date after the header's semicolon; null when missing or unreadable.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Time since the previous (older) hop's timestamp; null for the first hop or when a timestamp is missing. Negative when the clocks disagree.</summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>The receiving MTA's software when the header tells: Postfix, Exim, sendmail, Exchange, Exchange Online, Gmail, ...</summary>
    public string? Software { get; init; }

    /// <summary>The "id" clause: the receiving MTA's queue id.</summary>
    public string? Id { get; init; }

    /// <summary>The "for" clause: the envelope recipient, when recorded.</summary>
    public string? For { get; init; }

    /// <summary>
    /// Whether this hop went from one organisation to another: the organisational domains of the
    /// sending host (its reverse DNS name, else its HELO name) and of the receiving host differ, and
    /// neither is under a domain given to -OrganizationDomain as one's own. False for a hop without
    /// a sender (local submission); null when a name is missing or is an address literal.
    /// </summary>
    public bool? CrossesOrganization { get; set; }

    /// <summary>The header as it appears in the message (folded), capped at 64 KiB.</summary>
    public string RawHeader { get; init; } = string.Empty;

    /// <summary>What the reader noticed: an unreadable header, a keyword that disagrees with the TLS details, clock skew, ...</summary>
    public StringList Notes { get; set; } = StringList.None;

    public override string ToString() => $"{Index}: {From ?? FromAddress ?? "(local)"} -> {By} {Protocol} Tls={Tls}";
}

/// <summary>One message: how many of its hops used TLS, and whether every hop between organisations used TLS 1.2 or later.</summary>
public sealed class MailTlsPathSummary
{
    /// <summary>The file the message was read from; null for -Message and -HeaderText input.</summary>
    public string? Source { get; init; }

    public string? MessageId { get; init; }

    /// <summary>The message's From header.</summary>
    public string? From { get; init; }

    public string? Subject { get; init; }

    /// <summary>The message's Date header.</summary>
    public DateTimeOffset? Date { get; init; }

    public int HopCount { get; init; }

    /// <summary>Hops whose header records TLS.</summary>
    public int TlsHops { get; init; }

    /// <summary>Hops whose header records a protocol without TLS.</summary>
    public int ClearHops { get; init; }

    /// <summary>Hops whose header says nothing either way.</summary>
    public int UnknownHops { get; init; }

    /// <summary>The oldest hop whose header records a protocol without TLS; null when there is none.</summary>
    public MailTlsHop? FirstHopWithoutTls { get; init; }

    /// <summary>Hops that crossed (or may have crossed: names missing) an organisation boundary.</summary>
    public int BoundaryHops { get; init; }

    /// <summary>
    /// True when every hop that crossed (or may have crossed) an organisation boundary records TLS
    /// 1.2 or later; False when one of them records no TLS or an older version; null when one of
    /// them does not say (TLS or its version unknown) or when no hop crossed a boundary.
    /// </summary>
    public bool? BoundaryTls12OrLater { get; init; }

    /// <summary>The oldest TLS version recorded on a boundary hop.</summary>
    public TlsProtocolVersion? LowestBoundaryTlsVersion { get; init; }

    /// <summary>Every hop, oldest first.</summary>
    public IReadOnlyList<MailTlsHop> Hops { get; init; } = Array.Empty<MailTlsHop>();

    public StringList Notes { get; init; } = StringList.None;

    public override string ToString() => $"{Source ?? MessageId}: {TlsHops}/{HopCount} hops over TLS";
}
