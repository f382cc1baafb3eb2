using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Workers;

namespace Threadline.Sending;

/// <summary>
/// Runs <see cref="OutboxSender"/> passes: at once when this process queued something, else every
/// <see cref="OutboxOptions.PollIntervalMs"/> (rows other instances queued, retries coming due, status confirmations).
/// </summary>
public sealed class OutboxWorker(OutboxSender sender, OutboxSignal signal, TimeProvider clock, IOptions<OutboxOptions> options, ILogger<OutboxWorker> logger)
    : PollingWorker(clock, logger)
{
    protected override string Name => "Sending (Outbox:SendingEnabled)";
    protected override bool Enabled => options.Value.SendingEnabled;
    protected override TimeSpan PollInterval => TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
    protected override void Subscribe() => signal.Queued += Wake;
    protected override void Unsubscribe() => signal.Queued -= Wake;

    protected override async Task<bool> PassAsync(CancellationToken ct) => (await sender.ProcessNextAsync(ct)).Claimed > 0;
}
