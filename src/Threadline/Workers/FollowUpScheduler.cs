using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.FollowUp;
using Threadline.Sending;
using Threadline.Store;
using Threadline.Store.Conversations;
using Threadline.Store.FollowUps;
using Threadline.Store.Outbox;
using Threadline.WhatsApp.Sending;

namespace Threadline.Workers;

/// <summary>What one scheduler pass did.</summary>
public sealed record SchedulerPass(int Due, int Fired, int Rescheduled, int Skipped);

/// <summary>
/// Fires due follow-ups: claims them (skip-locked, so each fires once across instances), re-plans each with the policy
/// and state of now (a policy change, an opt-out or a closed deal since scheduling all count), and turns the ones still
/// due into outbox rows in the same transaction: free text inside the window, the approved template outside it, or,
/// with no template, nothing and a flag for a person. The outbox does the sending.
/// </summary>
public sealed class FollowUpScheduler(
    Database db, FollowUpStore followUps, FollowUpPolicyStore policies, ConversationStore conversations, OutboxStore outbox, OutboxSender sender,
    DecisionPipeline decisions, TimeProvider clock, IOptions<FollowUpOptions> options, ILogger<FollowUpScheduler> logger) : PollingWorker(clock, logger)
{
    protected override string Name => "Follow-up scheduling (FollowUps:SchedulerEnabled)";
    protected override bool Enabled => options.Value.SchedulerEnabled;
    protected override TimeSpan PollInterval => TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
    protected override bool OwnThread => true;

    protected override async Task<bool> PassAsync(CancellationToken ct) => (await RunDueAsync(ct)).Due >= options.Value.BatchSize;

    /// <summary>Called with each fired follow-up's lateness (now − due time); set by <c>threadline bench followups</c>.</summary>
    public Action<TimeSpan>? Fired { get; set; }

    public async Task<SchedulerPass> RunDueAsync(CancellationToken ct)
    {
        var now = Clock.GetUtcNow();
        long nowMs = now.ToUnixTimeMilliseconds();
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var due = await followUps.ClaimDueAsync(c, tx, options.Value.BatchSize, nowMs, ct);
        if (due.Count == 0)
        {
            await tx.CommitAsync(ct);
            return new SchedulerPass(0, 0, 0, 0);
        }
        var pipeline = decisions.Pipeline;
        var (version, policy) = await policies.CurrentAsync(c, tx, ct);
        var contactIds = due.Select(f => f.ContactId).Distinct().ToList();
        var histories = await conversations.HistoriesAsync(c, tx, contactIds, ct);
        var profiles = await conversations.ProfilesAsync(c, tx, contactIds, ct);
        var convs = await conversations.ByIdsAsync(c, tx, due.Select(f => f.ConversationId).Distinct().ToList(), ct);

        int fired = 0, rescheduled = 0, skipped = 0;
        foreach (var f in due)
        {
            if (!convs.TryGetValue(f.ConversationId, out var conv) || !profiles.TryGetValue(f.ContactId, out var profile))
            {
                await followUps.SettleAsync(c, tx, f.Id, "skipped", "the conversation or contact no longer exists", nowMs, ct);
                skipped++;
                continue;
            }
            var history = histories.GetValueOrDefault(f.ContactId) ?? ContactHistory.Empty(f.ContactId);
            // Re-plan with today's policy and state: the same inputs give the same time, anything that changed since is honoured.
            var (_, plan, rules) = pipeline.PlanFollowUp(history, conv, profile, policy, f.Attempt - 1, null, now);
            if (plan is null)
            {
                await followUps.SettleAsync(c, tx, f.Id, "skipped", rules[^1].Detail, nowMs, ct);
                skipped++;
                continue;
            }
            if (plan.At > now.AddSeconds(1))
            {
                await followUps.RescheduleAsync(c, tx, f.Id, plan.At.ToUnixTimeMilliseconds(), plan.Kind == FollowUpKind.Template ? "template" : "freeform",
                    JsonSerializer.Serialize(rules, ContextJson.Options), version, nowMs, ct);
                rescheduled++;
                continue;
            }
            var windowEnd = ConversationContext.WindowEnd(history.LastInboundAt, conv.WindowFromAd);
            var message = FollowUpMessage.Choose(policy, conv.Language ?? profile.Language, windowEnd > now.Add(policy.WindowMargin / 2), profile.Name);
            string? recipient = OutboxStore.RecipientOf(profile.Phone, profile.UserId);
            if (message.IsNone || recipient is null)
            {
                string why = recipient is null ? "the contact has no WhatsApp number" : message.Reason;
                await followUps.SettleAsync(c, tx, f.Id, "skipped", why, nowMs, ct);
                await ConversationCommands.FlagForPersonAsync(c, tx, conv.Id, nowMs, ct);
                logger.LogWarning("Follow-up {FollowUpId} not sent, conversation {ConversationId} needs a person: {Reason}", f.Id, conv.Id, why);
                skipped++;
                continue;
            }
            var template = message.Template is { } t ? OutboundContent.Template(t.Name, t.Language, [.. t.Parameters]) : null;
            var content = message.Text is { } text ? OutboundContent.PlainText(text) : template!;
            var (outboxId, _) = await outbox.EnqueueAsync(c, tx, new OutboxItem($"followup:{f.Id}", f.ContactId, conv.Id, recipient, content.Kind,
                OutboundContentJson.Serialize(content), message.Text is not null && template is not null ? OutboundContentJson.Serialize(template) : null,
                "automation", null, "follow_up", f.Id), nowMs, ct);
            await followUps.SettleAsync(c, tx, f.Id, "fired", $"outbox {outboxId}: {message.Reason}", nowMs, ct);
            Fired?.Invoke(now - DateTimeOffset.FromUnixTimeMilliseconds(f.DueAt));
            fired++;
        }
        await tx.CommitAsync(ct);
        if (fired > 0) sender.NotifyQueued();
        return new SchedulerPass(due.Count, fired, rescheduled, skipped);
    }
}
