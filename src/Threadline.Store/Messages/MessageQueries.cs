using Dapper;

namespace Threadline.Store.Messages;

/// <summary>A stored message as the read API shows it. Times are unix milliseconds.</summary>
public sealed class StoredMessage
{
    public long Id { get; init; }
    public string WaMessageId { get; init; } = "";
    public string Direction { get; init; } = "";
    public string SentBy { get; init; } = "";
    public string? WaId { get; init; }
    public string? UserId { get; init; }
    public string Type { get; init; } = "";
    public string? Text { get; init; }
    public string? OriginalText { get; init; }
    public long Timestamp { get; init; }
    public string Status { get; init; } = "";
    public long? StatusAt { get; init; }
    public string? ReplyToMessageId { get; init; }
    public string? RefMessageId { get; init; }
    public bool Forwarded { get; init; }
    public long? EditedAt { get; init; }
    public long? RevokedAt { get; init; }
    public int? ErrorCode { get; init; }
    public string RawJson { get; init; } = "";
}

/// <summary>Reads for the messages API.</summary>
public sealed class MessageQueries(Database db)
{
    /// <summary>
    /// The messages exchanged with one WhatsApp user, oldest first (WhatsApp's timestamp, then arrival). <paramref name="waId"/>
    /// is digits with country code; <paramref name="userId"/> a business-scoped user id. Messages that carried only the user id
    /// of a user whose wa_id is known are included too.
    /// </summary>
    public async Task<IReadOnlyList<StoredMessage>> ForSenderAsync(string? waId, string? userId, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        const string columns = "id AS Id, wa_message_id AS WaMessageId, direction AS Direction, sent_by AS SentBy, wa_id AS WaId, user_id AS UserId, " +
            "type AS Type, text AS Text, original_text AS OriginalText, timestamp AS Timestamp, status AS Status, status_at AS StatusAt, " +
            "reply_to_message_id AS ReplyToMessageId, ref_message_id AS RefMessageId, forwarded AS Forwarded, edited_at AS EditedAt, " +
            "revoked_at AS RevokedAt, error_code AS ErrorCode, raw_json AS RawJson";
        string sql = $"""
            SELECT {columns} FROM messages WHERE id IN (
              SELECT id FROM messages WHERE wa_id = @waId
              UNION SELECT id FROM messages WHERE user_id = @userId
              UNION SELECT m.id FROM messages m JOIN wa_users u ON u.user_id = m.user_id WHERE u.wa_id = @waId
              UNION SELECT m.id FROM messages m JOIN wa_users u ON u.wa_id = m.wa_id WHERE u.user_id = @userId)
            ORDER BY timestamp, id LIMIT @limit
            """;
        return (await connection.QueryAsync<StoredMessage>(new CommandDefinition(sql, new { waId, userId, limit }, cancellationToken: ct))).AsList();
    }

    /// <summary>The most recently active senders with how many of their messages are stored, for the demo's live view.</summary>
    public async Task<IReadOnlyList<SenderActivity>> RecentSendersAsync(int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        const string sql = """
            SELECT s.sender AS Sender, s.stored AS Stored, s.last_id AS LastId, m.type AS LastType, m.text AS LastText, m.timestamp AS LastTimestamp,
                   u.profile_name AS ProfileName
            FROM (SELECT COALESCE(wa_id, user_id) AS sender, COUNT(*) AS stored, MAX(id) AS last_id
                  FROM messages WHERE direction = 'in' GROUP BY COALESCE(wa_id, user_id)) s
            JOIN messages m ON m.id = s.last_id
            LEFT JOIN wa_users u ON u.wa_id = s.sender OR u.user_id = s.sender
            ORDER BY s.last_id DESC LIMIT @limit
            """;
        return (await connection.QueryAsync<SenderActivity>(new CommandDefinition(sql, new { limit }, cancellationToken: ct))).AsList();
    }
}

/// <summary>One sender's activity, for the live view.</summary>
public sealed class SenderActivity
{
    public string Sender { get; init; } = "";
    public string? ProfileName { get; init; }
    public long Stored { get; init; }
    public long LastId { get; init; }
    public string? LastType { get; init; }
    public string? LastText { get; init; }
    public long LastTimestamp { get; init; }
}
