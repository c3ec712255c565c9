using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using TlsTools.Reporting;

namespace TlsTools.Commands;

/// <summary>
/// Writes one self-contained HTML page from TlsTools output: a verdict per domain, the certificate
/// expiry chart, details per address, the revocation endpoints and message paths.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "MailTlsReport")]
[OutputType(typeof(FileInfo))]
public sealed class ConvertToMailTlsReportCommand : TlsCmdletBase
{
    private readonly MailTlsReportData _data = new();
    private string _path = string.Empty;

    /// <summary>The HTML file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Output of Test-MailTls, Get-TlsCipherSuite, Get-MailTlsPolicy, Test-CrlReachability and Get-MailTlsPath, live or deserialized.</summary>
    // Not mandatory, so that a script never stops at a prompt: without input the page says so.
    [Parameter(ValueFromPipeline = true)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    /// <summary>The page's title.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = "Mail TLS report";

    /// <summary>Writes the report's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Does not overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    protected override void BeginProcessing()
    {
        try
        {
            _path = GetUnresolvedProviderPathFromPSPath(Path);
        }
        catch (Exception e) when (e is ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or NotSupportedException or ArgumentException or ProviderInvocationException)
        {
            ThrowTerminatingError(NotWritable(Path, e));
            return;
        }
        // Fail before reading thousands of objects, not after.
        if (NoClobber && File.Exists(_path))
        {
            ThrowTerminatingError(FileExists(_path));
        }
        if (Directory.Exists(_path))
        {
            ThrowTerminatingError(NotWritable(_path, new IOException($"'{_path}' is a directory.")));
        }
    }

    protected override void ProcessRecord()
    {
        if (InputObject is null)
        {
            return;
        }
        // Arrays of results (a, b | ConvertTo-MailTlsReport, or -InputObject $results) are read item by item.
        if (InputObject.BaseObject is System.Collections.IEnumerable items and not string and not System.Collections.IDictionary)
        {
            foreach (object? item in items)
            {
                if (item is not null)
                {
                    Add(PSObject.AsPSObject(item));
                }
            }
            return;
        }
        Add(InputObject);
    }

    private void Add(PSObject input)
    {
        if (_data.Add(new PSObjectReportSource(input)) == ReportInputKind.Unsupported)
        {
            string typeName = input.TypeNames.Count > 0 ? input.TypeNames[0] : input.BaseObject.GetType().FullName ?? "object";
            var e = new ArgumentException($"ConvertTo-MailTlsReport does not read {typeName}: it reads {string.Join(", ", ReportInput.SupportedTypeNames)} (also deserialized).");
            WriteError(new ErrorRecord(e, "UnsupportedReportInput", ErrorCategory.InvalidType, input)
            {
                ErrorDetails = new ErrorDetails(e.Message)
                {
                    RecommendedAction = "Pipe the output of Test-MailTls, Get-TlsCipherSuite, Get-MailTlsPolicy, Test-CrlReachability or Get-MailTlsPath.",
                },
            });
        }
    }

    protected override void EndProcessing()
    {
        var options = new MailTlsReportOptions
        {
            Title = Title,
            NowUtc = DateTime.UtcNow,
            Version = MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(ConvertToMailTlsReportCommand).Assembly.GetName().Version?.ToString(3),
        };
        FileInfo file;
        try
        {
            string? directory = System.IO.Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
            {
                throw new DirectoryNotFoundException($"The folder '{directory}' does not exist.");
            }
            using (var stream = new FileStream(_path, NoClobber ? FileMode.CreateNew : FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024))
            {
                MailTlsReportWriter.Write(writer, _data, options);
            }
            file = new FileInfo(_path);
        }
        catch (IOException e) when (NoClobber && File.Exists(_path) && e is not DirectoryNotFoundException)
        {
            ThrowTerminatingError(FileExists(_path));
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            ThrowTerminatingError(NotWritable(_path, e));
            return;
        }
        WriteVerbose($"Wrote {file.FullName} ({file.Length} bytes).");
        if (PassThru)
        {
            WriteObject(file);
        }
    }

    private static ErrorRecord FileExists(string path)
    {
        var e = new IOException($"The file '{path}' already exists and -NoClobber was given.");
        return new ErrorRecord(e, "FileExists", ErrorCategory.ResourceExists, path)
        {
            ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Give another -Path, or leave out -NoClobber to overwrite the file." },
        };
    }

    private static ErrorRecord NotWritable(string path, Exception inner) =>
        new(inner, "PathNotWritable", ErrorCategory.WriteError, path)
        {
            ErrorDetails = new ErrorDetails($"Cannot write the report to '{path}': {inner.Message}") { RecommendedAction = "Give a path in an existing folder that this account can write to." },
        };
}
