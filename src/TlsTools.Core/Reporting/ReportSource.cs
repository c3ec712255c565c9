using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace TlsTools.Reporting;

/// <summary>
/// One input object of the report, read by property name. The cmdlet layer adapts PowerShell
/// objects (live ones and the <c>Deserialized.TlsTools.…</c> property bags that come back through
/// remoting) to it; <see cref="ObjectReportSource"/> adapts plain .NET objects. Values are what the
/// object holds: text, numbers, enums (or their names or numbers after deserialization), dates,
/// nested sources and lists of values.
/// </summary>
public interface IReportSource
{
    /// <summary>The object's type names, most derived first (PowerShell's TypeNames).</summary>
    IReadOnlyList<string> TypeNames { get; }

    /// <summary>True when the object has a property of this name (even one whose value is null).</summary>
    bool Has(string name);

    /// <summary>
    /// The value of a property: null when missing or null; a nested object as an
    /// <see cref="IReportSource"/>; a collection as an <see cref="IList"/> of such values.
    /// </summary>
    object? Get(string name);

    /// <summary>The object as text (its ToString, or the text kept by serialization).</summary>
    string Text { get; }
}

/// <summary>Reads the public properties of a .NET object as a report source.</summary>
public sealed class ObjectReportSource : IReportSource
{
    private readonly object _value;
    private readonly Type _type;
    private readonly string[] _typeNames;

    public ObjectReportSource(object value)
    {
        _value = value ?? throw new ArgumentNullException(nameof(value));
        _type = value.GetType();
        var names = new List<string>();
        for (Type? t = _type; t is not null; t = t.BaseType)
        {
            names.Add(t.FullName ?? t.Name);
        }
        _typeNames = names.ToArray();
    }

    public IReadOnlyList<string> TypeNames => _typeNames;

    public string Text => _value.ToString() ?? string.Empty;

    public bool Has(string name) => Property(name) is not null;

    public object? Get(string name)
    {
        PropertyInfo? p = Property(name);
        return p is null ? null : Wrap(p.GetValue(_value));
    }

    private PropertyInfo? Property(string name)
    {
        PropertyInfo? p = _type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return p is not null && p.GetIndexParameters().Length == 0 ? p : null;
    }

    /// <summary>Turns a property value into a report value: scalars stay, collections become lists, objects sources.</summary>
    public static object? Wrap(object? value)
    {
        if (value is null || ReportValue.IsScalar(value))
        {
            return value;
        }
        if (value is IReportSource)
        {
            return value;
        }
        if (value is IEnumerable items)
        {
            var list = new List<object?>();
            foreach (object? item in items)
            {
                list.Add(Wrap(item));
            }
            return list;
        }
        return new ObjectReportSource(value);
    }
}

/// <summary>Reads report values whatever form they arrived in (live, deserialized, JSON).</summary>
public static class ReportValue
{
    /// <summary>True for values that are shown as they are: text, numbers, enums, dates, durations.</summary>
    public static bool IsScalar(object value) =>
        value is string || value is char || value is bool || value is Enum || value is DateTime || value is DateTimeOffset
        || value is TimeSpan || value is Guid || value is decimal || value is Uri || value.GetType().IsPrimitive;

