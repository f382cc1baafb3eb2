using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Business;
using Threadline.Store.Conversations;

namespace Threadline.Http;

public sealed record AgentView(string Id, string? Name, IReadOnlyList<string> Languages, bool Away, string? WorkingDays, string? Opens,
    string? Closes, string? TimeZone, long OpenConversations);

public sealed record AgentUpdate(string? Name, IReadOnlyList<string>? Languages, string? WorkingDays, string? Opens, string? Closes, string? TimeZone);

public sealed record AwayUpdate(bool Away);

/// <summary>The agents routing assigns to: who they are, what languages they answer in, when they work, the away switch.</summary>
public static class AgentsApi
{
    public static RouteGroupBuilder MapAgentsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/agents", ListAsync).WithName("ListAgents").WithSummary("Agents with their languages, hours, away switch and open conversations.");
        api.MapPut("/agents/{id}", PutAsync).WithName("PutAgent").WithSummary("Create or update an agent (the away switch is kept).");
        api.MapPut("/agents/{id}/away", AwayAsync).WithName("SetAgentAway").WithSummary("Flip an agent's away switch: an away agent gets no new conversations.");
        return api;
    }

    public static async Task<Ok<IReadOnlyList<AgentView>>> ListAsync(AgentCommands agents, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<AgentView>>((await agents.ListAsync(ct)).Select(View).ToList());

    public static async Task<Results<Ok<AgentView>, ProblemHttpResult>> PutAsync(string id, AgentUpdate update, AgentCommands agents,
        IOptions<BusinessOptions> business, CancellationToken ct)
    {
        var languages = update.Languages ?? [];
        if (id.Length is 0 or > 100 || languages.Count == 0 || languages.Any(l => l.Length is < 2 or > 3))
            return TypedResults.Problem(statusCode: 400, title: "Invalid agent", detail: "An agent needs an id (at most 100 characters) and at least one language code (en, de …).");
        try
        {
            WorkingHoursText.Parse(update.WorkingDays, update.Opens, update.Closes, update.TimeZone ?? business.Value.TimeZone);
        }
        catch (FormatException ex)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid working hours", detail: ex.Message);
        }
        await agents.UpsertAsync(new AgentRow
        {
            Id = id, Name = update.Name, Languages = string.Join(",", languages.Select(l => l.ToLowerInvariant())), WorkingDays = update.WorkingDays,
            WorkOpen = update.Opens, WorkClose = update.Closes, TimeZone = update.TimeZone,
        }, ct);
        return TypedResults.Ok(View((await agents.ListAsync(ct)).First(a => a.Id == id)));
    }

    public static async Task<Results<Ok<AgentView>, ProblemHttpResult>> AwayAsync(string id, AwayUpdate update, AgentCommands agents, CancellationToken ct)
    {
        if (!await agents.SetAwayAsync(id, update.Away, ct))
            return TypedResults.Problem(statusCode: 404, title: "No such agent", detail: $"Agent '{id}' does not exist.");
        return TypedResults.Ok(View((await agents.ListAsync(ct)).First(a => a.Id == id)));
    }

    private static AgentView View(AgentRow a) => new(a.Id, a.Name, a.Languages.Split(',', StringSplitOptions.RemoveEmptyEntries), a.Away, a.WorkingDays,
        a.WorkOpen, a.WorkClose, a.TimeZone, a.OpenConversations);
}
