namespace SecGear.AttestationService.Tests.Operations;

/// <summary>Settings with background maintenance off, so each test runs maintenance at a clock time of its choosing.</summary>
public static class ManualMaintenance
{
    public static Dictionary<string, string?> Settings(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AttestationService:Operations:MaintenanceInterval"] = "00:00:00",
            ["AttestationService:Operations:KeyPublishAhead"] = "00:05:00",
            ["AttestationService:Operations:KeyRetirementMargin"] = "00:01:00",
            ["AttestationService:TokenLifetime"] = "00:05:00",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }
}
