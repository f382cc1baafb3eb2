namespace Threadline.Configuration;

/// <summary>An agent as configured (section <c>Routing:Agents</c>): seeded into the store at start; the away switch is changed through the API.</summary>
public sealed class AgentOptions
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    /// <summary>Languages the agent answers in, preferred first.</summary>
    public List<string> Languages { get; set; } = [];
    /// <summary>The agent's working days (e.g. Mon-Fri); empty: available whenever not away.</summary>
    public string? WorkingDays { get; set; }
    public string? Opens { get; set; }
    public string? Closes { get; set; }
    /// <summary>The zone of the agent's hours; empty: the business's.</summary>
    public string? TimeZone { get; set; }
}

/// <summary>How messages are understood and routed (section <c>Routing</c>).</summary>
public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>A rules file (YAML) replacing the built-in rules (<c>threadline rules show</c> prints them as a start).
    /// Start-up refuses a file with mistakes and prints each with its line.</summary>
    public string? RulesFile { get; set; }

    /// <summary>Agents to create or update at start (languages, hours). Existing agents not listed are kept.</summary>
    public List<AgentOptions> Agents { get; set; } = [];
}
