using System.Collections.Immutable;

namespace GrantLedger.Domain.Budgets;

/// <summary>The donor's budget rules of a programme: its headings and caps.</summary>
/// <param name="IndirectCostCap">Indirect costs may be at most this share of direct costs (0.07 = 7%).</param>
/// <param name="ReallocationCap">Without an amendment a heading may move at most this share of its original amount.</param>
/// <param name="SpendThreshold">A tranche after the first needs accepted spending of this share of the funds received.</param>
public sealed record BudgetRules(
    IReadOnlyList<string> Headings,
    decimal IndirectCostCap,
    decimal ReallocationCap,
    decimal SpendThreshold,
    string IndirectHeading = BudgetRules.IndirectCosts)
{
    public const string IndirectCosts = "indirect-costs";

    public static readonly BudgetRules Default = new(
        ["personnel", "travel", "equipment", "community-activities", "monitoring-and-evaluation", IndirectCosts],
        0.07m, 0.25m, 0.70m);
}

public sealed record BudgetLine(Guid LineId, string Code, string Heading, string Description, Money Amount);

public sealed record BudgetLineChange(Guid LineId, Money From, Money To);

/// <summary>A grant's budget: its lines now, and the heading amounts caps are measured from.</summary>
public sealed record Budget(ImmutableList<BudgetLine> Lines, ImmutableDictionary<string, Money> Baseline)
{
    public BudgetLine? Line(Guid lineId) => Lines.FirstOrDefault(l => l.LineId == lineId);
    public BudgetLine? LineByCode(string code) => Lines.FirstOrDefault(l => string.Equals(l.Code, code, StringComparison.OrdinalIgnoreCase));

    public static Budget From(IReadOnlyList<BudgetLine> lines) =>
        new([.. lines], lines.GroupBy(l => l.Heading).ToImmutableDictionary(g => g.Key, g => g.Select(l => l.Amount).Sum(g.First().Amount.Currency)));

    public Money HeadingTotal(string heading, string currency) =>
        Lines.Where(l => l.Heading == heading).Select(l => l.Amount).Sum(currency);

    public Budget Apply(BudgetRevised e) =>
        this with
        {
            Lines = Lines.Select(l => e.Changes.FirstOrDefault(c => c.LineId == l.LineId) is { } change ? l with { Amount = change.To } : l)
                .ToImmutableList(),
        };
}

public sealed record PlannedBudgetLine(Guid LineId, string Code, string Heading, string Description, decimal Amount);

