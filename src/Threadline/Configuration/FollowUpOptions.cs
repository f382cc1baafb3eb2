using System.ComponentModel.DataAnnotations;

namespace Threadline.Configuration;

/// <summary>How the follow-up scheduler runs (section <c>FollowUps</c>). The policy itself (delays, attempts, daytime, templates) is data: <c>PUT /api/v1/follow-up-policy</c>.</summary>
public sealed class FollowUpOptions
{
    public const string Section = "FollowUps";

    /// <summary>Whether this instance fires due follow-ups. Several instances on PostgreSQL share them (each fires once).</summary>
    /// <value>The default value is true.</value>
    public bool SchedulerEnabled { get; set; } = true;

    /// <summary>How often due follow-ups are looked for: a follow-up fires at most this long after its due time (plus a pass).</summary>
    /// <value>The default value is 250 ms.</value>
    [Range(10, 60_000)]
    public int PollIntervalMs { get; set; } = 250;

    /// <summary>Due follow-ups taken per transaction.</summary>
    /// <value>The default value is 500.</value>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}
