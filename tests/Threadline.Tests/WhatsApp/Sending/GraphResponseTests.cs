using Threadline.WhatsApp.Sending;

namespace Threadline.Tests.WhatsApp.Sending;

/// <summary>The answers of section 6: success, held template, read receipt, Graph error, and whatever else comes back.</summary>
public class GraphResponseTests
{
    [Fact]
    public void Parse_Success_IsAcceptedWithIdsAndStatus()
    {
        GraphSendResult result = GraphResponse.Parse(200, """
            {"messaging_product":"whatsapp","contacts":[{"input":"+55 11 98765-4321","wa_id":"5511987654321"}],
             "messages":[{"id":"wamid.HBgM","message_status":"accepted"}]}
            """);
        Assert.Equal(new GraphSendResult(true, "wamid.HBgM", "5511987654321", "accepted", null), result);
    }

    [Fact]
    public void Parse_TemplateHeldForQuality_IsAcceptedWithThatStatus()
    {
        GraphSendResult result = GraphResponse.Parse(200, """
            {"messaging_product":"whatsapp","contacts":[{"input":"5511","wa_id":"5511"}],
             "messages":[{"id":"wamid.T","message_status":"held_for_quality_assessment"}]}
            """);
        Assert.True(result.IsAccepted);
        Assert.Equal("held_for_quality_assessment", result.MessageStatus);
    }

    [Fact]
    public void Parse_SuccessWithoutContactsOrStatus_LeavesThemNull() =>
        Assert.Equal(new GraphSendResult(true, "wamid.X", null, null, null),
            GraphResponse.Parse(200, """{"messages":[{"id":"wamid.X"}]}"""));

    [Fact]
    public void Parse_ReadReceiptSuccess_IsAcceptedWithoutMessageId() =>
        Assert.Equal(new GraphSendResult(true, null, null, null, null), GraphResponse.Parse(200, """{"success":true}"""));

    [Fact]
    public void Parse_GraphError_IsFailedWithEveryPart()
    {
        GraphSendResult result = GraphResponse.Parse(400, """
            {"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,
             "error_subcode":2494010,"error_data":{"messaging_product":"whatsapp",
             "details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
             "fbtrace_id":"AbCdEf"}}
            """);
        Assert.False(result.IsAccepted);
        Assert.Null(result.MessageId);
        Assert.Equal(new GraphError(131047, 2494010, "(#131047) Re-engagement message",
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.", 400), result.Error);
    }

    [Fact]
    public void Parse_ErrorWithoutSubcodeOrDetails_LeavesThemNull() =>
        Assert.Equal(new GraphError(190, null, "Invalid OAuth access token.", null, 401),
            GraphResponse.Parse(401, """{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}""").Error);

    /// <summary>The code decides, not the status: an error body on a 200 is still an error.</summary>
    [Fact]
    public void Parse_ErrorBodyWithStatus200_IsFailed() =>
        Assert.Equal(131026, GraphResponse.Parse(200, """{"error":{"message":"x","code":131026}}""").Error?.Code);

    [Fact]
    public void Parse_CodeAsString_IsRead() =>
        Assert.Equal(131056, GraphResponse.Parse(400, """{"error":{"message":"x","code":"131056"}}""").Error?.Code);

    [Theory]
    [InlineData(502, "<html><body>Bad Gateway</body></html>", "unreadable answer (HTTP 502): <html><body>Bad Gateway</body></html>")]
    [InlineData(500, "", "unreadable answer (HTTP 500): (empty body)")]
    [InlineData(504, null, "unreadable answer (HTTP 504): (empty body)")]
    [InlineData(200, "{}", "unreadable answer (HTTP 200): {}")]
    [InlineData(200, "[1,2]", "unreadable answer (HTTP 200): [1,2]")]
    [InlineData(200, """{"success":false}""", "unreadable answer (HTTP 200): {\"success\":false}")]
    [InlineData(200, """{"messages":[]}""", "unreadable answer (HTTP 200): {\"messages\":[]}")]
    [InlineData(200, """{"messages":[{"id":""}]}""", "unreadable answer (HTTP 200): {\"messages\":[{\"id\":\"\"}]}")]
    [InlineData(400, """{"error":{"message":"no code"}}""", "unreadable answer (HTTP 400): {\"error\":{\"message\":\"no code\"}}")]
    [InlineData(503, """{"messages":[{"id":"wamid.X"}]}""", "unreadable answer (HTTP 503): {\"messages\":[{\"id\":\"wamid.X\"}]}")]
    [InlineData(200, """{"messages":[{"id":"wamid.X"}""", "unreadable answer (HTTP 200): {\"messages\":[{\"id\":\"wamid.X\"}")]
    public void Parse_NeitherShape_IsUnreadableKeepingTheStatus(int status, string? body, string message) =>
        Assert.Equal(GraphSendResult.Failed(new GraphError(GraphError.Unreadable, null, message, null, status)), GraphResponse.Parse(status, body));

    [Fact]
    public void Parse_LongGarbage_QuotesOnlyTheFirst200Characters()
    {
        string body = new string('x', 199) + "👍" + new string('y', 300);
        string message = GraphResponse.Parse(502, body).Error!.Message;
        Assert.Equal("unreadable answer (HTTP 502): " + new string('x', 199), message); // the emoji is not cut in half

        string plain = new string('a', 200) + "b";
        Assert.Equal("unreadable answer (HTTP 502): " + new string('a', 200), GraphResponse.Parse(502, plain).Error!.Message);
    }
}
