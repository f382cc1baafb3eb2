namespace Threadline.WhatsApp.Webhooks;

/// <summary>
/// The <see cref="Threadline.Pipeline.Capture.BusinessEvent.Kind"/> names the parser itself chooses. Other kinds come
/// from WhatsApp: a value's <c>event</c> lowercased (<c>account_deleted</c>, <c>approved</c>…), else the field name
/// (<c>message_template_quality_update</c>…), and <c>call_</c> + a call's <c>event</c> (<c>call_connect</c>, <c>call_terminate</c>).
/// Names are constants so consumers and tests match on them rather than on spelled-out strings.
/// </summary>
public static class WebhookEventKinds
{
    /// <summary>The body's <c>object</c> is not <c>whatsapp_business_account</c>; the whole body is the raw JSON.</summary>
    public const string UnknownObject = "unknown_object";
    /// <summary>A message without an id or a usable timestamp: kept whole rather than given an invented identity or time.</summary>
    public const string InvalidMessage = "invalid_message";
    /// <summary>A message status without an id, status or usable timestamp.</summary>
    public const string InvalidStatus = "invalid_status";
    /// <summary>A <c>user_preferences[]</c> item without a category, value or usable timestamp.</summary>
    public const string InvalidPreference = "invalid_preference";
    /// <summary>A <c>contacts[]</c> item whose shape cannot be read.</summary>
    public const string InvalidContact = "invalid_contact";
    /// <summary>A known field's value whose shape cannot be read at all (not an object, an array that is not one…).</summary>
    public const string InvalidValue = "invalid_value";
    /// <summary>A known field's value carried members the parser does not read (a newer WhatsApp addition): the whole value is kept.</summary>
    public const string UnrecognizedValue = "unrecognized_value";
    /// <summary>A value-level <c>errors[]</c> item (system-level error, not tied to one message).</summary>
    public const string SystemError = "system_error";
    /// <summary>A <c>statuses[]</c> item of the <c>calls</c> field (ringing, accepted…): a call's status, not a message's.</summary>
    public const string CallStatus = "call_status";
    /// <summary>A <c>calls[]</c> item without an <c>event</c>; with one, the kind is <c>call_</c> + the event.</summary>
    public const string Call = "call";
}
