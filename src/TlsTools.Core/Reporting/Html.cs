using System.IO;

namespace TlsTools.Reporting;

/// <summary>HTML encoding for text from untrusted input: every character that could open markup or end an attribute is escaped, control characters are dropped.</summary>
public static class Html
{
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }
        var writer = new StringWriter();
        Write(writer, text);
        return writer.ToString();
    }

    /// <summary>Writes <paramref name="text"/> encoded; safe in element content and in quoted attribute values.</summary>
    public static void Write(TextWriter writer, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        int start = 0;
        for (int i = 0; i < text!.Length; i++)
        {
            char c = text[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '`' => "&#96;",
                _ => IsDropped(c) ? string.Empty : null,
            };
            if (replacement is null)
            {
                continue;
            }
            if (i > start)
            {
                writer.Write(text.Substring(start, i - start));
            }
            writer.Write(replacement);
            start = i + 1;
        }
        if (start < text.Length)
        {
            writer.Write(start == 0 ? text : text.Substring(start));
        }
    }

    // C0 controls other than tab, line feed and carriage return, DEL, C1 controls, and the
    // non-characters U+FFFE/U+FFFF are not allowed in HTML text. Lone surrogates are replaced by
    // the encoder of the file anyway.
    private static bool IsDropped(char c) =>
        (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7F && c <= 0x9F) || c == '\uFFFE' || c == '\uFFFF';
}
