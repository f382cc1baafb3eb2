using Threadline.Pipeline.Context;
using static Threadline.Tests.Routing.DecisionFixtures;

namespace Threadline.Tests.Context;

/// <summary>Threading messages into conversations and carrying the contact's history forward.</summary>
public class ContextStageTests
{
    private static readonly Threadline.Pipeline.ConversationPipeline P = Routing.DecisionFixtures.Pipeline();
    private static readonly ContactProfile Jonas = Contact();

    [Fact]
    public void Apply_FirstMessage_OpensFirstConversation()
    {
        var (history, conversation, steps) = Thread(P, Jonas, In("2026-03-10T09:00Z", "Hallo, was kostet die X200?"));
        Assert.True(steps[0].Threading.Opened);
        Assert.Equal(1, history.Conversations);
        Assert.Equal(ConversationState.WaitingOnUs, conversation.State);
        Assert.Equal(Utc("2026-03-10T09:00Z"), conversation.ReplyOwedSince);
        Assert.Equal("de", conversation.Language);
    }

    [Fact]
    public void Apply_MoreThanSevenDaysLater_OpensNewConversation()
    {
        var (history, conversation, steps) = Thread(P, Jonas,
            In("2026-03-02T09:00Z", "Do you stock M8 bolts?"),
            Out("2026-03-02T09:30Z", "Yes, we do."),
            In("2026-03-09T09:31Z", "And M10?"));
        Assert.True(steps[2].Threading.Opened);
        Assert.NotEqual(steps[1].Conversation.Id, conversation.Id);
        Assert.Equal(2, history.Conversations);
        Assert.Equal(Outcomes.Answered, steps[2].Ended!.Outcome);
        Assert.Equal((ConversationState.Closed, Utc("2026-03-09T09:31Z")), (steps[2].Ended!.State, steps[2].Ended!.ClosedAt));
        Assert.Equal(Outcomes.Answered, history.LastOutcome);
    }

    [Fact]
    public void Apply_ReplyQuotingTheLatestConversationAfterTheGap_JoinsIt()
    {
        var (history, first, _) = Thread(P, Jonas,
            In("2026-03-01T10:00Z", "Do you repair pumps too?"),
            Out("2026-03-02T09:00Z", "Yes, we repair all models we sell."));
        var (reply, _) = P.Apply(history, first, first,
            In("2026-03-20T10:00Z", "Sorry for the late answer: can I bring mine on Friday?", quoted: "out-2026-03-02T09:00Z"), Jonas, () => 99);
        Assert.False(reply.Threading.Opened);
        Assert.Null(reply.Ended);
        Assert.Equal(first.Id, reply.Conversation.Id);
        Assert.Equal(1, reply.History.Conversations);
        Assert.Equal(ConversationState.WaitingOnUs, reply.Conversation.State);
    }

    [Fact]
    public void Apply_JustUnderSevenDays_ContinuesConversation()
    {
        var (history, conversation, steps) = Thread(P, Jonas,
            In("2026-03-02T09:00Z", "Do you stock M8 bolts?"),
            Out("2026-03-02T09:30Z", "Yes, we do."),
            In("2026-03-09T09:29Z", "And M10?"));
        Assert.False(steps[2].Threading.Opened);
        Assert.Equal(steps[0].Conversation.Id, conversation.Id);
        Assert.Equal(1, history.Conversations);
        Assert.Null(steps[2].Ended);
        Assert.Equal(3, conversation.MessageCount);
    }

    [Fact]
    public void Apply_GapCountsFromLastMessageNotFromOpening()
    {
        var (_, conversation, steps) = Thread(P, Jonas,
            In("2026-03-01T09:00Z", "Do you stock M8 bolts?"),
            Out("2026-03-06T09:00Z", "Yes, sorry for the delay."),
            In("2026-03-12T09:00Z", "Great, and M10?"));
        Assert.False(steps[2].Threading.Opened);
        Assert.Equal(steps[0].Conversation.Id, conversation.Id);
    }

