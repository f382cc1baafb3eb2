namespace Threadline.Simulator;

/// <summary>
/// One simulated customer and what the generator remembers about them, so later messages can quote, react to, edit
/// or revoke earlier ones the way real chats do. Mutable: a number change rewrites <see cref="WaId"/>/<see cref="UserId"/>.
/// </summary>
internal sealed class SimulatedSender
{
    public required string Name { get; init; }
    public required SenderCountry Country { get; init; }

    /// <summary>Phone identity; null for username-only users (then <c>from</c> and <c>wa_id</c> are absent).</summary>
    public string? WaId { get; set; }

    /// <summary>Business-scoped user id (BSUID), e.g. <c>DE.1234567890123456789</c>; null for most senders.</summary>
    public string? UserId { get; set; }
    public string? ParentUserId { get; init; }
    public string? Username { get; init; }

    /// <summary>Unix seconds of this sender's last message; the next one is strictly later.</summary>
    public long LastTimestamp { get; set; }

    /// <summary>Ids of business messages to this sender (echoes, or made-up API sends) that replies and reactions can quote.</summary>
    public List<string> OutboundIds { get; } = [];

    /// <summary>Ids of this sender's own text messages, candidates for edit and revoke.</summary>
    public List<string> OwnTextIds { get; } = [];

    public bool MarketingStopped { get; set; }

    public bool IsUsernameOnly => WaId is null;

    /// <summary>The digits a wamid encodes for this chat: the phone, or the numeric part of the BSUID.</summary>
    public string ChatDigits => WaId ?? UserId![(UserId!.LastIndexOf('.') + 1)..];

    /// <summary>Keeps only the most recent ids so memory stays flat on endless runs.</summary>
    public static void Remember(List<string> ids, string id)
    {
        ids.Add(id);
        if (ids.Count > 8)
            ids.RemoveAt(0);
    }
}
