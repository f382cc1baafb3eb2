using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Capture;
using Threadline.Store.Conversations;
using Threadline.Store.Outbox;
using Threadline.WhatsApp.Sending;

namespace Threadline.Sending;

/// <summary>
/// The Cloud API accepts a message and only later says it failed, in a <c>failed</c> status webhook (131047 when the
/// window had closed, 131026 for a number that cannot receive, and so on: the same codes as a refused call). This runs in
/// the inbox transaction that captures such a status and reacts as the sender would have to a refused call: the outbox row
/// becomes <c>failed</c> with the reason (once: a redelivered status finds it settled), then free text that hit a closed
/// window is queued again as the row's or the configured template, or the conversation goes to a person; an unreachable
/// number is marked so nothing more is sent to it; a marketing stop is recorded; a transient failure is queued once more;
/// a failed automatic answer hands its conversation to a person.
/// </summary>
public sealed class DeliveryFailures(OutboxStore outbox, IOptions<OutboxOptions> options, ILogger<DeliveryFailures> logger)
{
    /// <summary>Reacts to the failed statuses among <paramref name="statuses"/>; returns how many messages it queued.</summary>
    public async Task<int> ReactAsync(DbConnection c, DbTransaction tx, IReadOnlyList<StatusUpdate> statuses, DateTimeOffset now, CancellationToken ct)
    {
        var failed = statuses.Where(s => s.Status == "failed").ToList();
        if (failed.Count == 0) return 0;
        var ids = failed.Select(s => s.BizOpaqueCallbackData is { } data && data.StartsWith(OutboxStore.CallbackPrefix, StringComparison.Ordinal)
            && long.TryParse(data.AsSpan(OutboxStore.CallbackPrefix.Length), System.Globalization.CultureInfo.InvariantCulture, out long id) ? id : (long?)null)
            .OfType<long>().Distinct().ToList();
        var rows = await outbox.OfSentMessagesAsync(c, tx, failed.Select(s => s.WaMessageId).Distinct().ToList(), ids, ct);
        if (rows.Count == 0) return 0; // not ours (sent from another tool or the Business app): the status alone is the record

        long nowMs = now.ToUnixTimeMilliseconds();
        int queued = 0;
        foreach (var status in failed)
        {
            // The row's current attempt only: by the wamid it has, or, while it has none yet (in doubt), by its callback
            // data on a status no older than its call (a row a person sent again keeps its callback data; the first
            // attempt's statuses may be delivered again). A minute's slack for WhatsApp's clock against ours.
            var row = rows.FirstOrDefault(r => r.WaMessageId is not null && r.WaMessageId == status.WaMessageId)
                ?? rows.FirstOrDefault(r => r.WaMessageId is null && status.BizOpaqueCallbackData == r.CallbackData
                    && r.SendingAt is { } started && status.Timestamp.ToUnixTimeMilliseconds() >= started - 60_000);
            if (row is null) continue;
            var error = status.Errors.FirstOrDefault();
            var verdict = error is null ? null : GraphErrorPolicy.Classify(new GraphError(error.Code, null, error.Message ?? error.Title ?? "", error.Details, 200));
            string reason = error is null
                ? "WhatsApp reported the message failed, without a reason"
                : $"failed after sending: ({error.Code}) {error.Title ?? error.Message} → {verdict!.Reaction}: {verdict.Reason}";
            if (await outbox.FailAfterSendAsync(c, tx, row.Id, status.WaMessageId, error?.Code, reason, nowMs, ct) == 0) continue;

            bool handOver = row.Cause == "automatic_answer";
            switch (verdict?.Reaction)
            {
                case ErrorReaction.SwitchToTemplate:
                    var template = row.Kind == OutboundKinds.Template ? null
                        : OutboxSender.FallbackFor(row, options.Value, await NameAsync(c, tx, row.ContactId, ct));
                    if (template is not null)
                    {
                        queued += await RequeueAsAsync(c, tx, row, $"template:{row.Id}", template, now, nowMs, ct);
                        handOver = false;
                    }
                    else handOver = true;
                    break;
                case ErrorReaction.MarkUndeliverable:
                    await OutboxStore.MarkUndeliverableAsync(c, tx, row.ContactId, $"{error!.Code}: {error.Title ?? error.Message}", nowMs, ct);
                    break;
                case ErrorReaction.MarketingOptOut:
                    await OutboxStore.RecordMarketingStopAsync(c, tx, row.Recipient, nowMs, ct);
                    break;
                case ErrorReaction.Retry or ErrorReaction.RetryAfterPause or ErrorReaction.PairBackoff when !row.IdempotencyKey.StartsWith("resend:", StringComparison.Ordinal):
                    // It never reached the customer, so sending it again cannot duplicate it; once only, a second failure goes to a person.
                    queued += await RequeueAsAsync(c, tx, row, $"resend:{row.Id}", OutboundContentJson.Deserialize(row.Content),
                        now.AddMinutes(verdict!.Reaction == ErrorReaction.Retry ? 0.5 : 1), nowMs, ct);
                    handOver = false;
                    break;
                default:
                    logger.LogError("Outbox {OutboxId} to contact {ContactId}: {Reason}", row.Id, row.ContactId, reason);
                    break;
            }
            if (handOver && row.ConversationId is { } conversation)
            {
                await ConversationCommands.FlagForPersonAsync(c, tx, conversation, nowMs, ct);
                logger.LogWarning("Conversation {ConversationId} needs a person: outbox {OutboxId} {Reason}", conversation, row.Id, reason);
            }
            else logger.LogWarning("Outbox {OutboxId}: {Reason}", row.Id, reason);
        }
        return queued;
    }

    private async Task<int> RequeueAsAsync(DbConnection c, DbTransaction tx, OutboxRow row, string key, OutboundContent content, DateTimeOffset at,
        long nowMs, CancellationToken ct)
    {
        var (_, created) = await outbox.EnqueueAsync(c, tx, new OutboxItem(key, row.ContactId, row.ConversationId, row.Recipient, content.Kind,
            OutboundContentJson.Serialize(content), null, row.SentBy, row.Agent, row.Cause, row.FollowUpId), nowMs, ct, notBeforeMs: at.ToUnixTimeMilliseconds());
        return created ? 1 : 0;
    }

    private static Task<string?> NameAsync(DbConnection c, DbTransaction tx, long contactId, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("SELECT name FROM contacts WHERE id = @contactId", new { contactId }, tx, cancellationToken: ct));
}
