using Dapper;

namespace Threadline.Store.Identity;

/// <summary>A contact as the API shows it.</summary>
public sealed class ContactRow
{
    public long Id { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Language { get; init; }
    public string? TimeZone { get; init; }
    public string? Owner { get; init; }
    public string? Tags { get; init; }
    public bool Vip { get; init; }
    public bool OptedOut { get; init; }
    public long? CompanyId { get; init; }
    public string? CompanyName { get; init; }
    public long? MergedInto { get; init; }
    public long CreatedAt { get; init; }
}

public sealed class IdentityRow
{
    public string Kind { get; init; } = "";
    public string Value { get; init; } = "";
    public string Source { get; init; } = "";
}

public sealed class DealRow
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string Stage { get; init; } = "";
    public decimal? Value { get; init; }
    public string? Currency { get; init; }
    public string? Owner { get; init; }
    public string Status { get; init; } = "";
    public long LastActivityAt { get; init; }
}

/// <summary>Reads for the contacts API.</summary>
public sealed class ContactQueries(Database db)
{
    private const string Columns =
        "c.id AS Id, c.name AS Name, c.email AS Email, c.language AS Language, c.time_zone AS TimeZone, c.owner AS Owner, c.tags AS Tags, " +
        "c.vip AS Vip, c.opted_out AS OptedOut, c.company_id AS CompanyId, co.name AS CompanyName, c.merged_into AS MergedInto, c.created_at AS CreatedAt";

    public async Task<ContactRow?> ByIdAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(
            $"SELECT {Columns} FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>The contact that owns an identity (kind <c>phone</c> with a canonical number key, or <c>user_id</c>).</summary>
    public async Task<ContactRow?> ByIdentityAsync(string kind, string matchKey, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(
            $"SELECT {Columns} FROM contact_identities i JOIN contacts c ON c.id = i.contact_id LEFT JOIN companies co ON co.id = c.company_id " +
            "WHERE i.kind = @kind AND i.match_key = @matchKey", new { kind, matchKey }, cancellationToken: ct));
    }

    /// <summary>A page of contacts, newest first; <paramref name="search"/> matches name or email, case-insensitively.</summary>
    public async Task<(IReadOnlyList<ContactRow> Items, long Total)> PageAsync(string? search, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        // Contacts merged into another are not listed (they are shown by id, with mergedInto, until unmerged).
        string where = string.IsNullOrWhiteSpace(search) ? "WHERE c.merged_into IS NULL"
            : "WHERE c.merged_into IS NULL AND (LOWER(COALESCE(c.name, '')) LIKE @pattern OR LOWER(COALESCE(c.email, '')) LIKE @pattern)";
        // Customer-entered text is data: LIKE wildcards in the search are escaped, never interpreted.
        string pattern = "%" + (search ?? "").ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        if (where.Length > 0) where = where.Replace("LIKE @pattern", "LIKE @pattern ESCAPE '\\'");
        long total = await connection.QuerySingleAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM contacts c {where}", new { pattern }, cancellationToken: ct));
        var items = await connection.QueryAsync<ContactRow>(new CommandDefinition(
            $"SELECT {Columns} FROM contacts c LEFT JOIN companies co ON co.id = c.company_id {where} ORDER BY c.id DESC LIMIT @limit OFFSET @offset",
            new { pattern, limit = pageSize, offset = (page - 1) * pageSize }, cancellationToken: ct));
        return (items.AsList(), total);
    }

    public async Task<(IReadOnlyList<IdentityRow> Identities, IReadOnlyList<DealRow> Deals)> DetailsAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var identities = await connection.QueryAsync<IdentityRow>(new CommandDefinition(
            "SELECT kind AS Kind, value AS Value, source AS Source FROM contact_identities WHERE contact_id = @id ORDER BY id", new { id }, cancellationToken: ct));
        var deals = await connection.QueryAsync<DealRow>(new CommandDefinition(
            "SELECT id AS Id, title AS Title, stage AS Stage, value AS Value, currency AS Currency, owner AS Owner, status AS Status, " +
            "last_activity_at AS LastActivityAt FROM deals WHERE contact_id = @id ORDER BY last_activity_at DESC, id DESC", new { id }, cancellationToken: ct));
        return (identities.AsList(), deals.AsList());
    }

    /// <summary>Everything duplicate detection compares: every contact with its email, company and phones, and the
    /// identity conflicts the pipeline recorded (an identity seen with one contact that belongs to another).</summary>
    public async Task<(IReadOnlyList<Threadline.Pipeline.Identity.DuplicateCandidateInput> Contacts, IReadOnlyList<(long A, long B, string Reason)> Conflicts)>
        DuplicateInputsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var phones = (await connection.QueryAsync<(long ContactId, string Value)>(new CommandDefinition(
            "SELECT contact_id, value FROM contact_identities WHERE kind = 'phone'", cancellationToken: ct))).ToLookup(p => p.ContactId, p => p.Value);
        var contacts = (await connection.QueryAsync<(long Id, string? Name, string? Email, long? CompanyId)>(new CommandDefinition(
            "SELECT id, name, email, company_id FROM contacts WHERE merged_into IS NULL", cancellationToken: ct)))
            .Select(c => new Threadline.Pipeline.Identity.DuplicateCandidateInput(c.Id, c.Name, c.Email, c.CompanyId, phones[c.Id].ToList())).ToList();
        var conflicts = (await connection.QueryAsync<(long A, long B, string Kind, string Value)>(new CommandDefinition(
            "SELECT contact_id, other_contact_id, kind, value FROM identity_conflicts", cancellationToken: ct)))
            .Select(c => (c.A, c.B, $"WhatsApp {c.Kind.Replace('_', ' ')} {c.Value} seen on both")).ToList();
        return (contacts, conflicts);
    }
}
