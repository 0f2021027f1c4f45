using System.Globalization;
using System.Text;
using SecGear.Edl;

namespace SecGear.Generator.Tests;

/// <summary>Seeded random EDL contracts built from every parameter shape: the emitter never throws and its output always compiles.</summary>
public class RandomContractTests
{
    private static readonly string[] Shapes =
    [
        "int {0}",
        "uint64_t {0}",
        "double {0}",
        "bool {0}",
        "size_t {0}",
        "struct pt {0}",
        "enum col {0}",
        "[in, size={0}_n] const uint8_t* {0}, size_t {0}_n",
        "[out, size={0}_n] uint8_t* {0}, size_t {0}_n",
        "[in, out, count={0}_n] int32_t* {0}, uint32_t {0}_n",
        "[in, count={0}_n] const struct pt* {0}, int {0}_n",
        "[out, count=3] float* {0}",
        "[in, size=2, count={0}_n] void* {0}, size_t {0}_n",
        "[in, string] const char* {0}",
        "[in, wstring] const wchar_t* {0}",
        "[in, out, string] char* {0}",
        "[in] struct pt* {0}",
        "[out] int* {0}",
        "[in, out] double* {0}",
        "[user_check] void* {0}",
        "[in] int {0}[2][3]",
        "[out] uint8_t {0}[16]",
        "[in, count={0}_n] const void** {0}, size_t {0}_n",
    ];

    private static readonly string[] Returns = ["void", "int", "uint64_t", "struct pt", "enum col", "bool", "double", "size_t"];

    [Fact]
    public void Random_contracts_generate_code_that_compiles_with_zero_diagnostics()
    {
        var random = new Random(7);
        for (int round = 0; round < 12; round++)
        {
            string edl = RandomEdl(random, functions: 8);
            EdlCompilation compilation = EdlCompiler.Compile("r" + round + ".edl", edl, new EdlCompileOptions());
            Assert.False(compilation.HasErrors, edl + "\n" + string.Join("\n", compilation.Diagnostics));

            EdlGenerationResult result = EdlCodeGenerator.Generate(compilation.Contract!, EdlSide.Both, "Random.Contracts");

            Assert.Empty(result.Diagnostics);
            string[] problems = RoslynCompile.Problems(result);
            Assert.True(problems.Length == 0, edl + "\n" + string.Join("\n", problems));
        }
    }

    private static string RandomEdl(Random random, int functions)
    {
        var sb = new StringBuilder("enclave {\n    struct pt { int x; uint8_t tag[3]; };\n    enum col { RED, BLUE = 7 };\n");
        sb.Append("    trusted {\n");
        for (int f = 0; f < functions; f++)
        {
            bool switchless = random.Next(4) == 0;
            sb.Append("        ").Append(f == 0 || random.Next(5) != 0 ? "public " : string.Empty)
                .Append(Function(random, "ecall_" + f.ToString(CultureInfo.InvariantCulture)))
                .Append(switchless ? " transition_using_threads" : string.Empty).Append(";\n");
        }

        sb.Append("    };\n    untrusted {\n");
        for (int f = 0; f < functions / 2; f++)
        {
            sb.Append("        ").Append(Function(random, "ocall_" + f.ToString(CultureInfo.InvariantCulture)))
                .Append(random.Next(3) == 0 ? " propagate_errno" : string.Empty)
                .Append(random.Next(4) == 0 ? " transition_using_threads" : string.Empty).Append(";\n");
        }

        sb.Append("    };\n};\n");
        return sb.ToString();
    }

    private static string Function(Random random, string name)
    {
        int count = random.Next(0, 6);
        var parameters = new List<string>();
        for (int i = 0; i < count; i++)
        {
            parameters.Add(string.Format(CultureInfo.InvariantCulture, Shapes[random.Next(Shapes.Length)], "p" + i.ToString(CultureInfo.InvariantCulture)));
        }

        return Returns[random.Next(Returns.Length)] + " " + name + "(" + string.Join(", ", parameters) + ")";
    }
}
