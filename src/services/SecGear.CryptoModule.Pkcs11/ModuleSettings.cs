namespace SecGear.CryptoModule.Pkcs11;

/// <summary>
/// Where the module is and which tenants are slots: environment <c>SECGEAR_PKCS11_URL</c> and
/// <c>SECGEAR_PKCS11_TENANTS</c> (comma-separated), or a file named by <c>SECGEAR_PKCS11_CONF</c> (default
/// <c>~/.secgear/pkcs11.conf</c>) with lines <c>url = …</c> and <c>tenants = a,b</c>. Environment wins.
/// </summary>
internal sealed record ModuleSettings(Uri Url, IReadOnlyList<string> Tenants)
{
    public static ModuleSettings Load()
    {
        var file = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string path = Environment.GetEnvironmentVariable("SECGEAR_PKCS11_CONF")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secgear", "pkcs11.conf");
        if (File.Exists(path))
        {
            foreach (string line in File.ReadAllLines(path))
            {
                string trimmed = line.Trim();
                int equals = trimmed.IndexOf('=', StringComparison.Ordinal);
                if (trimmed.Length > 0 && trimmed[0] != '#' && equals > 0)
                {
                    file[trimmed[..equals].Trim()] = trimmed[(equals + 1)..].Trim();
                }
            }
        }

        string? url = Environment.GetEnvironmentVariable("SECGEAR_PKCS11_URL") ?? file.GetValueOrDefault("url");
        string? tenants = Environment.GetEnvironmentVariable("SECGEAR_PKCS11_TENANTS") ?? file.GetValueOrDefault("tenants");
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri))
        {
            throw new CkrException(Ck.CKR_GENERAL_ERROR, $"No crypto module URL: set SECGEAR_PKCS11_URL or 'url =' in {path}.");
        }

        var list = (tenants ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new ModuleSettings(uri, list);
    }
}
