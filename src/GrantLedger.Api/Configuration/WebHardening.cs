using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;

namespace GrantLedger.Api.Configuration;

/// <summary>Settings under <c>GrantLedger:Proxy</c>: the reverse proxies whose X-Forwarded-For/-Proto are believed.</summary>
public sealed class ProxyOptions
{
    /// <summary>Proxy addresses (e.g. <c>172.30.80.10</c>).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR form (e.g. <c>10.0.0.0/8</c>).</summary>
    public string[] KnownNetworks { get; set; } = [];
}

/// <summary>
/// What a browser needs to be protected by: the Content-Security-Policy (with every other protective header), the
/// client's scheme and address taken from a known proxy only, and cookies that are always <c>Secure</c> in Production.
/// </summary>
public static class WebHardening
{
    /// <summary>
    /// Pages load scripts and styles from the ledger only (no inline code, no inline style), images also as data: URLs,
    /// no plugins, forms post only to the ledger, no other site may frame it.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; " +
        "form-action 'self'; frame-ancestors 'none'";

    public static WebApplicationBuilder AddGrantLedgerWebHardening(this WebApplicationBuilder builder)
    {
        var proxy = builder.Configuration.GetSection("GrantLedger:Proxy").Get<ProxyOptions>() ?? new ProxyOptions();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the configured proxies (and loopback, ASP.NET Core's default) are believed; one hop.
            foreach (var address in proxy.KnownProxies.Where(a => !string.IsNullOrWhiteSpace(a)))
            {
                o.KnownProxies.Add(IPAddress.Parse(address.Trim()));
            }

            foreach (var network in proxy.KnownNetworks.Where(n => !string.IsNullOrWhiteSpace(n)))
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network.Trim()));
            }
        });

        if (builder.Environment.IsProduction())
        {
            // Behind a TLS-terminating proxy the request may reach the app as HTTP: the cookies stay Secure regardless.
            builder.Services.PostConfigure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme,
                o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);
            builder.Services.PostConfigure<AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);
        }

        return builder;
    }

    /// <summary>First in the pipeline: the forwarded scheme and address (from a known proxy), then the headers on every answer.</summary>
    public static WebApplication UseGrantLedgerWebHardening(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (app.Environment.IsProduction())
        {
            // Cookies are Secure and antiforgery refuses plain HTTP in Production: answer a plain-HTTP request (after the
            // known proxy's X-Forwarded-Proto) in words instead of failing later. Health probes and the Prometheus scrape (its
            // own token; scraped on the internal network, docs/operations.md "Metrics") stay open.
            app.Use((context, next) =>
            {
                if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/health") ||
                    context.Request.Path.StartsWithSegments("/metrics"))
                {
                    return next(context);
                }

                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync("GrantLedger answers over HTTPS only. Behind a TLS-terminating proxy, list the proxy in " +
                                                   "GrantLedger:Proxy:KnownProxies or KnownNetworks (docs/operations.md).");
            });
        }

        // Every answer: the policy above, no MIME sniffing, never framed (clickjacking), no referrer leaving the ledger.
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "same-origin";
            return next(context);
        });
        return app;
    }
}
