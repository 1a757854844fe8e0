using System.Text.Json.Nodes;
using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;
using GrantLedger.Api.Notifications;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;
using Wolverine;
using Wolverine.Tracking;

namespace GrantLedger.Api.Tests;

/// <summary>A ledger of its own that sends e-mail, through MailKit, to a real SMTP server in the test process.</summary>
public sealed class MailFixture : IAsyncLifetime
{
    public MailInbox Inbox { get; } = new();
    public LedgerHost Host { get; private set; } = null!;
    public FakeClock Clock { get; } = new(LedgerHost.StartOfTime);

    public async Task InitializeAsync()
    {
        await Inbox.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["GrantLedger:Mail:Enabled"] = "true",
            ["GrantLedger:Mail:Host"] = "127.0.0.1",
            ["GrantLedger:Mail:Port"] = Inbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GrantLedger:Mail:Security"] = "None",
            ["GrantLedger:Mail:From"] = "GrantLedger <no-reply@ledger.test>",
            ["GrantLedger:Mail:PublicBaseUrl"] = "https://ledger.test/",
            ["GrantLedger:Mail:TimeoutSeconds"] = "5",
        };
        for (var i = 0; i < 20; i++)
        {
            settings[$"GrantLedger:Mail:RetrySeconds:{i}"] = "1";
        }

        Host = await LedgerHost.Wrap(await LedgerHost.StartEmpty("grantledger_mail", Clock, settings), Clock);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Inbox.DisposeAsync();
    }
}

public class MailTests(MailFixture fixture) : IClassFixture<MailFixture>, IAsyncLifetime
{
    private readonly LedgerHost _host = fixture.Host;
    private readonly Ledger _ledger = new(fixture.Host);
    private MailInbox Inbox => fixture.Inbox;

