using Threadline.WhatsApp.Sending;

namespace Threadline.Tests.WhatsApp.Sending;

/// <summary>Section 8, code by code, written out here independently of the policy's own table.</summary>
public class GraphErrorPolicyTests
{
    private static GraphError Error(int code, int status = 400) => new(code, null, "m", null, status);

    public static TheoryData<int, ErrorReaction> Section8() => new()
    {
        { 130429, ErrorReaction.Retry },
        { 131000, ErrorReaction.Retry },
        { 131016, ErrorReaction.Retry },
        { 4, ErrorReaction.Retry },
        { 80007, ErrorReaction.Retry },
        { 131057, ErrorReaction.RetryAfterPause },
        { 131056, ErrorReaction.PairBackoff },
        { 131047, ErrorReaction.SwitchToTemplate },
        { 131026, ErrorReaction.MarkUndeliverable },
        { 131021, ErrorReaction.Drop },
        { 131049, ErrorReaction.MarketingCapped },
        { 131050, ErrorReaction.MarketingOptOut },
        { 131051, ErrorReaction.Drop },
        { 131052, ErrorReaction.FixMedia },
        { 131053, ErrorReaction.FixMedia },
        { 131008, ErrorReaction.Alert },
        { 131009, ErrorReaction.Alert },
        { 100, ErrorReaction.Alert },
        { 132000, ErrorReaction.Alert },
        { 132001, ErrorReaction.Alert },
        { 132005, ErrorReaction.Alert },
        { 132007, ErrorReaction.Alert },
        { 132012, ErrorReaction.Alert },
        { 132015, ErrorReaction.TemplateUnusable },
        { 132016, ErrorReaction.TemplateUnusable },
        { 131005, ErrorReaction.StopSending },
        { 131031, ErrorReaction.StopSending },
        { 131042, ErrorReaction.StopSending },
        { 131045, ErrorReaction.StopSending },
        { 133010, ErrorReaction.StopSending },
        { 368, ErrorReaction.StopSending },
        { 190, ErrorReaction.StopSending },
        { 0, ErrorReaction.StopSending },
        { 3, ErrorReaction.StopSending },
        { 10, ErrorReaction.StopSending },
        { 200, ErrorReaction.StopSending },
        { 201, ErrorReaction.StopSending },
        { 250, ErrorReaction.StopSending },
        { 299, ErrorReaction.StopSending },
    };

    /// <summary>The HTTP status must not matter for a known code, so each is tried with a client and a server status.</summary>
    [Theory]
    [MemberData(nameof(Section8))]
    public void Classify_KnownCode_FollowsSection8WhateverTheStatus(int code, ErrorReaction expected)
    {
        foreach (int status in new[] { 400, 429, 500, 200 })
        {
            ErrorVerdict verdict = GraphErrorPolicy.Classify(Error(code, status));
            Assert.Equal(expected, verdict.Reaction);
            Assert.Equal(code, verdict.Code);
            Assert.False(string.IsNullOrWhiteSpace(verdict.Reason));
        }
    }

    [Theory]
    [InlineData(999999, 429, ErrorReaction.Retry)]
    [InlineData(999999, 500, ErrorReaction.Retry)]
    [InlineData(999999, 503, ErrorReaction.Retry)]
    [InlineData(999999, 400, ErrorReaction.Alert)]
    [InlineData(999999, 200, ErrorReaction.Alert)]
    [InlineData(999999, 499, ErrorReaction.Alert)]
    [InlineData(199, 500, ErrorReaction.Retry)] // just outside the 200–299 block
    [InlineData(300, 400, ErrorReaction.Alert)]
    [InlineData(131048, 400, ErrorReaction.Alert)] // a real code section 8 does not list
    [InlineData(GraphError.Unreadable, 502, ErrorReaction.Retry)]
    [InlineData(GraphError.Unreadable, 429, ErrorReaction.Retry)]
    [InlineData(GraphError.Unreadable, 404, ErrorReaction.Alert)]
    [InlineData(GraphError.Unreadable, 200, ErrorReaction.Alert)]
    public void Classify_UnknownCode_DecidesByHttpStatus(int code, int status, ErrorReaction expected)
    {
        ErrorVerdict verdict = GraphErrorPolicy.Classify(Error(code, status));
        Assert.Equal(expected, verdict.Reaction);
        Assert.Contains($"Unknown error code {code}", verdict.Reason);
    }

    [Fact]
    public void Classify_UnreadableAnswer_EndToEndIsRetriedOn502() =>
        Assert.Equal(ErrorReaction.Retry, GraphErrorPolicy.Classify(GraphResponse.Parse(502, "<html>")!.Error!).Reaction);

    [Fact]
    public void Rules_NoCodeIsInTwoRows()
    {
        var overlapping = Enumerable.Range(-10, 200_000)
            .Where(code => GraphErrorPolicy.Rules.Count(rule => rule.Covers(code)) > 1)
            .ToList();
        Assert.Empty(overlapping);
    }

    [Fact]
    public void Rules_CoverExactlyTheCodesOfSection8()
    {
        int[] listed = Section8().Select(row => (int)row[0]).ToArray();
        int[] covered = Enumerable.Range(-10, 200_000).Where(code => GraphErrorPolicy.Rules.Any(rule => rule.Covers(code))).ToArray();
        int[] expected = listed.Concat(Enumerable.Range(200, 100)).Distinct().Order().ToArray();
        Assert.Equal(expected, covered);
    }

    [Theory]
    [InlineData(ErrorReaction.Retry, true)]
    [InlineData(ErrorReaction.RetryAfterPause, true)]
    [InlineData(ErrorReaction.PairBackoff, true)]
    [InlineData(ErrorReaction.SwitchToTemplate, false)]
    [InlineData(ErrorReaction.MarkUndeliverable, false)]
    [InlineData(ErrorReaction.Drop, false)]
    [InlineData(ErrorReaction.MarketingCapped, false)]
    [InlineData(ErrorReaction.MarketingOptOut, false)]
    [InlineData(ErrorReaction.FixMedia, false)]
    [InlineData(ErrorReaction.Alert, false)]
    [InlineData(ErrorReaction.TemplateUnusable, false)]
    [InlineData(ErrorReaction.StopSending, false)]
    public void IsRetryable_OnlyTheWaitingReactions(ErrorReaction reaction, bool expected) =>
        Assert.Equal(expected, GraphErrorPolicy.IsRetryable(reaction));

    [Fact]
    public void StopsSending_OnlyStopSending() =>
        Assert.Equal([ErrorReaction.StopSending], Enum.GetValues<ErrorReaction>().Where(GraphErrorPolicy.StopsSending));

    [Fact]
    public void MaintenancePause_IsAboutAMinute() => Assert.Equal(TimeSpan.FromMinutes(1), GraphErrorPolicy.MaintenancePause);
}
