using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Identity;
using Threadline.Store.Messages;

namespace Threadline.Http;

/// <summary>A message as <c>GET /api/v1/messages</c> returns it.</summary>
/// <param name="Raw">The message exactly as WhatsApp sent it, for types Threadline does not model (or on request).</param>
public sealed record MessageView(
    string WaMessageId, string Direction, string SentBy, string Type, string? Text, DateTimeOffset Timestamp, string Status,
    DateTimeOffset? StatusAt, string? WaId, string? UserId, string? ReplyToMessageId, string? RefMessageId, bool Forwarded,
    DateTimeOffset? EditedAt, string? OriginalText, bool Deleted, int? ErrorCode, JsonElement? Raw);

public static class MessagesApi
{
    /// <summary>The message types Threadline reads into fields; any other type is shown with its raw JSON.</summary>
    private static readonly HashSet<string> ModelledTypes =
    [
        "text", "image", "video", "audio", "document", "sticker", "location", "contacts", "interactive", "button",
        "reaction", "order", "system", "edit", "revoke",
    ];

    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/messages", ListAsync)
            .WithName("ListMessages")
            .WithSummary("The messages exchanged with one WhatsApp user, oldest first.")
            .WithDescription("phone: an E.164 number (+4917012345678), a wa_id (4917012345678) or a business-scoped user id (DE.123…).");
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<MessageView>>, ProblemHttpResult>> ListAsync(
        string? phone, bool? includeRaw, int? limit, MessageQueries queries, IOptions<BusinessOptions> business, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(phone))
            return TypedResults.Problem(statusCode: 400, title: "Missing phone", detail: "Give ?phone= as E.164, wa_id or user id.");
        var (waId, userId) = SenderKey.Parse(phone, business.Value.DefaultRegion);
        if (waId is null && userId is null)
            return TypedResults.Problem(statusCode: 400, title: "Unreadable phone",
                detail: "phone must be an E.164 number, a wa_id (digits with country code) or a business-scoped user id.");
        var rows = await queries.ForSenderAsync(waId, userId, Math.Clamp(limit ?? 1000, 1, 10_000), ct);
        IReadOnlyList<MessageView> views = rows.Select(m => ToView(m, includeRaw == true)).ToList();
        return TypedResults.Ok(views);
    }

    private static MessageView ToView(StoredMessage m, bool includeRaw) => new(
        m.WaMessageId, m.Direction, m.SentBy, m.Type, m.Text, DateTimeOffset.FromUnixTimeMilliseconds(m.Timestamp), m.Status,
        m.StatusAt is { } s ? DateTimeOffset.FromUnixTimeMilliseconds(s) : null, m.WaId, m.UserId, m.ReplyToMessageId, m.RefMessageId,
        m.Forwarded, m.EditedAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null, m.OriginalText, m.RevokedAt is not null,
        m.ErrorCode, includeRaw || !ModelledTypes.Contains(m.Type) ? JsonDocument.Parse(m.RawJson).RootElement.Clone() : null);
}

/// <summary>
/// Reads the sender key a user types: a business-scoped user id (<c>US.123…</c>), or a phone number in any format, read
/// by <see cref="PhoneNumberNormaliser"/> (with the business's region for national notation) and given as WhatsApp's
/// wa_id (E.164 digits without <c>+</c>).
/// </summary>
public static class SenderKey
{
    public static (string? WaId, string? UserId) Parse(string input, string? defaultRegion = null)
    {
        string trimmed = input.Trim();
        if (trimmed.Length > 2 && char.IsAsciiLetter(trimmed[0]) && char.IsAsciiLetter(trimmed[1]) && trimmed.Contains('.'))
            return (null, trimmed);
        return PhoneNumberNormaliser.Normalise(trimmed, defaultRegion) is { E164: { } e164 } ? (e164[1..], null) : (null, null);
    }
}
