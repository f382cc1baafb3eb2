using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Threadline.Store;

namespace Threadline.Bench;

/// <summary>What the storage layer measured while a <see cref="StoreMetricsRecorder"/> recorded.</summary>
/// <param name="DurableWaits">Per body: ms from queued to durable.</param>
/// <param name="Commits">Per inbox group commit: ms of the commit (the fsync).</param>
/// <param name="CommitBodies">Per inbox group commit: bodies in it.</param>
/// <param name="MainCheckpoints">Per main-store checkpoint pass that copied pages: ms.</param>
/// <param name="InboxCheckpoints">Per inbox checkpoint pass that copied pages: ms.</param>
/// <param name="ServerRequests">Per webhook request: ms the server itself took (ASP.NET Core's
/// <c>http.server.request.duration</c>), so a slow answer can be told apart from a slow client or network.</param>
public sealed record StoreMeasurements(
    IReadOnlyList<double> DurableWaits, IReadOnlyList<double> Commits, IReadOnlyList<int> CommitBodies,
    IReadOnlyList<double> MainCheckpoints, IReadOnlyList<double> InboxCheckpoints, IReadOnlyList<double>? ServerRequests = null)
{
    /// <summary>Per slice a paced main-store checkpoint wrote out to the disk: ms.</summary>
    public IReadOnlyList<double> MainSlices { get; init; } = [];

    /// <summary>Per paced main-store checkpoint pass that found something new: ms SQLite took to copy the log into the
    /// database file (in the page cache, before the slices write it out).</summary>
    public IReadOnlyList<double> MainCopies { get; init; } = [];

    /// <summary>Every inbox commit, checkpoint pass, main-store slice and copy with when it began (for <c>--timeline</c>):
    /// kind <c>inbox_commit</c>, <c>checkpoint_main</c>, <c>checkpoint_inbox</c>, <c>slice_main</c> or <c>copy_main</c>.</summary>
    public IReadOnlyList<StoreEvent> Events { get; init; } = [];

    /// <summary>Lines for the report: the inbox's durable path, and how much of the run the checkpoints took.</summary>
    public IEnumerable<string> Describe(TimeSpan elapsed)
    {
        if (Commits.Count > 0)
        {
            yield return $"Inbox: {Commits.Count:N0} group commits of {CommitBodies.Average():N1} bodies on average; "
                + $"a commit (fsync) took {Percentiles(Commits)}; a body waited for durability {Percentiles(DurableWaits)}";
        }
        if (ServerRequests is { Count: > 0 })
        {
            yield return $"Webhook requests inside the server (ASP.NET Core's http.server.request.duration, {ServerRequests.Count:N0}): "
                + $"{Percentiles(ServerRequests)}; over 10 ms: {ServerRequests.Count(ms => ms > 10):N0}";
        }
        if (MainCheckpoints.Count + InboxCheckpoints.Count > 0)
        {
            yield return $"SQLite checkpoints: main store {MainCheckpoints.Count:N0} passes, {Share(MainCheckpoints, elapsed):P0} of the time "
                + $"(longest {MaxOf(MainCheckpoints):N0} ms); inbox {InboxCheckpoints.Count:N0} passes, {Share(InboxCheckpoints, elapsed):P0} of the time";
        }
        if (MainSlices.Count > 0)
        {
            yield return $"Main-store checkpoint slices written out: {MainSlices.Count:N0}, {Share(MainSlices, elapsed):P0} of the time; "
                + $"one took {Percentiles(MainSlices)}";
        }
        if (MainCopies.Count > 0)
        {
            yield return $"Main-store checkpoint copies (log into the database file, in memory): {MainCopies.Count:N0}, {Share(MainCopies, elapsed):P0} of the time; "
                + $"one took {Percentiles(MainCopies)}";
        }
    }

    /// <summary>"p50 / p90 / p99 a / b / c ms" by nearest rank.</summary>
    public static string Percentiles(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return "n/a";
        var sorted = values.Order().ToArray();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return $"p50 / p90 / p99 {At(0.50):N2} / {At(0.90):N2} / {At(0.99):N2} ms";
    }

    private static double Share(IReadOnlyList<double> ms, TimeSpan elapsed) => elapsed > TimeSpan.Zero ? ms.Sum() / elapsed.TotalMilliseconds : 0;

    private static double MaxOf(IReadOnlyList<double> ms) => ms.Count > 0 ? ms.Max() : 0;
}

