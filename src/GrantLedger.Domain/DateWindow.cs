using NodaTime;

namespace GrantLedger.Domain;

/// <summary>An inclusive range of calendar dates, such as a programme's or a grant's implementation period.</summary>
public readonly record struct DateWindow(LocalDate Start, LocalDate End)
{
    public static Result<DateWindow> Create(LocalDate start, LocalDate end) =>
        end < start
            ? DomainErrors.InvalidWindow($"The window ends ({end:uuuu-MM-dd}) before it starts ({start:uuuu-MM-dd}).")
            : new DateWindow(start, end);

    public bool Contains(LocalDate date) => date >= Start && date <= End;
    public bool Contains(DateWindow other) => other.Start >= Start && other.End <= End;

    public override string ToString() => $"{Start:uuuu-MM-dd} .. {End:uuuu-MM-dd}";
}
