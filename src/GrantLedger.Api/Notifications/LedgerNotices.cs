using GrantLedger.Api.Http;
using GrantLedger.Domain.Amendments;
using GrantLedger.Domain.Grants;
using GrantLedger.Domain.Milestones;
using Marten;
using NodaTime;
using Wolverine;
using Wolverine.Marten;

namespace GrantLedger.Api.Notifications;

/// <summary>Every kind of notification the ledger sends, who it is for and whether a person may opt out of its e-mail.</summary>
public static class NotificationKinds
{
    public const string MilestoneReminder = "milestone-reminder";
    public const string MilestoneOverdue = "milestone-overdue";
    public const string MilestoneRejected = "milestone-rejected";
    public const string MilestoneConfirmed = "milestone-confirmed";
    public const string PaymentRecorded = "payment-recorded";
    public const string PaymentApproved = "payment-approved";
    public const string PaymentReversed = "payment-reversed";

    /// <summary>Money the bank sent back (<c>DisbursementReturned</c>): the grantee is told in the feed and by e-mail.</summary>
    public const string PaymentReturned = "payment-returned";

    public const string PaymentAwaitingApproval = "payment-awaiting-approval";
    public const string AmendmentAwaitingApproval = "amendment-awaiting-approval";
    public const string ReportReady = "report-ready";
    public const string BankAccountProposed = "bank-account-proposed";
    public const string BankAccountApproved = "bank-account-approved";

    /// <summary>A grantee asked for a payment: finance is told (feed, e-mail to finance users).</summary>
    public const string PaymentRequested = "payment-requested";

    /// <summary>The payment a grantee asked for was recorded as paid (at once, or when a second person approved it).</summary>
    public const string PaymentRequestPaid = "payment-request-paid";

    /// <summary>Finance declined a grantee's payment request; the grantee reads the reason.</summary>
    public const string PaymentRequestDeclined = "payment-request-declined";

    public static readonly IReadOnlyList<string> All =
    [
        MilestoneReminder, MilestoneOverdue, MilestoneRejected, MilestoneConfirmed, PaymentRecorded, PaymentApproved, PaymentReversed,
        PaymentReturned, PaymentAwaitingApproval, AmendmentAwaitingApproval, ReportReady, PaymentRequested, PaymentRequestPaid,
        PaymentRequestDeclined,
        BankAccountProposed, BankAccountApproved,
    ];

    /// <summary>
    /// Mail about money is sent whatever the person chose: a payment made, approved, reversed or returned, a payment
    /// waiting for the second pair of eyes, and an overdue milestone, which stops payments to the grantee. The rest
    /// (reminders, reviews of a milestone, amendments, reports) is non-essential: the feed and the pages show it too.
    /// </summary>
    public static readonly IReadOnlySet<string> Essential = new HashSet<string>
    {
        MilestoneOverdue, PaymentRecorded, PaymentApproved, PaymentReversed, PaymentReturned, PaymentAwaitingApproval,
        PaymentRequestPaid, PaymentRequestDeclined,
        BankAccountProposed, BankAccountApproved,
    };

    public static bool IsEssential(string kind) => Essential.Contains(kind);
}

