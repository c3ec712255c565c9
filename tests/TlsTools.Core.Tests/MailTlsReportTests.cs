using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using TlsTools.Reporting;
using Xunit;

namespace TlsTools.Tests;

public class MailTlsReportTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A property bag as PowerShell remoting returns it: type names with Deserialized., enums as names or numbers.</summary>
    private sealed class BagSource : IReportSource
    {
        private readonly Dictionary<string, object?> _values;

        public BagSource(string typeName, Dictionary<string, object?> values, string text = "")
        {
            TypeNames = typeName.Length == 0 ? Array.Empty<string>() : new[] { typeName, "Deserialized.System.Object" };
            _values = new Dictionary<string, object?>(values, StringComparer.OrdinalIgnoreCase);
            Text = text;
        }

        public IReadOnlyList<string> TypeNames { get; }

        public string Text { get; }

        public bool Has(string name) => _values.ContainsKey(name);

        public object? Get(string name) => _values.TryGetValue(name, out object? v) ? v : null;
    }

    private static MailTlsResult Result(string domain, string host, string ip, int days, bool tls = true, string? thumbprint = null) => new()
    {
        Domain = domain,
        MxHost = host,
        Preference = 10,
        IPAddress = ip,
        Port = 25,
        StartTlsOffered = tls,
        TlsEstablished = tls,
        Protocol = tls ? "Tls13" : null,
        CipherSuite = tls ? "TLS_AES_256_GCM_SHA384" : null,
        ChainValid = tls ? true : null,
        NameMatches = tls ? true : null,
        CertificateSubject = tls ? "CN=" + host : null,
        // One certificate per address unless a test names a shared one (string.GetHashCode collides now and then).
        CertificateThumbprint = tls ? thumbprint ?? host + "/" + ip : null,
        CertificateNotAfter = tls ? Now.AddDays(days) : null,
        DaysUntilExpiry = tls ? days : null,
        ExchangeTlsLevel = tls ? ExchangeTlsLevel.DomainValidation : ExchangeTlsLevel.None,
        RevocationStatus = tls ? RevocationStatus.Good : RevocationStatus.NotChecked,
    };

    private static MailTlsDomainSummary Summary(string domain, MailTlsVerdict verdict, params MailTlsResult[] results) => new()
    {
        Domain = domain,
        MxCount = 1,
        MxHosts = new StringList(results.Select(r => r.MxHost).Distinct()),
        AddressesTested = results.Length,
        AllTls = results.All(r => r.TlsEstablished),
        LowestExchangeTlsLevel = results.Min(r => r.ExchangeTlsLevel),
        TlsDomainCandidates = new StringList(new[] { "*." + domain }),
        DefaultDelivery = DefaultDelivery.Tls,
        SoonestExpiry = results.Min(r => r.CertificateNotAfter),
        Verdict = verdict,
        Reasons = verdict == MailTlsVerdict.Pass ? StringList.None : new StringList(new[] { "reason for " + domain }),
        Results = new MailTlsResultList(results),
    };

    private static string Render(MailTlsReportData data, string title = "Report")
    {
        var w = new StringWriter();
        MailTlsReportWriter.Write(w, data, new MailTlsReportOptions { Title = title, NowUtc = Now, Version = "0.1.0" });
        return w.ToString();
    }

    private static string Render(params object[] objects)
    {
        var data = new MailTlsReportData();
        foreach (object o in objects)
        {
            Assert.NotEqual(ReportInputKind.Unsupported, data.Add(o as IReportSource ?? new ObjectReportSource(o)));
        }
        return Render(data);
    }

    private static int Count(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            n++;
        }
        return n;
    }

    [Fact]
    public void EncodesEveryValueFromTheInput()
    {
        MailTlsResult r = Result("evil.example", "<script>alert(1)</script>.evil.example", "192.0.2.1", 100);
        r.Notes = new StringList(new[] { "\"><img src=x onerror=alert(2)>", "a & b \u0001\u0085 c" });
        MailTlsDomainSummary s = Summary("evil.example", MailTlsVerdict.Warning, r);
        s.Reasons = new StringList(new[] { "</td></tr></table><iframe src='https://attacker.example/'>" });
        var hop = new MailTlsHop { Index = 1, By = "mx.example' onmouseover='x", Tls = HopTls.True, RawHeader = "Received: <b>x</b>", Notes = new StringList(new[] { "<style>body{display:none}</style>" }) };
        var data = new MailTlsReportData();
        data.Add(new ObjectReportSource(s));
        data.Add(new ObjectReportSource(hop));
        string html = Render(data, "Title <script>");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, Count(html, "<style>"));
        Assert.DoesNotContain("' onmouseover='", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;.evil.example", html);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", html);
        Assert.Contains("<title>Title &lt;script&gt;</title>", html);
        Assert.Contains("a &amp; b  c", html);
        int control = html.IndexOf('\u0001');
        Assert.True(control < 0, control < 0 ? string.Empty : html.Substring(Math.Max(0, control - 200), 300));
        Assert.True(html.IndexOf('\u0085') < 0);
    }

    [Fact]
    public void NeedsNothingFromOutside()
    {
        string html = Render(Summary("fabrikam.example", MailTlsVerdict.Pass, Result("fabrikam.example", "mx1.fabrikam.example", "192.0.2.1", 90)),
            new RevocationEndpointResult { Kind = RevocationEndpointKind.Crl, Uri = "http://crl.example/ca.crl", Status = RevocationEndpointStatus.OK, Reachable = true });
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        // Links only within the page; a URL from the input is text, not a link.
        foreach (Match m in Regex.Matches(html, "(?:src|href)\\s*=\\s*\"([^\"]*)\""))
        {
            Assert.StartsWith("#", m.Groups[1].Value);
        }
        Assert.Contains("Content-Security-Policy", html);
        Assert.Contains("default-src 'none'", html);
        Assert.Contains("@media print", html);
    }

    [Fact]
    public void ShowsTheDomainFactsAnAuditorAsksFor()
    {
        MailTlsDomainSummary s = Summary("fabrikam.example", MailTlsVerdict.Warning, Result("fabrikam.example", "mx1.fabrikam.example", "192.0.2.1", 20));
        s.DefaultDelivery = DefaultDelivery.ClearTextPossible;
        string html = Render(s, Summary("contoso.example", MailTlsVerdict.Fail, Result("contoso.example", "mx.contoso.example", "192.0.2.9", 0, tls: false)));
        string overview = html.Substring(html.IndexOf("<section id=\"domains\">", StringComparison.Ordinal));
        overview = overview.Substring(0, overview.IndexOf("</section>", StringComparison.Ordinal));
        // Worst first, with light, verdict and reasons.
        Assert.True(overview.IndexOf("contoso.example", StringComparison.Ordinal) < overview.IndexOf("fabrikam.example", StringComparison.Ordinal));
        Assert.Contains("<span class=\"light red\"", overview);
        Assert.Contains("<span class=\"light amber\"", overview);
        Assert.Contains("reason for fabrikam.example", overview);
        Assert.Contains("ClearTextPossible", overview);
        Assert.Contains("*.fabrikam.example", overview);
        Assert.Contains("Tls13", overview);
        Assert.Contains("2026-12-23 (20 days)", overview);
        Assert.Contains("DomainValidation", overview);
        Assert.Contains("None", overview);
    }

    [Fact]
    public void ChartsCertificateExpiryByMonth()
    {
        string html = Render(
            Result("a.example", "mx.a.example", "192.0.2.1", -3),
            Result("b.example", "mx.b.example", "192.0.2.2", 10),
            Result("c.example", "mx.c.example", "192.0.2.3", 200),
            Result("d.example", "mx.d.example", "192.0.2.4", 2000));
        string svg = html.Substring(html.IndexOf("<svg", StringComparison.Ordinal));
        svg = svg.Substring(0, svg.IndexOf("</svg>", StringComparison.Ordinal) + 6);
        Assert.Contains("4 certificates: 1 expired, 1 expire within 30 days, 2 later.", svg);
        // One bar of expired certificates, and the legend's swatch.
        Assert.Equal(2, Count(svg, "<rect class=\"expired\""));
        Assert.Contains(">expired</text>", svg);
        Assert.Contains(">2026-12</text>", svg);
        Assert.Contains(">later</text>", svg);
        Assert.Contains("class=\"today\"", svg);
        Assert.Contains("June 2027: 1 certificate(s) - mx.c.example 2027-06-21", svg);
        // Parses as XML (SVG inline in HTML must still be well formed here).
        System.Xml.Linq.XDocument.Parse(svg);
        // The soonest list.
        Assert.Contains("<td>mx.a.example</td>", html);
        Assert.Contains("<td class=\"num\">-3</td>", html);
    }

    [Fact]
    public void OneCertificateSeenOnSeveralAddressesIsOnePoint()
    {
        var data = new MailTlsReportData();
        data.Add(new ObjectReportSource(Result("a.example", "mx1.a.example", "192.0.2.1", 50, thumbprint: "AA")));
        data.Add(new ObjectReportSource(Result("a.example", "mx1.a.example", "192.0.2.2", 50, thumbprint: "AA")));
        data.Add(new ObjectReportSource(Result("b.example", "mx.b.example", "192.0.2.3", 50, thumbprint: "AA")));
        List<ExpiryPoint> points = ExpiryChart.Collect(data.Domains);
        ExpiryPoint p = Assert.Single(points);
        Assert.Equal(new[] { "mx1.a.example", "mx.b.example" }, p.Hosts);
        Assert.Equal(new[] { "a.example", "b.example" }, p.Domains);
    }

    [Fact]
    public void RendersFiveThousandRowsQuickly()
    {
        var data = new MailTlsReportData();
        for (int d = 0; d < 500; d++)
        {
            var results = Enumerable.Range(0, 10).Select(i => Result($"d{d}.example", $"mx{i}.d{d}.example", $"10.{d / 250}.{d % 250}.{i}", (d * 7) % 900 - 30)).ToArray();
            data.Add(new ObjectReportSource(Summary($"d{d}.example", (MailTlsVerdict)(d % 3), results)));
        }
        var watch = Stopwatch.StartNew();
        string html = Render(data);
        watch.Stop();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(5000, Count(html, "<td class=\"num\">10</td>"));
        Assert.Equal(500, Count(html, "<article class=\"domain-detail\""));
        Assert.Contains("<desc id=\"chart-desc\">5000 certificates:", html);
        Assert.True(html.Length < 20_000_000, $"{html.Length} characters");
    }

    [Fact]
    public void ReadsEveryInputType()
    {
        var hop1 = new MailTlsHop { Source = "/mail/in.eml", Index = 1, From = "mail.fabrikam.example", By = "mx.contoso.example", Protocol = "ESMTPS", Tls = HopTls.True, TlsVersion = TlsProtocolVersion.Tls13, CipherSuite = "TLS_AES_256_GCM_SHA384", CrossesOrganization = true, RawHeader = "Received: from mail.fabrikam.example" };
        var hop2 = new MailTlsHop { Source = "/mail/in.eml", Index = 2, From = "mx.contoso.example", By = "store.contoso.example", Protocol = "ESMTP", Tls = HopTls.False, RawHeader = "Received: from mx.contoso.example" };
        object[] inputs =
        {
            Result("fabrikam.example", "mx1.fabrikam.example", "192.0.2.1", 90),
            Summary("contoso.example", MailTlsVerdict.Pass, Result("contoso.example", "mx.contoso.example", "192.0.2.5", 40)),
            new CipherSuiteResult { ComputerName = "mx1.fabrikam.example", Domain = "fabrikam.example", IPAddress = "192.0.2.1", Port = 25, Protocol = TlsProtocolVersion.Tls10, Name = "TLS_RSA_WITH_AES_128_CBC_SHA", Strength = CipherSuiteStrength.Weak },
            new CipherScanSummary { ComputerName = "mx.contoso.example", Domain = "contoso.example", IPAddress = "192.0.2.5", Port = 25, SupportedProtocols = new[] { TlsProtocolVersion.Tls12, TlsProtocolVersion.Tls13 }, AcceptsExchangeOnlineSuite = true },
            new MailTlsPolicy { Domain = "contoso.example", Verdict = MailTlsPolicyVerdict.Pass, MtaStsMode = MtaStsMode.Enforce, MtaStsRecord = "v=STSv1; id=1", Hosts = new[] { new MailTlsPolicyHost { MxHost = "mx.contoso.example", TlsaRecords = new StringList(new[] { "3 1 1 ABCDEF" }), DaneApplies = true, DaneMatch = true } } },
            new RevocationEndpointResult { Certificate = "CN=mx1.fabrikam.example", Kind = RevocationEndpointKind.Ocsp, Uri = "http://ocsp.fabrikam.example", Status = RevocationEndpointStatus.Unreachable, Detail = "connection refused", Proxy = "direct" },
            hop1,
            new MailTlsPathSummary { Source = "/mail/in.eml", Subject = "Invoice 42", HopCount = 2, TlsHops = 1, ClearHops = 1, BoundaryHops = 1, BoundaryTls12OrLater = true, LowestBoundaryTlsVersion = TlsProtocolVersion.Tls13, FirstHopWithoutTls = hop2, Hops = new[] { hop1, hop2 } },
        };
        var data = new MailTlsReportData();
        var kinds = inputs.Select(o => data.Add(new ObjectReportSource(o))).ToList();
        // Compared as names: Mono's xunit sees an enum array as an array of its numbers.
        Assert.Equal(string.Join(", ", new[]
        {
            ReportInputKind.MailTlsResult, ReportInputKind.MailTlsDomainSummary, ReportInputKind.CipherSuiteResult, ReportInputKind.CipherScanSummary,
            ReportInputKind.MailTlsPolicy, ReportInputKind.RevocationEndpointResult, ReportInputKind.MailTlsHop, ReportInputKind.MailTlsPathSummary,
        }), string.Join(", ", kinds));
        Assert.Equal(ReportInputKind.Unsupported, data.Add(new ObjectReportSource(DateTime.Now)));
        Assert.Equal(ReportInputKind.Unsupported, data.Add(new ObjectReportSource(new RemoteCertificate())));

        string html = Render(data);
        Assert.Contains("<section id=\"revocation\">", html);
        Assert.Contains("http://ocsp.fabrikam.example", html);
        Assert.Contains("Unreachable", html);
        Assert.Contains("<section id=\"path\">", html);
        Assert.Contains("Invoice 42", html);
        // hop1 came alone and inside the summary: shown once.
        Assert.Equal(1, Count(html, "<td>mail.fabrikam.example</td>"));
        Assert.Equal(1, Count(html, "<td>store.contoso.example</td>"));
        Assert.Contains("TLS_RSA_WITH_AES_128_CBC_SHA", html);
        Assert.Contains("3 1 1 ABCDEF", html);
        Assert.Contains("Enforce", html);
        Assert.Contains("Tls10, Tls13", html);
        Assert.Contains("mx.contoso.example", html);
    }

    [Fact]
    public void ReadsDeserializedObjectsWithEnumsAsNamesOrNumbers()
    {
        var result = new BagSource("Deserialized.TlsTools.MailTlsResult", new()
        {
            ["Domain"] = "fabrikam.example", ["MxHost"] = "mx1.fabrikam.example", ["IPAddress"] = "192.0.2.1", ["Port"] = 25,
            ["TlsEstablished"] = true, ["Protocol"] = "Tls12", ["ExchangeTlsLevel"] = 2, ["RevocationStatus"] = "1",
            ["CertificateNotAfter"] = Now.AddDays(5), ["CertificateThumbprint"] = "AB",
            ["Notes"] = new List<object?> { "first note", "second note" },
        });
        var summary = new BagSource("Deserialized.TlsTools.MailTlsDomainSummary", new()
        {
            ["Domain"] = "fabrikam.example", ["Verdict"] = 1, ["LowestExchangeTlsLevel"] = "CertificateValidation", ["DefaultDelivery"] = "Tls",
            ["TlsDomainCandidates"] = "mx1.fabrikam.example", ["Reasons"] = new List<object?> { "expires soon" },
            ["Results"] = new List<object?> { result }, ["SoonestExpiry"] = Now.AddDays(5).ToString("o"),
        });
        var data = new MailTlsReportData();
        Assert.Equal(ReportInputKind.MailTlsDomainSummary, data.Add(summary));
        Assert.Equal(ReportInputKind.MailTlsResult, data.Add(result));
        string html = Render(data);
        Assert.Contains("<span class=\"light amber\"", html);
        Assert.Contains("Warning", html);
        Assert.Contains("CertificateValidation", html);
        Assert.Contains("<td>Revoked</td>", html);
        Assert.Contains("2026-12-08 (5 days)", html);
        Assert.Contains("<li>first note</li>", html);
        Assert.Equal(1, Count(html, "<td>192.0.2.1:25</td>"));
        Assert.Contains("1 certificate by the month they expire in", html);
    }

    [Fact]
    public void RecognisesObjectsThatLostTheirTypeName()
    {
        var json = new BagSource(string.Empty, new()
        {
            ["Domain"] = "x.example", ["MxHost"] = "mx.x.example", ["IPAddress"] = "192.0.2.1", ["ExchangeTlsLevel"] = 0, ["TlsEstablished"] = false,
        });
        Assert.Equal(ReportInputKind.MailTlsResult, ReportInput.Classify(json));
        var endpoint = new BagSource("System.Management.Automation.PSCustomObject", new()
        {
            ["Kind"] = "Crl", ["Uri"] = "http://crl.example/a.crl", ["Reachable"] = true, ["Status"] = 0, ["Detail"] = "ok",
        });
        Assert.Equal(ReportInputKind.RevocationEndpointResult, ReportInput.Classify(endpoint));
        Assert.Equal(ReportInputKind.Unsupported, ReportInput.Classify(new BagSource(string.Empty, new() { ["Domain"] = "x.example" })));
    }

    [Fact]
    public void JudgesDomainsWithoutSummaryFromTheirResults()
    {
        var data = new MailTlsReportData();
        data.Add(new ObjectReportSource(Result("a.example", "mx.a.example", "192.0.2.1", 100)));
        data.Add(new ObjectReportSource(Result("b.example", "mx.b.example", "192.0.2.2", 100, tls: false)));
        data.Add(new ObjectReportSource(Result("c.example", "mx.c.example", "192.0.2.3", 12)));
        var verdicts = data.Domains.ToDictionary(d => d.Name, d => ReportVerdicts.Judge(d, Now));
        Assert.Equal(ReportLight.Green, verdicts["a.example"].Light);
        Assert.Equal(ReportLight.Red, verdicts["b.example"].Light);
        Assert.Contains("mx.b.example (192.0.2.2): no TLS", verdicts["b.example"].Reasons);
        Assert.Equal(ReportLight.Amber, verdicts["c.example"].Light);
        Assert.StartsWith("per-address results", verdicts["c.example"].Basis);
    }

    [Fact]
    public void ValueReaderAcceptsEveryForm()
    {
        Assert.Equal(ExchangeTlsLevel.DomainValidation, ReportValue.Enum<ExchangeTlsLevel>("DomainValidation"));
        Assert.Equal(ExchangeTlsLevel.DomainValidation, ReportValue.Enum<ExchangeTlsLevel>("3"));
        Assert.Equal(ExchangeTlsLevel.DomainValidation, ReportValue.Enum<ExchangeTlsLevel>(3));
        Assert.Equal(ExchangeTlsLevel.DomainValidation, ReportValue.Enum<ExchangeTlsLevel>((byte)3));
        Assert.Null(ReportValue.Enum<ExchangeTlsLevel>("42"));
        Assert.Null(ReportValue.Enum<ExchangeTlsLevel>("Bogus"));
        Assert.Equal(new DateTime(2027, 1, 2, 3, 4, 5, DateTimeKind.Utc), ReportValue.Date("2027-01-02T03:04:05Z")!.Value.ToUniversalTime());
        Assert.Equal(new DateTime(2027, 1, 2, 3, 4, 5, DateTimeKind.Utc), ReportValue.Date(new DateTimeOffset(2027, 1, 2, 4, 4, 5, TimeSpan.FromHours(1))));
        Assert.True(ReportValue.Bool("True"));
        Assert.Null(ReportValue.Bool("maybe"));
        Assert.Equal("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;", Html.Encode("<a href=\"x\">'&'</a>"));
    }
}
