using System.Collections.Generic;

namespace SecGear.Edl.Syntax;

/// <summary>The reserved words of EDL (Intel edger8r's set, kept so EDLs stay valid for secGear).</summary>
internal static class Keywords
{
    private static readonly HashSet<string> Reserved = new HashSet<string>
    {
        "enclave", "trusted", "untrusted", "public", "include", "from", "import", "allow", "propagate_errno",
        "transition_using_threads", "const", "struct", "union", "enum", "void", "char", "short", "int", "long",
        "unsigned", "float", "double", "size_t", "wchar_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t",
        "uint16_t", "uint32_t", "uint64_t",
    };

    public static bool IsReserved(string name) => Reserved.Contains(name);
}
