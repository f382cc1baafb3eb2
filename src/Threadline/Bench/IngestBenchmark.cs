using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Threadline.Simulator;
using Threadline.Store;
using Threadline.Store.Inbox;
using Threadline.Workers;

namespace Threadline.Bench;

/// <summary>One measured run against one endpoint.</summary>
/// <param name="Jit">Time the JIT spent compiling during the run (near zero once the warm-up reached steady state).</param>
public sealed record IngestRun(string Endpoint, string Mode, int Requests, int Acknowledged, double Rate, TimeSpan P50, TimeSpan P99, TimeSpan Max, TimeSpan Jit);

/// <summary>What <c>threadline bench ingest</c> found.</summary>
/// <param name="ProcessedRate">Bodies processed per second from the start of the closed-loop burst until the inbox was drained.</param>
/// <param name="FixedRunProcessedRate">Bodies processed per second during the fixed-rate run (keeping up means ≈ the rate).</param>
/// <param name="FixedRunBacklog">Bodies still pending when the fixed-rate run's last request was acknowledged.</param>
public sealed record IngestReport(
    IReadOnlyList<IngestRun> Runs, double ThroughputRatio, long InboxRows, long DistinctBodiesAcknowledged, double ProcessedRate,
    double FixedRunProcessedRate, long FixedRunBacklog, string Store)
{
    /// <summary>False when the inbox worker did not run (<c>--no-processing</c>): the bodies wait in the inbox.</summary>
    public bool Processing { get; init; } = true;

    /// <summary>True when the worker ran capture and identity only (<c>--capture-only</c>), the conversation steps off.</summary>
    public bool CaptureOnly { get; init; }

    /// <summary>The server's <c>Inbox:YieldUntilBacklog</c>: while fewer bodies than this wait, the worker rests for ingest
    /// by design, so a backlog under it at the end of the run is bounded lag, not a worker that cannot keep up.</summary>
    public int RestBound { get; init; }

    /// <summary>What the backlog at the end of the fixed-rate run says: kept up (under 1,000), behind but within the
    /// worker's rest bound (bounded lag by design: only a longer run tells whether it stays there), or past the bound.</summary>
    public string BacklogVerdict() =>
        $"{FixedRunBacklog:N0} were still pending when the run ended" + (FixedRunBacklog < 1_000 ? " (kept up)."
            : FixedRunBacklog < RestBound ? $" (behind, but under the worker's rest bound Inbox:YieldUntilBacklog = {RestBound:N0}, " +
                "below which it yields to ingest by design; a longer run, --seconds 60, shows whether the backlog stays under it)."
            : $" (fell behind: past the worker's rest bound Inbox:YieldUntilBacklog = {RestBound:N0}).");
}

/// <summary>Settings for <see cref="IngestBenchmark"/>.</summary>
public sealed record IngestBenchmarkOptions
{
    /// <summary>Requests per closed-loop (as fast as possible) run.</summary>
    public int Requests { get; init; } = 20_000;
    /// <summary>Requests in flight in the closed-loop run.</summary>
    public int Concurrency { get; init; } = 128;
    /// <summary>The fixed rate of the latency run (requests per second).</summary>
    public double Rate { get; init; } = 5_000;
    /// <summary>Length of the fixed-rate run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How many fixed-rate runs against Threadline, each with bodies of its own, after the inbox drained: on a
    /// noisy machine one p99 says little, the spread of several says more. The diagnostics describe the first.</summary>
    public int Repeat { get; init; } = 1;
    /// <summary>Whether the inbox worker runs during the measurement (false measures the ingest path alone).</summary>
    public bool Processing { get; init; } = true;
    /// <summary>The worker runs capture and identity only (steps 1–2: parse → store, the processing issue 2 defines),
    /// with the conversation steps (context, routing, follow-ups) off.</summary>
    public bool CaptureOnly { get; init; }
    /// <summary>Further settings for the server under test (e.g. <c>Inbox:YieldToIngest</c>).</summary>
    public IReadOnlyDictionary<string, string?> ServerSettings { get; init; } = new Dictionary<string, string?>();
    /// <summary>SQLite: a folder on another volume for the inbox's file (<c>Storage:InboxPath</c>); null: beside the main store.</summary>
    public string? InboxDirectory { get; init; }
    /// <summary>Where to write the fixed-rate run's answers and GC pauses as CSV (none when null).</summary>
    public string? TimelineFile { get; init; }
    /// <summary>Storage settings for the Threadline server under test (default: a fresh SQLite file in a temp folder).</summary>
    public IReadOnlyDictionary<string, string?>? Storage { get; init; }
}

