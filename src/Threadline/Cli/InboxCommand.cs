using System.CommandLine;
using Spectre.Console;
using Threadline.Store.Inbox;

namespace Threadline.Cli;

/// <summary><c>threadline inbox stats | dead | retry ID</c>: look into the durable inbox and its dead letters.</summary>
public static class InboxCommand
{
    public static Command Create()
    {
        var inbox = new Command("inbox", "Inspect the durable webhook inbox: counts, dead letters, retries.");

        var stats = new Command("stats", "Received, processed, pending and dead-lettered webhook bodies.") { TreatUnmatchedTokensAsErrors = false };
        stats.SetAction(async (parse, ct) =>
        {
            var s = await Queue(parse).StatsAsync(ct);
            var table = new Table().AddColumns("received", "processed", "pending", "dead-lettered");
            table.AddRow(s.Received.ToString(), s.Processed.ToString(), s.Pending.ToString(), s.DeadLettered.ToString());
            AnsiConsole.Write(table);
            return 0;
        });

        var limit = new Option<int>("--limit") { Description = "Most rows to list.", DefaultValueFactory = _ => 100 };
        var dead = new Command("dead", "List dead-lettered inbox rows with their last error.") { limit };
        dead.TreatUnmatchedTokensAsErrors = false;
        dead.SetAction(async (parse, ct) =>
        {
            var rows = await Queue(parse).DeadAsync(parse.GetValue(limit), ct);
            if (rows.Count == 0)
            {
                AnsiConsole.MarkupLine("[green]No dead letters.[/]");
                return 0;
            }
            var table = new Table().AddColumns("id", "received (UTC)", "attempts", "bytes", "last error");
            foreach (var row in rows)
                table.AddRow(row.Id.ToString(), DateTimeOffset.FromUnixTimeMilliseconds(row.ReceivedAt).ToString("u"), row.Attempts.ToString(),
                    row.BodyBytes.ToString(), Markup.Escape(row.LastError ?? ""));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{rows.Count} dead letter(s). Retry one with [bold]threadline inbox retry ID[/].");
            return 0;
        });

        var id = new Argument<long>("ID") { Description = "The inbox row id shown by 'threadline inbox dead'." };
        var retry = new Command("retry", "Put a dead-lettered row back into processing (the running server picks it up).") { id };
        retry.TreatUnmatchedTokensAsErrors = false;
        retry.SetAction(async (parse, ct) =>
        {
            long rowId = parse.GetValue(id);
            if (await Queue(parse).RetryAsync(rowId, ct))
            {
                AnsiConsole.MarkupLine($"Inbox row {rowId} is pending again; the server's inbox worker will process it.");
                return 0;
            }
            AnsiConsole.MarkupLine($"[red]Inbox row {rowId} is not a dead letter.[/]");
            return 1;
        });

        inbox.Subcommands.Add(stats);
        inbox.Subcommands.Add(dead);
        inbox.Subcommands.Add(retry);
        return inbox;
    }

    private static InboxQueue Queue(ParseResult parse) => new(CliStore.Open(parse.UnmatchedTokens.ToArray()));
}
