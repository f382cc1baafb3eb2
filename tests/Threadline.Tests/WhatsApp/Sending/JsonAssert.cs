using System.Text;
using System.Text.Json;

namespace Threadline.Tests.WhatsApp.Sending;

/// <summary>
/// Compares JSON by meaning: objects regardless of property order, arrays in order, numbers by value, strings after
/// unescaping. A duplicate property fails, because which copy Graph would read is undefined.
/// </summary>
internal static class JsonAssert
{
    public static void Equivalent(string expected, byte[] actual)
    {
        Assert.True(IsStrictUtf8(actual), "body is not valid UTF-8");
        using JsonDocument e = JsonDocument.Parse(expected);
        using JsonDocument a = JsonDocument.Parse(actual);
        string? difference = Difference(e.RootElement, a.RootElement, "$");
        Assert.True(difference is null, $"{difference}\nexpected: {expected}\nactual:   {Encoding.UTF8.GetString(actual)}");
    }

    private static bool IsStrictUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string? Difference(JsonElement e, JsonElement a, string path)
    {
        if (e.ValueKind != a.ValueKind)
            return $"{path}: expected {e.ValueKind}, got {a.ValueKind}";
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var eProps = e.EnumerateObject().ToList();
                var aProps = a.EnumerateObject().ToList();
                foreach (var group in aProps.GroupBy(p => p.Name).Where(g => g.Count() > 1))
                    return $"{path}: duplicate property \"{group.Key}\"";
                foreach (var missing in eProps.Select(p => p.Name).Except(aProps.Select(p => p.Name)))
                    return $"{path}: missing property \"{missing}\"";
                foreach (var extra in aProps.Select(p => p.Name).Except(eProps.Select(p => p.Name)))
                    return $"{path}: unexpected property \"{extra}\"";
                foreach (var p in eProps)
                {
                    if (Difference(p.Value, a.GetProperty(p.Name), $"{path}.{p.Name}") is { } d)
                        return d;
                }
                return null;
            case JsonValueKind.Array:
                if (e.GetArrayLength() != a.GetArrayLength())
                    return $"{path}: expected {e.GetArrayLength()} items, got {a.GetArrayLength()}";
                for (int i = 0; i < e.GetArrayLength(); i++)
                {
                    if (Difference(e[i], a[i], $"{path}[{i}]") is { } d)
                        return d;
                }
                return null;
            case JsonValueKind.String:
                return e.GetString() == a.GetString() ? null : $"{path}: expected \"{e.GetString()}\", got \"{a.GetString()}\"";
            case JsonValueKind.Number:
                return e.GetDecimal() == a.GetDecimal() ? null : $"{path}: expected {e}, got {a}";
            default:
                return null;
        }
    }
}
