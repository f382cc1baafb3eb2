using System.Buffers;
using System.Text.Json;
using Threadline.Pipeline.Capture;
using Threadline.WhatsApp.Webhooks.Json;
using static Threadline.WhatsApp.Webhooks.Json.JsonRead;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>The outcome of parsing one webhook body: a batch, or a clear reason why the body cannot be read.</summary>
public sealed record WebhookParseResult(WebhookBatch? Batch, string? Error)
{
    public bool IsSuccess => Batch is not null;
}

/// <summary>
/// Parses a raw (already signature-checked) webhook body into Threadline's model.
/// <para>
/// Two levels of strictness. The envelope (<c>object</c>, <c>entry[]</c>, <c>changes[]</c>, <c>field</c>) must have its
/// documented shape, else the result is an <see cref="WebhookParseResult.Error"/>: such a body is not a WhatsApp
/// webhook, and the caller keeps it whole. Inside a value WhatsApp adds things over time, so nothing there fails the body:
/// an item that cannot be mapped becomes a <see cref="BusinessEvent"/> (kinds in <see cref="WebhookEventKinds"/>) with its
/// raw JSON. An <c>object</c> other than <c>whatsapp_business_account</c> is one <see cref="WebhookEventKinds.UnknownObject"/> event.
/// </para>
/// Parse never throws.
/// </summary>
public static class WebhookParser
{
    /// <summary>The only <c>object</c> whose entries the parser reads.</summary>
    public const string WhatsAppBusinessAccount = "whatsapp_business_account";

    private static WebhookJsonContext Ctx => WebhookJsonContext.Default;

    public static WebhookParseResult Parse(ReadOnlySpan<byte> body)
    {
        // The body is parsed once, into one document that the whole walk reads in place. JsonDocument.Parse takes memory,
        // not a span, hence one pooled copy; the document points into it, so it is returned only after the document is
        // disposed. Nothing in the batch refers to either: records hold strings.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(body.Length);
        try
        {
            body.CopyTo(buffer);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(buffer.AsMemory(0, body.Length));
            }
            catch (JsonException)
            {
                return Fail(InvalidJson(body));
            }

            using (document)
            {
                try
                {
                    return ParseEnvelope(document.RootElement);
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or OverflowException)
                {
                    // Defence in depth: every read below is guarded, but a body must never take the endpoint down.
                    return Fail($"Webhook body could not be read: {ex.Message}");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Why the body is not JSON, in the serializer's words (they name the JSON path, which the document reader's
    /// do not). Runs only for a body the document reader has already rejected, so the second read costs nothing that matters.</summary>
    private static string InvalidJson(ReadOnlySpan<byte> body)
    {
        try
        {
            JsonSerializer.Deserialize(body, Ctx.JsonElement);
        }
        catch (JsonException ex)
        {
            return $"Webhook body is not valid JSON (line {ex.LineNumber}, byte {ex.BytePositionInLine}): {ex.Message}";
        }
        return "Webhook body is not valid JSON.";
    }

    private static WebhookParseResult ParseEnvelope(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return Fail($"Webhook body must be a JSON object, but is {Describe(root)}.");

        if (!root.TryGetProperty("object", out JsonElement objectElement) || objectElement.ValueKind != JsonValueKind.String)
            return Fail("Webhook body has no \"object\" string.");

        var batch = new BatchBuilder();
        string objectName = objectElement.GetString()!;
        if (objectName != WhatsAppBusinessAccount)
        {
            batch.AddEvent(objectName, WebhookEventKinds.UnknownObject, null, null, root.GetRawText());
            return new WebhookParseResult(batch.Build(), null);
        }

        JsonElement entries = LastMember(root, "entry"u8);
        if (entries.ValueKind != JsonValueKind.Array)
            return Fail($"Webhook \"entry\" must be an array, but is {Describe(root, "entry")}.");

        int e = 0;
        foreach (JsonElement entryElement in entries.EnumerateArray())
        {
            if (entryElement.ValueKind != JsonValueKind.Object || !EntryHeader.TryRead(entryElement, out var entry))
                return Fail($"Webhook entry[{e}] must be an object with \"id\" and \"changes\", but is {Describe(entryElement)}.");
            if (entry.Changes.ValueKind is not (JsonValueKind.Array or JsonValueKind.Undefined or JsonValueKind.Null))
                return Fail($"Webhook entry[{e}].changes must be an array, but is {Describe(entry.Changes)}.");

            if (entry.Changes.ValueKind == JsonValueKind.Array)
            {
                int c = 0;
                foreach (JsonElement changeElement in entry.Changes.EnumerateArray())
                {
                    if (changeElement.ValueKind != JsonValueKind.Object
                        || !ChangeHeader.TryRead(changeElement, out var change)
                        || string.IsNullOrEmpty(change.Field))
                        return Fail($"Webhook entry[{e}].changes[{c}] must be an object with a \"field\" string.");
                    ChangeMapper.Map(change.Field, change.Value, entry.Id, entry.Time, batch);
                    c++;
                }
            }
            e++;
        }
        return new WebhookParseResult(batch.Build(), null);
    }

    private static WebhookParseResult Fail(string error) => new(null, error);

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Undefined => "missing",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };

    private static string Describe(JsonElement parent, string property) =>
        parent.TryGetProperty(property, out JsonElement child) ? Describe(child) : "missing";
}
