namespace Threadline.Simulator;

/// <summary>
/// Knobs for <see cref="TrafficGenerator"/>. The defaults describe a small business number with a realistic mix of
/// customers; only <see cref="AppSecret"/> must match the receiving server for signatures to validate.
/// </summary>
public sealed record TrafficOptions
{
    /// <summary>Size of the simulated customer pool (default 50). About 10% of them carry a BSUID, half of those username-only.</summary>
    public int Senders { get; init; } = 50;

    /// <summary>Seed of the pseudo-random stream; the same seed, options and start time give byte-identical output (default 1).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Share of bodies that are byte-for-byte re-deliveries of an earlier body, as Meta's retries are (default 0.05).</summary>
    public double DuplicateRate { get; init; } = 0.05;

    /// <summary>Share of echo conversations whose statuses arrive out of order: delivered before the echo, or read before delivered (default 0.1).</summary>
    public double OutOfOrderRate { get; init; } = 0.1;

    /// <summary>The receiving business number's Graph id, written to <c>metadata.phone_number_id</c> (default "100000000000001").</summary>
    public string PhoneNumberId { get; init; } = "100000000000001";

    /// <summary>The business number as shown to customers, <c>metadata.display_phone_number</c> and the <c>from</c> of echoes (default "15550001111").</summary>
    public string DisplayPhoneNumber { get; init; } = "15550001111";

    /// <summary>The WhatsApp Business Account id, written to <c>entry[].id</c> (default "100000000000002").</summary>
    public string WabaId { get; init; } = "100000000000002";

    /// <summary>App secret used to compute <c>X-Hub-Signature-256</c> (default "simulator-secret").</summary>
    public string AppSecret { get; init; } = "simulator-secret";

    /// <summary>Simulated time of the first event; null takes the generator's <see cref="TimeProvider"/> "now" once, at construction.</summary>
    public DateTimeOffset? Start { get; init; }
}
