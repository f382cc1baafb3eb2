namespace Threadline.Simulator;

/// <summary>
/// One injected misbehaviour of <see cref="FakeGraphApi"/>, consumed by one request. Either an error answer
/// (<see cref="HttpStatus"/> + Graph <see cref="ErrorCode"/>) or, with <see cref="Delay"/>, a slow success that a client
/// with a shorter timeout sees as a timeout although the message was accepted (the ambiguous case that causes double sends).
/// </summary>
public sealed record FakeGraphFault(int HttpStatus, int? ErrorCode, TimeSpan Delay)
{
    /// <summary>429 with code 130429: throughput exceeded.</summary>
    public static FakeGraphFault Throttled() => new(429, 130429, TimeSpan.Zero);

    /// <summary>500 with code 131000: something went wrong on Meta's side.</summary>
    public static FakeGraphFault ServerError() => new(500, 131000, TimeSpan.Zero);

    /// <summary>Answers normally, but only after <paramref name="delay"/>; the request is still recorded as accepted.</summary>
    public static FakeGraphFault Timeout(TimeSpan delay) => new(200, null, delay);

    /// <summary>The Graph error <paramref name="code"/> (e.g. 131047, 131026) with the HTTP status Meta uses for it.</summary>
    public static FakeGraphFault GraphError(int code) => new(GraphErrorCatalog.Find(code).HttpStatus, code, TimeSpan.Zero);
}
