namespace Threadline.Simulator;

/// <summary>
/// Creates the customer pool. Counts of BSUID and username-only senders are fixed fractions (not dice rolls) so that
/// every run, even a short one with few senders, contains each identity shape.
/// </summary>
internal static class SenderPool
{
    public static List<SimulatedSender> Create(int count, Random rng, long startUnixSeconds)
    {
        int withUserId = Math.Max(1, (int)Math.Round(count * 0.10));
        int usernameOnly = Math.Max(1, withUserId / 2);
        var senders = new List<SimulatedSender>(count);
        for (int i = 0; i < count; i++)
        {
            var country = SampleContent.Pick(rng, SenderCountry.All);
            string name = SampleContent.Pick(rng, SampleContent.NamesByCountry[country.Iso]);
            // Spread BSUID senders over the pool rather than the front, where the skewed sender choice is busiest.
            bool hasUserId = i % Math.Max(1, count / withUserId) == 0 && senders.Count(x => x.UserId is not null) < withUserId;
            bool isUsernameOnly = hasUserId && senders.Count(x => x.IsUsernameOnly) < usernameOnly;
            senders.Add(new SimulatedSender
            {
                Name = name,
                Country = country,
                WaId = isUsernameOnly ? null : country.NewPhone(rng),
                UserId = hasUserId ? country.NewUserId(rng) : null,
                ParentUserId = hasUserId && rng.NextDouble() < 0.3 ? $"{country.Iso}.ENT.{SenderCountry.Digits(rng, 19)}" : null,
                Username = hasUserId && (isUsernameOnly || rng.NextDouble() < 0.3) ? Username(name, rng) : null,
                LastTimestamp = startUnixSeconds - rng.Next(60, 86_400),
            });
        }
        return senders;
    }

    /// <summary>Usernames are ASCII handles derived from the profile name, e.g. <c>@anna.schmidt42</c>.</summary>
    private static string Username(string name, Random rng)
    {
        var handle = new string(name.ToLowerInvariant().Select(c => c == ' ' ? '.' : c).Where(c => c is >= 'a' and <= 'z' or '.').ToArray());
        return "@" + (handle.Trim('.').Length > 0 ? handle.Trim('.') : "user") + rng.Next(10, 100);
    }
}
