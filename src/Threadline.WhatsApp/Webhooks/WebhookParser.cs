using Threadline.Pipeline.Capture;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>The outcome of parsing one webhook body: a batch, or a clear reason why the body cannot be read.</summary>
public sealed record WebhookParseResult(WebhookBatch? Batch, string? Error)
{
    public bool IsSuccess => Batch is not null;
}

/// <summary>Parses a raw (already signature-checked) webhook body into Threadline's model.</summary>
public static class WebhookParser
{
    public static WebhookParseResult Parse(ReadOnlySpan<byte> body) => new(null, "not implemented yet");
}
