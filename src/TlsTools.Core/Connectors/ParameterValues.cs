using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace TlsTools.Connectors;

/// <summary>Turns caller-supplied values into the plain types a specification carries, and checks them against a parameter's kind.</summary>
public static class ParameterValues
{
    /// <summary>
    /// Normalises a value: bool, string and int stay; enums become their names; other integers
    /// become int; lists of strings become string[]; a dictionary becomes a Hashtable of string[]
    /// (for Add/Remove). Returns false for anything else (script blocks, objects, nested lists).
    /// </summary>
    public static bool TryNormalize(object? value, out object? normalized)
    {
        normalized = null;
        switch (value)
        {
            case null:
                return true;
            case bool or string or int:
                normalized = value;
                return true;
            case Enum e:
                normalized = e.ToString();
                return true;
            case long or short or byte or sbyte or ushort or uint:
                long l = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                if (l < int.MinValue || l > int.MaxValue)
                {
                    return false;
                }
                normalized = (int)l;
                return true;
            case IDictionary d:
                var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (DictionaryEntry entry in d)
                {
                    if (entry.Key is not string key || !TryStringList(entry.Value, out string[]? list))
                    {
                        return false;
                    }
                    table[key] = list;
                }
                normalized = table;
                return true;
            case IEnumerable:
                if (TryStringList(value, out string[]? strings))
                {
                    normalized = strings;
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    private static bool TryStringList(object? value, out string[]? list)
    {
        list = null;
        switch (value)
        {
            case string s:
                list = new[] { s };
                return true;
            case IEnumerable e and not IDictionary:
                var items = new List<string>();
                foreach (object? o in e)
                {
                    if (o is string s)
                    {
                        items.Add(s);
                    }
                    else
                    {
                        return false;
                    }
                }
                list = items.ToArray();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Fits a normalised value to the parameter: a single string for a list becomes string[]; enum names take the documented casing.</summary>
    public static object? Coerce(ExchangeParameter parameter, object? value)
    {
        switch (parameter.Kind)
        {
            case ParameterKind.StringList when value is string s:
                return new[] { s };
            case ParameterKind.Enum when value is string s:
                return parameter.Values.FirstOrDefault(v => string.Equals(v, s, StringComparison.OrdinalIgnoreCase)) ?? s;
            case ParameterKind.EnumList when value is string[] a:
                return a.Select(x => parameter.Values.FirstOrDefault(v => string.Equals(v, x.Trim(), StringComparison.OrdinalIgnoreCase)) ?? x).ToArray();
            case ParameterKind.EnumList when value is string s:
                return parameter.Values.FirstOrDefault(v => string.Equals(v, s.Trim(), StringComparison.OrdinalIgnoreCase)) ?? s;
            default:
                return value;
        }
    }

    /// <summary>Whether a (normalised) value binds to the parameter.</summary>
    public static bool IsOfKind(ExchangeParameter parameter, object? value)
    {
        switch (parameter.Kind)
        {
            case ParameterKind.Bool:
                return value is bool;
            case ParameterKind.Int:
                return value is int;
            case ParameterKind.String:
                return value is string;
            case ParameterKind.Enum:
                return value is string s && parameter.Values.Contains(s, StringComparer.OrdinalIgnoreCase);
            case ParameterKind.StringList:
                return value is string[] || value is string;
            case ParameterKind.EnumList:
                IEnumerable<string>? items = value switch
                {
                    string s1 => s1.Split(','),
                    string[] a => a.SelectMany(x => x.Split(',')),
                    _ => null,
                };
                return items is not null && items.Select(i => i.Trim()).All(i => parameter.Values.Contains(i, StringComparer.OrdinalIgnoreCase));
            case ParameterKind.AddRemoveList:
                return value is IDictionary d && d.Count > 0 && d.Keys.Cast<object>().All(k => k is string key
                    && (string.Equals(key, "Add", StringComparison.OrdinalIgnoreCase) || string.Equals(key, "Remove", StringComparison.OrdinalIgnoreCase))
                    && (d[k] is string[] || d[k] is string));
            default:
                return false;
        }
    }

    public static string Describe(ExchangeParameter parameter) => parameter.Kind switch
    {
        ParameterKind.Bool => "$true or $false",
        ParameterKind.Int => "a number",
        ParameterKind.String => "a string",
        ParameterKind.Enum => "one of " + string.Join(", ", parameter.Values),
        ParameterKind.StringList => "a string or string[]",
        ParameterKind.EnumList => "one or more of " + string.Join(", ", parameter.Values),
        ParameterKind.AddRemoveList => "@{ Add = 'domain', ... } (a plain list would replace the whole organisation-wide list)",
        _ => parameter.Kind.ToString(),
    };

    public static string DescribeValue(object? value) => value switch
    {
        null => "$null",
        string s => "'" + s + "'",
        bool b => b ? "$true" : "$false",
        string[] a => "@(" + string.Join(", ", a.Select(x => "'" + x + "'")) + ")",
        _ => "a " + value.GetType().Name,
    };
}
