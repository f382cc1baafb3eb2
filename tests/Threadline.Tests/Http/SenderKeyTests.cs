using Threadline.Http;

namespace Threadline.Tests.Http;

public class SenderKeyTests
{
    [Theory]
    [InlineData("+49 170 12345678", "4917012345678", null)]
    [InlineData("4917012345678", "4917012345678", null)]
    [InlineData("0049 170 12345678", "4917012345678", null)]
    [InlineData("+1 (650) 555-1234", "16505551234", null)]
    [InlineData("US.13491208655302741918", null, "US.13491208655302741918")]
    [InlineData("BR.ENT.9876", null, "BR.ENT.9876")]
    [InlineData("call-me", null, null)]
    [InlineData("123", null, null)]
    [InlineData("+1234567890123456789", null, null)]
    public void Parse_ReadsNumbersAndUserIds(string input, string? waId, string? userId) =>
        Assert.Equal((waId, userId), SenderKey.Parse(input));
}
