using Threadline.Pipeline.Identity;

namespace Threadline.Tests.Pipeline.Identity;

public class DuplicateFinderTests
{
    private static DuplicateCandidateInput C(long id, string? name, string? email = null, long? company = null, params string[] phones) =>
        new(id, name, email, company, phones);

    [Fact]
    public void Find_SameEmail_IsACandidateWhateverTheNames()
    {
        var pair = Assert.Single(DuplicateFinder.Find([C(1, "J. Weber", "Jonas@Weber.de"), C(2, "Buchhaltung", " jonas@weber.de")], []));
        Assert.Equal((1L, 2L, 90), (pair.ContactId, pair.OtherContactId, pair.Score));
        Assert.Equal(["same email"], pair.Reasons);
    }

    [Fact]
    public void Find_SimilarNamesAtTheSameCompany_AreCandidates_DifferentCompaniesAreNot()
    {
        var pairs = DuplicateFinder.Find([C(1, "Jonas Weber", company: 7), C(2, "weber jonas", company: 7), C(3, "Jonas Weber", company: 8), C(4, "Anna Schmidt", company: 7)], []);
        var pair = Assert.Single(pairs);
        Assert.Equal((1L, 2L), (pair.ContactId, pair.OtherContactId));
        Assert.StartsWith("similar name at the same company", pair.Reasons[0]);
    }

    [Fact]
    public void Find_SimilarNamesWithTheSameNumberEnding_AreCandidates()
    {
        var pairs = DuplicateFinder.Find([C(1, "Maria Silva", phones: "+5511981234567"), C(2, "Maria da Silva", phones: "+551181234567"), C(3, "Pedro", phones: "+551181234567")], []);
        var pair = Assert.Single(pairs);
        Assert.Equal((1L, 2L), (pair.ContactId, pair.OtherContactId));
        Assert.Contains("number ending", pair.Reasons[0]);
    }

    [Fact]
    public void Find_IdentityConflicts_RankFirst_AndReasonsAccumulatePerPair()
    {
        var pairs = DuplicateFinder.Find([C(1, "Ana", "ana@x.io"), C(2, "Ana B.", "ana@x.io")], [(2, 1, "WhatsApp user id BR.1 seen on both")]);
        var pair = Assert.Single(pairs);
        Assert.Equal(95, pair.Score);
        Assert.Equal(["WhatsApp user id BR.1 seen on both", "same email"], pair.Reasons);
    }

    [Fact]
    public void Find_AHugeCompany_IsNotComparedPairByPair_ButAlikeNamesStillMeet()
    {
        var contacts = Enumerable.Range(1, 5_000).Select(i => C(i, $"Person {i:D5} Zed{i}", company: 1)).ToList();
        contacts.Add(C(9_001, "Jonas Weber", company: 1));
        contacts.Add(C(9_002, "Jonas Webber", company: 1));
        var pairs = DuplicateFinder.Find(contacts, []);
        Assert.Contains(pairs, p => (p.ContactId, p.OtherContactId) == (9_001, 9_002));
    }
}
