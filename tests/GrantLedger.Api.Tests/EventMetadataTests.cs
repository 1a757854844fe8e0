using GrantLedger.Domain.Grants;
using Marten;

namespace GrantLedger.Api.Tests;

[Collection(LedgerCollection.Name)]
public class EventMetadataTests(LedgerHost host) : FromStartOfTime(host.Clock)
{
    private readonly Ledger _ledger = new(host);

    [Fact]
    public async Task every_event_records_the_signed_in_user_their_role_why_and_the_correlation_id()
    {
        var grantId = await _ledger.GrantOf(1_000m);
        var paid = await _ledger.Disburse(grantId, 100m);

        var reversal = await host.Post($"/api/grants/{grantId}/disbursements/{paid}/reversal",
            new { reason = "Wrong bank account" },
            new Dictionary<string, string> { ["X-Correlation-Id"] = "corr-42", ["X-Actor"] = "someone-else@example.org" },
            user: "approver");
        Assert.Equal(201, reversal.Status);
        Assert.Equal("corr-42", reversal.Headers["X-Correlation-Id"]);

        await using var session = host.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(grantId);
        var reversed = events.Single(e => e.Data is DisbursementReversed);
        // The actor comes from the token, never from a header the client sends.
        Assert.Equal("approver@test.example", reversed.Headers!["actor"].ToString());
        Assert.Equal("finance,approver", reversed.Headers!["role"].ToString());
        Assert.False(string.IsNullOrEmpty(reversed.Headers!["userId"].ToString()));
        Assert.Equal("Wrong bank account", reversed.Headers!["reason"].ToString());
        Assert.Equal("corr-42", reversed.CorrelationId);
        Assert.Equal("approver@test.example", reversed.UserName);

        var recorded = events.Single(e => e.Data is DisbursementRecorded);
        Assert.Equal("finance@test.example", recorded.Headers!["actor"].ToString());
        Assert.False(string.IsNullOrEmpty(recorded.CorrelationId));
    }
}
