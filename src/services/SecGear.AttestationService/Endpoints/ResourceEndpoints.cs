using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Endpoints;

/// <summary>
/// <c>/resources</c>: admins store secrets (encrypted under the master key) with a policy; an attested enclave reads
/// one with its token and receives it sealed to the runtime key bound in that token.
/// </summary>
internal static class ResourceEndpoints
{
    private const string Route = "/{repository}/{type}/{tag}";

    public static void MapAdmin(RouteGroupBuilder admin)
    {
        var group = admin.MapGroup(AttestationServiceRoutes.Resources).WithTags("Resources");
        group.MapGet("", ListAsync).Produces<ResourceInfo[]>();
        group.MapPut(Route, PutAsync).Accepts<ResourceWriteRequest>("application/json")
            .Produces<ResourceInfo>(200).Produces<ResourceInfo>(201).ProducesProblem(400).ProducesProblem(412);
        group.MapDelete(Route, DeleteAsync).Produces(204).ProducesProblem(404).ProducesProblem(412);
    }

    public static void MapRelease(IEndpointRouteBuilder routes)
    {
        routes.MapGet(AttestationServiceRoutes.Resources + Route, ReleaseAsync)
            .WithTags("Resources")
            .Produces<ResourceResponse>()
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(403)
            .ProducesProblem(404);
    }

    private static async Task<ResourceInfo[]> ListAsync(IAttestationStore store, CancellationToken cancellationToken) =>
        [.. (await store.ListDocumentsAsync(DocumentKind.Resource, cancellationToken).ConfigureAwait(false)).Select(DocumentCodec.ToResource)];

    private static async Task<ResourceInfo> PutAsync(string repository, string type, string tag, HttpContext context, MasterKey masterKey)
    {
        string path = PathOf(repository, type, tag);
        var request = await RequestBody.ReadAsync<ResourceWriteRequest>(context).ConfigureAwait(false);
        if (request.Value.Length > ResourceEnvelope.MaxSecretLength)
        {
            throw ServiceProblemException.Malformed($"A resource value is at most {ResourceEnvelope.MaxSecretLength} bytes; got {request.Value.Length}.");
        }

        var policyIds = request.Policy.PolicyIds ?? [];
        if (policyIds.Count == 0)
        {
            throw Validation.PolicyInvalid("The resource policy must name at least one policy id.");
        }

        var normalised = new ResourcePolicy(
            [.. policyIds.Select(id => Validation.Id(id, "policy")).Distinct(StringComparer.Ordinal)],
            Validation.HexIds(request.Policy.UniqueIds, "policy.uniqueIds"),
            Validation.HexIds(request.Policy.SignerIds, "policy.signerIds"),
            request.Policy.MinimumDevices is { } minimumDevices
                ? (minimumDevices is >= 0 and <= CompositeAppraisal.MaxDevices ? minimumDevices : throw Validation.PolicyInvalid($"'policy.minimumDevices' is {minimumDevices}; it must be 0..{CompositeAppraisal.MaxDevices}."))
                : null);
        var secret = masterKey.Encrypt(request.Value, Context(path));
        return DocumentCodec.ToResource(await VersionedDocuments.PutAsync(context, DocumentKind.Resource, path, DocumentCodec.Encode(normalised), secret).ConfigureAwait(false));
    }

    private static Task<IResult> DeleteAsync(string repository, string type, string tag, HttpContext context) =>
        VersionedDocuments.DeleteAsync(context, DocumentKind.Resource, PathOf(repository, type, tag), ServiceErrorCodes.ResourceUnknown);

    private static async Task<ResourceResponse> ReleaseAsync(
        string repository, string type, string tag, HttpContext context, TokenService tokens, IAttestationStore store, MasterKey masterKey, AuditLog audit, TimeProvider time)
    {
        string path = PathOf(repository, type, tag);
        string? client = context.Connection.RemoteIpAddress?.ToString();
        string? policyId = null;
        long? policyVersion = null;
        try
        {
            var token = BearerToken(context.Request);
            var payload = await tokens.ValidateAsync(token, context.RequestAborted).ConfigureAwait(false);
            var enclave = payload.GetProperty(AttestationTokenClaims.Submods).GetProperty(AttestationTokenClaims.SubmodName);
            policyId = StringClaim(enclave, AttestationTokenClaims.PolicyId);
            policyVersion = enclave.TryGetProperty(AttestationTokenClaims.PolicyVersion, out var v) && v.TryGetInt64(out long version) ? version : null;
            var stored = await store.GetDocumentAsync(DocumentKind.Resource, path, context.RequestAborted).ConfigureAwait(false)
                ?? throw new ServiceProblemException(StatusCodes.Status404NotFound, ServiceErrorCodes.ResourceUnknown, $"No resource has the path '{path}'.");
            var resourcePolicy = DocumentCodec.Decode<ResourcePolicy>(stored);
            CheckPolicy(resourcePolicy, enclave, policyId);
            CheckDevices(resourcePolicy, payload.GetProperty(AttestationTokenClaims.Submods));
            var runtimeKey = RuntimeKey(enclave);
            var envelope = SealAndZero(runtimeKey, masterKey.Decrypt(stored.Secret ?? throw new InvalidOperationException($"The resource '{path}' has no stored value."), Context(path)), path);

            await audit.RecordAsync(new AuditRecord(time.GetUtcNow(), AttestationServiceRoutes.Resources, client, policyId, policyVersion, "released", null, null)).ConfigureAwait(false);
            return new ResourceResponse(path, envelope);
        }
        catch (ServiceProblemException problem)
        {
            await audit.RecordAsync(new AuditRecord(time.GetUtcNow(), AttestationServiceRoutes.Resources, client, policyId, policyVersion, "refused", problem.Code, null)).ConfigureAwait(false);
            throw;
        }
    }

