namespace SecGear.AttestationService.Hosting;

/// <summary>A request error: answered as a problem+json with HTTP <see cref="StatusCode"/> and the <see cref="ServiceErrorCodes"/> <see cref="Code"/>.</summary>
public sealed class ServiceProblemException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> becomes the problem's detail and must hold no secret.</summary>
    public ServiceProblemException(int statusCode, string code, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
    }

    /// <summary>Creates a 400 MalformedRequest.</summary>
    public ServiceProblemException()
        : this(StatusCodes.Status400BadRequest, ServiceErrorCodes.MalformedRequest, "The request is malformed.")
    {
    }

    /// <summary>Creates a 400 MalformedRequest.</summary>
    public ServiceProblemException(string message)
        : this(StatusCodes.Status400BadRequest, ServiceErrorCodes.MalformedRequest, message)
    {
    }

    /// <summary>Creates a 400 MalformedRequest with a cause.</summary>
    public ServiceProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = StatusCodes.Status400BadRequest;
        Code = ServiceErrorCodes.MalformedRequest;
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The problem code.</summary>
    public string Code { get; }

    /// <summary>Seconds for a <c>Retry-After</c> header, when retrying may help.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>400 <see cref="ServiceErrorCodes.MalformedRequest"/>.</summary>
    public static ServiceProblemException Malformed(string message) => new(message);
}
