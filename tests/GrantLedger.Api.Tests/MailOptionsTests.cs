using GrantLedger.Api.Notifications;

namespace GrantLedger.Api.Tests;

/// <summary>Mail settings that would leak the SMTP password or cannot work stop the start.</summary>
public class MailOptionsTests
{
    [Fact]
    public void a_password_is_never_sent_in_clear_text_to_a_server_elsewhere()
    {
        var clear = new MailOptions { Enabled = true, Host = "smtp.example.org", Port = 25, Security = MailSecurity.None, UserName = "ledger" };
        Assert.Contains("clear text", clear.Problem());
        clear.Security = MailSecurity.StartTls;
        Assert.Null(clear.Problem());
        Assert.Null(new MailOptions { Enabled = true, Host = "127.0.0.1", Port = 2525, Security = MailSecurity.None, UserName = "dev" }.Problem());
    }

    [Fact]
    public void settings_that_cannot_work_are_named()
    {
        Assert.Contains("From", new MailOptions { Enabled = true, From = "not an address" }.Problem());
        Assert.Contains("PublicBaseUrl", new MailOptions { Enabled = true, PublicBaseUrl = "javascript:alert(1)" }.Problem());
        Assert.Contains("RetrySeconds", new MailOptions { Enabled = true, RetrySeconds = [.. Enumerable.Repeat(1, 21)] }.Problem());
        Assert.Null(new MailOptions { Enabled = false, From = "not an address" }.Problem());
    }
}
