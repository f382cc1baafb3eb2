using System.Data.Common;
using System.Text.Json;
using Dapper;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.Identity;

namespace Threadline.Store.FollowUps;

/// <summary>
/// How similar contacts reply, for a contact with no reply history of its own: the median reply delay of contacts whose
/// deal is at the same stage, else of contacts from the same country (by phone number). Computed from the 5,000 most
/// recently active contacts with history and kept for ten minutes, so planning never scans the whole contact base.
/// </summary>
public sealed class SimilarContacts(TimeProvider clock)
{
    private (long LoadedAt, Dictionary<string, TimeSpan> Medians)? _cache;

    public async Task<(TimeSpan? Median, string? Basis)> MedianForAsync(DbConnection c, DbTransaction? tx, ContactProfile contact, CancellationToken ct)
    {
        var medians = await MediansAsync(c, tx, ct);
        if (contact.Deal is { } deal && medians.TryGetValue("stage:" + deal.Stage, out var byStage)) return (byStage, $"contacts with a deal at {deal.Stage}");
        if (PhoneNumberNormaliser.RegionOf(contact.Phone) is { } region && medians.TryGetValue("region:" + region, out var byRegion))
            return (byRegion, $"contacts in {region}");
        return (null, null);
    }

    private async Task<Dictionary<string, TimeSpan>> MediansAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        long now = clock.GetTimestamp();
        if (_cache is { } hit && clock.GetElapsedTime(hit.LoadedAt, now) < TimeSpan.FromMinutes(10)) return hit.Medians;
        var rows = await c.QueryAsync<(string Delays, string? Stage, string? Phone)>(new CommandDefinition(
            "SELECT x.reply_delays, (SELECT d.stage FROM deals d WHERE d.contact_id = x.contact_id AND d.status = 'open' ORDER BY d.last_activity_at DESC LIMIT 1), " +
            "(SELECT MIN(i.value) FROM contact_identities i WHERE i.contact_id = x.contact_id AND i.kind = 'phone') " +
            "FROM contact_context x WHERE x.reply_delays <> '[]' ORDER BY x.updated_at DESC LIMIT 5000", transaction: tx, cancellationToken: ct));
        var samples = new Dictionary<string, List<long>>();
        foreach (var (delays, stage, phone) in rows)
        {
            var values = JsonSerializer.Deserialize<List<long>>(delays) ?? [];
            if (values.Count == 0) continue;
            values.Sort();
            long median = values[values.Count / 2];
            if (stage is not null) Add(samples, "stage:" + stage, median);
            if (PhoneNumberNormaliser.RegionOf(phone) is { } region) Add(samples, "region:" + region, median);
        }
        var medians = samples.Where(s => s.Value.Count >= 5).ToDictionary(s => s.Key, s =>
        {
            s.Value.Sort();
            return TimeSpan.FromSeconds(s.Value[s.Value.Count / 2]);
        });
        _cache = (now, medians);
        return medians;
    }

    private static void Add(Dictionary<string, List<long>> samples, string key, long value)
    {
        if (!samples.TryGetValue(key, out var list)) samples[key] = list = [];
        list.Add(value);
    }
}
