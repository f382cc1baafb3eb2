using Threadline.Pipeline.Identity;

namespace Threadline.Tests.Pipeline.Identity;

/// <summary>Real-world inputs (fictional numbers: UK 07700 900xxx, US 555-01xx, …) and what they normalise to.</summary>
public class PhoneNumberNormaliserTests
{
    [Theory]
    // The formats in the requirement.
    [InlineData("+49 (0)170 1234567", "DE", "+491701234567", "DE")]
    [InlineData("0049 170 1234567", "DE", "+491701234567", "DE")]
    [InlineData("0170-1234567", "DE", "+491701234567", "DE")]
    [InlineData("(650) 555-1234", "US", "+16505551234", "US")]
    [InlineData("+49 (0)170 1234567", "US", "+491701234567", "DE")]
    [InlineData("0049 170 1234567", "US", "+491701234567", "DE")]           // '+' written as 00 from a NANP default
    [InlineData("011 49 170 1234567", "US", "+491701234567", "DE")]
    [InlineData("+49 0170 1234567", "DE", "+491701234567", "DE")]           // trunk 0 written after the country code
    [InlineData("0170 / 123 45 67", "DE", "+491701234567", "DE")]
    [InlineData("030 1234567", "DE", "+49301234567", "DE")]
    [InlineData("4917012345678", "DE", "+4917012345678", "DE")]             // wa_id-like, no '+'
    // UK and crown dependencies.
    [InlineData("+44 (0)20 7946 0018", "DE", "+442079460018", "GB")]
    [InlineData("07700 900123", "GB", "+447700900123", "GB")]
    [InlineData("+44 7700 900123", "US", "+447700900123", "GB")]
    [InlineData("0044 7700 900123", "FR", "+447700900123", "GB")]
    [InlineData("020 7946 0018", "GB", "+442079460018", "GB")]
    [InlineData("447700900123", "US", "+447700900123", "GB")]               // international without '+'
    [InlineData("+44 1481 123456", "GB", "+441481123456", "GG")]
    [InlineData("01481 123456", "GG", "+441481123456", "GG")]
    // Austria, Switzerland.
    [InlineData("0664 1234567", "AT", "+436641234567", "AT")]
    [InlineData("+43 664 1234567", "DE", "+436641234567", "AT")]
    [InlineData("01 5123456", "AT", "+4315123456", "AT")]
    [InlineData("044 668 18 00", "CH", "+41446681800", "CH")]
    [InlineData("+41 79 123 45 67", "DE", "+41791234567", "CH")]
    [InlineData("0041 79 123 45 67", "CH", "+41791234567", "CH")]
    // France, Italy, Spain, Netherlands.
    [InlineData("06 12 34 56 78", "FR", "+33612345678", "FR")]
    [InlineData("+33 6 12 34 56 78", "GB", "+33612345678", "FR")]
    [InlineData("01.23.45.67.89", "FR", "+33123456789", "FR")]
    [InlineData("06 1234 5678", "IT", "+390612345678", "IT")]               // the Italian leading zero stays
    [InlineData("+39 06 1234 5678", "DE", "+390612345678", "IT")]
    [InlineData("+39 (0)6 1234 5678", "DE", "+390612345678", "IT")]
    [InlineData("333 123 4567", "IT", "+393331234567", "IT")]
    [InlineData("0039 333 1234567", "DE", "+393331234567", "IT")]
    [InlineData("+39 06 69812345", "IT", "+390669812345", "VA")]
    [InlineData("612 34 56 78", "ES", "+34612345678", "ES")]
    [InlineData("+34 912 345 678", "US", "+34912345678", "ES")]
    [InlineData("06-12345678", "NL", "+31612345678", "NL")]
    [InlineData("020 123 4567", "NL", "+31201234567", "NL")]
    // Brazil, Mexico, Argentina.
    [InlineData("(11) 91234-5678", "BR", "+5511912345678", "BR")]
    [InlineData("+55 11 91234-5678", "US", "+5511912345678", "BR")]
    [InlineData("0 11 91234 5678", "BR", "+5511912345678", "BR")]
    [InlineData("0 21 11 91234 5678", "BR", "+5511912345678", "BR")]       // trunk 0 + carrier code 21
    [InlineData("(21) 2345-6789", "BR", "+552123456789", "BR")]
    [InlineData("55 1234 5678", "MX", "+525512345678", "MX")]
    [InlineData("044 55 1234 5678", "MX", "+525512345678", "MX")]         // pre-2019 mobile prefix
    [InlineData("01 55 1234 5678", "MX", "+525512345678", "MX")]          // pre-2019 trunk prefix
    [InlineData("+52 1 55 1234 5678", "US", "+5215512345678", "MX")]       // old mobile form kept; CanonicalKey matches
    [InlineData("+52 55 1234 5678", "MX", "+525512345678", "MX")]
    [InlineData("+54 9 11 1234-5678", "US", "+5491112345678", "AR")]
    [InlineData("011 15-1234-5678", "AR", "+5491112345678", "AR")]         // national mobile: area + 15 + number
    [InlineData("011 4123-4567", "AR", "+541141234567", "AR")]
    // India, US, Canada, Caribbean.
    [InlineData("098765 43210", "IN", "+919876543210", "IN")]
    [InlineData("+91 98765 43210", "GB", "+919876543210", "IN")]
    [InlineData("98765 43210", "IN", "+919876543210", "IN")]
    [InlineData("1-212-555-0123", "US", "+12125550123", "US")]
    [InlineData("212.555.0123", "US", "+12125550123", "US")]
    [InlineData("+1 (212) 555-0123", "DE", "+12125550123", "US")]
    [InlineData("(416) 555-0123", "CA", "+14165550123", "CA")]
    [InlineData("416-555-0123", "US", "+14165550123", "CA")]
    [InlineData("876 555 0123", "JM", "+18765550123", "JM")]
    // Australia, Japan, Russia, Kazakhstan, others.
    [InlineData("0412 345 678", "AU", "+61412345678", "AU")]
    [InlineData("(02) 9876 5432", "AU", "+61298765432", "AU")]
    [InlineData("0011 49 170 1234567", "AU", "+491701234567", "DE")]
    [InlineData("+61 412 345 678", "NZ", "+61412345678", "AU")]
    [InlineData("090-1234-5678", "JP", "+819012345678", "JP")]
    [InlineData("03-1234-5678", "JP", "+81312345678", "JP")]
    [InlineData("010 49 170 1234567", "JP", "+491701234567", "DE")]
    [InlineData("8 (916) 123-45-67", "RU", "+79161234567", "RU")]
    [InlineData("+7 916 123-45-67", "DE", "+79161234567", "RU")]
    [InlineData("810 49 170 1234567", "RU", "+491701234567", "DE")]
    [InlineData("8 701 123 4567", "KZ", "+77011234567", "KZ")]
    [InlineData("06 30 123 4567", "HU", "+36301234567", "HU")]
    [InlineData("+65 6123 4567", "DE", "+6561234567", "SG")]
    // Unicode and stray characters.
    [InlineData("+49\u00A0170\u00A01234567", "DE", "+491701234567", "DE")]  // NBSP
    [InlineData("0170\u20131234567", "DE", "+491701234567", "DE")]          // en dash
    [InlineData("0170\u2014123\u20114567", "DE", "+491701234567", "DE")]    // em dash, non-breaking hyphen
    [InlineData("＋４９ １７０ １２３４５６７", "US", "+491701234567", "DE")]  // full-width
    [InlineData("+٤٩ ١٧٠ ١٢٣٤٥٦٧", "US", "+491701234567", "DE")]             // Arabic-Indic digits
    [InlineData("+४९ १७० १२३४५६७", "US", "+491701234567", "DE")]             // Devanagari digits
    [InlineData("\u200E+49 170 1234567\u200F", "DE", "+491701234567", "DE")] // bidi marks
    [InlineData("'+49 170 1234567", "DE", "+491701234567", "DE")]           // spreadsheet apostrophe
    [InlineData("  +49-170-1234567  ", "DE", "+491701234567", "DE")]
    [InlineData("[+49] 170.123.4567", "DE", "+491701234567", "DE")]
    // Vanity numbers.
    [InlineData("1-800-FLOWERS", "US", "+18003569377", "US")]
    [InlineData("+1 800 GOT JUNK", "DE", "+18004685865", "US")]
    [InlineData("(650) 555-CALL", "US", "+16505552255", "US")]
    public void Normalises_real_world_inputs(string input, string region, string e164, string expectedRegion)
    {
        var result = PhoneNumberNormaliser.Normalise(input, region);
        Assert.Equal(e164, result.E164);
        Assert.Equal(expectedRegion, result.Region);
        Assert.Equal(input, result.Original);
        Assert.NotEqual(PhoneParseStatus.Unparseable, result.Status);
        Assert.Null(result.Extension);
    }

