using System.Text.Json;
using Threadline.Store;

namespace Threadline.Tests.Store;

/// <summary>
/// <see cref="StatementBatch"/> on PostgreSQL sends a statement written for one row as one statement for all rows,
/// reading them from a JSON parameter: the rewriting and the JSON. (The integration tests run every such statement
/// against a real PostgreSQL; these pin the text they run.)
/// </summary>
public sealed class StatementBatchTests
{
    private static StatementBatch.Spec[] Specs(params string[] text) => text.Select(StatementBatch.Spec.Parse).ToArray();

    [Fact]
    public void An_update_reads_its_values_from_the_row_set_and_matches_each_row_in_its_WHERE()
    {
        string sql = StatementBatch.ForRowSet(
            "UPDATE conversations SET state = @state, needs_reply = COALESCE(@needsReply, needs_reply), updated_at = @now WHERE id = @id AND state <> @state",
            Specs("state text", "needsReply boolean", "now bigint", "id bigint"));
        Assert.Equal(
            "UPDATE conversations SET state = u.p_state, needs_reply = COALESCE(u.p_needsreply, needs_reply), updated_at = u.p_now " +
            "FROM json_to_recordset(@rows::json) AS u(p_state text, p_needsreply boolean, p_now bigint, p_id bigint) " +
            "WHERE id = u.p_id AND state <> u.p_state", sql);
    }

    [Fact]
    public void An_insert_selects_from_the_row_set_and_keeps_its_conflict_clause()
    {
        string sql = StatementBatch.ForRowSet(
            "INSERT INTO follow_ups (conversation_id, state, reasons, created_at, updated_at) VALUES (@conversation, 'pending', lower(@reasons), @now, @now) " +
            "ON CONFLICT (conversation_id) DO UPDATE SET reasons = excluded.reasons",
            Specs("conversation bigint", "reasons text", "now bigint"));
        Assert.Equal(
            "INSERT INTO follow_ups (conversation_id, state, reasons, created_at, updated_at) SELECT u.p_conversation, 'pending', lower(u.p_reasons), u.p_now, u.p_now " +
            "FROM json_to_recordset(@rows::json) AS u(p_conversation bigint, p_reasons text, p_now bigint) " +
            "ON CONFLICT (conversation_id) DO UPDATE SET reasons = excluded.reasons", sql);
    }

    [Theory]
    [InlineData("DELETE FROM t WHERE id = @id")]           // neither UPDATE nor INSERT
    [InlineData("UPDATE t SET a = @id")]                    // no WHERE: every row would be updated by every value
    [InlineData("UPDATE t SET a = @other WHERE id = @id")]  // @other not declared
    [InlineData("INSERT INTO t (a) SELECT @id")]            // no VALUES
    public void Statements_it_cannot_rewrite_are_refused(string sql) =>
        Assert.Throws<ArgumentException>(() => StatementBatch.ForRowSet(sql, Specs("id bigint")));

    [Theory, InlineData("id"), InlineData("id bigint extra"), InlineData("i-d bigint"), InlineData("")]
    public void A_parameter_is_a_name_and_a_type(string text)
    {
        if (text == "id bigint extra") Assert.Equal(new StatementBatch.Spec("id", "bigint extra"), StatementBatch.Spec.Parse(text)); // a type may be two words
        else Assert.Throws<ArgumentException>(() => StatementBatch.Spec.Parse(text));
    }

    [Fact]
    public void The_rows_are_JSON_objects_keyed_by_the_row_set_columns_with_their_values_kept_exactly()
    {
        string[] keys = ["p_id", "p_text", "p_flag", "p_count", "p_none"];
        string customer = "O'Brien said \"hi\" \\ <b>ünïcode</b> 😀\n--; DROP TABLE x";
        string json = RowSetJson.Serialize(keys, new[] { (Id: long.MaxValue, Text: customer), (Id: -1L, Text: "") },
            r => [r.Id, r.Text, r.Id > 0, 7, null]);
        using var doc = JsonDocument.Parse(json);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["p_id", "p_text", "p_flag", "p_count", "p_none"], rows[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(long.MaxValue, rows[0].GetProperty("p_id").GetInt64());
        Assert.Equal(customer, rows[0].GetProperty("p_text").GetString());
        Assert.True(rows[0].GetProperty("p_flag").GetBoolean());
        Assert.False(rows[1].GetProperty("p_flag").GetBoolean());
        Assert.Equal(7, rows[1].GetProperty("p_count").GetInt32());
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("p_none").ValueKind);
    }

    [Fact]
    public void A_value_JSON_cannot_carry_or_a_row_of_the_wrong_width_is_refused()
    {
        string[] keys = ["p_id", "p_at"];
        Assert.Throws<ArgumentException>(() => RowSetJson.Serialize(keys, new[] { 1 }, _ => [1L, DateTimeOffset.UnixEpoch]));
        Assert.Throws<ArgumentException>(() => RowSetJson.Serialize(keys, new[] { 1 }, _ => [1L]));
    }
}
