using Threadline.Pipeline.Capture;

namespace Threadline.Tests.Pipeline.Capture;

public class CaptureStageTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);

    private static WaMessage Message(string id, string waId, int secondsAfter, string text = "hi") => new()
    {
        WaMessageId = id, Direction = MessageDirection.Inbound, SentBy = SentBy.Contact, WaId = waId,
        Timestamp = T0.AddSeconds(secondsAfter), Type = "text", Text = text, RawJson = "{}",
    };

    private static StatusUpdate Status(string id, string status, int secondsAfter) => new()
    {
        WaMessageId = id, Status = status, Timestamp = T0.AddSeconds(secondsAfter), RawJson = "{}",
    };

    private static WebhookBatch Batch(params WaMessage[] messages) => WebhookBatch.Empty with { Messages = messages };

    [Fact]
    public void Decide_OrdersEachContactsMessagesByTimestamp()
    {
        var decision = CaptureStage.Decide([
            Batch(Message("c", "491", 30), Message("x", "442", 5)),
            Batch(Message("a", "491", 10), Message("b", "491", 20)),
        ]);
        Assert.Equal(["a", "b", "c"], decision.Messages.Where(m => m.WaId == "491").Select(m => m.WaMessageId));
        Assert.Equal(4, decision.Messages.Count);
    }

    [Fact]
    public void Decide_SameMessageIdInSeveralBodies_KeepsOne()
    {
        var decision = CaptureStage.Decide([Batch(Message("a", "491", 1)), Batch(Message("a", "491", 1)), Batch(Message("a", "491", 1))]);
        Assert.Single(decision.Messages);
    }

    [Fact]
    public void Decide_StatusesDeduplicatedByIdAndStatus_AndOrderedByTime()
    {
        var batch = WebhookBatch.Empty with
        {
            Statuses = [Status("m", "read", 9), Status("m", "delivered", 5), Status("m", "read", 9), Status("n", "sent", 1)],
        };
        var decision = CaptureStage.Decide([batch]);
        Assert.Equal([("n", "sent"), ("m", "delivered"), ("m", "read")], decision.Statuses.Select(s => (s.WaMessageId, s.Status)));
    }

    [Fact]
    public void Decide_UserMentionedTwice_MergesWhatEachMentionKnew()
    {
        var batch = WebhookBatch.Empty with
        {
            Users = [new WhatsAppUser("491", "DE.1", null, null, "Ana"), new WhatsAppUser(null, "DE.1", "DE.ENT.9", "@ana", null)],
        };
        var user = Assert.Single(CaptureStage.Decide([batch]).Users);
        Assert.Equal(new WhatsAppUser("491", "DE.1", "DE.ENT.9", "@ana", "Ana"), user);
    }

    [Fact]
    public void Decide_KeepsEveryEventAndPreference()
    {
        var batch = WebhookBatch.Empty with
        {
            Events = [new BusinessEvent("account_update", "account_deleted", "1", null, "{}"), new BusinessEvent("x", "x", null, null, "{}")],
            Preferences = [new PreferenceUpdate("491", null, "marketing_messages", "stop", T0, null, "{}")],
        };
        var decision = CaptureStage.Decide([batch]);
        Assert.Equal(2, decision.Events.Count);
        Assert.Single(decision.Preferences);
    }
}
