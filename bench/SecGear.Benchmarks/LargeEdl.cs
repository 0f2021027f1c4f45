using System.Globalization;
using System.Text;

namespace SecGear.Benchmarks;

/// <summary>Generates large EDL files for the compiler and emitter benchmarks.</summary>
internal static class LargeEdl
{
    /// <summary>
    /// An EDL with <paramref name="functions"/> functions using every common parameter kind. With
    /// <paramref name="deepCopy"/>, some ECALLs pass a deep-copy struct by pointer, which the EDL compiler checks but
    /// the C# emitter does not support yet (SG1001), so the emitter benchmark leaves them out.
    /// </summary>
    public static string Generate(int functions, bool deepCopy)
    {
        var sb = new StringBuilder("enclave {\n    include \"stdint.h\"\n");
        sb.Append("    enum mode { MODE_A, MODE_B = 4, MODE_C };\n");
        sb.Append("    struct point { int32_t x; int32_t y; };\n");
        if (deepCopy)
        {
            sb.Append("    struct blob { size_t len; [size=len] uint8_t* data; };\n");
        }

        sb.Append("    trusted {\n");
        for (int i = 0; i < functions / 2; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append((i % 4) switch
            {
                0 => "        public int ecall_" + n + "([in, size=len] const uint8_t* src, size_t len, [out, size=cap] uint8_t* dst, size_t cap);\n",
                1 => "        public void ecall_" + n + "([in, string] const char* name, struct point p, enum mode m) transition_using_threads;\n",
                2 when deepCopy => "        public uint64_t ecall_" + n + "([in, out] struct blob* b, [in, count=n] const int32_t* v, uint32_t n);\n",
                2 => "        public uint64_t ecall_" + n + "([in, out, count=n] int32_t* v, uint32_t n, [out] struct point* p);\n",
                _ => "        public double ecall_" + n + "(double a, float b, [user_check] void* raw, [in] int32_t fixed[16]);\n",
            });
        }

        sb.Append("    };\n    untrusted {\n");
        for (int i = 0; i < functions - functions / 2; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sb.Append((i % 3) switch
            {
                0 => "        void ocall_" + n + "([in, string] const char* msg) allow(ecall_0);\n",
                1 => "        int ocall_" + n + "([out, size=len] uint8_t* buf, size_t len) propagate_errno;\n",
                _ => "        uint32_t ocall_" + n + "([in, out, count=2] struct point* pts) transition_using_threads;\n",
            });
        }

        sb.Append("    };\n};\n");
        return sb.ToString();
    }
}
