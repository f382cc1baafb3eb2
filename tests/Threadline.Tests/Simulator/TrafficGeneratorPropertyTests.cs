using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Threadline.Simulator;
using Threadline.WhatsApp.Webhooks;

namespace Threadline.Tests.Simulator;

/// <summary>Invariants that must hold for any seed and pool size, not just the fixture's.</summary>
public sealed class TrafficGeneratorPropertyTests
{
    [Fact]
    public void Any_seed_and_pool_size_gives_signed_valid_bodies_with_unique_ids()
    {
        var seeds = ArbMap.Default.ArbFor<int>();
        var pools = Gen.Choose(1, 200).ToArbitrary();
        Prop.ForAll(seeds, pools, (seed, senders) =>
        {
            var options = new TrafficOptions { Seed = seed, Senders = senders, AppSecret = "prop", Start = DateTimeOffset.UnixEpoch.AddYears(56) };
            var ids = new HashSet<string>();
            foreach (var webhook in new TrafficGenerator(options).Generate(150))
            {
                using var doc = JsonDocument.Parse(webhook.Body);
                if (!WebhookSignature.IsValid(webhook.Body, webhook.Signature, "prop"))
                    return false;
                if (!webhook.IsDuplicateDelivery && webhook.MessageIds.Any(id => !ids.Add(id)))
                    return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
