using Threadline.Workers;

namespace Threadline.Tests.Workers;

/// <summary>Background loops on a thread of their own: every continuation of theirs comes back to it, and it ends with them.</summary>
public class DedicatedThreadTests
{
    [Fact]
    public async Task Run_EveryAwaitOfTheLoopContinuesOnItsOwnThread_NotOnThePool()
    {
        var threads = new List<(string? Name, bool Pool)>();
        var gate = new SemaphoreSlim(0);
        var loop = DedicatedThread.Run("test loop", async () =>
        {
            for (int i = 0; i < 5; i++)
            {
                threads.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
                await Task.Delay(5);                 // a timer completes this on the pool…
                await gate.WaitAsync();              // …and this is released from another thread
                await Task.Yield();
            }
            threads.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
        });
        for (int i = 0; i < 5; i++)
        {
            await Task.Delay(10);
            gate.Release();
        }
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(6, threads.Count);
        Assert.All(threads, t => Assert.Equal(("test loop", false), t));
    }

    [Fact]
    public async Task Run_TheLoopsFailureAndCancellationReachTheCaller()
    {
        var failed = DedicatedThread.Run("failing loop", async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom");
        });
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(TimeSpan.FromSeconds(10)))).Message);

        using var stop = new CancellationTokenSource();
        var cancelled = DedicatedThread.Run("cancelled loop", () => Task.Delay(Timeout.Infinite, stop.Token));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
