using System.Text.Json;
using Threadline.Simulator;

namespace Threadline.Tests.Simulator;

/// <summary>One generated run with each body parsed once, shared by the generator tests (parsing 2,000 bodies per test is wasteful).</summary>
public sealed class GeneratedTraffic : IDisposable
{
    public static readonly TrafficOptions Options = new() { Seed = 42, Start = new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero), AppSecret = "test-secret" };

    public GeneratedTraffic()
    {
        Webhooks = new TrafficGenerator(Options).Generate(2000).ToList();
        Documents = Webhooks.Select(w => JsonDocument.Parse(w.Body)).ToList();
    }

    public IReadOnlyList<SimulatedWebhook> Webhooks { get; }
    public IReadOnlyList<JsonDocument> Documents { get; }

    public static JsonElement Value(JsonDocument doc) => doc.RootElement.GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("value");

    public static string Field(JsonDocument doc) => doc.RootElement.GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("field").GetString()!;

    /// <summary>(index, message) for every inbound message in first deliveries, in arrival order.</summary>
    public IEnumerable<(int Index, JsonElement Message)> InboundMessages() =>
        Enumerable.Range(0, Webhooks.Count)
            .Where(i => !Webhooks[i].IsDuplicateDelivery && Value(Documents[i]).TryGetProperty("messages", out _))
            .SelectMany(i => Value(Documents[i]).GetProperty("messages").EnumerateArray().Select(m => (i, m)));

    public IEnumerable<(int Index, JsonElement Status)> Statuses() =>
        Enumerable.Range(0, Webhooks.Count)
            .Where(i => !Webhooks[i].IsDuplicateDelivery && Value(Documents[i]).TryGetProperty("statuses", out _))
            .SelectMany(i => Value(Documents[i]).GetProperty("statuses").EnumerateArray().Select(s => (i, s)));

    public void Dispose()
    {
        foreach (var doc in Documents)
            doc.Dispose();
    }
}
