using SecGear.Edl.Model;
using SecGear.Testing;
using static SecGear.Generator.Tests.EdlBuild;

namespace SecGear.Generator.Tests;

/// <summary>
/// The exact C# the generator writes for the kitchen contract (every parameter kind, both sides), kept in
/// Snapshots/Kitchen/*.snap. A change to the generated code shows up as a diff there and is reviewed on purpose:
/// run the tests with SECGEAR_UPDATE_SNAPSHOTS=1 to rewrite the files, then read the diff before committing.
/// </summary>
public class SnapshotTests
{
    private const string Ns = "Snapshot.Kitchen";

    [Fact]
    public void Kitchen_contract_generates_exactly_the_reviewed_code()
    {
        EdlGenerationResult result = EdlCodeGenerator.Generate(Kitchen(), EdlSide.Both, Ns);
        string directory = SnapshotDirectory();
        bool update = Environment.GetEnvironmentVariable("SECGEAR_UPDATE_SNAPSHOTS") == "1";
        if (update)
        {
            Directory.CreateDirectory(directory);
            foreach (string stale in Directory.GetFiles(directory, "*.snap"))
            {
                File.Delete(stale);
            }

            foreach (GeneratedSourceFile f in result.Files)
            {
                File.WriteAllText(Path.Combine(directory, f.HintName + ".snap"), f.SourceText);
            }
        }

        Assert.Equal(
            Directory.GetFiles(directory, "*.snap").Select(Path.GetFileName).Order(StringComparer.Ordinal),
            result.Files.Select(f => f.HintName + ".snap").Order(StringComparer.Ordinal));
        Assert.All(result.Files, f => Assert.Equal(File.ReadAllText(Path.Combine(directory, f.HintName + ".snap")).ReplaceLineEndings("\n"), f.SourceText));
    }

    [Fact]
    public void Snapshot_of_the_kitchen_contract_compiles_without_a_warning()
    {
        EdlGenerationResult result = EdlCodeGenerator.Generate(Kitchen(), EdlSide.Both, Ns);

        Assert.Empty(RoslynCompile.Problems(result));
    }

    // Found from the repository root, not [CallerFilePath]: CI builds map source paths to /_/.
    private static string SnapshotDirectory() =>
        RepositoryRoot.Combine("tests", "SecGear.Generator.Tests", "Snapshots", "Kitchen");
}
