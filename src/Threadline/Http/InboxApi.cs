using Microsoft.AspNetCore.Http.HttpResults;
using Threadline.Store.Inbox;

namespace Threadline.Http;

public static class InboxApi
{
    public static RouteGroupBuilder MapInboxApi(this RouteGroupBuilder api)
    {
        api.MapGet("/inbox/stats", async Task<Ok<InboxStats>> (InboxQueue inbox, CancellationToken ct) => TypedResults.Ok(await inbox.StatsAsync(ct)))
            .WithName("InboxStats")
            .WithSummary("Webhook bodies received (made durable), processed, pending and dead-lettered.");
        api.MapGet("/inbox/dead", async Task<Ok<IReadOnlyList<DeadLetter>>> (InboxQueue inbox, int? limit, CancellationToken ct) =>
                TypedResults.Ok(await inbox.DeadAsync(Math.Clamp(limit ?? 100, 1, 1000), ct)))
            .WithName("DeadLetters")
            .WithSummary("Inbox rows that failed repeatedly, with their last error.");
        api.MapPost("/inbox/{id:long}/retry", async Task<Results<NoContent, ProblemHttpResult>> (long id, InboxQueue inbox, CancellationToken ct) =>
                await inbox.RetryAsync(id, ct)
                    ? TypedResults.NoContent()
                    : TypedResults.Problem(statusCode: 404, title: "No such dead letter", detail: $"Inbox row {id} is not dead-lettered."))
            .WithName("RetryDeadLetter")
            .WithSummary("Puts a dead-lettered inbox row back into processing.");
        return api;
    }
}
