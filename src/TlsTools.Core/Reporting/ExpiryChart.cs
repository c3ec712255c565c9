using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace TlsTools.Reporting;

/// <summary>One certificate on the expiry chart.</summary>
public sealed class ExpiryPoint
{
    public DateTime NotAfterUtc { get; init; }

    /// <summary>Where it was seen: MX hosts or host names, distinct.</summary>
    public List<string> Hosts { get; } = new();

    /// <summary>The domains it serves.</summary>
    public List<string> Domains { get; } = new();

    public string? Subject { get; init; }

    public int DaysLeft(DateTime nowUtc) => (int)Math.Floor((NotAfterUtc - nowUtc).TotalDays);
}

/// <summary>
/// The certificate expiry chart: one bar per month from this month on (certificates already
/// expired in a bar of their own at the left, those beyond the chart's range at the right), each
/// bar stacked by urgency, drawn as inline SVG with no script.
/// </summary>
public static class ExpiryChart
{
    /// <summary>Months shown after the current one before the "later" bar.</summary>
    public const int MonthsShown = 36;

    internal const int Width = 960;
    internal const int Height = 280;
    private const int Left = 48;
    private const int Right = 16;
    private const int Top = 24;
    private const int Bottom = 56;

    /// <summary>Certificates seen in the report's input, one point per certificate (by thumbprint, else by host and date).</summary>
    public static List<ExpiryPoint> Collect(IEnumerable<ReportDomain> domains)
    {
        var points = new Dictionary<string, ExpiryPoint>(StringComparer.OrdinalIgnoreCase);
        foreach (ReportDomain d in domains)
        {
            bool any = false;
            foreach (IReportSource r in d.Addresses)
            {
                DateTime? notAfter = ReportValue.Date(r, "CertificateNotAfter");
                if (notAfter is null)
                {
                    continue;
                }
                any = true;
                string host = ReportValue.Text(r, "MxHost") ?? ReportValue.Text(r, "IPAddress") ?? string.Empty;
                string key = ReportValue.Text(r, "CertificateThumbprint") is { Length: > 0 } t ? t : host + "|" + notAfter.Value.ToString("o", CultureInfo.InvariantCulture);
                Add(points, key, notAfter.Value, host, d.Name, ReportValue.Text(r, "CertificateSubject"));
            }
            if (!any && d.Summary is { } s && ReportValue.Date(s, "SoonestExpiry") is { } soonest)
            {
                Add(points, "summary|" + d.Name, soonest, d.Name, d.Name, null);
            }
        }
        return points.Values.OrderBy(p => p.NotAfterUtc).ToList();
    }

    private static void Add(Dictionary<string, ExpiryPoint> points, string key, DateTime notAfter, string host, string domain, string? subject)
    {
        if (!points.TryGetValue(key, out ExpiryPoint? p))
        {
            p = new ExpiryPoint { NotAfterUtc = notAfter.Kind == DateTimeKind.Local ? notAfter.ToUniversalTime() : notAfter, Subject = subject };
            points.Add(key, p);
        }
        if (host.Length > 0 && !p.Hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            p.Hosts.Add(host);
        }
        if (domain.Length > 0 && !p.Domains.Contains(domain, StringComparer.OrdinalIgnoreCase))
        {
            p.Domains.Add(domain);
        }
    }

    private sealed class Bucket
    {
        public string Label = string.Empty;
        public string Title = string.Empty;
        public int Expired;
        public int Soon;
        public int Later;
        public readonly List<string> Names = new();

        public int Total => Expired + Soon + Later;
    }

