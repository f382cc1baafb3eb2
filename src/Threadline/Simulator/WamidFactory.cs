using System.Text;

namespace Threadline.Simulator;

/// <summary>
/// Builds message ids shaped like Meta's: <c>wamid.</c> + base64 of a small protobuf-like blob carrying the chat's
/// digits and a 20-hex-digit message key. The key is a bijective scramble of a per-run counter plus random bits, so
/// ids are unique within a run (a hard guarantee, not a probability) yet look random.
/// </summary>
internal static class WamidFactory
{
    public static string Create(string chatDigits, uint sequence, Random rng)
    {
        uint scrambled = sequence * 0x9E3779B1u; // odd multiplier: a bijection on uint
        scrambled ^= scrambled >> 16;            // xor-shift: also a bijection
        string key = scrambled.ToString("X8") + ((ulong)rng.NextInt64() & 0xFFFF_FFFF_FFFF).ToString("X12");
        return Create(chatDigits, key);
    }

    /// <summary>Same layout with a caller-supplied 20-character key (used by the fake Graph API).</summary>
    public static string Create(string chatDigits, string key)
    {
        var blob = new List<byte> { 0x1C, 0x18, (byte)chatDigits.Length };
        blob.AddRange(Encoding.ASCII.GetBytes(chatDigits));
        blob.AddRange([0x15, 0x02, 0x00, 0x12, 0x18, (byte)key.Length]);
        blob.AddRange(Encoding.ASCII.GetBytes(key));
        blob.Add(0x00);
        return "wamid." + Convert.ToBase64String(blob.ToArray());
    }
}
