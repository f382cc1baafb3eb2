using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Threadline.Pipeline.Identity;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Workers;

namespace Threadline.Bench;

/// <summary>What <c>threadline bench pipeline</c> measured.</summary>
/// <param name="Rate">Messages per second through the whole pipeline (claim, parse, capture, identity, context, routing, commit).</param>
/// <param name="CaptureOnlyRate">The baseline in the same run: the same kind of messages with context and routing switched off.</param>
/// <param name="DecisionP50">Context + routing per message (the pure stages), median.</param>
public sealed record PipelineReport(int Contacts, int Messages, int Warmup, TimeSpan Seed, TimeSpan Process, double Rate, double CaptureOnlyRate,
    TimeSpan DecisionP50, TimeSpan DecisionP99, TimeSpan DecisionMax, TimeSpan BatchP50, TimeSpan BatchP99, long Decisions, long Assigned, string Store)
{
    /// <summary>CPU time of the whole process (all threads: worker, checkpointer, GC) per measured message.</summary>
    public TimeSpan CpuPerMessage { get; init; }

    /// <summary>Bytes the whole process had written to storage per measured message (Linux <c>/proc/self/io</c>
    /// <c>write_bytes</c>: both write-ahead logs, checkpoints into the database files); null where unknown.</summary>
    public double? DiskBytesPerMessage { get; init; }

    /// <summary>Time the JIT spent compiling during the measured run: near zero once the warm-up reached steady state.</summary>
    public TimeSpan JitDuringRun { get; init; }

    /// <summary>PostgreSQL: CPU time of the "postgres" processes on this machine per measured message (a cluster on the
    /// same machine: with the process's own, where the pipeline's time goes); null on SQLite or when none run here.</summary>
    public TimeSpan? DatabaseCpuPerMessage { get; init; }

    /// <summary>Managed memory the whole process allocated per measured message: what drives the GC's collections,
    /// whose pauses stop webhook requests too.</summary>
    public double AllocatedBytesPerMessage { get; init; }

    /// <summary>Garbage collections during the measured run (all generations).</summary>
    public int Collections { get; init; }
}

