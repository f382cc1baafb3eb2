using Threadline.Bench;
using Threadline.Simulator;

namespace Threadline.Tests.Bench;

/// <summary>The instruments <c>threadline bench ingest</c> uses to say where a latency tail came from.</summary>
public sealed class BenchDiagnosticsTests
{
    [Fact]
    public void ThreadCpu_reads_name_and_user_plus_system_time_from_a_stat_line()
    {
        // pid (comm) state ppid … utime (14th field) stime (15th); a name may hold spaces and parentheses.
        const string line = "4242 (.NET TP Worker) S 1 4200 4200 0 -1 4194368 512 0 0 0 250 75 0 0 20 0 31 0 1234 0 0";
        Assert.Equal((".NET TP Worker", TimeSpan.FromSeconds(3.25)), ThreadCpu.Parse(line));
        Assert.Equal(("a) (b", TimeSpan.FromSeconds(0.02)), ThreadCpu.Parse("7 (a) (b) R 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0"));
    }

    [Fact]
    public void The_CPU_of_processes_by_command_name_sums_every_such_process_and_nothing_else()
    {
        string proc = Path.Combine(Path.GetTempPath(), "threadline-tests", Guid.NewGuid().ToString("N"));
        try
        {
            void Process(string pid, string? stat)
            {
                Directory.CreateDirectory(Path.Combine(proc, pid));
                if (stat is not null) File.WriteAllText(Path.Combine(proc, pid, "stat"), stat);
            }
            Process("101", "101 (postgres) S 1 1 1 0 -1 0 0 0 0 0 150 50 0 0 20 0");     // 2.00 s
            Process("102", "102 (postgres) S 1 1 1 0 -1 0 0 0 0 0 30 20 0 0 20 0");      // 0.50 s
            Process("103", "103 (dotnet) S 1 1 1 0 -1 0 0 0 0 0 999 999 0 0 20 0");      // another command
            Process("104", "104 (postgres-x) S 1 1 1 0 -1 0 0 0 0 0 999 999 0 0 20 0");  // another command, same prefix
            Process("105", null);                                                        // ended before its stat was read
            Process("self", "9 (postgres) S 1 1 1 0 -1 0 0 0 0 0 999 999 0 0 20 0");    // not a process id
            Assert.Equal(TimeSpan.FromSeconds(2.5), ThreadCpu.OfProcesses("postgres", proc));
            Assert.Null(ThreadCpu.OfProcesses("mysqld", proc));
            Assert.Null(ThreadCpu.OfProcesses("postgres", Path.Combine(proc, "missing")));
        }
        finally { Directory.Delete(proc, recursive: true); }
    }

    [Theory]
    [InlineData("")]
    [InlineData("12 no-parentheses S 1")]
    [InlineData("12 (short) S 1 2 3")]
    [InlineData("12 (x) S 1 1 1 0 -1 0 0 0 0 0 many ticks 0 0")]
    public void ThreadCpu_skips_lines_it_cannot_read(string line) => Assert.Null(ThreadCpu.Parse(line));

    [Fact]
    public void ThreadCpu_attributes_a_busy_thread_by_its_name()
    {
        if (!OperatingSystem.IsLinux()) return; // /proc only
        var before = ThreadCpu.Take();
        Assert.Equal("no per-thread CPU figures on this system", before.DescribeSince(before, TimeSpan.FromSeconds(1)));
        using var spun = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var busy = new Thread(() =>
        {
            // Spin until the kernel has counted 300 ms of this thread's own CPU time (however loaded the machine).
            while (ThreadCpu.Parse(File.ReadAllText("/proc/thread-self/stat"))?.Cpu < TimeSpan.FromMilliseconds(300)) { }
            spun.Set();
            release.Wait(); // still alive when the second snapshot is taken: threads that ended are gone from /proc
        }) { Name = "tl-busy-test 7" };
        busy.Start();
        spun.Wait();
        var after = ThreadCpu.Take();
        release.Set();
        busy.Join();
        // The kernel counts in 10 ms ticks; 300 ms of spinning shows as a share of one core, its number dropped.
        var used = after.UsedSince(before);
        Assert.True(used.TryGetValue("tl-busy-test", out var cpu) && cpu >= TimeSpan.FromMilliseconds(300), string.Join(", ", used));
    }

