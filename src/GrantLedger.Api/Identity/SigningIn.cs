using GrantLedger.Api.Configuration;
using GrantLedger.Api.Http;
using JasperFx;
using Marten.Exceptions;
using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NodaTime;

namespace GrantLedger.Api.Identity;

/// <summary>A lockout began (sign-in only: a locked user keeps their roles, so a locked approver still counts for four eyes).</summary>
public sealed record UserLockedOut(Guid UserId, Instant Until, int FailedSignIns);

/// <summary>
/// The password check shared by the token endpoint and the web sign-in. It leaks nothing: an unknown e-mail, a wrong
/// password, a locked and a disabled account all verify a password hash (a dummy one when there is no user) and
/// answer the same <c>401 invalid-credentials</c>. Failures are counted with optimistic concurrency (a lost race is
/// retried, so parallel guesses each count); after <see cref="AuthOptions.MaxFailedSignIns"/> the account is locked for
/// 1, 2, 4 … minutes, capped at <see cref="AuthOptions.LockoutMinutes"/>. While locked, attempts are not counted, so
/// nobody can lengthen a lockout; a client address over its sign-in limit is stopped before it reaches this check.
/// Sign-in bookkeeping writes directly (it is not a ledger command with an actor); the lockout event says "sign-in".
/// </summary>
public sealed class SignInGate
{
    public sealed record Outcome(UserAccount? User, IResult? Problem, int? RetryAfterSeconds = null);

    private const int MaxRetries = 50;
    private readonly IDocumentStore _store;
    private readonly IPasswordHasher<UserAccount> _hasher;
    private readonly IClock _clock;
    private readonly IOptions<AuthOptions> _options;
    private readonly SignInThrottle _throttle;
    private readonly SecurityLog _log;
    private readonly UserAccount _nobody = new(Guid.Empty, "", "", "", [], null);
    private readonly string _dummyHash;

    public SignInGate(IDocumentStore store, IPasswordHasher<UserAccount> hasher, IClock clock, IOptions<AuthOptions> options,
        SignInThrottle throttle, SecurityLog log)
    {
        (_store, _hasher, _clock, _options, _throttle, _log) = (store, hasher, clock, options, throttle, log);
        _dummyHash = hasher.HashPassword(_nobody, Guid.NewGuid().ToString("N"));
    }

    public async Task<Outcome> Check(string email, string password, string address, CancellationToken cancellation = default)
    {
        var normalised = UserAccount.Normalise(email ?? "");
        if (_throttle.Refusal(normalised) is { } retryAfter)
        {
            await _log.Record(SecurityLogKinds.SignInThrottled, null, null, address, "too many attempts for one e-mail address", cancellation);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            return new(null, new WithRetryAfter(RateLimitConfiguration.TooMany(RateLimitConfiguration.SignIn, seconds), seconds), seconds);
        }

        await using var session = _store.QuerySession();
        var user = await session.Query<UserAccount>().FirstOrDefaultAsync(u => u.Email == normalised, cancellation);
        // The same hash work whatever is found, so an unknown e-mail takes as long as a wrong password.
        var verified = _hasher.VerifyHashedPassword(user ?? _nobody, user?.PasswordHash is { Length: > 0 } hash ? hash : _dummyHash, password ?? "")
            != PasswordVerificationResult.Failed;
        var now = _clock.GetCurrentInstant();
        if (user is null)
        {
            await _log.Record(SecurityLogKinds.SignInFailed, null, null, address, "unknown e-mail", cancellation);
            return Failed();
        }

        if (user.Disabled)
        {
            await _log.Record(SecurityLogKinds.SignInRefusedDisabled, user.Id, user.Email, address, "the account is disabled", cancellation);
            return Failed();
        }

        if (user.LockedUntil is { } until && until > now)
        {
            await _log.Record(SecurityLogKinds.SignInRefusedLocked, user.Id, user.Email, address, $"locked until {until}", cancellation);
            return Failed();
        }

        if (!verified)
        {
            var (failures, lockedUntil) = await CountFailure(user.Id, cancellation);
            await _log.Record(SecurityLogKinds.SignInFailed, user.Id, user.Email, address, $"wrong password ({failures} in a row)", cancellation);
            if (lockedUntil is { } locked)
            {
                await _log.Record(SecurityLogKinds.LockedOut, user.Id, user.Email, address, $"locked until {locked}", cancellation);
            }

            return Failed();
        }

        if (user.FailedSignIns > 0 || user.LockedUntil is not null)
        {
            await Update(user.Id, u => u with { FailedSignIns = 0, LockedUntil = null }, cancellation);
        }

        await _log.Record(SecurityLogKinds.SignedIn, user.Id, user.Email, address,
            user.MustChangePassword ? "signed in with a one-time password: may only change it" : "signed in", cancellation);
        return new(user, null);
    }

    /// <summary>Lockout length after the given number of failures in a row: 1, 2, 4 … minutes, capped.</summary>
    public static Duration LockoutFor(int failures, AuthOptions options)
    {
        var beyond = failures - options.MaxFailedSignIns;
        var cap = Math.Max(1, options.LockoutMinutes);
        return Duration.FromMinutes(beyond >= 5 ? cap : Math.Min(cap, 1 << Math.Max(0, beyond)));
    }

    private async Task<(int Failures, Instant? LockedUntil)> CountFailure(Guid userId, CancellationToken cancellation)
    {
        var options = _options.Value;
        (int, Instant?) counted = (0, null);
        await Update(userId, u =>
        {
            var failures = u.FailedSignIns + 1;
            Instant? lockedUntil = failures >= options.MaxFailedSignIns ? _clock.GetCurrentInstant() + LockoutFor(failures, options) : null;
            counted = (failures, lockedUntil);
            return u with { FailedSignIns = failures, LockedUntil = lockedUntil ?? u.LockedUntil };
        }, cancellation, (u, session) =>
        {
            if (counted.Item2 is { } until)
            {
                session.SetHeader(SessionMetadata.ActorHeader, "sign-in");
                session.SetHeader(SessionMetadata.ReasonHeader, $"{counted.Item1} failed sign-ins in a row");
                session.Events.Append(u.Id, new UserLockedOut(u.Id, until, counted.Item1));
            }
        });
        return counted;
    }

    /// <summary>Load, change and store under optimistic concurrency; a concurrent change makes it load and try again.</summary>
    private async Task Update(Guid userId, Func<UserAccount, UserAccount> change, CancellationToken cancellation,
        Action<UserAccount, IDocumentSession>? alongside = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = _store.LightweightSession();
            var user = await session.LoadAsync<UserAccount>(userId, cancellation);
            if (user is null)
            {
                return;
            }

            var changed = change(user);
            session.Store(changed);
            alongside?.Invoke(changed, session);
            try
            {
                await session.SaveChangesAsync(cancellation);
                return;
            }
            catch (ConcurrencyException) when (attempt < MaxRetries)
            {
            }
        }
    }

    private static Outcome Failed() => new(null, InvalidCredentials());

    /// <summary>One answer for every failed sign-in: it does not say whether the e-mail exists, is locked or disabled.</summary>
    public static IResult InvalidCredentials() =>
        Problems.Create(StatusCodes.Status401Unauthorized, "invalid-credentials", "Sign-in failed", FailureMessage);

    public const string FailureMessage =
        "The e-mail or password is not right, or the account is locked for a few minutes after too many failed attempts.";

    /// <summary>A problem answered with a <c>Retry-After</c> header.</summary>
    private sealed class WithRetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
