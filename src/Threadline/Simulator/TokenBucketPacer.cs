namespace Threadline.Simulator;

/// <summary>
/// Token bucket for one consumer loop. Timers fire at best every ~1 ms (often 4 ms; 15 ms on Windows), so at thousands
/// per second tokens accumulate between wake-ups and are spent in small bursts. The bucket holds one second of tokens:
/// on a loaded machine the process stalls for hundreds of milliseconds now and then (measured: up to 800 ms), and a
/// smaller bucket silently lost that time, sending 10–25% below the requested rate. The catch-up burst after a stall
/// is still bounded by the sender's in-flight limit.
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
        _capacity = Math.Max(1, ratePerSecond);
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
