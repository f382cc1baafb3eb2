using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Threadline.Pipeline.Identity;

/// <summary>
/// Normalises phone numbers as people type them (and WhatsApp <c>wa_id</c>s) to E.164, driven by <see cref="RegionTable"/>.
/// A small, deliberate subset of libphonenumber: calling codes, trunk and international prefixes, national number lengths,
/// NANP structure, the Italian leading zero and WhatsApp's Brazil/Mexico/Argentina id quirks. Pure; never throws.
/// </summary>
/// <remarks>
/// How a number without <c>+</c> is read with a default region (first match wins):
/// <list type="number">
/// <item>starts with one of the region's international prefixes, or <c>00</c> → international;</item>
/// <item>starts with the region's trunk prefix (NANP: <c>1</c> followed by 10 digits) → national, trunk removed;</item>
/// <item>its length is a valid national length of the region → national as written (e.g. Italy, Spain, <c>(650) 555-1234</c>);</item>
/// <item>starts with the region's own calling code and the rest has a valid length → international without <c>+</c>;</item>
/// <item>11 digits or more and it reads as another calling code with a valid length → international without <c>+</c> (noted in Reason);</item>
/// <item>otherwise national as written (noted in Reason; flagged when the length is not in the table).</item>
/// </list>
/// </remarks>
public static partial class PhoneNumberNormaliser
{
    private const int MaxInputLength = 120;
    private const char ParenZero = '\u0001';

    private static RegionTable Table => RegionTable.Default;

    /// <summary>
    /// Normalises <paramref name="input"/> to E.164, reading national notation in <paramref name="defaultRegion"/>
    /// (ISO 3166 code, the business's <c>Business:DefaultRegion</c>; null or unknown means international notation only).
    /// </summary>
    public static PhoneParse Normalise(string? input, string? defaultRegion)
    {
        var original = input ?? "";
        try
        {
            var result = NormaliseCore(original, defaultRegion, out var hadLetters);
            // Letters that did not make a vanity number: say so rather than "too long".
            return hadLetters && result.Status == PhoneParseStatus.Unparseable
                ? result with { Reason = "contains text (not a vanity number): " + result.Reason }
                : result;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Defensive: a phone number never takes the pipeline down. Tests assert this branch is never reached.
            return Bad(original, null, "internal error: " + ex.GetType().Name);
        }
    }

    /// <summary>
    /// Normalises a WhatsApp <c>wa_id</c> (digits with the country code, no <c>+</c>) to E.164.
    /// The variant WhatsApp uses is kept as given; use <see cref="CanonicalKey"/> to match the same person.
    /// </summary>
    public static PhoneParse FromWaId(string? waId)
    {
        var original = waId ?? "";
        var trimmed = original.Trim();
        if (trimmed.StartsWith('+')) trimmed = trimmed[1..];
        if (trimmed.Length == 0 || !trimmed.All(char.IsAsciiDigit))
            return Bad(original, null, "wa_id is not digits");
        // Hot path (every inbound message): plain digits need none of Normalise's folding, extension or separator
        // handling, so go straight to the international reading it would reach ("+" then digits). Same result,
        // ~10× cheaper; the property test FromWaId(digits) == Normalise("+" + digits) holds it to that.
        if (trimmed.Length > 20) return Bad(original, null, "too long: more digits than any phone number");
        try
        {
            return International(new Parsed(original, trimmed, -1, null), 0, null) with { Original = original };
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or InvalidOperationException or FormatException)
        {
            return Normalise("+" + trimmed, null) with { Original = original };
        }
    }

    /// <summary>
    /// The ISO 3166 region of an E.164 number: the NANP area-code table for +1 (main region US when the area code is not in it),
    /// leading digits for shared codes that have them (e.g. +7 7… → KZ), else the calling code's main region. Null when not E.164
    /// or the calling code is unknown.
    /// </summary>
    public static string? RegionOf(string? e164) => Split(e164) is var (cc, nsn) ? RegionFor(cc, nsn, out _)?.Region : null;

