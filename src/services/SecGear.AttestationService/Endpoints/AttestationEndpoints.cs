using System.Buffers.Text;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SecGear.Attestation;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Endpoints;

/// <summary>
/// <c>POST /attestation</c>: consumes the challenge (whatever the verdict), appraises the evidence against the named
/// policy and its reference values, and answers affirming with a signed token or contraindicated with the failure.
/// </summary>
internal static class AttestationEndpoints
{
    /// <summary>Longest runtime data accepted (a P-256 SPKI is 91 bytes; room for other keys).</summary>
    public const int MaxRuntimeDataLength = 4096;

    private static readonly string Build = typeof(AttestationEndpoints).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(AttestationServiceRoutes.Attestation, AttestAsync)
            .WithTags("Attestation")
            .Accepts<AttestationRequest>("application/json")
            .Produces<AttestationResponse>()
            .ProducesProblem(400)
            .ProducesProblem(404)
            .ProducesProblem(409)
            .ProducesProblem(410);
    }

    private static async Task<AttestationResponse> AttestAsync(
        HttpContext context,
        IAttestationStore store,
        TimeProvider time,
        EvidenceAppraiser appraiser,
        TokenService tokens,
        AuditLog audit,
        IOptions<AttestationServiceOptions> options)
    {
        var request = await RequestBody.ReadAsync<AttestationRequest>(context).ConfigureAwait(false);
        Validate(request);
        string evidenceHash = Convert.ToHexStringLower(SHA256.HashData(request.Evidence));
        string? client = context.Connection.RemoteIpAddress?.ToString();

        async Task<ServiceProblemException> RefuseAsync(ServiceProblemException problem, long? version = null)
        {
            await audit.RecordAsync(new AuditRecord(
                time.GetUtcNow(), AttestationServiceRoutes.Attestation, client, request.PolicyId, version, "refused", problem.Code, evidenceHash)).ConfigureAwait(false);
            return problem;
        }

        var challenge = await store.TakeChallengeAsync(request.SessionId, context.RequestAborted).ConfigureAwait(false)
            ?? throw await RefuseAsync(new(StatusCodes.Status404NotFound, ServiceErrorCodes.ChallengeUnknown,
                "The session id names no challenge: it was never issued, or it has been used already.")).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (now >= challenge.ExpiresAt)
        {
            throw await RefuseAsync(new(StatusCodes.Status410Gone, ServiceErrorCodes.ChallengeExpired,
                $"The challenge expired at {challenge.ExpiresAt:O}; request a new one.")).ConfigureAwait(false);
        }

        if (challenge.PolicyId is not null && challenge.PolicyId != request.PolicyId)
        {
            throw await RefuseAsync(new(StatusCodes.Status409Conflict, ServiceErrorCodes.ChallengePolicyMismatch,
                $"The challenge was issued for the policy '{challenge.PolicyId}', not '{request.PolicyId}'.")).ConfigureAwait(false);
        }

        var stored = await store.GetDocumentAsync(DocumentKind.Policy, request.PolicyId, context.RequestAborted).ConfigureAwait(false)
            ?? throw await RefuseAsync(new(StatusCodes.Status404NotFound, ServiceErrorCodes.PolicyUnknown,
                $"No policy has the id '{request.PolicyId}'.")).ConfigureAwait(false);
        var document = DocumentCodec.ToPolicy(stored);
        var sets = new List<ReferenceValueSet>();
        foreach (var setId in document.ReferenceValues)
        {
            var set = await store.GetDocumentAsync(DocumentKind.ReferenceValues, setId, context.RequestAborted).ConfigureAwait(false)
                ?? throw await RefuseAsync(new(StatusCodes.Status404NotFound, ServiceErrorCodes.ReferenceValuesUnknown,
                    $"The policy '{document.Id}' names the reference-value set '{setId}', which no longer exists."), document.Version).ConfigureAwait(false);
            sets.Add(DocumentCodec.ToReferenceValues(set));
        }

        var policy = EvidenceAppraiser.Merge(AttestationPolicy.FromJson(document.Policy.GetRawText()), sets);
        var result = appraiser.Appraise(request.Evidence, request.Collateral, policy, challenge.Nonce, request.RuntimeData, now, out bool hostRequested);
        var claims = EvidenceAppraiser.ClaimsJson(result);
        var (devices, deviceFailure) = request.Devices is { Count: > 0 }
            ? CompositeAppraisal.Appraise(appraiser, request.Devices, policy, challenge.Nonce, result, now)
            : ((IReadOnlyList<DeviceVerdict>?)null, (AttestationFailure?)null);
        if (result.Succeeded && deviceFailure is not null)
        {
            // One verdict for the composite: the CPU TEE affirmed, a device did not.
            result = AttestationResult.Fail(deviceFailure, result.Claims);
        }

        AttestationResponse response;
        if (result.Succeeded)
        {
            var expires = now + options.Value.TokenLifetime;
            string token = tokens.Sign(Payload(options.Value.Issuer, now, expires, challenge.Nonce, document, claims!.Value, request.RuntimeData, hostRequested, devices));
            response = new AttestationResponse(AttestationStatus.Affirming, token, expires, document.Id, document.Version, claims, null, devices);
        }
        else
        {
            var failure = result.Failure;
            response = new AttestationResponse(
                AttestationStatus.Contraindicated, null, null, document.Id, document.Version, claims, new AttestationFailureInfo(failure.Code.ToString(), failure.Message), devices);
        }

        await audit.RecordAsync(new AuditRecord(
            now, AttestationServiceRoutes.Attestation, client, document.Id, document.Version, response.Status, response.Failure?.Code, evidenceHash,
            result.Claims?.Tee.ToString(), result.Claims is { } parsed ? Convert.ToHexStringLower(parsed.UniqueId.Span) : null)).ConfigureAwait(false);
        return response;
    }

    private static void Validate(AttestationRequest request)
    {
        if (string.IsNullOrEmpty(request.SessionId) || request.SessionId.Length > 128)
        {
            throw ServiceProblemException.Malformed("'sessionId' must be the session id of a challenge.");
        }

        Validation.Id(request.PolicyId, "policy");
        if (request.Evidence.Length == 0)
        {
            throw ServiceProblemException.Malformed("'evidence' is empty.");
        }

        if (request.Collateral is { Count: > EvidenceAppraiser.MaxCollateralPieces })
        {
            throw ServiceProblemException.Malformed($"'collateral' has {request.Collateral.Count} pieces; at most {EvidenceAppraiser.MaxCollateralPieces} are accepted.");
        }

        if (request.RuntimeData is { Length: > MaxRuntimeDataLength })
        {
            throw ServiceProblemException.Malformed($"'runtimeData' is {request.RuntimeData.Length} bytes; at most {MaxRuntimeDataLength} are accepted.");
        }

        if (request.Devices is { } devices)
        {
            ValidateDevices(devices);
        }
    }

    private static void ValidateDevices(IReadOnlyList<DeviceEvidence> devices)
    {
        if (devices.Count > CompositeAppraisal.MaxDevices)
        {
            throw ServiceProblemException.Malformed($"'devices' has {devices.Count} entries; at most {CompositeAppraisal.MaxDevices} are accepted.");
        }

        for (int i = 0; i < devices.Count; i++)
        {
            if (devices[i] is null || devices[i].Evidence is not { Length: > 0 })
            {
                throw ServiceProblemException.Malformed($"'devices[{i}].evidence' is missing or empty.");
            }

            if (devices[i].Collateral is { Count: > EvidenceAppraiser.MaxCollateralPieces } pieces)
            {
                throw ServiceProblemException.Malformed($"'devices[{i}].collateral' has {pieces.Count} pieces; at most {EvidenceAppraiser.MaxCollateralPieces} are accepted.");
            }
        }
    }

    private static string Payload(
        string issuer, DateTimeOffset now, DateTimeOffset expires, byte[] nonce, PolicyDocument policy, JsonElement claims, byte[]? runtimeData,
        bool hostRequested, IReadOnlyList<DeviceVerdict>? devices = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", issuer);
            writer.WriteNumber("iat", now.ToUnixTimeSeconds());
            writer.WriteNumber("nbf", now.ToUnixTimeSeconds());
            writer.WriteNumber("exp", expires.ToUnixTimeSeconds());
            writer.WriteString("jti", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            writer.WriteString(AttestationTokenClaims.Profile, AttestationTokenClaims.ProfileValue);
            writer.WriteStartObject(AttestationTokenClaims.VerifierId);
            writer.WriteString("developer", "SecGear.NET");
            writer.WriteString("build", Build);
            writer.WriteEndObject();
            writer.WriteString(AttestationTokenClaims.Nonce, Base64Url.EncodeToString(nonce));
            writer.WriteStartObject(AttestationTokenClaims.Submods);
            writer.WriteStartObject(AttestationTokenClaims.SubmodName);
            writer.WriteString(AttestationTokenClaims.Status, AttestationStatus.Affirming);
            writer.WriteString(AttestationTokenClaims.PolicyId, policy.Id);
            writer.WriteNumber(AttestationTokenClaims.PolicyVersion, policy.Version);
            writer.WritePropertyName(AttestationTokenClaims.Claims);
            claims.WriteTo(writer);
            if (runtimeData is { Length: > 0 })
            {
                writer.WriteString(AttestationTokenClaims.RuntimeKey, Base64Url.EncodeToString(runtimeData));
            }

            if (hostRequested)
            {
                writer.WriteString(AttestationTokenClaims.ReportDataOrigin, AttestationTokenClaims.HostRequestedOrigin);
            }

            if (devices is not null)
            {
                writer.WriteNumber(AttestationTokenClaims.DeviceCount, devices.Count);
            }

            writer.WriteEndObject();
            foreach (var device in devices ?? [])
            {
                writer.WriteStartObject(device.Name);
                writer.WriteString(AttestationTokenClaims.Status, device.Status);
                writer.WriteString(AttestationTokenClaims.PolicyId, policy.Id);
                writer.WriteNumber(AttestationTokenClaims.PolicyVersion, policy.Version);
                writer.WritePropertyName(AttestationTokenClaims.Claims);
                device.Claims!.Value.WriteTo(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
