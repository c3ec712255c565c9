using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using TlsTools.Headers;

namespace TlsTools.Commands;

/// <summary>
/// Reads the Received headers of delivered messages and tells, hop by hop, whether each used TLS,
/// with which protocol version and cipher suite, as each receiving MTA recorded it.
/// </summary>
/// <remarks>
/// No MimeKit type appears in this class: messages are taken as objects and read by the core
/// (MailHeaderReader), so MimeKit loads when the cmdlet runs, never at Import-Module, and a
/// MimeMessage from any MimeKit works.
/// </remarks>
// The default set is Message, whose parameter takes piped objects by value: with Path (bound by
// property name only) as the default, PowerShell would try nothing else for piped input.
[Cmdlet(VerbsCommon.Get, "MailTlsPath", DefaultParameterSetName = MessageSet)]
[OutputType(typeof(MailTlsHop), typeof(MailTlsPathSummary))]
public sealed class GetMailTlsPathCommand : TlsCmdletBase
{
    private const string PathSet = "Path";
    private const string MessageSet = "Message";
    private const string TextSet = "HeaderText";

    /// <summary>Message files: .eml, mbox-style single messages, header text saved as .txt, Outlook .msg. Wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>
    /// MimeKit MimeMessage objects (from any MimeKit). Piped objects land here: files
    /// (Get-ChildItem) and strings are read as paths, strings with a line break as header text.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = MessageSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object[] Message { get; set; } = Array.Empty<object>();

    /// <summary>Header text: a whole message, or its headers as a mail client shows them.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TextSet)]
    [ValidateNotNull]
    public string[] HeaderText { get; set; } = Array.Empty<string>();

    /// <summary>One summary per message instead of one object per hop.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Domains of one's own organisation: a hop between hosts under these domains does not cross an organisation boundary.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] OrganizationDomain { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                foreach (string path in Path)
                {
                    ReadPath(path, literal: false);
                }
                break;
            case TextSet:
                foreach (string text in HeaderText)
                {
                    Emit(MailHeaderReader.ReadText(text, null, StopToken), "header text");
                }
                break;
            case MessageSet:
                foreach (object item in Message)
                {
                    ReadObject(item);
                }
                break;
        }
    }

    private void ReadObject(object item)
    {
        object value = item is PSObject pso ? pso.BaseObject : item;
        switch (value)
        {
            case FileSystemInfo file:
                ReadPath(file.FullName, literal: true);
                return;
            case string text when text.IndexOf('\n') >= 0:
                Emit(MailHeaderReader.ReadText(text, null, StopToken), "header text");
                return;
            case string path:
                ReadPath(path, literal: false);
                return;
        }
        if (MailHeaderReader.IsMimeMessage(value))
        {
            Emit(MailHeaderReader.ReadMessageObject(value, StopToken), "message");
            return;
        }
        var e = new ArgumentException($"Get-MailTlsPath reads message files, header text and MimeKit MimeMessage objects, not {value.GetType().FullName}.");
        WriteError(new ErrorRecord(e, "InvalidMessage", ErrorCategory.InvalidArgument, value)
        {
            ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Give -Path a .eml, .msg or .txt file, -HeaderText the headers, or -Message a MimeMessage." },
        });
    }

    private void ReadPath(string path, bool literal)
    {
        IReadOnlyList<string> files;
        try
        {
            string unresolved = GetUnresolvedProviderPathFromPSPath(path);
            files = literal || File.Exists(unresolved)
                ? new[] { unresolved }
                : SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _).ToList();
        }
        catch (Exception e) when (e is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            WriteError(NotFound(path, e));
            return;
        }
        if (files.Count == 0)
        {
            WriteError(NotFound(path, null));
            return;
        }
        foreach (string file in files)
        {
            StopToken.ThrowIfCancellationRequested();
            if (!File.Exists(file))
            {
                WriteError(NotFound(file, null));
                continue;
            }
            MessageHeaders message;
            try
            {
                message = MailHeaderReader.ReadFile(file, StopToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(e, "MessageFileUnreadable", ErrorCategory.ReadError, file)
                {
                    ErrorDetails = new ErrorDetails($"{file}: {e.Message}") { RecommendedAction = "Check that the file can be read by this account." },
                });
                continue;
            }
            Emit(message, file);
        }
    }

    private void Emit(MessageHeaders message, string label)
    {
        List<MailTlsHop> hops = MailTlsPath.Build(message, OrganizationDomain);
        foreach (string note in message.Notes)
        {
            WriteVerbose($"{label}: {note}");
        }
        if (Summary)
        {
            WriteObject(MailTlsPath.Summarize(message, hops));
            return;
        }
        if (hops.Count == 0)
        {
            WriteWarning($"{label}: no Received header{(message.Notes.Count > 0 ? " (" + string.Join(" ", message.Notes) + ")" : string.Empty)}.");
            return;
        }
        foreach (MailTlsHop hop in hops)
        {
            WriteObject(hop);
        }
    }

    private static ErrorRecord NotFound(string path, Exception? inner)
    {
        var e = new FileNotFoundException($"Cannot find the message file '{path}'.", path, inner);
        return new ErrorRecord(e, "PathNotFound", ErrorCategory.ObjectNotFound, path)
        {
            ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Check the path; wildcards are allowed." },
        };
    }
}
