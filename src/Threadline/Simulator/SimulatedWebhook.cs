namespace Threadline.Simulator;

/// <summary>
/// One webhook POST as Meta would send it: the exact body bytes and the <c>X-Hub-Signature-256</c> header over them.
/// </summary>
/// <param name="Body">UTF-8 JSON body; send it unchanged (the signature covers these bytes).</param>
/// <param name="Signature">Header value <c>sha256=…</c> for <paramref name="Body"/>.</param>
/// <param name="Kind">What the body carries: <c>messages.{type}</c> (or <c>messages.batch</c> for several messages),
/// <c>message_echoes.{type}</c>, <c>statuses.{status}</c> or <c>user_preferences.{value}</c>.</param>
/// <param name="MessageIds">The inbound and echo wamids carried by this body (empty for statuses and preferences).</param>
/// <param name="IsDuplicateDelivery">True when this is a byte-identical re-delivery of an earlier body.</param>
public sealed record SimulatedWebhook(
    byte[] Body,
    string Signature,
    string Kind,
    IReadOnlyList<string> MessageIds,
    bool IsDuplicateDelivery);
