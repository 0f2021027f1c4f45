using System.CommandLine;
using SecGear.AttestationService.Client;

namespace SecGear.Cli.Commands;

/// <summary>
/// The options every <c>secgear service</c> subcommand shares (<c>--url</c>, <c>--api-key-file</c> or
/// <c>--admin-token-file</c>, <c>--timeout</c>;
/// recursive, so they may follow any subcommand) and the client they build.
/// </summary>
internal sealed class ServiceConnection
{
    /// <summary>The service address when <c>--url</c> is not given.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Environment variable holding the admin API key when <c>--api-key-file</c> is not given.</summary>
    public const string ApiKeyVariable = "SECGEAR_API_KEY";

    /// <summary>Largest API key file read.</summary>
    private const long MaxApiKeyFileSize = 4096;

    /// <summary>Largest admin token file read.</summary>
    private const long MaxAdminTokenFileSize = 64 * 1024;

    public Option<string> Url { get; } = new("--url")
    {
        Description = "Base URL of the attestation service.",
        DefaultValueFactory = _ => DefaultUrl,
        Recursive = true,
    };

    public Option<FileInfo?> ApiKeyFile { get; } = new("--api-key-file")
    {
        Description = $"File holding the administrator API key (default: ${ApiKeyVariable}); sent on admin operations only.",
        Recursive = true,
    };

    public Option<FileInfo?> AdminTokenFile { get; } = new("--admin-token-file")
    {
        Description = "File holding an administrator JWT (instead of an API key); sent on admin operations only.",
        Recursive = true,
    };

    public Option<int> TimeoutSeconds { get; } = new("--timeout")
    {
        Description = "Seconds to wait for the service.",
        DefaultValueFactory = _ => 30,
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Add(Url);
        command.Add(ApiKeyFile);
        command.Add(AdminTokenFile);
        command.Add(TimeoutSeconds);
    }

    /// <summary>Builds the HttpClient and the typed client from the parsed options.</summary>
    public (HttpClient Http, AttestationServiceClient Client) Create(ParseResult parse)
    {
        string url = parse.GetValue(Url) ?? DefaultUrl;
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var baseAddress)
            || baseAddress.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(baseAddress.Query) || !string.IsNullOrEmpty(baseAddress.Fragment))
        {
            throw new CliUsageException($"--url '{url}' is not an absolute http or https URL");
        }

        int timeout = parse.GetValue(TimeoutSeconds);
        if (timeout is < 1 or > 3600)
        {
            throw new CliUsageException($"--timeout is {timeout}; it must be 1-3600 seconds");
        }

        var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(timeout) };
        try
        {
            var options = parse.GetValue(AdminTokenFile) is { } tokenFile
                ? new AttestationServiceClientOptions { AdminToken = ReadAdminToken(parse, tokenFile) }
                : new AttestationServiceClientOptions { ApiKey = ReadApiKey(parse) };
            return (http, new AttestationServiceClient(http, options));
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    private string ReadAdminToken(ParseResult parse, FileInfo file)
    {
        if (parse.GetValue(ApiKeyFile) is not null)
        {
            throw new CliUsageException("--api-key-file and --admin-token-file exclude each other");
        }

        string token = ReadCredentialFile(file, "--admin-token-file", MaxAdminTokenFileSize);
        return token.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            ? throw new CliUsageException("the admin token contains whitespace or control characters (one JWT on one line is expected)")
            : token;
    }

    private static string ReadCredentialFile(FileInfo file, string option, long limit)
    {
        if (!file.Exists)
        {
            throw CliInputFiles.Missing(option, file);
        }

        if (file.Length > limit)
        {
            throw new CliUsageException($"{option} '{file.FullName}' is {file.Length} bytes; the limit is {limit}");
        }

        string value = File.ReadAllText(file.FullName).Trim();
        return value.Length > 0 ? value : throw new CliUsageException($"{option} '{file.FullName}' is empty");
    }

    private string? ReadApiKey(ParseResult parse)
    {
        string? key;
        if (parse.GetValue(ApiKeyFile) is { } file)
        {
            key = ReadCredentialFile(file, "--api-key-file", MaxApiKeyFileSize);
        }
        else
        {
            key = Environment.GetEnvironmentVariable(ApiKeyVariable)?.Trim();
        }

        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        // Never quote the key itself: the message names only where it came from.
        return key.Any(char.IsControl)
            ? throw new CliUsageException("the API key contains control characters (one key on one line is expected)")
            : key;
    }
}
