using Threadline.Pipeline.Capture;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>Collects what one body yields, in body order. Users repeated across changes (each change names its
/// contacts again) are kept once: an exact duplicate carries nothing new.</summary>
internal sealed class BatchBuilder
{
    private readonly List<WhatsAppUser> _users = [];
    private readonly HashSet<WhatsAppUser> _seenUsers = [];
    private readonly List<WaMessage> _messages = [];
    private readonly List<StatusUpdate> _statuses = [];
    private readonly List<PreferenceUpdate> _preferences = [];
    private readonly List<BusinessEvent> _events = [];

    public void AddUser(WhatsAppUser user)
    {
        if (_seenUsers.Add(user))
            _users.Add(user);
    }

    public void AddMessage(WaMessage message) => _messages.Add(message);
    public void AddStatus(StatusUpdate status) => _statuses.Add(status);
    public void AddPreference(PreferenceUpdate preference) => _preferences.Add(preference);

    public void AddEvent(string field, string kind, string? wabaId, DateTimeOffset? occurredAt, string rawJson) =>
        _events.Add(new BusinessEvent(field, kind, wabaId, occurredAt, rawJson));

    public WebhookBatch Build() => new(_users, _messages, _statuses, _preferences, _events);
}
