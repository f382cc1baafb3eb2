using Threadline.Pipeline.Context;

namespace Threadline.Tests.Context;

public sealed class IdleConversationsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Gap = TimeSpan.FromDays(7);

    private static Conversation Quiet(ConversationState state, TimeSpan quietFor, DateTimeOffset? owedSince = null) =>
        Conversation.Open(1, 1, Now - quietFor - TimeSpan.FromHours(1)) with
        {
            State = state, LastMessageAt = Now - quietFor, LastFrom = Party.Agent, ReplyOwedSince = owedSince,
        };

    [Fact]
    public void WaitingOnTheContact_NothingOwed_QuietForTheGap_IsOver_WithItsReason()
    {
        var reason = IdleConversations.Ends(Quiet(ConversationState.WaitingOnThem, Gap), Now, Gap, followUpPending: false);
        Assert.NotNull(reason);
        Assert.Contains("7 days", reason);
        Assert.NotNull(IdleConversations.Ends(Quiet(ConversationState.WaitingOnThem, TimeSpan.FromDays(40)), Now, Gap, followUpPending: false));
    }

    [Fact]
    public void JustShortOfTheGap_IsNotOver() =>
        Assert.Null(IdleConversations.Ends(Quiet(ConversationState.WaitingOnThem, Gap - TimeSpan.FromSeconds(1)), Now, Gap, followUpPending: false));

    [Theory]
    [InlineData(ConversationState.WaitingOnUs)]
    [InlineData(ConversationState.Snoozed)]
    [InlineData(ConversationState.Closed)]
    public void OnlyAConversationWaitingOnTheContact_EndsInSilence(ConversationState state) =>
        Assert.Null(IdleConversations.Ends(Quiet(state, TimeSpan.FromDays(30)), Now, Gap, followUpPending: false));

    [Fact]
    public void AReplyOwed_KeepsItOpen_HoweverLongTheSilence() =>
        Assert.Null(IdleConversations.Ends(Quiet(ConversationState.WaitingOnThem, TimeSpan.FromDays(30), owedSince: Now - TimeSpan.FromDays(31)), Now, Gap, followUpPending: false));

    [Fact]
    public void APlannedFollowUp_KeepsItOpen() =>
        Assert.Null(IdleConversations.Ends(Quiet(ConversationState.WaitingOnThem, TimeSpan.FromDays(30)), Now, Gap, followUpPending: true));

    [Fact]
    public void TheBusinessGap_Decides() =>
        Assert.NotNull(IdleConversations.Ends(Quiet(ConversationState.WaitingOnThem, TimeSpan.FromDays(2)), Now, TimeSpan.FromDays(1), followUpPending: false));
}
