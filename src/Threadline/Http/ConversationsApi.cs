using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Threadline.Store.Conversations;

namespace Threadline.Http;

public sealed record ConversationSummary(long Id, long ContactId, string State, DateTimeOffset OpenedAt, DateTimeOffset LastMessageAt,
    DateTimeOffset? LastInboundAt, DateTimeOffset? LastOutboundAt, string LastFrom, string? LastIntent, int MessageCount, string? Language,
    string? Assignee, bool NeedsReply, string? Urgency, string? Handler, DateTimeOffset? RespondBy, DateTimeOffset? ReplyOwedSince,
    DateTimeOffset? ClosedAt, string? Outcome);

public sealed record ConversationMessageView(string MessageId, string From, string? Agent, string Type, string? Text, DateTimeOffset At,
    string? Intent, string? Language, string Source, string? Status);

/// <summary>A stored decision: the result, the rule that settled it, every rule that fired, the context and the inputs it used.</summary>
public sealed record DecisionView(long Id, string MessageId, DateTimeOffset DecidedAt, string Intent, string Language, bool NeedsReply,
    string Urgency, string Handler, string? Assignee, DateTimeOffset? RespondBy, string Rule, JsonElement Reasons, JsonElement Context, JsonElement Inputs);

public sealed record ConversationDetail(ConversationSummary Conversation, IReadOnlyList<ConversationMessageView> Messages, IReadOnlyList<DecisionView> Decisions);

/// <summary>Conversations (step 3) with their decision log (step 4): what was said, and what Threadline decided and why.</summary>
public static class ConversationsApi
{
    public static RouteGroupBuilder MapConversationsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/conversations", ListAsync).WithName("ListConversations")
            .WithSummary("Conversations, most recently active first; filter by contactId, state (waiting_on_us, waiting_on_them, snoozed, closed) and assignee.");
        api.MapGet("/conversations/{id:long}", GetAsync).WithName("GetConversation")
            .WithSummary("A conversation with its messages (oldest first) and every decision taken in it, with reasons, context and inputs.");
        api.MapPost("/conversations/{id:long}/close", CloseAsync).WithName("CloseConversation")
            .WithSummary("Close a conversation (its outcome is kept); the contact's next message opens a new one, a reply quoting it reopens it.");
        return api;
    }

    private static readonly HashSet<string> States = ["waiting_on_us", "waiting_on_them", "snoozed", "closed"];

    public static async Task<Results<Ok<IReadOnlyList<ConversationSummary>>, ProblemHttpResult>> ListAsync(long? contactId, string? state, string? assignee,
        int? limit, ConversationQueries conversations, CancellationToken ct)
    {
        if (state is not null && !States.Contains(state))
            return TypedResults.Problem(statusCode: 400, title: "Unknown state", detail: $"state must be one of {string.Join(", ", States)}.");
        var rows = await conversations.ListAsync(contactId, state, assignee, Math.Clamp(limit ?? 100, 1, 1000), ct);
        return TypedResults.Ok<IReadOnlyList<ConversationSummary>>(rows.Select(Summary).ToList());
    }

    public static async Task<Results<Ok<ConversationDetail>, ProblemHttpResult>> GetAsync(long id, ConversationQueries conversations, CancellationToken ct)
    {
        if (await conversations.ByIdAsync(id, ct) is not { } row)
            return TypedResults.Problem(statusCode: 404, title: "No such conversation", detail: $"Conversation {id} does not exist.");
        var (messages, decisions) = await conversations.DetailsAsync(id, ct);
        return TypedResults.Ok(new ConversationDetail(Summary(row),
            messages.Select(m => new ConversationMessageView(m.MessageId, m.Party, m.Agent, m.Type, m.Text, Ms.Time(m.At), m.Intent, m.Language, m.Source, m.Status)).ToList(),
            decisions.Select(d => new DecisionView(d.Id, d.MessageId, Ms.Time(d.DecidedAt), d.Intent, d.Language, d.NeedsReply, d.Urgency, d.Handler,
                d.Assignee, Ms.Time(d.RespondBy), d.Rule, Element(d.Reasons), Element(d.Context), Element(d.Inputs))).ToList()));
    }

    public static async Task<Results<Ok<ConversationSummary>, ProblemHttpResult>> CloseAsync(long id, ConversationCommands commands, CancellationToken ct) =>
        await commands.CloseAsync(id, ct) is { } row
            ? TypedResults.Ok(Summary(row))
            : TypedResults.Problem(statusCode: 404, title: "No such conversation", detail: $"Conversation {id} does not exist.");

    private static JsonElement Element(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static ConversationSummary Summary(ConversationRow r) => new(r.Id, r.ContactId, r.State, Ms.Time(r.OpenedAt), Ms.Time(r.LastMessageAt),
        Ms.Time(r.LastInboundAt), Ms.Time(r.LastOutboundAt), r.LastFrom, r.LastIntent, r.MessageCount, r.Language, r.Assignee, r.NeedsReply,
        r.Urgency, r.Handler, Ms.Time(r.RespondBy), Ms.Time(r.ReplyOwedSince), Ms.Time(r.ClosedAt), r.Outcome);
}
