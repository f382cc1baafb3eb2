using System.Security.Cryptography;
using System.Text;

namespace Threadline.WhatsApp.Webhooks;

/// <summary>
/// The <c>X-Hub-Signature-256</c> check: <c>sha256=</c> + lowercase hex HMAC-SHA256 of the raw body, keyed with the app
/// secret. Computed over the bytes exactly as received (Meta signs its own escaped serialisation: never re-serialise).
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    /// <summary>The header value WhatsApp would send for <paramref name="body"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> body, string appSecret)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>True when <paramref name="header"/> is a well-formed signature of <paramref name="body"/> (constant-time compare).</summary>
    public static bool IsValid(ReadOnlySpan<byte> body, string? header, string appSecret)
    {
        if (header is null || header.Length != Prefix.Length + 64 || !header.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), given, out _, out int written) != System.Buffers.OperationStatus.Done || written != 32)
            return false;
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, expected);
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
