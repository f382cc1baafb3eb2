using System.Globalization;
using CsvHelper;
using Dapper;
using Threadline.Store;

namespace Threadline.Import;

/// <summary>
/// <c>threadline export contacts FILE.csv</c>: every contact with its phones (E.164, <c>;</c>-separated), email, company,
/// owner, tags and language. Values that start with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c> are prefixed with <c>'</c>
/// so a spreadsheet shows them as text instead of running them as a formula (CSV/formula injection).
/// </summary>
public sealed class ContactExport(Database db)
{
    public async Task<int> RunAsync(TextWriter output, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var phones = (await c.QueryAsync<(long ContactId, string Value)>(new CommandDefinition(
            "SELECT contact_id, value FROM contact_identities WHERE kind = 'phone' ORDER BY id", cancellationToken: ct))).ToLookup(p => p.ContactId, p => p.Value);
        var rows = await c.QueryAsync<(long Id, string? Name, string? Email, string? Company, string? Owner, string? Tags, string? Language)>(new CommandDefinition(
            "SELECT c.id, c.name, c.email, co.name, c.owner, c.tags, c.language FROM contacts c LEFT JOIN companies co ON co.id = c.company_id ORDER BY c.id",
            cancellationToken: ct));
        await using var csv = new CsvWriter(output, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (var header in new[] { "name", "phone", "email", "company", "owner", "tags", "language" }) csv.WriteField(header);
        await csv.NextRecordAsync();
        int count = 0;
        foreach (var r in rows)
        {
            foreach (var value in new[] { r.Name, string.Join(';', phones[r.Id]), r.Email, r.Company, r.Owner, r.Tags, r.Language })
                csv.WriteField(Safe(value));
            await csv.NextRecordAsync();
            count++;
        }
        await csv.FlushAsync();
        return count;
    }

    /// <summary>Neutralises a value a spreadsheet would treat as a formula.</summary>
    public static string Safe(string? value) =>
        string.IsNullOrEmpty(value) ? "" : value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
