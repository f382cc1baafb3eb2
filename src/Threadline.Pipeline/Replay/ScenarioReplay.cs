using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.FollowUp;
using Threadline.Pipeline.Routing;
using Threadline.Pipeline.Routing.Rules;

namespace Threadline.Pipeline.Replay;

/// <summary>
/// Runs a scenario through the same stages as live traffic: every message is read and threaded in order (history,
/// reply delays, conversations), then routing, silence and follow-up timing decide at the scenario's <c>now</c>.
/// </summary>
public static class ScenarioReplay
{
    public static MomentDecision Run(Scenario scenario, RuleSet rules)
    {
        var pipeline = new ConversationPipeline(rules, scenario.Business);
        var history = ContactHistory.Empty(scenario.Contact.Id);
        Conversation? current = null;
        var byMessage = new Dictionary<string, Conversation>();
        var threading = new Threading(true, "no messages");
        long nextId = 1;
        foreach (var m in scenario.Messages.Where(m => m.At <= scenario.Now))
        {
            var quoted = m.QuotedId is { } q && byMessage.TryGetValue(q, out var qc) ? (qc.Id == current?.Id ? current : qc) : null;
            var (step, _) = pipeline.Apply(history, current, quoted, m, scenario.Contact, () => nextId++);
            history = step.History;
            current = step.Conversation;
            threading = step.Threading;
            byMessage[m.Id] = current;
        }
        current ??= Conversation.Open(0, scenario.Contact.Id, scenario.Now) with { State = ConversationState.WaitingOnThem, LastFrom = Party.Agent };
        return pipeline.Decide(history, current, threading, scenario.Contact, scenario.Agents, scenario.Now, scenario.FollowUpsSent);
    }

    /// <summary>The decision as the scenario README defines it, plus the intent, language and context it was made in.</summary>
    public static JsonObject ToJson(MomentDecision d)
    {
        var r = d.Routing;
        return new JsonObject
        {
            ["needsReply"] = r.NeedsReply,
            ["urgency"] = r.Urgency.Name(),
            ["handler"] = r.Handler.Name(),
            ["assignee"] = r.Assignee,
            ["respondBy"] = r.RespondBy is { } by ? Iso(by) : null,
            ["silence"] = d.Silence.Silence.ToString().ToLowerInvariant(),
            ["followUp"] = d.FollowUp is { } f ? new JsonObject { ["at"] = Iso(f.At), ["kind"] = f.Kind.ToString().ToLowerInvariant(), ["attempt"] = f.Attempt } : null,
            ["intent"] = r.Intent,
            ["language"] = r.Language,
            ["reasons"] = new JsonArray(d.Reasons.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
            ["context"] = JsonSerializer.SerializeToNode(d.Context, ContextJson.Options),
        };
    }

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Compares a decision with a scenario's <c>expect</c>: one line per field that differs (none: it passes).</summary>
    public static IReadOnlyList<string> Check(JsonObject actual, JsonObject? expect)
    {
        var failures = new List<string>();
        if (expect is null) return failures;
        foreach (var (key, want) in expect)
        {
            var got = actual[key];
            if (key == "followUp" && want is JsonObject window && got is JsonObject plan && (window["notBefore"] is not null || window["notAfter"] is not null))
            {
                var at = DateTimeOffset.Parse(plan["at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                if (window["notBefore"] is { } nb && at < DateTimeOffset.Parse(nb.GetValue<string>(), CultureInfo.InvariantCulture))
                    failures.Add($"followUp.at {Iso(at)} is before notBefore {nb}");
                if (window["notAfter"] is { } na && at > DateTimeOffset.Parse(na.GetValue<string>(), CultureInfo.InvariantCulture))
                    failures.Add($"followUp.at {Iso(at)} is after notAfter {na}");
                if (window["kind"] is { } kind && kind.GetValue<string>() != plan["kind"]?.GetValue<string>())
                    failures.Add($"followUp.kind: expected {kind}, got {plan["kind"]}");
                continue;
            }
            if (!Same(want, got)) failures.Add($"{key}: expected {want?.ToJsonString() ?? "null"}, got {got?.ToJsonString() ?? "null"}");
        }
        return failures;
    }

    private static bool Same(JsonNode? want, JsonNode? got)
    {
        if (want is null || got is null) return want is null && got is null;
        if (want is JsonObject wo)
            return got is JsonObject go && wo.All(kv => Same(kv.Value, go[kv.Key]));
        if (want is JsonValue wv && wv.TryGetValue<string>(out var ws) && got is JsonValue gv && gv.TryGetValue<string>(out var gs))
        {
            // Instants compare as instants: "…T13:45:00Z" equals "…T13:45Z" and "…T14:45:00+01:00".
            if (DateTimeOffset.TryParse(ws, CultureInfo.InvariantCulture, DateTimeStyles.None, out var wt) && ws.Contains('T') &&
                DateTimeOffset.TryParse(gs, CultureInfo.InvariantCulture, DateTimeStyles.None, out var gt))
                return wt == gt;
            return ws == gs;
        }
        return JsonNode.DeepEquals(want, got);
    }
}
