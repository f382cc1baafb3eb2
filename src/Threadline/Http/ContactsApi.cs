using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Identity;
using Threadline.Store.Identity;

namespace Threadline.Http;

public sealed record ContactSummary(long Id, string? Name, string? Email, string? Language, string? TimeZone, string? Owner,
    IReadOnlyList<string> Tags, bool Vip, bool OptedOut, long? CompanyId, string? CompanyName, long? MergedInto, DateTimeOffset CreatedAt);

public sealed record ContactIdentityView(string Kind, string Value, string Source);

public sealed record DealView(long Id, string Title, string Stage, decimal? Value, string? Currency, string? Owner, string Status, DateTimeOffset LastActivityAt);

public sealed record ContactDetail(ContactSummary Contact, IReadOnlyList<string> Phones, IReadOnlyList<string> UserIds,
    IReadOnlyList<ContactIdentityView> Identities, IReadOnlyList<DealView> Deals);

public sealed record ContactPage(IReadOnlyList<ContactSummary> Items, long Total, int Page, int PageSize);

/// <summary>Reads of step 2's contacts: by id, by phone in any format (WhatsApp's number forms find the same contact), paged search.</summary>
public static class ContactsApi
{
    public static RouteGroupBuilder MapContactsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/contacts", ListAsync).WithName("ListContacts")
            .WithSummary("Contacts, newest first, paged and searchable by name or email; or the one contact with ?phone= (any format, or a user id).");
        api.MapGet("/contacts/duplicates", DuplicatesAsync).WithName("ContactDuplicates")
            .WithSummary("Contacts that may be the same person, with a score and the reasons; a human decides (merge is never automatic here).");
        api.MapGet("/contacts/{id:long}", GetAsync).WithName("GetContact")
            .WithSummary("A contact with its phones, WhatsApp user ids, company and deals.");
        return api;
    }

    public static async Task<Results<Ok<ContactPage>, ProblemHttpResult>> ListAsync(string? phone, string? q, int? page, int? pageSize,
        ContactQueries contacts, IOptions<BusinessOptions> business, CancellationToken ct)
    {
        int p = Math.Max(page ?? 1, 1), size = Math.Clamp(pageSize ?? 50, 1, 500);
        if (phone is null)
        {
            var (items, total) = await contacts.PageAsync(q, p, size, ct);
            return TypedResults.Ok(new ContactPage(items.Select(Summary).ToList(), total, p, size));
        }
        ContactRow? found;
        var key = SenderKey.Parse(phone);
        if (key.UserId is { } userId)
            found = await contacts.ByIdentityAsync(ContactIdentity.UserIdKind, userId, ct);
        else
        {
            var parsed = PhoneNumberNormaliser.Normalise(phone, business.Value.DefaultRegion);
            if (parsed.E164 is not { } e164)
                return TypedResults.Problem(statusCode: 400, title: "Unreadable phone number", detail: parsed.Reason ?? "Not a phone number.");
            found = await contacts.ByIdentityAsync(ContactIdentity.PhoneKind, PhoneNumberNormaliser.CanonicalKey(e164), ct);
        }
        var list = found is null ? [] : new[] { Summary(found) };
        return TypedResults.Ok(new ContactPage(list, list.Length, 1, size));
    }

    public static async Task<Ok<IReadOnlyList<DuplicatePair>>> DuplicatesAsync(ContactQueries contacts, CancellationToken ct)
    {
        var (candidates, conflicts) = await contacts.DuplicateInputsAsync(ct);
        return TypedResults.Ok(DuplicateFinder.Find(candidates, conflicts));
    }

    public static async Task<Results<Ok<ContactDetail>, ProblemHttpResult>> GetAsync(long id, ContactQueries contacts, CancellationToken ct)
    {
        var contact = await contacts.ByIdAsync(id, ct);
        if (contact is null)
            return TypedResults.Problem(statusCode: 404, title: "No such contact", detail: $"Contact {id} does not exist.");
        var (identities, deals) = await contacts.DetailsAsync(id, ct);
        return TypedResults.Ok(new ContactDetail(Summary(contact),
            identities.Where(i => i.Kind == ContactIdentity.PhoneKind).Select(i => i.Value).ToList(),
            identities.Where(i => i.Kind == ContactIdentity.UserIdKind).Select(i => i.Value).ToList(),
            identities.Select(i => new ContactIdentityView(i.Kind, i.Value, i.Source)).ToList(),
            deals.Select(d => new DealView(d.Id, d.Title, d.Stage, d.Value, d.Currency, d.Owner, d.Status, DateTimeOffset.FromUnixTimeMilliseconds(d.LastActivityAt))).ToList()));
    }

    private static ContactSummary Summary(ContactRow c) => new(c.Id, c.Name, c.Email, c.Language, c.TimeZone, c.Owner,
        string.IsNullOrEmpty(c.Tags) ? [] : c.Tags.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        c.Vip, c.OptedOut, c.CompanyId, c.CompanyName, c.MergedInto, DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAt));
}