    public Task InitializeAsync()
    {
        fixture.Clock.Reset(LedgerHost.StartOfTime);
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task a_payment_reaches_each_grantee_user_in_their_language_with_the_figures_in_their_culture()
    {
        var organisation = NewOrganisation();
        var (russian, _) = await AddPerson(organisation, Languages.Russian, "Айгуль Садыкова");
        var (english, _) = await AddPerson(organisation, Languages.English, "Aidan Smith");
        var grant = await _ledger.GrantOf(50_000m, organisation);

        var paid = await _ledger.TryDisburse(grant, 1_234.56m);
        Assert.Equal(201, paid.Status);

        var ru = Assert.Single(await Inbox.WaitFor(russian, _ => true));
        Assert.Equal([russian], ru.EnvelopeTo);
        Assert.Equal("Проведена выплата 1\u00A0234,56 EUR", ru.Subject);
        Assert.Equal("ru", ru.Header("Content-Language"));
        Assert.Contains("Здравствуйте, Айгуль Садыкова!", ru.Text);
        Assert.Contains("По гранту «Community conservancies» проведена выплата 1\u00A0234,56 EUR: дата валютирования 04.05.2020, " +
            "банковская ссылка ECARO-TEST-1.", ru.Text);
        Assert.Contains("1&#160;234,56 EUR", ru.Html);
        Assert.Contains("04.05.2020", ru.Html);
        Assert.Contains($"https://ledger.test/grants/{grant}", ru.Text);
        Assert.Contains($"<a href=\"https://ledger.test/grants/{grant}\">", ru.Html);
        Assert.DoesNotContain("<img", ru.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("auto-generated", ru.Header("Auto-Submitted"));
        Assert.Equal("no-reply@ledger.test", ru.Message.From.Mailboxes.Single().Address);

        var en = Assert.Single(await Inbox.WaitFor(english, _ => true));
        Assert.Equal("Payment of 1,234.56 EUR recorded", en.Subject);
        Assert.Contains("A payment of 1,234.56 EUR under the grant \"Community conservancies\" was recorded: value date 4 May 2020, " +
            "bank reference ECARO-TEST-1.", en.Text);
        Assert.Contains("1,234.56 EUR", en.Html);
        Assert.Equal("en", en.Header("Content-Language"));
    }

    [Fact]
    public async Task an_overdue_milestone_tells_a_russian_grantee_in_russian_with_the_due_date()
    {
        var organisation = NewOrganisation();
        var (russian, _) = await AddPerson(organisation, Languages.Russian);
        var grant = await _ledger.GrantOf(50_000m, organisation);

        // The clock is at 1 June 2020: a milestone due on 20 May is overdue as soon as it is planned.
        await _ledger.PlanMilestone(grant, "2020-05-20", title: "Промежуточный отчёт");

        var mail = Assert.Single(await Inbox.WaitFor(russian, m => m.Subject.StartsWith("Просрочен", StringComparison.Ordinal)));
        Assert.Equal("Просрочен этап «Промежуточный отчёт» (срок 20.05.2020)", mail.Subject);
        Assert.Contains("Выплаты получателю " + organisation + " приостановлены", mail.Text);
    }

    [Fact]
    public async Task a_milestone_sent_back_after_its_deadline_says_why_and_that_payments_stop_in_russian()
    {
        var organisation = NewOrganisation();
        var (russian, _) = await AddPerson(organisation, Languages.Russian);
        var grant = await _ledger.GrantOf(50_000m, organisation);
        var milestone = await _ledger.PlanMilestone(grant, "2020-06-20", title: "Отчёт");
        Assert.Equal(201, (await _ledger.Submit(grant, milestone, "Готово", ("report.pdf", "%PDF-1.4\n%%EOF\n"u8.ToArray(), "application/pdf"))).Status);
        fixture.Clock.Reset(NodaTime.Instant.FromUtc(2020, 7, 1, 0, 0));

        var rejected = await _host.Post($"/api/grants/{grant}/milestones/{milestone}/rejection", new { reason = "Нет финансового приложения." });
        Assert.Equal(201, rejected.Status);

        var mail = Assert.Single(await Inbox.WaitFor(russian, m => m.Subject == "Этап «Отчёт» возвращён на доработку"));
        Assert.Contains("Причина:\nНет финансового приложения.", mail.Text.ReplaceLineEndings("\n"));
        Assert.Contains($"Срок сдачи прошёл: выплаты получателю {organisation} приостановлены", mail.Text);
    }

    [Fact]
    public async Task opting_out_stops_reminders_but_never_payment_mail()
    {
        var organisation = NewOrganisation();
        var actor = await _host.GranteeUser(organisation);
        var optedOut = (await UsersOf(organisation)).Single().Email;
        var (keeps, _) = await AddPerson(organisation, Languages.English);

        Assert.Equal(400, (await _host.Send(HttpMethod.Put, "/api/me/preferences", "{}", user: actor)).Status);
        var set = await _host.Send(HttpMethod.Put, "/api/me/preferences", """{"nonEssentialMail":false}""", user: actor);
        Assert.Equal(200, set.Status);
        Assert.False(set.Json["nonEssentialMail"]!.GetValue<bool>());
        Assert.False((await _host.Get("/api/me/preferences", user: actor)).Json["nonEssentialMail"]!.GetValue<bool>());

        var grant = await _ledger.GrantOf(50_000m, organisation);
        // Due within the reminder window: the reminder (non-essential) is due at once.
        await _ledger.PlanMilestone(grant, "2020-06-10", title: "Inception report");
        await Inbox.WaitFor(keeps, m => m.Subject == "Reminder: \"Inception report\" is due on 10 June 2020");
        var reminder = await NotificationOf(grant, NotificationKinds.MilestoneReminder);
        var deliveries = await Deliveries(reminder, d => d.Count == 2 && d.All(x => x!.Text("status") is "sent" or "skipped"));
        var skipped = deliveries.Single(d => d!.Text("to") == optedOut)!;
        Assert.Equal("skipped", skipped.Text("status"));
        Assert.Equal("opted-out", skipped.Text("skippedBecause"));
        Assert.Empty(Inbox.For(optedOut));

        await _ledger.Disburse(grant, 100m);
        var payment = Assert.Single(await Inbox.WaitFor(optedOut, _ => true));
        Assert.Equal("Payment of 100.00 EUR recorded", payment.Subject);
    }

    [Fact]
    public async Task while_the_mail_server_is_down_the_mail_is_retried_and_delivered_once_it_is_up()
    {
        var organisation = NewOrganisation();
        var (person, _) = await AddPerson(organisation, Languages.English);
        var grant = await _ledger.GrantOf(50_000m, organisation);
        Guid notice;
        await Inbox.StopAsync();
        try
        {
            await _ledger.Disburse(grant, 200m);
            notice = await NotificationOf(grant, NotificationKinds.PaymentRecorded);
            var failed = Assert.Single(await Deliveries(notice, d => d.Count == 1 && d[0]!.Text("status") == "failed"))!;
            Assert.True(failed["attempts"]!.GetValue<int>() >= 1);
            Assert.False(string.IsNullOrEmpty(failed.Text("lastError")));
        }
        finally
        {
            await Inbox.StartAsync();
        }

        var mail = Assert.Single(await Inbox.WaitFor(person, _ => true));
        Assert.Equal("Payment of 200.00 EUR recorded", mail.Subject);
        var sent = Assert.Single(await Deliveries(notice, d => d.Count == 1 && d[0]!.Text("status") == "sent"))!;
        Assert.True(sent["attempts"]!.GetValue<int>() >= 2, sent.ToJsonString());
        Assert.Null(sent["lastError"]?.GetValue<string>());
        Assert.NotNull(sent["sentAt"]);
        Assert.Single(Inbox.For(person));
    }

    [Fact]
    public async Task the_same_notification_handled_again_and_concurrently_sends_one_email()
    {
        var organisation = NewOrganisation();
        var (person, userId) = await AddPerson(organisation, Languages.English);
        var grant = await _ledger.GrantOf(50_000m, organisation);
        await _ledger.Disburse(grant, 300m);
        await Inbox.WaitFor(person, _ => true);
        var notice = await NotificationOf(grant, NotificationKinds.PaymentRecorded);

        // Delivered again (a redelivered outbox message), and the per-recipient message twice at the same moment (two nodes).
        await _host.Host.InvokeMessageAndWaitAsync(new DeliverNotification(notice));
        var bus = _host.Host.Services.GetRequiredService<IMessageBus>();
        await Task.WhenAll(bus.InvokeAsync(new SendNotificationMail(notice, userId)), bus.InvokeAsync(new SendNotificationMail(notice, userId)));

        Assert.Single(Inbox.For(person));
        var delivery = Assert.Single(await Deliveries(notice, d => d.Count == 1))!;
        Assert.Equal(1, delivery["attempts"]!.GetValue<int>());

        // A notification no message has delivered yet, sent by two handlers side by side: still one e-mail.
        var fresh = new Notification(Guid.NewGuid(), LedgerHost.StartOfTime, NotificationKinds.PaymentApproved, grant, organisation, null,
            "test", Facts: new NotificationFacts("Community conservancies", Amount: new Domain.Money(7m, "EUR"), Date: new NodaTime.LocalDate(2020, 5, 4),
                Reference: "R-7"), OrganisationId: await _host.OrganisationNamed(organisation));
        await using (var session = _host.Store.LightweightSession())
        {
            session.Store(fresh);
            await session.SaveChangesAsync();
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => bus.InvokeAsync(new SendNotificationMail(fresh.Id, userId))));
        Assert.Single(Inbox.For(person), m => m.Subject == "Payment of 7.00 EUR approved");
    }

    [Fact]
    public async Task a_grantee_never_receives_mail_about_another_organisations_grant()
    {
        var organisation = NewOrganisation();
        var (own, _) = await AddPerson(organisation, Languages.English);
        // Names an attacker might register to catch another organisation's mail.
        var (longer, longerId) = await AddPerson(organisation + " Ltd", Languages.English);
        var (shouting, _) = await AddPerson(organisation.ToUpperInvariant(), Languages.English);
        var grant = await _ledger.GrantOf(50_000m, organisation);

        await _ledger.Disburse(grant, 400m);
        await Inbox.WaitFor(own, _ => true);
        var notice = await NotificationOf(grant, NotificationKinds.PaymentRecorded);
        var delivery = Assert.Single(await Deliveries(notice, d => d.Count >= 1 && d.All(x => x!.Text("status") == "sent")))!;
        Assert.Equal(own, delivery.Text("to"));

        // Even a message that names the other organisation's user is refused when it is sent.
        await _host.Host.Services.GetRequiredService<IMessageBus>().InvokeAsync(new SendNotificationMail(notice, longerId));
        Assert.Empty(Inbox.For(longer));
        Assert.Empty(Inbox.For(shouting));
        var refused = (await Deliveries(notice, d => d.Count == 2)).Single(d => d!.Text("to") == longer)!;
        Assert.Equal("not-the-grantee", refused.Text("skippedBecause"));
    }

    [Fact]
    public async Task a_held_payment_asks_the_other_approvers_not_the_one_who_recorded_it_and_not_the_grantee()
    {
        var organisation = NewOrganisation();
        var grantee = await _host.GranteeUser(organisation);
        var granteeEmail = (await UsersOf(organisation)).Single().Email;
        var programme = await _ledger.OpenProgramme(approvalThreshold: 1_000m);
        var grant = await _ledger.Award(programme, 50_000m, organisation);

        var held = await _ledger.TryDisburse(grant, 5_000m, user: "approver");
        Assert.Equal("awaiting-approval", held.Json.Text("status"));
        var approver2 = LedgerHost.Staff["approver2"].Email;
        var ask = Assert.Single(await Inbox.WaitFor(approver2, m => m.Subject == "A payment of 5,000.00 EUR awaits your approval"));
        Assert.Contains("https://ledger.test/approvals", ask.Text);
        var notice = await NotificationOf(grant, NotificationKinds.PaymentAwaitingApproval);
        var deliveries = await Deliveries(notice, d => d.Count >= 1 && d.All(x => x!.Text("status") == "sent"));
        Assert.Equal([approver2], deliveries.Select(d => d!.Text("to")));
        Assert.Empty(Inbox.For(granteeEmail));
        var feed = await _host.Get($"/api/notifications?grantId={grant}", user: grantee);
        Assert.DoesNotContain(feed.Json.AsArray(), n => n!.Text("kind") == NotificationKinds.PaymentAwaitingApproval);

        var approved = await _host.Post($"/api/grants/{grant}/disbursements/{held.Id}/approval", new { }, user: "approver2");
        Assert.Equal(201, approved.Status);
        var paid = Assert.Single(await Inbox.WaitFor(granteeEmail, _ => true));
        Assert.Equal("Payment of 5,000.00 EUR approved", paid.Subject);
    }

    [Fact]
    public async Task line_breaks_in_titles_and_names_add_no_header_and_markup_is_shown_as_text()
    {
        var organisation = NewOrganisation();
        var (person, _) = await AddPerson(organisation, Languages.English, "Aida\r\nBcc: spy@evil.example");
        var grant = await _ledger.GrantOf(50_000m, organisation);

        await _ledger.PlanMilestone(grant, "2020-06-10", title: "Report\r\nBcc: spy@evil.example\r\nX-Injected: yes <b>bold</b>");

        var mail = Assert.Single(await Inbox.WaitFor(person, _ => true));
        Assert.Equal([person], mail.EnvelopeTo);
        Assert.Empty(mail.Message.Bcc);
        Assert.Empty(mail.Message.Cc);
        Assert.Null(mail.Header("X-Injected"));
        Assert.DoesNotContain("\nBcc:", mail.RawHeaders, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\nX-Injected:", mail.RawHeaders, StringComparison.OrdinalIgnoreCase);
        // In the body the title is shown as written, line breaks and all, where it is only text.
        Assert.Contains("Report\r\nBcc: spy@evil.example", mail.Text.ReplaceLineEndings("\r\n"));
        Assert.Equal("Reminder: \"Report Bcc: spy@evil.example X-Injected: yes <b>bold</b>\" is due on 10 June 2020", mail.Subject);
        Assert.Equal("Aida Bcc: spy@evil.example", mail.Message.To.Mailboxes.Single().Name);
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;", mail.Html);
        Assert.DoesNotContain("<b>bold</b>", mail.Html);
        Assert.DoesNotContain(Inbox.Received, m => m.EnvelopeTo.Contains("spy@evil.example"));
    }

    [Fact]
    public async Task a_report_generated_in_the_background_tells_the_person_who_asked_for_it()
    {
        var grant = await _ledger.GrantOf(50_000m, NewOrganisation());
        var auditor = LedgerHost.Staff["auditor"].Email;
        static bool ReportReady(ReceivedMail m) => m.Subject == "Your report is ready: grantee-statement";
        var before = Inbox.For(auditor).Count(ReportReady);

        await _ledger.GenerateReport(new { kind = "grantee-statement", grantId = grant });

        var mail = (await Inbox.WaitFor(auditor, ReportReady, before + 1)).Last();
        Assert.Contains("https://ledger.test/reports", mail.Text);
        Assert.Contains(".pdf", mail.Text);
    }

    [Fact]
    public async Task only_administrators_read_the_deliveries()
    {
        Assert.Equal(403, (await _host.Get("/api/mail/deliveries", user: "finance")).Status);
        Assert.Equal(403, (await _host.Get("/api/mail/deliveries", user: await _host.GranteeUser(NewOrganisation()))).Status);
        Assert.Equal(200, (await _host.Get("/api/mail/deliveries", user: "admin")).Status);
        Assert.Equal(400, (await _host.Get("/api/mail/deliveries?status=lost", user: "admin")).Status);
    }

    private static string NewOrganisation() => "Mountain Partners " + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A grantee user of the organisation, with a language and display name; answers the e-mail and the user id.</summary>
    private async Task<(string Email, Guid Id)> AddPerson(string organisation, string language, string? displayName = null)
    {
        var email = $"person-{Guid.NewGuid():N}@grantee.test";
        await _host.AddUser(email, [Roles.Grantee], organisation);
        await using var session = _host.Store.LightweightSession();
        var user = await session.Query<UserAccount>().SingleAsync(u => u.Email == email);
        session.Store(user with { Language = language, DisplayName = displayName ?? email });
        await session.SaveChangesAsync();
        return (email, user.Id);
    }

    private async Task<IReadOnlyList<UserAccount>> UsersOf(string organisation)
    {
        await using var session = _host.Store.QuerySession();
        return await session.Query<UserAccount>().Where(u => u.GranteeOrganisation == organisation).ToListAsync();
    }

    private async Task<Guid> NotificationOf(Guid grant, string kind)
    {
        var feed = await LedgerHost.Eventually(() => _host.Get($"/api/notifications?grantId={grant}"),
            r => r.Json.AsArray().Any(n => n!.Text("kind") == kind));
        return Guid.Parse(feed.Json.AsArray().Single(n => n!.Text("kind") == kind)!.Text("id"));
    }

    private async Task<IReadOnlyList<JsonNode?>> Deliveries(Guid notification, Func<IReadOnlyList<JsonNode?>, bool> done)
    {
        var reply = await LedgerHost.Eventually(() => _host.Get($"/api/mail/deliveries?notificationId={notification}", user: "admin"),
            r => r.Status == 200 && done([.. r.Json["deliveries"]!.AsArray()]));
        return [.. reply.Json["deliveries"]!.AsArray()];
    }
}
