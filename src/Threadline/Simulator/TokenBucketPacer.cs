namespace Threadline.Simulator;

/// <summary>
/// Token bucket for one consumer loop. Timers fire at best every ~1 ms (15 ms on Windows), so at thousands per second
/// tokens accumulate between wake-ups and are spent in small bursts; the burst cap (50 ms of tokens) keeps the average
/// exact without letting a stall turn into a flood.
/// </summary>
internal sealed class TokenBucketPacer
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);
    private readonly double _ratePerSecond;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private double _tokens = 1;
    private long _lastRefill;

    public TokenBucketPacer(double ratePerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        _ratePerSecond = ratePerSecond;
        _capacity = Math.Max(1, ratePerSecond * 0.05);
        _time = time;
        _lastRefill = time.GetTimestamp();
    }

    /// <summary>Completes when one token is available, and takes it.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + _time.GetElapsedTime(_lastRefill, now).TotalSeconds * _ratePerSecond);
            _lastRefill = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return;
            }
            var wait = TimeSpan.FromSeconds((1 - _tokens) / _ratePerSecond);
            await Task.Delay(wait < MinimumWait ? MinimumWait : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