/// <summary>
/// The full inbox pipeline on SQLite with N contacts that already have history (conversations, reply delays, inquiries,
/// deals, agents): M webhook bodies are made durable in the inbox, then drained by the real <see cref="InboxProcessor"/>
/// (batches as in production). Baseline in the same run: M other messages with the conversation steps off.
/// Before anything is timed, W further messages go through the whole pipeline untimed: a server that has been running
/// for a while has its hot code compiled at the JIT's top tier; a fresh process spends its first seconds compiling it
/// again (tiered compilation with dynamic PGO) on the same two cores, and that is start-up cost, not sustained rate.
/// </summary>
/// <param name="storage">The store under test (<c>Storage:Provider</c>, <c>Storage:ConnectionString</c>: an empty
/// PostgreSQL database); null: a fresh SQLite file in a temporary folder.</param>
public sealed class PipelineBenchmark(int contacts, int messages, Action<string> log, int warmup = 10_000,
    IReadOnlyDictionary<string, string?>? storage = null)
{
    private static readonly string[] Texts =
    [
        "Hi, what is the price for 500 pieces of the steel brackets?", "Können Sie mir bitte ein Angebot für 20 Stück schicken?",
        "Thanks!", "Danke, passt so 👍", "The delivery arrived damaged, we need a replacement asap", "Die Pumpe ist defekt, dringend!",
        "When are you open on Saturday?", "Wann haben Sie heute geöffnet?", "Can we schedule a call for tomorrow?", "Hallo", "ok",
        "We would like to order 50 units", "Wir bestellen 30 Stück", "Is model X200 still available?", "STOP",
        "Could you send me the catalogue?", "Gibt es Rabatt ab 100 Stück?", "Super, vielen Dank!", "Where is my order? Still waiting.",
    ];

    public async Task<PipelineReport> RunAsync(CancellationToken ct)
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-bench-pipeline", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var settings = new Dictionary<string, string?>
        {
            ["WhatsApp:AppSecret"] = "bench", ["Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "bench.db")}",
            ["Inbox:ProcessingEnabled"] = "false", ["Logging:LogLevel:Default"] = "Warning", ["Conversations:IdleCloseEnabled"] = "false",
            ["Business:TimeZone"] = "Europe/Berlin", ["Business:Languages:0"] = "de", ["Business:Languages:1"] = "en",
            ["Business:AutomationIntents:0"] = "opening_hours", ["Business:HighValueThreshold"] = "10000",
            ["Routing:Agents:0:Id"] = "anna", ["Routing:Agents:0:Languages:0"] = "de", ["Routing:Agents:0:Languages:1"] = "en",
            ["Routing:Agents:1:Id"] = "ben", ["Routing:Agents:1:Languages:0"] = "en",
            ["Routing:Agents:2:Id"] = "carl", ["Routing:Agents:2:Languages:0"] = "de",
            ["Routing:Agents:3:Id"] = "dana", ["Routing:Agents:3:Languages:0"] = "de", ["Routing:Agents:3:Languages:1"] = "en",
        };
        foreach (var (key, value) in storage ?? new Dictionary<string, string?>()) settings[key] = value;
        var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], settings);
        try
        {
            await Program.StartServerAsync(app, ct);
            var db = app.Services.GetRequiredService<Database>();
            var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
            var clock = Stopwatch.StartNew();
            await SeedAsync(db, now, ct);
            var seed = clock.Elapsed;
            log($"Seeded {contacts:N0} contacts with history in {seed.TotalSeconds:N1} s");

            var processor = app.Services.GetRequiredService<InboxProcessor>();
            var steps = app.Services.GetRequiredService<ConversationSteps>();
            var writer = app.Services.GetRequiredService<InboxWriter>();

            int warmedUp = 0;
            if (warmup > 0)
            {
                // At least the messages asked for, then more in chunks while the JIT is still busy tiering code up (more
                // than 2 % of the chunk's time), up to 60,000: the sustained rate is that of a process in steady state.
                // All older than the measured messages, so that those still arrive in order after them.
                const int Chunk = 5_000, Cap = 60_000;
                int total = Math.Max(warmup, Cap);
                var warm = await DrainAsync(writer, processor, Bodies(warmup, 3, now.AddSeconds(-messages - 1 - (total - warmup))), timings: null, ct, withoutConversations: null);
                warmedUp = warmup;
                log($"Warm-up (whole pipeline, {warmup:N0} messages, not counted): {warm.Rate:N0} messages/s, JIT {warm.Jit.TotalMilliseconds:N0} ms");
                for (int k = 0; warmedUp + Chunk <= total && warm.Jit > warm.Elapsed * 0.02; k++)
                {
                    warm = await DrainAsync(writer, processor, Bodies(Chunk, 100 + k, now.AddSeconds(-messages - 1 - (total - warmedUp - Chunk))), timings: null, ct, withoutConversations: null);
                    warmedUp += Chunk;
                    log($"Warm-up continued ({warmedUp:N0} messages in all): {warm.Rate:N0} messages/s, JIT {warm.Jit.TotalMilliseconds:N0} ms");
                }
            }

            // Baseline: capture and identity only (the conversation steps skip everything they are given).
            var baseline = await DrainAsync(writer, processor, Bodies(messages / 4, 1, now), timings: null, ct, withoutConversations: steps);
            log($"Baseline (capture + identity, {messages / 4:N0} messages): {baseline.Rate:N0} messages/s");

            var decisionTicks = new List<long>(messages);
            steps.DecisionTimed = t => decisionTicks.Add(t);
            var full = await DrainAsync(writer, processor, Bodies(messages, 2, now), timings: decisionTicks, ct, withoutConversations: null);
            steps.DecisionTimed = null;
            log($"Full pipeline ({messages:N0} messages): {full.Rate:N0} messages/s in {full.Elapsed.TotalSeconds:N1} s");

            long decisions, assigned;
            await using (var c = await db.OpenAsync(ct))
            {
                // The measured messages' decisions only (the warm-up's are stored too).
                (decisions, assigned) = await c.QuerySingleAsync<(long, long)>(
                    "SELECT COUNT(*), COUNT(assignee) FROM decisions WHERE message_id LIKE 'wamid.bench2.%'");
            }
            decisionTicks.Sort();
            full.Batches.Sort();
            static TimeSpan At(List<long> sorted, double q) => sorted.Count == 0 ? TimeSpan.Zero
                : TimeSpan.FromTicks((long)(sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))] * (double)TimeSpan.TicksPerSecond / Stopwatch.Frequency));
            return new PipelineReport(contacts, messages, warmedUp, seed, full.Elapsed, full.Rate, baseline.Rate,
                At(decisionTicks, 0.5), At(decisionTicks, 0.99), At(decisionTicks, 1), At(full.Batches, 0.5), At(full.Batches, 0.99), decisions, assigned, db.Describe())
            {
                CpuPerMessage = full.Cpu / Math.Max(1, messages),
                // SQLite only: PostgreSQL writes from processes of its own.
                DiskBytesPerMessage = db.Provider == StorageProvider.Sqlite && full.DiskBytes is long bytes ? bytes / (double)Math.Max(1, messages) : null,
                JitDuringRun = full.Jit,
                DatabaseCpuPerMessage = db.Provider == StorageProvider.Postgres ? full.DatabaseCpu / Math.Max(1, messages) : null,
                AllocatedBytesPerMessage = full.Allocated / (double)Math.Max(1, messages),
                Collections = full.Collections,
            };
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <param name="Cpu">CPU time the whole process used while draining (all threads): less sensitive than the rate to
    /// this machine's neighbours, which change the wall clock more than the work done.</param>
    /// <param name="DiskBytes">Bytes the process wrote to storage while draining (null where the OS does not say).</param>
    /// <param name="Jit">Time the JIT spent compiling meanwhile (tiering up to optimised code, on the same two cores).</param>
    /// <param name="DatabaseCpu">CPU time of the "postgres" processes on this machine meanwhile (null where none run).</param>
    /// <param name="Allocated">Managed bytes the process allocated meanwhile (all threads).</param>
    /// <param name="Collections">Garbage collections meanwhile (all generations).</param>
    private sealed record Drain(double Rate, TimeSpan Elapsed, List<long> Batches, TimeSpan Cpu, long? DiskBytes, TimeSpan Jit, TimeSpan? DatabaseCpu,
        long Allocated, int Collections);

    private static async Task<Drain> DrainAsync(InboxWriter writer, InboxProcessor processor, IReadOnlyList<byte[]> bodies, List<long>? timings,
        CancellationToken ct, ConversationSteps? withoutConversations)
    {
        // Make every body durable first (as the webhook endpoint does), then time the worker alone draining them.
        foreach (var chunk in bodies.Chunk(2_000)) await Task.WhenAll(chunk.Select(b => writer.AppendAsync(b, ct)));
        if (withoutConversations is not null) withoutConversations.Disabled = true;
        var batches = new List<long>();
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        long? diskBefore = ProcessIo.BytesWritten();
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var databaseBefore = ThreadCpu.OfProcesses("postgres");
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int collectionsBefore = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        int processed = 0;
        while (true)
        {
            long started = Stopwatch.GetTimestamp();
            var pass = await processor.ProcessNextAsync(ct);
            if (pass.Rows == 0) break;
            batches.Add((Stopwatch.GetTimestamp() - started) / Math.Max(1, pass.Rows));
            processed += pass.Processed;
        }
        var elapsed = clock.Elapsed;
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        long? disk = ProcessIo.BytesWritten() - diskBefore;
        var jit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
        var database = ThreadCpu.OfProcesses("postgres") - databaseBefore;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        int collections = GC.CollectionCount(0) - collectionsBefore;
        if (withoutConversations is not null) withoutConversations.Disabled = false;
        return new Drain(processed / elapsed.TotalSeconds, elapsed, batches, cpu, disk, jit, database, allocated, collections);
    }

    private static string WaId(int i) => "49151" + i.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>One message per body from a random known contact, one second apart up to <paramref name="end"/>, text from a mix of both languages.</summary>
    private List<byte[]> Bodies(int count, int seed, DateTimeOffset end)
    {
        var random = new Random(seed);
        long t0 = end.ToUnixTimeSeconds() - count;
        var bodies = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            string waId = WaId(random.Next(contacts));
            string text = JsonSerializer.Serialize(Texts[random.Next(Texts.Length)]);
            bodies.Add(Encoding.UTF8.GetBytes(
                $$$"""{"object":"whatsapp_business_account","entry":[{"id":"200000000000002","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"100000000000001"},"contacts":[{"profile":{"name":"Bench Contact"},"wa_id":"{{{waId}}}"}],"messages":[{"from":"{{{waId}}}","id":"wamid.bench{{{seed}}}.{{{i}}}","timestamp":"{{{t0 + i}}}","type":"text","text":{"body":{{{text}}}}}]}}]}]}"""));
        }
        return bodies;
    }

    /// <summary>N contacts, each with a phone, a history summary (reply delays, inquiries), a past conversation of four messages, some deals and owners.</summary>
    private async Task SeedAsync(Database db, DateTimeOffset at, CancellationToken ct)
    {
        var random = new Random(7);
        long now = at.ToUnixTimeMilliseconds();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var contact = SeedCommand.Prepare(c, tx, "INSERT INTO contacts (id, name, time_zone, owner, vip, created_at, updated_at) VALUES (@p0, @p1, 'Europe/Berlin', @p2, @p3, @p4, @p4)", 5);
        var identity = SeedCommand.Prepare(c, tx, "INSERT INTO contact_identities (contact_id, kind, value, match_key, source, created_at) VALUES (@p0, 'phone', @p1, @p2, 'bench', @p3)", 4);
        var context = SeedCommand.Prepare(c, tx, "INSERT INTO contact_context (contact_id, conversations, last_outcome, reply_delays, inquiries, last_inbound_at, last_outbound_at, language, updated_at) VALUES (@p0, 1, 'answered', @p1, @p2, @p3, @p4, @p5, @p4)", 6);
        var conversation = SeedCommand.Prepare(c, tx, "INSERT INTO conversations (id, contact_id, state, opened_at, last_message_at, last_inbound_at, last_outbound_at, last_from, last_intent, message_count, pending_intents, pending_cues, language, assignee, updated_at) VALUES (@p0, @p0, 'waiting_on_them', @p1, @p2, @p3, @p2, 'agent', 'price_request', 4, '', '', @p4, @p5, @p2)", 6);
        var message = SeedCommand.Prepare(c, tx, "INSERT INTO conversation_messages (message_id, conversation_id, contact_id, party, type, at, intent, language, source, created_at) VALUES (@p0, @p1, @p1, @p2, 'text', @p3, @p4, @p5, 'webhook', @p3)", 6);
        var deal = SeedCommand.Prepare(c, tx, "INSERT INTO deals (contact_id, title, stage, value, currency, status, last_activity_at, created_at) VALUES (@p0, 'Bench deal', @p1, @p2, 'EUR', 'open', @p3, @p3)", 4);
        string[] owners = ["anna", "ben", "carl", "dana"];
        string[] stages = ["new", "quote_sent", "negotiation"];
        for (int i = 1; i <= contacts; i++)
        {
            string e164 = "+" + WaId(i - 1);
            string language = random.Next(2) == 0 ? "de" : "en";
            await contact.RunAsync(ct, i, $"Contact {i}", random.Next(10) < 3 ? owners[random.Next(4)] : null, random.Next(50) == 0, now);
            await identity.RunAsync(ct, i, e164, PhoneNumberNormaliser.CanonicalKey(e164), now);
            long last = now - random.NextInt64(1, 10) * 86_400_000L;
            var delays = Enumerable.Range(0, random.Next(3, 20)).Select(_ => random.Next(60, 86_400)).ToArray();
            await context.RunAsync(ct, i, JsonSerializer.Serialize(delays),
                $$"""[{"intent":"price_request","at":"{{DateTimeOffset.FromUnixTimeMilliseconds(last - 7_200_000):O}}"}]""", last - 3_600_000, last, language);
            await conversation.RunAsync(ct, i, last - 7_200_000, last, last - 3_600_000, language, owners[random.Next(4)]);
            for (int k = 0; k < 4; k++)
                await message.RunAsync(ct, $"wamid.seed.{i}.{k}", i, k % 2 == 0 ? "contact" : "agent", last - (4 - k) * 1_800_000L, k % 2 == 0 ? "price_request" : null, language);
            if (random.Next(5) == 0) await deal.RunAsync(ct, i, stages[random.Next(3)], random.Next(1_000, 50_000), last);
        }
        if (db.Provider == StorageProvider.Postgres)
        {
            // The seed gave contacts and conversations their ids: move their sequences past them, and give the planner
            // statistics of the seeded tables, as autovacuum would on a server that has run for a while.
            await c.ExecuteAsync(new CommandDefinition(
                "SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT MAX(id) FROM contacts)); " +
                "SELECT setval(pg_get_serial_sequence('conversations', 'id'), (SELECT MAX(id) FROM conversations))", transaction: tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        if (db.Provider == StorageProvider.Postgres) await c.ExecuteAsync(new CommandDefinition("ANALYZE", commandType: System.Data.CommandType.Text, cancellationToken: ct)); // Dapper takes a single word for a procedure
    }
}
