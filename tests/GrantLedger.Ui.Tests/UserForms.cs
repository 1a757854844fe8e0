using Microsoft.Playwright;

namespace GrantLedger.Ui.Tests;

/// <summary>The administrator's "Add user" form on /users, filled as a person does, and the notice it answers with.</summary>
public static class UserForms
{
    public static async Task AddUser(IPage admin, string email, string name, string role, string? organisation = null)
    {
        await admin.GetByLabel("E-mail").FillAsync(email);
        await admin.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await admin.GetByLabel("First password", new() { Exact = false }).FillAsync(BrowserHost.Password);
        await admin.GetByLabel("Role").SelectOptionAsync(role);
        if (organisation is not null)
        {
            // Chosen from the registered organisations (bound by id), by its short name.
            var option = admin.Locator("#granteeOrganisation option")
                .Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(organisation) + " \\(") }).First;
            await admin.Locator("#granteeOrganisation").SelectOptionAsync((await option.GetAttributeAsync("value"))!);
        }

        await admin.GetByRole(AriaRole.Button, new() { Name = "Add user" }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Status)).ToContainTextAsync("was added");
    }
}
