using System.Data.Common;
using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Dapper;
using Threadline.Pipeline.Identity;
using Threadline.Store;

namespace Threadline.Import;

/// <summary>A row the import could not take, with its line in the file and why.</summary>
public sealed record RejectedRow(int Line, string Reason);

/// <summary>What an import did (or, with dry-run, would do).</summary>
/// <param name="FlaggedNumbers">Phones that could not be read: kept verbatim on the contact (identity kind <c>unparsed_phone</c>), never dropped.</param>
public sealed record ImportReport(int Rows, int Created, int Updated, int DuplicatesFound, int FlaggedNumbers, IReadOnlyList<RejectedRow> Rejected, bool DryRun);

/// <summary>
/// <c>threadline import contacts FILE.csv</c>: reads a CSV with CsvHelper (headers matched case-insensitively: name, phone,
/// email, company, owner, tags, language; several phones separated by <c>;</c> or <c>|</c>), normalises every phone with
/// the business's region, and writes in transactions of <see cref="BatchSize"/> rows. A row whose phone another contact
/// has updates that contact (fills empty fields, adds its other phones); a row whose email another contact has is created
/// and counted as a duplicate found (a person decides, nothing is merged) unless it also has the same name (then it is the
/// same record, updated: importing a file twice adds nothing); a phone that cannot be read is kept verbatim on the contact
/// and flagged, never dropped; a row with nothing to identify it, or an email that is not an address, is rejected with its line number. Dry run: everything is done inside transactions that are rolled back.
/// </summary>
public sealed class ContactImport(Database db, TimeProvider clock)
{
    public const int BatchSize = 5_000;

    private sealed class Row
    {
        public string? Name { get; set; }
        public string? Phone { get; set; }
        public string? Email { get; set; }
        public string? Company { get; set; }
        public string? Owner { get; set; }
        public string? Tags { get; set; }
        public string? Language { get; set; }
    }

