using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Threadline.Cli;
using Threadline.Configuration;
using Threadline.Http;
using Threadline.Store;
using Threadline.Store.Capture;
using Threadline.Store.Conversations;
using Threadline.Store.Identity;
using Threadline.Store.Inbox;
using Threadline.Store.Messages;
using Threadline.Store.Migrations;
using Threadline.Sending;
using Threadline.Store.Outbox;
using Threadline.Workers;

/// <summary>The composition root: the CLI's verbs, and the server they (and the tests) build.</summary>
public partial class Program
{
    public static Task<int> Main(string[] args) => CliRoot.Create().Parse(args).InvokeAsync();

    /// <summary>
    /// Builds the Threadline server. Configuration: appsettings.json beside the executable, environment variables
    /// (<c>WhatsApp__AppSecret</c>), command-line (<c>--WhatsApp:AppSecret=…</c>, <c>--urls</c>), then <paramref name="overrides"/>.
    /// </summary>
    public static WebApplication BuildServer(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json ships beside the binary; relative data paths (./data) stay relative to where it is run.
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<WhatsAppOptions>().BindConfiguration(WhatsAppOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section);
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<FollowUpOptions>().BindConfiguration(FollowUpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<InboxOptions>().BindConfiguration(InboxOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ConversationOptions>().BindConfiguration(ConversationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.Section);
        builder.Services.AddOptions<BusinessOptions>().BindConfiguration(BusinessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<AutomationOptions>().BindConfiguration(AutomationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        builder.Services.AddSingleton<Database>();
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddSingleton<InboxWriter>();
        builder.Services.AddSingleton<InboxQueue>();
        builder.Services.AddSingleton<ProcessedMarks>();
        builder.Services.AddSingleton<CaptureWriter>();
        builder.Services.AddSingleton<IdentityStore>();
        builder.Services.AddSingleton<ContactQueries>();
        builder.Services.AddSingleton<ContactCommands>();
        builder.Services.AddSingleton<ContactMerges>();
        builder.Services.AddSingleton<MessageQueries>();
        builder.Services.AddSingleton<ConversationStore>();
        builder.Services.AddSingleton<ConversationWriter>();
        builder.Services.AddSingleton<ConversationQueries>();
        builder.Services.AddSingleton<ConversationCommands>();
        builder.Services.AddSingleton<AgentCommands>();
        builder.Services.AddSingleton<DecisionPipeline>();
        builder.Services.AddSingleton<ConversationSteps>();
        builder.Services.AddSingleton<InboxProcessor>();
        builder.Services.AddHostedService<InboxWriterService>();
        builder.Services.AddSingleton<WalCheckpointer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WalCheckpointer>());
        builder.Services.AddSingleton<InboxWorker>();
        builder.Services.AddSingleton<OutboxStore>();
        builder.Services.AddSingleton<Threadline.Store.FollowUps.FollowUpStore>();
        builder.Services.AddSingleton<Threadline.Store.FollowUps.FollowUpPolicyStore>();
        builder.Services.AddSingleton<Threadline.Store.FollowUps.SimilarContacts>();
        builder.Services.AddSingleton<SendPacer>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<DeliveryFailures>();
        builder.Services.AddHttpClient(nameof(GraphClient));
        builder.Services.AddSingleton<GraphClient>(sp => new GraphClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(GraphClient)),
            sp.GetRequiredService<IOptions<WhatsAppOptions>>(), sp.GetRequiredService<IOptions<OutboxOptions>>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<OutboxSender>();
        builder.Services.AddSingleton<OutboxWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
        builder.Services.AddSingleton<FollowUpScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FollowUpScheduler>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InboxWorker>());
        builder.Services.AddSingleton<ConversationCloser>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConversationCloser>());

        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthChecks("/healthz");
        app.MapWhatsAppWebhook();
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapMessagesApi();
        api.MapInboxApi();
        api.MapContactsApi();
        api.MapContactWritesApi();
        api.MapConversationsApi();
        api.MapAgentsApi();
        api.MapOutboxApi();
        api.MapFollowUpsApi();
        return app;
    }

    /// <summary>Applies migrations, then starts the server. Throws <see cref="OptionsValidationException"/> when configuration is invalid.</summary>
    public static async Task StartServerAsync(WebApplication app, CancellationToken ct)
    {
        // Validate first, so a bad configuration stops us with one clear message before anything touches the store.
        _ = app.Services.GetRequiredService<IOptions<WhatsAppOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<InboxOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<BusinessOptions>>().Value;
        _ = app.Services.GetRequiredService<IOptions<AutomationOptions>>().Value;
        try
        {
            _ = app.Services.GetRequiredService<DecisionPipeline>().Pipeline;
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(RoutingOptions.Section, typeof(RoutingOptions), [ex.Message]);
        }
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(ct);
        await SeedAgentsAsync(app.Services, ct);
        await app.StartAsync(ct);
    }
}

public partial class Program
{
    /// <summary>Creates or updates the agents listed in <c>Routing:Agents</c> (their away switches are left as they are).</summary>
    private static async Task SeedAgentsAsync(IServiceProvider services, CancellationToken ct)
    {
        var commands = services.GetRequiredService<AgentCommands>();
        foreach (var a in services.GetRequiredService<IOptions<RoutingOptions>>().Value.Agents.Where(a => a.Id.Length > 0))
            await commands.UpsertAsync(new AgentRow
            {
                Id = a.Id, Name = a.Name, Languages = string.Join(",", a.Languages), WorkingDays = a.WorkingDays, WorkOpen = a.Opens,
                WorkClose = a.Closes, TimeZone = a.TimeZone,
            }, ct);
    }
}

/// <summary>/healthz: the store (and the inbox store) answer a trivial query; degraded (still 200: webhooks are taken
/// durably) once inbox processing stopped because the main store's log could not be forced to disk.</summary>
internal sealed class StoreHealthCheck(Database db, ProcessedMarks marks) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (marks.FlushFailed is { } failed)
            return HealthCheckResult.Degraded("Inbox processing stopped: the main store's write-ahead log could not be forced to disk. Webhooks are still taken durably; restart Threadline to process them.", failed);
        try
        {
            foreach (bool inbox in new[] { false, true })
            {
                await using var connection = inbox ? await db.OpenInboxAsync(ct: cancellationToken) : await db.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(cancellationToken);
            }
            return HealthCheckResult.Healthy(db.Describe());
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The store does not answer.", ex);
        }
    }
}
