using Dapper;
using FuzzySharp;
using Threadline.Pipeline;
using Threadline.Pipeline.Context;
using Threadline.Pipeline.History;
using Threadline.Pipeline.Identity;
using Threadline.Store;
using Threadline.Store.Conversations;
using Threadline.Store.Identity;

namespace Threadline.Import;

/// <summary>What a chat import did.</summary>
/// <param name="AlreadyImported">Messages an earlier import of this (or an overlapping) file already added.</param>
/// <param name="CapturedLive">Messages at or after the contact's first message captured through the webhook: live capture has them.</param>
/// <param name="Conversations">Conversations the imported messages formed.</param>
public sealed record ChatImportReport(long ContactId, bool ContactCreated, string Me, int Messages, int Added, int AlreadyImported, int CapturedLive,
    int Conversations, int SystemLines, IReadOnlyList<ChatExportProblem> Unreadable, bool DayFirst, bool DateOrderAssumed);

/// <summary>A chat import that cannot start: who the business's side is cannot be told, or the number cannot be read.</summary>
public sealed class ChatImportException(string message) : Exception(message);

/// <summary>
/// <c>threadline import chat</c>: puts a WhatsApp "Export chat" file into a contact's history through the same
/// context fold as live traffic, so reply delays, inquiries and past conversations exist from the first day.
/// Idempotent: every message has a fingerprint-based id, so importing a file twice adds nothing. Imported messages are
/// history, not live traffic: no decisions are taken on them, and messages the webhook already captured are skipped.
/// </summary>
public sealed class ChatImport(Database db, ContactQueries contacts, ContactCommands commands, ConversationStore store, ConversationWriter writer,
    ConversationPipeline pipeline, TimeProvider clock)
{
    public async Task<ChatImportReport> RunAsync(ChatExport export, string fileName, string fileSha256, string contactPhone, string? me, string? defaultRegion, CancellationToken ct)
    {
        var phone = PhoneNumberNormaliser.Normalise(contactPhone, defaultRegion);
        if (phone.E164 is not { } e164) throw new ChatImportException($"--contact '{contactPhone}' is not a phone number: {phone.Reason}");
        var existing = await contacts.ByIdentityAsync(ContactIdentity.PhoneKind, PhoneNumberNormaliser.CanonicalKey(e164), ct);
        string ours = WhoIsMe(export, me, existing?.Name, e164);
        bool created = false;
        long contactId;
        if (existing is not null) contactId = existing.Id;
        else
        {
            string? name = export.Authors.FirstOrDefault(a => !a.Equals(ours, StringComparison.OrdinalIgnoreCase));
            var write = await commands.CreateContactAsync(new ContactFields(name, null, null, null, null, null, null, null, null), [e164], ct);
            contactId = write.Id ?? throw new ChatImportException(write.Problem ?? "the contact could not be created");
            created = true;
        }

        var messages = export.Messages.Select(m => new ThreadMessage($"import:{contactId}:{m.Fingerprint}", m.At.ToUniversalTime(),
            m.Author.Equals(ours, StringComparison.OrdinalIgnoreCase) ? Party.Agent : Party.Contact, m.Type, m.Text)).ToList();

        await using var c = await db.OpenAsync(ct);
        using var turn = await db.WriteTurnAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var done = await store.ThreadedAsync(c, tx, messages.Select(m => m.Id).ToList(), ct);
        long? liveFrom = await c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            // The contact's first message captured through the webhook (links are indexed by contact; the messages by id).
            "SELECT MIN(m.timestamp) FROM message_links l JOIN messages m ON m.wa_message_id = l.wa_message_id WHERE l.contact_id = @contactId",
            new { contactId }, tx, cancellationToken: ct));
        var fresh = messages.Where(m => !done.Contains(m.Id)).ToList();
        int capturedLive = liveFrom is { } cutoff ? fresh.Count(m => m.At.ToUnixTimeMilliseconds() >= cutoff) : 0;
        fresh = fresh.Where(m => liveFrom is not { } cut || m.At.ToUnixTimeMilliseconds() < cut).OrderBy(m => m.At).ToList();

        var profile = (await store.ProfilesAsync(c, tx, [contactId], ct)).GetValueOrDefault(contactId) ?? ContactProfile.Unknown(contactId);
        var history = (await store.HistoriesAsync(c, tx, [contactId], ct)).GetValueOrDefault(contactId);
        var latest = (await store.LatestAsync(c, tx, [contactId], ct)).GetValueOrDefault(contactId);
        var batch = Fold(fresh, contactId, profile, history, latest);
        if (fresh.Count > 0) await writer.WriteAsync(c, tx, batch, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_imports (contact_id, file_sha256, file_name, messages, skipped, unreadable, imported_at) VALUES (@contactId, @fileSha256, @fileName, @added, @skipped, @unreadable, @now)",
            new { contactId, fileSha256, fileName, added = fresh.Count, skipped = done.Count + capturedLive, unreadable = export.Unreadable.Count, now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
            tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new ChatImportReport(contactId, created, ours, messages.Count, fresh.Count, done.Count, capturedLive,
            batch.Conversations.Count(x => x.Id < 0), export.SystemLines.Count, export.Unreadable, export.DayFirst, export.DateOrderAssumed);
    }

    /// <summary>
    /// Messages newer than everything known continue the contact's history like live traffic. Older ones (a history
    /// imported after live capture started) form closed conversations of their own, and their reply delays and
    /// inquiries are put before the known ones.
    /// </summary>
    private ConversationBatch Fold(IReadOnlyList<ThreadMessage> messages, long contactId, ContactProfile profile, ContactHistory? known, Conversation? latest)
    {
        if (messages.Count == 0) return ConversationBatch.Empty;
        var knownLast = latest?.LastMessageAt;
        bool appending = knownLast is null || messages[0].At >= knownLast;
        var history = appending ? known ?? ContactHistory.Empty(contactId) : ContactHistory.Empty(contactId);
        Conversation? current = appending ? latest : null;
        var conversations = new Dictionary<long, Conversation>();
        var threaded = new List<ThreadedMessage>(messages.Count);
        long nextId = -1;
        foreach (var m in messages)
        {
            var (step, understanding) = pipeline.Apply(history, current, null, m, profile, () => nextId--);
            if (step.Ended is { } ended) conversations[ended.Id] = ended;
            history = step.History;
            current = step.Conversation with { ContactId = contactId };
            conversations[current.Id] = current;
            threaded.Add(new ThreadedMessage(m, contactId, current.Id, understanding, "import"));
        }
        if (!appending)
        {
            foreach (var (id, conv) in conversations.Where(x => x.Key < 0).ToList())
                conversations[id] = conv with { State = ConversationState.Closed, ClosedAt = conv.LastMessageAt, Outcome = Outcomes.Of(conv) };
            var k = known ?? ContactHistory.Empty(contactId);
            history = k with
            {
                Conversations = k.Conversations + conversations.Count,
                LastOutcome = k.LastOutcome ?? Outcomes.Of(current!),
                ReplyDelays = history.ReplyDelays.Concat(k.ReplyDelays).TakeLast(ContactHistory.MaxSamples).ToList(),
                Inquiries = history.Inquiries.Concat(k.Inquiries).TakeLast(ContactHistory.MaxInquiries).ToList(),
                LastInboundAt = Later(k.LastInboundAt, history.LastInboundAt),
                LastOutboundAt = Later(k.LastOutboundAt, history.LastOutboundAt),
                Language = k.Language ?? history.Language,
            };
        }
        return new ConversationBatch(conversations.Values, new Dictionary<long, Pipeline.Routing.RoutingDecision>(), threaded, [], [history], []);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>The author who is the business: --me, else the one of two authors who is not the contact (by name or number).</summary>
    public static string WhoIsMe(ChatExport export, string? me, string? contactName, string e164)
    {
        if (me is not null)
            return export.Authors.FirstOrDefault(a => a.Equals(me.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new ChatImportException($"--me '{me}' is not an author of this file. Authors: {string.Join(", ", export.Authors)}");
        if (export.Authors.Count == 2)
        {
            string digits = new(e164.Where(char.IsDigit).ToArray());
            bool IsContact(string author) =>
                (contactName is not null && Fuzz.TokenSetRatio(author.ToLowerInvariant(), contactName.ToLowerInvariant()) >= 90) ||
                (author.Count(char.IsDigit) >= 6 && digits.EndsWith(new string(author.Where(char.IsDigit).ToArray()).TrimStart('0'), StringComparison.Ordinal));
            var contactSide = export.Authors.Where(IsContact).ToList();
            if (contactSide.Count == 1) return export.Authors.First(a => a != contactSide[0]);
        }
        throw new ChatImportException(export.Authors.Count == 0
            ? "The file has no messages."
            : $"Which author is the business? Give --me \"Name as in the export\". Authors: {string.Join(", ", export.Authors)}");
    }
}
