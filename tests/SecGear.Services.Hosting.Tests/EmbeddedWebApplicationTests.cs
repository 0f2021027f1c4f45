using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace SecGear.Services.Hosting.Tests;

/// <summary>The embedded host the services share: settings, data directory, free port, stop; a failed start reaches the caller.</summary>
public sealed class EmbeddedWebApplicationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-hosting-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_started_application_serves_the_callers_settings_on_a_free_port_until_it_is_disposed()
    {
        var host = await EmbeddedWebApplication.StartAsync(
            _directory, "Test:DataDirectory", new Dictionary<string, string?> { ["Test:Value"] = "42" }, LogLevel.None, "http://127.0.0.1:0",
            _ => { },
            app =>
            {
                app.MapGet("/settings", (IConfiguration configuration) => $"{configuration["Test:Value"]}|{configuration["Test:DataDirectory"]}");
                return Task.CompletedTask;
            });
        using var http = new HttpClient();
        Assert.True(Directory.Exists(_directory));
        Assert.Equal($"42|{Path.GetFullPath(_directory)}", await http.GetStringAsync(host.Url + "/settings"));

        await host.DisposeAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(host.Url + "/settings"));
    }

    [Fact]
    public async Task A_failing_initialisation_reaches_the_caller_unchanged()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedWebApplication.StartAsync(
            _directory, "Test:DataDirectory", null, LogLevel.None, "http://127.0.0.1:0", _ => { },
            _ => throw new InvalidOperationException("the store is unreadable")));
        Assert.Equal("the store is unreadable", error.Message);
    }

    [Fact]
    public async Task An_empty_data_directory_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => EmbeddedWebApplication.StartAsync(
            string.Empty, "Test:DataDirectory", null, LogLevel.None, "http://127.0.0.1:0", _ => { }, _ => Task.CompletedTask));
    }
}