/// <summary>
/// Signed webhooks through real HTTP into the durable inbox, measured beside a bare Kestrel endpoint that only reads the
/// body and returns 200, in the same process and run, so the result is a ratio on this machine rather than an absolute
/// number. Two modes per endpoint: closed loop (as fast as it goes) for throughput, and a fixed rate for latency.
/// Afterwards it checks durability (every acknowledged body is an inbox row) and how fast processing drained the inbox.
/// </summary>
public sealed class IngestBenchmark(IngestBenchmarkOptions options, Action<string> log)
{
    private const string Secret = "bench-app-secret";

    public async Task<IngestReport> RunAsync(CancellationToken ct)
    {
        int fixedCount = (int)(options.Rate * options.Duration.TotalSeconds);
        log($"Generating {options.Requests + fixedCount:N0} signed webhooks…");
        var bodies = new TrafficGenerator(new TrafficOptions { AppSecret = Secret, Senders = 2_000, DuplicateRate = 0, Seed = 42 })
            .Generate(options.Requests + fixedCount).ToList();
        var closedBodies = bodies.Take(options.Requests).ToList();
        var fixedBodies = bodies.Skip(options.Requests).ToList();

        string directory = Path.Combine(Path.GetTempPath(), "threadline-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var runs = new List<IngestRun>();
        string? inboxFile = null;
        using var gc = new GcPauseRecorder();
        using var store = new StoreMetricsRecorder();
        try
        {
            await using (var bare = await StartBareAsync(ct))
            {
                var address = Address(bare);
                log("Warm-up (bare)…");
                await SendAsync(address, closedBodies.Take(2_000), 2_000, 0, "warm-up", "bare", ct);
                await SendAsync(address, closedBodies.Take(5_000), 5_000, options.Rate, "warm-up (fixed)", "bare", ct);
                runs.Add(await SendAsync(address, closedBodies, options.Requests, 0, "closed loop", "bare Kestrel (read body, 200)", ct));
                runs.Add(await SendAsync(address, fixedBodies, fixedCount, options.Rate, $"fixed {options.Rate:N0}/s", "bare Kestrel (read body, 200)", ct));
            }

            var storage = options.Storage is { } given ? new Dictionary<string, string?>(given) : new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "sqlite",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(directory, "bench.db")}",
            };
            if (options.Storage is null && options.InboxDirectory is { } inboxDirectory)
            {
                // A fresh inbox file on the other volume, removed with the rest afterwards.
                inboxFile = Path.Combine(inboxDirectory, $"threadline-bench-{Guid.NewGuid():N}.inbox.db");
                storage["Storage:InboxPath"] = inboxFile;
            }
            var settings = new Dictionary<string, string?>(storage);
            foreach (var (key, value) in options.ServerSettings) settings[key] = value;
            await using var server = Program.BuildServer(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string?>(settings)
            {
                ["WhatsApp:AppSecret"] = Secret,
                ["Auth:BootstrapAdminKey"] = "bench",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Inbox:ProcessingEnabled"] = options.Processing ? "true" : "false",
            });
            await Program.StartServerAsync(server, ct);
            var db = server.Services.GetRequiredService<Database>();
            var inbox = server.Services.GetRequiredService<InboxQueue>();
            if (options.CaptureOnly) server.Services.GetRequiredService<ConversationSteps>().Disabled = true;
            var threadlineAddress = Address(server);

            int warmedUp = await WarmUpAsync(threadlineAddress, inbox, ct);

            var before = await inbox.StatsAsync(ct);
            var clock = Stopwatch.StartNew();
            var closed = await SendAsync(threadlineAddress, closedBodies, options.Requests, 0, "closed loop", "Threadline (verify, durable inbox, 200)", ct);
            runs.Add(closed);
            await WaitDrainedAsync(inbox, ct);
            double processedRate = (await inbox.StatsAsync(ct)).Processed - before.Processed is var processed and > 0
                ? processed / clock.Elapsed.TotalSeconds : 0;

            var beforeFixed = await inbox.StatsAsync(ct);
            var cpuBefore = ThreadCpu.Take();
            var (pausesBefore, pausedBefore) = SqliteWaits.Pauses;
            long? diskBefore = ProcessIo.BytesWritten();
            gc.Start();
            store.Start();
            var fixedClock = Stopwatch.StartNew();
            runs.Add(await SendAsync(threadlineAddress, fixedBodies, fixedCount, options.Rate, $"fixed {options.Rate:N0}/s", "Threadline (verify, durable inbox, 200)", ct));
            var afterFixed = await inbox.StatsAsync(ct);
            var fixedElapsed = fixedClock.Elapsed;
            var measured = store.Stop();
            var cpuAfter = ThreadCpu.Take();
            var cpu = cpuAfter.DescribeSince(cpuBefore, fixedElapsed);
            var waitedForCore = cpuAfter.DescribeWaitSince(cpuBefore, fixedElapsed);
            long? disk = ProcessIo.BytesWritten() - diskBefore;
            var pauses = gc.Stop();
            // Where the fixed-rate run's time went: the questions behind a latency tail on two shared cores.
            log($"GC during the fixed-rate run: {GcPauseRecorder.Describe(pauses)}");
            log($"  {SlowAnswers(_lastSamples, pauses, LatencyTarget)}");
            foreach (string line in measured.Describe(fixedElapsed)) log(line);
            // What the slow answers were in flight beside, against how often any answer was: where the tail comes from.
            foreach (var (what, kind, atLeast) in new[] { ("a main-store checkpoint pass", StoreEvent.MainCheckpoint, 0.0), ("an inbox checkpoint pass", StoreEvent.InboxCheckpoint, 0.0), ("an inbox commit over 3 ms", StoreEvent.InboxCommit, 3.0), ("a main-store slice being written out", StoreEvent.MainSlice, 0.0), ("a main-store checkpoint's copy", StoreEvent.MainCopy, 0.0) })
            {
                var intervals = measured.Events.Where(e => e.Kind == kind && e.Ms >= atLeast).Select(e => (e.At.UtcDateTime, TimeSpan.FromMilliseconds(e.Ms))).ToList();
                if (intervals.Count > 0) log($"  {SlowAnswersBeside(_lastSamples, intervals, LatencyTarget, what)}");
            }
            var (pausesAfter, pausedAfter) = SqliteWaits.Pauses;
            if (db.Provider == StorageProvider.Sqlite)
                log($"SQLite paused to retry (a read of a log being started over, or a lock another connection held) {pausesAfter - pausesBefore:N0} times, {pausedAfter - pausedBefore:N0} ms in all");
            log($"CPU during the fixed-rate run (share of one core, by thread): {cpu}");
            if (waitedForCore is not null) log($"Ready to run but waiting for a core (share of the run, by thread): {waitedForCore}");
            if (disk is { } written)
                log($"Written to storage during the fixed-rate run: {written / 1048576.0 / fixedElapsed.TotalSeconds:N0} MiB/s, {written / 1024.0 / fixedCount:N1} KiB per webhook");
            if (options.TimelineFile is { } file) WriteTimeline(file, _lastSamples, pauses, measured.Events);
            double fixedProcessedRate = (afterFixed.Processed - beforeFixed.Processed) / fixedElapsed.TotalSeconds;
            await WaitDrainedAsync(inbox, ct);
            long repeatedAcknowledged = 0;
            var fixedRuns = new List<IngestRun> { runs[^1] };
            for (int k = 2; k <= options.Repeat; k++)
            {
                var again = new TrafficGenerator(new TrafficOptions { AppSecret = Secret, Senders = 2_000, DuplicateRate = 0, Seed = 2_000 + k }).Generate(fixedCount).ToList();
                // Generating the bodies leaves ~100 MB of garbage: collected now, not by the server's GC during the run
                // (measured: repeats straight after generating had p99 20–26 ms where the first run had 8).
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                var run = await SendAsync(threadlineAddress, again, fixedCount, options.Rate, $"fixed {options.Rate:N0}/s #{k}", "Threadline (verify, durable inbox, 200)", ct);
                runs.Add(run);
                fixedRuns.Add(run);
                repeatedAcknowledged += run.Acknowledged;
                await WaitDrainedAsync(inbox, ct);
            }
            if (fixedRuns.Count > 1) log(RepeatedRuns(fixedRuns.Select(r => r.P99).ToList(), LatencyTarget));

            await using var c = await db.OpenInboxAsync(ct: ct);
            long rows = await c.QuerySingleAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM inbox", cancellationToken: ct));
            long distinct = warmedUp + closed.Acknowledged + fixedRuns[0].Acknowledged + repeatedAcknowledged;
            double ratio = closed.Rate / runs[0].Rate;
            return new IngestReport(runs, ratio, rows, distinct, processedRate, fixedProcessedRate, afterFixed.Pending, db.Describe())
            {
                Processing = options.Processing,
                CaptureOnly = options.CaptureOnly,
                RestBound = server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.InboxOptions>>().Value.YieldUntilBacklog,
            };
        }
        finally
        {
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
            if (inboxFile is not null)
                foreach (string suffix in new[] { "", "-wal", "-shm" })
                    try { File.Delete(inboxFile + suffix); } catch (IOException) { }
        }
    }

    private async Task<IngestRun> SendAsync(Uri target, IEnumerable<SimulatedWebhook> bodies, int count, double rate, string mode, string endpoint, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = rate > 0 ? 512 : options.Concurrency })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        // One attempt only: a benchmark must not hide failures behind retries.
        var summary = await new WebhookSender(http).SendAsync(target, bodies, count,
            new WebhookSendOptions { RatePerSecond = rate, MaxInFlight = rate > 0 ? 512 : options.Concurrency, MaxAttempts = 1 }, cancellationToken: ct);
        var jit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
        _lastSamples = summary.Samples;
        var sorted = summary.Latencies.Order().ToList();
        var run = new IngestRun(endpoint, mode, count, summary.Acknowledged, summary.Rate, summary.LatencyPercentile(50), summary.LatencyPercentile(99),
            sorted.Count > 0 ? sorted[^1] : TimeSpan.Zero, jit);
        log($"{endpoint,-42} {mode,-16} {run.Rate,10:N0} req/s   p50 {run.P50.TotalMilliseconds,6:N2} ms   p99 {run.P99.TotalMilliseconds,6:N2} ms   ok {run.Acknowledged:N0}/{count:N0}");
        return run;
    }

    /// <summary>
    /// Brings the server under test to the steady state of a server that has run for a while: fixed-rate chunks of
    /// traffic (the rate of the latency run, 2 s each, senders and bodies of their own) through the whole path, processing
    /// included, until the JIT takes under 2 % of a chunk's time or <see cref="MaxWarmupChunks"/> were sent. A fresh
    /// process otherwise spends seconds of the measured runs compiling and re-compiling (tiering up) the pipeline's code
    /// on the same two cores. Returns how many bodies it sent, all acknowledged and processed.
    /// </summary>
    private async Task<int> WarmUpAsync(Uri target, InboxQueue inbox, CancellationToken ct)
    {
        int count = (int)Math.Max(1_000, options.Rate * 2), sent = 0;
        for (int k = 0; k < MaxWarmupChunks; k++)
        {
            var chunk = new TrafficGenerator(new TrafficOptions { AppSecret = Secret, Senders = 2_000, DuplicateRate = 0, Seed = 1_000 + k }).Generate(count).ToList();
            var clock = Stopwatch.StartNew();
            var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
            var run = await SendAsync(target, chunk, chunk.Count, options.Rate, $"warm-up {k + 1}", "Threadline (not counted)", ct);
            await WaitDrainedAsync(inbox, ct);
            sent += run.Acknowledged;
            var jit = System.Runtime.JitInfo.GetCompilationTime() - jitBefore;
            log($"  JIT {jit.TotalMilliseconds:N0} ms of {clock.ElapsedMilliseconds:N0} ms");
            if (jit < clock.Elapsed * 0.02) break;
        }
        return sent;
    }

    private const int MaxWarmupChunks = 10;

    private IReadOnlyList<LatencySample> _lastSamples = [];

    /// <summary>The acknowledgement latency the fixed-rate run is held to (p99).</summary>
    public static readonly TimeSpan LatencyTarget = TimeSpan.FromMilliseconds(10);

    /// <summary>The fixed-rate runs' p99s, their median, and how many met <paramref name="target"/>.</summary>
    internal static string RepeatedRuns(IReadOnlyList<TimeSpan> p99s, TimeSpan target)
    {
        var sorted = p99s.Order().ToList();
        double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2].TotalMilliseconds
            : (sorted[sorted.Count / 2 - 1].TotalMilliseconds + sorted[sorted.Count / 2].TotalMilliseconds) / 2;
        return $"Fixed-rate p99 over {p99s.Count} runs: {string.Join(", ", p99s.Select(p => p.TotalMilliseconds.ToString("N2")))} ms; "
            + $"median {median:N2} ms; {p99s.Count(p => p <= target)} of {p99s.Count} at or under {target.TotalMilliseconds:N0} ms";
    }

    /// <summary>
    /// How many answers took longer than <paramref name="target"/>, and how many of those were in flight while the runtime
    /// paused every thread for a collection: tells a GC tail from a queueing or I/O tail.
    /// </summary>
    internal static string SlowAnswers(IReadOnlyList<LatencySample> samples, IReadOnlyList<GcPause> pauses, TimeSpan target)
    {
        var slow = samples.Where(s => s.Latency > target).ToList();
        int duringPause = slow.Count(s => pauses.Any(p => p.At < s.SentAt + s.Latency && p.At + p.Pause > s.SentAt));
        return $"{slow.Count:N0} of {samples.Count:N0} answers took over {target.TotalMilliseconds:N0} ms; {duringPause:N0} of those were in flight during a GC pause";
    }

    /// <summary>
    /// How many answers over <paramref name="target"/> were in flight while one of <paramref name="intervals"/> (began at,
    /// lasted) ran, against the share of all answers that were: a cause of the tail shows as a much higher chance of
    /// being slow beside it than away from it.
    /// </summary>
    internal static string SlowAnswersBeside(IReadOnlyList<LatencySample> samples, IReadOnlyList<(DateTime At, TimeSpan Took)> intervals, TimeSpan target, string what)
    {
        var sorted = intervals.OrderBy(i => i.At).ToArray();
        var starts = sorted.Select(i => i.At).ToArray();
        // Latest end among the intervals that began at or before each one: an answer [s, e] overlaps one of them exactly
        // when the latest end among those that began by e reaches s.
        var reach = new DateTime[sorted.Length];
        for (int k = 0; k < sorted.Length; k++)
            reach[k] = k == 0 || sorted[k].At + sorted[k].Took > reach[k - 1] ? sorted[k].At + sorted[k].Took : reach[k - 1];
        bool Overlaps(LatencySample s)
        {
            int k = Array.BinarySearch(starts, s.SentAt + s.Latency);
            k = k >= 0 ? LastAtOrBefore(k) : ~k - 1;
            return k >= 0 && reach[k] >= s.SentAt;
        }
        int LastAtOrBefore(int k)
        {
            while (k + 1 < starts.Length && starts[k + 1] == starts[k]) k++;
            return k;
        }
        int beside = 0, slowBeside = 0, slow = 0;
        foreach (var s in samples)
        {
            bool isSlow = s.Latency > target, overlaps = Overlaps(s);
            if (isSlow) slow++;
            if (overlaps) beside++;
            if (isSlow && overlaps) slowBeside++;
        }
        int away = samples.Count - beside, slowAway = slow - slowBeside;
        return $"{slowBeside:N0} of the {slow:N0} answers over {target.TotalMilliseconds:N0} ms were in flight during {what} ({intervals.Count:N0} of them); "
            + $"{Share(slowBeside, beside)} of the {beside:N0} answers beside one were that slow, {Share(slowAway, away)} of the {away:N0} others";
    }

    private static string Share(int part, int whole) => whole == 0 ? "n/a" : $"{100.0 * part / whole:N1} %";

    /// <summary>Every answer (sent at, ms), every GC pause (at, ms, generation, promoted bytes), and every inbox commit and
    /// checkpoint pass (began at, ms) as CSV, to line them up.</summary>
    private static void WriteTimeline(string path, IReadOnlyList<LatencySample> samples, IReadOnlyList<GcPause> pauses, IReadOnlyList<StoreEvent> events)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("kind,at_utc,ms,generation,promoted_bytes");
        foreach (var s in samples.OrderBy(s => s.SentAt))
            w.WriteLine(FormattableString.Invariant($"answer,{s.SentAt:O},{s.Latency.TotalMilliseconds:F3},,"));
        foreach (var p in pauses)
            w.WriteLine(FormattableString.Invariant($"gc_pause,{p.At:O},{p.Pause.TotalMilliseconds:F3},{p.Generation},{p.PromotedBytes}"));
        foreach (var e in events.OrderBy(e => e.At))
            w.WriteLine(FormattableString.Invariant($"{e.Kind},{e.At:O},{e.Ms:F3},,"));
    }

    private async Task WaitDrainedAsync(InboxQueue inbox, CancellationToken ct)
    {
        if (!options.Processing) return;
        // Not StatsAsync: its total is a count of the whole table, ~9 ms of PostgreSQL's CPU at 120,000 rows, which every
        // 20 ms took half a core from the worker being measured (seventh session).
        while (await inbox.AnyPendingAsync(ct)) await Task.Delay(20, ct);
    }

    private static async Task<WebApplication> StartBareAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/webhooks/whatsapp", async (HttpRequest request) =>
        {
            var buffer = new byte[16 * 1024];
            while (await request.Body.ReadAsync(buffer) > 0) { }
            return Results.Ok();
        });
        await app.StartAsync(ct);
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
