// Not part of the test assembly: GeneratedClientTests compiles this file together with the Kiota client it generates
// from the served /openapi/v1.json, so it only compiles against what the document declares. Only BCL types cross
// back into the test.
using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using GrantLedger.Client;
using GrantLedger.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace GrantLedger.ClientScenario;

/// <summary>A finance officer's payments, through the generated client.</summary>
public static class Payments
{
    /// <summary>Signs in through the anonymous token operation.</summary>
    public static async Task<string> SignIn(HttpClient http, string email, string password)
    {
        var token = await Client(http, null).Api.Auth.Token.PostAsync(new TokenRequest { Email = email, Password = password });
        return token?.AccessToken ?? throw new InvalidOperationException("No access token in the answer.");
    }

    /// <summary>Records a payment; a refusal comes back as the problem's status and code.</summary>
    public static async Task<(Guid? Id, string? Status, long? Version, int? ProblemStatus, string? Code)> Pay(
        HttpClient http, string token, Guid grantId, decimal amount, DateTime valueDate, string idempotencyKey)
    {
        var request = new RecordDisbursementRequest
        {
            Amount = amount,
            ValueDate = new Date(valueDate),
            Reference = "ECARO-CLIENT-1",
            Note = "Paid through the generated client",
        };
        try
        {
            var created = await Client(http, token).Api.Grants[grantId].Disbursements.PostAsync(request,
                configuration => configuration.Headers.Add("Idempotency-Key", idempotencyKey));
            return (created?.Id, created?.Status, created?.Version, null, null);
        }
        catch (ProblemDetails problem)
        {
            return (null, null, null, problem.ResponseStatusCode, problem.Code);
        }
    }

    /// <summary>What the grant shows as paid, and how many payments it lists.</summary>
    public static async Task<(decimal? Disbursed, decimal? Remaining, int Payments)> Grant(HttpClient http, string token, Guid grantId)
    {
        var grant = await Client(http, token).Api.Grants[grantId].GetAsync();
        return (grant?.Disbursed, grant?.Remaining, grant?.Disbursements?.Count ?? 0);
    }

    private static GrantLedgerClient Client(HttpClient http, string? token)
    {
        IAuthenticationProvider authentication = token is null
            ? new AnonymousAuthenticationProvider()
            : new BaseBearerTokenAuthenticationProvider(new StaticToken(token));
        return new GrantLedgerClient(new HttpClientRequestAdapter(authentication, httpClient: http) { BaseUrl = http.BaseAddress!.ToString().TrimEnd('/') });
    }

    private sealed class StaticToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default) => Task.FromResult(token);
    }
}
