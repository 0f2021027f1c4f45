using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Endpoints;

/// <summary><c>POST /challenge</c>: a fresh single-use nonce, stored with its expiry and optional policy.</summary>
internal static class ChallengeEndpoints
{
    /// <summary>Nonce length in bytes.</summary>
    public const int NonceLength = 32;

    public static void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(AttestationServiceRoutes.Challenge, CreateAsync)
            .WithTags("Attestation")
            .Accepts<ChallengeRequest>("application/json")
            .Produces<ChallengeResponse>()
            .ProducesProblem(400)
            .ProducesProblem(404);
    }

    private static async Task<ChallengeResponse> CreateAsync(
        HttpContext context, IAttestationStore store, TimeProvider time, IOptions<AttestationServiceOptions> options)
    {
        var request = await RequestBody.ReadAsync(context, new ChallengeRequest()).ConfigureAwait(false);
        if (request.PolicyId is not null)
        {
            Validation.Id(request.PolicyId, "policy");
            if (await store.GetDocumentAsync(DocumentKind.Policy, request.PolicyId, context.RequestAborted).ConfigureAwait(false) is null)
            {
                throw new ServiceProblemException(StatusCodes.Status404NotFound, ServiceErrorCodes.PolicyUnknown, $"No policy has the id '{request.PolicyId}'.");
            }
        }

        var now = time.GetUtcNow();
        var challenge = new StoredChallenge(
            Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            RandomNumberGenerator.GetBytes(NonceLength),
            request.PolicyId,
            now + options.Value.ChallengeLifetime);
        await store.AddChallengeAsync(challenge, now, context.RequestAborted).ConfigureAwait(false);
        return new ChallengeResponse(challenge.SessionId, challenge.Nonce, challenge.ExpiresAt);
    }
}
