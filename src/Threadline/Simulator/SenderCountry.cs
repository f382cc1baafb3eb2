namespace Threadline.Simulator;

/// <summary>
/// A country a simulated customer's number comes from: dialling prefix, how many random digits follow, the BSUID
/// country prefix, the currency for orders, whether they write German, and a city for shared locations.
/// </summary>
internal sealed record SenderCountry(
    string Iso,
    string[] Prefixes,
    int RandomDigits,
    string Currency,
    bool German,
    double Latitude,
    double Longitude,
    string City)
{
    /// <summary>Formats: 49 1xx…, 1 NXX…, 55 11 9…, 52 1 55…, 44 7…, 91 9….</summary>
    public static readonly IReadOnlyList<SenderCountry> All =
    [
        new("DE", ["49151", "49160", "49170", "49176"], 8, "EUR", true, 52.5200, 13.4050, "Berlin"),
        new("US", ["1212", "1415", "1312", "1617"], 7, "USD", false, 40.7128, -74.0060, "New York"),
        new("BR", ["55119"], 8, "BRL", false, -23.5505, -46.6333, "São Paulo"),
        new("MX", ["52155"], 8, "MXN", false, 19.4326, -99.1332, "Ciudad de México"),
        new("GB", ["447"], 9, "GBP", false, 51.5074, -0.1278, "London"),
        new("IN", ["919", "918", "917"], 9, "INR", false, 19.0760, 72.8777, "Mumbai"),
    ];

    public string NewPhone(Random rng) => Prefixes[rng.Next(Prefixes.Length)] + Digits(rng, RandomDigits);

    /// <summary>A BSUID like <c>DE.1234567890123456789</c> (19 digits after the country).</summary>
    public string NewUserId(Random rng) => $"{Iso}.{rng.Next(1, 10)}{Digits(rng, 18)}";

    public static string Digits(Random rng, int count)
    {
        Span<char> chars = stackalloc char[count];
        for (int i = 0; i < count; i++)
            chars[i] = (char)('0' + rng.Next(10));
        return new string(chars);
    }
}
