using Threadline.Pipeline.Capture;
using Threadline.Pipeline.Identity;

namespace Threadline.Tests.Pipeline.Identity;

public class IdentityStageTests
{
    private static WaMessage Message(string id, string? waId, string? userId = null, SystemChange? system = null) => new()
    {
        WaMessageId = id, Direction = MessageDirection.Inbound, SentBy = SentBy.Contact, WaId = waId, UserId = userId,
        Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000), Type = system is null ? "text" : "system", System = system, RawJson = "{}",
    };

    private static KnownIdentity Known(ContactIdentity identity, long contactId) => new(identity, contactId);

    [Fact]
    public void Resolve_UnknownSender_BecomesANewContactNamedByItsProfile_WithItsIdentities()
    {
        var senders = IdentityStage.Senders([Message("m1", "4917012345678", "DE.1")], [new WhatsAppUser("4917012345678", "DE.1", null, null, "Jonas Weber")]);
        var r = Assert.Single(IdentityStage.Resolve(senders, []));
        Assert.True(r.NewContact);
        Assert.Equal(("Jonas Weber", MatchedBy.NewContact), (r.NewContactName, r.MatchedBy));
        Assert.Equal(["DE.1", "+4917012345678"], r.AddIdentities.Select(i => i.Value));
    }

    [Fact]
    public void Resolve_UserIdWinsOverNumber_AndTheNumberOfAnotherContactIsAConflictNotAMerge()
    {
        var senders = IdentityStage.Senders([Message("m1", "4917012345678", "DE.1")], []);
        var known = new[] { Known(ContactIdentity.ForUserId("DE.1"), 7), Known(ContactIdentity.ForWaId("4917012345678")!, 9) };
        var r = Assert.Single(IdentityStage.Resolve(senders, known));
        Assert.Equal((7L, MatchedBy.UserId), (r.ContactId, r.MatchedBy));
        Assert.Empty(r.AddIdentities);
        Assert.Equal(9, Assert.Single(r.Conflicts).ContactId);
    }

    [Theory]
    [InlineData("5511981234567", "551181234567")]   // Brazil: the mobile ninth digit
    [InlineData("5215512345678", "525512345678")]   // Mexico: 521 / 52
    [InlineData("5491112345678", "541112345678")]   // Argentina: 549 / 54
    public void Resolve_WhatsAppFormOfAKnownNumber_IsTheSameContact(string stored, string incoming)
    {
        var senders = IdentityStage.Senders([Message("m1", incoming)], []);
        var r = Assert.Single(IdentityStage.Resolve(senders, [Known(ContactIdentity.ForWaId(stored)!, 3)]));
        Assert.Equal((3L, MatchedBy.PhoneVariant), (r.ContactId, r.MatchedBy));
    }

    [Fact]
    public void Resolve_KnownNumber_LearnsTheUserIdSeenBesideIt()
    {
        var senders = IdentityStage.Senders([Message("m1", "447700900123", "GB.5")], []);
        var r = Assert.Single(IdentityStage.Resolve(senders, [Known(ContactIdentity.ForWaId("447700900123")!, 4)]));
        Assert.Equal((4L, MatchedBy.WaId), (r.ContactId, r.MatchedBy));
        Assert.Equal("GB.5", Assert.Single(r.AddIdentities).Value);
    }

    [Fact]
    public void Resolve_SamePersonTwiceInOneBatch_ByUserIdThenByNumber_IsOneNewContact()
    {
        var senders = IdentityStage.Senders([Message("m1", "4917012345678", "DE.1"), Message("m2", "4917012345678")], []);
        var resolutions = IdentityStage.Resolve(senders, []);
        Assert.Equal(2, resolutions.Count);
        Assert.True(resolutions[0].NewContact);
        Assert.False(resolutions[1].NewContact);
        Assert.Equal(resolutions[0].ContactId, resolutions[1].ContactId);
    }

    [Fact]
    public void Resolve_TwoFormsOfANewNumberInOneBatch_AreOneContact_EachLinkSaysHowItMatched()
    {
        var senders = IdentityStage.Senders([Message("m1", "5511981234567"), Message("m2", "551181234567")], []);
        var resolutions = IdentityStage.Resolve(senders, []);
        Assert.Equal(2, resolutions.Count);
        Assert.Equal(resolutions[0].ContactId, resolutions[1].ContactId);
        Assert.Equal((MatchedBy.NewContact, MatchedBy.PhoneVariant), (resolutions[0].MatchedBy, resolutions[1].MatchedBy));
    }

    [Fact]
    public void IdentityChanges_NumberChange_YieldsTheNewNumberForTheSender()
    {
        var change = Message("s1", "4917012345678", system: new SystemChange("user_changed_number", "changed", "4917099999999", null));
        var (key, identity) = Assert.Single(IdentityStage.IdentityChanges([change]));
        Assert.Equal("+4917012345678", key);
        Assert.Equal("+4917099999999", identity.Value);
    }

    [Fact]
    public void IdentityChanges_UserIdChange_YieldsTheNewUserIdForTheSender()
    {
        var change = Message("s2", "4917012345678", "DE.1", new SystemChange("user_changed_user_id", "changed", null, "DE.2"));
        var (key, identity) = Assert.Single(IdentityStage.IdentityChanges([change]));
        Assert.Equal(("DE.1", ContactIdentity.UserIdKind, "DE.2"), (key, identity.Kind, identity.Value));
    }

    [Fact]
    public void Senders_PlaceholderOrMissingIds_AreSkippedNotGuessed()
    {
        Assert.Empty(IdentityStage.Senders([Message("m1", "<WHATSAPP_USER_PHONE_NUMBER>"), Message("m2", null)], []));
    }
}
