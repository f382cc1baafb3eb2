using Threadline.Pipeline.Capture;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>What every item of one <c>changes[]</c> value shares: where it came from (account, business number, entry
/// time) and the users its <c>contacts[]</c> names, which identify the sender when a message lacks <c>from_user_id</c>.</summary>
internal sealed record ChangeContext(
    string Field,
    string? WabaId,
    DateTimeOffset? EntryTime,
    string? PhoneNumberId,
    IReadOnlyList<WhatsAppUser> Contacts)
{
    /// <summary>
    /// The business-scoped user id of the customer with <paramref name="waId"/>: the contact with that wa_id, or the only
    /// contact when nothing contradicts it (its wa_id, or the message's, is absent). Never a guess between several contacts.
    /// </summary>
    public string? UserIdFor(string? waId)
    {
        if (waId is not null)
        {
            foreach (WhatsAppUser c in Contacts)
                if (c.WaId == waId && c.UserId is not null)
                    return c.UserId;
        }
        return Contacts is [var only] && (only.WaId is null || waId is null || only.WaId == waId) ? only.UserId : null;
    }
}
