namespace Threadline.Pipeline.Capture;

/// <summary>What capture decided for one webhook body: the records to store, in the order to apply them.</summary>
public sealed record CaptureDecision(
    IReadOnlyList<WhatsAppUser> Users,
    IReadOnlyList<WaMessage> Messages,
    IReadOnlyList<StatusUpdate> Statuses,
    IReadOnlyList<PreferenceUpdate> Preferences,
    IReadOnlyList<BusinessEvent> Events);

/// <summary>
/// Step 1 of the pipeline, the pure part: de-duplicates what one body (or one batch of bodies) carries and puts each
/// contact's messages in WhatsApp timestamp order. Storage makes the result idempotent across bodies with unique keys.
/// </summary>
public static class CaptureStage
{
    public static CaptureDecision Decide(IEnumerable<WebhookBatch> batches)
    {
        var users = new Dictionary<string, WhatsAppUser>(StringComparer.Ordinal);
        var messages = new Dictionary<string, WaMessage>(StringComparer.Ordinal);
        var statuses = new Dictionary<(string, string), StatusUpdate>();
        var preferences = new List<PreferenceUpdate>();
        var events = new List<BusinessEvent>();

        foreach (var batch in batches)
        {
            foreach (var user in batch.Users)
            {
                string? key = user.UserId ?? user.WaId;
                if (key is null) continue;
                // A later mention may carry more (a username, a profile name): merge rather than drop.
                users[key] = users.TryGetValue(key, out var seen)
                    ? new WhatsAppUser(user.WaId ?? seen.WaId, user.UserId ?? seen.UserId, user.ParentUserId ?? seen.ParentUserId,
                        user.Username ?? seen.Username, user.ProfileName ?? seen.ProfileName)
                    : user;
            }
            foreach (var message in batch.Messages)
                messages.TryAdd(message.WaMessageId, message);
            foreach (var status in batch.Statuses)
                statuses.TryAdd((status.WaMessageId, status.Status), status);
            preferences.AddRange(batch.Preferences);
            events.AddRange(batch.Events);
        }

        var ordered = messages.Values
            .OrderBy(m => ContactKey(m), StringComparer.Ordinal)
            .ThenBy(m => m.Timestamp)
            .ThenBy(m => m.WaMessageId, StringComparer.Ordinal)
            .ToList();
        var orderedStatuses = statuses.Values
            .OrderBy(s => s.Timestamp)
            .ThenBy(s => DeliveryStatus.Rank(s.Status))
            .ToList();
        return new CaptureDecision(users.Values.ToList(), ordered, orderedStatuses, preferences.OrderBy(p => p.Timestamp).ToList(), events);
    }

    /// <summary>The key messages of one contact share: the BSUID when known, else the wa_id.</summary>
    public static string ContactKey(WaMessage message) => message.WaId ?? message.UserId ?? "";
}
