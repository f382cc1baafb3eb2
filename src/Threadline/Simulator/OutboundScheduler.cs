namespace Threadline.Simulator;

/// <summary>
/// Plans one business-app echo and its statuses (sent → delivered → read, or failed with 131026) and schedules them
/// a few bodies apart, interleaved with other traffic. With <see cref="TrafficOptions.OutOfOrderRate"/> the delivery
/// order is disturbed the ways Meta's is: a status before the echo it refers to, or read before delivered.
/// Timestamps inside the bodies always stay in true event order; only arrival order changes.
/// </summary>
internal sealed class OutboundScheduler(
    TrafficOptions options,
    Random rng,
    Func<SimulatedSender, string> newId,
    Action<byte[], string, IReadOnlyList<string>, long> schedule)
{
    private sealed record Planned(byte[] Body, string Kind, IReadOnlyList<string> Ids);

    public void EchoConversation(SimulatedSender s, long timestamp, long step)
    {
        string id = newId(s);
        SimulatedSender.Remember(s.OutboundIds, id);
        string conversationId = Convert.ToHexStringLower(BitConverter.GetBytes(rng.NextInt64())) +
                                Convert.ToHexStringLower(BitConverter.GetBytes(rng.NextInt64()));
        byte[] echo = OutboundWebhookWriter.Echo(options, s, id, timestamp, rng);
        var echoItem = new Planned(echo, "message_echoes." + (EchoIsImage(echo) ? "image" : "text"), [id]);
        Planned StatusItem(string status, long ts) =>
            new(OutboundWebhookWriter.Status(options, s, id, status, ts, conversationId), "statuses." + status, []);

        var order = new List<Planned> { echoItem };
        Planned? delivered = null, read = null;
        if (rng.NextDouble() < 0.05)
        {
            if (rng.NextDouble() < 0.5)
                order.Add(StatusItem("sent", timestamp));
            order.Add(StatusItem("failed", timestamp + rng.Next(1, 4)));
        }
        else
        {
            order.Add(StatusItem("sent", timestamp));
            long deliveredAt = timestamp + rng.Next(1, 6);
            bool skipDelivered = rng.NextDouble() < 0.03; // "read may arrive without delivered"
            if (!skipDelivered)
                order.Add(delivered = StatusItem("delivered", deliveredAt));
            if (rng.NextDouble() < 0.7)
                order.Add(read = StatusItem("read", deliveredAt + rng.Next(3, 300)));
        }

        if (rng.NextDouble() < options.OutOfOrderRate)
            Disorder(order, echoItem, delivered, read);

        long due = step;
        foreach (var item in order)
        {
            schedule(item.Body, item.Kind, item.Ids, due);
            due += rng.Next(1, 8);
        }
    }

    /// <summary>Either the first status overtakes the echo, or read overtakes delivered (when both exist).</summary>
    private void Disorder(List<Planned> order, Planned echo, Planned? delivered, Planned? read)
    {
        if (delivered is not null && read is not null && rng.NextDouble() < 0.5)
        {
            int d = order.IndexOf(delivered), r = order.IndexOf(read);
            (order[d], order[r]) = (order[r], order[d]);
            return;
        }
        var overtaking = delivered ?? order[1];
        order.Remove(overtaking);
        order.Insert(order.IndexOf(echo), overtaking);
    }

    private static bool EchoIsImage(byte[] body) => body.AsSpan().IndexOf("\"type\":\"image\""u8) >= 0;
}