    [Fact]
    public void Apply_AfterClosedConversation_OpensNewOne()
    {
        var (history, conversation, _) = Thread(P, Jonas, In("2026-03-10T09:00Z", "Danke, passt!"));
        var closed = conversation with { State = ConversationState.Closed, ClosedAt = Utc("2026-03-10T10:00Z"), Outcome = Outcomes.Closed };
        long next = 100;
        var (step, _) = P.Apply(history, closed, null, In("2026-03-10T11:00Z", "Noch eine Frage: liefern Sie auch samstags?"), Jonas, () => next++);
        Assert.True(step.Threading.Opened);
        Assert.Equal(100, step.Conversation.Id);
        Assert.Equal(Outcomes.Closed, step.Ended!.Outcome);
        Assert.Equal(2, step.History.Conversations);
        Assert.Equal(Outcomes.Closed, step.History.LastOutcome);
    }

    [Fact]
    public void Apply_LateMessageWrittenBeforeAClosedConversationsLast_IsCountedThere_WithoutReopeningOrOpening()
    {
        var (history, conversation, _) = Thread(P, Jonas,
            In("2026-03-10T09:00Z", "Was kostet die X200?"),
            Out("2026-03-10T09:30Z", "420 EUR."));
        var closed = conversation with { State = ConversationState.Closed, ClosedAt = Utc("2026-03-10T10:00Z"), Outcome = Outcomes.Answered };
        var (step, _) = P.Apply(history, closed, null, In("2026-03-10T08:59Z", "Hallo!"), Jonas, () => 100);
        Assert.False(step.Threading.Opened);
        Assert.Null(step.Ended);
        Assert.Equal((closed.Id, ConversationState.Closed, 3), (step.Conversation.Id, step.Conversation.State, step.Conversation.MessageCount));
        Assert.Equal(Utc("2026-03-10T09:30Z"), step.Conversation.LastMessageAt);
        Assert.Equal(1, step.History.Conversations);

        // Written after the closed conversation's last message: a new conversation, as before.
        var (later, _) = P.Apply(history, closed, null, In("2026-03-10T09:31Z", "Noch eine Frage"), Jonas, () => 100);
        Assert.True(later.Threading.Opened);
    }

    [Fact]
    public void Apply_ReplyToMessageOfOlderConversation_JoinsIt()
    {
        var (history, first, _) = Thread(P, Jonas,
            In("2026-03-01T10:00Z", "Do you repair pumps too?"),
            Out("2026-03-02T09:00Z", "Yes, we repair all models we sell."));
        long next = 10;
        var (second, _) = P.Apply(history, first, null, In("2026-03-10T09:00Z", "What is the price for the X200?"), Jonas, () => next++);
        Assert.True(second.Threading.Opened);

        var (reply, _) = P.Apply(second.History, second.Conversation, first,
            In("2026-03-10T10:00Z", "Great, can I bring mine on Friday?", quoted: "out-2026-03-02T09:00Z"), Jonas, () => next++);
        Assert.False(reply.Threading.Opened);
        Assert.Equal(first.Id, reply.Conversation.Id);
        Assert.Equal(Utc("2026-03-10T10:00Z"), reply.Conversation.ReplyOwedSince);
        Assert.Equal(ConversationState.WaitingOnUs, reply.Conversation.State);
    }

    [Fact]
    public void Apply_ReplyToClosedConversation_ReopensIt()
    {
        var (history, first, _) = Thread(P, Jonas,
            In("2026-03-01T10:00Z", "Do you repair pumps too?"),
            Out("2026-03-02T09:00Z", "Yes, we repair all models we sell."));
        var closed = first with { State = ConversationState.Closed, ClosedAt = Utc("2026-03-02T10:00Z"), Outcome = Outcomes.Closed };
        var (reply, _) = P.Apply(history, closed, closed, In("2026-03-03T10:00Z", "Can I bring mine on Friday?"), Jonas, () => 99);
        Assert.Equal(first.Id, reply.Conversation.Id);
        Assert.False(reply.Threading.Opened);
        Assert.Equal(ConversationState.WaitingOnUs, reply.Conversation.State);
        Assert.Null(reply.Conversation.ClosedAt);
        Assert.Null(reply.Conversation.Outcome);
    }

