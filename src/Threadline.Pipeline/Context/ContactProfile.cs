namespace Threadline.Pipeline.Context;

/// <summary>The contact's open deal as routing and follow-ups use it.</summary>
public sealed record DealInfo(string Stage, decimal? Value, string? Currency, string? Owner = null, long? Id = null);

/// <summary>The CRM facts about a contact that the decision stages read.</summary>
/// <param name="Phone">The number in E.164, when known: it gives the country, hence a language and time-zone guess.</param>
/// <param name="TimeZone">An IANA zone a person stored; null means: derive it from the number.</param>
/// <param name="Language">A language a person stored or an earlier message showed; null when unknown.</param>
public sealed record ContactProfile(
    long Id, string? Name, string? Phone, string? Owner, bool Vip, bool OptedOut, string? TimeZone, string? Language, DealInfo? Deal)
{
    public static ContactProfile Unknown(long id) => new(id, null, null, null, false, false, null, null, null);

    /// <summary>The contact's business-scoped WhatsApp user id (BSUID), when known: how to reach a user without a visible number.</summary>
    public string? UserId { get; init; }
}
