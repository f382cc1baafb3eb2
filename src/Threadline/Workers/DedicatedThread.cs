using System.Collections.Concurrent;

namespace Threadline.Workers;

/// <summary>
/// Runs a background loop on a thread of its own instead of the shared thread pool. The inbox worker, the inbox writer
/// and the checkpointer spend long stretches in synchronous SQLite calls (a batch of 256 messages is ~40 ms of CPU; a
/// commit or checkpoint waits for fsync): on the pool, on two cores, that left the webhook endpoint's requests queued
/// behind them, and the pool only adds threads slowly. Measured with <c>threadline bench ingest</c>: acknowledgement p99
/// at 5,000 webhooks/s while processing ran was 59–74 ms, 19–22 ms with the pool simply given more threads.
/// Every continuation of the loop's own awaits comes back to its thread (they capture <see cref="TaskScheduler.Current"/>);
/// library code that continues with <c>ConfigureAwait(false)</c> runs briefly on the pool as usual.
/// (Tried and dropped: a lower priority for the worker's thread (a higher Linux nice value). Threads inherit it from the
/// thread that creates them, and the thread pool creates its threads on whichever thread asks for one, so pool threads
/// serving webhooks could have ended up with the worker's low priority.)
/// </summary>
public sealed class DedicatedThread : TaskScheduler
{
    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread _thread;

    private DedicatedThread(string name)
    {
        _thread = new Thread(() =>
        {
            foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
        }) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Starts <paramref name="loop"/> on a new thread named <paramref name="name"/>; the thread ends with the loop.</summary>
    public static Task Run(string name, Func<Task> loop)
    {
        var scheduler = new DedicatedThread(name);
        var task = Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();
        task.ContinueWith(_ => scheduler._queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task)
    {
        // A continuation that arrives after the loop ended (nothing of the loop's is left to run) still runs, on the pool.
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add(task);
                return;
            }
            catch (InvalidOperationException) { /* completed meanwhile */ }
        }
        ThreadPool.UnsafeQueueUserWorkItem(t => TryExecuteTask(t), task, preferLocal: false);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        Thread.CurrentThread == _thread && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();
}
