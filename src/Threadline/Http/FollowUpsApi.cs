using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Threadline.Pipeline.FollowUp;
using Threadline.Store.Conversations;
using Threadline.Store.FollowUps;

namespace Threadline.Http;

/// <summary>A scheduled, fired, cancelled or skipped follow-up, with the reasons for its time and what became of it.</summary>
public sealed record FollowUpView(long Id, long ConversationId, long ContactId, int Attempt, DateTimeOffset SilenceSince, DateTimeOffset DueAt, string Kind,
    string State, int PolicyVersion, JsonElement Reasons, string? Outcome, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record PolicyView(int Version, FollowUpPolicyDocument Policy, string? ChangedBy, string? Note, DateTimeOffset CreatedAt);

/// <summary>A new version of the follow-up policy; <c>expectedVersion</c> (optional) refuses the change if someone else saved first.</summary>
public sealed record PolicyChange(FollowUpPolicyDocument Policy, int? ExpectedVersion, string? ChangedBy, string? Note);

/// <summary>Step 5 under human control: see every follow-up and why, and change the policy (validated, versioned, applied to follow-ups not yet sent).</summary>
public static class FollowUpsApi
{
    public static RouteGroupBuilder MapFollowUpsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/follow-ups", ListAsync).WithName("ListFollowUps")
            .WithSummary("Follow-ups, newest first; filter by conversationId and state (pending, fired, cancelled, skipped). Each with the reasons for its time.");
        api.MapGet("/follow-up-policy", GetPolicyAsync).WithName("GetFollowUpPolicy").WithSummary("The follow-up policy in force and its version.");
        api.MapGet("/follow-up-policy/versions", VersionsAsync).WithName("ListFollowUpPolicyVersions").WithSummary("Every saved version, newest first (version 0: the built-in default).");
        api.MapPut("/follow-up-policy", PutPolicyAsync).WithName("PutFollowUpPolicy")
            .WithSummary("Save a new version of the policy (every mistake is listed in a 400); pending follow-ups are re-planned with it at once.");
        return api;
    }

    private static readonly string[] States = ["pending", "fired", "cancelled", "skipped"];

    public static async Task<Results<Ok<IReadOnlyList<FollowUpView>>, ProblemHttpResult>> ListAsync(long? conversationId, string? state, int? limit,
        FollowUpStore followUps, CancellationToken ct)
    {
        if (state is not null && !States.Contains(state))
            return TypedResults.Problem(statusCode: 400, title: "Unknown state", detail: $"state must be one of {string.Join(", ", States)}.");
        var rows = await followUps.ListAsync(conversationId, state, Math.Clamp(limit ?? 100, 1, 1000), ct);
        return TypedResults.Ok<IReadOnlyList<FollowUpView>>(rows.Select(r => new FollowUpView(r.Id, r.ConversationId, r.ContactId, r.Attempt,
            Ms.Time(r.SilenceSince), Ms.Time(r.DueAt), r.Kind, r.State, r.PolicyVersion, Element(r.Reasons), r.Outcome, Ms.Time(r.CreatedAt), Ms.Time(r.UpdatedAt))).ToList());
    }

    public static async Task<Ok<PolicyView>> GetPolicyAsync(Threadline.Store.Database db, FollowUpPolicyStore policies, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return TypedResults.Ok(View(await policies.LatestAsync(c, null, ct)));
    }

    public static async Task<Ok<IReadOnlyList<PolicyView>>> VersionsAsync(FollowUpPolicyStore policies, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PolicyView>>((await policies.VersionsAsync(ct)).Select(View).ToList());

    public static async Task<Results<Ok<PolicyView>, ValidationProblem, ProblemHttpResult>> PutPolicyAsync(PolicyChange change, FollowUpPolicyStore policies,
        FollowUpStore followUps, CancellationToken ct)
    {
        if (change.Policy is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["policy"] = ["policy is required."] });
        var errors = change.Policy.Validate();
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["policy"] = [.. errors] }, title: "The follow-up policy has mistakes");
        var saved = await policies.SaveAsync(change.Policy, change.ExpectedVersion, change.ChangedBy, change.Note, followUps, ct);
        return saved is null
            ? TypedResults.Problem(statusCode: 409, title: "The policy changed meanwhile", detail: "Another change was saved first; read the policy again and re-apply yours.")
            : TypedResults.Ok(View(saved));
    }

    private static PolicyView View(PolicyVersion v) => new(v.Version, v.Document, v.ChangedBy, v.Note, v.CreatedAt);

    private static JsonElement Element(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
