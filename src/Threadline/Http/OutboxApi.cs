using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Threadline.Sending;
using Threadline.Store;
using Threadline.Store.Conversations;
using Threadline.Store.Outbox;
using Threadline.WhatsApp.Sending;

namespace Threadline.Http;

public sealed record TemplateRequest(string Name, string Language, IReadOnlyList<string>? Parameters);
public sealed record ButtonRequest(string Id, string Title);
public sealed record ListRowRequest(string Id, string Title, string? Description);
public sealed record ListSectionRequest(string Title, IReadOnlyList<ListRowRequest> Rows);
public sealed record ListRequest(string Text, string Button, IReadOnlyList<ListSectionRequest> Sections);
public sealed record ReactionRequest(string MessageId, string Emoji);

/// <summary>
/// A message a person sends in a conversation. Exactly one of <c>text</c>, <c>template</c>, <c>buttons</c> (with
/// <c>text</c>), <c>list</c>, <c>reaction</c> or <c>markRead</c>. <c>fallbackTemplate</c> is sent instead of free text
/// if the customer-service window has closed by the time it goes out. <c>idempotencyKey</c> (or the
/// <c>Idempotency-Key</c> header) makes a retried request one message.
/// </summary>
public sealed record SendMessageRequest(
    string? Text, TemplateRequest? Template, IReadOnlyList<ButtonRequest>? Buttons, ListRequest? List, ReactionRequest? Reaction, string? MarkRead,
    string? QuotedMessageId, string? Agent, TemplateRequest? FallbackTemplate, string? IdempotencyKey);

/// <summary>An outbound message on its way: where it is (queued, sending, unconfirmed, needs_review, accepted, failed, cancelled), why, and its delivery status.</summary>
public sealed record OutboxView(long Id, long ContactId, long? ConversationId, string Kind, string Cause, string SentBy, string? Agent, string State,
    int Attempts, DateTimeOffset NextAttemptAt, string? WaMessageId, string? DeliveryStatus, int? ErrorCode, string? Error, DateTimeOffset CreatedAt,
    DateTimeOffset? AcceptedAt, long? FollowUpId);

/// <summary>The send path as the API shows it: send in a conversation, watch the outbox, resolve what needs a person.</summary>
public static class OutboxApi
{
    public static RouteGroupBuilder MapOutboxApi(this RouteGroupBuilder api)
    {
        api.MapPost("/conversations/{id:long}/messages", SendAsync).WithName("SendMessage")
            .WithSummary("Send a message in a conversation (as a person): written to the outbox, then sent; 202 with the outbox row.");
        api.MapGet("/outbox", ListAsync).WithName("ListOutbox")
            .WithSummary("Outbound messages, newest first; filter by state (queued, sending, unconfirmed, needs_review, accepted, failed, cancelled) and conversationId.");
        api.MapGet("/outbox/{id:long}", GetAsync).WithName("GetOutbox").WithSummary("One outbound message with its state, last error and delivery status.");
        api.MapPost("/outbox/{id:long}/resend", ResendAsync).WithName("ResendOutbox")
            .WithSummary("A person decides to send again a message that failed or whose send could not be confirmed (it may then arrive twice).");
        api.MapPost("/outbox/{id:long}/cancel", CancelAsync).WithName("CancelOutbox")
            .WithSummary("Withdraw a message that has not been sent (queued), or drop one whose send could not be confirmed.");
        return api;
    }

    private static readonly string[] States = [OutboxStates.Queued, OutboxStates.Claimed, OutboxStates.Sending, OutboxStates.Unconfirmed, OutboxStates.NeedsReview,
        OutboxStates.Accepted, OutboxStates.Failed, OutboxStates.Cancelled];

