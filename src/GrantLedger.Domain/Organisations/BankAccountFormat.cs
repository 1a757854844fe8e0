using System.Numerics;
using System.Text.RegularExpressions;

namespace GrantLedger.Domain.Organisations;

/// <summary>
/// What an account number and a BIC must look like. A value that looks like an IBAN (two letters, two digits, then
/// letters and digits) must pass the ISO 13616 mod-97 check; other account numbers (Kyrgyz accounts are 16 digits, no
/// IBAN) are letters, digits and dashes. A typo in an IBAN is caught here rather than by a returned payment.
/// </summary>
public static partial class BankAccountFormat
{
    /// <summary>Spaces removed, upper case: the form stored in the event and compared.</summary>
    public static string Normalise(string value) => new string([.. value.Where(c => !char.IsWhiteSpace(c))]).ToUpperInvariant();

    public static bool LooksLikeIban(string normalised) => IbanShape().IsMatch(normalised);

    public static bool IsValidIban(string normalised)
    {
        if (!LooksLikeIban(normalised))
        {
            return false;
        }

        var rearranged = normalised[4..] + normalised[..4];
        var digits = string.Concat(rearranged.Select(c => char.IsLetter(c) ? (c - 'A' + 10).ToString(System.Globalization.CultureInfo.InvariantCulture) : c.ToString()));
        return BigInteger.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) % 97 == 1;
    }

    public static bool IsValidBic(string normalised) => BicShape().IsMatch(normalised);

    /// <summary>The details as stored (normalised), or why they cannot be.</summary>
    public static Result<BankAccountDetails> Check(BankAccountDetails details)
    {
        var number = Normalise(details.AccountNumber);
        var swift = string.IsNullOrWhiteSpace(details.Swift) ? null : Normalise(details.Swift);
        var country = details.BankCountry.Trim().ToUpperInvariant();
        var currency = details.Currency.Trim().ToUpperInvariant();
        if (string.IsNullOrWhiteSpace(details.Holder) || string.IsNullOrWhiteSpace(details.BankName))
        {
            return new DomainError("invalid-bank-account", "An account needs its holder and its bank's name.");
        }

        if (LooksLikeIban(number))
        {
            if (!IsValidIban(number))
            {
                return new DomainError("invalid-iban", "The IBAN's check digits do not match: a character is wrong or missing.");
            }
        }
        else if (!AccountNumberShape().IsMatch(number))
        {
            return new DomainError("invalid-account-number", "An account number is 4 to 34 letters, digits or dashes (or an IBAN).");
        }

        if (swift is not null && !IsValidBic(swift))
        {
            return new DomainError("invalid-bic", "A SWIFT/BIC code is 8 or 11 characters: bank (4 letters), country (2 letters), location (2), branch (3, optional).");
        }

        if (!CountryShape().IsMatch(country) || !CurrencyShape().IsMatch(currency))
        {
            return new DomainError("invalid-bank-account", "The bank's country is a two-letter ISO code and the currency a three-letter one.");
        }

        return details with
        {
            Holder = details.Holder.Trim(), AccountNumber = number, Swift = swift, BankName = details.BankName.Trim(), BankCountry = country,
            IntermediaryBank = string.IsNullOrWhiteSpace(details.IntermediaryBank) ? null : details.IntermediaryBank.Trim(), Currency = currency,
        };
    }

    /// <summary>The last four characters only, for everyone but finance and approvers.</summary>
    public static string Mask(string accountNumber) =>
        "•••• " + (accountNumber.Length <= 4 ? accountNumber : accountNumber[^4..]);

    [GeneratedRegex("^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")]
    private static partial Regex IbanShape();

    [GeneratedRegex("^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")]
    private static partial Regex BicShape();

    [GeneratedRegex("^[A-Z0-9-]{4,34}$")]
    private static partial Regex AccountNumberShape();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryShape();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyShape();
}
