using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Threadline.Configuration;
using Threadline.Pipeline.Identity;
using Threadline.Store.Identity;

namespace Threadline.Http;

public sealed record ContactInput(string? Name, IReadOnlyList<string>? Phones, string? Email, string? Language, string? TimeZone, string? Owner,
    IReadOnlyList<string>? Tags, bool? Vip, bool? OptedOut, long? CompanyId);

public sealed record CompanyInput(string? Name, string? Domain);

public sealed record DealInput(long ContactId, string Title, string? Stage, decimal? Value, string? Currency, string? Owner);

public sealed record DealChange(string? Stage, decimal? Value, string? Owner);

public sealed record IdResponse(long Id);

public sealed record MergeInput(long OtherId);

/// <summary>Create and update contacts, companies and deals. Phones are normalised with <c>Business:DefaultRegion</c>;
/// a number that cannot be read, or that already belongs to another contact, is refused with a ProblemDetails saying which.</summary>
public static class ContactWritesApi
{
    public static RouteGroupBuilder MapContactWritesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/contacts", CreateContactAsync).WithName("CreateContact").WithSummary("Create a contact with its phones (any format).");
        api.MapPatch("/contacts/{id:long}", UpdateContactAsync).WithName("UpdateContact").WithSummary("Change fields of a contact; phones given are added.");
        api.MapPost("/contacts/{id:long}/merge", MergeAsync).WithName("MergeContacts")
            .WithSummary("Merge otherId into this contact: every identity, deal and message moves here; this contact keeps its values, empty ones are filled, tags united. Audited and reversible.");
        api.MapPost("/contacts/{id:long}/unmerge", UnmergeAsync).WithName("UnmergeContact")
            .WithSummary("Undo the merge of this (merged) contact: identities, deals, message links and the survivor's fields go back exactly.");
        api.MapPost("/companies", CreateCompanyAsync).WithName("CreateCompany").WithSummary("Create a company.");
        api.MapPatch("/companies/{id:long}", UpdateCompanyAsync).WithName("UpdateCompany").WithSummary("Rename a company or change its domain.");
        api.MapPost("/deals", CreateDealAsync).WithName("CreateDeal").WithSummary("Create a deal for a contact (stages: Business:DealStages; default new, qualified, quote_sent, negotiation, won, lost).");
        api.MapPatch("/deals/{id:long}", UpdateDealAsync).WithName("UpdateDeal").WithSummary("Move a deal to another stage, or change its value or owner.");
        return api;
    }

    public static async Task<Results<Created<IdResponse>, ProblemHttpResult>> CreateContactAsync(ContactInput input, ContactCommands commands,
        IOptions<BusinessOptions> business, CancellationToken ct)
    {
        if (Phones(input.Phones, business.Value.DefaultRegion, out var phones) is { } bad) return bad;
        var result = await commands.CreateContactAsync(Fields(input), phones, ct);
        return result.Ok ? TypedResults.Created($"/api/v1/contacts/{result.Id}", new IdResponse(result.Id!.Value)) : Refused(result);
    }

    public static async Task<Results<Ok<IdResponse>, ProblemHttpResult>> UpdateContactAsync(long id, ContactInput input, ContactCommands commands,
        IOptions<BusinessOptions> business, CancellationToken ct)
    {
        if (Phones(input.Phones, business.Value.DefaultRegion, out var phones) is { } bad) return bad;
        var result = await commands.UpdateContactAsync(id, Fields(input), phones, ct);
        return result.Ok ? TypedResults.Ok(new IdResponse(id)) : Refused(result);
    }

    public static async Task<Results<Created<IdResponse>, ProblemHttpResult>> CreateCompanyAsync(CompanyInput input, ContactCommands commands, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Name))
            return TypedResults.Problem(statusCode: 400, title: "Missing name", detail: "A company needs a name.");
        long id = await commands.CreateCompanyAsync(input.Name.Trim(), input.Domain?.Trim().ToLowerInvariant(), ct);
        return TypedResults.Created($"/api/v1/companies/{id}", new IdResponse(id));
    }

    public static async Task<Results<Ok<IdResponse>, ProblemHttpResult>> UpdateCompanyAsync(long id, CompanyInput input, ContactCommands commands, CancellationToken ct) =>
        await commands.UpdateCompanyAsync(id, string.IsNullOrWhiteSpace(input.Name) ? null : input.Name.Trim(), input.Domain?.Trim().ToLowerInvariant(), ct)
            ? TypedResults.Ok(new IdResponse(id))
            : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Company {id} does not exist.");

    public static async Task<Results<Created<IdResponse>, ProblemHttpResult>> CreateDealAsync(DealInput input, ContactCommands commands,
        IOptions<BusinessOptions> business, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(input.Title))
            return TypedResults.Problem(statusCode: 400, title: "Missing title", detail: "A deal needs a title.");
        var stages = business.Value.Stages;
        var result = await commands.CreateDealAsync(input.ContactId, input.Title.Trim(), input.Stage ?? stages[0], input.Value, input.Currency, input.Owner, stages, ct);
        return result.Ok ? TypedResults.Created($"/api/v1/deals/{result.Id}", new IdResponse(result.Id!.Value)) : Refused(result);
    }

    public static async Task<Results<Ok<IdResponse>, ProblemHttpResult>> UpdateDealAsync(long id, DealChange change, ContactCommands commands,
        IOptions<BusinessOptions> business, CancellationToken ct)
    {
        var result = await commands.UpdateDealAsync(id, change.Stage, change.Value, change.Owner, business.Value.Stages, ct);
        return result.Ok ? TypedResults.Ok(new IdResponse(id)) : Refused(result);
    }

    public static async Task<Results<Ok<IdResponse>, ProblemHttpResult>> MergeAsync(long id, MergeInput input, ContactMerges merges,
        HttpContext http, CancellationToken ct)
    {
        var result = await merges.MergeAsync(id, input.OtherId, http.User.Identity?.Name ?? "unknown", ct);
        return result.Ok ? TypedResults.Ok(new IdResponse(result.MergeId!.Value))
            : TypedResults.Problem(statusCode: result.Status, title: "Merge refused", detail: result.Problem);
    }

    public static async Task<Results<Ok<IdResponse>, ProblemHttpResult>> UnmergeAsync(long id, ContactMerges merges, CancellationToken ct)
    {
        var result = await merges.UnmergeAsync(id, ct);
        return result.Ok ? TypedResults.Ok(new IdResponse(result.MergeId!.Value))
            : TypedResults.Problem(statusCode: result.Status, title: "Unmerge refused", detail: result.Problem);
    }

    private static ContactFields Fields(ContactInput i) => new(i.Name?.Trim(), i.Email?.Trim(), i.Language, i.TimeZone, i.Owner, i.Tags, i.Vip, i.OptedOut, i.CompanyId);

    private static ProblemHttpResult? Phones(IReadOnlyList<string>? input, string? region, out List<string> e164)
    {
        e164 = [];
        foreach (var raw in input ?? [])
        {
            var parsed = PhoneNumberNormaliser.Normalise(raw, region);
            if (parsed.E164 is null)
                return TypedResults.Problem(statusCode: 400, title: "Unreadable phone number",
                    detail: $"'{raw}' is not a phone number Threadline can read: {parsed.Reason}");
            e164.Add(parsed.E164);
        }
        return null;
    }

    private static ProblemHttpResult Refused(ContactWrite result) => result switch
    {
        { Problem: "not_found" } => TypedResults.Problem(statusCode: 404, title: "Not found", detail: "No such record."),
        { ConflictingContactId: { } other } => TypedResults.Problem(statusCode: 409, title: "Number already known",
            detail: result.Problem, extensions: new Dictionary<string, object?> { ["contactId"] = other }),
        _ => TypedResults.Problem(statusCode: 400, title: "Refused", detail: result.Problem),
    };
}
