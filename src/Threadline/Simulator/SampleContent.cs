namespace Threadline.Simulator;

/// <summary>
/// Built-in names and texts. Deliberately includes umlauts, accents, quotes, emoji and newlines so the receiver's
/// handling of escaped JSON is exercised on every run.
/// </summary>
internal static class SampleContent
{
    public static readonly IReadOnlyDictionary<string, string[]> NamesByCountry = new Dictionary<string, string[]>
    {
        ["DE"] = ["Anna Schmidt", "Lukas Müller", "Jürgen Weiß", "Sophie Becker", "Mehmet Yılmaz", "Lena 🌸"],
        ["US"] = ["Emily Johnson", "Michael O'Brien", "Tom \"TJ\" Jones", "Ashley Davis", "Chris"],
        ["BR"] = ["João Silva", "Ana Souza", "Luíza Carvalho", "Pedro Araújo"],
        ["MX"] = ["José García", "María Hernández", "Sofía López", "Diego Martínez"],
        ["GB"] = ["Oliver Smith", "Amelia Brown", "Harry Wilson"],
        ["IN"] = ["Priya Sharma", "Rahul Verma", "Ananya Iyer", "Arjun Reddy"],
    };

    public static readonly string[] EnglishTexts =
    [
        "Hi, is this still available?", "How much is the large one?", "What's the price for 3 pieces?",
        "Thanks a lot!", "ok", "Ok 👍", "thank you 🙏", "Can I book an appointment for Tuesday at 10am?",
        "Do you have anything free tomorrow afternoon?", "My order hasn't arrived yet. This is the second time!",
        "The item was damaged when it arrived 😡", "Do you ship to Brazil?", "Where are you located?",
        "Can you send me the invoice again?", "Great, see you then", "Sorry, I need to reschedule.\nIs Friday possible?",
        "What are your opening hours?", "Is there a discount for students?", "I'd like to cancel my subscription",
        "Price for \"Model X\" <with> case & charger?", "👍", "Hello?? Anyone there?",
    ];

    public static readonly string[] GermanTexts =
    [
        "Hallo, ist das noch verfügbar?", "Was kostet das große Modell?", "Wie teuer sind 3 Stück?", "danke",
        "Danke schön! 😊", "ok", "Passt 👍", "Kann ich einen Termin für Dienstag um 10 Uhr bekommen?",
        "Haben Sie morgen Nachmittag noch etwas frei?", "Meine Bestellung ist immer noch nicht da. Das ist ärgerlich!",
        "Die Ware kam beschädigt an 😡", "Liefern Sie auch nach Österreich?", "Wo finde ich Sie?",
        "Können Sie mir die Rechnung nochmal schicken?", "Super, bis dann", "Sorry, ich muss den Termin verschieben.\nGeht Freitag?",
        "Wie sind Ihre Öffnungszeiten?", "Gibt es Rabatt für Studenten?", "Ich möchte mein Abo kündigen",
        "Preis für „Modell X“ inkl. Hülle & Ladegerät?", "Grüße aus München 🥨",
    ];

    public static readonly string[] EnglishReplies =
    [
        "Hi {0}, thanks for your message! We'll get back to you shortly.", "Yes, it's still available.",
        "The large one is $49.90.", "Your appointment is confirmed for Tuesday 10:00.", "Sorry to hear that, we'll send a replacement today.",
        "We're open Mon–Fri 9–18.", "Here is your invoice 📄",
    ];

    public static readonly string[] GermanReplies =
    [
        "Hallo {0}, danke für Ihre Nachricht! Wir melden uns gleich.", "Ja, das ist noch verfügbar.",
        "Das große Modell kostet 49,90 €.", "Ihr Termin am Dienstag um 10:00 ist bestätigt.",
        "Das tut uns leid, wir schicken heute Ersatz.", "Wir haben Mo–Fr 9–18 Uhr geöffnet.", "Anbei Ihre Rechnung 📄",
    ];

    public static readonly string[] Captions = ["", "Look at this", "Hier das Foto", "see attached", "Schaden an der Verpackung 📦", "What about this one?"];

    public static readonly string[] DocumentNames = ["invoice_4711.pdf", "Rechnung 2026-03.pdf", "Angebot \"final\".pdf", "contract.docx", "Überweisung.png"];

    public static readonly (string Id, string Title)[] ReplyButtons = [("yes", "Yes"), ("no", "No"), ("later", "Later"), ("ja", "Ja, gerne"), ("agent", "Talk to a human")];

    public static readonly (string Id, string Title, string Description)[] ListRows =
    [
        ("slot_tue_10", "Tue 10:00", "Tuesday morning"), ("slot_wed_14", "Wed 14:00", ""), ("sz_l", "Größe L", "Passform normal"),
        ("ship_express", "Express", "1–2 days, +€9.90"),
    ];

    public static readonly (string Payload, string Text)[] TemplateButtons =
    [
        ("CONFIRM_APPOINTMENT", "Yes, confirm"), ("TRACK_ORDER", "Track order"), ("STOP_PROMOTIONS", "Stop promotions"), ("YES", "Ja, bitte"),
    ];

    public static readonly string[] ReactionEmoji = ["👍", "❤️", "😂", "😮", "🙏", "😢"];

    public static readonly string[] Products = ["SKU-1001", "SKU-1002", "CASE-BLK", "CHARGER-65W", "GIFT-CARD-25"];

    public static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
