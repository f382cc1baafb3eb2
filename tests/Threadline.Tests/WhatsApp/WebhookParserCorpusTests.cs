using Threadline.Pipeline.Capture;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Tests.WhatsApp;

/// <summary>The parser against every payload of the pywa corpus, then case by case against what each one says.</summary>
public class WebhookParserCorpusTests
{
    public static IEnumerable<object[]> AllCases() => PywaCorpus.CaseNames();

    private static WebhookBatch Parse(string name)
    {
        WebhookParseResult result = WebhookParser.Parse(PywaCorpus.Body(name));
        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        Assert.Null(result.Error);
        return result.Batch!;
    }

    private static WaMessage SingleMessage(string name) => Assert.Single(Parse(name).Messages);
    private static StatusUpdate SingleStatus(string name) => Assert.Single(Parse(name).Statuses);

    [Fact]
    public void Corpus_has_all_74_payloads() => Assert.Equal(74, PywaCorpus.Count);

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Every_corpus_payload_parses_into_records_without_invalid_or_unknown_events(string name)
    {
        WebhookBatch batch = Parse(name);

        string[] badKinds =
        [
            WebhookEventKinds.InvalidMessage, WebhookEventKinds.UnknownObject, WebhookEventKinds.InvalidStatus,
            WebhookEventKinds.InvalidPreference, WebhookEventKinds.InvalidContact, WebhookEventKinds.InvalidValue,
            WebhookEventKinds.UnrecognizedValue,
        ];
        Assert.DoesNotContain(batch.Events, e => badKinds.Contains(e.Kind));
        Assert.True(batch.Messages.Count + batch.Statuses.Count + batch.Preferences.Count + batch.Events.Count > 0);
        Assert.All(batch.Messages, m => Assert.False(string.IsNullOrEmpty(m.RawJson)));
        Assert.All(batch.Events, e => Assert.False(string.IsNullOrEmpty(e.RawJson)));
    }