/// <summary>One timed storage operation: when it began, what it was, how long it took.</summary>
public readonly record struct StoreEvent(DateTimeOffset At, string Kind, double Ms)
{
    /// <summary>The kinds, as written to the timeline.</summary>
    public const string InboxCommit = "inbox_commit", MainCheckpoint = "checkpoint_main", InboxCheckpoint = "checkpoint_inbox", MainSlice = "slice_main", MainCopy = "copy_main";
}

/// <summary>
/// Listens to <see cref="StoreMetrics"/> (meter <c>Threadline.Store</c>) in this process between <see cref="Start"/>
/// and <see cref="Stop"/>, the way <c>dotnet-counters</c> would, and keeps every measurement.
/// </summary>
public sealed class StoreMetricsRecorder : IDisposable
{
    // When a commit or checkpoint pass began, for the timeline: its end (now) less its duration.
    private readonly TimeProvider _clock;
    private readonly MeterListener _listener = new();
    /// <summary>ASP.NET Core's server-side request timing (seconds), recorded for the webhook route only.</summary>
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting", RequestDuration = "http.server.request.duration", WebhookRoute = "/webhooks/whatsapp";

    private readonly ConcurrentQueue<double> _durableWaits = new(), _commits = new(), _mainCheckpoints = new(), _inboxCheckpoints = new(), _server = new(), _mainSlices = new(), _mainCopies = new();
    private readonly ConcurrentQueue<int> _commitBodies = new();
    private readonly ConcurrentQueue<StoreEvent> _events = new();
    private volatile bool _recording;

    public StoreMetricsRecorder(TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StoreMetrics.MeterName || (instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (!_recording) return;
            if (ReferenceEquals(instrument, StoreMetrics.InboxDurableWait)) _durableWaits.Enqueue(value);
            else if (ReferenceEquals(instrument, StoreMetrics.InboxCommitDuration))
            {
                _commits.Enqueue(value);
                _events.Enqueue(new StoreEvent(_clock.GetUtcNow().AddMilliseconds(-value), StoreEvent.InboxCommit, value));
            }
            else if (ReferenceEquals(instrument, StoreMetrics.CheckpointDuration))
            {
                bool main = StoreOf(tags) == "main";
                (main ? _mainCheckpoints : _inboxCheckpoints).Enqueue(value);
                _events.Enqueue(new StoreEvent(_clock.GetUtcNow().AddMilliseconds(-value), main ? StoreEvent.MainCheckpoint : StoreEvent.InboxCheckpoint, value));
            }
            else if (ReferenceEquals(instrument, StoreMetrics.CheckpointSliceDuration))
            {
                if (StoreOf(tags) != "main") return;
                _mainSlices.Enqueue(value);
                _events.Enqueue(new StoreEvent(_clock.GetUtcNow().AddMilliseconds(-value), StoreEvent.MainSlice, value));
            }
            else if (ReferenceEquals(instrument, StoreMetrics.CheckpointCopyDuration))
            {
                if (StoreOf(tags) != "main") return;
                _mainCopies.Enqueue(value);
                _events.Enqueue(new StoreEvent(_clock.GetUtcNow().AddMilliseconds(-value), StoreEvent.MainCopy, value));
            }
            else if (instrument.Name == RequestDuration && instrument.Meter.Name == HostingMeter && TagOf(tags, "http.route") == WebhookRoute)
                _server.Enqueue(value * 1000);
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (_recording && ReferenceEquals(instrument, StoreMetrics.InboxCommitBodies)) _commitBodies.Enqueue(value);
        });
        _listener.Start();
    }

    private static string? StoreOf(ReadOnlySpan<KeyValuePair<string, object?>> tags) => TagOf(tags, "store");

    private static string? TagOf(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
            if (tag.Key == key) return tag.Value as string;
        return null;
    }

    /// <summary>Forgets what was recorded so far and starts recording.</summary>
    public void Start()
    {
        _durableWaits.Clear(); _events.Clear(); _commits.Clear(); _commitBodies.Clear(); _mainCheckpoints.Clear(); _inboxCheckpoints.Clear(); _server.Clear(); _mainSlices.Clear(); _mainCopies.Clear();
        _recording = true;
    }

    /// <summary>What was recorded since <see cref="Start"/>, so far (recording goes on).</summary>
    public StoreMeasurements Measured =>
        new([.. _durableWaits], [.. _commits], [.. _commitBodies], [.. _mainCheckpoints], [.. _inboxCheckpoints], [.. _server]) { Events = [.. _events], MainSlices = [.. _mainSlices], MainCopies = [.. _mainCopies] };

    /// <summary>Stops recording; returns what was recorded since <see cref="Start"/>.</summary>
    public StoreMeasurements Stop()
    {
        _recording = false;
        return Measured;
    }

    public void Dispose() => _listener.Dispose();
}
