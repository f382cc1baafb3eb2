using System.CommandLine;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Threadline.Configuration;
using Threadline.Import;
using Threadline.Pipeline;
using Threadline.Pipeline.History;
using Threadline.Store.Conversations;
using Threadline.Store.Identity;
using Threadline.Store.Migrations;

namespace Threadline.Cli;

/// <summary>
/// <c>threadline import chat FILE.txt --contact PHONE [--me NAME] [--timezone ZONE] [--month-first]</c>: a WhatsApp
/// "Export chat" file into the contact's history, with a progress bar and a summary of the lines it could not read.
/// </summary>
public static class ChatImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The exported chat (.txt, Android or iOS layout, any date order)." };
        var contact = new Option<string>("--contact") { Description = "The contact's phone number (any format; local numbers use Business:DefaultRegion).", Required = true };
        var me = new Option<string?>("--me") { Description = "The business's side, as the export names it. Needed unless the file has two authors and one is the contact." };
        var zone = new Option<string?>("--timezone") { Description = "IANA zone of the exporting phone's clock (default: Business:TimeZone)." };
        var monthFirst = new Option<bool>("--month-first") { Description = "Read ambiguous dates (all fields ≤ 12) as M/D/Y; the default is D/M/Y." };
        var command = new Command("chat", "Import a WhatsApp chat export into a contact's history (idempotent).") { file, contact, me, zone, monthFirst };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                AnsiConsole.MarkupLine($"[red]No such file: {Markup.Escape(path.FullName)}[/]");
                return 2;
            }
            var args = parse.UnmatchedTokens.ToArray();
            var config = CliStore.Configuration(args);
            var business = new BusinessOptions();
            config.GetSection(BusinessOptions.Section).Bind(business);
            var routing = new RoutingOptions();
            config.GetSection(RoutingOptions.Section).Bind(routing);
            string timeZone = parse.GetValue(zone) ?? business.TimeZone;
            if (NodaTime.DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) is null)
            {
                AnsiConsole.MarkupLine($"[red]'{Markup.Escape(timeZone)}' is not an IANA time zone (e.g. Europe/Berlin).[/]");
                return 2;
            }
            var rules = RulesCommand.LoadOrReport(routing.RulesFile);
            if (rules is null) return 2;

            var db = CliStore.Open(args);
            await new MigrationRunner(db, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync(ct);
            ChatExport? export = null;
            string sha;
            await using (var stream = path.OpenRead()) sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            ChatImportReport? report = null;
            try
            {
                await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
                    .StartAsync(async context =>
                    {
                        var reading = context.AddTask(Markup.Escape($"read {path.Name}"), maxValue: Math.Max(1, path.Length));
                        using (var text = new StreamReader(path.FullName))
                            export = ChatExportParser.Parse(text, timeZone, parse.GetValue(monthFirst) ? false : null, chars => reading.Value = Math.Min(reading.MaxValue, chars));
                        reading.Value = reading.MaxValue;
                        var writing = context.AddTask("write history", maxValue: 1);
                        var clock = TimeProvider.System;
                        var import = new ChatImport(db, new ContactQueries(db), new ContactCommands(db, clock), new ConversationStore(db), new ConversationWriter(db, new Threadline.Store.FollowUps.FollowUpStore(db), new Threadline.Store.Outbox.OutboxStore(db)),
                            new ConversationPipeline(rules, business.ToProfile()), clock);
                        report = await import.RunAsync(export, path.Name, sha, parse.GetValue(contact)!, parse.GetValue(me),
                            string.IsNullOrWhiteSpace(business.DefaultRegion) ? null : business.DefaultRegion, ct);
                        writing.Value = 1;
                    });
            }
            catch (ChatImportException ex)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
                return 2;
            }
            var r = report!;
            var summary = new Table().Title($"Chat import: contact {r.ContactId}{(r.ContactCreated ? " (created)" : "")}, business side \"{Markup.Escape(r.Me)}\"")
                .AddColumns("messages in file", "added", "already imported", "captured live", "conversations formed", "system lines", "unreadable lines", "date order");
            summary.AddRow(r.Messages.ToString(), r.Added.ToString(), r.AlreadyImported.ToString(), r.CapturedLive.ToString(), r.Conversations.ToString(),
                r.SystemLines.ToString(), r.Unreadable.Count.ToString(), (r.DayFirst ? "day first" : "month first") + (r.DateOrderAssumed ? " (assumed)" : ""));
            AnsiConsole.Write(summary);
            if (r.Unreadable.Count > 0)
            {
                var problems = new Table().Title("Lines that could not be read").AddColumns("line", "reason", "content");
                foreach (var p in r.Unreadable.Take(100)) problems.AddRow(p.Line.ToString(), Markup.Escape(p.Reason), Markup.Escape(p.Content.Length > 80 ? p.Content[..80] + "…" : p.Content));
                AnsiConsole.Write(problems);
                if (r.Unreadable.Count > 100) AnsiConsole.MarkupLine($"… and {r.Unreadable.Count - 100} more.");
            }
            return 0;
        });
        return command;
    }
}
