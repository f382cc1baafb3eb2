using System.Buffers;
using System.Text.Json;

namespace Threadline.Simulator;

/// <summary>
/// Writes the envelope every webhook shares: <c>{object, entry[{id, changes[{value{messaging_product, metadata, …}, field}]}]}</c>.
/// Uses <see cref="Utf8JsonWriter"/>'s default encoder, which escapes non-ASCII as <c>\uXXXX</c> like Meta's own
/// serialisation does, so receivers must hash the raw bytes rather than a re-serialisation.
/// </summary>
internal static class WebhookBodyWriter
{
    public static byte[] Build(TrafficOptions options, string field, SimulatedSender? contact, Action<Utf8JsonWriter> writeArrays)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "whatsapp_business_account");
            w.WriteStartArray("entry");
            w.WriteStartObject();
            w.WriteString("id", options.WabaId);
            w.WriteStartArray("changes");
            w.WriteStartObject();
            w.WriteStartObject("value");
            w.WriteString("messaging_product", "whatsapp");
            w.WriteStartObject("metadata");
            w.WriteString("display_phone_number", options.DisplayPhoneNumber);
            w.WriteString("phone_number_id", options.PhoneNumberId);
            w.WriteEndObject();
            if (contact is not null)
                WriteContacts(w, contact);
            writeArrays(w);
            w.WriteEndObject();
            w.WriteString("field", field);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>contacts[]</c>: profile name (+ username), and whichever of wa_id / user_id / parent_user_id the user has.</summary>
    private static void WriteContacts(Utf8JsonWriter w, SimulatedSender s)
    {
        w.WriteStartArray("contacts");
        w.WriteStartObject();
        w.WriteStartObject("profile");
        w.WriteString("name", s.Name);
        if (s.Username is not null)
            w.WriteString("username", s.Username);
        w.WriteEndObject();
        WriteIfNotNull(w, "wa_id", s.WaId);
        WriteIfNotNull(w, "user_id", s.UserId);
        WriteIfNotNull(w, "parent_user_id", s.ParentUserId);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    public static void WriteIfNotNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
            w.WriteString(name, value);
    }

    /// <summary>The <c>errors[]</c> array used by unsupported messages and failed statuses.</summary>
    public static void WriteErrors(Utf8JsonWriter w, int code, string title, string details)
    {
        w.WriteStartArray("errors");
        w.WriteStartObject();
        w.WriteNumber("code", code);
        w.WriteString("title", title);
        w.WriteString("message", title);
        w.WriteStartObject("error_data");
        w.WriteString("details", details);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }
}
