using FuzzySharp;

namespace Threadline.Pipeline.Identity;

/// <summary>A contact as duplicate detection sees it.</summary>
public sealed record DuplicateCandidateInput(long Id, string? Name, string? Email, long? CompanyId, IReadOnlyList<string> Phones);

/// <summary>Two contacts that may be one person, with a score (0–100) and every reason found. For a human to decide.</summary>
public sealed record DuplicatePair(long ContactId, long OtherContactId, int Score, IReadOnlyList<string> Reasons);

/// <summary>
/// Finds contacts that may be the same person without comparing every pair: contacts are grouped by blocking keys (same
/// email, same company, same number ending) and only compared within a group; names are compared with FuzzySharp's
/// token-sort ratio (word order and case do not matter). Pure: the caller loads the contacts.
/// </summary>
public static class DuplicateFinder
{
    /// <summary>Name similarity (0–100) from which two names count as similar.</summary>
    public const int SimilarName = 85;

    /// <summary>Largest group compared pair by pair; a bigger group (a huge company) is split by the first letters of the name.</summary>
    public const int MaxBlock = 200;

    public static IReadOnlyList<DuplicatePair> Find(IReadOnlyList<DuplicateCandidateInput> contacts, IEnumerable<(long A, long B, string Reason)> knownConflicts)
    {
        var pairs = new Dictionary<(long, long), (int Score, SortedSet<string> Reasons)>();
        void Add(long a, long b, int score, string reason)
        {
            if (a == b) return;
            var key = a < b ? (a, b) : (b, a);
            if (!pairs.TryGetValue(key, out var entry)) pairs[key] = entry = (0, new SortedSet<string>(StringComparer.Ordinal));
            entry.Reasons.Add(reason);
            pairs[key] = (Math.Max(entry.Score, score), entry.Reasons);
        }

        foreach (var (a, b, reason) in knownConflicts) Add(a, b, 95, reason);

        foreach (var block in Blocks(contacts, c => string.IsNullOrWhiteSpace(c.Email) ? null : c.Email.Trim().ToLowerInvariant()))
            foreach (var (x, y) in Pairs(block))
                Add(x.Id, y.Id, 90, "same email");

        foreach (var block in Blocks(contacts, c => c.CompanyId?.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            foreach (var (x, y) in Pairs(block))
                if (NameScore(x, y) is var s and >= SimilarName) Add(x.Id, y.Id, s, $"similar name at the same company ({s})");

        foreach (var block in Blocks(contacts, c => null, c => c.Phones.Select(Suffix).OfType<string>()))
            foreach (var (x, y) in Pairs(block))
                if (NameScore(x, y) is var s and >= SimilarName - 5) Add(x.Id, y.Id, Math.Min(s, 89), $"similar name and the same number ending ({s})");

        return pairs.Select(p => new DuplicatePair(p.Key.Item1, p.Key.Item2, p.Value.Score, p.Value.Reasons.ToList()))
            .OrderByDescending(p => p.Score).ThenBy(p => p.ContactId).ThenBy(p => p.OtherContactId).ToList();
    }

    /// <summary>Last 7 digits: the part of a number people rarely get wrong across formats and country prefixes.</summary>
    public static string? Suffix(string e164) => e164.Length >= 9 ? e164[^7..] : null;

    private static int NameScore(DuplicateCandidateInput x, DuplicateCandidateInput y) =>
        string.IsNullOrWhiteSpace(x.Name) || string.IsNullOrWhiteSpace(y.Name) ? 0 : Fuzz.TokenSortRatio(x.Name.ToLowerInvariant(), y.Name.ToLowerInvariant());

    private static IEnumerable<List<DuplicateCandidateInput>> Blocks(IReadOnlyList<DuplicateCandidateInput> contacts,
        Func<DuplicateCandidateInput, string?> key, Func<DuplicateCandidateInput, IEnumerable<string>>? keys = null)
    {
        var groups = new Dictionary<string, List<DuplicateCandidateInput>>(StringComparer.Ordinal);
        foreach (var c in contacts)
            foreach (var k in keys?.Invoke(c) ?? (key(c) is { } single ? [single] : []))
                (groups.TryGetValue(k, out var list) ? list : groups[k] = []).Add(c);
        foreach (var group in groups.Values.Where(g => g.Count > 1))
        {
            if (group.Count <= MaxBlock) { yield return group; continue; }
            // A very large group: compare only names that start alike (sorted neighbourhood), never all pairs.
            foreach (var sub in group.GroupBy(c => (c.Name ?? "").Trim().ToLowerInvariant() is { Length: > 0 } n ? n[..Math.Min(2, n.Length)] : ""))
                if (sub.Count() > 1) yield return sub.Take(MaxBlock).ToList();
        }
    }

    private static IEnumerable<(DuplicateCandidateInput, DuplicateCandidateInput)> Pairs(List<DuplicateCandidateInput> block)
    {
        for (int i = 0; i < block.Count; i++)
            for (int j = i + 1; j < block.Count; j++)
                yield return (block[i], block[j]);
    }
}
