namespace SecGear.Samples.Tests;

/// <summary>Tests that run <c>dotnet build</c> or <c>publish</c> over the repository's projects: one at a time, never racing on obj/.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DotnetBuildCollection
{
    public const string Name = "dotnet build";
}
