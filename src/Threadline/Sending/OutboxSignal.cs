namespace Threadline.Sending;

/// <summary>
/// "Something was queued in this process": whoever commits outbox rows (the inbox's decisions, the follow-up scheduler,
/// the API, the sender's own template switches) raises it after the commit, and the outbox worker starts at once instead
/// of at its next poll. Rows queued by other instances are found by the poll.
/// </summary>
public sealed class OutboxSignal
{
    public event Action? Queued;

    public void Notify() => Queued?.Invoke();
}