    [Theory]
    [InlineData("+1 650.555.1234 ext. 12", "US", "+16505551234", "12")]
    [InlineData("+1 650 555 1234 x12", "US", "+16505551234", "12")]
    [InlineData("+1 650 555 1234 ext 12", "DE", "+16505551234", "12")]
    [InlineData("(650) 555-1234 #12", "US", "+16505551234", "12")]
    [InlineData("tel:+1-650-555-1234;ext=12", "US", "+16505551234", "12")]
    [InlineData("+1-650-555-1234;ext=987", "US", "+16505551234", "987")]
    [InlineData("069 123456 Durchwahl 789", "DE", "+4969123456", "789")]
    [InlineData("+44 20 7946 0018 extension 4021", "GB", "+442079460018", "4021")]
    public void Splits_off_extensions(string input, string region, string e164, string extension)
    {
        var result = PhoneNumberNormaliser.Normalise(input, region);
        Assert.Equal(e164, result.E164);
        Assert.Equal(extension, result.Extension);
        Assert.Equal(PhoneParseStatus.Valid, result.Status);
    }

    [Theory]
    [InlineData("call me", "DE")]
    [InlineData("", "DE")]
    [InlineData("   ", "US")]
    [InlineData("+", "DE")]
    [InlineData("12", "DE")]
    [InlineData("12", "US")]
    [InlineData("12345678901234567890", "DE")]
    [InlineData("+12345678901234567890", "DE")]
    [InlineData("call me on 0170 1234567", "DE")]
    [InlineData("jane@example.com", "DE")]
    [InlineData("+999 123 456", "DE")]                // unassigned calling code
    [InlineData("+1 055 555 0123", "US")]             // NANP area code starting with 0
    [InlineData("+1 150 555 0123", "US")]             // NANP area code starting with 1
    [InlineData("+1 650 055 1234", "US")]             // NANP exchange starting with 0
    [InlineData("+1 650 155 1234", "US")]             // NANP exchange starting with 1
    [InlineData("555-1234", "US")]                    // 7-digit local NANP number: area code unknown
    [InlineData("0170 1234567", null)]                // national notation and no default region
    [InlineData("0170 1234567", "")]
    [InlineData("+49 170 + 1234567", "DE")]
    [InlineData("+49 123", "DE")]                     // too short
    [InlineData("N/A", "DE")]
    [InlineData("-", "DE")]
    [InlineData("+49 170 1234567 (mobile)", "DE")]
    public void Keeps_unparseable_input_verbatim_with_a_reason(string? input, string? region)
    {
        var result = PhoneNumberNormaliser.Normalise(input, region);
        Assert.Equal(PhoneParseStatus.Unparseable, result.Status);
        Assert.Null(result.E164);
        Assert.Equal(input ?? "", result.Original);
        Assert.False(string.IsNullOrWhiteSpace(result.Reason));
    }

