using System.Text;
using System.Text.Json;

namespace Threadline.Store;

/// <summary>
/// Rows as one JSON parameter for PostgreSQL's <c>json_to_recordset</c>: an array of objects keyed by column, which one
/// statement reads as a table (see <see cref="StatementBatch"/>). Values stay data: the JSON writer escapes them and the
/// server parses them as values of the declared types.
/// </summary>
internal static class RowSetJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="keys">Each value's key, in the order <paramref name="values"/> gives them.</param>
    public static string Serialize<T>(string[] keys, IEnumerable<T> rows, Func<T, object?[]> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                object?[] v = values(row);
                if (v.Length != keys.Length) throw new ArgumentException($"{v.Length} values for {keys.Length} columns.", nameof(values));
                json.WriteStartObject();
                for (int i = 0; i < v.Length; i++)
                {
                    json.WritePropertyName(keys[i]);
                    switch (v[i])
                    {
                        case null: json.WriteNullValue(); break;
                        case string s: json.WriteStringValue(s); break;
                        case bool b: json.WriteBooleanValue(b); break;
                        case long l: json.WriteNumberValue(l); break;
                        case int n: json.WriteNumberValue(n); break;
                        case short n: json.WriteNumberValue(n); break;
                        case double d: json.WriteNumberValue(d); break;
                        case decimal d: json.WriteNumberValue(d); break;
                        default: throw new ArgumentException($"{keys[i]}: a {v[i]!.GetType().Name} cannot be sent in a row set.", nameof(values));
                    }
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