/// <summary>
/// The notifications a grant command's events call for. The handler stores them in its own transaction and cascades a
/// <see cref="DeliverNotification"/> for each, so they leave through the outbox only if the events were committed.
/// </summary>
public static class LedgerNotices
{
    /// <summary>The notices for <paramref name="events"/>, just decided on <paramref name="grant"/> (the state before them).</summary>
    public static IReadOnlyList<Notification> For(Grant grant, IEnumerable<object> events, Instant now)
    {
        var notices = new List<Notification>();
        foreach (var e in events)
        {
            switch (e)
            {
                case DisbursementRecorded { PaymentRequestId: { } requestId } paid when grant.FindPaymentRequest(requestId) is { } request:
                    notices.Add(RequestPaid(grant, request, paid.DisbursementId, paid.Amount, paid.ValueDate, paid.BankReference, now));
                    break;
                case DisbursementApproved approved when grant.FindDisbursement(approved.DisbursementId) is { PaymentRequestId: { } requestId } payment &&
                                                        grant.FindPaymentRequest(requestId) is { } request:
                    notices.Add(RequestPaid(grant, request, approved.DisbursementId, approved.Amount, payment.ValueDate, payment.BankReference, now));
                    break;
                case PaymentRequested requested:
                    notices.Add(Notice(NotificationKinds.PaymentRequested, grant, requested.RequestId.ToString(), now, null,
                        $"{grant.Grantee} asks for a payment of {requested.Amount} under \"{grant.Title}\".",
                        new NotificationFacts(grant.Title, Amount: requested.Amount, Text: requested.Note))
                        with { Audience = NotificationAudience.Finance });
                    break;
                case PaymentRequestDeclined declined when grant.FindPaymentRequest(declined.RequestId) is { } request:
                    notices.Add(Notice(NotificationKinds.PaymentRequestDeclined, grant, declined.RequestId.ToString(), now, null,
                        $"Your request for a payment of {request.Amount} was declined: {declined.Reason}",
                        new NotificationFacts(grant.Title, Amount: request.Amount, Text: declined.Reason)));
                    break;
                case DisbursementRecorded paid:
                    notices.Add(Notice(NotificationKinds.PaymentRecorded, grant, paid.DisbursementId.ToString(), now, null,
                        $"A payment of {paid.Amount} (value date {paid.ValueDate:uuuu-MM-dd}, reference {paid.BankReference}) was recorded.",
                        new NotificationFacts(grant.Title, Amount: paid.Amount, Date: paid.ValueDate, Reference: paid.BankReference)));
                    break;
                case DisbursementSubmittedForApproval held:
                    notices.Add(Notice(NotificationKinds.PaymentAwaitingApproval, grant, held.DisbursementId.ToString(), now, null,
                        $"A payment of {held.Amount} to {grant.Grantee} awaits a second approver.",
                        new NotificationFacts(grant.Title, Amount: held.Amount, Date: held.ValueDate, Reference: held.BankReference))
                        with { Audience = NotificationAudience.Approvers, ExcludedUserId = held.RecordedBy });
                    break;
                case DisbursementApproved approved when grant.FindDisbursement(approved.DisbursementId) is { } payment:
                    notices.Add(Notice(NotificationKinds.PaymentApproved, grant, approved.DisbursementId.ToString(), now, null,
                        $"A payment of {approved.Amount} (value date {payment.ValueDate:uuuu-MM-dd}) was approved and recorded.",
                        new NotificationFacts(grant.Title, Amount: approved.Amount, Date: payment.ValueDate, Reference: payment.BankReference)));
                    break;
                case DisbursementReversed reversed when grant.FindDisbursement(reversed.DisbursementId) is { } payment:
                    notices.Add(Notice(NotificationKinds.PaymentReversed, grant, reversed.DisbursementId.ToString(), now, null,
                        $"The payment of {reversed.Amount} (value date {payment.ValueDate:uuuu-MM-dd}) was reversed: {reversed.Reason}",
                        new NotificationFacts(grant.Title, Amount: reversed.Amount, Date: payment.ValueDate, Text: reversed.Reason,
                            Reference: payment.BankReference)));
                    break;
                case DisbursementReturned returned when grant.FindDisbursement(returned.DisbursementId) is { } payment:
                    notices.Add(Notice(NotificationKinds.PaymentReturned, grant, returned.DisbursementId.ToString(), now, null,
                        $"The bank returned {returned.Amount} of the payment of {payment.Amount} (value date {payment.ValueDate:uuuu-MM-dd}, " +
                        $"reference {payment.BankReference}) on {returned.ValueDate:uuuu-MM-dd}: {returned.BankReason}",
                        new NotificationFacts(grant.Title, Amount: returned.Amount, Date: returned.ValueDate, Text: returned.BankReason,
                            Reference: payment.BankReference)));
                    break;
                case MilestoneConfirmed confirmed when grant.FindMilestone(confirmed.MilestoneId) is { } milestone:
                    notices.Add(Notice(NotificationKinds.MilestoneConfirmed, grant, $"{milestone.Id}/{grant.Version}", now, milestone.Id,
                        $"\"{milestone.Title}\" was confirmed.",
                        new NotificationFacts(grant.Title, milestone.Title, Date: milestone.DueDate, Text: confirmed.Note)));
                    break;
                case AmendmentProposed proposed:
                    notices.Add(Notice(NotificationKinds.AmendmentAwaitingApproval, grant, proposed.AmendmentId.ToString(), now, null,
                        $"An amendment of the grant \"{grant.Title}\" awaits a second approver: {proposed.Reason}",
                        new NotificationFacts(grant.Title, Amount: proposed.NewAmount, Date: proposed.NewEndDate, Text: proposed.Reason))
                        with { Audience = NotificationAudience.Approvers, ExcludedUserId = proposed.ProposedBy });
                    break;
            }
        }

        return notices;
    }