    [Fact]
    public void Null_input_is_unparseable_and_does_not_throw()
    {
        var result = PhoneNumberNormaliser.Normalise(null, "DE");
        Assert.Equal(PhoneParseStatus.Unparseable, result.Status);
        Assert.Equal("", result.Original);
    }

    [Theory]
    [InlineData("+33 6 12 34 56 789", "+336123456789")]   // FR numbers have 9 digits
    [InlineData("+55 11 8123 45678", "+5511812345678")]   // 11 digits in BR need the mobile 9
    [InlineData("+52 2 55 1234 5678", "+5225512345678")]  // 11 digits in MX need the leading 1
    public void Unusual_length_is_normalised_and_flagged(string input, string e164)
    {
        var result = PhoneNumberNormaliser.Normalise(input, "DE");
        Assert.Equal(PhoneParseStatus.ValidLengthUnknown, result.Status);
        Assert.Equal(e164, result.E164);
        Assert.NotNull(result.Reason);
    }

    [Fact]
    public void Unknown_default_region_still_reads_international_numbers()
    {
        Assert.Equal("+491701234567", PhoneNumberNormaliser.Normalise("+49 170 1234567", "ZZ").E164);
        Assert.Equal("+491701234567", PhoneNumberNormaliser.Normalise("0049 170 1234567", "ZZ").E164);
        Assert.Equal(PhoneParseStatus.Unparseable, PhoneNumberNormaliser.Normalise("0170 1234567", "ZZ").Status);
        Assert.Equal("+491701234567", PhoneNumberNormaliser.Normalise("0170 1234567", "de").E164); // region code case-insensitive
    }

