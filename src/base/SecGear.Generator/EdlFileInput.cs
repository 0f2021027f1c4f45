namespace SecGear.Generator;

/// <summary>One EDL AdditionalFile with the MSBuild options that apply to it (pipeline input; compared by value).</summary>
internal sealed record EdlFileInput(
    string Path,
    string Text,
    string Side,
    string Namespace,
    string SearchPaths,
    string Defines,
    string ForeignTypes,
    string ProjectDirectory);