    public async Task<ImportReport> RunAsync(TextReader csv, string? defaultRegion, bool dryRun, Action<int>? progress, CancellationToken ct)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            HeaderValidated = null,        // missing optional columns are fine
            MissingFieldFound = null,
            BadDataFound = null,
            TrimOptions = TrimOptions.Trim,
            DetectDelimiter = true,
        };
        using var reader = new CsvReader(csv, config);
        reader.Context.RegisterClassMap(new RowMap());
        int rows = 0, created = 0, updated = 0, duplicates = 0, flagged = 0;
        var rejected = new List<RejectedRow>();

        await using var c = await db.OpenAsync(ct);
        var phoneOwner = (await c.QueryAsync<(string Key, long Contact)>("SELECT match_key, contact_id FROM contact_identities WHERE kind = 'phone'"))
            .ToDictionary(r => r.Key, r => r.Contact, StringComparer.Ordinal);
        var emailOwner = (await c.QueryAsync<(string Email, long Contact)>("SELECT LOWER(email), MIN(id) FROM contacts WHERE email IS NOT NULL GROUP BY LOWER(email)"))
            .ToDictionary(r => r.Email, r => r.Contact, StringComparer.Ordinal);
        var sameRecord = (await c.QueryAsync<(string Key, long Contact)>(
                "SELECT LOWER(email) || '|' || LOWER(COALESCE(name, '')), MIN(id) FROM contacts WHERE email IS NOT NULL GROUP BY LOWER(email) || '|' || LOWER(COALESCE(name, ''))"))
            .ToDictionary(r => r.Key, r => r.Contact, StringComparer.Ordinal);
        var companies = (await c.QueryAsync<(string Name, long Id)>("SELECT LOWER(name), MIN(id) FROM companies GROUP BY LOWER(name)"))
            .ToDictionary(r => r.Name, r => r.Id, StringComparer.Ordinal);

        DbTransaction? tx = null;
        Database.WriteTurn turn = default;
        try
        {
            while (await reader.ReadAsync())
            {
                if (tx is null)
                {
                    turn = await db.WriteTurnAsync(ct);
                    tx = await c.BeginTransactionAsync(ct);
                }
                rows++;
                int line = reader.Parser.RawRow;
                Row row;
                try { row = reader.GetRecord<Row>(); }
                catch (CsvHelperException ex) { rejected.Add(new RejectedRow(line, "unreadable row: " + ex.Message.Split('\n')[0])); continue; }

                var phones = new List<string>();
                var unreadable = new List<string>();
                foreach (var raw in (row.Phone ?? "").Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var parsed = PhoneNumberNormaliser.Normalise(raw, defaultRegion);
                    if (parsed.E164 is null) unreadable.Add(raw);
                    else phones.Add(parsed.E164);
                }
                string? email = string.IsNullOrWhiteSpace(row.Email) ? null : row.Email.Trim();
                if (email is not null && !email.Contains('@')) { rejected.Add(new RejectedRow(line, $"email '{email}' is not an address")); continue; }
                if (string.IsNullOrWhiteSpace(row.Name) && phones.Count == 0 && email is null)
                {
                    rejected.Add(new RejectedRow(line, unreadable.Count > 0 ? $"no name or email, and phone '{unreadable[0]}' cannot be read" : "no name, phone or email"));
                    continue;
                }

                long? companyId = null;
                if (!string.IsNullOrWhiteSpace(row.Company))
                {
                    string key = row.Company.Trim().ToLowerInvariant();
                    if (!companies.TryGetValue(key, out long id))
                        companies[key] = id = await c.QuerySingleAsync<long>(new CommandDefinition(
                            "INSERT INTO companies (name, created_at) VALUES (@name, @now) RETURNING id", new { name = row.Company.Trim(), now = Now() }, tx, cancellationToken: ct));
                    companyId = id;
                }
                string? tags = string.IsNullOrWhiteSpace(row.Tags) ? null
                    : string.Join(',', row.Tags.Split([',', ';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct());

                long? existing = phones.Select(p => PhoneNumberNormaliser.CanonicalKey(p)).Select(k => phoneOwner.TryGetValue(k, out long o) ? o : (long?)null)
                    .FirstOrDefault(o => o is not null);
                string recordKey = $"{email?.ToLowerInvariant()}|{row.Name?.Trim().ToLowerInvariant()}";
                if (existing is null && email is not null && sameRecord.TryGetValue(recordKey, out long same)) existing = same;
                long contactId;
                if (existing is { } owner)
                {
                    contactId = owner;
                    await c.ExecuteAsync(new CommandDefinition(
                        "UPDATE contacts SET name = COALESCE(name, @name), email = COALESCE(email, @email), owner = COALESCE(owner, @owner), " +
                        "tags = COALESCE(tags, @tags), language = COALESCE(language, @language), company_id = COALESCE(company_id, @companyId), updated_at = @now WHERE id = @id",
                        new { id = owner, name = row.Name, email, owner = row.Owner, tags, language = row.Language, companyId, now = Now() }, tx, cancellationToken: ct));
                    updated++;
                }
                else
                {
                    contactId = await c.QuerySingleAsync<long>(new CommandDefinition(
                        "INSERT INTO contacts (name, email, owner, tags, language, company_id, time_zone, created_at, updated_at) " +
                        "VALUES (@name, @email, @owner, @tags, @language, @companyId, @zone, @now, @now) RETURNING id",
                        new { name = row.Name, email, owner = row.Owner, tags, language = row.Language, companyId,
                              zone = phones.Select(PhoneNumberNormaliser.TimeZoneOf).FirstOrDefault(z => z is not null), now = Now() }, tx, cancellationToken: ct));
                    created++;
                    if (email is not null && emailOwner.ContainsKey(email.ToLowerInvariant())) duplicates++;
                }
                if (email is not null)
                {
                    emailOwner.TryAdd(email.ToLowerInvariant(), contactId);
                    sameRecord.TryAdd(recordKey, contactId);
                }
                foreach (var raw in unreadable.Distinct())
                {
                    // Kept as typed, flagged by its kind; the key is per contact so no other contact's typo can displace it.
                    flagged += await c.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO contact_identities (contact_id, kind, value, match_key, source, created_at) VALUES (@contactId, 'unparsed_phone', @raw, @key, 'import', @now) " +
                        "ON CONFLICT (kind, match_key) DO NOTHING",
                        new { contactId, raw, key = $"{contactId}:{raw}", now = Now() }, tx, cancellationToken: ct));
                }
                foreach (var phone in phones.Distinct())
                {
                    string key = PhoneNumberNormaliser.CanonicalKey(phone);
                    if (phoneOwner.ContainsKey(key)) continue;
                    await c.ExecuteAsync(new CommandDefinition(
                        "INSERT INTO contact_identities (contact_id, kind, value, match_key, source, created_at) VALUES (@contactId, 'phone', @phone, @key, 'import', @now)",
                        new { contactId, phone, key, now = Now() }, tx, cancellationToken: ct));
                    phoneOwner[key] = contactId;
                }

                if (rows % BatchSize == 0)
                {
                    await FinishAsync(tx, dryRun, ct);
                    tx = null;
                    turn.Dispose();
                    turn = default; // released: the finally below must not release it again
                    progress?.Invoke(rows);
                }
            }
            if (tx is not null) await FinishAsync(tx, dryRun, ct);
            tx = null;
            progress?.Invoke(rows);
        }
        finally
        {
            if (tx is not null) await tx.DisposeAsync();
            turn.Dispose();
        }
        return new ImportReport(rows, created, updated, duplicates, flagged, rejected, dryRun);
    }

    private static async Task FinishAsync(DbTransaction tx, bool dryRun, CancellationToken ct)
    {
        if (dryRun) await tx.RollbackAsync(ct); else await tx.CommitAsync(ct);
        await tx.DisposeAsync();
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class RowMap : ClassMap<Row>
    {
        public RowMap()
        {
            Map(r => r.Name).Name("name").Optional();
            Map(r => r.Phone).Name("phone", "phones", "mobile", "telefon").Optional();
            Map(r => r.Email).Name("email", "e-mail").Optional();
            Map(r => r.Company).Name("company", "firma").Optional();
            Map(r => r.Owner).Name("owner").Optional();
            Map(r => r.Tags).Name("tags").Optional();
            Map(r => r.Language).Name("language").Optional();
        }
    }
}
