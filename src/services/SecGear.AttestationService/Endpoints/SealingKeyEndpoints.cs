using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Endpoints;

/// <summary>
/// <c>GET /sealing-keys/{policy}/{securityVersion}</c>: "sealing by attestation" for TEEs without a hardware sealing key
/// (TDX, CCA). An attested enclave presents its token; the service derives a sealing root from its master key and the
/// identity the token attests, and returns it sealed to the token's runtime key. The identity comes from the verified
/// claims only, never from the request, so an enclave gets the root of its own identity and no other. The response is
/// signed with the token-signing key (<see cref="SealingKeyResponseSignature"/>) so the runner can authenticate it.
/// </summary>
internal static class SealingKeyEndpoints
{
    private const string Route = "/{policy}/{securityVersion}";

    private static ReadOnlySpan<byte> Domain => "secgear-as sealing-key v1\0"u8;

    public static void MapRelease(IEndpointRouteBuilder routes)
    {
        routes.MapGet(AttestationServiceRoutes.SealingKeys + Route, ReleaseAsync)
            .WithTags("Resources")
            .Produces<ResourceResponse>()
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(403);
    }

    /// <summary>
    /// The HKDF info of a sealing root (documented in docs/attestation-service.md): domain ‖ policy (u8: 1 enclave, 2
    /// signer) ‖ len u8 + policy id ‖ len u8 + tee ‖ simulated (u8) ‖ debug (u8) ‖ len u8 + identity (unique id, or
    /// signer id) ‖ product id (u32 BE, signer policy only; 0xFFFFFFFF when the claims have none) ‖ security version
    /// (u16 BE). Every variable field is length-prefixed, so the encoding is unambiguous.
    /// </summary>
    internal static byte[] Info(string policy, string policyId, string tee, bool simulated, bool debug, byte[] identity, int? productId, ushort securityVersion)
    {
        byte[] policyIdBytes = Encoding.UTF8.GetBytes(policyId);
        byte[] teeBytes = Encoding.UTF8.GetBytes(tee);
        if (policyIdBytes.Length > 255 || teeBytes.Length > 255 || identity.Length > 255)
        {
            throw new ArgumentException("A sealing-key info field is longer than 255 bytes.");
        }

        bool signer = policy == SealingKeyPolicies.Signer;
        var info = new List<byte>(Domain.Length + 128);
        info.AddRange(Domain);
        info.Add(signer ? (byte)2 : (byte)1);
        info.Add((byte)policyIdBytes.Length);
        info.AddRange(policyIdBytes);
        info.Add((byte)teeBytes.Length);
        info.AddRange(teeBytes);
        info.Add(simulated ? (byte)1 : (byte)0);
        info.Add(debug ? (byte)1 : (byte)0);
        info.Add((byte)identity.Length);
        info.AddRange(identity);
        Span<byte> number = stackalloc byte[4];
        if (signer)
        {
            BinaryPrimitives.WriteUInt32BigEndian(number, productId is { } p ? (uint)p : uint.MaxValue);
            info.AddRange(number);
        }

        BinaryPrimitives.WriteUInt16BigEndian(number, securityVersion);
        info.AddRange(number[..2]);
        return [.. info];
    }

    private static async Task<ResourceResponse> ReleaseAsync(
        string policy, string securityVersion, HttpContext context, TokenService tokens, MasterKey masterKey, AuditLog audit, TimeProvider time)
    {
        string? client = context.Connection.RemoteIpAddress?.ToString();
        string? policyId = null;
        long? policyVersion = null;
        try
        {
            if (policy is not (SealingKeyPolicies.Enclave or SealingKeyPolicies.Signer))
            {
                throw ServiceProblemException.Malformed($"A sealing-key policy is '{SealingKeyPolicies.Enclave}' or '{SealingKeyPolicies.Signer}'.");
            }

            if (!ushort.TryParse(securityVersion, NumberStyles.None, CultureInfo.InvariantCulture, out ushort version))
            {
                throw ServiceProblemException.Malformed("A sealing key's security version is a decimal number 0-65535.");
            }

            var payload = await tokens.ValidateAsync(ResourceEndpoints.BearerToken(context.Request), context.RequestAborted).ConfigureAwait(false);
            var enclave = payload.GetProperty(AttestationTokenClaims.Submods).GetProperty(AttestationTokenClaims.SubmodName);
            policyId = ResourceEndpoints.StringClaim(enclave, AttestationTokenClaims.PolicyId);
            policyVersion = enclave.TryGetProperty(AttestationTokenClaims.PolicyVersion, out var v) && v.TryGetInt64(out long pv) ? pv : null;
            var claims = enclave.TryGetProperty(AttestationTokenClaims.Claims, out var c) && c.ValueKind == JsonValueKind.Object
                ? c
                : throw ResourceEndpoints.Unsatisfied("the token carries no claims");
            byte[] info = InfoFromClaims(policy, policyId, claims, version);
            var runtimeKey = ResourceEndpoints.RuntimeKey(enclave);
            byte[] root = new byte[SealingKeyPolicies.RootLength];
            masterKey.DeriveSealingRoot(info, root);
            string path = SealingKeyPolicies.EnvelopePath(policy, version);
            var envelope = ResourceEndpoints.SealAndZero(runtimeKey, root, path);
            await audit.RecordAsync(new AuditRecord(time.GetUtcNow(), AttestationServiceRoutes.SealingKeys, client, policyId, policyVersion, "released", null, null)).ConfigureAwait(false);
            // Signed with the token-signing key, so a runner that pins the service's keys knows the root is ours.
            return new ResourceResponse(path, envelope, tokens.Sign(SealingKeyResponseSignature.Payload(path, runtimeKey, envelope)));
        }
        catch (ServiceProblemException problem)
        {
            await audit.RecordAsync(new AuditRecord(time.GetUtcNow(), AttestationServiceRoutes.SealingKeys, client, policyId, policyVersion, "refused", problem.Code, null)).ConfigureAwait(false);
            throw;
        }
    }

    private static byte[] InfoFromClaims(string policy, string? policyId, JsonElement claims, ushort version)
    {
        if (string.IsNullOrEmpty(policyId))
        {
            throw ResourceEndpoints.Unsatisfied("the token names no appraisal policy");
        }

        string claim = policy == SealingKeyPolicies.Enclave ? "unique_id" : "signer_id";
        byte[] identity;
        try
        {
            identity = Convert.FromHexString(ResourceEndpoints.StringClaim(claims, claim) ?? string.Empty);
        }
        catch (FormatException)
        {
            identity = [];
        }

        if (identity.Length is 0 or > 64)
        {
            throw ResourceEndpoints.Unsatisfied($"the token attests no {claim}, so there is no identity to bind a '{policy}' sealing key to");
        }

        if (!claims.TryGetProperty("security_version", out var svn) || !svn.TryGetInt32(out int attested) || version > attested)
        {
            throw ResourceEndpoints.Unsatisfied($"a sealing key for security version {version} needs an attested security version of at least {version}");
        }

        if (!claims.TryGetProperty("debug", out var debug) || debug.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            || !claims.TryGetProperty("simulated", out var simulated) || simulated.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw ResourceEndpoints.Unsatisfied("the token's claims do not say whether the enclave is in debug mode or simulated");
        }

        int? productId = claims.TryGetProperty("product_id", out var p) && p.TryGetInt32(out int product) ? product : null;
        string tee = ResourceEndpoints.StringClaim(claims, "tee") ?? string.Empty;
        return Info(policy, policyId, tee, simulated.GetBoolean(), debug.GetBoolean(), identity, productId, version);
    }
}
