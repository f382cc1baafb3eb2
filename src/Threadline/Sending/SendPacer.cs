using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.WhatsApp.Sending;

namespace Threadline.Sending;

/// <summary>
/// Keeps sends inside WhatsApp's limits: the business number's rate (a token bucket, refilled ten times a second so a
/// second's quota is not spent in one burst) and the per-recipient pair limit (a small burst, then one message per
/// interval; after a 131056 answer that recipient backs off 1, 4, 16, 64 s … while everyone else keeps getting messages).
/// </summary>
public sealed class SendPacer : IDisposable
{
    private readonly TokenBucketRateLimiter _number;
    private readonly TimeProvider _clock;
    private readonly OutboxOptions _options;
    private readonly ConcurrentDictionary<string, Pair> _pairs = new(StringComparer.Ordinal);

    private sealed class Pair
    {
        public double Tokens;
        public DateTimeOffset Refilled;
        public DateTimeOffset BlockedUntil;
        public int Backoffs;
    }

    public SendPacer(IOptions<OutboxOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        int perTick = Math.Max(1, _options.RatePerSecond / 10);
        _number = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perTick,
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = TimeSpan.FromSeconds(perTick / (double)_options.RatePerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Waits for the number's rate to allow one more call.</summary>
    public async ValueTask WaitForNumberAsync(CancellationToken ct)
    {
        using var lease = await _number.AcquireAsync(1, ct);
    }

    /// <summary>Null when this recipient may get a message now; else the time to queue the message for.</summary>
    public DateTimeOffset? NextAllowed(string recipient)
    {
        var now = _clock.GetUtcNow();
        var pair = _pairs.GetOrAdd(recipient, _ => new Pair { Tokens = _options.PairBurst, Refilled = now });
        lock (pair)
        {
            Refill(pair, now);
            if (pair.BlockedUntil > now) return pair.BlockedUntil;
            if (pair.Tokens >= 1) return null;
            double missing = 1 - pair.Tokens;
            return now + TimeSpan.FromSeconds(missing * _options.PairIntervalSeconds);
        }
    }

    /// <summary>Counts a message to this recipient against its pair budget.</summary>
    public void Spend(string recipient)
    {
        var now = _clock.GetUtcNow();
        var pair = _pairs.GetOrAdd(recipient, _ => new Pair { Tokens = _options.PairBurst, Refilled = now });
        lock (pair)
        {
            Refill(pair, now);
            pair.Tokens = Math.Max(-_options.PairBurst, pair.Tokens - 1);
            pair.Backoffs = pair.BlockedUntil > now ? pair.Backoffs : 0;
        }
    }

    /// <summary>WhatsApp answered 131056 for this recipient: back off it, longer each time in a row.</summary>
    public DateTimeOffset BackOff(string recipient)
    {
        var now = _clock.GetUtcNow();
        var pair = _pairs.GetOrAdd(recipient, _ => new Pair { Tokens = 0, Refilled = now });
        lock (pair)
        {
            pair.Tokens = 0;
            pair.Refilled = now;
            pair.BlockedUntil = now + PairBackoff.Delay(++pair.Backoffs);
            return pair.BlockedUntil;
        }
    }

    private void Refill(Pair pair, DateTimeOffset now)
    {
        if (_options.PairIntervalSeconds <= 0) { pair.Tokens = _options.PairBurst; return; }
        double earned = (now - pair.Refilled).TotalSeconds / _options.PairIntervalSeconds;
        if (earned > 0)
        {
            pair.Tokens = Math.Min(_options.PairBurst, pair.Tokens + earned);
            pair.Refilled = now;
        }
    }

    public void Dispose() => _number.Dispose();
}
