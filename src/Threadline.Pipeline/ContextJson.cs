using System.Text.Json;

namespace Threadline.Pipeline;

/// <summary>JSON settings for what the stages decide (context objects, reasons, inputs): camelCase, enums as camelCase strings.</summary>
public static class ContextJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
