using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Store.Conversations;

namespace Threadline.Workers;

/// <summary>
/// Closes the conversations the contact's silence has ended (<see cref="Threadline.Pipeline.Context.IdleConversations"/>):
/// without it, a conversation stayed open until the contact wrote again, so every contact who never did kept counting in
/// an agent's load for good, and "the least-loaded agent" came to mean "the agent with the fewest contacts ever".
/// </summary>
public sealed class ConversationCloser(ConversationCommands commands, DecisionPipeline decisions, TimeProvider clock,
    IOptions<ConversationOptions> options, ILogger<ConversationCloser> logger) : PollingWorker(clock, logger)
{
    protected override string Name => "Closing quiet conversations (Conversations:IdleCloseEnabled)";
    protected override bool Enabled => options.Value.IdleCloseEnabled;
    protected override TimeSpan PollInterval => TimeSpan.FromSeconds(options.Value.IdleCloseIntervalSeconds);

    protected override async Task<bool> PassAsync(CancellationToken ct) => await RunOnceAsync(ct) >= options.Value.IdleCloseBatchSize;

    /// <summary>One pass: closes up to a batch of quiet conversations; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        int closed = await commands.CloseIdleAsync(decisions.Pipeline.Business.ConversationGap, options.Value.IdleCloseBatchSize, ct);
        if (closed > 0) logger.LogInformation("Closed {Count} conversations the contact's silence ended", closed);
        return closed;
    }
}
