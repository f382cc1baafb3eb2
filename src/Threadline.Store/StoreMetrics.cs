using System.Diagnostics.Metrics;

namespace Threadline.Store;

/// <summary>
/// The storage layer's measurements, as <see cref="System.Diagnostics.Metrics"/> instruments on the meter
/// <c>Threadline.Store</c>: readable live with <c>dotnet-counters monitor --counters Threadline.Store</c>, by any
/// OpenTelemetry exporter, and by <c>threadline bench ingest</c>. They answer the question behind every slow
/// acknowledgement: was it the durable commit (the disk), or everything around it (the CPU)?
/// Recording costs next to nothing while nobody listens.
/// </summary>
public static class StoreMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Threadline.Store";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Per webhook body: from being queued for the inbox until the group commit that holds it is durable.
    /// What the webhook endpoint's answer waited for, apart from HTTP.</summary>
    public static readonly Histogram<double> InboxDurableWait = Meter.CreateHistogram<double>(
        "threadline.inbox.durable_wait", "ms", "Time a webhook body waited until the group commit holding it was durable.");

    /// <summary>Per group commit: the commit itself (on SQLite the fsync of the inbox's write-ahead log).</summary>
    public static readonly Histogram<double> InboxCommitDuration = Meter.CreateHistogram<double>(
        "threadline.inbox.commit.duration", "ms", "Duration of one inbox group commit (the fsync on SQLite).");

    /// <summary>Per group commit: how many bodies it made durable.</summary>
    public static readonly Histogram<int> InboxCommitBodies = Meter.CreateHistogram<int>(
        "threadline.inbox.commit.bodies", "{body}", "Webhook bodies made durable by one group commit.");

    /// <summary>Per SQLite checkpoint pass that copied pages, tagged <c>store</c> = <c>main</c> or <c>inbox</c>: copying
    /// the write-ahead log into the database file and its fsyncs. On a shared disk, the main store's passes are what
    /// the inbox's fsyncs queue behind.</summary>
    public static readonly Histogram<double> CheckpointDuration = Meter.CreateHistogram<double>(
        "threadline.sqlite.checkpoint.duration", "ms", "Duration of a SQLite checkpoint pass that copied pages.");

    /// <summary>Per slice of a paced checkpoint (<see cref="PacedCheckpoint"/>), tagged <c>store</c>: writing one slice of the
    /// database file out to the disk. An inbox fsync issued meanwhile waits for it on a disk that finishes earlier writes first.</summary>
    public static readonly Histogram<double> CheckpointSliceDuration = Meter.CreateHistogram<double>(
        "threadline.sqlite.checkpoint.slice.duration", "ms", "Duration of writing one slice of a paced SQLite checkpoint out to the disk.");

    /// <summary>Per paced checkpoint pass (<see cref="PacedCheckpoint"/>) that found something new, tagged <c>store</c>: SQLite
    /// copying the log into the database file, in the page cache (no syncs; its writes go to the disk in the slices after).
    /// CPU and memory copies, all at once: what a pass does beside the acknowledgements apart from its paced writes.</summary>
    public static readonly Histogram<double> CheckpointCopyDuration = Meter.CreateHistogram<double>(
        "threadline.sqlite.checkpoint.copy.duration", "ms", "Duration of SQLite copying the write-ahead log into the database file in a paced checkpoint.");
}
