using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Threadline.Store.Identity;

/// <summary>The outcome of a merge or unmerge: the merge record's id, or why it was refused.</summary>
public sealed record MergeResult(long? MergeId, string? Problem, int Status = 200)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// Merges one contact into another and undoes it. Rule for fields (documented in the API): the survivor keeps every
/// value it has; an empty survivor field takes the merged contact's value; tags are united; VIP and opted-out are kept
/// if either had them (the safer choice for messaging). Every identity, deal and message link moves to the survivor; the
/// merged contact stays in the store marked <c>merged_into</c>. The merge record keeps the survivor's fields before and
/// the ids it moved, so unmerge puts everything back exactly, and both are audited (who, when).
/// </summary>
public sealed class ContactMerges(Database db, TimeProvider clock)
{
    private sealed class Fields
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public string? Language { get; set; }
        public string? TimeZone { get; set; }
        public string? Owner { get; set; }
        public string? Tags { get; set; }
        public bool Vip { get; set; }
        public bool OptedOut { get; set; }
        public long? CompanyId { get; set; }
        public long? MergedInto { get; set; }
    }

    private sealed record Moved(long[] Identities, long[] Deals, string[] Messages);

    private const string FieldColumns = "name AS Name, email AS Email, language AS Language, time_zone AS TimeZone, owner AS Owner, tags AS Tags, " +
        "vip AS Vip, opted_out AS OptedOut, company_id AS CompanyId, merged_into AS MergedInto";

    public async Task<MergeResult> MergeAsync(long survivorId, long mergedId, string by, CancellationToken ct)
    {
        if (survivorId == mergedId) return new MergeResult(null, "A contact cannot be merged into itself.", 400);
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var survivor = await LoadAsync(c, tx, survivorId, ct);
        var merged = await LoadAsync(c, tx, mergedId, ct);
        if (survivor is null || merged is null) return new MergeResult(null, $"Contact {(survivor is null ? survivorId : mergedId)} does not exist.", 404);
        if (survivor.MergedInto is not null || merged.MergedInto is not null)
            return new MergeResult(null, "One of the contacts is already merged into another; unmerge it first.", 409);

        var moved = new Moved(
            (await c.QueryAsync<long>(new CommandDefinition("SELECT id FROM contact_identities WHERE contact_id = @mergedId", new { mergedId }, tx, cancellationToken: ct))).ToArray(),
            (await c.QueryAsync<long>(new CommandDefinition("SELECT id FROM deals WHERE contact_id = @mergedId", new { mergedId }, tx, cancellationToken: ct))).ToArray(),
            (await c.QueryAsync<string>(new CommandDefinition("SELECT wa_message_id FROM message_links WHERE contact_id = @mergedId", new { mergedId }, tx, cancellationToken: ct))).ToArray());
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        long mergeId = await c.QuerySingleAsync<long>(new CommandDefinition(
            "INSERT INTO contact_merges (survivor_id, merged_id, survivor_before, moved, merged_by, merged_at) VALUES (@survivorId, @mergedId, @before, @moved, @by, @now) RETURNING id",
            new { survivorId, mergedId, before = JsonSerializer.Serialize(survivor), moved = JsonSerializer.Serialize(moved), by, now }, tx, cancellationToken: ct));

        string? tags = string.Join(',', (survivor.Tags ?? "").Split(',').Concat((merged.Tags ?? "").Split(',')).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct());
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE contacts SET name = COALESCE(name, @Name), email = COALESCE(email, @Email), language = COALESCE(language, @Language), " +
            "time_zone = COALESCE(time_zone, @TimeZone), owner = COALESCE(owner, @Owner), tags = @tags, vip = @vip, opted_out = @optedOut, " +
            "company_id = COALESCE(company_id, @CompanyId), updated_at = @now WHERE id = @survivorId",
            new { merged.Name, merged.Email, merged.Language, merged.TimeZone, merged.Owner, tags = tags.Length == 0 ? null : tags,
                  vip = survivor.Vip || merged.Vip, optedOut = survivor.OptedOut || merged.OptedOut, merged.CompanyId, now, survivorId }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("UPDATE contact_identities SET contact_id = @survivorId WHERE contact_id = @mergedId", new { survivorId, mergedId }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("UPDATE deals SET contact_id = @survivorId WHERE contact_id = @mergedId", new { survivorId, mergedId }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("UPDATE message_links SET contact_id = @survivorId WHERE contact_id = @mergedId", new { survivorId, mergedId }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("UPDATE contacts SET merged_into = @survivorId, updated_at = @now WHERE id = @mergedId", new { survivorId, mergedId, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new MergeResult(mergeId, null);
    }

    /// <summary>Undoes the active merge of <paramref name="mergedId"/> (the contact that was merged into another).</summary>
    public async Task<MergeResult> UnmergeAsync(long mergedId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var merge = await c.QuerySingleOrDefaultAsync<(long Id, long SurvivorId, string Before, string Moved)?>(new CommandDefinition(
            "SELECT id, survivor_id, survivor_before, moved FROM contact_merges WHERE merged_id = @mergedId AND undone_at IS NULL ORDER BY id DESC LIMIT 1",
            new { mergedId }, tx, cancellationToken: ct));
        if (merge is not { } m) return new MergeResult(null, $"Contact {mergedId} is not merged into another contact.", 404);
        var before = JsonSerializer.Deserialize<Fields>(m.Before)!;
        var moved = JsonSerializer.Deserialize<Moved>(m.Moved)!;
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        string ids = db.Dialect.InList("id", "ids"), waIds = db.Dialect.InList("wa_message_id", "ids");
        await c.ExecuteAsync(new CommandDefinition($"UPDATE contact_identities SET contact_id = @mergedId WHERE {ids}", new { mergedId, ids = db.Dialect.List(moved.Identities) }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition($"UPDATE deals SET contact_id = @mergedId WHERE {ids}", new { mergedId, ids = db.Dialect.List(moved.Deals) }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition($"UPDATE message_links SET contact_id = @mergedId WHERE {waIds}", new { mergedId, ids = db.Dialect.List(moved.Messages) }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE contacts SET name = @Name, email = @Email, language = @Language, time_zone = @TimeZone, owner = @Owner, tags = @Tags, vip = @Vip, " +
            "opted_out = @OptedOut, company_id = @CompanyId, updated_at = @now WHERE id = @survivor",
            new { before.Name, before.Email, before.Language, before.TimeZone, before.Owner, before.Tags, before.Vip, before.OptedOut, before.CompanyId, now, survivor = m.SurvivorId },
            tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("UPDATE contacts SET merged_into = NULL, updated_at = @now WHERE id = @mergedId", new { mergedId, now }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("UPDATE contact_merges SET undone_at = @now WHERE id = @id", new { id = m.Id, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new MergeResult(m.Id, null);
    }

    private static Task<Fields?> LoadAsync(DbConnection c, DbTransaction tx, long id, CancellationToken ct) =>
        c.QuerySingleOrDefaultAsync<Fields>(new CommandDefinition($"SELECT {FieldColumns} FROM contacts WHERE id = @id", new { id }, tx, cancellationToken: ct));
}