    [Fact]
    public void Apply_OutOfOrderInbound_DoesNotOverwriteNewerState()
    {
        var (_, conversation, _) = Thread(P, Jonas,
            In("2026-03-10T09:00Z", "Was kostet die X200?"),
            Out("2026-03-10T09:30Z", "420 EUR pro Stück."),
            In("2026-03-10T09:20Z", "Und die X300?")); // delivered late, written before our answer
        Assert.Equal(Party.Agent, conversation.LastFrom);
        Assert.Equal(Utc("2026-03-10T09:30Z"), conversation.LastMessageAt);
        Assert.Null(conversation.ReplyOwedSince);
        Assert.Equal(3, conversation.MessageCount);
    }

    [Fact]
    public void Apply_OutOfOrderInbound_KeepsWaitingForTheRealReply()
    {
        // Our message at 09:30 is still unanswered after a late delivery of an older message (09:20): the contact's
        // real reply at 10:30 is an hour after ours and is one reply-delay sample.
        var (history, _, _) = Thread(P, Jonas,
            In("2026-03-10T09:00Z", "Was kostet die X200?"),
            Out("2026-03-10T09:30Z", "420 EUR pro Stück."),
            In("2026-03-10T09:20Z", "Und die X300?"),
            In("2026-03-10T10:30Z", "Gut, dann nehmen wir zwei."));
        Assert.Equal(new long[] { 3600 }, history.ReplyDelays);
    }

    [Fact]
    public void Apply_ReplyAfterOurMessage_RecordsDelaySample()
    {
        var (history, _, _) = Thread(P, Jonas,
            Out("2026-03-10T09:00Z", "Möchten Sie ein Angebot?"),
            In("2026-03-10T09:30Z", "Ja bitte"),
            Out("2026-03-10T10:00Z", "Angebot anbei."),
            In("2026-03-10T12:00Z", "Danke"));
        Assert.Equal(new long[] { 1800, 7200 }, history.ReplyDelays);
        Assert.Equal(TimeSpan.FromMinutes(75), history.ReplyPattern.Median);
    }

    [Fact]
    public void Apply_SecondMessageWithoutOurReply_IsNotASample()
    {
        var (history, _, _) = Thread(P, Jonas,
            Out("2026-03-10T09:00Z", "Möchten Sie ein Angebot?"),
            In("2026-03-10T09:30Z", "Ja bitte"),
            In("2026-03-10T09:45Z", "Für 20 Stück"));
        Assert.Equal(new long[] { 1800 }, history.ReplyDelays);
        Assert.Null(history.AwaitingReplySince);
    }

    [Fact]
    public void Apply_FirstContactMessage_IsNotASample()
    {
        var (history, _, _) = Thread(P, Jonas, In("2026-03-10T09:00Z", "Hallo"));
        Assert.Empty(history.ReplyDelays);
    }

    [Fact]
    public void Apply_ReplyAfterMoreThanFourteenDays_IsNotASample()
    {
        var (history, _, _) = Thread(P, Jonas,
            Out("2026-03-01T09:00Z", "Möchten Sie ein Angebot?"),
            In("2026-03-16T09:00Z", "Ja bitte"));
        Assert.Empty(history.ReplyDelays);
    }

    [Fact]
    public void Apply_ManyReplies_KeepsOnlyLatestSamples()
    {
        var messages = new List<ThreadMessage>();
        var t = Utc("2026-01-01T08:00Z");
        for (int i = 0; i < ContactHistory.MaxSamples + 10; i++)
        {
            messages.Add(new ThreadMessage($"o{i}", t, Party.Agent, "text", "Noch Fragen?", "anna"));
            messages.Add(new ThreadMessage($"i{i}", t.AddSeconds(60 + i), Party.Contact, "text", "Ja, eine"));
            t = t.AddHours(2);
        }
        var (history, _, _) = Thread(P, Jonas, [.. messages]);
        Assert.Equal(ContactHistory.MaxSamples, history.ReplyDelays.Count);
        Assert.Equal(60 + 10, history.ReplyDelays[0]);
        Assert.Equal(60 + ContactHistory.MaxSamples + 9, history.ReplyDelays[^1]);
    }

