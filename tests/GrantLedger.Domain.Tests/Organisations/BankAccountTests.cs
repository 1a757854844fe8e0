using GrantLedger.Domain.Organisations;
using GrantLedger.Domain.Programmes;

namespace GrantLedger.Domain.Tests.Organisations;

public class BankAccountTests
{
    private static readonly Guid OrganisationId = Guid.Parse("0b7f0c4e-0000-4000-8000-0000000000a1");
    private const string Finance = "user-finance";
    private const string Approver = "user-approver";

    private static BankAccountDetails Kazakh(string number = "KZ86 125K ZT50 0410 0100") =>
        new("Eco Bilim Public Foundation", number, "KCJBKZKX", "Bank CenterCredit", "KZ", null, "EUR");

    private static Organisation Registered() =>
        Organisation.Start(OrganisationDecisions.Register(OrganisationId,
            new OrganisationDetails("Eco Bilim Public Foundation", "Eco Bilim", ["KZ"], "123456789012", null, null, []), Finance));

    private static Organisation With(Organisation organisation, params object[] events) =>
        events.Aggregate(organisation, (o, e) => o.Evolve(e));

    private static (Organisation Organisation, Guid AccountId) Approved()
    {
        var organisation = Registered();
        var proposed = OrganisationDecisions.Propose(organisation, Guid.NewGuid(), Kazakh(), null, "first account", Finance).Value;
        organisation = With(organisation, proposed);
        return (With(organisation, OrganisationDecisions.Approve(organisation, proposed.AccountId, Approver).Value), proposed.AccountId);
    }

    [Theory]
    [InlineData("KZ86125KZT5004100100")]
    [InlineData("DE89 3704 0044 0532 0130 00")]
    [InlineData("gb82 west 1234 5698 7654 32")]
    public void a_valid_iban_passes_the_mod_97_check(string iban) =>
        Assert.True(BankAccountFormat.IsValidIban(BankAccountFormat.Normalise(iban)));

    [Fact]
    public void an_iban_with_one_wrong_digit_is_refused()
    {
        var proposed = OrganisationDecisions.Propose(Registered(), Guid.NewGuid(), Kazakh("KZ86125KZT5004100101"), null, "typo", Finance);
        Assert.Equal("invalid-iban", proposed.Error?.Code);
    }

    [Fact]
    public void a_kyrgyz_sixteen_digit_account_without_iban_is_accepted()
    {
        var details = new BankAccountDetails("Tabiyat Public Fund", "1280 0160 1234 5678", "KICBKG22", "KICB", "KG", "Citibank N.A., New York", "EUR");
        var proposed = OrganisationDecisions.Propose(Registered(), Guid.NewGuid(), details, null, "first account", Finance);
        Assert.Equal("1280016012345678", proposed.Value.Details.AccountNumber);
    }

    [Theory]
    [InlineData("KCJBKZK")]
    [InlineData("KCJBKZKX1")]
    [InlineData("1CJBKZKX")]
    public void a_malformed_bic_is_refused(string bic)
    {
        var proposed = OrganisationDecisions.Propose(Registered(), Guid.NewGuid(), Kazakh() with { Swift = bic }, null, "first", Finance);
        Assert.Equal("invalid-bic", proposed.Error?.Code);
    }

    [Fact]
    public void the_proposer_cannot_approve_their_own_account()
    {
        var organisation = Registered();
        var proposed = OrganisationDecisions.Propose(organisation, Guid.NewGuid(), Kazakh(), null, "first account", Finance).Value;
        var approval = OrganisationDecisions.Approve(With(organisation, proposed), proposed.AccountId, Finance);
        Assert.Equal("same-person-approval", approval.Error?.Code);
        Assert.Equal(FourEyesRule.BankAccount, approval.Error?.Rule);
    }

    [Fact]
    public void a_proposed_account_is_not_payable_until_approved()
    {
        var organisation = Registered();
        var proposed = OrganisationDecisions.Propose(organisation, Guid.NewGuid(), Kazakh(), null, "first account", Finance).Value;
        Assert.Equal("no-approved-bank-account", PaymentAccount.Choose(With(organisation, proposed), null).Error?.Code);
        Assert.Equal("bank-account-not-approved", PaymentAccount.Choose(With(organisation, proposed), proposed.AccountId).Error?.Code);
    }

    [Fact]
    public void the_only_approved_account_is_chosen_when_none_is_named()
    {
        var (organisation, accountId) = Approved();
        Assert.Equal(accountId, PaymentAccount.Choose(organisation, null).Value);
    }

    [Fact]
    public void with_two_approved_accounts_the_payment_must_name_one()
    {
        var (organisation, _) = Approved();
        var second = OrganisationDecisions.Propose(organisation, Guid.NewGuid(), Kazakh("KZ18722S000012345678"), null, "USD account", Finance).Value;
        organisation = With(organisation, second);
        organisation = With(organisation, OrganisationDecisions.Approve(organisation, second.AccountId, Approver).Value);
        Assert.Equal("bank-account-required", PaymentAccount.Choose(organisation, null).Error?.Code);
        Assert.Equal(second.AccountId, PaymentAccount.Choose(organisation, second.AccountId).Value);
    }

    [Fact]
    public void a_retired_account_cannot_be_paid()
    {
        var (organisation, accountId) = Approved();
        organisation = With(organisation, OrganisationDecisions.Retire(organisation, accountId, "account closed", Finance).Value);
        Assert.Equal("bank-account-not-approved", PaymentAccount.Choose(organisation, accountId).Error?.Code);
        Assert.Equal("no-approved-bank-account", PaymentAccount.Choose(organisation, null).Error?.Code);
    }

    [Fact]
    public void an_approved_change_retires_the_account_it_replaces()
    {
        var (organisation, oldId) = Approved();
        var change = OrganisationDecisions.Propose(organisation, Guid.NewGuid(), Kazakh("KZ66601A861000001234"), oldId, "bank changed", Finance).Value;
        organisation = With(organisation, change);
        Assert.Equal(oldId, PaymentAccount.Choose(organisation, null).Value); // the old one stays payable until the change is approved
        organisation = With(organisation, OrganisationDecisions.Approve(organisation, change.AccountId, Approver).Value);
        Assert.Equal(BankAccountStatus.Retired, organisation.FindAccount(oldId)!.Status);
        Assert.Equal(change.AccountId, PaymentAccount.Choose(organisation, null).Value);
    }

    [Fact]
    public void an_account_from_another_organisation_is_not_payable()
    {
        var (organisation, _) = Approved();
        var (_, foreignAccount) = Approved();
        Assert.Equal("bank-account-not-approved", PaymentAccount.Choose(organisation, foreignAccount).Error?.Code);
    }

    [Fact]
    public void a_rejected_proposal_cannot_be_approved_afterwards()
    {
        var organisation = Registered();
        var proposed = OrganisationDecisions.Propose(organisation, Guid.NewGuid(), Kazakh(), null, "first account", Finance).Value;
        organisation = With(organisation, proposed);
        organisation = With(organisation, OrganisationDecisions.Reject(organisation, proposed.AccountId, "not the holder's name", Approver).Value);
        Assert.Equal("not-awaiting-approval", OrganisationDecisions.Approve(organisation, proposed.AccountId, Approver).Error?.Code);
    }

    [Fact]
    public void an_account_number_is_masked_to_its_last_four_characters() =>
        Assert.Equal("•••• 0100", BankAccountFormat.Mask("KZ86125KZT5004100100"));
}