    private static void CheckPolicy(ResourcePolicy policy, JsonElement enclave, string? policyId)
    {
        if (policyId is null || !policy.PolicyIds.Contains(policyId, StringComparer.Ordinal))
        {
            throw Unsatisfied($"the token was issued under the policy '{policyId}', and the resource accepts {string.Join(", ", policy.PolicyIds)}");
        }

        var claims = enclave.TryGetProperty(AttestationTokenClaims.Claims, out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        CheckId(policy.UniqueIds, claims, "unique_id");
        CheckId(policy.SignerIds, claims, "signer_id");
    }

    /// <summary>"CPU TEE and every GPU affirmed": the token lists at least the required devices and every one is affirming.</summary>
    private static void CheckDevices(ResourcePolicy policy, JsonElement submods)
    {
        if (policy.MinimumDevices is not > 0)
        {
            return;
        }

        var devices = submods.EnumerateObject().Where(s => s.Name.StartsWith(AttestationTokenClaims.DeviceSubmodPrefix, StringComparison.Ordinal)).ToList();
        if (devices.Count < policy.MinimumDevices)
        {
            throw Unsatisfied($"the token attests {devices.Count} devices (GPUs) with the CPU TEE, and the resource requires at least {policy.MinimumDevices}");
        }

        foreach (var device in devices)
        {
            if (device.Value.ValueKind != JsonValueKind.Object || StringClaim(device.Value, AttestationTokenClaims.Status) != AttestationStatus.Affirming)
            {
                throw Unsatisfied($"the token's device {device.Name} is not affirmed");
            }
        }
    }

    private static void CheckId(IReadOnlyList<string>? allowed, JsonElement claims, string claim)
    {
        if (allowed is not { Count: > 0 })
        {
            return;
        }

        string? actual = claims.ValueKind == JsonValueKind.Object ? StringClaim(claims, claim) : null;
        if (actual is null || !allowed.Contains(actual, StringComparer.OrdinalIgnoreCase))
        {
            throw Unsatisfied($"the token's {claim} is not among the {allowed.Count} the resource accepts");
        }
    }

    internal static byte[] RuntimeKey(JsonElement enclave)
    {
        string? encoded = StringClaim(enclave, AttestationTokenClaims.RuntimeKey);
        if (string.IsNullOrEmpty(encoded))
        {
            throw new ServiceProblemException(StatusCodes.Status400BadRequest, ServiceErrorCodes.RuntimeKeyMissing,
                "The token binds no runtime key; attest with runtimeData = the SubjectPublicKeyInfo of the enclave's P-256 key.");
        }

        try
        {
            return Base64Url.DecodeFromChars(encoded);
        }
        catch (FormatException)
        {
            throw new ServiceProblemException(StatusCodes.Status400BadRequest, ServiceErrorCodes.RuntimeKeyMissing, "The token's runtime key is not base64url.");
        }
    }

    /// <summary>Seals <paramref name="value"/> to the token's runtime key for <paramref name="path"/>, then zeroes it.</summary>
    internal static SealedResource SealAndZero(byte[] runtimeKey, byte[] value, string path)
    {
        try
        {
            return ResourceEnvelope.Seal(runtimeKey, value, path);
        }
        catch (CryptographicException)
        {
            throw new ServiceProblemException(
                StatusCodes.Status400BadRequest, ServiceErrorCodes.RuntimeKeyMissing,
                "The runtime data bound in the token is not a P-256 SubjectPublicKeyInfo, so there is no key to seal the resource to.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
        }
    }

    internal static string? StringClaim(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static string BearerToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        const string Scheme = "Bearer ";
        return header is not null && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header.Length > Scheme.Length
            ? header[Scheme.Length..].Trim()
            : throw new ServiceProblemException(StatusCodes.Status401Unauthorized, ServiceErrorCodes.TokenInvalid,
                "A resource is released only to 'Authorization: Bearer <attestation token>'.");
    }

    private static string PathOf(string repository, string type, string tag)
    {
        try
        {
            return ResourcePath.Validate(repository, type, tag);
        }
        catch (ArgumentException ex)
        {
            throw ServiceProblemException.Malformed(ex.Message);
        }
    }

    internal static ServiceProblemException Unsatisfied(string reason) =>
        new(StatusCodes.Status403Forbidden, ServiceErrorCodes.ResourcePolicyUnsatisfied, $"The token does not satisfy the resource's policy: {reason}.");

    private static string Context(string path) => $"resource/{path}";
}
