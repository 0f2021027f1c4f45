namespace SecGear.VerticalFl;

/// <summary>A vertical training step failed; <see cref="Status"/> says why. Messages never carry embeddings, gradients or labels.</summary>
public sealed class VerticalFlException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VerticalFlException(VflStatus status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>Creates the exception with its cause.</summary>
    public VerticalFlException(VflStatus status, string message, Exception innerException)
        : base(message, innerException)
    {
        Status = status;
    }

    /// <summary>Why the step failed.</summary>
    public VflStatus Status { get; }
}