    /// <summary>
    /// The IANA time zone of an E.164 number: the NANP area code's zone for +1 (null for non-geographic codes such as 800),
    /// else the primary zone of <see cref="RegionOf"/>.
    /// </summary>
    public static string? TimeZoneOf(string? e164)
    {
        if (Split(e164) is not var (cc, nsn)) return null;
        if (cc == "1" && nsn.Length >= 3 && Table.NanpArea(nsn[..3]) is { } area) return area.TimeZone;
        return RegionFor(cc, nsn, out _)?.TimeZone;
    }

    /// <summary>
    /// Every E.164 form WhatsApp may use for the same person as <paramref name="e164"/>, the input first:
    /// Brazil with and without the mobile ninth digit, Mexico with and without the <c>1</c> after 52, Argentina with and
    /// without the mobile <c>9</c> after 54. A number without quirks (or not E.164) yields just itself.
    /// </summary>
    public static IReadOnlyList<string> WhatsAppVariants(string e164)
    {
        ArgumentNullException.ThrowIfNull(e164);
        if (Split(e164) is not var (cc, nsn)) return [e164];
        var other = cc switch
        {
            // Brazil: AA + 9 + [6-9]XXXXXXX (mobile, 11 digits) ↔ AA + [6-9]XXXXXXX (10 digits).
            "55" when nsn.Length == 11 && nsn[2] == '9' && nsn[3] is >= '6' and <= '9' => nsn[..2] + nsn[3..],
            "55" when nsn.Length == 10 && nsn[2] is >= '6' and <= '9' => nsn[..2] + "9" + nsn[2..],
            // Mexico: 1 + 10 digits ↔ 10 digits.
            "52" when nsn.Length == 11 && nsn[0] == '1' => nsn[1..],
            "52" when nsn.Length == 10 => "1" + nsn,
            // Argentina: 9 + 10 digits ↔ 10 digits.
            "54" when nsn.Length == 11 && nsn[0] == '9' => nsn[1..],
            "54" when nsn.Length == 10 => "9" + nsn,
            _ => null,
        };
        return other is null ? [e164] : [e164, "+" + cc + other];
    }

    /// <summary>
    /// One key for all <see cref="WhatsAppVariants"/> of a person: Brazil mobiles with the ninth digit, Mexico without the
    /// <c>1</c>, Argentina with the <c>9</c>; every other number is its own key. Index identities by this.
    /// </summary>
    public static string CanonicalKey(string e164)
    {
        ArgumentNullException.ThrowIfNull(e164);
        if (Split(e164) is not var (cc, nsn)) return e164;
        var variants = WhatsAppVariants(e164);
        if (variants.Count == 1) return e164;
        var lengths = variants.Select(v => (v, v.Length - 1 - cc.Length)).ToList();
        return cc switch
        {
            "55" or "54" => lengths.First(x => x.Item2 == 11).v,
            "52" => lengths.First(x => x.Item2 == 10).v,
            _ => e164,
        };
    }

    // ---------------------------------------------------------------- parsing

