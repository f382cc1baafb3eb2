using System.Text.Json;

namespace Threadline.WhatsApp.Sending;

/// <summary>
/// Reads the Graph API's answer to a send. The body decides, not the HTTP status (section 6 of the API notes: branch on
/// the code): an error body is a <see cref="GraphError"/> whatever the status, and an answer that is neither shape is
/// turned into an error with code <see cref="GraphError.Unreadable"/> that keeps the status, so the policy can still
/// retry a 502 from a proxy. Never throws: the caller always gets a result it can record.
/// </summary>
public static class GraphResponse
{
    private const int ExcerptLength = 200;

    public static GraphSendResult Parse(int httpStatus, string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return Unreadable(httpStatus, body);
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            return Read(document.RootElement, httpStatus) ?? Unreadable(httpStatus, body);
        }
        catch (JsonException)
        {
            return Unreadable(httpStatus, body);
        }
    }

    private static GraphSendResult? Read(JsonElement root, int httpStatus)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return null;

        if (root.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
        {
            if (Int(error, "code") is not { } code)
                return null;
            string? details = error.TryGetProperty("error_data", out JsonElement data) && data.ValueKind == JsonValueKind.Object
                ? String(data, "details")
                : null;
            return GraphSendResult.Failed(new GraphError(code, Int(error, "error_subcode"), String(error, "message") ?? "", details, httpStatus));
        }

        // A success shape on a non-2xx answer is contradictory; treated as unreadable so the status decides.
        if (httpStatus is < 200 or > 299)
            return null;

        if (root.TryGetProperty("messages", out JsonElement messages)
            && messages.ValueKind == JsonValueKind.Array
            && messages.GetArrayLength() > 0
            && messages[0].ValueKind == JsonValueKind.Object
            && String(messages[0], "id") is { Length: > 0 } id)
        {
            string? waId = root.TryGetProperty("contacts", out JsonElement contacts)
                           && contacts.ValueKind == JsonValueKind.Array
                           && contacts.GetArrayLength() > 0
                           && contacts[0].ValueKind == JsonValueKind.Object
                ? String(contacts[0], "wa_id")
                : null;
            return GraphSendResult.Accepted(id, waId, String(messages[0], "message_status"));
        }

        // The answer to a read receipt.
        if (root.TryGetProperty("success", out JsonElement success) && success.ValueKind == JsonValueKind.True)
            return GraphSendResult.Accepted(null, null, null);

        return null;
    }

    private static GraphSendResult Unreadable(int httpStatus, string? body)
    {
        string excerpt = string.IsNullOrWhiteSpace(body) ? "(empty body)" : Excerpt(body);
        return GraphSendResult.Failed(new GraphError(GraphError.Unreadable, null, $"unreadable answer (HTTP {httpStatus}): {excerpt}", null, httpStatus));
    }

    /// <summary>The first 200 characters, without cutting an emoji in half.</summary>
    private static string Excerpt(string body)
    {
        if (body.Length <= ExcerptLength)
            return body;
        int length = char.IsHighSurrogate(body[ExcerptLength - 1]) ? ExcerptLength - 1 : ExcerptLength;
        return body[..length];
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Graph sends codes as numbers; a numeric string is accepted too rather than losing the code.</summary>
    private static int? Int(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out JsonElement value))
            return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number))
            return number;
        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out int parsed))
            return parsed;
        return null;
    }
}
