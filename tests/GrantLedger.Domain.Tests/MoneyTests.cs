namespace GrantLedger.Domain.Tests;

public class MoneyTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0.01")]
    [InlineData("-100")]
    public void zero_or_negative_amounts_are_refused(string amount) =>
        Assert.Equal("invalid-amount", Given.CodeOf(Money.Positive(decimal.Parse(amount), "EUR")));

    [Theory]
    [InlineData("0.001")]
    [InlineData("100.005")]
    [InlineData("12345.6789")]
    public void amounts_with_more_than_two_decimals_are_refused(string amount) =>
        Assert.Equal("invalid-amount", Given.CodeOf(Money.Positive(decimal.Parse(amount), "EUR")));

    [Fact]
    public void trailing_zeros_beyond_cents_are_not_extra_precision()
    {
        var money = Money.Positive(100.100m, "EUR").Value;
        Assert.Equal(100.10m, money.Amount);
        Assert.Equal("100.10 EUR", money.ToString());
    }

    [Fact]
    public void cents_add_up_exactly()
    {
        var total = Enumerable.Repeat(new Money(0.10m, "EUR"), 3).Sum("EUR");
        Assert.Equal(new Money(0.30m, "EUR"), total);
    }

    [Fact]
    public void arithmetic_across_currencies_is_an_error_not_a_conversion()
    {
        Assert.Throws<InvalidOperationException>(() => new Money(1m, "EUR") + new Money(1m, "KGS"));
        Assert.Throws<InvalidOperationException>(() => new Money(1m, "EUR") < new Money(2m, "USD"));
    }
}
