using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Capture;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Sending;
using Threadline.Store;
using Threadline.Store.Conversations;
using Threadline.Store.Outbox;
using Threadline.WhatsApp.Sending;
using Threadline.Workers;

namespace Threadline.Sending;

/// <summary>What one pass over the outbox did.</summary>
public sealed record OutboxPass(int Claimed, int Accepted, int Requeued, int Failed, int Cancelled, int Unconfirmed, int Confirmed)
{
    public static readonly OutboxPass Idle = new(0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// Sends queued outbox rows through the Cloud API and settles each with WhatsApp's answer. The protocol that keeps a
/// message from going out twice: a row is moved to <c>sending</c> and that is committed (durably) before the call; the
/// answer is recorded afterwards. If the process dies in between, the row is still <c>sending</c> on the next start and
/// becomes <c>unconfirmed</c>, never queued again; the status webhook for the message carries our callback data and
/// confirms it (wamid recorded), or after <see cref="OutboxOptions.ConfirmWithinMinutes"/> a person decides.
/// Reactions to error codes follow <see cref="GraphErrorPolicy"/>; the pacing follows <see cref="SendPacer"/>.
/// </summary>
public sealed class OutboxSender(
    Database db, OutboxStore store, GraphClient graph, SendPacer pacer, InboxProcessor steps, OutboxSignal signal, TimeProvider clock,
    IOptions<OutboxOptions> options, IOptions<WhatsAppOptions> whatsApp, ILogger<OutboxSender> logger)
{
    private DateTimeOffset _pausedUntil;
    private DateTimeOffset _housekept = DateTimeOffset.MinValue;

    /// <summary>Test seam: runs after WhatsApp answered and before the answer is recorded (a crash injected here must not cause a second send).</summary>
    public Func<OutboxRow, GraphCall, Task>? AfterCall { get; set; }

    /// <summary>Rows were queued in this process: the worker starts at once.</summary>
    public void NotifyQueued() => signal.Notify();

    private sealed class Facts
    {
        public long ContactId { get; init; }
        public bool OptedOut { get; init; }
        public long? UndeliverableAt { get; init; }
        public string? UndeliverableReason { get; init; }
        public long? LastInboundAt { get; init; }
        public bool WindowFromAd { get; init; }
        public string? Name { get; init; }
    }

    public async Task<OutboxPass> ProcessNextAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        int confirmed = 0;
        if (now - _housekept >= TimeSpan.FromSeconds(1))
        {
            confirmed = await HousekeepAsync(now, ct);
            _housekept = now;
        }
        if (now < _pausedUntil) return OutboxPass.Idle with { Confirmed = confirmed };

        List<OutboxRow> rows;
        await using (var c = await db.OpenAsync(ct))
        {
            using var turn = await db.WriteTurnAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            rows = await store.ClaimAsync(c, tx, o.BatchSize, now.ToUnixTimeMilliseconds(), ct);
            await tx.CommitAsync(ct); // claimed: no other sender takes them while the lease lasts; each is marked 'sending' just before its call
        }
        if (rows.Count == 0) return OutboxPass.Idle with { Confirmed = confirmed };

        Dictionary<long, Facts> facts;
        try
        {
            facts = await FactsAsync(rows, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing was called yet: the rows go back to the queue as they were.
            await using var c = await db.OpenAsync(ct);
            using var turn = await db.WriteTurnAsync(ct);
            foreach (var row in rows)
                await store.RequeueAsync(c, null, row, now.AddSeconds(5).ToUnixTimeMilliseconds(), null, $"could not read the recipient's state: {ex.Message}", now.ToUnixTimeMilliseconds(), ct);
            throw;
        }
        int accepted = 0, requeued = 0, failed = 0, cancelled = 0, unconfirmed = 0;
        using var parallel = new SemaphoreSlim(o.MaxParallel);
        // One recipient's messages one after another, in order; different recipients side by side.
        var lanes = rows.GroupBy(r => r.Recipient).Select(async lane =>
        {
            await parallel.WaitAsync(ct);
            try
            {
                DateTimeOffset? holdFrom = null;
                foreach (var row in lane)
                {
                    Outcome outcome;
                    if (holdFrom is { } hold)
                        outcome = await RequeueAsync(row, hold, null, "waiting behind an earlier message to this recipient", ct);
                    else
                        outcome = await SendOneAsync(row, facts.GetValueOrDefault(row.ContactId), ct);
                    if (outcome.Kind == OutcomeKind.Requeued) holdFrom = outcome.RetryAt;
                    lock (parallel)
                    {
                        switch (outcome.Kind)
                        {
                            case OutcomeKind.Accepted: accepted++; break;
                            case OutcomeKind.Requeued: requeued++; break;
                            case OutcomeKind.Failed: failed++; break;
                            case OutcomeKind.Cancelled: cancelled++; break;
                            case OutcomeKind.Unconfirmed: unconfirmed++; break;
                        }
                    }
                }
            }
            finally
            {
                parallel.Release();
            }
        }).ToList();
        await Task.WhenAll(lanes);
        return new OutboxPass(rows.Count, accepted, requeued, failed, cancelled, unconfirmed, confirmed);
    }

    private enum OutcomeKind { Accepted, Requeued, Failed, Cancelled, Unconfirmed }

    private sealed record Outcome(OutcomeKind Kind, DateTimeOffset? RetryAt = null);

    private async Task<Outcome> SendOneAsync(OutboxRow row, Facts? facts, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        OutboundContent content;
        try
        {
            content = OutboundContentJson.Deserialize(row.Content);
        }
        catch (FormatException e)
        {
            return await SettleAsync(row, OutboxStates.Failed, null, $"unreadable content: {e.Message}", OutcomeKind.Failed, ct);
        }

        // The last look: recipient reachable, not opted out (for automation), window open or a template instead.
        var fallback = Fallback(row, facts);
        var windowEnd = facts?.LastInboundAt is { } lastIn
            ? ConversationContext.WindowEnd(DateTimeOffset.FromUnixTimeMilliseconds(lastIn), facts.WindowFromAd) : null;
        var gate = SendGate.Check(new SendCheck(Cause(row), content.NeedsOpenWindow, fallback is not null, facts?.OptedOut == true,
            facts?.UndeliverableAt is not null, facts?.UndeliverableReason, windowEnd, row.Recipient.Length > 0 && facts is not null, now));
        switch (gate.Verdict)
        {
            case SendVerdict.Cancel:
                return await SettleAsync(row, OutboxStates.Cancelled, null, gate.Reason, OutcomeKind.Cancelled, ct);
            case SendVerdict.Fail:
                return await SettleAsync(row, OutboxStates.Failed, null, gate.Reason, OutcomeKind.Failed, ct);
            case SendVerdict.FlagForHuman:
                await FlagConversationAsync(row, gate.Reason, ct);
                return await SettleAsync(row, OutboxStates.Failed, null, gate.Reason, OutcomeKind.Failed, ct);
            case SendVerdict.SendTemplateInstead:
                content = fallback!;
                await SwitchContentAsync(row, content, ct);
                logger.LogInformation("Outbox {OutboxId}: {Reason}", row.Id, gate.Reason);
                break;
        }

        // Pacing: the recipient's pair budget (queue for later rather than wait here), then the number's rate.
        if (pacer.NextAllowed(row.Recipient) is { } allowed)
            return await RequeueAsync(row, allowed, null, "pair limit: spacing messages to this recipient", ct, countAttempt: false);
        await pacer.WaitForNumberAsync(ct);
        pacer.Spend(row.Recipient);

        byte[] body = GraphMessageJson.Build(row.Recipient, content, row.CallbackData);
        // Durable before the call, row by row: from here a crash leaves this row in doubt (never re-sent blindly); before
        // here it leaves it claimed, and a claim whose sender died is simply queued again.
        await using (var c = await db.OpenAsync(ct))
        using (await db.WriteTurnAsync(ct))
        {
            long startedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
            if (await store.StartCallAsync(c, row.Id, row.SendingAt!.Value, startedAt, ct))
                row.SendingAt = startedAt; // the token from here on
            else
            {
                logger.LogInformation("Outbox {OutboxId} is no longer this sender's (cancelled, or its claim ran out and another sender took it): not sent from here", row.Id);
                return new Outcome(OutcomeKind.Cancelled);
            }
        }
        var call = await graph.SendAsync(body, ct);
        if (AfterCall is { } hook) await hook(row, call);

        if (call.IsAccepted)
        {
            await AcceptAsync(row, content, body, call.Result!.MessageId, ct);
            return new Outcome(OutcomeKind.Accepted);
        }
        if (call.Ambiguous)
        {
            logger.LogWarning("Outbox {OutboxId}: {Note}; it stays unconfirmed until a status webhook confirms it", row.Id, call.Note);
            return await SettleAsync(row, OutboxStates.Unconfirmed, null, call.Note, OutcomeKind.Unconfirmed, ct);
        }
        if (call.Error is not { } error)
            return await RetryLaterAsync(row, null, call.Note, ct); // never connected: nothing was sent

        var verdict = GraphErrorPolicy.Classify(error);
        string reason = $"{call.Note} → {verdict.Reaction}: {verdict.Reason}";
        switch (verdict.Reaction)
        {
            case ErrorReaction.Retry:
                return await RetryLaterAsync(row, error.Code, reason, ct);
            case ErrorReaction.RetryAfterPause:
                return await RequeueAsync(row, clock.GetUtcNow().AddMinutes(1), error.Code, reason, ct);
            case ErrorReaction.PairBackoff:
                return await RequeueAsync(row, pacer.BackOff(row.Recipient), error.Code, reason, ct, countAttempt: false);
            case ErrorReaction.MarketingCapped:
                return await RequeueAsync(row, clock.GetUtcNow().AddHours(24), error.Code, reason, ct);
            case ErrorReaction.SwitchToTemplate when fallback is not null && content.Kind != OutboundKinds.Template:
                await SwitchContentAsync(row, fallback, ct);
                return await RequeueAsync(row, clock.GetUtcNow(), error.Code, reason + "; switched to the template", ct, countAttempt: false);
            case ErrorReaction.SwitchToTemplate:
                await FlagConversationAsync(row, "the customer-service window has closed and no approved template is configured", ct);
                return await SettleAsync(row, OutboxStates.Failed, error.Code, reason + "; no template configured: a person must take over", OutcomeKind.Failed, ct);
            case ErrorReaction.MarkUndeliverable:
                await MarkContactAsync((c, now) => OutboxStore.MarkUndeliverableAsync(c, null, row.ContactId, $"{error.Code}: {error.Message}", now, ct), ct);
                return await SettleAsync(row, OutboxStates.Failed, error.Code, reason, OutcomeKind.Failed, ct);
            case ErrorReaction.MarketingOptOut:
                await MarkContactAsync((c, now) => OutboxStore.RecordMarketingStopAsync(c, null, row.Recipient, now, ct), ct);
                return await SettleAsync(row, OutboxStates.Failed, error.Code, reason, OutcomeKind.Failed, ct);
            case ErrorReaction.StopSending:
                _pausedUntil = clock.GetUtcNow().AddMinutes(1);
                logger.LogCritical("Outbox {OutboxId}: {Reason}. Sending is paused for a minute; fix the account or token", row.Id, reason);
                return await SettleAsync(row, OutboxStates.Failed, error.Code, reason, OutcomeKind.Failed, ct);
            case ErrorReaction.Alert or ErrorReaction.TemplateUnusable or ErrorReaction.FixMedia:
                logger.LogError("Outbox {OutboxId} failed and will not be retried: {Reason}", row.Id, reason);
                return await SettleAsync(row, OutboxStates.Failed, error.Code, reason, OutcomeKind.Failed, ct);
            default: // Drop
                logger.LogWarning("Outbox {OutboxId} dropped: {Reason}", row.Id, reason);
                return await SettleAsync(row, OutboxStates.Failed, error.Code, reason, OutcomeKind.Failed, ct);
        }
    }

    /// <summary>Durable backoff between passes: 5 s doubling to 10 min, with jitter; failed after <see cref="OutboxOptions.MaxAttempts"/>.</summary>
    private Task<Outcome> RetryLaterAsync(OutboxRow row, int? code, string reason, CancellationToken ct)
    {
        var o = options.Value;
        if (row.Attempts >= o.MaxAttempts)
            return SettleAsync(row, OutboxStates.Failed, code, $"{reason} (gave up after {row.Attempts} attempts)", OutcomeKind.Failed, ct);
        double seconds = Math.Min(600, 5 * Math.Pow(2, Math.Max(0, row.Attempts - 1))) * (0.8 + 0.4 * Random.Shared.NextDouble());
        return RequeueAsync(row, clock.GetUtcNow().AddSeconds(seconds), code, reason, ct);
    }

    private async Task<Outcome> RequeueAsync(OutboxRow row, DateTimeOffset at, int? code, string reason, CancellationToken ct, bool countAttempt = true)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await store.RequeueAsync(c, null, row, at.ToUnixTimeMilliseconds(), code, reason, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct, countAttempt);
        return new Outcome(OutcomeKind.Requeued, at);
    }

    private async Task<Outcome> SettleAsync(OutboxRow row, string state, int? code, string reason, OutcomeKind kind, CancellationToken ct)
    {
        long nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        int settled = await store.SettleAsync(c, tx, row.Id, row.SendingAt!.Value, state, code, reason, nowMs, ct);
        // An automatic answer that cannot go out leaves a question unanswered: a person takes the conversation.
        if (settled == 1 && state == OutboxStates.Failed && row.Cause == "automatic_answer" && row.ConversationId is { } conversation)
        {
            await ConversationCommands.FlagForPersonAsync(c, tx, conversation, nowMs, ct);
            logger.LogWarning("Conversation {ConversationId} needs a person: its automatic answer failed ({Reason})", conversation, reason);
        }
        await tx.CommitAsync(ct);
        return new Outcome(kind);
    }

    /// <summary>Accepted: the wamid on the row and the message itself through the pipeline's steps, in one transaction.</summary>
    private async Task AcceptAsync(OutboxRow row, OutboundContent content, byte[] body, string? waMessageId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await store.MarkAcceptedAsync(c, tx, row.Id, waMessageId, now.ToUnixTimeMilliseconds(), ct, token: row.SendingAt);
        StepsResult? recorded = null;
        if (waMessageId is not null && ToMessage(row, content, body, waMessageId, now) is { } message)
            recorded = await steps.RunStepsAsync(c, tx, [new WebhookBatch([], [message], [], [], [])], ct);
        await tx.CommitAsync(ct);
        if (recorded is not null) steps.Committed(recorded);
    }

    /// <summary>What we sent, as the pipeline's outbound message (mark-as-read sends no message).</summary>
    private WaMessage? ToMessage(OutboxRow row, OutboundContent content, byte[] body, string waMessageId, DateTimeOffset at)
    {
        if (content.Kind == OutboundKinds.Read) return null;
        return new WaMessage
        {
            WaMessageId = waMessageId,
            Direction = MessageDirection.Outbound,
            SentBy = row.SentBy == "automation" ? SentBy.Automation : SentBy.Human,
            WaId = GraphMessageJson.IsBusinessScopedUserId(row.Recipient) ? null : row.Recipient,
            UserId = GraphMessageJson.IsBusinessScopedUserId(row.Recipient) ? row.Recipient : null,
            BusinessPhoneNumberId = whatsApp.Value.PhoneNumberId,
            Timestamp = at,
            Type = content.Kind switch
            {
                OutboundKinds.Buttons or OutboundKinds.List => "interactive",
                _ => content.Kind,
            },
            Text = content.Kind == OutboundKinds.Template
                ? $"[template {content.TemplateName}] {string.Join(" · ", content.TemplateParameters ?? [])}".TrimEnd()
                : content.Kind == OutboundKinds.Reaction ? content.Emoji : content.Text,
            ReplyToMessageId = content.QuotedMessageId,
            RefMessageId = content.ReactToMessageId,
            RawJson = System.Text.Encoding.UTF8.GetString(body),
        };
    }

    /// <summary>Orphaned calls become unconfirmed; unconfirmed ones a status webhook has confirmed become accepted; old ones go to a person.</summary>
    private async Task<int> HousekeepAsync(DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value;
        long nowMs = now.ToUnixTimeMilliseconds();
        // A live worker settles its call within (quick retries + 1) timeouts plus their backoff; anything older lost its worker.
        var stale = TimeSpan.FromSeconds(o.RequestTimeoutSeconds * (o.QuickRetries + 1) + 30);
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        // A lease shorter than the time a batch waits for the rate would release claims still being worked through.
        // Rows wait for the rate and for the lanes' earlier calls (each up to timeout × tries); a shorter lease would only
        // make another sender take over rows this one still works through (harmless: every update matches the claim token).
        double calls = Math.Ceiling(o.BatchSize / (double)o.MaxParallel) * o.RequestTimeoutSeconds * (o.QuickRetries + 1);
        var lease = TimeSpan.FromSeconds(Math.Max(o.ClaimLeaseSeconds, calls + 2.0 * o.BatchSize / o.RatePerSecond + 5));
        int released = await store.ReleaseStaleClaimsAsync(c, null, (now - lease).ToUnixTimeMilliseconds(), nowMs, ct);
        if (released > 0) logger.LogWarning("{Count} outbox rows were claimed by a sender that stopped before calling: queued again (nothing was sent)", released);
        int orphans = await store.OrphansToUnconfirmedAsync(c, null, (now - stale).ToUnixTimeMilliseconds(), nowMs, ct);
        if (orphans > 0) logger.LogWarning("{Count} outbox rows were mid-call when their sender stopped: unconfirmed until a status webhook confirms them", orphans);
        var confirmed = await store.ConfirmedByStatusAsync(c, null, ct);
        foreach (var (id, wamid) in confirmed)
        {
            var row = await store.GetAsync(c, null, id, ct);
            if (row is null) continue;
            await using var tx = await c.BeginTransactionAsync(ct);
            if (await store.MarkAcceptedAsync(c, tx, id, wamid, nowMs, ct) == 0) continue; // settled meanwhile
            var content = OutboundContentJson.Deserialize(row.Content);
            StepsResult? recorded = null;
            if (ToMessage(row, content, GraphMessageJson.Build(row.Recipient, content, row.CallbackData), wamid, now) is { } message)
                recorded = await steps.RunStepsAsync(c, tx, [new WebhookBatch([], [message], [], [], [])], ct);
            await tx.CommitAsync(ct);
            if (recorded is not null) steps.Committed(recorded);
            logger.LogInformation("Outbox {OutboxId} confirmed by a status webhook as {WaMessageId}: it was sent once", id, wamid);
        }
        int expired = await store.ExpireUnconfirmedAsync(c, null, (now - TimeSpan.FromMinutes(o.ConfirmWithinMinutes)).ToUnixTimeMilliseconds(), nowMs, ct);
        if (expired > 0) logger.LogWarning("{Count} unconfirmed outbox rows need a person to decide (GET /api/v1/outbox?state=needs_review)", expired);
        return confirmed.Count;
    }

    private async Task<Dictionary<long, Facts>> FactsAsync(List<OutboxRow> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.ContactId).Distinct().ToArray();
        await using var c = await db.OpenAsync(ct);
        var facts = await c.QueryAsync<Facts>(new CommandDefinition(
            "SELECT c.id AS ContactId, c.opted_out AS OptedOut, c.undeliverable_at AS UndeliverableAt, c.undeliverable_reason AS UndeliverableReason, " +
            "x.last_inbound_at AS LastInboundAt, " +
            "COALESCE((SELECT v.window_from_ad FROM conversations v WHERE v.contact_id = c.id ORDER BY v.last_message_at DESC, v.id DESC LIMIT 1), FALSE) AS WindowFromAd, " +
            $"c.name AS Name FROM contacts c LEFT JOIN contact_context x ON x.contact_id = c.id WHERE {db.Dialect.InList("c.id", "ids")}",
            new { ids = db.Dialect.List(ids) }, cancellationToken: ct));
        return facts.ToDictionary(f => f.ContactId);
    }