public static class BudgetChecks
{
    /// <summary>The lines as money, or every line that is wrong; they must add up to <paramref name="total"/>.</summary>
    public static Result<IReadOnlyList<BudgetLine>> Lines(IReadOnlyList<PlannedBudgetLine> planned, Money total, BudgetRules rules)
    {
        var errors = new List<RowError>();
        var lines = new List<BudgetLine>();
        foreach (var (line, row) in planned.Select((l, i) => (l, i + 1)))
        {
            if (!rules.Headings.Contains(line.Heading))
            {
                errors.Add(new RowError(row, "heading", $"\"{line.Heading}\" is not a heading of this programme ({string.Join(", ", rules.Headings)})."));
            }

            if (line.Amount < 0m || decimal.Round(line.Amount, Money.Decimals) != line.Amount)
            {
                errors.Add(new RowError(row, "amount", $"must be zero or more with at most two decimals; {line.Amount} was given."));
            }

            lines.Add(new BudgetLine(line.LineId, line.Code.Trim(), line.Heading, line.Description.Trim(),
                new Money(decimal.Round(line.Amount, Money.Decimals) + 0.00m, total.Currency)));
        }

        foreach (var duplicate in lines.GroupBy(l => l.Code, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add(new RowError(lines.IndexOf(duplicate.Skip(1).First()) + 1, "code", $"code {duplicate.Key} is used twice."));
        }

        if (errors.Count > 0)
        {
            return new DomainError("invalid-budget", "Some budget lines are not valid.", Rows: errors);
        }

        var sum = lines.Select(l => l.Amount).Sum(total.Currency);
        if (sum != total)
        {
            return new DomainError("budget-total-mismatch", $"The budget lines add up to {sum}; they must add up to the grant amount of {total}.");
        }

        return IndirectCap(lines, rules) is { } capError ? capError : lines;
    }

    /// <summary>Indirect costs at most the cap times the direct costs (all other headings).</summary>
    public static DomainError? IndirectCap(IEnumerable<BudgetLine> lines, BudgetRules rules)
    {
        var list = lines.ToList();
        if (list.Count == 0)
        {
            return null;
        }

        var currency = list[0].Amount.Currency;
        var indirect = list.Where(l => l.Heading == rules.IndirectHeading).Select(l => l.Amount).Sum(currency);
        var direct = list.Where(l => l.Heading != rules.IndirectHeading).Select(l => l.Amount).Sum(currency);
        var cap = direct.Amount * rules.IndirectCostCap;
        return indirect.Amount > cap
            ? new DomainError("indirect-cost-cap-exceeded",
                $"Indirect costs of {indirect} exceed {rules.IndirectCostCap:P0} of the direct costs ({direct}): at most {cap:0.00} {currency}.")
            : null;
    }
}

public sealed record SetBudget(IReadOnlyList<PlannedBudgetLine> Lines);

public static class SetBudgetDecision
{
    public static Result<BudgetSet> Decide(Grants.Grant grant, BudgetRules rules, SetBudget cmd)
    {
        if (grant.ExpenditureReports.Count > 0)
        {
            return new DomainError("budget-locked", "Spending has been reported against this budget: change it by a revision or an amendment.");
        }

        return BudgetChecks.Lines(cmd.Lines, grant.Amount, rules).Then<BudgetSet>(lines => new BudgetSet(grant.Id, lines));
    }
}

public sealed record ReviseBudget(IReadOnlyList<(Guid LineId, decimal Amount)> Changes, string Reason);

public static class ReviseBudgetDecision
{
    public static Result<BudgetRevised> Decide(Grants.Grant grant, BudgetRules rules, ReviseBudget cmd)
    {
        if (grant.Budget is not { } budget)
        {
            return new DomainError("budget-not-set", "The grant has no budget yet.");
        }

        var changes = new List<BudgetLineChange>();
        foreach (var (lineId, amount) in cmd.Changes)
        {
            if (budget.Line(lineId) is not { } line)
            {
                return new DomainError("budget-line-not-found", $"The budget has no line {lineId}.");
            }

            if (amount < 0m || decimal.Round(amount, Money.Decimals) != amount)
            {
                return DomainErrors.InvalidAmount($"A budget line must be zero or more with at most two decimals; {amount} was given.");
            }

            changes.Add(new BudgetLineChange(lineId, line.Amount, new Money(amount + 0.00m, line.Amount.Currency)));
        }

        var revised = budget.Apply(new BudgetRevised(grant.Id, changes, cmd.Reason));
        var total = revised.Lines.Select(l => l.Amount).Sum(grant.Currency);
        if (total != grant.Amount)
        {
            return new DomainError("budget-total-mismatch",
                $"After the revision the lines would add up to {total}; money can only move between lines ({grant.Amount} in all).");
        }

        foreach (var (heading, original) in budget.Baseline)
        {
            var now = revised.HeadingTotal(heading, grant.Currency);
            var moved = Math.Abs(now.Amount - original.Amount);
            if (moved > original.Amount * rules.ReallocationCap)
            {
                return new DomainError("reallocation-cap-exceeded",
                    $"\"{heading}\" would move {moved:0.00} {grant.Currency} from its original {original}: more than " +
                    $"{rules.ReallocationCap:P0} needs an amendment approved by the donor.");
            }
        }

        return BudgetChecks.IndirectCap(revised.Lines, rules) is { } capError ? capError : new BudgetRevised(grant.Id, changes, cmd.Reason);
    }
}
