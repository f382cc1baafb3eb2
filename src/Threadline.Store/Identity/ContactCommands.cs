using Dapper;
using Threadline.Pipeline.Identity;

namespace Threadline.Store.Identity;

/// <summary>The outcome of a contact write: done, or the reason it was refused (a value, not an exception).</summary>
public sealed record ContactWrite(long? Id, string? Problem, long? ConflictingContactId = null)
{
    public static ContactWrite Done(long id) => new(id, null);
    public bool Ok => Problem is null;
}

/// <summary>New or changed contact fields; null leaves a field as it is.</summary>
public sealed record ContactFields(string? Name, string? Email, string? Language, string? TimeZone, string? Owner, IReadOnlyList<string>? Tags,
    bool? Vip, bool? OptedOut, long? CompanyId);

/// <summary>Writes for the contacts, companies and deals API. Phones arrive already normalised (E.164).</summary>
public sealed class ContactCommands(Database db, TimeProvider clock)
{
    /// <summary>Renames a company or changes its domain. False when it does not exist.</summary>
    public async Task<bool> UpdateCompanyAsync(long id, string? name, string? domain, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE companies SET name = COALESCE(@name, name), domain = COALESCE(@domain, domain) WHERE id = @id",
            new { id, name, domain }, cancellationToken: ct)) == 1;
    }

    public async Task<long> CreateCompanyAsync(string name, string? domain, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        return await c.QuerySingleAsync<long>(new CommandDefinition(
            "INSERT INTO companies (name, domain, created_at) VALUES (@name, @domain, @now) RETURNING id",
            new { name, domain, now = Now() }, cancellationToken: ct));
    }

    /// <summary>Creates a contact with its phones. A phone that already belongs to a contact refuses the write (409): the
    /// same number is the same person, so the caller should update that contact instead.</summary>
    public async Task<ContactWrite> CreateContactAsync(ContactFields fields, IReadOnlyList<string> e164Phones, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (await OwnerOfAnyAsync(c, tx, e164Phones, null, ct) is { } owner)
            return new ContactWrite(null, $"The number {owner.Phone} already belongs to contact {owner.ContactId}.", owner.ContactId);
        if (fields.CompanyId is { } company && !await ExistsAsync(c, tx, "companies", company, ct))
            return new ContactWrite(null, $"Company {company} does not exist.");
        long id = await c.QuerySingleAsync<long>(new CommandDefinition(
            "INSERT INTO contacts (name, email, language, time_zone, owner, tags, vip, opted_out, company_id, created_at, updated_at) " +
            "VALUES (@Name, @Email, @Language, @zone, @Owner, @tags, @vip, @optedOut, @CompanyId, @now, @now) RETURNING id",
            new
            {
                fields.Name, fields.Email, fields.Language, zone = fields.TimeZone ?? e164Phones.Select(PhoneNumberNormaliser.TimeZoneOf).FirstOrDefault(z => z is not null),
                fields.Owner, tags = Tags(fields.Tags), vip = fields.Vip ?? false, optedOut = fields.OptedOut ?? false, fields.CompanyId, now = Now(),
            }, tx, cancellationToken: ct));
        await AddPhonesAsync(c, tx, id, e164Phones, ct);
        await tx.CommitAsync(ct);
        return ContactWrite.Done(id);
    }

    /// <summary>Changes the given fields and adds phones. 404-style problem when the contact does not exist.</summary>
    public async Task<ContactWrite> UpdateContactAsync(long id, ContactFields fields, IReadOnlyList<string> addPhones, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (!await ExistsAsync(c, tx, "contacts", id, ct)) return new ContactWrite(null, "not_found");
        if (await OwnerOfAnyAsync(c, tx, addPhones, id, ct) is { } owner)
            return new ContactWrite(null, $"The number {owner.Phone} already belongs to contact {owner.ContactId}.", owner.ContactId);
        if (fields.CompanyId is { } company && !await ExistsAsync(c, tx, "companies", company, ct))
            return new ContactWrite(null, $"Company {company} does not exist.");
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE contacts SET name = COALESCE(@Name, name), email = COALESCE(@Email, email), language = COALESCE(@Language, language), " +
            "time_zone = COALESCE(@TimeZone, time_zone), owner = COALESCE(@Owner, owner), tags = COALESCE(@tags, tags), vip = COALESCE(@Vip, vip), " +
            "opted_out = COALESCE(@OptedOut, opted_out), company_id = COALESCE(@CompanyId, company_id), updated_at = @now WHERE id = @id",
            new { id, fields.Name, fields.Email, fields.Language, fields.TimeZone, fields.Owner, tags = Tags(fields.Tags), fields.Vip, fields.OptedOut, fields.CompanyId, now = Now() },
            tx, cancellationToken: ct));
        await AddPhonesAsync(c, tx, id, addPhones, ct);
        await tx.CommitAsync(ct);
        return ContactWrite.Done(id);
    }

    /// <summary>Creates a deal; the stage must be one of the configured stages. won/lost close it.</summary>
    public async Task<ContactWrite> CreateDealAsync(long contactId, string title, string stage, decimal? value, string? currency, string? owner,
        IReadOnlyList<string> stages, CancellationToken ct)
    {
        if (!stages.Contains(stage)) return new ContactWrite(null, $"Unknown stage '{stage}'. Stages: {string.Join(", ", stages)}.");
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var contact = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT company_id FROM contacts WHERE id = @contactId", new { contactId }, tx, cancellationToken: ct));
        if (!await ExistsAsync(c, tx, "contacts", contactId, ct)) return new ContactWrite(null, $"Contact {contactId} does not exist.");
        long id = await c.QuerySingleAsync<long>(new CommandDefinition(
            "INSERT INTO deals (contact_id, company_id, title, stage, value, currency, owner, status, last_activity_at, created_at) " +
            "VALUES (@contactId, @company, @title, @stage, @value, @currency, @owner, @status, @now, @now) RETURNING id",
            new { contactId, company = contact, title, stage, value, currency, owner, status = Status(stage), now = Now() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return ContactWrite.Done(id);
    }

    public async Task<ContactWrite> UpdateDealAsync(long id, string? stage, decimal? value, string? owner, IReadOnlyList<string> stages, CancellationToken ct)
    {
        if (stage is not null && !stages.Contains(stage)) return new ContactWrite(null, $"Unknown stage '{stage}'. Stages: {string.Join(", ", stages)}.");
        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        int changed = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE deals SET stage = COALESCE(@stage, stage), status = COALESCE(@status, status), value = COALESCE(@value, value), " +
            "owner = COALESCE(@owner, owner), last_activity_at = @now WHERE id = @id",
            new { id, stage, status = stage is null ? null : Status(stage), value, owner, now = Now() }, cancellationToken: ct));
        return changed == 1 ? ContactWrite.Done(id) : new ContactWrite(null, "not_found");
    }

    private static string Status(string stage) => stage is "won" or "lost" ? stage : "open";

    private static string? Tags(IReadOnlyList<string>? tags) => tags is null ? null : string.Join(',', tags.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct());

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static async Task<bool> ExistsAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string table, long id, CancellationToken ct) =>
        await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition($"SELECT id FROM {table} WHERE id = @id", new { id }, tx, cancellationToken: ct)) is not null;

    private async Task<(string Phone, long ContactId)?> OwnerOfAnyAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx,
        IReadOnlyList<string> phones, long? except, CancellationToken ct)
    {
        foreach (var phone in phones)
        {
            long? owner = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                "SELECT contact_id FROM contact_identities WHERE kind = 'phone' AND match_key = @key",
                new { key = PhoneNumberNormaliser.CanonicalKey(phone) }, tx, cancellationToken: ct));
            if (owner is { } id && id != except) return (phone, id);
        }
        return null;
    }

    private async Task AddPhonesAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, long contactId, IReadOnlyList<string> phones, CancellationToken ct)
    {
        foreach (var phone in phones.Distinct())
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO contact_identities (contact_id, kind, value, match_key, source, created_at) VALUES (@contactId, 'phone', @phone, @key, 'api', @now) " +
                "ON CONFLICT (kind, match_key) DO NOTHING",
                new { contactId, phone, key = PhoneNumberNormaliser.CanonicalKey(phone), now = Now() }, tx, cancellationToken: ct));
    }
}