    [Fact]
    public void Number_without_trunk_prefix_in_a_trunk_region_is_read_nationally_with_a_note()
    {
        // 17 digits do not fit DE (6–11) and no calling code reading is valid either.
        var result = PhoneNumberNormaliser.Normalise("170 1234567 890", "DE");
        Assert.Equal("+491701234567890", result.E164);
        Assert.Equal(PhoneParseStatus.ValidLengthUnknown, result.Status);
        Assert.Contains("trunk", result.Reason);
    }

    [Theory]
    [InlineData("4917012345678", "+4917012345678", "DE")]
    [InlineData("16505551234", "+16505551234", "US")]
    [InlineData("447700900123", "+447700900123", "GB")]
    [InlineData("5511912345678", "+5511912345678", "BR")]
    [InlineData("551187654321", "+551187654321", "BR")]      // Brazil without the ninth digit
    [InlineData("5215512345678", "+5215512345678", "MX")]
    [InlineData("5491112345678", "+5491112345678", "AR")]
    [InlineData("390612345678", "+390612345678", "IT")]
    public void FromWaId_reads_digits_with_country_code(string waId, string e164, string region)
    {
        var result = PhoneNumberNormaliser.FromWaId(waId);
        Assert.Equal(e164, result.E164);
        Assert.Equal(region, result.Region);
        Assert.Equal(waId, result.Original);
        Assert.Equal(PhoneParseStatus.Valid, result.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("49 170 1234567")]
    [InlineData("abc")]
    [InlineData("999123456")]
    public void FromWaId_rejects_non_ids(string waId) =>
        Assert.Equal(PhoneParseStatus.Unparseable, PhoneNumberNormaliser.FromWaId(waId).Status);

    [Theory]
    [InlineData("+16505551234", "US", "America/Los_Angeles")]
    [InlineData("+12125550123", "US", "America/New_York")]
    [InlineData("+13125550123", "US", "America/Chicago")]
    [InlineData("+13035550123", "US", "America/Denver")]
    [InlineData("+16025550123", "US", "America/Phoenix")]
    [InlineData("+19075550123", "US", "America/Anchorage")]
    [InlineData("+18085550123", "US", "Pacific/Honolulu")]
    [InlineData("+14165550123", "CA", "America/Toronto")]
    [InlineData("+16045550123", "CA", "America/Vancouver")]
    [InlineData("+14035550123", "CA", "America/Edmonton")]
    [InlineData("+12045550123", "CA", "America/Winnipeg")]
    [InlineData("+19025550123", "CA", "America/Halifax")]
    [InlineData("+17095550123", "CA", "America/St_Johns")]
    [InlineData("+18765550123", "JM", "America/Jamaica")]
    [InlineData("+17875550123", "PR", "America/Puerto_Rico")]
    [InlineData("+18295550123", "DO", "America/Santo_Domingo")]
    [InlineData("+4917012345678", "DE", "Europe/Berlin")]
    [InlineData("+5511912345678", "BR", "America/Sao_Paulo")]
    [InlineData("+447700900123", "GB", "Europe/London")]
    [InlineData("+441534123456", "JE", "Europe/Jersey")]
    [InlineData("+77011234567", "KZ", "Asia/Almaty")]
    [InlineData("+79161234567", "RU", "Europe/Moscow")]
    [InlineData("+390612345678", "IT", "Europe/Rome")]
    [InlineData("+358181234567", "AX", "Europe/Mariehamn")]
    [InlineData("+819012345678", "JP", "Asia/Tokyo")]
    [InlineData("+919876543210", "IN", "Asia/Kolkata")]
    public void RegionOf_and_TimeZoneOf(string e164, string region, string zone)
    {
        Assert.Equal(region, PhoneNumberNormaliser.RegionOf(e164));
        Assert.Equal(zone, PhoneNumberNormaliser.TimeZoneOf(e164));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4917012345678")]
    [InlineData("+")]
    [InlineData("+999123")]
    [InlineData("+49 170")]
    public void RegionOf_is_null_for_non_E164(string input)
    {
        Assert.Null(PhoneNumberNormaliser.RegionOf(input));
        Assert.Null(PhoneNumberNormaliser.TimeZoneOf(input));
    }

    [Fact]
    public void Toll_free_NANP_numbers_have_no_time_zone()
    {
        Assert.Equal("US", PhoneNumberNormaliser.RegionOf("+18005550123"));
        Assert.Null(PhoneNumberNormaliser.TimeZoneOf("+18005550123"));
    }

    [Fact]
    public void Brazil_ninth_digit_only_for_mobile_subscribers()
    {
        // 9 1234 5678 without its 9 would be 1234 5678, which does not start with 6–9: not a mobile, no variant.
        Assert.Equal(["+5511912345678"], PhoneNumberNormaliser.WhatsAppVariants("+5511912345678"));
        Assert.Equal("+5511912345678", PhoneNumberNormaliser.CanonicalKey("+5511912345678"));
    }

    [Theory]
    [InlineData("+5511987654321", "+551187654321", "+5511987654321")]
    [InlineData("+551187654321", "+5511987654321", "+5511987654321")]
    [InlineData("+5215512345678", "+525512345678", "+525512345678")]
    [InlineData("+525512345678", "+5215512345678", "+525512345678")]
    [InlineData("+5491112345678", "+541112345678", "+5491112345678")]
    [InlineData("+541112345678", "+5491112345678", "+5491112345678")]
    public void WhatsApp_variants_and_canonical_key(string e164, string variant, string key)
    {
        Assert.Equal([e164, variant], PhoneNumberNormaliser.WhatsAppVariants(e164));
        Assert.Equal(key, PhoneNumberNormaliser.CanonicalKey(e164));
        Assert.Equal(key, PhoneNumberNormaliser.CanonicalKey(variant));
    }

    [Theory]
    [InlineData("+552123456789")]   // Brazil landline (subscriber starts with 2): no ninth-digit variant
    [InlineData("+491701234567")]
    [InlineData("+16505551234")]
    [InlineData("not a number")]
    public void Numbers_without_quirks_are_their_own_key(string e164)
    {
        Assert.Equal([e164], PhoneNumberNormaliser.WhatsAppVariants(e164));
        Assert.Equal(e164, PhoneNumberNormaliser.CanonicalKey(e164));
    }

    [Fact]
    public void WhatsApp_id_and_typed_number_of_the_same_person_share_a_key()
    {
        var typed = PhoneNumberNormaliser.Normalise("(11) 98765-4321", "BR").E164!;
        var waId = PhoneNumberNormaliser.FromWaId("551187654321").E164!;
        Assert.NotEqual(typed, waId);
        Assert.Equal(PhoneNumberNormaliser.CanonicalKey(typed), PhoneNumberNormaliser.CanonicalKey(waId));

        var mxTyped = PhoneNumberNormaliser.Normalise("55 1234 5678", "MX").E164!;
        var mxWa = PhoneNumberNormaliser.FromWaId("5215512345678").E164!;
        Assert.Equal(PhoneNumberNormaliser.CanonicalKey(mxTyped), PhoneNumberNormaliser.CanonicalKey(mxWa));

        var arTyped = PhoneNumberNormaliser.Normalise("011 15-1234-5678", "AR").E164!;
        var arWa = PhoneNumberNormaliser.FromWaId("541112345678").E164!;
        Assert.Equal(PhoneNumberNormaliser.CanonicalKey(arTyped), PhoneNumberNormaliser.CanonicalKey(arWa));
    }
}
