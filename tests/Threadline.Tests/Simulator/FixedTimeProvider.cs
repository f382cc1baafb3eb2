namespace Threadline.Tests.Simulator;

/// <summary>A clock frozen at one instant, for deterministic start times.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
