using SecGear.AttestationService.Client;
using SecGear.AttestationService.Tests.Service;

namespace SecGear.AttestationService.Tests.Client;

/// <summary>The typed client's operations calls against the real service.</summary>
public sealed class OperationsClientTests : ServiceTestBase
{
    [Fact]
    public async Task The_client_lists_the_audit_with_filters_and_rotates_the_signing_key()
    {
        var admin = new AttestationServiceClient(Factory.CreateClient(), new AttestationServiceClientOptions { ApiKey = ServiceFactory.AdminKey });
        var relay = new AttestationServiceClient(Factory.CreateClient());
        using (var http = Factory.Admin())
        {
            await ServiceClient.PutPolicyAsync(http, "sim", """{"allowSimulation":true}""");
            using var client = Factory.CreateClient();
            await ServiceClient.AttestAsync(client, Enclave, "sim");
        }

        var affirming = await admin.ListAuditAsync(endpoint: AttestationServiceRoutes.Attestation, verdict: "affirming", tee: "Simulation");
        var none = await admin.ListAuditAsync(failureCode: "No Such & Code");
        var before = await admin.GetSigningKeysAsync();
        var after = await admin.RotateSigningKeyAsync();
        var refused = await Assert.ThrowsAsync<AttestationServiceException>(() => relay.GetSigningKeysAsync());

        Assert.Equal(SimulatedEnclave.UniqueIdHex, Assert.Single(affirming).Measurement);
        Assert.Empty(none);
        Assert.Equal("active", Assert.Single(before.Keys).State);
        Assert.True(after.Rotated);
        Assert.Equal(["active", "pending"], after.Keys.Select(k => k.State));
        Assert.Equal(ServiceErrorCodes.AdminAuthenticationRequired, refused.Code);
    }
}
