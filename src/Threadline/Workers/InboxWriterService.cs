using Threadline.Store.Inbox;

namespace Threadline.Workers;

/// <summary>Hosts the inbox's group-commit loop for the life of the server; on stop it drains what is queued.</summary>
public sealed class InboxWriterService(InboxWriter writer) : BackgroundService
{
    // Its own thread: each group commit waits for an fsync (see DedicatedThread).
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => DedicatedThread.Run("Inbox writer", () => writer.RunAsync(stoppingToken));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        writer.Complete(); // let the loop drain queued bodies and end on its own …
        await Task.WhenAny(ExecuteTask ?? Task.CompletedTask, Task.Delay(Timeout.Infinite, cancellationToken));
        await base.StopAsync(cancellationToken); // … and cancel it only if shutdown runs out of time.
    }
}
