using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using SecGear.AttestationService.Tests.Service;
using SecGear.AttestationService.WebConsole;

namespace SecGear.AttestationService.Tests.Operations;

/// <summary>The console's session and anti-forgery rules at the HTTP level (the browser tests drive the pages).</summary>
public sealed class ConsoleSessionTests : ServiceTestBase
{
    private HttpClient Browser() => Own(Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    private static async Task<HttpResponseMessage> LogInAsync(HttpClient browser, string key) =>
        await browser.PostAsync("/console/login", new FormUrlEncodedContent([new("apiKey", key)]));

    private static async Task<string> CsrfAsync(HttpClient browser)
    {
        using var document = JsonDocument.Parse(await browser.GetStringAsync("/console/session"));
        return document.RootElement.GetProperty("csrfToken").GetString()!;
    }

    [Fact]
    public async Task An_unauthenticated_visit_is_sent_to_the_log_in_page_and_admin_routes_stay_closed()
    {
        var browser = Browser();

        using var page = await browser.GetAsync("/console");
        using var session = await browser.GetAsync("/console/session");
        using var audit = await browser.GetAsync("/audit");
        using var login = await browser.GetAsync("/console/login");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/console/login", page.Headers.Location!.OriginalString);
        await ServiceClient.AssertProblemAsync(session, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        await ServiceClient.AssertProblemAsync(audit, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("default-src 'none'", login.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_without_the_key_in_the_redirect()
    {
        var browser = Browser();

        using var refused = await LogInAsync(browser, "not-the-admin-key-at-all");
        using var page = await browser.GetAsync("/console");

        Assert.Equal("/console/login?failed=1", refused.Headers.Location!.OriginalString);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task A_session_cookie_reads_admin_routes_but_writes_only_with_the_anti_forgery_token()
    {
        var browser = Browser();
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "p", "{}");

        using var login = await LogInAsync(browser, ServiceFactory.AdminKey);
        string cookie = login.Headers.GetValues("Set-Cookie").Single();
        using var page = await browser.GetAsync("/console");
        var policies = await browser.GetFromJsonAsync<PolicyDocument[]>("/policies", ServiceClient.Json);
        using var forged = await browser.PutAsJsonAsync("/policies/p", new PolicyWriteRequest(JsonDocument.Parse("{}").RootElement), ServiceClient.Json);
        string csrf = await CsrfAsync(browser);
        using var write = new HttpRequestMessage(HttpMethod.Put, "/policies/p") { Content = JsonContent.Create(new PolicyWriteRequest(JsonDocument.Parse("{}").RootElement), options: ServiceClient.Json) };
        write.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
        write.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        using var written = await browser.SendAsync(write);
        using var stale = new HttpRequestMessage(HttpMethod.Put, "/policies/p") { Content = JsonContent.Create(new PolicyWriteRequest(JsonDocument.Parse("{}").RootElement), options: ServiceClient.Json) };
        stale.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        using var conflict = await browser.SendAsync(stale);

        Assert.Equal("/console", login.Headers.Location!.OriginalString);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("p", Assert.Single(policies!).Id);
        await ServiceClient.AssertProblemAsync(forged, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        Assert.Equal(HttpStatusCode.OK, written.StatusCode);
        await ServiceClient.AssertProblemAsync(conflict, 412, ServiceErrorCodes.VersionConflict);
    }

    [Fact]
    public async Task Log_out_ends_the_session_and_a_cross_site_log_in_is_refused()
    {
        var browser = Browser();
        using var login = await LogInAsync(browser, ServiceFactory.AdminKey);
        string csrf = await CsrfAsync(browser);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/console/logout");
        logout.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
        using var loggedOut = await browser.SendAsync(logout);
        using var after = await browser.GetAsync("/audit");

        var other = Browser();
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/console/login") { Content = new FormUrlEncodedContent([new("apiKey", ServiceFactory.AdminKey)]) };
        crossSite.Headers.Add("Origin", "https://evil.example");
        using var refused = await other.SendAsync(crossSite);

        Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
        await ServiceClient.AssertProblemAsync(after, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        await ServiceClient.AssertProblemAsync(refused, 403, ServiceErrorCodes.AdminAuthenticationRequired);
    }
}
