using System.Net;
using System.Text;
using GrantLedger.Api.Identity;
using MimeKit;
using MimeKit.Text;
using NodaTime;

namespace GrantLedger.Api.Notifications;

/// <summary>
/// Writes one notification as one e-mail to one person, in their language: a plain-text and an HTML part with the same
/// words, and one link, to the page in the ledger. No images, no tracking. Everything that came from a person (titles,
/// reasons, names) is HTML-encoded in the HTML part, and no header value can carry a line break.
/// </summary>
public static class MailComposer
{
    public static MimeMessage Compose(Notification notification, UserAccount recipient, Guid deliveryId, MailOptions options, Instant now)
    {
        var texts = MailTexts.For(recipient.Language);
        var facts = notification.Facts ?? new NotificationFacts();
        object?[] args =
        [
            facts.GrantTitle ?? "", facts.Title ?? "", facts.Amount is { } amount ? texts.Money(amount) : "",
            facts.Date is { } date ? texts.Date(date) : "", facts.Text ?? "", notification.Grantee, facts.Reference ?? "",
        ];
        var subject = OneLine(texts.Format(notification.Kind + ".Subject", args));
        var body = texts.Format(notification.Kind + ".Body", args) + (facts.PaymentsOnHold ? "\n" + texts.Format("PaymentsOnHold", args) : "");
        var link = LinkFor(notification, options);
        var greeting = texts.Format("Greeting", OneLine(recipient.DisplayName));
        var footer = texts.Text(NotificationKinds.IsEssential(notification.Kind) ? "Footer.Essential" : "Footer.NonEssential") + " " +
            texts.Text("Footer.Automatic");

        var from = MailboxAddress.Parse(options.From);
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(new MailboxAddress(OneLine(recipient.DisplayName), recipient.Email));
        message.Subject = subject;
        message.Date = now.ToDateTimeOffset();
        // The same id for every attempt of this delivery: a receiving server that has it already may drop a repeat.
        message.MessageId = $"{deliveryId:N}@{from.Domain}";
        message.Headers.Add("Auto-Submitted", "auto-generated");

        var plain = new StringBuilder()
            .Append(greeting).Append("\n\n").Append(body).Append("\n\n")
            .Append(texts.Format("OpenLink", link)).Append("\n\n-- \n").Append(footer).Append('\n').ToString();
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(texts.Language).Append("\"><head><meta charset=\"utf-8\"><title>")
            .Append(Encode(subject)).Append("</title></head><body>")
            .Append("<p>").Append(Encode(greeting)).Append("</p>")
            .Append("<p>").Append(Encode(body).Replace("\n", "<br>")).Append("</p>")
            .Append("<p><a href=\"").Append(Encode(link)).Append("\">").Append(Encode(texts.Text("OpenLinkText"))).Append("</a></p>")
            .Append("<hr><p><small>").Append(Encode(footer)).Append("</small></p>")
            .Append("</body></html>").ToString();
        message.Body = new MultipartAlternative
        {
            new TextPart(TextFormat.Plain) { Text = plain },
            new TextPart(TextFormat.Html) { Text = html },
        };
        // A Content-* header belongs to the body (MimeKit would move it there anyway): the language of both parts.
        message.Body.Headers.Add(HeaderId.ContentLanguage, texts.Language);
        return message;
    }

    /// <summary>The page the notice is about, below the configured public address.</summary>
    public static string LinkFor(Notification notification, MailOptions options)
    {
        var path = notification.Kind switch
        {
            NotificationKinds.PaymentAwaitingApproval or NotificationKinds.AmendmentAwaitingApproval => "/approvals",
            NotificationKinds.ReportReady => "/reports",
            NotificationKinds.PaymentRequested => "/payment-requests",
            _ when notification.GrantId != Guid.Empty => $"/grants/{notification.GrantId}",
            _ => "/notifications",
        };
        return options.PublicBaseUrl.TrimEnd('/') + path;
    }

    /// <summary>Text fit for a header: control characters (CR and LF above all) become spaces.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]).Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
