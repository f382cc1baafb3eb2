using NodaTime;
using Threadline.Pipeline.FollowUp;

namespace Threadline.Tests.FollowUp;

public sealed class FollowUpPolicyDocumentTests
{
    [Fact]
    public void TheDefaultDocument_IsValid_AndIsTheDefaultPolicy()
    {
        var document = FollowUpPolicyDocument.From(FollowUpPolicy.Default);
        Assert.Empty(document.Validate());
        var policy = document.ToPolicy();
        Assert.Equal(FollowUpPolicy.Default.MinDelay, policy.MinDelay);
        Assert.Equal(FollowUpPolicy.Default.MaxDelay, policy.MaxDelay);
        Assert.Equal(FollowUpPolicy.Default.MaxAttempts, policy.MaxAttempts);
        Assert.Equal(new LocalTime(9, 0), policy.DaytimeStart);
        Assert.Equal(new LocalTime(19, 0), policy.DaytimeEnd);
    }

    [Fact]
    public void EveryMistake_IsNamed()
    {
        var errors = new FollowUpPolicyDocument
        {
            ReplyDelayMultiple = 0, MinDelayMinutes = 600, MaxDelayMinutes = 60, Backoff = 0.5, MaxAttempts = 11,
            DaytimeStart = "20:00", DaytimeEnd = "08:00", Texts = new() { ["deu"] = "x", ["en"] = " " },
            Templates = [new("Follow Up!", "", ["", "ok"])],
        }.Validate();
        foreach (var field in new[] { "replyDelayMultiple", "minDelayMinutes (600) must not exceed", "backoff", "maxAttempts", "daytimeStart (20:00) must be before",
                     "'deu'", "texts.en is empty", "templates[0].name", "templates[0].language", "templates[0].parameters" })
            Assert.Contains(errors, e => e.Contains(field, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("9:00")]
    [InlineData("24:00")]
    [InlineData("9am")]
    [InlineData("")]
    public void TimesMustBeHHmm(string value) =>
        Assert.Contains(new FollowUpPolicyDocument { DaytimeStart = value }.Validate(), e => e.StartsWith("daytimeStart must be a time", StringComparison.Ordinal));
}

public sealed class FollowUpMessageTests
{
    private static readonly FollowUpPolicy WithTemplates = FollowUpPolicy.Default with
    {
        Templates = [new FollowUpTemplate("offer_reminder", "en_US", ["{name}"]), new FollowUpTemplate("angebot_erinnerung", "de", ["{name}"])],
    };

    [Fact]
    public void InsideTheWindow_FreeTextInTheConversationsLanguage_WithTheTemplateAsFallback()
    {
        var m = FollowUpMessage.Choose(WithTemplates, "de", windowOpen: true, "Jonas");
        Assert.Equal("Hallo Jonas, ich wollte kurz nachfragen: Haben Sie noch Fragen zu unserem Angebot?", m.Text);
        Assert.Equal("angebot_erinnerung", m.Template!.Name);
        Assert.Equal(["Jonas"], m.Template.Parameters);
    }

    [Fact]
    public void WithoutAName_TheGreetingStaysTidy() =>
        Assert.StartsWith("Hi, just checking in", FollowUpMessage.Choose(FollowUpPolicy.Default, "en", true, null).Text);

    [Fact]
    public void OutsideTheWindow_OnlyTheTemplate()
    {
        var m = FollowUpMessage.Choose(WithTemplates, "en", windowOpen: false, "Ana");
        Assert.Null(m.Text);
        Assert.Equal("offer_reminder", m.Template!.Name);
    }

    [Fact]
    public void OutsideTheWindow_WithoutTemplates_Nothing_AndSaysSo()
    {
        var m = FollowUpMessage.Choose(FollowUpPolicy.Default, "en", windowOpen: false, "Ana");
        Assert.True(m.IsNone);
        Assert.Contains("a person must take over", m.Reason);
    }

    [Fact]
    public void AnUnconfiguredLanguage_FallsBackToAConfiguredOne()
    {
        var m = FollowUpMessage.Choose(WithTemplates, "fr", windowOpen: false, "Luc");
        Assert.Equal("offer_reminder", m.Template!.Name);
    }
}
