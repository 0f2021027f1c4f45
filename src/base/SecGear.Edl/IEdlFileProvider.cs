namespace SecGear.Edl;

/// <summary>
/// Reads imported EDL files. The compiler never touches the file system itself, so the source generator
/// can serve imports from MSBuild <c>AdditionalFiles</c> and tests from memory.
/// </summary>
public interface IEdlFileProvider
{
    /// <summary>Returns the text of <paramref name="path"/>, or null when it does not exist.</summary>
    string? TryRead(string path);
}
