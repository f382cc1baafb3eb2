using Threadline.WhatsApp.Webhooks;

namespace Threadline.Simulator;

/// <summary>
/// The state of one enumeration of <see cref="TrafficGenerator"/>: senders, simulated clock, bodies scheduled for later
/// (statuses) and a window of recent bodies to re-deliver. Emits one webhook per <see cref="Next"/>.
/// </summary>
internal sealed class TrafficRun
{
    private const int DuplicateWindow = 256; // Meta re-delivers recent bodies; a bounded window keeps endless runs flat
    private readonly TrafficOptions _options;
    private readonly Random _rng;
    private readonly List<SimulatedSender> _senders;
    private readonly InboundMessageWriter _inbound;
    private readonly OutboundScheduler _outbound;
    private readonly PriorityQueue<SimulatedWebhook, (long Due, long Seq)> _scheduled = new();
    private readonly Queue<SimulatedWebhook> _recent = new();
    private readonly double _totalTypeWeight = InboundMessageWriter.Types.Sum(t => t.Weight);
    private long _step;
    private long _seq;
    private long _clock;
    private uint _idSequence;

    public TrafficRun(TrafficOptions options, long startUnixSeconds)
    {
        _options = options;
        _rng = new Random(options.Seed);
        _clock = startUnixSeconds;
        _senders = SenderPool.Create(options.Senders, _rng, startUnixSeconds);
        _inbound = new InboundMessageWriter(_rng, options, NewId);
        _outbound = new OutboundScheduler(options, _rng, NewId, Schedule);
    }

    public SimulatedWebhook Next()
    {
        while (true)
        {
            if (_scheduled.TryPeek(out _, out var priority) && priority.Due <= _step)
                return Emit(_scheduled.Dequeue());
            if (_recent.Count > 0 && _rng.NextDouble() < _options.DuplicateRate)
            {
                var original = _recent.ElementAt(_rng.Next(_recent.Count));
                _step++;
                return original with { IsDuplicateDelivery = true };
            }
            CreateEvent(); // schedules at least one body due now
        }
    }

    private SimulatedWebhook Emit(SimulatedWebhook webhook)
    {
        _step++;
        _recent.Enqueue(webhook);
        if (_recent.Count > DuplicateWindow)
            _recent.Dequeue();
        return webhook;
    }

    private void CreateEvent()
    {
        _clock += _rng.Next(0, 4);
        double roll = _rng.NextDouble();
        var sender = PickSender();
        if (roll < 0.125)
            _outbound.EchoConversation(sender, NextTimestamp(sender), _step);
        else if (roll < 0.14 && !sender.IsUsernameOnly)
            MarketingPreference(sender);
        else
            InboundMessages(sender);
    }

    /// <summary>Skewed choice: a few customers write much more often than most, as in real inboxes.</summary>
    private SimulatedSender PickSender() => _senders[(int)(_senders.Count * Math.Pow(_rng.NextDouble(), 1.6))];

    private long NextTimestamp(SimulatedSender s)
    {
        s.LastTimestamp = Math.Max(_clock, s.LastTimestamp + 1);
        return s.LastTimestamp;
    }

    private void InboundMessages(SimulatedSender s)
    {
        // Mostly one message per body; sometimes a burst of 2–3 from the same sender arrives together.
        int count = _rng.NextDouble() < 0.08 ? _rng.Next(2, 4) : 1;
        var types = new string[count];
        for (int i = 0; i < count; i++)
            types[i] = count > 1 ? (_rng.NextDouble() < 0.7 ? "text" : "image") : PickType();
        var ids = new List<string>(count);
        var wireTypes = new List<string>(count);
        // Phone-number-change system messages carry no contacts block (as in the corpus).
        var contact = types[0] == "system" ? null : s;
        byte[] body = WebhookBodyWriter.Build(_options, "messages", contact, w =>
        {
            w.WriteStartArray("messages");
            foreach (string type in types)
            {
                string id = NewId(s);
                ids.Add(id);
                wireTypes.Add(_inbound.Write(w, s, type, id, NextTimestamp(s)));
            }
            w.WriteEndArray();
        });
        Schedule(body, count > 1 ? "messages.batch" : "messages." + wireTypes[0], ids, _step);
    }

    private string PickType()
    {
        double x = _rng.NextDouble() * _totalTypeWeight;
        foreach (var (type, weight) in InboundMessageWriter.Types)
        {
            if ((x -= weight) < 0)
                return type;
        }
        return "text";
    }

    private void MarketingPreference(SimulatedSender s)
    {
        s.MarketingStopped = !s.MarketingStopped;
        byte[] body = OutboundWebhookWriter.MarketingPreference(_options, s, s.MarketingStopped, NextTimestamp(s));
        Schedule(body, s.MarketingStopped ? "user_preferences.stop" : "user_preferences.resume", [], _step);
    }

    private string NewId(SimulatedSender s) => WamidFactory.Create(s.ChatDigits, ++_idSequence, _rng);

    private void Schedule(byte[] body, string kind, IReadOnlyList<string> messageIds, long due)
    {
        var webhook = new SimulatedWebhook(body, WebhookSignature.Sign(body, _options.AppSecret), kind, messageIds, false);
        _scheduled.Enqueue(webhook, (due, _seq++));
    }
}
