using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Threadline.Bench;

/// <summary>One garbage collection as the runtime reported it.</summary>
/// <param name="At">When the runtime began suspending threads for it.</param>
/// <param name="Pause">From the start of suspension to the end of the restart: what every request in flight waited.</param>
/// <param name="Generation">The generation collected (0, 1, 2).</param>
/// <param name="Background">A background gen2 collection (its pause is only the short foreground parts).</param>
/// <param name="PromotedBytes">Bytes that survived this collection (promoted out of the collected generations).</param>
/// <param name="Suspending">Of the pause, the time to bring every managed thread to a stop (suspension begin → end).</param>
/// <param name="Collecting">Of the pause, the collection itself (GC start → end; for a background gen2, the whole
/// collection, most of it concurrent with the program).</param>
/// <param name="OldBytes">Gen2 and large-object heap after the collection: what a gen0 collection must scan for
/// references into the young objects (through the card table).</param>
public readonly record struct GcPause(DateTime At, TimeSpan Pause, int Generation, bool Background, long PromotedBytes,
    TimeSpan Suspending = default, TimeSpan Collecting = default, long OldBytes = 0);

/// <summary>
/// Records every garbage collection's pause and what survived it, from the runtime's own GC events
/// (<c>Microsoft-Windows-DotNETRuntime</c>, GC keyword): suspension begin → restart end, and the heap statistics that
/// follow each collection. <see cref="GC.GetTotalPauseDuration"/> gives only the sum; a latency target needs the longest
/// pauses and what made them long. EventListener callbacks arrive late and on another thread, so pauses are computed
/// from the events' own timestamps.
/// </summary>
public sealed class GcPauseRecorder : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentQueue<GcPause> _pauses = new();
    private readonly object _gate = new();
    private DateTime _suspendedAt;
    private DateTime _stoppedAt;
    private DateTime _startedAt;
    private TimeSpan _collecting;
    private int _generation;
    private bool _background;
    private long _promoted;
    private long _old;
    private volatile bool _recording;

    /// <summary>Starts (or restarts) recording: earlier collections are forgotten.</summary>
    public void Start()
    {
        _pauses.Clear();
        _recording = true;
    }

    /// <summary>Stops recording and returns the collections since <see cref="Start"/>.</summary>
    public IReadOnlyList<GcPause> Stop()
    {
        // Events are dispatched asynchronously: give the last ones a moment to arrive.
        Thread.Sleep(200);
        _recording = false;
        return Recorded;
    }

    /// <summary>The collections recorded so far (events arrive some milliseconds after the collection).</summary>
    public IReadOnlyList<GcPause> Recorded => _pauses.ToArray();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording) return;
        lock (_gate)
        {
            switch (e.EventName)
            {
                case "GCSuspendEEBegin_V1":
                    _suspendedAt = e.TimeStamp;
                    _stoppedAt = default;
                    break;
                case "GCSuspendEEEnd_V1":
                    _stoppedAt = e.TimeStamp;
                    break;
                case "GCEnd_V1":
                    if (_startedAt != default) _collecting = e.TimeStamp - _startedAt;
                    _startedAt = default;
                    break;
                case "GCStart_V2":
                    _startedAt = e.TimeStamp;
                    _collecting = default;
                    _generation = Convert.ToInt32(e.Payload![1]);
                    _background = Convert.ToInt32(e.Payload[3]) == 1;
                    _promoted = 0;
                    break;
                case "GCHeapStats_V2":
                    // TotalPromotedSize0..3 at payload positions 1, 3, 5, 7 (gen0, gen1, gen2, LOH).
                    _promoted = Convert.ToInt64(e.Payload![1]) + Convert.ToInt64(e.Payload[3]) + Convert.ToInt64(e.Payload[5]) + Convert.ToInt64(e.Payload[7]);
                    _old = Convert.ToInt64(e.Payload[4]) + Convert.ToInt64(e.Payload[6]);
                    break;
                case "GCRestartEEEnd_V1":
                    if (_suspendedAt != default)
                        _pauses.Enqueue(new GcPause(_suspendedAt, e.TimeStamp - _suspendedAt, _generation, _background, _promoted,
                            _stoppedAt == default ? TimeSpan.Zero : _stoppedAt - _suspendedAt, _collecting, _old));
                    _suspendedAt = default;
                    break;
            }
        }
    }

    /// <summary>A line for the report: count, total, longest, and how much survived.</summary>
    public static string Describe(IReadOnlyList<GcPause> pauses)
    {
        if (pauses.Count == 0) return "no collections";
        var sorted = pauses.Select(p => p.Pause.TotalMilliseconds).Order().ToArray();
        double total = sorted.Sum();
        double median = sorted[sorted.Length / 2];
        int byGen0 = pauses.Count(p => p.Generation == 0), byGen1 = pauses.Count(p => p.Generation == 1), byGen2 = pauses.Count(p => p.Generation == 2);
        return $"{pauses.Count} pauses (gen0 {byGen0}, gen1 {byGen1}, gen2 {byGen2}): {total:N0} ms in all, median {median:N1} ms, "
            + $"longest {sorted[^1]:N1} ms, {pauses.Count(p => p.Pause.TotalMilliseconds > 5)} over 5 ms; "
            + $"survivors {pauses.Average(p => p.PromotedBytes) / 1024 / 1024:N1} MiB per collection on average; "
            + $"of a pause, suspending the threads took median {Median(pauses.Select(p => p.Suspending)):N1} ms, "
            + $"collecting median {Median(pauses.Where(p => !p.Background).Select(p => p.Collecting)):N1} ms; "
            + $"gen2 + large objects {pauses[^1].OldBytes / 1024.0 / 1024:N0} MiB at the end";
    }

    private static double Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Select(v => v.TotalMilliseconds).Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }
}
