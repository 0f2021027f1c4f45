using System.Xml.Linq;

namespace SecGear.AttestationService.Tests.Layering;

/// <summary>
/// References point down only (services → middleware → base, the three layers of src/): no project under
/// src/base references middleware or services, and none under src/middleware references services. Read from the
/// project files themselves, so a new upward reference fails here before anyone relies on it.
/// </summary>
public sealed class ProjectReferenceDirectionTests
{
    /// <summary>The layers from the bottom; tools and templates sit above everything and may use any of them.</summary>
    private static readonly string[] Layers = ["base", "middleware", "services", "tools", "templates"];

    [Fact]
    public void No_base_or_middleware_project_references_a_higher_layer()
    {
        string root = RepositoryRoot();

        string[] checkedProjects = Projects(Path.Combine(root, "src")).ToArray();
        Assert.Contains(checkedProjects, p => p.EndsWith("SecGear.ConfidentialVm.csproj", StringComparison.Ordinal));
        Assert.Empty(UpwardReferences(Path.Combine(root, "src")));
    }

    [Fact]
    public void An_upward_reference_is_reported_with_both_projects()
    {
        string src = Directory.CreateTempSubdirectory("secgear-layering-").FullName;
        try
        {
            Write(src, "base/Low/Low.csproj", @"..\..\services\High\High.csproj");
            Write(src, "middleware/Mid/Mid.csproj", @"..\..\base\Low\Low.csproj");
            Write(src, "services/High/High.csproj", @"..\..\middleware\Mid\Mid.csproj");

            string violation = Assert.Single(UpwardReferences(src));
            Assert.Contains("base/Low/Low.csproj", violation, StringComparison.Ordinal);
            Assert.Contains("services/High/High.csproj", violation, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(src, recursive: true);
        }
    }

    /// <summary>Every reference from a project to one in a higher layer under <paramref name="src"/>, as "from → to".</summary>
    private static IEnumerable<string> UpwardReferences(string src)
    {
        foreach (string project in Projects(src))
        {
            int layer = Layer(src, project);
            var document = XDocument.Load(project);
            foreach (var reference in document.Descendants("ProjectReference"))
            {
                string include = (string?)reference.Attribute("Include") ?? string.Empty;
                string target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include.Replace('\\', Path.DirectorySeparatorChar)));
                if (Layer(src, target) > layer)
                {
                    yield return $"{Relative(src, project)} → {Relative(src, target)}";
                }
            }
        }
    }

    private static IEnumerable<string> Projects(string src) =>
        Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories).Where(p => Layer(src, p) >= 0).Order(StringComparer.Ordinal);

    /// <summary>The index in <see cref="Layers"/> of the src/ folder holding <paramref name="path"/>; -1 outside them.</summary>
    private static int Layer(string src, string path)
    {
        string relative = Path.GetRelativePath(src, path);
        return Array.IndexOf(Layers, relative.Split(Path.DirectorySeparatorChar)[0]);
    }

    private static string Relative(string src, string path) => Path.GetRelativePath(src, path).Replace(Path.DirectorySeparatorChar, '/');

    private static void Write(string src, string project, string reference)
    {
        string path = Path.Combine(src, project);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"""<Project Sdk="Microsoft.NET.Sdk"><ItemGroup><ProjectReference Include="{reference}" /></ItemGroup></Project>""");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SecGear.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No SecGear.slnx above {AppContext.BaseDirectory}: the test runs from the repository's build output.");
    }
}
