namespace Threadline.Pipeline.Identity;

/// <summary>How far a phone number could be normalised.</summary>
public enum PhoneParseStatus
{
    /// <summary>Normalised to E.164 and the national number length is one the region uses.</summary>
    Valid,

    /// <summary>Normalised to E.164 (the calling code is known) but the national number length is not in the table: kept, flagged.</summary>
    ValidLengthUnknown,

    /// <summary>Not a phone number we can read: <see cref="PhoneParse.Original"/> is kept verbatim, <see cref="PhoneParse.Reason"/> says why.</summary>
    Unparseable,
}

/// <summary>
/// The result of normalising one phone number. Never loses the input: <see cref="Original"/> is always the text as given.
/// </summary>
/// <param name="Original">The input exactly as given (empty for null).</param>
/// <param name="E164">The number in E.164 (<c>+</c> and up to 15 digits), null when <see cref="Status"/> is <see cref="PhoneParseStatus.Unparseable"/>.</param>
/// <param name="Region">ISO 3166 region of the number, when known.</param>
/// <param name="Extension">Extension digits (<c>ext. 12</c>, <c>x12</c>, <c>#12</c>, <c>;ext=12</c>), null when none.</param>
/// <param name="Status">Whether the number is valid, normalised with an unusual length, or unparseable.</param>
/// <param name="Reason">Why the number is flagged or unparseable, or a note on how an ambiguous input was read; null when there is nothing to say.</param>
public sealed record PhoneParse(string Original, string? E164, string? Region, string? Extension, PhoneParseStatus Status, string? Reason)
{
    /// <summary>True when <see cref="E164"/> is set (Valid or ValidLengthUnknown).</summary>
    public bool HasE164 => E164 is not null;
}
