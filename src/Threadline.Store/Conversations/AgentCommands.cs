using Dapper;

namespace Threadline.Store.Conversations;

/// <summary>An agent as stored and shown.</summary>
public sealed class AgentRow
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public string Languages { get; init; } = "";
    public bool Away { get; init; }
    public string? WorkingDays { get; init; }
    public string? WorkOpen { get; init; }
    public string? WorkClose { get; init; }
    public string? TimeZone { get; init; }
    public long OpenConversations { get; init; }

    /// <summary>Every agent with its load: conversations assigned to it that are not closed (closed_at is set exactly when closed; migration 0007).</summary>
    internal const string Select =
        "SELECT a.id AS Id, a.name AS Name, a.languages AS Languages, a.away AS Away, a.working_days AS WorkingDays, a.work_open AS WorkOpen, " +
        "a.work_close AS WorkClose, a.time_zone AS TimeZone, (SELECT COUNT(*) FROM conversations v WHERE v.assignee = a.id AND v.closed_at IS NULL) AS OpenConversations " +
        "FROM agents a ORDER BY a.id";
}

/// <summary>Agents: created or updated from configuration and the API; the away switch flips at any time.</summary>
public sealed class AgentCommands(Database db, TimeProvider clock)
{
    public async Task UpsertAsync(AgentRow agent, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO agents (id, name, languages, away, working_days, work_open, work_close, time_zone, updated_at) " +
            "VALUES (@Id, @Name, @Languages, @Away, @WorkingDays, @WorkOpen, @WorkClose, @TimeZone, @now) " +
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, languages = excluded.languages, working_days = excluded.working_days, " +
            "work_open = excluded.work_open, work_close = excluded.work_close, time_zone = excluded.time_zone, updated_at = excluded.updated_at",
            new { agent.Id, agent.Name, agent.Languages, agent.Away, agent.WorkingDays, agent.WorkOpen, agent.WorkClose, agent.TimeZone, now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: ct));
        Interlocked.Increment(ref ConversationStore.AgentsVersion);
    }

    /// <returns>False when there is no such agent.</returns>
    public async Task<bool> SetAwayAsync(string id, bool away, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        bool found = await c.ExecuteAsync(new CommandDefinition("UPDATE agents SET away = @away, updated_at = @now WHERE id = @id",
            new { id, away, now = clock.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: ct)) == 1;
        Interlocked.Increment(ref ConversationStore.AgentsVersion);
        return found;
    }

    public async Task<List<AgentRow>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<AgentRow>(new CommandDefinition(AgentRow.Select, cancellationToken: ct))).ToList();
    }
}
