using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Threadline.Simulator;

/// <summary>
/// Lets other processes (benchmarks, a shell) steer a running <see cref="FakeGraphApi"/>:
/// <c>POST /_fake/faults?kind=throttle|server-error|timeout|error&amp;count=N&amp;code=131047&amp;delayMs=5000</c>,
/// <c>DELETE /_fake/faults</c>, <c>GET /_fake/requests</c> (count) and <c>DELETE /_fake/requests</c>.
/// </summary>
internal static class FakeGraphControlEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints, FakeGraphApi api)
    {
        endpoints.MapPost("/_fake/faults", context =>
        {
            var query = context.Request.Query;
            int count = int.TryParse(query["count"], CultureInfo.InvariantCulture, out int n) ? n : 1;
            int code = int.TryParse(query["code"], CultureInfo.InvariantCulture, out int c) ? c : 131000;
            int delayMs = int.TryParse(query["delayMs"], CultureInfo.InvariantCulture, out int d) ? d : 30_000;
            FakeGraphFault? fault = query["kind"].ToString() switch
            {
                "throttle" => FakeGraphFault.Throttled(),
                "server-error" => FakeGraphFault.ServerError(),
                "timeout" => FakeGraphFault.Timeout(TimeSpan.FromMilliseconds(delayMs)),
                "error" => FakeGraphFault.GraphError(code),
                _ => null,
            };
            if (fault is null)
            {
                context.Response.StatusCode = 400;
                return context.Response.WriteAsync("kind must be throttle, server-error, timeout or error");
            }
            api.InjectFault(fault, count);
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync($"{{\"pending\":{api.PendingFaults}}}");
        });
        endpoints.MapDelete("/_fake/faults", context =>
        {
            api.ClearFaults();
            return Task.CompletedTask;
        });
        endpoints.MapGet("/_fake/requests", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync($"{{\"count\":{api.RequestCount}}}");
        });
        endpoints.MapDelete("/_fake/requests", context =>
        {
            api.ClearRequests();
            return Task.CompletedTask;
        });
    }
}
