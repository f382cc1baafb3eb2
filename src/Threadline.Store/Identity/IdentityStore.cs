using System.Data.Common;
using Dapper;
using Threadline.Pipeline.Capture;
using Threadline.Pipeline.Identity;

namespace Threadline.Store.Identity;

/// <summary>
/// Loads what <see cref="IdentityStage"/> needs (who owns the identities a batch mentions) and writes what it decided:
/// new contacts, learned identities, conflicts, and one link per message to its contact, company and open deal.
/// Runs inside the inbox worker's transaction; idempotent (links and identities are unique).
/// </summary>
public sealed class IdentityStore(Database db)
{
    public async Task<IReadOnlyList<KnownIdentity>> KnownAsync(DbConnection c, DbTransaction tx, IEnumerable<ContactIdentity> lookups, CancellationToken ct)
    {
        var wanted = lookups.ToList();
        if (wanted.Count == 0) return [];
        // By (kind, match_key), the unique index's own order, so each key is an index lookup (match_key alone scanned the table).
        var phones = wanted.Where(i => i.Kind == ContactIdentity.PhoneKind).Select(i => i.MatchKey).Distinct().ToArray();
        var userIds = wanted.Where(i => i.Kind == ContactIdentity.UserIdKind).Select(i => i.MatchKey).Distinct().ToArray();
        var rows = await c.QueryAsync<(long ContactId, string Kind, string Value, string MatchKey)>(new CommandDefinition(
            "SELECT contact_id, kind, value, match_key FROM contact_identities WHERE kind = 'phone' AND " + db.Dialect.InList("match_key", "phones") +
            " UNION ALL SELECT contact_id, kind, value, match_key FROM contact_identities WHERE kind = 'user_id' AND " + db.Dialect.InList("match_key", "userIds"),
            new { phones = db.Dialect.List(phones), userIds = db.Dialect.List(userIds) }, tx, cancellationToken: ct));
        return rows.Select(r => new KnownIdentity(new ContactIdentity(r.Kind, r.Value, r.MatchKey), r.ContactId)).ToList();
    }

    /// <summary>Writes the resolutions and links every message to its sender's contact. Returns the contact id per sender key.</summary>
    public async Task<IReadOnlyDictionary<string, long>> WriteAsync(DbConnection c, DbTransaction tx, IReadOnlyList<SenderResolution> resolutions,
        IReadOnlyCollection<KnownIdentity> known, IReadOnlyList<WaMessage> messages, long nowMs, CancellationToken ct)
    {
        var contactOf = new Dictionary<string, long>(StringComparer.Ordinal);
        var how = new Dictionary<string, string>(StringComparer.Ordinal);
        var created = new Dictionary<long, long>(); // provisional (negative) id → the contact's real id
        foreach (var r in resolutions)
        {
            long contactId = r.NewContact
                ? created[r.ContactId] = await c.QuerySingleAsync<long>(new CommandDefinition(
                    "INSERT INTO contacts (name, time_zone, created_at, updated_at) VALUES (@name, @zone, @now, @now) RETURNING id",
                    // The contact's local time until a person says otherwise: the zone of its number's region (or NANP area code).
                    new { name = r.NewContactName, zone = PhoneNumberNormaliser.TimeZoneOf(r.Sender.Phone?.Value), now = nowMs }, tx, cancellationToken: ct))
                : r.ContactId < 0 ? created[r.ContactId] : r.ContactId;
            contactOf[r.Sender.Key] = contactId;
            how[r.Sender.Key] = r.MatchedBy;
            foreach (var identity in r.AddIdentities)
                await AddIdentityAsync(c, tx, contactId, identity, r.MatchedBy, r.NewContact, nowMs, ct);
            foreach (var conflict in r.Conflicts)
                await ConflictAsync(c, tx, contactId, conflict with { ContactId = conflict.ContactId < 0 ? created[conflict.ContactId] : conflict.ContactId }, nowMs, ct);
        }

        // A user who moved to a new number or user id stays the same contact, with the new identity added.
        var owners = known.ToDictionary(k => (k.Identity.Kind, k.Identity.MatchKey), k => k.ContactId);
        foreach (var (senderKey, identity) in IdentityStage.IdentityChanges(messages))
        {
            if (!contactOf.TryGetValue(senderKey, out long contactId)) continue;
            if (owners.TryGetValue((identity.Kind, identity.MatchKey), out long other) && other != contactId)
                await ConflictAsync(c, tx, contactId, new KnownIdentity(identity, other), nowMs, ct);
            else
                await AddIdentityAsync(c, tx, contactId, identity, MatchedBy.IdentityChange, strict: false, nowMs, ct);
        }

        await LinkAsync(c, tx, contactOf, how, messages, nowMs, ct);
        return contactOf;
    }

