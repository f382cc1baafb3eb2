using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using Threadline.Pipeline.Business;
using Threadline.Pipeline.Context;

namespace Threadline.Pipeline.Replay;

/// <summary>
/// A decision scenario (<c>../shared/scenarios/README.md</c>): one moment of one conversation. Absent fields take the
/// product's defaults: business in UTC answering in English Mon–Fri 09:00–18:00, no automatic answers, SLA 15 min /
/// 1 h / 4 h, a 7-day conversation gap.
/// </summary>
public sealed record Scenario(
    string Name,
    DateTimeOffset Now,
    BusinessProfile Business,
    IReadOnlyList<Agent> Agents,
    ContactProfile Contact,
    IReadOnlyList<ThreadMessage> Messages,
    int FollowUpsSent,
    JsonObject? Expect)
{
    /// <summary>Reads a scenario; a <see cref="ScenarioException"/> says what is wrong and where.</summary>
    public static Scenario Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ScenarioException($"not valid JSON at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}: {ex.Message}");
        }
        if (root is not JsonObject o) throw new ScenarioException("a scenario must be a JSON object");

        var now = Time(o, "now") ?? throw new ScenarioException("'now' is required (an ISO 8601 instant, e.g. 2026-03-12T10:00:00Z)");
        var b = o["business"] as JsonObject ?? [];
        string zone = Str(b, "timezone") ?? "UTC";
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(zone) is null) throw new ScenarioException($"business.timezone '{zone}' is not an IANA time zone");
        var hours = ParseHours(b["hours"] as JsonObject, zone, "business.hours");
        var slaNode = b["sla"] as JsonObject;
        var sla = slaNode is null ? SlaPolicy.Default : new SlaPolicy(
            Minutes(slaNode, "high") ?? SlaPolicy.Default.High, Minutes(slaNode, "normal") ?? SlaPolicy.Default.Normal, Minutes(slaNode, "low") ?? SlaPolicy.Default.Low);
        var business = new BusinessProfile(
            zone,
            Str(b, "defaultRegion") ?? "US",
            Strings(b, "languages") is { Count: > 0 } languages ? languages : ["en"],
            hours,
            Dec(b, "highValueThreshold"),
            Strings(b, "automationIntents"),
            sla,
            b["conversationGapDays"] is { } gap ? TimeSpan.FromDays(gap.GetValue<double>()) : BusinessProfile.DefaultConversationGap);

        var agents = new List<Agent>();
        foreach (var a in (o["agents"] as JsonArray ?? []).OfType<JsonObject>())
        {
            string id = Str(a, "id") ?? throw new ScenarioException("every agent needs an 'id'");
            agents.Add(new Agent(id, Strings(a, "languages"), !(Bool(a, "available") ?? true),
                a["hours"] is JsonObject agentHours ? ParseHours(agentHours, Str(a, "timezone") ?? zone, $"agents[{id}].hours") : null,
                (int)(Dec(a, "openConversations") ?? 0)));
        }

        var c = o["contact"] as JsonObject ?? [];
        string? waId = Str(c, "waId");
        DealInfo? deal = c["deal"] is JsonObject d
            ? new DealInfo(Str(d, "stage") ?? "open", Dec(d, "value"), Str(d, "currency"), Str(d, "owner"))
            : null;
        var contact = new ContactProfile(1, Str(c, "name"), waId is null ? null : "+" + waId.TrimStart('+'), Str(c, "owner"),
            Bool(c, "vip") ?? false, Bool(c, "optedOut") ?? false, Str(c, "timezone"), Str(c, "language"), deal);

        var messages = new List<ThreadMessage>();
        int n = 0;
        foreach (var m in (o["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            n++;
            var at = Time(m, "at") ?? throw new ScenarioException($"messages[{n - 1}] needs 'at'");
            var from = Str(m, "from") switch
            {
                "contact" or null => Party.Contact,
                "agent" => Party.Agent,
                "automation" => Party.Automation,
                var other => throw new ScenarioException($"messages[{n - 1}].from is '{other}': use contact, agent or automation"),
            };
            messages.Add(new ThreadMessage($"scenario-{n}", at, from, Str(m, "type") ?? "text", Str(m, "text") ?? Str(m, "caption"),
                Str(m, "agent"), Str(m, "replyTo"), Bool(m, "fromAd") ?? false));
        }
        return new Scenario(Str(o, "name") ?? "scenario", now, business, agents, contact,
            messages.OrderBy(m => m.At).ToList(), (int)(Dec(o, "followUpsSent") ?? 0), o["expect"] as JsonObject);
    }

    private static WorkingHours ParseHours(JsonObject? h, string zone, string where)
    {
        var days = h is null ? ["Mon-Fri"] : Strings(h, "days");
        var closed = h?["closed"] is JsonArray dates
            ? dates.Select(x => LocalDate.FromDateTime(DateTime.ParseExact(x!.GetValue<string>(), "yyyy-MM-dd", CultureInfo.InvariantCulture))).ToList()
            : [];
        try
        {
            return WorkingHoursText.Parse(string.Join(",", days), h is null ? null : Str(h, "open"), h is null ? null : Str(h, "close"), zone, closed)
                ?? throw new ScenarioException($"{where}.days: at least one weekday (Mon … Sun)");
        }
        catch (FormatException ex)
        {
            throw new ScenarioException($"{where}: {ex.Message}");
        }
    }

    private static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    private static bool? Bool(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
    private static decimal? Dec(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<decimal>(out var d) ? d : null;
    private static TimeSpan? Minutes(JsonObject o, string key) => Dec(o, key) is { } m ? TimeSpan.FromMinutes((double)m) : null;

    private static IReadOnlyList<string> Strings(JsonObject o, string key) =>
        o[key] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").Where(x => x.Length > 0).ToList() : [];

    private static DateTimeOffset? Time(JsonObject o, string key)
    {
        if (Str(o, key) is not { } text) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUniversalTime()
            : throw new ScenarioException($"'{key}' is '{text}', not an ISO 8601 instant");
    }
}

/// <summary>A scenario file that cannot be run, with what is wrong.</summary>
public sealed class ScenarioException(string message) : Exception(message);