    private OutboundContent? Fallback(OutboxRow row, Facts? facts) => FallbackFor(row, options.Value, facts?.Name);

    /// <summary>The template to send when the window has closed: the row's own, else <c>Outbox:WindowClosedTemplate</c> (<c>{name}</c> → the contact's name).</summary>
    public static OutboundContent? FallbackFor(OutboxRow row, OutboxOptions options, string? contactName)
    {
        if (row.Fallback is { } own)
        {
            try { return OutboundContentJson.Deserialize(own); } catch (FormatException) { }
        }
        if (options.WindowClosedTemplate is { Name: { Length: > 0 } name } t)
            return OutboundContent.Template(name, t.Language, t.Parameters.Select(p => p.Replace("{name}", contactName ?? "", StringComparison.Ordinal)).ToArray());
        return null;
    }

    private static SendCause Cause(OutboxRow row) => row.Cause switch
    {
        "follow_up" => SendCause.FollowUp,
        "automatic_answer" => SendCause.AutomaticAnswer,
        _ => SendCause.AgentReply,
    };

    private async Task SwitchContentAsync(OutboxRow row, OutboundContent content, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await store.SwitchContentAsync(c, null, row.Id, row.SendingAt!.Value, content.Kind, OutboundContentJson.Serialize(content), clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
    }

    private async Task FlagConversationAsync(OutboxRow row, string reason, CancellationToken ct)
    {
        if (row.ConversationId is not { } id) return;
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await ConversationCommands.FlagForPersonAsync(c, null, id, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        logger.LogWarning("Conversation {ConversationId} needs a person: {Reason}", id, reason);
    }

    private async Task MarkContactAsync(Func<System.Data.Common.DbConnection, long, Task> mark, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await mark(c, clock.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
