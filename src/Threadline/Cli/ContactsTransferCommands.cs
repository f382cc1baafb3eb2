using System.CommandLine;
using Spectre.Console;
using Threadline.Import;

namespace Threadline.Cli;

/// <summary><c>threadline import contacts FILE.csv [--dry-run] [--region DE]</c> and <c>threadline export contacts FILE.csv</c>.</summary>
public static class ContactsTransferCommands
{
    public static Command Import()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "CSV with a header row: name, phone, email, company, owner, tags, language (any case, any order)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read and check everything, write nothing." };
        var region = new Option<string?>("--region") { Description = "ISO 3166 region for numbers without a country code (default: Business:DefaultRegion)." };
        var contacts = new Command("contacts", "Import contacts from a CSV file.") { file, dryRun, region };
        contacts.TreatUnmatchedTokensAsErrors = false;
        contacts.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                AnsiConsole.MarkupLine($"[red]No such file: {Markup.Escape(path.FullName)}[/]");
                return 2;
            }
            var args = parse.UnmatchedTokens.ToArray();
            var db = CliStore.Open(args);
            await new Threadline.Store.Migrations.MigrationRunner(db, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Threadline.Store.Migrations.MigrationRunner>.Instance).ApplyAsync(ct);
            string? defaultRegion = parse.GetValue(region) ?? CliStore.Configuration(args)["Business:DefaultRegion"];
            ImportReport? report = null;
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape($"import {path.Name}"), maxValue: Math.Max(1, path.Length));
                    using var stream = path.OpenRead();
                    using var text = new StreamReader(stream);
                    report = await new ContactImport(db, TimeProvider.System).RunAsync(text, string.IsNullOrWhiteSpace(defaultRegion) ? null : defaultRegion,
                        parse.GetValue(dryRun), _ => task.Value = stream.Position, ct);
                    task.Value = task.MaxValue;
                });
            var summary = new Table().Title(report!.DryRun ? "Import (dry run: nothing written)" : "Import")
                .AddColumns("rows", "created", "updated", "duplicates found", "numbers flagged (kept verbatim)", "rejected");
            summary.AddRow(report.Rows.ToString(), report.Created.ToString(), report.Updated.ToString(), report.DuplicatesFound.ToString(),
                report.FlaggedNumbers.ToString(), report.Rejected.Count.ToString());
            AnsiConsole.Write(summary);
            if (report.Rejected.Count > 0)
            {
                var rejected = new Table().Title("Rejected rows").AddColumns("line", "reason");
                foreach (var r in report.Rejected.Take(200)) rejected.AddRow(r.Line.ToString(), Markup.Escape(r.Reason));
                AnsiConsole.Write(rejected);
                if (report.Rejected.Count > 200) AnsiConsole.MarkupLine($"… and {report.Rejected.Count - 200} more.");
            }
            return 0;
        });
        var import = new Command("import", "Import data into Threadline.");
        import.Subcommands.Add(contacts);
        import.Subcommands.Add(ChatImportCommand.Create());
        return import;
    }

    public static Command Export()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "Where to write the CSV." };
        var contacts = new Command("contacts", "Export all contacts to a CSV file (spreadsheet-safe).") { file };
        contacts.TreatUnmatchedTokensAsErrors = false;
        contacts.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var db = CliStore.Open(parse.UnmatchedTokens.ToArray());
            await using var writer = new StreamWriter(path.FullName, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            int count = await new ContactExport(db).RunAsync(writer, ct);
            AnsiConsole.MarkupLine($"Exported {count} contact(s) to {Markup.Escape(path.FullName)}.");
            return 0;
        });
        var export = new Command("export", "Export data from Threadline.");
        export.Subcommands.Add(contacts);
        return export;
    }
}
