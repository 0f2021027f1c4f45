using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using SecGear.AttestationService.Tests.Service;
using static Microsoft.Playwright.Assertions;

namespace SecGear.AttestationService.Console.Tests;

/// <summary>The web console in headless chromium: log-in, an attestation, a policy edit that loses a race, a refused visit.</summary>
public sealed class ConsoleBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private async Task<IPage> NewPageAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        return await context.NewPageAsync();
    }

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    private async Task<IPage> LogInAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(fixture.Service.Url + "/console/login");
        await page.FillAsync("#apiKey", fixture.AdminKey);
        await page.ClickAsync("#login");
        await page.WaitForSelectorAsync("body[data-ready='true']", new PageWaitForSelectorOptions { Timeout = 10_000 });
        return page;
    }

    [ChromiumFact]
    public async Task Logging_in_with_the_admin_key_opens_the_console_with_live_counters_and_key_status()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(fixture.Service.Url + "/console");
        await Expect(page).ToHaveURLAsync(fixture.Service.Url + "/console/login");
        await page.FillAsync("#apiKey", fixture.AdminKey);
        await ScreenshotAsync(page, "01-login");

        await page.ClickAsync("#login");
        await page.WaitForSelectorAsync("body[data-ready='true']", new PageWaitForSelectorOptions { Timeout = 10_000 });
        await Expect(page).ToHaveURLAsync(fixture.Service.Url + "/console");
        await Expect(page.Locator("#counters dt").First).ToHaveTextAsync("challenges outstanding");
        var cookies = await page.Context.CookiesAsync();
        await ScreenshotAsync(page, "02-console");

        await page.ClickAsync("nav button[data-tab='keys']");
        await Expect(page.Locator("#key-table tbody tr.active")).ToHaveCountAsync(1);
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.ClickAsync("#rotate");
        await Expect(page.Locator("#key-table tbody tr.pending")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "03-keys-rotated");

        var session = Assert.Single(cookies);
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.DoesNotContain(fixture.AdminKey, page.Url, StringComparison.Ordinal);
        using var client = fixture.Client();
        Assert.Equal(2, new Microsoft.IdentityModel.Tokens.JsonWebKeySet(await client.GetStringAsync(AttestationServiceRoutes.Jwks)).Keys.Count);
    }

    [ChromiumFact]
    public async Task An_attestation_is_found_by_its_verdict_and_shown_with_TEE_measurement_and_failure_code()
    {
        using (var admin = fixture.Admin())
        {
            await ServiceClient.PutPolicyAsync(admin, "strict", $$"""{"allowSimulation":true,"allowedUniqueIds":["{{new string('0', 64)}}"]}""");
            await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        }

        using (var client = fixture.Client())
        {
            Assert.Equal(AttestationStatus.Contraindicated, (await ServiceClient.AttestAsync(client, fixture.Enclave, "strict")).Status);
            Assert.Equal(AttestationStatus.Affirming, (await ServiceClient.AttestAsync(client, fixture.Enclave, "sim")).Status);
        }

        var page = await LogInAsync();
        await page.SelectOptionAsync("#audit-filter select[name=verdict]", "contraindicated");
        await page.FillAsync("#audit-filter input[name=tee]", "Simulation");
        await page.ClickAsync("#audit-filter button[type=submit]");
        var rows = page.Locator("#audit-table tbody tr");
        await Expect(rows.First.Locator("td.verdict")).ToHaveTextAsync("contraindicated");
        int count = await rows.CountAsync();
        await rows.First.ClickAsync();
        var detail = page.Locator("#audit-detail");
        await Expect(detail).ToBeVisibleAsync();
        await ScreenshotAsync(page, "04-attestation");

        Assert.True(count >= 1);
        Assert.All(await rows.Locator("td.verdict").AllTextContentsAsync(), verdict => Assert.Equal("contraindicated", verdict));
        await Expect(detail.Locator("dd[data-field='TEE']")).ToHaveTextAsync("Simulation");
        await Expect(detail.Locator("dd[data-field='Measurement']")).ToHaveTextAsync(SimulatedEnclave.UniqueIdHex);
        await Expect(detail.Locator("dd[data-field='Failure code']")).ToHaveTextAsync("PolicyUniqueIdNotAllowed");
        await Expect(detail.Locator("dd[data-field='Policy']")).ToHaveTextAsync("strict");
    }

    [ChromiumFact]
    public async Task Saving_a_policy_someone_changed_meanwhile_shows_a_version_conflict_and_keeps_their_change()
    {
        using var admin = fixture.Admin();
        await ServiceClient.PutPolicyAsync(admin, "edited", """{"allowSimulation":true}""");
        var page = await LogInAsync();
        await page.ClickAsync("nav button[data-tab='policies']");
        await page.ClickAsync("#policy-table tr[data-id='edited'] button");
        await Expect(page.Locator("#policy-editor .version")).ToHaveTextAsync("version 1");

        // Another administrator saves version 2 through the API while the page still holds version 1.
        using (var other = new HttpRequestMessage(HttpMethod.Put, "/policies/edited")
        {
            Content = JsonContent.Create(new PolicyWriteRequest(JsonDocument.Parse("""{"allowSimulation":true,"minimumSecurityVersion":3}""").RootElement), options: ServiceClient.Json),
        })
        {
            other.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
            using var response = await admin.SendAsync(other);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await page.FillAsync("#policy-editor textarea[name=policy]", """{"allowSimulation":false}""");
        await page.ClickAsync("#policy-editor button[type=submit]");
        await Expect(page.Locator("#message")).ToContainTextAsync("Version conflict");
        await Expect(page.Locator("#policy-table tr[data-id='edited'] td").Nth(1)).ToHaveTextAsync("2");
        await ScreenshotAsync(page, "05-policy-conflict");
        var afterConflict = await admin.GetFromJsonAsync<PolicyDocument>("/policies/edited", ServiceClient.Json);

        await page.ClickAsync("#policy-table tr[data-id='edited'] button");
        await Expect(page.Locator("#policy-editor .version")).ToHaveTextAsync("version 2");
        await page.FillAsync("#policy-editor textarea[name=policy]", """{"allowSimulation":true,"minimumSecurityVersion":4}""");
        await page.ClickAsync("#policy-editor button[type=submit]");
        await Expect(page.Locator("#message")).ToContainTextAsync("version 3");
        var saved = await admin.GetFromJsonAsync<PolicyDocument>("/policies/edited", ServiceClient.Json);

        Assert.Equal(2, afterConflict!.Version);
        Assert.Equal(3, afterConflict.Policy.GetProperty("minimumSecurityVersion").GetInt32());
        Assert.Equal(3, saved!.Version);
        Assert.Equal(4, saved.Policy.GetProperty("minimumSecurityVersion").GetInt32());
    }

    [ChromiumFact]
    public async Task Reference_values_are_edited_in_place_and_resources_are_listed_without_their_values()
    {
        using var admin = fixture.Admin();
        byte[] secret = System.Text.Encoding.UTF8.GetBytes("console-must-never-show-this");
        using (var set = await admin.PutAsJsonAsync("/reference-values/fleet", new ReferenceValueWriteRequest([SimulatedEnclave.UniqueIdHex]), ServiceClient.Json))
        {
            Assert.True(set.IsSuccessStatusCode);
        }

        await ServiceClient.PutPolicyAsync(admin, "kbs", """{"allowSimulation":true}""");
        using (var resource = await admin.PutAsJsonAsync("/resources/app/key/db", new ResourceWriteRequest(secret, new ResourcePolicy(["kbs"])), ServiceClient.Json))
        {
            Assert.True(resource.IsSuccessStatusCode);
        }

        var page = await LogInAsync();
        await page.ClickAsync("nav button[data-tab='reference-values']");
        await page.ClickAsync("#refvalue-table tr[data-id='fleet'] button");
        await Expect(page.Locator("#refvalue-editor .version")).ToHaveTextAsync("version 1");
        await page.FillAsync("#refvalue-editor textarea[name=body]", $$"""{"uniqueIds":["{{SimulatedEnclave.UniqueIdHex}}"],"minimumSecurityVersion":2}""");
        await page.ClickAsync("#refvalue-editor button[type=submit]");
        await Expect(page.Locator("#message")).ToContainTextAsync("version 2");
        await ScreenshotAsync(page, "09-reference-values");
        await page.ClickAsync("nav button[data-tab='resources']");
        await Expect(page.Locator("#resource-table tbody tr td").First).ToHaveTextAsync("app/key/db");
        await ScreenshotAsync(page, "10-resources");
        string html = await page.ContentAsync();
        var stored = await admin.GetFromJsonAsync<ReferenceValueSet>("/reference-values/fleet", ServiceClient.Json);

        Assert.Equal(2, stored!.Version);
        Assert.Equal(2, stored.MinimumSecurityVersion);
        Assert.DoesNotContain("console-must-never-show-this", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(secret), html, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task An_unauthenticated_visit_is_sent_to_log_in_and_the_admin_data_is_refused()
    {
        var page = await NewPageAsync();

        await page.GotoAsync(fixture.Service.Url + "/console");
        await Expect(page).ToHaveURLAsync(fixture.Service.Url + "/console/login");
        await ScreenshotAsync(page, "06-unauthenticated-redirect");
        var refused = await page.GotoAsync(fixture.Service.Url + "/audit");
        string body = await page.Locator("body").TextContentAsync() ?? string.Empty;
        await ScreenshotAsync(page, "07-unauthenticated-refused");
        await page.GotoAsync(fixture.Service.Url + "/console/login");
        await page.FillAsync("#apiKey", "not-an-administrator-key");
        await page.ClickAsync("#login");
        await Expect(page.Locator("#login-error")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "08-wrong-key");

        Assert.Equal(401, refused!.Status);
        Assert.Contains(ServiceErrorCodes.AdminAuthenticationRequired, body, StringComparison.Ordinal);
        Assert.Empty(await page.Context.CookiesAsync());
        Assert.DoesNotContain("not-an-administrator-key", page.Url, StringComparison.Ordinal);
    }
}