    // strict: a brand-new contact's identity must be new; if another transaction took it meanwhile (two instances, the same
    // new sender), failing makes the batch retry row by row, and the retry finds the existing contact.
    private static Task AddIdentityAsync(DbConnection c, DbTransaction tx, long contactId, ContactIdentity identity, string source, bool strict, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO contact_identities (contact_id, kind, value, match_key, source, created_at) VALUES (@contactId, @Kind, @Value, @MatchKey, @source, @now)" +
            (strict ? "" : " ON CONFLICT (kind, match_key) DO NOTHING"),
            new { contactId, identity.Kind, identity.Value, identity.MatchKey, source, now = nowMs }, tx, cancellationToken: ct));

    private static Task ConflictAsync(DbConnection c, DbTransaction tx, long contactId, KnownIdentity other, long nowMs, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO identity_conflicts (contact_id, other_contact_id, kind, value, detected_at) VALUES (@contactId, @other, @kind, @value, @now) " +
            "ON CONFLICT (contact_id, other_contact_id, kind, value) DO NOTHING",
            new { contactId, other = other.ContactId, kind = other.Identity.Kind, value = other.Identity.Value, now = nowMs }, tx, cancellationToken: ct));

    private sealed record Link(string WaMessageId, long ContactId, long? CompanyId, long? DealId, bool Ambiguous, string MatchedBy);

    /// <summary>One link per message: its contact, the contact's company, and the most recently active open deal.</summary>
    private async Task LinkAsync(DbConnection c, DbTransaction tx, Dictionary<string, long> contactOf, Dictionary<string, string> how,
        IReadOnlyList<WaMessage> messages, long nowMs, CancellationToken ct)
    {
        if (contactOf.Count == 0) return;
        var ids = contactOf.Values.Distinct().ToArray();
        var companies = (await c.QueryAsync<(long Id, long? CompanyId)>(new CommandDefinition(
            $"SELECT id, company_id FROM contacts WHERE {db.Dialect.InList("id", "ids")}", new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Id, r => r.CompanyId);
        var deals = (await c.QueryAsync<(long Id, long ContactId, long LastActivityAt)>(new CommandDefinition(
            $"SELECT id, contact_id, last_activity_at FROM deals WHERE status = 'open' AND {db.Dialect.InList("contact_id", "ids")}",
            new { ids = db.Dialect.List(ids) }, tx, cancellationToken: ct))).ToLookup(d => d.ContactId);

        var links = new List<Link>();
        foreach (var m in messages)
        {
            string? key = IdentityStage.SenderKey(m);
            if (key is null || !contactOf.TryGetValue(key, out long contactId)) continue;
            var open = deals[contactId].OrderByDescending(d => d.LastActivityAt).ThenByDescending(d => d.Id).ToList();
            links.Add(new Link(m.WaMessageId, contactId, companies.GetValueOrDefault(contactId), open.Count > 0 ? open[0].Id : null, open.Count > 1, how[key]));
        }
        await BulkInsert.ExecuteAsync(db.Dialect, c, tx,
            "INSERT INTO message_links (wa_message_id, contact_id, company_id, deal_id, deal_ambiguous, matched_by, linked_at)",
            "ON CONFLICT (wa_message_id) DO NOTHING", "wa_message_id", links,
            l => [l.WaMessageId, l.ContactId, l.CompanyId, l.DealId, l.Ambiguous, l.MatchedBy, nowMs], l => l.WaMessageId, ct);
    }
}
