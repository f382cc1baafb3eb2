using System.ComponentModel.DataAnnotations;

namespace Threadline.Configuration;

/// <summary>Conversations the contact's silence has ended (section <c>Conversations</c>); the gap itself is <c>Business:ConversationGapDays</c>.</summary>
public sealed class ConversationOptions
{
    public const string Section = "Conversations";

    /// <summary>Whether this instance closes conversations that owe nothing and have been quiet for the gap. Several instances may (each closes a conversation once).</summary>
    /// <value>The default value is true.</value>
    public bool IdleCloseEnabled { get; set; } = true;

    /// <summary>How often quiet conversations are looked for: one is closed at most this long after the gap passed.</summary>
    /// <value>The default value is 300 s.</value>
    [Range(1, 86_400)]
    public int IdleCloseIntervalSeconds { get; set; } = 300;

    /// <summary>Conversations closed per transaction.</summary>
    /// <value>The default value is 500.</value>
    [Range(1, 10_000)]
    public int IdleCloseBatchSize { get; set; } = 500;
}
