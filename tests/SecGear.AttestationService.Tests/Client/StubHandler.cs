using System.Net;
using System.Text;

namespace SecGear.AttestationService.Tests.Client;

/// <summary>An HTTP handler that records each request (with its body read out) and answers with a scripted response.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, string?, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, string? Body)> Requests { get; } = [];

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Problem(HttpStatusCode status, string code, string title, string? detail = null) =>
        Json(status, System.Text.Json.JsonSerializer.Serialize(new { type = "about:blank", title, status = (int)status, detail, code }), "application/problem+json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request, body));
        return respond(request, body);
    }
}