    [Fact]
    public void Text_message_is_inbound_from_the_contact_with_body_ids_and_time()
    {
        WaMessage m = SingleMessage("message.json:text");
        Assert.Equal("wamid.xyzxyz", m.WaMessageId);
        Assert.Equal("text", m.Type);
        Assert.Equal("Body Text", m.Text);
        Assert.Equal(MessageDirection.Inbound, m.Direction);
        Assert.Equal(SentBy.Contact, m.SentBy);
        Assert.Equal("972987654321", m.WaId);
        Assert.Equal("US.13491208655302741918", m.UserId); // from the matching contacts[] entry
        Assert.Equal("1122334455667", m.BusinessPhoneNumberId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1697043223), m.Timestamp);
        Assert.Equal(TimeSpan.Zero, m.Timestamp.Offset);
        Assert.Contains("\"Body Text\"", m.RawJson);
    }

    [Fact]
    public void Contacts_become_users_with_bsuid_and_parent()
    {
        WhatsAppUser u = Assert.Single(Parse("message.json:text").Users);
        Assert.Equal(new WhatsAppUser("972987654321", "US.13491208655302741918", "US.ENT.11815799212886844830", null, "Test Name"), u);
    }

    [Fact]
    public void Image_has_media_without_caption_and_url_when_sent()
    {
        WaMessage m = SingleMessage("message.json:image");
        Assert.Equal("image", m.Type);
        Assert.Null(m.Text);
        Assert.Equal(new MediaInfo("65463453", "image/jpeg", "4654+8g=", null, null, null, null), m.Media);

        WaMessage withUrl = SingleMessage("message.json:media_with_url");
        Assert.StartsWith("https://lookaside.fbsbx.com/", withUrl.Media!.Url);
    }

    [Fact]
    public void Video_and_document_captions_are_text()
    {
        WaMessage video = SingleMessage("message.json:video");
        Assert.Equal("caption", video.Text);
        Assert.Equal("video/mp4", video.Media!.MimeType);
        Assert.True(video.Forwarded);

        WaMessage doc = SingleMessage("message.json:document");
        Assert.Equal("caption", doc.Text);
        Assert.Equal("filename.pdf", doc.Media!.Filename);
        Assert.Equal("application/pdf", doc.Media.MimeType);
    }

    [Fact]
    public void Audio_voice_flag_and_sticker_animated_flag()
    {
        Assert.False(SingleMessage("message.json:audio").Media!.Voice);
        WaMessage voice = SingleMessage("message.json:voice");
        Assert.True(voice.Media!.Voice);
        Assert.Equal("audio/ogg; codecs=opus", voice.Media.MimeType);
        Assert.False(SingleMessage("message.json:static_sticker").Media!.Animated);
        Assert.True(SingleMessage("message.json:animated_sticker").Media!.Animated);
    }

    [Fact]
    public void Reaction_refers_to_the_message_and_unreaction_has_no_text()
    {
        WaMessage r = SingleMessage("message.json:reaction");
        Assert.Equal("reaction", r.Type);
        Assert.Equal("wamid.yzxyzx=", r.RefMessageId);
        Assert.Equal("😮", r.Text);

        foreach (string name in new[] { "message.json:unreaction_empty", "message.json:unreaction_no_emoji" })
        {
            WaMessage u = SingleMessage(name);
            Assert.Equal("wamid.yzxyzx=", u.RefMessageId);
            Assert.Null(u.Text);
        }
    }

    [Fact]
    public void Location_with_and_without_name()
    {
        WaMessage current = SingleMessage("message.json:current_location");
        Assert.Equal(new LocationInfo(12.25089, 43.90539, null, null, null), current.Location);
        Assert.Null(current.Text);

        WaMessage chosen = SingleMessage("message.json:chosen_location");
        Assert.Equal(37.4611978, chosen.Location!.Latitude);
        Assert.Equal(-122.2164385, chosen.Location.Longitude);
        Assert.Equal("Facebook HQ", chosen.Location.Name);
        Assert.Equal("https://maps.google.com/?cid=2000000000000000000", chosen.Location.Url);
        Assert.Equal("Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025", chosen.Text);
    }

    [Fact]
    public void Shared_contacts_with_names_phones_and_wa_ids()
    {
        WaMessage m = SingleMessage("message.json:contacts");
        Assert.Equal(3, m.SharedContacts.Count);
        Assert.Equal("Chandler Bing", m.SharedContacts[0].FormattedName);
        Assert.Equal(["+1 555-555-5555"], m.SharedContacts[0].Phones);
        Assert.Equal(["972987654321"], m.SharedContacts[0].WaIds);
        Assert.Empty(m.SharedContacts[0].Emails);
        Assert.Equal("Chandler Bing, Monica, Rachel Green", m.Text);
    }

    [Fact]
    public void Order_items_and_prices()
    {
        WaMessage m = SingleMessage("message.json:order");
        Assert.Equal("354160437058781", m.Order!.CatalogId);
        Assert.Null(m.Order.Text); // "" in the payload
        Assert.Null(m.Text);
        Assert.Equal(
            [new OrderItem("HAMBURGER", 3, 30, "ILS"), new OrderItem("FRENCH_FRIES", 2, 35, "ILS"), new OrderItem("SODA", 2, 10, "ILS")],
            m.Order.Items);
    }

    [Theory]
    [InlineData("message.json:unsupported")]
    [InlineData("message.json:unsupported_with_type")]
    public void Unsupported_message_keeps_its_error(string name)
    {
        WaMessage m = SingleMessage(name);
        Assert.Equal("unsupported", m.Type);
        WaError e = Assert.Single(m.Errors);
        Assert.Equal(new WaError(131051, "Message type unknown", "Message type unknown", "Message type is currently not supported."), e);
    }

    [Fact]
    public void Reply_context_and_forward_flags()
    {
        WaMessage reply = SingleMessage("message.json:reply");
        Assert.Equal("wamid.xyzxyz==", reply.ReplyToMessageId);
        Assert.Equal("replied text", reply.Text);
        Assert.False(reply.Forwarded);

        WaMessage fwd = SingleMessage("message.json:forwarded");
        Assert.True(fwd.Forwarded);
        Assert.False(fwd.FrequentlyForwarded);
        Assert.Null(fwd.ReplyToMessageId);

        WaMessage many = SingleMessage("message.json:forwarded_many_times");
        Assert.True(many.FrequentlyForwarded);
        Assert.False(many.Forwarded);
    }

    [Fact]
    public void Interactive_without_object_is_a_message_and_value_errors_are_system_error_events()
    {
        WebhookBatch batch = Parse("message.json:interactive_message_with_err");
        WaMessage m = Assert.Single(batch.Messages);
        Assert.Equal("interactive", m.Type);
        Assert.Null(m.Interactive);
        BusinessEvent e = Assert.Single(batch.Events);
        Assert.Equal(("messages", WebhookEventKinds.SystemError), (e.Field, e.Kind));
        Assert.Contains("131000", e.RawJson);
    }

    [Fact]
    public void Referral_from_a_click_to_whatsapp_ad()
    {
        WaMessage m = SingleMessage("message.json:referral");
        Assert.Equal("BODY", m.Text);
        Assert.Equal(new AdReferral("AD_OR_POST_FB_URL", "ADID", "ad or post", "AD_TITLE", "AD_DESCRIPTION", "image or video", "CTWA_CLID"), m.Referral);
    }

    [Fact]
    public void Button_and_list_replies()
    {
        WaMessage button = SingleMessage("callback_button.json:button");
        Assert.Equal(new InteractiveReply("button_reply", "callback_data", "title", null, null), button.Interactive);
        Assert.Equal("title", button.Text);
        Assert.Equal("wamid.xyzxyz", button.ReplyToMessageId);

        WaMessage list = SingleMessage("callback_selection.json:description");
        Assert.Equal(new InteractiveReply("list_reply", "callback_data", "title", "description", null), list.Interactive);
        Assert.Null(SingleMessage("callback_selection.json:callback").Interactive!.Description);
    }

    [Fact]
    public void Template_quick_reply_button()
    {
        WaMessage m = SingleMessage("callback_button.json:quick_reply");
        Assert.Equal("button", m.Type);
        Assert.Equal(new InteractiveReply("button", null, "title", null, "callback_data"), m.Interactive);
        Assert.Equal("title", m.Text);
        Assert.Equal("wamid.xyzxyz==", m.ReplyToMessageId);

        WaMessage noContext = SingleMessage("callback_button.json:quick_reply_without_context");
        Assert.Null(noContext.ReplyToMessageId);
        Assert.Equal("US.13491208655302741918", noContext.UserId); // from_user_id
    }

    [Fact]
    public void Flow_completion_nfm_reply_payload_is_the_response_json()
    {
        WaMessage m = SingleMessage("flow_completion.json:completion");
        Assert.Equal("nfm_reply", m.Interactive!.Kind);
        Assert.Equal("Sent", m.Interactive.Title);
        Assert.Equal("Sent", m.Text);
        Assert.StartsWith("{\"comment_text\":\"Comment Text\"", m.Interactive.Payload);
        Assert.Contains("flow_token", m.Interactive.Payload);
    }

    [Theory]
    [InlineData("call_permission_update.json:accept", "accept")]
    [InlineData("call_permission_update.json:reject", "reject")]
    public void Call_permission_reply(string name, string response)
    {
        WaMessage m = SingleMessage(name);
        Assert.Equal(new InteractiveReply("call_permission_reply", null, null, null, response), m.Interactive);
    }

    [Fact]
    public void System_number_change_names_the_new_wa_id()
    {
        WebhookBatch batch = Parse("system.json:phone_number_change");
        Assert.Empty(batch.Users); // no contacts[] in this payload
        WaMessage m = Assert.Single(batch.Messages);
        Assert.Equal("system", m.Type);
        Assert.Equal(new SystemChange("user_changed_number", "User A changed from 972987654321 to 972912345678", "972912345678", null), m.System);
        Assert.Equal("User A changed from 972987654321 to 972912345678", m.Text);
        Assert.Null(m.UserId);
    }

    [Fact]
    public void System_identity_change()
    {
        WaMessage m = SingleMessage("system.json:identity_change");
        Assert.Equal("customer_identity_changed", m.System!.Kind);
        Assert.Equal("User identity changed", m.Text);
        Assert.Contains("\"hash\"", m.RawJson); // the identity object is not modelled but kept
    }

    [Fact]
    public void Sent_status_with_conversation_expiry_and_pricing()
    {
        StatusUpdate s = SingleStatus("message_status.json:sent");
        Assert.Equal("wamid.xyzxyz", s.WaMessageId);
        Assert.Equal("sent", s.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1698266945), s.Timestamp);
        Assert.Equal("972987654321", s.RecipientId);
        Assert.Equal("7270432eae37498234f4444b35ffc5", s.ConversationId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1698339900), s.ConversationExpiresAt);
        Assert.Equal("service", s.PricingCategory);
        Assert.Empty(s.Errors);
        Assert.Empty(Parse("message_status.json:sent").Messages);
    }

    [Theory]
    [InlineData("message_status.json:delivered", "delivered")]
    [InlineData("message_status.json:read", "read")]
    [InlineData("message_status.json:played", "played")]
    public void Other_statuses_keep_their_name_and_have_no_expiry(string name, string status)
    {
        StatusUpdate s = SingleStatus(name);
        Assert.Equal(status, s.Status);
        Assert.Null(s.ConversationExpiresAt);
        Assert.NotNull(s.ConversationId);
    }

    [Fact]
    public void Failed_status_carries_the_error()
    {
        StatusUpdate s = SingleStatus("message_status.json:failed");
        Assert.Equal("failed", s.Status);
        WaError e = Assert.Single(s.Errors);
        Assert.Equal(130472, e.Code);
        Assert.Equal("Failed to send message because this user's phone number is part of an experiment", e.Details);
        Assert.Null(s.PricingCategory);
    }

    [Fact]
    public void Status_with_tracker_and_group_status_recipient_user_id()
    {
        Assert.Equal("some data", SingleStatus("message_status.json:with_tracker").BizOpaqueCallbackData);

        WebhookBatch group = Parse("message_status.json:group");
        Assert.Equal("read", Assert.Single(group.Statuses).Status);
        Assert.Equal("<USERNAME>", Assert.Single(group.Users).Username);
    }

    [Fact]
    public void Echo_is_outbound_sent_by_a_human_to_the_customer()
    {
        WaMessage m = SingleMessage("outgoing_message.json:text");
        Assert.Equal(MessageDirection.Outbound, m.Direction);
        Assert.Equal(SentBy.Human, m.SentBy);
        Assert.Equal("<WHATSAPP_USER_PHONE_NUMBER>", m.WaId);
        Assert.Equal("<BSUID>", m.UserId);
        Assert.Equal("Test message", m.Text);
    }

    [Fact]
    public void Echo_edit_and_revoke()
    {
        WaMessage edit = SingleMessage("outgoing_message.json:edit");
        Assert.Equal((MessageDirection.Outbound, SentBy.Human), (edit.Direction, edit.SentBy));
        Assert.Equal("edit", edit.Type);
        Assert.Equal("wamid.zzzzzz", edit.RefMessageId);
        Assert.Equal("text", edit.EditedType);
        Assert.Equal("Text was edited", edit.Text);
        Assert.Equal("972123456789", edit.WaId);

        WaMessage revoke = SingleMessage("outgoing_message.json:delete");
        Assert.Equal(MessageDirection.Outbound, revoke.Direction);
        Assert.Equal("revoke", revoke.Type);
        Assert.Equal("wamid.zzzzzz", revoke.RefMessageId);
        Assert.Null(revoke.Text);
    }

    [Fact]
    public void Inbound_edit_of_an_image_caption()
    {
        WaMessage m = SingleMessage("edited_message.json:image");
        Assert.Equal("edit", m.Type);
        Assert.Equal(MessageDirection.Inbound, m.Direction);
        Assert.Equal("wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=", m.RefMessageId);
        Assert.Equal("image", m.EditedType);
        Assert.Equal("Updated image caption", m.Text);
        Assert.Equal("https://media.example.com/updated-image.jpg", m.Media!.Url);
        Assert.Null(m.UserId); // the only contact has another wa_id: no guessing
    }

    [Fact]
    public void Inbound_revoke()
    {
        WaMessage m = SingleMessage("deleted_message.json:revoke");
        Assert.Equal("revoke", m.Type);
        Assert.Equal("<ORIGINAL_WHATSAPP_MESSAGE_ID>", m.RefMessageId);
        Assert.Equal("<WHATSAPP_USER_PHONE_NUMBER>", m.WaId);
    }

    [Fact]
    public void User_preferences_resume_and_signup_with_numeric_timestamp()
    {
        WebhookBatch resume = Parse("user_marketing_preferences.json:resume");
        PreferenceUpdate p = Assert.Single(resume.Preferences);
        Assert.Equal("16505551234", p.WaId);
        Assert.Equal("marketing_messages", p.Category);
        Assert.Equal("resume", p.Value);
        Assert.Equal("User requested to resume marketing messages", p.Detail);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1731705721), p.Timestamp);
        Assert.Null(p.UserId);
        Assert.Single(resume.Users);

        PreferenceUpdate signup = Assert.Single(Parse("user_marketing_preferences.json:signup").Preferences);
        Assert.Equal("signup", signup.Value);
        Assert.Contains("13176843987434774", signup.RawJson);
    }

    [Theory]
    [InlineData("call_connect.json:business_initiated", "call_connect", 1752582933)]
    [InlineData("call_connect.json:user_initiated", "call_connect", 1752583107)]
    [InlineData("call_status.json:call_status", "call_status", 1671644824)]
    public void Calls_and_call_statuses_are_events_not_messages(string name, string kind, long at)
    {
        WebhookBatch batch = Parse(name);
        Assert.Empty(batch.Messages);
        Assert.Empty(batch.Statuses);
        Assert.Single(batch.Users);
        BusinessEvent e = Assert.Single(batch.Events);
        Assert.Equal("calls", e.Field);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(at), e.OccurredAt);
        Assert.Contains("wacid.", e.RawJson);
    }

    [Fact]
    public void Call_terminate_and_its_system_error()
    {
        WebhookBatch batch = Parse("call_terminate.json:call_terminate");
        Assert.Equal(["call_terminate", WebhookEventKinds.SystemError], batch.Events.Select(e => e.Kind));
        Assert.Equal("47389759353", batch.Events[0].WabaId);
        Assert.Contains("\"duration\":120", batch.Events[0].RawJson.Replace(" ", ""));
        Assert.Contains("12455", batch.Events[1].RawJson);
    }

    [Theory]
    [InlineData("account_update.json:account_deleted", "account_deleted")]
    [InlineData("account_update.json:account_restriction", "account_restriction")]
    [InlineData("account_update.json:account_violation", "account_violation")]
    [InlineData("account_update.json:ad_account_linked", "ad_account_linked")]
    [InlineData("account_update.json:account_disabled", "disabled_update")]
    [InlineData("account_update.json:partner_removed", "partner_removed")]
    [InlineData("account_update.json:pricing_tiering_update", "volume_based_pricing_tier_update")]
    [InlineData("account_update.json:authentication_international_eligibility", "auth_intl_price_eligibility_update")]
    public void Account_updates_are_events_named_by_their_event(string name, string kind)
    {
        BusinessEvent e = Assert.Single(Parse(name).Events);
        Assert.Equal("account_update", e.Field);
        Assert.Equal(kind, e.Kind);
        Assert.NotNull(e.WabaId);
        Assert.NotNull(e.OccurredAt);
        Assert.StartsWith("{", e.RawJson);
    }

    [Theory]
    [InlineData("template_status_update.json:approved", "message_template_status_update", "approved")]
    [InlineData("template_status_update.json:rejected", "message_template_status_update", "rejected")]
    [InlineData("template_quality_update.json:yellow", "message_template_quality_update", "message_template_quality_update")]
    [InlineData("template_category_update.json:marketing", "template_category_update", "template_category_update")]
    [InlineData("template_components_update.json:element", "message_template_components_update", "message_template_components_update")]
    public void Template_updates_are_events(string name, string field, string kind)
    {
        BusinessEvent e = Assert.Single(Parse(name).Events);
        Assert.Equal((field, kind), (e.Field, e.Kind));
        Assert.Contains("message_template_name", e.RawJson);
    }

    [Fact]
    public void Template_status_event_keeps_account_and_entry_time()
    {
        BusinessEvent e = Assert.Single(Parse("template_status_update.json:rejected").Events);
        Assert.Equal("102290129340398", e.WabaId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1751247548), e.OccurredAt);
        Assert.Contains("INVALID_FORMAT", e.RawJson);
    }
}
