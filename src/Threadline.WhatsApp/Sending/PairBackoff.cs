namespace Threadline.WhatsApp.Sending;

/// <summary>
/// How long to hold messages to one customer after 131056 (pair rate limit, about one message per 6 s with bursts
/// borrowed from future quota). Quadrupling from 1 s lets a short burst drain quickly while a customer who is being
/// flooded is left alone for longer; the cap keeps a conversation from stalling for more than a quarter of an hour.
/// </summary>
public static class PairBackoff
{
    /// <summary>The longest wait. The default value is 15 minutes.</summary>
    public static TimeSpan Max { get; } = TimeSpan.FromMinutes(15);

    /// <summary>The wait after the <paramref name="consecutive"/>-th 131056 in a row for the same customer (1 → 1 s,
    /// 2 → 4 s, 3 → 16 s, 4 → 64 s, …, at most <see cref="Max"/>).</summary>
    public static TimeSpan Delay(int consecutive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(consecutive, 1);
        double seconds = 1;
        for (int i = 1; i < consecutive && seconds < Max.TotalSeconds; i++)
            seconds *= 4;
        return seconds >= Max.TotalSeconds ? Max : TimeSpan.FromSeconds(seconds);
    }
}