    /// <summary>Stores the notices and answers the messages that deliver them (cascaded by the handler, so sent with its commit).</summary>
    public static OutgoingMessages Record(IDocumentSession session, Grant grant, IEnumerable<object> events, Instant now)
    {
        var messages = new OutgoingMessages();
        foreach (var notice in For(grant, events, now))
        {
            session.Store(notice);
            messages.Add(new DeliverNotification(notice.Id));
        }

        return messages;
    }

    /// <summary>For hand-written handlers: stores the notices and publishes their delivery on the handler's (outboxed) bus.</summary>
    public static async Task Record(IDocumentSession session, IMessageBus bus, Grant grant, IEnumerable<object> events, Instant now)
    {
        foreach (var message in Record(session, grant, events, now))
        {
            await bus.PublishAsync(message);
        }
    }

    /// <summary>The aggregate workflow's answer with the notices its events call for (none when it refused).</summary>
    public static (CommandOutcome, Events, OutgoingMessages) Notifying(this (CommandOutcome Outcome, Events Events) decided, Grant? grant,
        IDocumentSession session, IClock clock) =>
        decided.Outcome.Accepted && grant is not null
            ? (decided.Outcome, decided.Events, Record(session, grant, decided.Events, clock.GetCurrentInstant()))
            : (decided.Outcome, decided.Events, []);

    /// <summary>Told in place of the plain payment notice: the payment settles what the grantee asked for (finance may pay another amount).</summary>
    private static Notification RequestPaid(Grant grant, PaymentRequest request, Guid disbursementId, Domain.Money amount, LocalDate valueDate,
        string reference, Instant now) =>
        Notice(NotificationKinds.PaymentRequestPaid, grant, disbursementId.ToString(), now, null,
            $"Your request for a payment of {request.Amount} was paid: {amount} (value date {valueDate:uuuu-MM-dd}, reference {reference}).",
            new NotificationFacts(grant.Title, Amount: amount, Date: valueDate, Reference: reference, Text: $"{request.Amount.Amount:0.00} {request.Amount.Currency}"));

    private static Notification Notice(string kind, Grant grant, string discriminator, Instant now, Guid? milestoneId, string message,
        NotificationFacts facts) =>
        new(Notification.IdFor(kind, grant.Id, milestoneId, discriminator), now, kind, grant.Id, grant.Grantee, milestoneId, message, Facts: facts,
            OrganisationId: grant.OrganisationId);
}

/// <summary>A report generated in the background is ready: its requester is told (feed for staff, e-mail).</summary>
public static class ReportReadyNotice
{
    public static Notification For(Reports.ReportJob job, string fileName, Instant now)
    {
        var kind = Reports.Kinds.Name(job.Kind);
        return new Notification(Notification.IdFor(NotificationKinds.ReportReady, job.GrantId ?? Guid.Empty, null, job.Id.ToString()), now,
            NotificationKinds.ReportReady, job.GrantId ?? Guid.Empty, job.Grantee ?? "", null, $"The report {kind} ({fileName}) is ready.",
            NotificationAudience.Requester, RecipientUserId: job.RequestedByUserId, Facts: new NotificationFacts(Title: kind, Reference: fileName));
    }
}
