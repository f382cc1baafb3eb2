using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using Threadline.Bench;

namespace Threadline.Cli;

/// <summary><c>threadline bench ingest</c>: speed goals live here, measured on this machine as ratios, never in timed tests.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks, each beside a baseline measured in the same run.");

        var requests = new Option<int>("--requests") { Description = "Requests in the closed-loop run.", DefaultValueFactory = _ => 20_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight in the closed-loop run (group commit needs concurrency to batch; both endpoints get the same).", DefaultValueFactory = _ => 128 };
        var rate = new Option<double>("--rate") { Description = "Requests per second in the fixed-rate (latency) run.", DefaultValueFactory = _ => 5_000 };
        var seconds = new Option<int>("--seconds") { Description = "Length of the fixed-rate run.", DefaultValueFactory = _ => 10 };
        var repeat = new Option<int>("--repeat") { Description = "Fixed-rate runs against Threadline, each with new bodies once the inbox drained; reports each p99, their median and how many met the target (the diagnostics describe the first).", DefaultValueFactory = _ => 1 };
        var noProcessing = new Option<bool>("--no-processing") { Description = "Measure the ingest path alone (the inbox worker does not run)." };
        var captureOnly = new Option<bool>("--capture-only") { Description = "Process with capture and identity only (parse → store, as issue 2 defines processing), the conversation steps off." };
        var inboxDirectory = new Option<string?>("--inbox-dir") { Description = "SQLite: put the inbox's file in this folder (another volume: Storage:InboxPath) instead of beside the main store." };
        var timeline = new Option<string?>("--timeline") { Description = "Write every answer of the fixed-rate run (sent at, ms), every GC pause, inbox commit, checkpoint pass and main-store checkpoint slice to this CSV file." };
        var ingest = new Command("ingest", "Signed webhooks through HTTP into the durable inbox, beside a bare Kestrel endpoint.")
        {
            requests, concurrency, rate, seconds, repeat, noProcessing, captureOnly, timeline, inboxDirectory,
        };
        ingest.TreatUnmatchedTokensAsErrors = false; // --Storage:Provider=postgres --Storage:ConnectionString=… to bench PostgreSQL
        ingest.SetAction(async (parse, ct) =>
        {
            var configuration = CliStore.Configuration(parse.UnmatchedTokens.ToArray());
            var storage = PostgresStorage(configuration);
            // Inbox worker and storage settings given on the command line (--Inbox:YieldToIngest=1,
            // --Storage:CheckpointIntervalMs=500 …) apply to the server under test; the store itself is chosen above.
            var inbox = configuration.GetSection("Inbox").AsEnumerable(makePathsRelative: false)
                .Concat(configuration.GetSection("Storage").AsEnumerable(makePathsRelative: false)
                    .Where(kv => kv.Key is not ("Storage:Provider" or "Storage:ConnectionString")))
                .Where(kv => kv.Value is not null && parse.UnmatchedTokens.Any(t => t.Contains(kv.Key, StringComparison.OrdinalIgnoreCase)))
                .ToDictionary(kv => kv.Key, kv => kv.Value);
            var options = new IngestBenchmarkOptions
            {
                Requests = parse.GetValue(requests), Concurrency = parse.GetValue(concurrency), Rate = parse.GetValue(rate),
                Duration = TimeSpan.FromSeconds(parse.GetValue(seconds)), Repeat = Math.Max(1, parse.GetValue(repeat)), Storage = storage,
                Processing = !parse.GetValue(noProcessing), CaptureOnly = parse.GetValue(captureOnly), ServerSettings = inbox, TimelineFile = parse.GetValue(timeline),
                InboxDirectory = parse.GetValue(inboxDirectory) is { } dir ? Path.GetFullPath(dir) : null,
            };
            AnsiConsole.MarkupLine($"[bold]threadline bench ingest[/] on {Environment.ProcessorCount} cores; client and servers share this process.");
            var report = await new IngestBenchmark(options, line => AnsiConsole.WriteLine(line)).RunAsync(ct);
            Print(report);
            return 0;
        });
        bench.Subcommands.Add(ingest);

        var contactCount = new Option<int>("--contacts") { Description = "Contacts to import and match against.", DefaultValueFactory = _ => 1_000_000 };
        var messageCount = new Option<int>("--messages") { Description = "Messages whose senders are resolved.", DefaultValueFactory = _ => 100_000 };
        var identity = new Command("identity", "Import N contacts from CSV, resolve message senders against them, scan for duplicates (SQLite).")
        {
            contactCount, messageCount,
        };
        identity.SetAction(async (parse, ct) =>
        {
            AnsiConsole.MarkupLine($"[bold]threadline bench identity[/] on {Environment.ProcessorCount} cores");
            var r = await new IdentityBenchmark(parse.GetValue(contactCount), parse.GetValue(messageCount), line => AnsiConsole.WriteLine(line)).RunAsync(ct);
            var table = new Table().Title($"Identity ({Markup.Escape(r.Store)})").AddColumns("measure", "result", "target");
            table.AddRow($"import {r.Contacts:N0} contacts from CSV", $"{r.Import.TotalSeconds:N1} s ({r.Contacts / r.Import.TotalSeconds:N0} rows/s)", "≤ 60 s for 1,000,000");
            table.AddRow($"resolve {r.Messages:N0} senders", $"{r.Resolve.TotalMicroseconds / r.Messages:N1} µs per message", "≤ 50 µs");
            table.AddRow($"duplicate scan over {r.Contacts:N0}", $"{r.DuplicateScan.TotalSeconds:N1} s, {r.DuplicatePairs:N0} pairs", "≤ 2 min for 1,000,000");
            AnsiConsole.Write(table);
            return 0;
        });
        bench.Subcommands.Add(identity);

        var pipelineContacts = new Option<int>("--contacts") { Description = "Contacts with history in the store.", DefaultValueFactory = _ => 100_000 };
        var pipelineMessages = new Option<int>("--messages") { Description = "Messages through the full pipeline.", DefaultValueFactory = _ => 50_000 };
        var pipelineWarmup = new Option<int>("--warmup")
        {
            Description = "Messages through the whole pipeline before anything is timed, at least; more (in chunks of 5,000, up to 60,000) while the JIT is still tiering code up. 0: measure a cold process, JIT included.",
            DefaultValueFactory = _ => 10_000,
        };
        var pipeline = new Command("pipeline", "Capture → identity → context → routing → store, N contacts with history, beside capture + identity alone. " +
            "On SQLite (a fresh file), or on PostgreSQL with --Storage:Provider=postgres --Storage:ConnectionString=… (an empty database).")
        {
            pipelineContacts, pipelineMessages, pipelineWarmup,
        };
        pipeline.TreatUnmatchedTokensAsErrors = false; // --Storage:Provider=postgres --Storage:ConnectionString=…
        pipeline.SetAction(async (parse, ct) =>
        {
            AnsiConsole.MarkupLine($"[bold]threadline bench pipeline[/] on {Environment.ProcessorCount} cores");
            var configuration = CliStore.Configuration(parse.UnmatchedTokens.ToArray());
            var storage = PostgresStorage(configuration);
            var r = await new PipelineBenchmark(parse.GetValue(pipelineContacts), parse.GetValue(pipelineMessages), line => AnsiConsole.WriteLine(line),
                Math.Max(0, parse.GetValue(pipelineWarmup)), storage).RunAsync(ct);
            var table = new Table().Title($"Full pipeline ({Markup.Escape(r.Store)}, {r.Contacts:N0} contacts with history)").AddColumns("measure", "result", "target");
            table.AddRow($"{r.Messages:N0} messages, whole pipeline", $"{r.Rate:N0} messages/s ({r.Process.TotalSeconds:N1} s)", "≥ 5,000 messages/s");
            table.AddRow("baseline: capture + identity only", $"{r.CaptureOnlyRate:N0} messages/s (full = {r.Rate / r.CaptureOnlyRate:N2}× baseline)", "");
            table.AddRow("decision (context + routing) per message", $"p50 {r.DecisionP50.TotalMilliseconds:N3} ms, p99 {r.DecisionP99.TotalMilliseconds:N3} ms, max {r.DecisionMax.TotalMilliseconds:N1} ms", "p99 ≤ 2 ms");
            table.AddRow("CPU per message (whole process, all threads)", $"{r.CpuPerMessage.TotalMicroseconds:N0} µs", "");
            if (r.DatabaseCpuPerMessage is { } database)
                table.AddRow("CPU per message, PostgreSQL's processes on this machine", $"{database.TotalMicroseconds:N0} µs", "");
            if (r.DiskBytesPerMessage is double bytes)
                table.AddRow("Written to disk per message (WAL + checkpoints)", $"{bytes / 1024:N1} KiB", "");
            table.AddRow("Managed memory allocated per message (whole process)", $"{r.AllocatedBytesPerMessage / 1024:N1} KiB ({r.Collections:N0} collections in the run)", "");
            table.AddRow("JIT compiling during the measured run", $"{r.JitDuringRun.TotalMilliseconds:N0} ms (after {r.Warmup:N0} messages of warm-up)", "");
            table.AddRow("batch time per message (claim → commit)", $"p50 {r.BatchP50.TotalMilliseconds:N3} ms, p99 {r.BatchP99.TotalMilliseconds:N3} ms", "");
            table.AddRow("decisions stored", $"{r.Decisions:N0}", $"= {r.Messages:N0}");
            table.AddRow("… of them with an agent assigned", $"{r.Assigned:N0}", "");
            AnsiConsole.Write(table);
            return 0;
        });
        bench.Subcommands.Add(pipeline);

        var pendingCount = new Option<int>("--pending") { Description = "Pending follow-ups in the store.", DefaultValueFactory = _ => 1_000_000 };
        var dueCount = new Option<int>("--due") { Description = "Follow-ups that come due at 1,000/s and are fired by the real scheduler.", DefaultValueFactory = _ => 5_000 };
        var sendRate = new Option<int>("--send-rate") { Description = "Outbox:RatePerSecond for the sending part (WhatsApp's default is 80).", DefaultValueFactory = _ => 500 };
        var followups = new Command("followups", "N pending follow-ups: schedule/cancel cost, due scan, firing at 1,000/s, outbox sending at the configured rate (SQLite).")
        {
            pendingCount, dueCount, sendRate,
        };
        followups.SetAction(async (parse, ct) =>
        {
            AnsiConsole.MarkupLine($"[bold]threadline bench followups[/] on {Environment.ProcessorCount} cores");
            var r = await new FollowUpBenchmark(parse.GetValue(pendingCount), parse.GetValue(dueCount), parse.GetValue(sendRate), line => AnsiConsole.WriteLine(line)).RunAsync(ct);
            var table = new Table().Title($"Follow-ups ({Markup.Escape(r.Store)}, {r.Pending:N0} pending)").AddColumns("measure", "result", "target");
            table.AddRow("schedule one (in a batch transaction)", $"{r.ScheduleMs:N3} ms", "≤ 0.2 ms");
            table.AddRow("cancel one (in a batch transaction)", $"{r.CancelMs:N3} ms", "≤ 0.2 ms");
            table.AddRow($"due scan, batch of {r.ScanBatch}", $"p50 {r.ScanP50Ms:N3} ms, p99 {r.ScanP99Ms:N3} ms", "≤ 5 ms");
            table.AddRow($"fired (due at 1,000/s)", $"{r.Fired:N0} at {r.FireRate:N0}/s; late p50 {r.LateP50.TotalMilliseconds:N0} ms, p99 {r.LateP99.TotalMilliseconds:N0} ms, max {r.LateMax.TotalMilliseconds:N0} ms", "all within 1 s");
            table.AddRow("outbox → fake Graph API", $"{r.Sent:N0} sent at {r.SendRate:N0}/s (configured {r.SendRateConfigured}/s)", "the configured rate");
            AnsiConsole.Write(table);
            return 0;
        });
        bench.Subcommands.Add(followups);

        var diskDirectory = new Option<string>("--dir") { Description = "Folder on the disk to measure (where the store lives).", DefaultValueFactory = _ => "./data" };
        var disk = new Command("disk", "Flush times of the disk under the store: small durable appends alone and beside scattered page writes, scattered vs sequential writes.")
        {
            diskDirectory,
        };
        disk.SetAction(async (parse, ct) =>
        {
            string directory = Path.GetFullPath(parse.GetValue(diskDirectory)!);
            AnsiConsole.MarkupLine($"[bold]threadline bench disk[/] in {Markup.Escape(directory)}");
            var rows = await new DiskBenchmark(directory, line => AnsiConsole.WriteLine(line)).RunAsync(ct);
            var table = new Table().Title("Flush after a write (fsync)").AddColumns("write", "times", "p50 ms", "p99 ms", "max ms");
            foreach (var r in rows)
                table.AddRow(Markup.Escape(r.What), r.Repeats.ToString("N0"), r.P50.TotalMilliseconds.ToString("N2"), r.P99.TotalMilliseconds.ToString("N2"), r.Max.TotalMilliseconds.ToString("N2"));
            AnsiConsole.Write(table);
            AnsiConsole.WriteLine("An acknowledgement waits for about two small flushes (the group commit in progress, then its own). "
                + "The main store's checkpoints flush scattered pages to the same disk. See README → Performance.");
            return 0;
        });
        bench.Subcommands.Add(disk);
        return bench;
    }

    private static void Print(IngestReport report)
    {
        var table = new Table().Title($"Ingest ({Markup.Escape(report.Store)})")
            .AddColumns("endpoint", "mode", "req/s", "p50 ms", "p99 ms", "max ms", "acknowledged", "JIT ms");
        foreach (var run in report.Runs)
            table.AddRow(Markup.Escape(run.Endpoint), Markup.Escape(run.Mode), run.Rate.ToString("N0"), run.P50.TotalMilliseconds.ToString("N2"),
                run.P99.TotalMilliseconds.ToString("N2"), run.Max.TotalMilliseconds.ToString("N1"), $"{run.Acknowledged:N0}/{run.Requests:N0}",
                run.Jit.TotalMilliseconds.ToString("N0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Throughput ratio Threadline / bare: [bold]{report.ThroughputRatio:N2}×[/] (target ≥ 0.5×)");
        AnsiConsole.MarkupLine($"Durable: {report.InboxRows:N0} inbox rows for {report.DistinctBodiesAcknowledged:N0} acknowledged distinct bodies " +
            (report.InboxRows == report.DistinctBodiesAcknowledged ? "[green](all on disk)[/]" : "[red](MISMATCH)[/]"));
        if (!report.Processing)
        {
            AnsiConsole.MarkupLine($"Processing was off (--no-processing): the ingest path alone; {report.FixedRunBacklog:N0} bodies wait in the inbox.");
            return;
        }
        string scope = report.CaptureOnly ? "capture + identity only (--capture-only)" : "the whole pipeline";
        AnsiConsole.MarkupLine($"Processing ({scope}) drained the closed-loop burst at [bold]{report.ProcessedRate:N0}[/] bodies/s.");
        AnsiConsole.MarkupLine($"During the fixed-rate run it processed [bold]{report.FixedRunProcessedRate:N0}[/] bodies/s; " +
            report.BacklogVerdict());
    }

    /// <summary>The PostgreSQL store given on the command line (<c>--Storage:Provider=postgres --Storage:ConnectionString=…</c>); null: SQLite.</summary>
    private static Dictionary<string, string?>? PostgresStorage(IConfiguration configuration) =>
        configuration["Storage:Provider"] is "postgres" or "postgresql"
            ? new Dictionary<string, string?> { ["Storage:Provider"] = "postgres", ["Storage:ConnectionString"] = configuration["Storage:ConnectionString"] }
            : null;
}