    private static PhoneParse NormaliseCore(string original, string? defaultRegion, out bool hadLetters)
    {
        hadLetters = false;
        if (string.IsNullOrWhiteSpace(original)) return Bad(original, null, "empty");
        if (original.Length > MaxInputLength) return Bad(original, null, "too long to be a phone number");

        var s = Fold(original).Trim();
        if (s.StartsWith("tel:", StringComparison.OrdinalIgnoreCase)) s = s[4..].Trim();

        string? extension = null;
        var ext = ExtensionRx().Match(s);
        if (ext.Success)
        {
            extension = ext.Groups["ext"].Value;
            s = ext.Groups["main"].Value;
        }
        s = ParenZeroRx().Replace(s, ParenZero.ToString());

        // Scan: digits, an optional leading '+', separators, stray punctuation, vanity letters.
        var sb = new StringBuilder(s.Length);
        var plus = false;
        var parenZeroAt = -1;
        var letters = 0;
        var digitsAfterLetters = 0;
        foreach (var c in s)
        {
            if (char.IsAsciiDigit(c))
            {
                sb.Append(c);
                if (letters > 0) digitsAfterLetters++;
            }
            else if (c == '+')
            {
                if (sb.Length > 0 || letters > 0) return Bad(original, extension, "'+' inside the number");
                plus = true;
            }
            else if (c == ParenZero)
            {
                if (sb.Length == 0 || parenZeroAt >= 0 || letters > 0) sb.Append('0');
                else parenZeroAt = sb.Length;
            }
            else if (IsSeparator(c) || IsStray(c))
            {
            }
            else if (char.IsAsciiLetter(c))
            {
                // Vanity numbers (1-800-FLOWERS): letters only after at least three digits, a word's worth at most.
                if (sb.Length < 3) return Bad(original, extension, "contains text");
                letters++;
                hadLetters = true;
                sb.Append(Keypad(c));
            }
            else
            {
                return Bad(original, extension, $"unexpected character '{c}'");
            }
        }
        if (letters > 10 || digitsAfterLetters > 4) return Bad(original, extension, "contains text");
        if (sb.Length == 0) return Bad(original, extension, "no digits");
        if (sb.Length > 20) return Bad(original, extension, "too long: more digits than any phone number");

        var p = new Parsed(original, sb.ToString(), parenZeroAt, extension);
        var region = Table.ByRegion(defaultRegion);
        if (plus) return International(p, 0, null);

        if (region is null)
        {
            var note = string.IsNullOrWhiteSpace(defaultRegion)
                ? "no '+' and no default region; read as international"
                : $"unknown default region '{defaultRegion}'; read as international";
            if (p.Digits.StartsWith("00", StringComparison.Ordinal)) return International(p, 2, null);
            var asIntl = International(p, 0, note);
            return asIntl.Status == PhoneParseStatus.Unparseable
                ? Bad(original, extension, string.IsNullOrWhiteSpace(defaultRegion)
                    ? "no country code and no default region"
                    : $"no country code and unknown default region '{defaultRegion}'")
                : asIntl;
        }

        var digits = p.Digits;
        // 1. International prefix of the default region, or '+' written as 00.
        foreach (var prefix in region.InternationalPrefixes.Append("00").Distinct().OrderByDescending(x => x.Length))
            if (digits.Length > prefix.Length && digits.StartsWith(prefix, StringComparison.Ordinal))
                return International(p, prefix.Length, null);

        var all = p.WithZero();
        // 2. Trunk prefix.
        foreach (var trunk in region.TrunkPrefixes.OrderByDescending(x => x.Length))
        {
            if (!all.StartsWith(trunk, StringComparison.Ordinal)) continue;
            var rest = all[trunk.Length..];
            if (region.IsNanp && rest.Length != 10) continue;
            if (region.Region == "BR" && rest.Length is 12 or 13) rest = rest[2..]; // 0 + carrier code (e.g. 0 21 11 …)
            return Finish(p, region.CallingCode, rest, region, null);
        }

        // 3. A valid national length as written.
        if (region.IsNanp ? all.Length == 10 : region.NationalLengths.Contains(all.Length))
            return Finish(p, region.CallingCode, all, region, null);

        // 4. The region's own calling code without '+'.
        if (all.StartsWith(region.CallingCode, StringComparison.Ordinal))
        {
            var own = International(p, 0, "international number written without '+'");
            if (own.Status == PhoneParseStatus.Valid) return own;
        }

        // 5. Another calling code without '+', for numbers long enough to carry one.
        if (all.Length >= 11)
        {
            var other = International(p, 0, "international number written without '+'");
            if (other.Status == PhoneParseStatus.Valid) return other;
        }

        // 6. National as written.
        return Finish(p, region.CallingCode, all, region,
            region.TrunkPrefixes.Count > 0 && !region.IsNanp ? "read as a national number without trunk prefix" : null);
    }

    private sealed record Parsed(string Original, string Digits, int ParenZeroAt, string? Extension)
    {
        public string WithZero() => ParenZeroAt < 0 ? Digits : Digits.Insert(ParenZeroAt, "0");
    }

