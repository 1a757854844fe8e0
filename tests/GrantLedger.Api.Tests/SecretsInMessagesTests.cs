using GrantLedger.Api.Http;
using GrantLedger.Api.Identity;

namespace GrantLedger.Api.Tests;

/// <summary>Commands travel through Wolverine and may be logged: a password must never show in their text.</summary>
public class SecretsInMessagesTests
{
    [Fact]
    public void an_add_user_command_prints_everything_but_the_password()
    {
        var command = new AddUserCommand(new CreateUserRequest("new.officer@ecaro.example", "New Officer", "correct horse battery staple", ["finance"]),
            new RequestMetadata("admin@ecaro.example", "c-1"));

        var text = command.ToString();

        Assert.Contains("new.officer@ecaro.example", text);
        Assert.DoesNotContain("correct horse battery staple", text);
    }
}
