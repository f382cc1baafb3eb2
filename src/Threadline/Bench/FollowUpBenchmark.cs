using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Threadline.Pipeline.FollowUp;
using Threadline.Sending;
using Threadline.Simulator;
using Threadline.Store;
using Threadline.Store.FollowUps;
using Threadline.Store.Outbox;
using Threadline.WhatsApp.Sending;
using Threadline.Workers;

namespace Threadline.Bench;

/// <summary>What <c>threadline bench followups</c> measured.</summary>
public sealed record FollowUpReport(int Pending, TimeSpan Seed, double ScheduleMs, double CancelMs, double ScanP50Ms, double ScanP99Ms, int ScanBatch,
    int Fired, double FireRate, TimeSpan LateP50, TimeSpan LateP99, TimeSpan LateMax, int Sent, int SendRateConfigured, double SendRate, string Store);

/// <summary>
/// The follow-up store with N pending follow-ups (SQLite): the cost of scheduling and cancelling one (inside a batch
/// transaction, as the inbox runner does), of a due scan, and then the real scheduler firing follow-ups that come due
/// at 1,000/s (lateness = fire time − due time), and the real outbox sender draining them against the fake Graph API at
/// its configured rate.
/// </summary>
public sealed class FollowUpBenchmark(int pending, int due, int sendRate, Action<string> log)
{
    public async Task<FollowUpReport> RunAsync(CancellationToken ct)
    {
        string directory = Path.Combine(Path.GetTempPath(), "threadline-bench-followups", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await using var graph = new FakeGraphApi();
        var graphUri = await graph.StartAsync(cancellationToken: ct);
        var app = Program.BuildServer(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string?>
        {
            ["WhatsApp:AppSecret"] = "bench", ["Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "bench.db")}",
            ["WhatsApp:GraphApiBaseUrl"] = new Uri(graphUri, "v23.0").ToString(), ["WhatsApp:AccessToken"] = graph.AccessToken, ["WhatsApp:PhoneNumberId"] = "100000000000001",
            ["Logging:LogLevel:Default"] = "Warning", ["Business:OpenDays"] = "Mon-Sun", ["Business:TimeZone"] = "Europe/Berlin",
            ["Outbox:SendingEnabled"] = "false", ["FollowUps:SchedulerEnabled"] = "false", ["Outbox:RatePerSecond"] = sendRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Outbox:BatchSize"] = "256", ["Outbox:MaxParallel"] = "32",
        });
        try
        {
            await Program.StartServerAsync(app, ct);
            var db = app.Services.GetRequiredService<Database>();
            var store = app.Services.GetRequiredService<FollowUpStore>();
            var clock = app.Services.GetRequiredService<TimeProvider>();
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();

            // Policy: one-minute delays at any hour, so a follow-up due at T re-plans to T when it fires.
            var policies = app.Services.GetRequiredService<FollowUpPolicyStore>();
            await policies.SaveAsync(new FollowUpPolicyDocument { MinDelayMinutes = 1, MaxDelayMinutes = 1, DefaultDelayMinutes = 1, DaytimeStart = "00:00", DaytimeEnd = "23:59" },
                null, "bench", null, store, ct);

            // 1. N pending follow-ups, due in the next month, for N conversations (ids only: the store does not join them).
            var watch = Stopwatch.StartNew();
            await using (var c = await db.OpenAsync(ct))
            await using (var tx = await c.BeginTransactionAsync(ct))
            {
                var insert = SeedCommand.Prepare(c, tx, "INSERT INTO follow_ups (conversation_id, contact_id, attempt, silence_since, due_at, kind, state, policy_version, replan, reasons, created_at, updated_at) " +
                    "VALUES (@p0, @p0, 1, @p1, @p2, 'freeform', 'pending', 1, FALSE, '[]', @p1, @p1)", 3);
                var random = new Random(11);
                for (int i = 0; i < pending; i++)
                {
                    await insert.RunAsync(ct, 10_000_000L + i, now, now + 3_600_000L + random.NextInt64(30L * 86_400_000));
                }
                await tx.CommitAsync(ct);
            }
            var seed = watch.Elapsed;
            log($"{pending:N0} pending follow-ups written in {seed.TotalSeconds:N1} s");

            // 2. Schedule and cancel one at a time, 2,000 of each, inside batch transactions of 200 (as the inbox runner writes them).
            const int ops = 2_000;
            double scheduleMs = 0, cancelMs = 0;
            await using (var c = await db.OpenAsync(ct))
            {
                for (int b = 0; b < ops / 200; b++)
                {
                    await using var tx = await c.BeginTransactionAsync(ct);
                    watch.Restart();
                    for (int i = 0; i < 200; i++)
                        await store.ScheduleAsync(c, tx, [new FollowUpRecord(20_000_000L + b * 200 + i, 1, 1, DateTimeOffset.FromUnixTimeMilliseconds(now),
                            DateTimeOffset.FromUnixTimeMilliseconds(now + 86_400_000), "freeform", "[]", 1)], now, ct);
                    scheduleMs += watch.Elapsed.TotalMilliseconds;
                    watch.Restart();
                    for (int i = 0; i < 200; i++)
                        await store.CancelAsync(c, tx, [20_000_000L + b * 200 + i], "bench", now, ct);
                    cancelMs += watch.Elapsed.TotalMilliseconds;
                    await tx.CommitAsync(ct);
                }
            }
            log($"schedule {scheduleMs / ops:N3} ms, cancel {cancelMs / ops:N3} ms each");

            // 3. Due scans of a batch of 500 over the N pending (nothing is due: the scan must not read them).
            var scans = new List<double>();
            await using (var c = await db.OpenAsync(ct))
            {
                for (int i = 0; i < 200; i++)
                {
                    await using var tx = await c.BeginTransactionAsync(ct);
                    watch.Restart();
                    await store.ClaimDueAsync(c, tx, 500, now + 3_600_000L, ct);
                    scans.Add(watch.Elapsed.TotalMilliseconds);
                    await tx.RollbackAsync(ct);
                }
            }
            scans.Sort();

            // 4. Firing: D conversations whose follow-ups come due at 1,000/s, two seconds from now, through the real scheduler.
            long start = clock.GetUtcNow().ToUnixTimeMilliseconds() + 2_000;
            await SeedDueAsync(db, start, ct);
            var scheduler = app.Services.GetRequiredService<FollowUpScheduler>();
            var lateness = new List<TimeSpan>(due);
            scheduler.Fired = late => lateness.Add(late);
            watch.Restart();
            int fired = 0;
            var deadline = clock.GetUtcNow().AddSeconds(due / 1000.0 + 30);
            while (fired < due && clock.GetUtcNow() < deadline)
            {
                var pass = await scheduler.RunDueAsync(ct);
                fired += pass.Fired;
                if (pass.Due == 0) await Task.Delay(TimeSpan.FromMilliseconds(50), clock, ct);
            }
            double fireRate = fired / Math.Max(0.001, (clock.GetUtcNow().ToUnixTimeMilliseconds() - start) / 1000.0);
            scheduler.Fired = null;
            lateness.Sort();
            log($"fired {fired:N0} of {due:N0}");

            // 5. The outbox sends them, paced at the configured rate, against the fake Graph API.
            var sender = app.Services.GetRequiredService<OutboxSender>();
            watch.Restart();
            int sent = 0;
            deadline = clock.GetUtcNow().AddSeconds(due / (double)sendRate * 3 + 30);
            while (sent < fired && clock.GetUtcNow() < deadline)
            {
                var pass = await sender.ProcessNextAsync(ct);
                sent += pass.Accepted;
                if (pass.Claimed == 0) await Task.Delay(20, ct);
            }
            double rate = sent / watch.Elapsed.TotalSeconds;
            log($"sent {sent:N0} (fake Graph API saw {graph.RequestCount:N0} requests)");

            static TimeSpan At(List<TimeSpan> sorted, double q) => sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))];
            return new FollowUpReport(pending, seed, scheduleMs / ops, cancelMs / ops, scans[scans.Count / 2], scans[(int)(scans.Count * 0.99)], 500,
                fired, fireRate, At(lateness, 0.5), At(lateness, 0.99), lateness.Count > 0 ? lateness[^1] : TimeSpan.Zero, sent, sendRate, rate, db.Describe());
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>D contacts, each with a number, recent history (the window is open) and a conversation where we asked a question; their follow-ups are due at 1,000/s from <paramref name="start"/>.</summary>
    private async Task SeedDueAsync(Database db, long start, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var contact = SeedCommand.Prepare(c, tx, "INSERT INTO contacts (id, name, time_zone, created_at, updated_at) VALUES (@p0, @p1, 'Europe/Berlin', @p2, @p2)", 3);
        var identity = SeedCommand.Prepare(c, tx, "INSERT INTO contact_identities (contact_id, kind, value, match_key, source, created_at) VALUES (@p0, 'phone', @p1, @p1, 'bench', @p2)", 3);
        var context = SeedCommand.Prepare(c, tx, "INSERT INTO contact_context (contact_id, conversations, reply_delays, inquiries, last_inbound_at, last_outbound_at, language, updated_at) " +
            "VALUES (@p0, 1, '[]', '[]', @p1, @p2, 'de', @p2)", 3);
        var conversation = SeedCommand.Prepare(c, tx, "INSERT INTO conversations (id, contact_id, state, opened_at, last_message_at, last_inbound_at, last_outbound_at, last_from, " +
            "message_count, pending_intents, pending_cues, language, last_outbound_text, updated_at) VALUES (@p0, @p0, 'waiting_on_them', @p1, @p2, @p1, @p2, 'agent', 2, '', '', 'de', " +
            "'Soll ich Ihnen ein Angebot schicken?', @p2)", 3);
        var followUp = SeedCommand.Prepare(c, tx, "INSERT INTO follow_ups (conversation_id, contact_id, attempt, silence_since, due_at, kind, state, policy_version, replan, reasons, created_at, updated_at) " +
            "VALUES (@p0, @p0, 1, @p1, @p2, 'freeform', 'pending', 1, FALSE, '[]', @p1, @p1)", 3);
        for (int i = 1; i <= due; i++)
        {
            long dueAt = start + i; // 1,000 per second
            long ourMessage = dueAt - 60_000;
            await contact.RunAsync(ct, i, $"Bench {i}", ourMessage);
            await identity.RunAsync(ct, i, "+4915200" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture), ourMessage);
            await context.RunAsync(ct, i, ourMessage - 60_000, ourMessage);
            await conversation.RunAsync(ct, i, ourMessage - 60_000, ourMessage);
            await followUp.RunAsync(ct, i, ourMessage, dueAt);
        }
        await tx.CommitAsync(ct);
    }
}