    public static string? Text(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case string s:
                return s;
            case IReportSource source:
                return source.Text;
            case DateTime d:
                return d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            case DateTimeOffset o:
                return o.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
            case bool b:
                return b ? "True" : "False";
            case IList list:
                return string.Join(", ", list.Cast<object?>().Select(Text).Where(t => !string.IsNullOrEmpty(t)));
            case IFormattable f:
                return f.ToString(null, CultureInfo.InvariantCulture);
            default:
                return value.ToString();
        }
    }

    public static string? Text(IReportSource source, string name) => Text(source.Get(name));

    /// <summary>The values of a list property as text; a single value (or a list that serialization flattened to text) as one entry.</summary>
    public static IReadOnlyList<string> Strings(IReportSource source, string name)
    {
        object? value = source.Get(name);
        if (value is null)
        {
            return Array.Empty<string>();
        }
        if (value is IList list)
        {
            return list.Cast<object?>().Select(Text).Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToList();
        }
        string? text = Text(value);
        return string.IsNullOrEmpty(text) ? Array.Empty<string>() : new[] { text! };
    }

    /// <summary>The nested objects of a list property (items that are not objects are left out).</summary>
    public static IReadOnlyList<IReportSource> Sources(IReportSource source, string name) =>
        source.Get(name) switch
        {
            IList list => list.OfType<IReportSource>().ToList(),
            IReportSource one => new[] { one },
            _ => Array.Empty<IReportSource>(),
        };

    /// <summary>An enum value given as the enum, its name or its number; null when missing or not a value of <typeparamref name="T"/>.</summary>
    public static T? Enum<T>(object? value)
        where T : struct, Enum
    {
        switch (value)
        {
            case null:
                return null;
            case T t:
                return t;
            case Enum other:
                return Enum<T>(other.ToString());
            case string s:
                s = s.Trim();
                if (s.Length == 0)
                {
                    return null;
                }
                if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
                {
                    return FromNumber<T>(n);
                }
                return System.Enum.TryParse(s, ignoreCase: true, out T parsed) && IsDefined(parsed) ? parsed : null;
            case IReportSource source:
                return Enum<T>(source.Text);
            default:
                if (value.GetType().IsPrimitive && value is IConvertible c)
                {
                    try
                    {
                        return FromNumber<T>(c.ToInt64(CultureInfo.InvariantCulture));
                    }
                    catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                    {
                        return null;
                    }
                }
                return null;
        }
    }

    public static T? Enum<T>(IReportSource source, string name)
        where T : struct, Enum => Enum<T>(source.Get(name));

    /// <summary>The enum's name when known, else the value as text (a value this version does not know).</summary>
    public static string? EnumText<T>(IReportSource source, string name)
        where T : struct, Enum
    {
        object? value = source.Get(name);
        T? known = Enum<T>(value);
        return known?.ToString() ?? Text(value);
    }

    // The generic Enum.IsDefined is not on .NET Framework.
    private static bool IsDefined(object value) => System.Enum.IsDefined(value.GetType(), value);

    private static T? FromNumber<T>(long n)
        where T : struct, Enum
    {
        object boxed = System.Enum.ToObject(typeof(T), n);
        return System.Enum.IsDefined(typeof(T), boxed) ? (T)boxed : null;
    }

    public static DateTime? Date(object? value)
    {
        switch (value)
        {
            case DateTime d:
                return d;
            case DateTimeOffset o:
                return o.UtcDateTime;
            case string s when s.Length > 0:
                return DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind | DateTimeStyles.AllowWhiteSpaces, out DateTime parsed) ? parsed : null;
            case IReportSource source:
                return Date(source.Text);
            default:
                return null;
        }
    }

    public static DateTime? Date(IReportSource source, string name) => Date(source.Get(name));

    public static long? Number(object? value)
    {
        switch (value)
        {
            case null:
                return null;
            case bool:
                return null;
            case string s:
                return long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : null;
            case Enum e:
                return Convert.ToInt64(e, CultureInfo.InvariantCulture);
            default:
                if (value.GetType().IsPrimitive || value is decimal)
                {
                    try
                    {
                        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
                    }
                    catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                    {
                        return null;
                    }
                }
                return null;
        }
    }

    public static int? Int(IReportSource source, string name)
    {
        long? n = Number(source.Get(name));
        return n is null || n > int.MaxValue || n < int.MinValue ? null : (int)n.Value;
    }

    public static bool? Bool(object? value) => value switch
    {
        bool b => b,
        string s when bool.TryParse(s.Trim(), out bool parsed) => parsed,
        IReportSource source => Bool(source.Text),
        _ => null,
    };

    public static bool? Bool(IReportSource source, string name) => Bool(source.Get(name));

    /// <summary>A duration as TimeSpan, or its text ("00:00:01.5") after serialization to text.</summary>
    public static TimeSpan? Duration(IReportSource source, string name) => source.Get(name) switch
    {
        TimeSpan t => t,
        string s when TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out TimeSpan parsed) => parsed,
        _ => null,
    };
}