    public static async Task<Results<Accepted<OutboxView>, Ok<OutboxView>, ProblemHttpResult>> SendAsync(long id, SendMessageRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyHeader, Database db, OutboxStore outbox, OutboxSender sender, TimeProvider clock, CancellationToken ct)
    {
        var (content, problem) = Content(request);
        if (problem is not null) return TypedResults.Problem(statusCode: 400, title: "Invalid message", detail: problem);
        OutboundContent? fallback = null;
        if (request.FallbackTemplate is { } ft)
        {
            fallback = OutboundContent.Template(ft.Name, ft.Language, [.. ft.Parameters ?? []]);
            if (fallback.Validate() is { Count: > 0 } errors)
                return TypedResults.Problem(statusCode: 400, title: "Invalid fallback template", detail: string.Join(" ", errors));
        }
        string key = idempotencyHeader ?? request.IdempotencyKey ?? Guid.NewGuid().ToString("N");
        if (key.Length > 200) return TypedResults.Problem(statusCode: 400, title: "Invalid idempotency key", detail: "At most 200 characters.");

        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var c = await db.OpenAsync(ct);
        var conversation = await c.QuerySingleOrDefaultAsync<(long Id, long ContactId)?>(new CommandDefinition(
            "SELECT id, contact_id FROM conversations WHERE id = @id", new { id }, cancellationToken: ct));
        if (conversation is not { } conv)
            return TypedResults.Problem(statusCode: 404, title: "No such conversation", detail: $"Conversation {id} does not exist.");
        if (await OutboxStore.RecipientOfContactAsync(c, null, conv.ContactId, ct) is not { } recipient)
            return TypedResults.Problem(statusCode: 409, title: "No WhatsApp recipient", detail: "This contact has neither a phone number nor a WhatsApp user id to send to.");

        (long Id, bool Created) queued;
        using (await db.WriteTurnAsync(ct))
            queued = await outbox.EnqueueAsync(c, null, new OutboxItem("reply:" + key, conv.ContactId, conv.Id, recipient, content!.Kind,
                OutboundContentJson.Serialize(content), fallback is null ? null : OutboundContentJson.Serialize(fallback), "human", request.Agent, "agent_reply"), now, ct);
        sender.NotifyQueued();
        var view = View((await outbox.GetAsync(c, null, queued.Id, ct))!);
        // The same key again answers with the existing row (200) instead of queueing a second message.
        return queued.Created ? TypedResults.Accepted($"/api/v1/outbox/{queued.Id}", view) : TypedResults.Ok(view);
    }

    public static async Task<Results<Ok<IReadOnlyList<OutboxView>>, ProblemHttpResult>> ListAsync(string? state, long? conversationId, int? limit,
        OutboxStore outbox, CancellationToken ct)
    {
        if (state is not null && !States.Contains(state))
            return TypedResults.Problem(statusCode: 400, title: "Unknown state", detail: $"state must be one of {string.Join(", ", States)}.");
        var rows = await outbox.ListAsync(state, conversationId, Math.Clamp(limit ?? 100, 1, 1000), ct);
        return TypedResults.Ok<IReadOnlyList<OutboxView>>(rows.Select(View).ToList());
    }

    public static async Task<Results<Ok<OutboxView>, ProblemHttpResult>> GetAsync(long id, Database db, OutboxStore outbox, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await outbox.GetAsync(c, null, id, ct) is { } row
            ? TypedResults.Ok(View(row))
            : TypedResults.Problem(statusCode: 404, title: "No such outbound message", detail: $"Outbox row {id} does not exist.");
    }

