using Threadline.Pipeline.Capture;

namespace Threadline.Pipeline.Identity;

/// <summary>How a message's sender was tied to a contact; stored with the link so a person can see why.</summary>
public static class MatchedBy
{
    public const string UserId = "user_id";        // the business-scoped user id (BSUID)
    public const string WaId = "wa_id";            // the wa_id, as the same E.164 number
    public const string PhoneVariant = "phone_variant"; // another WhatsApp form of the number (BR ninth digit, MX 521, AR 549)
    public const string NewContact = "new_contact"; // nobody known: a contact was created from the WhatsApp profile
    public const string IdentityChange = "identity_change"; // a system message moved the user to a new number or user id
}

/// <summary>An identity of a contact: a BSUID or a phone number (E.164) with the key it is matched by.</summary>
/// <param name="Kind"><c>user_id</c> or <c>phone</c>.</param>
/// <param name="MatchKey">The BSUID, or <see cref="PhoneNumberNormaliser.CanonicalKey"/> of the number (one key for all its WhatsApp forms).</param>
public sealed record ContactIdentity(string Kind, string Value, string MatchKey)
{
    public const string UserIdKind = "user_id", PhoneKind = "phone";

    public static ContactIdentity ForUserId(string userId) => new(UserIdKind, userId, userId);

