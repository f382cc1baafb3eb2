namespace Threadline.Simulator;

/// <summary>
/// Produces an endless, deterministic stream of signed WhatsApp webhook bodies: inbound messages of every type,
/// business-app echoes with their (sometimes out-of-order) statuses, marketing preference changes and byte-identical
/// re-deliveries. Same options + same start time ⇒ same bytes, on every enumeration.
/// </summary>
public sealed class TrafficGenerator
{
    private readonly TrafficOptions _options;
    private readonly DateTimeOffset _start;

    /// <param name="options">Traffic mix and identities.</param>
    /// <param name="timeProvider">Supplies the start time when <see cref="TrafficOptions.Start"/> is null (read once, here).</param>
    public TrafficGenerator(TrafficOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Senders, 1);
        _options = options;
        _start = options.Start ?? (timeProvider ?? TimeProvider.System).GetUtcNow();
    }

    public TrafficOptions Options => _options;

    /// <summary>Simulated time of the first event; timestamps in the bodies start here.</summary>
    public DateTimeOffset Start => _start;

    /// <summary>An endless stream; each enumeration starts over from the seed.</summary>
    public IEnumerable<SimulatedWebhook> Generate()
    {
        var run = new TrafficRun(_options, _start.ToUnixTimeSeconds());
        while (true)
            yield return run.Next();
    }

    /// <summary>The first <paramref name="count"/> webhooks of <see cref="Generate()"/>.</summary>
    public IEnumerable<SimulatedWebhook> Generate(int count) => Generate().Take(count);
}
