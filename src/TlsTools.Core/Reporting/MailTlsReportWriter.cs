using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace TlsTools.Reporting;

/// <summary>Options of the report page.</summary>
public sealed class MailTlsReportOptions
{
    public string Title { get; set; } = "Mail TLS report";

    /// <summary>The time the report is made (and certificates are counted from), UTC.</summary>
    public DateTime NowUtc { get; set; } = DateTime.UtcNow;

    /// <summary>The module version, shown in the footer.</summary>
    public string? Version { get; set; }
}

/// <summary>
/// Writes the report as one self-contained HTML page: inline CSS and SVG, no script, no external
/// resource (a Content-Security-Policy says so to the browser), every value HTML-encoded, a print
/// style sheet.
/// </summary>
public static class MailTlsReportWriter
{
    private static readonly string[] s_protocolOrder = { "Ssl3", "Tls10", "Tls11", "Tls12", "Tls13" };

    public static void Write(TextWriter w, MailTlsReportData data, MailTlsReportOptions options)
    {
        DateTime now = options.NowUtc.Kind == DateTimeKind.Local ? options.NowUtc.ToUniversalTime() : options.NowUtc;
        var domains = data.Domains
            .Select(d => (Domain: d, Verdict: ReportVerdicts.Judge(d, now)))
            .OrderByDescending(x => x.Verdict.Light)
            .ThenBy(x => x.Domain.Name.Length == 0 ? 1 : 0)
            .ThenBy(x => x.Domain.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

        w.Write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        w.Write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        w.Write("<meta name=\"generator\" content=\"TlsTools ConvertTo-MailTlsReport\">");
        w.Write("<title>");
        Html.Write(w, options.Title);
        w.Write("</title><style>");
        w.Write(Css);
        w.Write("</style></head><body>\n");

        w.Write("<header><h1>");
        Html.Write(w, options.Title);
        w.Write("</h1><p class=\"meta\">Made ");
        Html.Write(w, now.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        w.Write(" from ");
        Html.Write(w, string.Join(", ", data.Counts.OrderBy(c => c.Key).Select(c => Plural(c.Value, KindLabel(c.Key)))));
        w.Write(".</p>");
        if (domains.Count > 0)
        {
            w.Write("<p class=\"tally\">");
            foreach (ReportLight light in new[] { ReportLight.Red, ReportLight.Amber, ReportLight.Green, ReportLight.Grey })
            {
                int n = domains.Count(x => x.Verdict.Light == light);
                if (n > 0)
                {
                    w.Write("<span class=\"chip\">");
                    Light(w, light);
                    w.Write(Plural(n, "domain"));
                    w.Write(' ');
                    w.Write(LightWord(light));
                    w.Write("</span> ");
                }
            }
            w.Write("</p>");
        }
        w.Write("<nav><a href=\"#domains\">Domains</a>");
        w.Write(" <a href=\"#expiry\">Certificate expiry</a>");
        if (domains.Count > 0)
        {
            w.Write(" <a href=\"#details\">Details per address</a>");
        }
        if (data.Endpoints.Count > 0)
        {
            w.Write(" <a href=\"#revocation\">CRL and OCSP endpoints</a>");
        }
        if (data.Hops.Count > 0 || data.PathSummaries.Count > 0)
        {
            w.Write(" <a href=\"#path\">Message path</a>");
        }
        w.Write("</nav></header>\n<main>\n");

        WriteOverview(w, domains, now);
        WriteExpiry(w, data, now);
        if (domains.Count > 0)
        {
            w.Write("<section id=\"details\"><h2>Details per address</h2>\n");
            for (int i = 0; i < domains.Count; i++)
            {
                WriteDomainDetails(w, domains[i].Domain, domains[i].Verdict, i, now);
            }
            w.Write("</section>\n");
        }
        if (data.Endpoints.Count > 0)
        {
            WriteEndpoints(w, data.Endpoints);
        }
        if (data.Hops.Count > 0 || data.PathSummaries.Count > 0)
        {
            WritePath(w, data);
        }
        w.Write("</main>\n<footer><p>Lights: green = Pass, amber = Warning, red = Fail, grey = not judged (no mail, or no Test-MailTls result). ");
        w.Write("ExchangeTlsLevel is the strongest Exchange Online TlsSettings every address satisfies; DefaultDelivery is what Exchange Online does without a connector. ");
        w.Write("Made by TlsTools");
        if (!string.IsNullOrEmpty(options.Version))
        {
            w.Write(' ');
            Html.Write(w, options.Version);
        }
        w.Write(" ConvertTo-MailTlsReport.</p></footer>\n</body></html>\n");
    }

    private static void WriteOverview(TextWriter w, List<(ReportDomain Domain, ReportVerdicts.DomainVerdict Verdict)> domains, DateTime now)
    {
        w.Write("<section id=\"domains\"><h2>Domains</h2>\n");
        if (domains.Count == 0)
        {
            w.Write("<p class=\"none\">No Test-MailTls, Get-MailTlsPolicy or Get-TlsCipherSuite output was given.</p></section>\n");
            return;
        }
        w.Write("<table class=\"overview\"><thead><tr><th>Verdict</th><th>Domain</th><th>Reasons</th><th>ExchangeTlsLevel</th><th>DefaultDelivery</th><th>TlsDomainCandidates</th><th>Protocols</th><th>Soonest expiry</th></tr></thead><tbody>\n");
        for (int i = 0; i < domains.Count; i++)
        {
            (ReportDomain d, ReportVerdicts.DomainVerdict v) = domains[i];
            w.Write("<tr class=\"");
            w.Write(LightClass(v.Light));
            w.Write("\"><td class=\"verdict\">");
            Light(w, v.Light);
            Html.Write(w, v.Verdict);
            w.Write("</td><td class=\"domain\"><a href=\"#d-");
            w.Write(i.ToString(CultureInfo.InvariantCulture));
            w.Write("\">");
            Html.Write(w, DomainLabel(d));
            w.Write("</a></td><td>");
            List(w, v.Reasons, "none");
            w.Write("</td><td>");
            Cell(w, TlsLevel(d));
            w.Write("</td><td>");
            Cell(w, d.Summary is { } s ? ReportValue.EnumText<DefaultDelivery>(s, "DefaultDelivery") : null);
            w.Write("</td><td>");
            Cell(w, d.Summary is { } s2 ? string.Join(", ", ReportValue.Strings(s2, "TlsDomainCandidates")) : null);
            w.Write("</td><td>");
            Cell(w, string.Join(", ", Protocols(d)));
            w.Write("</td><td class=\"date\">");
            Cell(w, Expiry(SoonestExpiry(d), now));
            w.Write("</td></tr>\n");
        }
        w.Write("</tbody></table></section>\n");
    }

    private static void WriteExpiry(TextWriter w, MailTlsReportData data, DateTime now)
    {
        w.Write("<section id=\"expiry\"><h2>Certificate expiry</h2>\n");
        List<ExpiryPoint> points = ExpiryChart.Collect(data.Domains);
        if (points.Count == 0)
        {
            w.Write("<p class=\"none\">No certificate dates in the input.</p></section>\n");
            return;
        }
        w.Write("<figure>");
        ExpiryChart.Write(w, points, now);
        w.Write("<figcaption>");
        Html.Write(w, string.Format(CultureInfo.InvariantCulture, "{0} by the month they expire in, from {1:MMMM yyyy}.", Plural(points.Count, "certificate"), now));
        w.Write("</figcaption></figure>\n<h3>Soonest to expire</h3><table class=\"soonest\"><thead><tr><th>Expires</th><th>Days left</th><th>Hosts</th><th>Domains</th><th>Subject</th></tr></thead><tbody>\n");
        foreach (ExpiryPoint p in points.Take(10))
        {
            int days = p.DaysLeft(now);
            w.Write(days < 0 ? "<tr class=\"red\"><td>" : days < 30 ? "<tr class=\"amber\"><td>" : "<tr><td>");
            Html.Write(w, p.NotAfterUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.Write("</td><td class=\"num\">");
            w.Write(days.ToString(CultureInfo.InvariantCulture));
            w.Write("</td><td>");
            Html.Write(w, string.Join(", ", p.Hosts));
            w.Write("</td><td>");
            Html.Write(w, string.Join(", ", p.Domains));
            w.Write("</td><td>");
            Html.Write(w, p.Subject);
            w.Write("</td></tr>\n");
        }
        w.Write("</tbody></table></section>\n");
    }

    private static void WriteDomainDetails(TextWriter w, ReportDomain d, ReportVerdicts.DomainVerdict v, int index, DateTime now)
    {
        w.Write("<article class=\"domain-detail\" id=\"d-");
        w.Write(index.ToString(CultureInfo.InvariantCulture));
        w.Write("\"><h3>");
        Light(w, v.Light);
        Html.Write(w, DomainLabel(d));
        w.Write(" <span class=\"verdict-word\">");
        Html.Write(w, v.Verdict);
        w.Write("</span></h3>\n<table class=\"facts\"><tbody>");
        Fact(w, "Verdict from", v.Basis);
        w.Write("<tr><th>Reasons</th><td>");
        List(w, v.Reasons, "none");
        w.Write("</td></tr>");
        Fact(w, "ExchangeTlsLevel", TlsLevel(d));
        if (d.Summary is { } s)
        {
            Fact(w, "DefaultDelivery", ReportValue.EnumText<DefaultDelivery>(s, "DefaultDelivery"));
            Fact(w, "Delivery per MX host", string.Join("; ", ReportValue.Strings(s, "DeliveryHosts")));
            Fact(w, "TlsDomainCandidates", string.Join(", ", ReportValue.Strings(s, "TlsDomainCandidates")));
            Fact(w, "MX hosts", string.Join(", ", ReportValue.Strings(s, "MxHosts")));
            Fact(w, "Addresses tested", ReportValue.Text(s, "AddressesTested"));
            Fact(w, "ForcedTlsReady", ReportValue.Text(s, "ForcedTlsReady"));
            Fact(w, "MTA-STS mode", ReportValue.EnumText<MtaStsMode>(s, "MtaStsMode"));
            Fact(w, "DANE applies", ReportValue.Text(s, "DaneApplies"));
            Fact(w, "Policy verdict", ReportValue.EnumText<MailTlsPolicyVerdict>(s, "PolicyVerdict"));
            Fact(w, "Exchange certificate names", string.Join("; ", ReportValue.Strings(s, "ExchangeCertificateNames")));
        }
        Fact(w, "Protocols", string.Join(", ", Protocols(d)));
        Fact(w, "Soonest expiry", Expiry(SoonestExpiry(d), now));
        w.Write("</tbody></table>\n");

        if (d.Addresses.Count > 0)
        {
            w.Write("<h4>Addresses</h4><table class=\"addresses\"><thead><tr><th>MX host</th><th>Pref.</th><th>Address</th><th>TLS</th><th>Protocol</th><th>Cipher suite</th><th>ExchangeTlsLevel</th><th>Chain</th><th>Name</th><th>Revocation</th><th>Certificate expires</th><th>Certificate</th><th>Notes</th></tr></thead><tbody>\n");
            foreach (IReportSource r in d.Addresses)
            {
                WriteAddress(w, r, now);
            }
            w.Write("</tbody></table>\n");
        }
        else if (d.Summary is not null)
        {
            w.Write("<p class=\"none\">The summary carries no per-address results here (pipe the Test-MailTls results too, or raise the serialization depth).</p>\n");
        }
        if (d.Policy is { } policy)
        {
            WritePolicy(w, policy);
        }
        if (d.Scans.Count > 0 || d.Suites.Count > 0)
        {
            WriteScans(w, d);
        }
        w.Write("</article>\n");
    }

    private static void WriteAddress(TextWriter w, IReportSource r, DateTime now)
    {
        bool? tls = ReportValue.Bool(r, "TlsEstablished");
        ExchangeTlsLevel? level = ReportValue.Enum<ExchangeTlsLevel>(r, "ExchangeTlsLevel");
        DateTime? notAfter = ReportValue.Date(r, "CertificateNotAfter");
        string cls = tls != true || (notAfter is { } na && na.ToUniversalTime() < now) ? "red"
            : level is ExchangeTlsLevel.EncryptionOnly or ExchangeTlsLevel.None || (notAfter is { } soon && soon.ToUniversalTime() < now.AddDays(30)) ? "amber" : string.Empty;
        w.Write(cls.Length > 0 ? "<tr class=\"" + cls + "\"><td>" : "<tr><td>");
        Html.Write(w, ReportValue.Text(r, "MxHost"));
        w.Write("</td><td class=\"num\">");
        Html.Write(w, ReportValue.Text(r, "Preference"));
        w.Write("</td><td>");
        Html.Write(w, Endpoint(ReportValue.Text(r, "IPAddress"), ReportValue.Text(r, "Port")));
        w.Write("</td><td>");
        Html.Write(w, tls switch { true => "yes", false => ReportValue.Bool(r, "StartTlsOffered") == false ? "no STARTTLS" : "no", _ => string.Empty });
        w.Write("</td><td>");
        Html.Write(w, ReportValue.Text(r, "Protocol"));
        w.Write("</td><td class=\"mono\">");
        Html.Write(w, ReportValue.Text(r, "ExchangeOnlineCipherSuite") is { Length: > 0 } exo && exo != ReportValue.Text(r, "CipherSuite")
            ? ReportValue.Text(r, "CipherSuite") + " (Exchange Online: " + exo + ")"
            : ReportValue.Text(r, "CipherSuite"));
        w.Write("</td><td>");
        Html.Write(w, level?.ToString() ?? ReportValue.Text(r, "ExchangeTlsLevel"));
        w.Write("</td><td>");
        Html.Write(w, YesNo(ReportValue.Bool(r, "ChainValid"), "valid", "invalid"));
        w.Write("</td><td>");
        Html.Write(w, YesNo(ReportValue.Bool(r, "NameMatches"), "matches", "no match"));
        w.Write("</td><td>");
        Html.Write(w, ReportValue.EnumText<RevocationStatus>(r, "RevocationStatus"));
        w.Write("</td><td>");
        Html.Write(w, Expiry(notAfter, now));
        w.Write("</td><td>");
        Html.Write(w, ReportValue.Text(r, "CertificateSubject"));
        if (ReportValue.Text(r, "CertificateIssuer") is { Length: > 0 } issuer)
        {
            w.Write("<br><span class=\"sub\">issuer: ");
            Html.Write(w, issuer);
            w.Write("</span>");
        }
        w.Write("</td><td class=\"wrap\">");
        var notes = new List<string>();
        if (ReportValue.Text(r, "Error") is { Length: > 0 } error)
        {
            notes.Add((ReportValue.Text(r, "ErrorId") is { Length: > 0 } id ? id + ": " : string.Empty) + error);
        }
        notes.AddRange(ReportValue.Strings(r, "ChainErrors"));
        notes.AddRange(ReportValue.Strings(r, "Notes"));
        List(w, notes, string.Empty);
        w.Write("</td></tr>\n");
    }

    private static void WritePolicy(TextWriter w, IReportSource p)
    {
        w.Write("<h4>MTA-STS, TLS-RPT and DANE</h4><table class=\"facts\"><tbody>");
        Fact(w, "Policy verdict", ReportValue.EnumText<MailTlsPolicyVerdict>(p, "Verdict"));
        w.Write("<tr><th>Reasons</th><td>");
        List(w, ReportValue.Strings(p, "Reasons"), "none");
        w.Write("</td></tr>");
        Fact(w, "MTA-STS record", ReportValue.Text(p, "MtaStsRecord"));
        Fact(w, "MTA-STS mode", ReportValue.EnumText<MtaStsMode>(p, "MtaStsMode"));
        Fact(w, "MTA-STS mx", string.Join(", ", ReportValue.Strings(p, "MtaStsMx")));
        Fact(w, "MTA-STS problem", ReportValue.Text(p, "MtaStsError"));
        Fact(w, "TLS-RPT", ReportValue.Text(p, "TlsRptRecord"));
        Fact(w, "DANE applies", ReportValue.Text(p, "DaneApplies"));
        Fact(w, "DNSSEC from", ReportValue.Text(p, "DnssecSource"));
        Fact(w, "Error", ReportValue.Text(p, "Error"));
        w.Write("</tbody></table>\n");
        IReadOnlyList<IReportSource> hosts = ReportValue.Sources(p, "Hosts");
        if (hosts.Count > 0)
        {
            w.Write("<table class=\"policy-hosts\"><thead><tr><th>MX host</th><th>MTA-STS covered</th><th>TLSA records</th><th>DANE applies</th><th>DANE match</th><th>MTA-STS certificate</th><th>Problem</th></tr></thead><tbody>\n");
            foreach (IReportSource h in hosts)
            {
                w.Write("<tr><td>");
                Html.Write(w, ReportValue.Text(h, "MxHost"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "MtaStsCovered"));
                w.Write("</td><td class=\"mono\">");
                Html.Write(w, string.Join("; ", ReportValue.Strings(h, "TlsaRecords")));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "DaneApplies"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "DaneMatch"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "MtaStsCertificateValid"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "Error"));
                w.Write("</td></tr>\n");
            }
            w.Write("</tbody></table>\n");
        }
    }

    private static void WriteScans(TextWriter w, ReportDomain d)
    {
        w.Write("<h4>Protocols and cipher suites accepted</h4><table class=\"scans\"><thead><tr><th>Host</th><th>Address</th><th>Protocols</th><th>Suites</th><th>Legacy protocol</th><th>Weak suites</th><th>Exchange Online suite</th><th>Server order</th></tr></thead><tbody>\n");
        foreach (IReportSource s in d.Scans)
        {
            bool legacy = ReportValue.Bool(s, "LegacyProtocolAccepted") == true;
            IReadOnlyList<string> weak = ReportValue.Strings(s, "WeakSuitesAccepted");
            w.Write(legacy || weak.Count > 0 ? "<tr class=\"amber\"><td>" : "<tr><td>");
            Html.Write(w, ReportValue.Text(s, "ComputerName"));
            w.Write("</td><td>");
            Html.Write(w, Endpoint(ReportValue.Text(s, "IPAddress"), ReportValue.Text(s, "Port")));
            w.Write("</td><td>");
            Html.Write(w, string.Join(", ", ReportValue.Strings(s, "SupportedProtocols")));
            w.Write("</td><td class=\"num\">");
            object? suites = s.Get("Suites");
            Html.Write(w, suites is System.Collections.IList list ? list.Count.ToString(CultureInfo.InvariantCulture) : string.Empty);
            w.Write("</td><td>");
            Html.Write(w, legacy ? "accepted" : "no");
            w.Write("</td><td class=\"mono\">");
            Html.Write(w, string.Join(", ", weak));
            w.Write("</td><td>");
            Html.Write(w, ReportValue.Text(s, "AcceptsExchangeOnlineSuite"));
            w.Write("</td><td>");
            Html.Write(w, YesNo(ReportValue.Bool(s, "ServerPrefersOwnOrder"), "server's", "client's"));
            w.Write("</td></tr>\n");
        }
        // Suite rows without a summary: one line per address.
        foreach (var group in d.Suites.GroupBy(s => ReportValue.Text(s, "ComputerName") + "|" + Endpoint(ReportValue.Text(s, "IPAddress"), ReportValue.Text(s, "Port"))))
        {
            List<IReportSource> rows = group.ToList();
            var protocols = rows.Select(r => ReportValue.EnumText<TlsProtocolVersion>(r, "Protocol") ?? string.Empty).Distinct().OrderBy(ProtocolRank).ToList();
            var weak = rows.Where(r => ReportValue.Enum<CipherSuiteStrength>(r, "Strength") is CipherSuiteStrength.Weak or CipherSuiteStrength.Insecure)
                .Select(r => ReportValue.Text(r, "Name") ?? string.Empty).Distinct().ToList();
            bool legacy = protocols.Any(p => p is "Ssl3" or "Tls10" or "Tls11");
            w.Write(legacy || weak.Count > 0 ? "<tr class=\"amber\"><td>" : "<tr><td>");
            Html.Write(w, ReportValue.Text(rows[0], "ComputerName"));
            w.Write("</td><td>");
            Html.Write(w, Endpoint(ReportValue.Text(rows[0], "IPAddress"), ReportValue.Text(rows[0], "Port")));
            w.Write("</td><td>");
            Html.Write(w, string.Join(", ", protocols));
            w.Write("</td><td class=\"num\">");
            w.Write(rows.Count.ToString(CultureInfo.InvariantCulture));
            w.Write("</td><td>");
            Html.Write(w, legacy ? "accepted" : "no");
            w.Write("</td><td class=\"mono\">");
            Html.Write(w, string.Join(", ", weak));
            w.Write("</td><td>");
            Html.Write(w, rows.Any(r => ReportValue.Bool(r, "ExchangeOnline") == true && ReportValue.Text(r, "Protocol") == "Tls12") ? "True" : "False");
            w.Write("</td><td>");
            Html.Write(w, YesNo(rows.Select(r => ReportValue.Bool(r, "ServerPrefersOwnOrder")).FirstOrDefault(b => b is not null), "server's", "client's"));
            w.Write("</td></tr>\n");
        }
        w.Write("</tbody></table>\n");
    }

    private static void WriteEndpoints(TextWriter w, List<IReportSource> endpoints)
    {
        w.Write("<section id=\"revocation\"><h2>CRL and OCSP endpoints</h2>\n<table class=\"endpoints\"><thead><tr><th>Status</th><th>Kind</th><th>URL</th><th>Certificate</th><th>Proxy</th><th>HTTP</th><th>Latency</th><th>Next update</th><th>Detail</th></tr></thead><tbody>\n");
        foreach (IReportSource e in endpoints)
        {
            RevocationEndpointStatus? status = ReportValue.Enum<RevocationEndpointStatus>(e, "Status");
            w.Write(status == RevocationEndpointStatus.OK ? "<tr><td>" : "<tr class=\"red\"><td>");
            Light(w, status == RevocationEndpointStatus.OK ? ReportLight.Green : status is null ? ReportLight.Grey : ReportLight.Red);
            Html.Write(w, status?.ToString() ?? ReportValue.Text(e, "Status"));
            w.Write("</td><td>");
            Html.Write(w, ReportValue.EnumText<RevocationEndpointKind>(e, "Kind"));
            w.Write("</td><td class=\"mono wrap\">");
            Html.Write(w, ReportValue.Text(e, "Uri"));
            w.Write("</td><td>");
            Html.Write(w, ReportValue.Text(e, "Certificate"));
            w.Write("</td><td>");
            Html.Write(w, ReportValue.Text(e, "Proxy"));
            w.Write("</td><td class=\"num\">");
            Html.Write(w, ReportValue.Text(e, "HttpStatus"));
            w.Write("</td><td class=\"num\">");
            Html.Write(w, ReportValue.Duration(e, "Latency") is { } latency ? ((int)latency.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms" : string.Empty);
            w.Write("</td><td>");
            Html.Write(w, ReportValue.Date(e, "NextUpdate")?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            w.Write("</td><td class=\"wrap\">");
            Html.Write(w, ReportValue.Text(e, "Detail"));
            w.Write("</td></tr>\n");
        }
        w.Write("</tbody></table></section>\n");
    }

    private static void WritePath(TextWriter w, MailTlsReportData data)
    {
        w.Write("<section id=\"path\"><h2>Message path</h2>\n");
        if (data.PathSummaries.Count > 0)
        {
            w.Write("<table class=\"messages\"><thead><tr><th>Boundary TLS 1.2+</th><th>Message</th><th>From</th><th>Date</th><th>Hops</th><th>TLS</th><th>Clear</th><th>Unknown</th><th>Lowest boundary TLS</th><th>First hop without TLS</th><th>Notes</th></tr></thead><tbody>\n");
            foreach (IReportSource m in data.PathSummaries)
            {
                bool? ok = ReportValue.Bool(m, "BoundaryTls12OrLater");
                w.Write(ok switch { true => "<tr><td>", false => "<tr class=\"red\"><td>", _ => "<tr class=\"amber\"><td>" });
                Light(w, ok switch { true => ReportLight.Green, false => ReportLight.Red, _ => ReportLight.Amber });
                Html.Write(w, ok switch { true => "yes", false => "no", _ => "not shown" });
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(m, "Subject") is { Length: > 0 } subject ? subject : ReportValue.Text(m, "MessageId"));
                w.Write("<br><span class=\"sub\">");
                Html.Write(w, ReportValue.Text(m, "Source") ?? ReportValue.Text(m, "MessageId"));
                w.Write("</span></td><td>");
                Html.Write(w, ReportValue.Text(m, "From"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Date(m, "Date")?.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
                foreach (string name in new[] { "HopCount", "TlsHops", "ClearHops", "UnknownHops" })
                {
                    w.Write("</td><td class=\"num\">");
                    Html.Write(w, ReportValue.Text(m, name));
                }
                w.Write("</td><td>");
                Html.Write(w, ReportValue.EnumText<TlsProtocolVersion>(m, "LowestBoundaryTlsVersion"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(m, "FirstHopWithoutTls"));
                w.Write("</td><td>");
                List(w, ReportValue.Strings(m, "Notes"), string.Empty);
                w.Write("</td></tr>\n");
            }
            w.Write("</tbody></table>\n");
        }
        if (data.Hops.Count > 0)
        {
            w.Write("<h3>Hops</h3><table class=\"hops\"><thead><tr><th>Message</th><th>#</th><th>From</th><th>By</th><th>Protocol</th><th>TLS</th><th>Version</th><th>Cipher suite</th><th>Crosses organisation</th><th>Time</th><th>Software</th><th>Notes</th></tr></thead><tbody>\n");
            foreach (IReportSource h in data.Hops)
            {
                HopTls? tls = ReportValue.Enum<HopTls>(h, "Tls");
                w.Write(tls switch { HopTls.True => "<tr><td>", HopTls.False => "<tr class=\"red\"><td>", _ => "<tr class=\"amber\"><td>" });
                Html.Write(w, FileName(ReportValue.Text(h, "Source")) ?? ReportValue.Text(h, "MessageId"));
                w.Write("</td><td class=\"num\">");
                Html.Write(w, ReportValue.Text(h, "Index"));
                w.Write("</td><td>");
                string? from = ReportValue.Text(h, "From");
                string? address = ReportValue.Text(h, "FromAddress");
                Html.Write(w, from is null ? address : address is null ? from : from + " [" + address + "]");
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "By"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "Protocol"));
                w.Write("</td><td>");
                Html.Write(w, tls?.ToString() ?? ReportValue.Text(h, "Tls"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.EnumText<TlsProtocolVersion>(h, "TlsVersion"));
                w.Write("</td><td class=\"mono\">");
                Html.Write(w, ReportValue.Text(h, "CipherSuite") ?? ReportValue.Text(h, "RecordedCipher"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "CrossesOrganization"));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Date(h, "Timestamp")?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
                w.Write("</td><td>");
                Html.Write(w, ReportValue.Text(h, "Software"));
                w.Write("</td><td class=\"wrap\">");
                List(w, ReportValue.Strings(h, "Notes"), string.Empty);
                w.Write("</td></tr>\n");
            }
            w.Write("</tbody></table>\n");
        }
        w.Write("</section>\n");
    }

    private static string? FileName(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        int slash = Math.Max(path!.LastIndexOf('/'), path.LastIndexOf('\\'));
        return slash >= 0 ? path.Substring(slash + 1) : path;
    }

    private static string DomainLabel(ReportDomain d) => d.Name.Length > 0 ? d.Name : "Hosts tested directly";

    private static string? TlsLevel(ReportDomain d)
    {
        if (d.Summary is { } s)
        {
            return ReportValue.EnumText<ExchangeTlsLevel>(s, "LowestExchangeTlsLevel");
        }
        var levels = d.Addresses.Where(r => ReportValue.Text(r, "MxHost") != ".").Select(r => ReportValue.Enum<ExchangeTlsLevel>(r, "ExchangeTlsLevel")).ToList();
        return levels.Count == 0 ? null : levels.Any(l => l is null) ? null : levels.Min()!.Value.ToString();
    }

    private static IEnumerable<string> Protocols(ReportDomain d)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (IReportSource r in d.Addresses)
        {
            if (ReportValue.Text(r, "Protocol") is { Length: > 0 } p)
            {
                set.Add(p);
            }
            foreach (string supported in ReportValue.Strings(r, "SupportedProtocols"))
            {
                set.Add(supported);
            }
        }
        foreach (IReportSource s in d.Scans)
        {
            foreach (string supported in ReportValue.Strings(s, "SupportedProtocols"))
            {
                set.Add(supported);
            }
        }
        foreach (IReportSource s in d.Suites)
        {
            if (ReportValue.EnumText<TlsProtocolVersion>(s, "Protocol") is { Length: > 0 } p)
            {
                set.Add(p);
            }
        }
        if (set.Count == 0 && d.Summary is { } summary && ReportValue.Text(summary, "WeakestProtocol") is { Length: > 0 } weakest)
        {
            set.Add(weakest + " (weakest)");
        }
        return set.OrderBy(ProtocolRank).ThenBy(p => p, StringComparer.Ordinal);
    }

    private static int ProtocolRank(string protocol)
    {
        int i = Array.IndexOf(s_protocolOrder, protocol);
        return i < 0 ? s_protocolOrder.Length : i;
    }

    private static DateTime? SoonestExpiry(ReportDomain d)
    {
        if (d.Summary is { } s && ReportValue.Date(s, "SoonestExpiry") is { } soonest)
        {
            return soonest;
        }
        return d.Addresses.Select(r => ReportValue.Date(r, "CertificateNotAfter")).Where(x => x is not null).Min();
    }

    private static string? Expiry(DateTime? notAfter, DateTime now)
    {
        if (notAfter is not { } value)
        {
            return null;
        }
        DateTime utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        int days = (int)Math.Floor((utc - now).TotalDays);
        return utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + (days < 0 ? $" (expired {-days} days ago)" : $" ({days} days)");
    }

    private static string Endpoint(string? address, string? port) =>
        string.IsNullOrEmpty(port) || port == "0" ? address ?? string.Empty : (address?.IndexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;

    private static string? YesNo(bool? value, string yes, string no) => value switch { true => yes, false => no, _ => null };

    private static void Fact(TextWriter w, string label, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        w.Write("<tr><th>");
        Html.Write(w, label);
        w.Write("</th><td>");
        Html.Write(w, value);
        w.Write("</td></tr>");
    }

    private static void Cell(TextWriter w, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            w.Write("<span class=\"none\">-</span>");
            return;
        }
        Html.Write(w, value);
    }

    private static void List(TextWriter w, IReadOnlyList<string> items, string empty)
    {
        if (items.Count == 0)
        {
            if (empty.Length > 0)
            {
                w.Write("<span class=\"none\">");
                Html.Write(w, empty);
                w.Write("</span>");
            }
            return;
        }
        if (items.Count == 1)
        {
            Html.Write(w, items[0]);
            return;
        }
        w.Write("<ul>");
        foreach (string item in items)
        {
            w.Write("<li>");
            Html.Write(w, item);
            w.Write("</li>");
        }
        w.Write("</ul>");
    }

    private static void Light(TextWriter w, ReportLight light)
    {
        w.Write("<span class=\"light ");
        w.Write(LightClass(light));
        w.Write("\" aria-hidden=\"true\">");
        w.Write(light switch { ReportLight.Green => "&#10003;", ReportLight.Amber => "!", ReportLight.Red => "&#10007;", _ => "&#8211;" });
        w.Write("</span>");
    }

    private static string LightClass(ReportLight light) => light switch
    {
        ReportLight.Green => "green",
        ReportLight.Amber => "amber",
        ReportLight.Red => "red",
        _ => "grey",
    };

    private static string LightWord(ReportLight light) => light switch
    {
        ReportLight.Green => "pass",
        ReportLight.Amber => "with warnings",
        ReportLight.Red => "fail",
        _ => "not judged",
    };

    private static string KindLabel(ReportInputKind kind) => kind switch
    {
        ReportInputKind.MailTlsResult => "Test-MailTls result",
        ReportInputKind.MailTlsDomainSummary => "domain summary",
        ReportInputKind.CipherSuiteResult => "cipher suite",
        ReportInputKind.CipherScanSummary => "cipher scan",
        ReportInputKind.MailTlsPolicy => "policy",
        ReportInputKind.RevocationEndpointResult => "revocation endpoint",
        ReportInputKind.MailTlsHop => "message hop",
        ReportInputKind.MailTlsPathSummary => "message",
        _ => "object",
    };

    private static string Plural(int n, string noun) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? noun : noun.EndsWith("y", StringComparison.Ordinal) ? noun.Substring(0, noun.Length - 1) + "ies" : noun + "s");

    private const string Css = @"
:root{--green:#1a7f37;--amber:#b35900;--red:#c62828;--grey:#6e7781;--line:#d0d7de;--bg-red:#fdecea;--bg-amber:#fff4e0}
*{box-sizing:border-box}
body{font-family:""DejaVu Sans"",""Segoe UI"",Arial,Helvetica,sans-serif;font-size:13px;color:#1f2328;margin:0 auto;padding:16px 24px;max-width:1600px;line-height:1.4}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:28px}h3{font-size:15px;margin:18px 0 6px}h4{font-size:13px;margin:12px 0 4px}
.meta{color:#57606a;margin:0 0 6px}
nav a{margin-right:14px;color:#0550ae}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.mono{min-width:9em;word-break:break-all}
td.wrap{overflow-wrap:anywhere;min-width:12em}
table.addresses td,table.hops td,table.endpoints td{overflow-wrap:anywhere}
thead th{background:#f6f8fa}
table.facts{width:auto;min-width:50%}table.facts th{width:200px;background:#f6f8fa;font-weight:600}
tr.red td{background:var(--bg-red)}tr.amber td{background:var(--bg-amber)}
td.num{text-align:right;white-space:nowrap}td.date{min-width:7.5em}table.soonest td:first-child{white-space:nowrap}.mono{font-family:""DejaVu Sans Mono"",Consolas,monospace;font-size:12px}
td ul{margin:0;padding-left:16px}
.sub{color:#57606a;font-size:11px}.none{color:#8c959f}
.light{display:inline-block;width:16px;height:16px;border-radius:50%;color:#fff;font-size:11px;line-height:16px;text-align:center;font-weight:700;margin-right:6px;vertical-align:-3px}
.light.green{background:var(--green)}.light.amber{background:var(--amber)}.light.red{background:var(--red)}.light.grey{background:var(--grey)}
.chip{display:inline-block;border:1px solid var(--line);border-radius:12px;padding:2px 10px 2px 4px;margin-right:8px}
.verdict{white-space:nowrap;font-weight:600}.verdict-word{font-weight:400;color:#57606a}
figure{margin:0}figcaption{color:#57606a}
svg.chart{width:100%;max-width:960px;height:auto;display:block}
svg .grid{stroke:#eaeef2}svg .tick,svg .label,svg .legend,svg .count{font-size:11px;fill:#57606a;font-family:""DejaVu Sans"",Arial,sans-serif}
svg .count{fill:#1f2328}svg .expired{fill:var(--red)}svg .soon{fill:var(--amber)}svg .later{fill:var(--green)}
svg .today{stroke:#1f2328;stroke-dasharray:4 3}svg .today-label{font-size:11px;fill:#1f2328;font-family:""DejaVu Sans"",Arial,sans-serif}
article.domain-detail{border-top:1px solid var(--line);margin-top:12px}
footer{margin-top:28px;color:#57606a;font-size:11px;border-top:1px solid var(--line)}
@media print{
 @page{size:A4 landscape;margin:12mm}
 body{font-size:9pt;max-width:none;padding:0}
 nav{display:none}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 a{color:inherit;text-decoration:none}
 thead{display:table-header-group}
 tr,figure,table.facts{break-inside:avoid}
 h2,h3,h4{break-after:avoid}
 article.domain-detail{break-before:auto}
 .mono{font-size:8pt}
}
";
}
