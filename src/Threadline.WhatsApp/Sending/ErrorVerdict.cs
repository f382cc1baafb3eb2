namespace Threadline.WhatsApp.Sending;

/// <summary>
/// The policy's decision about one error. The <paramref name="Reason"/> is a sentence meant for the outbox row and the
/// agent's screen, so that nobody has to look the code up; the <paramref name="Code"/> is kept for metrics and queries.
/// </summary>
public sealed record ErrorVerdict(ErrorReaction Reaction, string Reason, int Code);