    private static PhoneParse International(Parsed p, int start, string? note)
    {
        var rest = p.Digits[start..];
        var cc = Table.MatchCallingCode(rest);
        if (cc is null) return Bad(p.Original, p.Extension, "unknown country calling code");
        var nsn = rest[cc.Length..];
        var main = Table.MainFor(cc)!;
        if (p.ParenZeroAt >= 0)
        {
            var at = p.ParenZeroAt - start - cc.Length;
            if (at < 0) return Bad(p.Original, p.Extension, "'(0)' inside the country calling code");
            // "+49 (0)170 …": the (0) is the trunk prefix, dropped; Italy and other regions without a trunk prefix keep the 0.
            var keep = at > 0 || main.TrunkPrefixes.Count == 0;
            if (keep) nsn = nsn.Insert(at, "0");
        }
        return Finish(p, cc, nsn, null, note);
    }

    private static PhoneParse Finish(Parsed p, string cc, string nsn, RegionInfo? defaultRegion, string? note)
    {
        var main = Table.MainFor(cc)!;
        // "+49 0170 …": a trunk prefix written after the calling code. Only for trunk prefixes starting with 0:
        // those regions never begin a national number with 0 (Italy has no trunk prefix and keeps its 0).
        for (var stripped = true; stripped;)
        {
            stripped = false;
            foreach (var trunk in main.TrunkPrefixes)
                if (trunk[0] == '0' && nsn.Length > trunk.Length && nsn.StartsWith(trunk, StringComparison.Ordinal))
                {
                    nsn = nsn[trunk.Length..];
                    stripped = true;
                    break;
                }
        }

        if (cc == "54") nsn = ArgentinaNationalMobile(nsn);

        if (nsn.Length == 0) return Bad(p.Original, p.Extension, "no national number after the country calling code");
        if (cc == "1")
        {
            if (nsn.Length != 10) return Bad(p.Original, p.Extension, $"NANP numbers have 10 digits, found {nsn.Length}");
            if (nsn[0] is '0' or '1') return Bad(p.Original, p.Extension, "NANP area code cannot start with 0 or 1");
            if (nsn[1] == '1' && nsn[2] == '1') return Bad(p.Original, p.Extension, "NANP area code cannot be N11");
            if (nsn[3] is '0' or '1') return Bad(p.Original, p.Extension, "NANP exchange code cannot start with 0 or 1");
        }
        if (cc.Length + nsn.Length > 15) return Bad(p.Original, p.Extension, $"too long: {cc.Length + nsn.Length} digits, E.164 allows 15");

        var info = RegionFor(cc, nsn, out var certain)!;
        if (!certain && defaultRegion is not null && defaultRegion.CallingCode == cc) info = defaultRegion;
        // Too short for every region of the calling code: not a number. (Short for the resolved region only: flagged below.)
        var minLength = Table.ByCallingCode(cc).Min(r => r.MinLength);
        if (nsn.Length < minLength)
            return Bad(p.Original, p.Extension, $"too short: {nsn.Length}-digit national number, +{cc} numbers have at least {minLength}");

        var e164 = "+" + cc + nsn;
        var lengthOk = info.NationalLengths.Contains(nsn.Length) && QuirkLengthOk(cc, nsn);
        if (!lengthOk)
        {
            var why = $"{nsn.Length}-digit national number is not a known length for {info.Region} ({string.Join('|', info.NationalLengths)})";
            return new PhoneParse(p.Original, e164, info.Region, p.Extension, PhoneParseStatus.ValidLengthUnknown, note is null ? why : note + "; " + why);
        }
        return new PhoneParse(p.Original, e164, info.Region, p.Extension, PhoneParseStatus.Valid, note);
    }

    /// <summary>The long forms of Mexico (1 + 10), Argentina (9 + 10) and Brazil (AA + 9 + 8) need their marker digit.</summary>
    private static bool QuirkLengthOk(string cc, string nsn) => cc switch
    {
        "52" => nsn.Length != 11 || nsn[0] == '1',
        "54" => nsn.Length != 11 || nsn[0] == '9',
        "55" => nsn.Length != 11 || nsn[2] == '9',
        _ => true,
    };

