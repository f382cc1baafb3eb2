using Threadline.Pipeline.Sending;

namespace Threadline.Tests.Sending;

public sealed class SendGateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static SendCheck Check(SendCause cause = SendCause.AgentReply, bool needsWindow = true, bool fallback = false, bool optedOut = false,
        bool undeliverable = false, DateTimeOffset? windowEnd = null, bool recipient = true) =>
        new(cause, needsWindow, fallback, optedOut, undeliverable, undeliverable ? "131026" : null, windowEnd, recipient, Now);

    [Fact]
    public void InsideTheWindow_FreeTextIsSent() =>
        Assert.Equal(SendVerdict.Send, SendGate.Check(Check(windowEnd: Now.AddHours(3))).Verdict);

    [Fact]
    public void AtTheMomentTheWindowCloses_FreeTextIsNoLongerSent() =>
        Assert.Equal(SendVerdict.FlagForHuman, SendGate.Check(Check(windowEnd: Now)).Verdict);

    [Fact]
    public void AfterTheWindow_TheTemplateIsSentInstead_WhenThereIsOne()
    {
        var result = SendGate.Check(Check(windowEnd: Now.AddMinutes(-1), fallback: true));
        Assert.Equal(SendVerdict.SendTemplateInstead, result.Verdict);
        Assert.Contains("closed at 2026-11-21 09:59 UTC", result.Reason);
    }

    [Fact]
    public void AContactWhoNeverWrote_GetsOnlyTemplates()
    {
        Assert.Equal(SendVerdict.FlagForHuman, SendGate.Check(Check(windowEnd: null)).Verdict);
        Assert.Contains("never written", SendGate.Check(Check(windowEnd: null)).Reason);
        Assert.Equal(SendVerdict.Send, SendGate.Check(Check(windowEnd: null, needsWindow: false)).Verdict);
    }

    [Theory]
    [InlineData(SendCause.FollowUp, SendVerdict.Cancel)]
    [InlineData(SendCause.AutomaticAnswer, SendVerdict.Cancel)]
    [InlineData(SendCause.AgentReply, SendVerdict.Send)] // a person may still answer someone who said STOP
    public void OptOut_StopsAutomationAndFollowUps_NotPeople(SendCause cause, SendVerdict expected) =>
        Assert.Equal(expected, SendGate.Check(Check(cause, optedOut: true, windowEnd: Now.AddHours(1))).Verdict);

    [Theory]
    [InlineData(SendCause.FollowUp)]
    [InlineData(SendCause.AgentReply)]
    public void AnUndeliverableNumber_GetsNothing_FromAnyone(SendCause cause) =>
        Assert.Equal(SendVerdict.Fail, SendGate.Check(Check(cause, undeliverable: true, windowEnd: Now.AddHours(1), needsWindow: false)).Verdict);

    [Fact]
    public void NoNumber_Fails() =>
        Assert.Equal(SendVerdict.Fail, SendGate.Check(Check(recipient: false, windowEnd: Now.AddHours(1))).Verdict);

    [Fact]
    public void EveryVerdictHasAReason()
    {
        foreach (var cause in Enum.GetValues<SendCause>())
        foreach (bool w in new[] { true, false })
        foreach (bool f in new[] { true, false })
        foreach (bool o in new[] { true, false })
        foreach (bool u in new[] { true, false })
        foreach (var end in new DateTimeOffset?[] { null, Now.AddHours(-1), Now.AddHours(1) })
        {
            var result = SendGate.Check(Check(cause, w, f, o, u, end));
            Assert.False(string.IsNullOrWhiteSpace(result.Reason));
            // Free text is never sent outside the window.
            if (result.Verdict == SendVerdict.Send && w) Assert.True(end > Now);
            // Automation never reaches an opted-out contact.
            if (o && cause != SendCause.AgentReply) Assert.NotEqual(SendVerdict.Send, result.Verdict);
        }
    }
}