    [Fact]
    public void Apply_QuestionThenThanks_KeepsReplyOwedSinceQuestion()
    {
        var (_, conversation, _) = Thread(P, Jonas,
            In("2026-03-10T09:00Z", "Could you send me a copy of invoice 2231?"),
            In("2026-03-10T09:01Z", "Thanks in advance!"));
        Assert.Equal(Utc("2026-03-10T09:00Z"), conversation.ReplyOwedSince);
        Assert.Equal(new[] { "question", "acknowledgement" }, conversation.PendingIntents);
        Assert.Equal(ConversationState.WaitingOnUs, conversation.State);
    }

    [Fact]
    public void Apply_AcknowledgementThenQuestion_OwedSinceQuestion()
    {
        var (_, conversation, _) = Thread(P, Jonas,
            Out("2026-03-10T08:50Z", "Ihr Paket ist unterwegs."),
            In("2026-03-10T09:00Z", "ok danke"),
            In("2026-03-10T09:10Z", "Wann kommt es an?"));
        Assert.Equal(Utc("2026-03-10T09:10Z"), conversation.ReplyOwedSince);
        Assert.Equal(Utc("2026-03-10T09:00Z"), conversation.PendingSince);
    }

    [Fact]
    public void Apply_OnlyAcknowledgement_OwesNothing()
    {
        var (_, conversation, _) = Thread(P, Jonas,
            Out("2026-03-10T08:50Z", "Ihr Paket ist unterwegs."),
            In("2026-03-10T09:00Z", "👍"));
        Assert.Null(conversation.ReplyOwedSince);
        Assert.Equal(ConversationState.WaitingOnThem, conversation.State);
    }

    [Fact]
    public void Apply_OurReply_ClearsPendingRequests()
    {
        var (history, conversation, _) = Thread(P, Jonas,
            In("2026-03-10T09:00Z", "Das ist dringend, die Pumpe ist kaputt!"),
            Out("2026-03-10T09:05Z", "Wir schicken sofort Ersatz."));
        Assert.Null(conversation.ReplyOwedSince);
        Assert.Empty(conversation.PendingIntents);
        Assert.Empty(conversation.PendingCues);
        Assert.Equal("Wir schicken sofort Ersatz.", conversation.LastOutboundText);
        Assert.Equal(Utc("2026-03-10T09:05Z"), history.AwaitingReplySince);
        Assert.Equal("anna", conversation.Assignee);
    }

    [Fact]
    public void Apply_UrgencyCues_AccumulateUntilWeAnswer()
    {
        var (_, conversation, _) = Thread(P, Jonas,
            In("2026-03-10T09:00Z", "Can you call me asap?"),
            In("2026-03-10T09:02Z", "It is urgent"));
        Assert.Contains("asap", conversation.PendingCues);
        Assert.Contains("urgent", conversation.PendingCues);
    }

    [Fact]
    public void Apply_Inquiries_RecordRequestsNotThanks()
    {
        var (history, _, _) = Thread(P, Jonas,
            In("2026-03-10T09:00Z", "Hallo"),
            In("2026-03-10T09:01Z", "Was kostet die X200?"),
            In("2026-03-10T09:02Z", "Danke"));
        var inquiry = Assert.Single(history.Inquiries);
        Assert.Equal("price_request", inquiry.Intent);
    }

    [Fact]
    public void Apply_OptOut_EndsRequestAndNeedsNoReply()
    {
        var (_, conversation, _) = Thread(P, Jonas,
            Out("2026-03-10T08:50Z", "Neuer Katalog! Interesse?"),
            In("2026-03-10T09:00Z", "abmelden"));
        Assert.Equal("opt_out", conversation.LastIntent);
        Assert.Null(conversation.ReplyOwedSince);
    }

    [Fact]
    public void Apply_LanguageFromWords_IsRemembered()
    {
        var (history, conversation, _) = Thread(P, Contact(phone: "+447700900123"),
            In("2026-03-10T09:00Z", "Guten Tag, ist die Ware schon unterwegs?"),
            In("2026-03-10T09:01Z", "👍"));
        Assert.Equal("de", history.Language);
        Assert.Equal("de", conversation.Language); // the emoji is read in the language they wrote before, not the number's
    }

    [Fact]
    public void Apply_InboundWithoutUnderstanding_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ContextStage.Apply(ContactHistory.Empty(1), null, null, In("2026-03-10T09:00Z", "Hi"), null,
            TimeSpan.FromDays(7), () => 1));
    }
}
