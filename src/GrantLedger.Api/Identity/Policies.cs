using Microsoft.AspNetCore.Authorization;

namespace GrantLedger.Api.Identity;

/// <summary>Every endpoint names one of these. Grant-level reads also filter by organisation for grantees.</summary>
public static class Policies
{
    /// <summary>Grant-level reads: staff, auditors and grantees (grantees only their own grants; others are 404).</summary>
    public const string ReadGrants = "read-grants";

    /// <summary>Programme-wide reads that show every grantee's figures: finance and auditors.</summary>
    public const string ReadProgrammes = "read-programmes";

    /// <summary>Recording grants, payments, reversals, tranche plans, milestone plans and reviews.</summary>
    public const string Finance = "finance";

    /// <summary>The second pair of eyes on payments at or above the threshold.</summary>
    public const string Approve = "approve";

    /// <summary>Delivering milestones: grantee users, on their own grants.</summary>
    public const string Deliver = "deliver";

    /// <summary>The audit trail and its verification.</summary>
    public const string Audit = "audit";

    /// <summary>User administration.</summary>
    public const string ManageUsers = "manage-users";

    /// <summary>The security log and users' histories: administrators and auditors.</summary>
    public const string SecurityLog = "security-log";

    /// <summary>Any signed-in user, also one who signed in with a one-time password (changing one's own password).</summary>
    public const string SignedIn = "signed-in";

    /// <summary>Proposing a bank account: finance, or a grantee user for its own organisation (scoped in the handler).</summary>
    public const string ProposeBankAccount = "propose-bank-account";

    public static void Register(AuthorizationOptions options)
    {
        options.AddPolicy(SecurityLog, p => p.RequireRole(Roles.Admin, Roles.Auditor));
        options.AddPolicy(SignedIn, p => p.RequireAuthenticatedUser());
        options.AddPolicy(ReadGrants, p => p.RequireRole(Roles.Finance, Roles.Approver, Roles.Auditor, Roles.Grantee));
        options.AddPolicy(ReadProgrammes, p => p.RequireRole(Roles.Finance, Roles.Approver, Roles.Auditor));
        options.AddPolicy(Finance, p => p.RequireRole(Roles.Finance));
        options.AddPolicy(Approve, p => p.RequireRole(Roles.Approver));
        options.AddPolicy(Deliver, p => p.RequireRole(Roles.Grantee));
        options.AddPolicy(Audit, p => p.RequireRole(Roles.Finance, Roles.Approver, Roles.Auditor));
        options.AddPolicy(ProposeBankAccount, p => p.RequireRole(Roles.Finance, Roles.Grantee));
        options.AddPolicy(ManageUsers, p => p.RequireRole(Roles.Admin));
    }
}