    public static ContactIdentity? ForWaId(string? waId)
    {
        if (waId is null) return null;
        // Memoised: every message of a sender repeats its wa_id, and normalising is the costly part of identity. The
        // function is pure, so the cache changes nothing but speed; it is bounded by clearing it when it grows large.
        if (WaIdCache.TryGetValue(waId, out var cached)) return cached;
        if (WaIdCache.Count > 100_000) WaIdCache.Clear();
        var identity = PhoneNumberNormaliser.FromWaId(waId) is { E164: { } e164 } ? new ContactIdentity(PhoneKind, e164, PhoneNumberNormaliser.CanonicalKey(e164)) : null;
        WaIdCache[waId] = identity;
        return identity;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, ContactIdentity?> WaIdCache = new(StringComparer.Ordinal);
}

/// <summary>A known identity as loaded from the store: which contact it belongs to.</summary>
public sealed record KnownIdentity(ContactIdentity Identity, long ContactId);

/// <summary>The sender of a message, in the terms identity works with.</summary>
public sealed record Sender(string Key, ContactIdentity? UserId, ContactIdentity? Phone, string? ProfileName);

/// <summary>What identity decided for one sender.</summary>
/// <param name="ContactId">The contact. Negative for a contact this batch creates: <c>-1</c> is the first new contact, and a
/// later sender of the same batch that matches it gets the same negative id.</param>
/// <param name="AddIdentities">Identities to attach to the contact (new, or learned: a user id seen beside a known number…).</param>
/// <param name="Conflicts">Identities that already belong to another contact: a possible duplicate for a human, never merged here.</param>
public sealed record SenderResolution(
    Sender Sender, long ContactId, string MatchedBy, string? NewContactName, IReadOnlyList<ContactIdentity> AddIdentities,
    IReadOnlyList<KnownIdentity> Conflicts)
{
    /// <summary>True for the resolution that creates the contact <see cref="ContactId"/> (negative).</summary>
    public bool NewContact => MatchedBy == Identity.MatchedBy.NewContact;
}

/// <summary>
/// Step 2, the pure part: ties each sender to a contact by, in order, business-scoped user id, wa_id (the same E.164
/// number) and the number's WhatsApp variants; an unknown sender becomes a new contact named by its WhatsApp profile.
/// A system message that moves the user to a new number or user id adds that identity to the same contact.
/// Nothing here is merged: an identity already owned by another contact is reported as a conflict for a human.
/// </summary>
public static class IdentityStage
{
    /// <summary>The senders of the messages Threadline should link (inbound, and outbound echoes to a customer), one per key.</summary>
    public static IReadOnlyList<Sender> Senders(IEnumerable<WaMessage> messages, IEnumerable<WhatsAppUser> users)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            if (u.ProfileName is null) continue;
            if (u.UserId is not null) names.TryAdd(u.UserId, u.ProfileName);
            if (u.WaId is not null) names.TryAdd(u.WaId, u.ProfileName);
        }
        var senders = new Dictionary<string, Sender>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            var userId = m.UserId is { Length: > 0 } uid ? ContactIdentity.ForUserId(uid) : null;
            var phone = ContactIdentity.ForWaId(m.WaId);
            string? key = SenderKey(m);
            if (key is null || senders.ContainsKey(key)) continue;
            string? name = (m.UserId is not null && names.TryGetValue(m.UserId, out var n1)) ? n1
                : (m.WaId is not null && names.TryGetValue(m.WaId, out var n2)) ? n2 : null;
            senders[key] = new Sender(key, userId, phone, name);
        }
        return senders.Values.ToList();
    }

    /// <summary>
    /// The key a message's sender is known by within a batch: the user id, else the exact E.164 number. Exact, not the
    /// canonical key, so each WhatsApp form of a number is resolved (and its link explained) on its own; forms of one
    /// person still land on one contact, because matching itself goes by the canonical key.
    /// </summary>
    public static string? SenderKey(WaMessage m) => m.UserId is { Length: > 0 } uid ? uid : ContactIdentity.ForWaId(m.WaId)?.Value;

    /// <summary>The identities whose owners must be loaded before <see cref="Resolve"/>.</summary>
    public static IEnumerable<ContactIdentity> Lookups(IEnumerable<Sender> senders, IEnumerable<WaMessage> messages) =>
        senders.SelectMany(s => new[] { s.UserId, s.Phone }).Concat(IdentityChanges(messages).Select(c => c.New))
            .OfType<ContactIdentity>().Distinct();

    public static IReadOnlyList<SenderResolution> Resolve(IReadOnlyList<Sender> senders, IReadOnlyCollection<KnownIdentity> known)
    {
        var owner = known.GroupBy(k => (k.Identity.Kind, k.Identity.MatchKey)).ToDictionary(g => g.Key, g => g.First());
        KnownIdentity? Owner(ContactIdentity? id) => id is null ? null : owner.GetValueOrDefault((id.Kind, id.MatchKey));
        long nextNew = -1;

        var result = new List<SenderResolution>(senders.Count);
        foreach (var sender in senders)
        {
            var byUserId = Owner(sender.UserId);
            var byPhone = Owner(sender.Phone);
            var match = byUserId ?? byPhone;
            if (match is null)
            {
                var identities = new[] { sender.UserId, sender.Phone }.OfType<ContactIdentity>().ToList();
                long provisional = nextNew--;
                // Later senders of this batch (the same person by another identity) must find this new contact.
                foreach (var identity in identities) owner[(identity.Kind, identity.MatchKey)] = new KnownIdentity(identity, provisional);
                result.Add(new SenderResolution(sender, provisional, MatchedBy.NewContact, sender.ProfileName, identities, []));
                continue;
            }
            string how = byUserId is not null ? MatchedBy.UserId
                : byPhone!.Identity.Value == sender.Phone!.Value ? MatchedBy.WaId : MatchedBy.PhoneVariant;
            var add = new List<ContactIdentity>();
            var conflicts = new List<KnownIdentity>();
            foreach (var identity in new[] { sender.UserId, sender.Phone }.OfType<ContactIdentity>())
            {
                var current = Owner(identity);
                if (current is null)
                {
                    add.Add(identity);
                    owner[(identity.Kind, identity.MatchKey)] = new KnownIdentity(identity, match.ContactId);
                }
                else if (current.ContactId != match.ContactId) conflicts.Add(current);
            }
            result.Add(new SenderResolution(sender, match.ContactId, how, null, add, conflicts));
        }
        return result;
    }

    /// <summary>System messages that move a user to a new number or user id: (the sender's key, the new identity).</summary>
    public static IEnumerable<(string SenderKey, ContactIdentity New)> IdentityChanges(IEnumerable<WaMessage> messages)
    {
        foreach (var m in messages)
        {
            if (m.System is not { } change) continue;
            string? key = SenderKey(m);
            if (key is null) continue;
            if (ContactIdentity.ForWaId(change.NewWaId) is { } phone) yield return (key, phone);
            if (change.NewUserId is { Length: > 0 } newUserId) yield return (key, ContactIdentity.ForUserId(newUserId));
        }
    }
}