    /// <summary>
    /// Argentina's national mobile notation, area code + 15 + subscriber (12 digits, e.g. 11 15 1234 5678), becomes the
    /// international mobile form 9 + area code + subscriber. Area codes are 2–4 digits; the shortest reading wins.
    /// </summary>
    private static string ArgentinaNationalMobile(string nsn)
    {
        if (nsn.Length != 12 || nsn[0] == '9') return nsn;
        for (var area = 2; area <= 4; area++)
            if (nsn[area] == '1' && nsn[area + 1] == '5')
                return "9" + nsn[..area] + nsn[(area + 2)..];
        return nsn;
    }

    private static RegionInfo? RegionFor(string cc, string nsn, out bool certain)
    {
        certain = true;
        if (cc == "1" && nsn.Length >= 3 && Table.NanpArea(nsn[..3]) is { } area) return Table.ByRegion(area.Region);
        var all = Table.ByCallingCode(cc);
        if (all.Count == 0) return null;
        foreach (var r in all)
            if (!r.Main && r.LeadingDigits.Any(d => nsn.StartsWith(d, StringComparison.Ordinal)))
                return r;
        certain = all.Count == 1;
        return Table.MainFor(cc);
    }

    /// <summary>Calling code and national number of an E.164 string, or null.</summary>
    private static (string Cc, string Nsn)? Split(string? e164)
    {
        if (e164 is null || e164.Length < 3 || e164.Length > 16 || e164[0] != '+') return null;
        var digits = e164.AsSpan(1);
        foreach (var c in digits)
            if (!char.IsAsciiDigit(c)) return null;
        var cc = Table.MatchCallingCode(digits);
        return cc is null ? null : (cc, digits[cc.Length..].ToString());
    }

    private static PhoneParse Bad(string original, string? extension, string reason) =>
        new(original, null, null, extension, PhoneParseStatus.Unparseable, reason);

    /// <summary>
    /// Compatibility-folds the text (full-width digits and '+', NBSP), maps every Unicode decimal digit to ASCII,
    /// whitespace to ' ', dashes and minus signs to '-', and drops invisible format characters (bidi marks, zero-width space).
    /// </summary>
    private static string Fold(string input)
    {
        string s;
        try
        {
            s = input.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            s = input; // ill-formed UTF-16: fold rune by rune below (bad surrogates become U+FFFD)
        }
        var sb = new StringBuilder(s.Length);
        foreach (var rune in s.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(rune);
            if (cat == UnicodeCategory.DecimalDigitNumber) sb.Append((char)('0' + (int)Rune.GetNumericValue(rune)));
            else if (Rune.IsWhiteSpace(rune)) sb.Append(' ');
            else if (cat == UnicodeCategory.DashPunctuation || rune.Value == 0x2212) sb.Append('-');
            else if (cat == UnicodeCategory.Format) continue;
            else sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    private static bool IsSeparator(char c) => c is ' ' or '.' or '-' or '/' or '(' or ')' or '[' or ']' or '\\';

    private static bool IsStray(char c) => c is '\'' or '"' or '`' or '*' or ',' or ':' or '_' or '~' or '‘' or '’' or '“' or '”' or '«' or '»';

    /// <summary>ITU-T E.161 keypad: ABC 2, DEF 3, GHI 4, JKL 5, MNO 6, PQRS 7, TUV 8, WXYZ 9.</summary>
    private static char Keypad(char letter) => char.ToUpperInvariant(letter) switch
    {
        <= 'C' => '2',
        <= 'F' => '3',
        <= 'I' => '4',
        <= 'L' => '5',
        <= 'O' => '6',
        <= 'S' => '7',
        <= 'V' => '8',
        _ => '9',
    };

    [GeneratedRegex(@"^(?<main>.*?[0-9].*?)[\s,]*(?:;\s*ext\s*=\s*|(?:extension|extn|ext|x|\#|durchwahl|dw|poste)\.?\s*[:.=]?\s*)(?<ext>[0-9]{1,10})\s*\#?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExtensionRx();

    [GeneratedRegex(@"\(\s*0\s*\)")]
    private static partial Regex ParenZeroRx();
}