    /// <summary>Writes the chart as an <c>svg</c> element; nothing when there are no points.</summary>
    public static void Write(TextWriter w, IReadOnlyList<ExpiryPoint> points, DateTime nowUtc)
    {
        if (points.Count == 0)
        {
            return;
        }
        var first = new DateTime(nowUtc.Year, nowUtc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        DateTime last = points.Max(p => p.NotAfterUtc);
        int monthsToLast = ((last.Year - first.Year) * 12) + last.Month - first.Month;
        int months = Math.Max(1, Math.Min(MonthsShown, monthsToLast) + 1);
        var buckets = new List<Bucket>();
        bool anyExpired = points.Any(p => p.NotAfterUtc < nowUtc);
        if (anyExpired)
        {
            buckets.Add(new Bucket { Label = "expired", Title = "Expired" });
        }
        int monthStart = buckets.Count;
        for (int i = 0; i < months; i++)
        {
            DateTime m = first.AddMonths(i);
            buckets.Add(new Bucket { Label = m.ToString("yyyy-MM", CultureInfo.InvariantCulture), Title = m.ToString("MMMM yyyy", CultureInfo.InvariantCulture) });
        }
        bool anyLater = monthsToLast >= MonthsShown + 1;
        if (anyLater)
        {
            buckets.Add(new Bucket { Label = "later", Title = "After " + first.AddMonths(months - 1).ToString("MMMM yyyy", CultureInfo.InvariantCulture) });
        }
        foreach (ExpiryPoint p in points)
        {
            Bucket b;
            if (p.NotAfterUtc < nowUtc)
            {
                b = buckets[0];
                b.Expired++;
            }
            else
            {
                int index = ((p.NotAfterUtc.Year - first.Year) * 12) + p.NotAfterUtc.Month - first.Month;
                b = index < months ? buckets[monthStart + index] : buckets[buckets.Count - 1];
                if (p.NotAfterUtc < nowUtc.AddDays(30))
                {
                    b.Soon++;
                }
                else
                {
                    b.Later++;
                }
            }
            if (b.Names.Count < 10)
            {
                b.Names.Add(string.Join(" ", p.Hosts.Take(3)) + " " + p.NotAfterUtc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
        }

        int max = Math.Max(1, buckets.Max(b => b.Total));
        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        double slot = plotWidth / buckets.Count;
        double barWidth = Math.Max(2, slot * 0.7);
        int labelEvery = (int)Math.Ceiling(buckets.Count / 12.0);

        w.Write(F("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\">", Width, Height));
        w.Write("<title id=\"chart-title\">Certificate expiry by month</title>");
        w.Write(F("<desc id=\"chart-desc\">{0} certificates: {1} expired, {2} expire within 30 days, {3} later.</desc>",
            points.Count, points.Count(p => p.NotAfterUtc < nowUtc), points.Count(p => p.NotAfterUtc >= nowUtc && p.NotAfterUtc < nowUtc.AddDays(30)), points.Count(p => p.NotAfterUtc >= nowUtc.AddDays(30))));
        // Axes and grid: 0, half and the maximum.
        foreach (int tick in new[] { 0, max / 2, max }.Distinct())
        {
            double y = Top + plotHeight - (plotHeight * tick / max);
            w.Write(F("<line class=\"grid\" x1=\"{0}\" y1=\"{1:0.#}\" x2=\"{2}\" y2=\"{1:0.#}\"/>", Left, y, Width - Right));
            w.Write(F("<text class=\"tick\" x=\"{0}\" y=\"{1:0.#}\" text-anchor=\"end\">{2}</text>", Left - 6, y + 4, tick));
        }
        for (int i = 0; i < buckets.Count; i++)
        {
            Bucket b = buckets[i];
            double x = Left + (slot * i) + ((slot - barWidth) / 2);
            double baseY = Top + plotHeight;
            w.Write("<g class=\"bar\"><title>");
            Html.Write(w, F("{0}: {1} certificate(s){2}", b.Title, b.Total, b.Names.Count > 0 ? " - " + string.Join("; ", b.Names) + (b.Total > b.Names.Count ? "; ..." : string.Empty) : string.Empty));
            w.Write("</title>");
            foreach ((int count, string cls) in new[] { (b.Expired, "expired"), (b.Soon, "soon"), (b.Later, "later") })
            {
                if (count == 0)
                {
                    continue;
                }
                double h = plotHeight * count / max;
                baseY -= h;
                w.Write(F("<rect class=\"{0}\" x=\"{1:0.##}\" y=\"{2:0.##}\" width=\"{3:0.##}\" height=\"{4:0.##}\"/>", cls, x, baseY, barWidth, h));
            }
            if (b.Total > 0)
            {
                w.Write(F("<text class=\"count\" x=\"{0:0.##}\" y=\"{1:0.##}\" text-anchor=\"middle\">{2}</text>", x + (barWidth / 2), baseY - 4, b.Total));
            }
            w.Write("</g>");
            bool edge = (anyExpired && i == 0) || (anyLater && i == buckets.Count - 1);
            if (edge || (i - monthStart) % labelEvery == 0)
            {
                w.Write(F("<text class=\"label\" x=\"{0:0.##}\" y=\"{1}\" text-anchor=\"middle\">", x + (barWidth / 2), Height - Bottom + 16));
                Html.Write(w, b.Label);
                w.Write("</text>");
            }
        }
        // Today: where the current day falls in this month's bar.
        double monthFraction = (nowUtc - first).TotalDays / DateTime.DaysInMonth(first.Year, first.Month);
        double todayX = Left + (slot * (monthStart + monthFraction));
        w.Write(F("<line class=\"today\" x1=\"{0:0.##}\" y1=\"{1}\" x2=\"{0:0.##}\" y2=\"{2}\"/>", todayX, Top - 8, Top + plotHeight));
        w.Write(F("<text class=\"today-label\" x=\"{0:0.##}\" y=\"{1}\" text-anchor=\"middle\">today</text>", todayX, Top - 12));
        // Legend.
        int legendY = Height - 14;
        int legendX = Left;
        foreach ((string cls, string text) in new[] { ("expired", "expired"), ("soon", "expires within 30 days"), ("later", "later") })
        {
            w.Write(F("<rect class=\"{0}\" x=\"{1}\" y=\"{2}\" width=\"12\" height=\"12\"/>", cls, legendX, legendY - 10));
            w.Write(F("<text class=\"legend\" x=\"{0}\" y=\"{1}\">{2}</text>", legendX + 16, legendY, text));
            legendX += 40 + (text.Length * 7);
        }
        w.Write("</svg>");
    }

    private static string F(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