    public static async Task<Results<Ok<OutboxView>, ProblemHttpResult>> ResendAsync(long id, Database db, OutboxStore outbox, OutboxSender sender, TimeProvider clock, CancellationToken ct)
    {
        // Threadline may already have sent it again itself (a template after 131047, a resend after a transient failure).
        await using (var c = await db.OpenAsync(ct))
        {
            var keys = new[] { $"template:{id}", $"resend:{id}" };
            if (await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                    $"SELECT MIN(id) FROM outbox WHERE {db.Dialect.InList("idempotency_key", "keys")}", new { keys = db.Dialect.List(keys) }, cancellationToken: ct)) is { } again)
                return TypedResults.Problem(statusCode: 409, title: "Already sent again",
                    detail: $"Outbox row {id} was already sent again automatically as outbox row {again}; resending it too would send the customer the message twice.");
        }
        return await TransitionAsync(id, [OutboxStates.Failed, OutboxStates.Unconfirmed, OutboxStates.NeedsReview], OutboxStates.Queued,
            "queued again by a person", db, outbox, sender, clock, ct);
    }

    public static Task<Results<Ok<OutboxView>, ProblemHttpResult>> CancelAsync(long id, Database db, OutboxStore outbox, OutboxSender sender, TimeProvider clock, CancellationToken ct) =>
        TransitionAsync(id, [OutboxStates.Queued, OutboxStates.Claimed, OutboxStates.Unconfirmed, OutboxStates.NeedsReview], OutboxStates.Cancelled,
            "cancelled by a person", db, outbox, sender, clock, ct);

    private static async Task<Results<Ok<OutboxView>, ProblemHttpResult>> TransitionAsync(long id, string[] from, string to, string note,
        Database db, OutboxStore outbox, OutboxSender sender, TimeProvider clock, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        int changed;
        using (await db.WriteTurnAsync(ct))
            changed = await outbox.TransitionAsync(c, id, from, to, note, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        var row = await outbox.GetAsync(c, null, id, ct);
        if (row is null) return TypedResults.Problem(statusCode: 404, title: "No such outbound message", detail: $"Outbox row {id} does not exist.");
        if (changed == 0)
            return TypedResults.Problem(statusCode: 409, title: "Not possible in this state",
                detail: $"Outbox row {id} is {row.State}; this needs one of: {string.Join(", ", from)}.");
        if (to == OutboxStates.Queued) sender.NotifyQueued();
        return TypedResults.Ok(View(row));
    }

    private static (OutboundContent? Content, string? Problem) Content(SendMessageRequest r)
    {
        var kinds = new List<OutboundContent>();
        if (r.Template is { } t) kinds.Add(OutboundContent.Template(t.Name, t.Language, [.. t.Parameters ?? []]));
        if (r.Buttons is { } b) kinds.Add(OutboundContent.ReplyButtons(r.Text ?? "", [.. b.Select(x => new OutboundButton(x.Id, x.Title))]));
        if (r.List is { } l) kinds.Add(OutboundContent.List(l.Text, l.Button,
            [.. l.Sections.Select(s => new OutboundSection(s.Title, s.Rows.Select(x => new WhatsApp.Sending.OutboundRow(x.Id, x.Title, x.Description)).ToList()))]));
        if (r.Reaction is { } re) kinds.Add(OutboundContent.Reaction(re.MessageId, re.Emoji));
        if (r.MarkRead is { } read) kinds.Add(OutboundContent.MarkRead(read));
        if (r.Text is { } text && r.Buttons is null) kinds.Add(OutboundContent.PlainText(text));
        if (kinds.Count != 1)
            return (null, kinds.Count == 0
                ? "Say what to send: text, template, buttons (with text), list, reaction or markRead."
                : "Send one thing at a time: text, template, buttons (with text), list, reaction or markRead.");
        var content = kinds[0] with { QuotedMessageId = r.QuotedMessageId };
        var errors = content.Validate();
        return errors.Count > 0 ? (null, string.Join(" ", errors)) : (content, null);
    }

    private static OutboxView View(OutboxRow r) => new(r.Id, r.ContactId, r.ConversationId, r.Kind, r.Cause, r.SentBy, r.Agent, r.State, r.Attempts,
        Ms.Time(r.NextAttemptAt), r.WaMessageId, r.Status, r.ErrorCode, r.Error, Ms.Time(r.CreatedAt), Ms.Time(r.AcceptedAt), r.FollowUpId);
}