    [Theory]
    [InlineData("3418000000 375000000 1234\n", 375)]
    [InlineData("0 0 0", 0)]
    [InlineData("12 1999999 3", 1.9999)]
    public void ThreadCpu_reads_the_wait_for_a_core_from_a_schedstat_line(string line, double ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), ThreadCpu.ParseRunqueueWait(line));

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("12 x 3")]
    [InlineData("12 -5 3")]
    public void ThreadCpu_skips_schedstat_lines_it_cannot_read(string line) => Assert.Null(ThreadCpu.ParseRunqueueWait(line));

    [Fact]
    public void ThreadCpu_counts_the_wait_of_threads_that_outnumber_the_cores()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/thread-self/schedstat")) return; // /proc with scheduler statistics only
        var before = ThreadCpu.Take();
        Assert.Null(before.DescribeWaitSince(before, TimeSpan.FromSeconds(1)));
        // One spinning thread more than there are cores: together they want more CPU than exists, so the kernel makes
        // them take turns, and the time each spends ready but not running is the wait being measured.
        int count = Environment.ProcessorCount + 1;
        using var release = new ManualResetEventSlim();
        using var spun = new CountdownEvent(count);
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            while (ThreadCpu.Parse(File.ReadAllText("/proc/thread-self/stat"))?.Cpu < TimeSpan.FromMilliseconds(200)) { }
            spun.Signal();
            release.Wait();
        }) { Name = $"tl-crowd-test {i}" }).ToList();
        var started = System.Diagnostics.Stopwatch.StartNew();
        threads.ForEach(t => t.Start());
        spun.Wait();
        var after = ThreadCpu.Take();
        release.Set();
        threads.ForEach(t => t.Join());
        var waited = after.WaitedSince(before);
        Assert.True(waited.TryGetValue("tl-crowd-test", out var wait) && wait > TimeSpan.FromMilliseconds(20), string.Join(", ", waited));
        Assert.Contains("tl-crowd-test", after.DescribeWaitSince(before, started.Elapsed));
    }

    [Theory]
    [InlineData(0, "(kept up)")]
    [InlineData(999, "(kept up)")]
    [InlineData(1_000, "(behind, but under the worker's rest bound Inbox:YieldUntilBacklog = ")]
    [InlineData(9_999, "(behind, but under the worker's rest bound")]
    [InlineData(10_000, "(fell behind: past the worker's rest bound Inbox:YieldUntilBacklog = ")]
    [InlineData(18_290, "(fell behind")]
    public void Ingest_backlog_is_judged_against_the_workers_rest_bound(long backlog, string verdict)
    {
        var report = new IngestReport([], 0.5, 10, 10, 1, 1, backlog, "sqlite") { RestBound = 10_000 };
        Assert.Contains(verdict, report.BacklogVerdict());
        Assert.StartsWith($"{backlog:N0} were still pending", report.BacklogVerdict());
    }

    [Fact]
    public void SlowAnswers_counts_answers_over_the_target_and_those_in_flight_during_a_pause()
    {
        var t0 = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        var samples = new[]
        {
            new LatencySample(t0, TimeSpan.FromMilliseconds(2)),                          // fast
            new LatencySample(t0.AddMilliseconds(10), TimeSpan.FromMilliseconds(15)),     // slow, overlaps the pause
            new LatencySample(t0.AddMilliseconds(100), TimeSpan.FromMilliseconds(11)),    // slow, no pause
            new LatencySample(t0.AddMilliseconds(19), TimeSpan.FromMilliseconds(3)),      // fast, during the pause
        };
        var pauses = new[] { new GcPause(t0.AddMilliseconds(20), TimeSpan.FromMilliseconds(4), 0, false, 1 << 20) };
        Assert.Equal("2 of 4 answers took over 10 ms; 1 of those were in flight during a GC pause",
            Threadline.Bench.IngestBenchmark.SlowAnswers(samples, pauses, TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void SlowAnswersBeside_tells_how_much_likelier_an_answer_is_slow_beside_an_interval()
    {
        var t0 = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        LatencySample At(double ms, double took) => new(t0.AddMilliseconds(ms), TimeSpan.FromMilliseconds(took));
        var samples = new[]
        {
            At(0, 12),    // slow, ends as the first interval begins (touching counts)
            At(15, 20),   // slow, inside the long interval
            At(58, 1),    // fast, inside the long interval: only the long one reaches this far
            At(70, 2),    // fast, away
            At(80, 11),   // slow, away
            At(200, 1),   // fast, inside the last interval (two begin at the same time)
            At(300, 30),  // slow, away
        };
        var intervals = new[]
        {
            (t0.AddMilliseconds(12), TimeSpan.FromMilliseconds(50)),  // 12–62
            (t0.AddMilliseconds(20), TimeSpan.FromMilliseconds(5)),   // 20–25, inside the first
            (t0.AddMilliseconds(199), TimeSpan.FromMilliseconds(1)),
            (t0.AddMilliseconds(199), TimeSpan.FromMilliseconds(3)),
        };
        Assert.Equal("2 of the 4 answers over 10 ms were in flight during a pass (4 of them); 50.0 % of the 4 answers beside one were that slow, 66.7 % of the 3 others",
            Threadline.Bench.IngestBenchmark.SlowAnswersBeside(samples, intervals, TimeSpan.FromMilliseconds(10), "a pass"));
        Assert.Equal("0 of the 4 answers over 10 ms were in flight during a pass (0 of them); n/a of the 0 answers beside one were that slow, 57.1 % of the 7 others",
            Threadline.Bench.IngestBenchmark.SlowAnswersBeside(samples, [], TimeSpan.FromMilliseconds(10), "a pass"));
    }

    [Fact]
    public void Percentiles_are_by_nearest_rank()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();
        Assert.Equal("p50 / p90 / p99 50.00 / 90.00 / 99.00 ms", StoreMeasurements.Percentiles(values));
        Assert.Equal("p50 / p90 / p99 7.00 / 7.00 / 7.00 ms", StoreMeasurements.Percentiles([7]));
        Assert.Equal("n/a", StoreMeasurements.Percentiles([]));
    }

    [Fact]
    public void StoreMeasurements_describe_commits_and_the_share_of_time_checkpoints_took()
    {
        var m = new StoreMeasurements([1, 2, 3], [0.5, 0.5], [2, 1], [100, 200], [10]);
        var lines = m.Describe(TimeSpan.FromSeconds(1)).ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("Inbox: 2 group commits of 1.5 bodies on average", lines[0]);
        Assert.Equal("SQLite checkpoints: main store 2 passes, 30 % of the time (longest 200 ms); inbox 1 passes, 1 % of the time", lines[1]);
        Assert.Empty(new StoreMeasurements([], [], [], [], []).Describe(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void StoreMeasurements_describe_the_paced_checkpoints_slices()
    {
        var m = new StoreMeasurements([], [], [], [], []) { MainSlices = [1, 2, 3, 4] };
        Assert.Equal("Main-store checkpoint slices written out: 4, 1 % of the time; one took p50 / p90 / p99 2.00 / 4.00 / 4.00 ms",
            Assert.Single(m.Describe(TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void Repeated_fixed_rate_runs_are_summed_up_by_their_median_and_how_many_met_the_target()
    {
        var ms = (double[] v) => v.Select(TimeSpan.FromMilliseconds).ToList();
        Assert.Equal("Fixed-rate p99 over 3 runs: 12.00, 8.00, 10.00 ms; median 10.00 ms; 2 of 3 at or under 10 ms",
            IngestBenchmark.RepeatedRuns(ms([12, 8, 10]), TimeSpan.FromMilliseconds(10)));
        Assert.Equal("Fixed-rate p99 over 4 runs: 9.00, 11.00, 7.00, 13.00 ms; median 10.00 ms; 2 of 4 at or under 10 ms",
            IngestBenchmark.RepeatedRuns(ms([9, 11, 7, 13]), TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void StoreMeasurements_describe_the_paced_checkpoints_copies()
    {
        var m = new StoreMeasurements([], [], [], [], []) { MainCopies = [10, 30] };
        Assert.Equal("Main-store checkpoint copies (log into the database file, in memory): 2, 4 % of the time; one took p50 / p90 / p99 10.00 / 30.00 / 30.00 ms",
            Assert.Single(m.Describe(TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void StoreMeasurements_describe_the_servers_own_time_per_webhook_and_how_many_took_over_10_ms()
    {
        var m = new StoreMeasurements([], [], [], [], [], ServerRequests: [1, 2, 3, 12, 0.5, 10, 10.5]);
        Assert.Equal("Webhook requests inside the server (ASP.NET Core's http.server.request.duration, 7): p50 / p90 / p99 3.00 / 12.00 / 12.00 ms; over 10 ms: 2",
            Assert.Single(m.Describe(TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void GcPauseRecorder_describes_what_a_pause_was_made_of()
    {
        var t0 = new DateTime(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
        GcPause Pause(double ms, double suspending, double collecting, bool background = false) => new(t0, TimeSpan.FromMilliseconds(ms), background ? 2 : 0, background, 1 << 20,
            TimeSpan.FromMilliseconds(suspending), TimeSpan.FromMilliseconds(collecting), 300L << 20);
        // A background gen2's collection runs beside the program: it is no part of a pause's collecting time.
        string described = GcPauseRecorder.Describe([Pause(10, 0.5, 9), Pause(4, 0.1, 3), Pause(20, 2, 17), Pause(1, 0.2, 900, background: true)]);
        Assert.Contains("suspending the threads took median 0.5 ms, collecting median 9.0 ms; gen2 + large objects 300 MiB at the end", described);
    }

    [Fact]
    public async Task GcPauseRecorder_records_a_forced_full_collection_with_its_generation()
    {
        using var recorder = new GcPauseRecorder();
        recorder.Start();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        // The runtime's events reach listeners asynchronously (well within a second; allow more on a loaded machine).
        for (int i = 0; i < 100 && !recorder.Recorded.Any(p => p.Generation == 2); i++) await Task.Delay(50);
        var pauses = recorder.Stop();
        // Other tests may collect meanwhile too; ours is among them, blocking, with a real pause.
        Assert.Contains(pauses, p => p.Generation == 2 && !p.Background && p.Pause > TimeSpan.Zero && p.Pause < TimeSpan.FromSeconds(10));
        Assert.Contains("gen2", GcPauseRecorder.Describe(pauses));
    }
}
