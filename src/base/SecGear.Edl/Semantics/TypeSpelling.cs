using System.Text;
using SecGear.Edl.Model;

namespace SecGear.Edl.Semantics;

/// <summary>Writes a type the way EDL spells it, for diagnostics and the canonical form.</summary>
internal static class TypeSpelling
{
    public static string Of(EdlType type)
    {
        var sb = new StringBuilder();
        if (type.IsConst)
        {
            sb.Append("const ");
        }

        sb.Append(BaseName(type));
        sb.Append('*', type.PointerDepth);
        return sb.ToString();
    }

    public static string BaseName(EdlType type) => type.Base switch
    {
        EdlBaseType.Void => "void",
        EdlBaseType.Char => "char",
        EdlBaseType.UnsignedChar => "unsigned char",
        EdlBaseType.Short => "short",
        EdlBaseType.UnsignedShort => "unsigned short",
        EdlBaseType.Int => "int",
        EdlBaseType.UnsignedInt => "unsigned int",
        EdlBaseType.Long => "long",
        EdlBaseType.UnsignedLong => "unsigned long",
        EdlBaseType.LongLong => "long long",
        EdlBaseType.UnsignedLongLong => "unsigned long long",
        EdlBaseType.Float => "float",
        EdlBaseType.Double => "double",
        EdlBaseType.LongDouble => "long double",
        EdlBaseType.SizeT => "size_t",
        EdlBaseType.WCharT => "wchar_t",
        EdlBaseType.Bool => "bool",
        EdlBaseType.Int8 => "int8_t",
        EdlBaseType.Int16 => "int16_t",
        EdlBaseType.Int32 => "int32_t",
        EdlBaseType.Int64 => "int64_t",
        EdlBaseType.UInt8 => "uint8_t",
        EdlBaseType.UInt16 => "uint16_t",
        EdlBaseType.UInt32 => "uint32_t",
        EdlBaseType.UInt64 => "uint64_t",
        EdlBaseType.UIntPtr => "uintptr_t",
        EdlBaseType.IntPtr => "intptr_t",
        EdlBaseType.SSizeT => "ssize_t",
        _ => type.TagKind switch
        {
            EdlTagKind.Struct => "struct " + type.Name,
            EdlTagKind.Union => "union " + type.Name,
            EdlTagKind.Enum => "enum " + type.Name,
            _ => type.Name ?? "",
        },
    };
}
