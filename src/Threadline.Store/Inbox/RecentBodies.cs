using System.Collections.Concurrent;

namespace Threadline.Store.Inbox;

/// <summary>
/// The bodies the inbox writer took most recently, by SHA-256, each with the task of the commit that stores it. A
/// byte-identical redelivery joins that commit (it is acknowledged when the first one is durable) instead of adding a
/// row. Bounded: the oldest are forgotten first, and so is everything at a restart; a redelivery that gets past this is
/// stored as a second row, whose processing changes nothing (the pipeline's writes are idempotent by message id).
/// A delivery whose commit failed or was cancelled is replaced by the next identical one, which is then written.
/// </summary>
public sealed class RecentBodies(int capacity)
{
    private readonly ConcurrentDictionary<UInt128, Task> _commits = new();
    private readonly ConcurrentQueue<UInt128> _order = new();

    /// <summary>How many bodies it remembers at most.</summary>
    public int Capacity => capacity;

    /// <summary>How many it remembers now.</summary>
    public int Count => _commits.Count;

    /// <summary>
    /// The commit of an earlier identical body that has not failed, or null when <paramref name="commit"/> is now the
    /// one remembered for this hash (the caller writes the body).
    /// </summary>
    public Task? Join(UInt128 hash, Task commit)
    {
        while (true)
        {
            var earlier = _commits.GetOrAdd(hash, commit);
            if (ReferenceEquals(earlier, commit))
            {
                _order.Enqueue(hash);
                while (_order.Count > capacity && _order.TryDequeue(out var oldest)) _commits.TryRemove(oldest, out _);
                return null;
            }
            if (!earlier.IsFaulted && !earlier.IsCanceled) return earlier;
            // The earlier delivery was not stored: this one takes its place (its key is still in the order queue).
            if (_commits.TryUpdate(hash, commit, earlier)) return null;
        }
    }
}
