using System.Collections.Generic;

namespace SecGear.Edl.Diagnostics;

/// <summary>
/// Every diagnostic the EDL compiler reports. Ids are stable: SG00xx lexical, SG01xx preprocessor and syntax,
/// SG02xx imports, SG03xx semantic rules (the rule numbers of docs/edl.md), SG09xx limits and internal errors.
/// </summary>
internal static class EdlDiagnosticDescriptors
{
    private const EdlSeverity E = EdlSeverity.Error;
    private const EdlSeverity W = EdlSeverity.Warning;

    // Lexical (SG00xx).
    public static readonly EdlDiagnosticDescriptor InvalidCharacter = new("SG0001", E, "Invalid character", "invalid character '{0}' in EDL");
    public static readonly EdlDiagnosticDescriptor UnterminatedComment = new("SG0002", E, "Unterminated comment", "'/*' comment is not closed before the end of the file");
    public static readonly EdlDiagnosticDescriptor UnterminatedString = new("SG0003", E, "Unterminated string", "string literal is not closed on the same line (EDL strings have no escapes and no newlines)");
    public static readonly EdlDiagnosticDescriptor LeadingZero = new("SG0004", E, "Leading zero", "number '{0}' has a leading zero; EDL numbers are decimal and multi-digit numbers may not start with 0");
    public static readonly EdlDiagnosticDescriptor HexNumber = new("SG0005", E, "Hexadecimal number", "hexadecimal number '{0}' is not supported; EDL numbers are decimal");
    public static readonly EdlDiagnosticDescriptor NegativeNumber = new("SG0006", E, "Minus sign", "'-' is not valid in EDL; negative numbers are not supported");
    public static readonly EdlDiagnosticDescriptor NumberTooLarge = new("SG0007", E, "Number too large", "number '{0}' is too large (the maximum is 9223372036854775807)");

    // Preprocessor (SG010x).
    public static readonly EdlDiagnosticDescriptor UnsupportedDirective = new("SG0101", E, "Unsupported directive", "preprocessor directive '#{0}' is not supported; only #ifdef, #ifndef, #else and #endif are");
    public static readonly EdlDiagnosticDescriptor DirectiveNeedsName = new("SG0102", E, "Directive without a name", "'#{0}' must be followed by a macro name");
    public static readonly EdlDiagnosticDescriptor ElseWithoutIf = new("SG0103", E, "#else without #ifdef", "'#else' without a matching '#ifdef' or '#ifndef'");
    public static readonly EdlDiagnosticDescriptor DuplicateElse = new("SG0104", E, "Second #else", "second '#else' in the same '#ifdef'/'#ifndef' block");
    public static readonly EdlDiagnosticDescriptor EndifWithoutIf = new("SG0105", E, "#endif without #ifdef", "'#endif' without a matching '#ifdef' or '#ifndef'");
    public static readonly EdlDiagnosticDescriptor UnterminatedConditional = new("SG0106", E, "Unclosed #ifdef", "'#{0}' is not closed by '#endif' before the end of the file");
    public static readonly EdlDiagnosticDescriptor ConditionalTooDeep = new("SG0107", E, "#ifdef nesting too deep", "'#ifdef'/'#ifndef' blocks are nested deeper than {0}");

    // Syntax (SG011x-SG013x).
    public static readonly EdlDiagnosticDescriptor Expected = new("SG0110", E, "Syntax error", "expected {0} but found {1}");
    public static readonly EdlDiagnosticDescriptor TrailingTokens = new("SG0111", E, "Text after the enclave", "unexpected {0} after the closing '}};' of the enclave");
    public static readonly EdlDiagnosticDescriptor MisplacedConst = new("SG0112", E, "Misplaced const", "'const' is allowed only on a parameter, directly before a type that is followed by '*'");
    public static readonly EdlDiagnosticDescriptor BadDimension = new("SG0113", E, "Bad array dimension", "array dimension {0} is not allowed; a dimension must be a positive decimal number or an enumerator with a literal value");
    public static readonly EdlDiagnosticDescriptor UnknownAttribute = new("SG0116", E, "Unknown attribute", "unknown attribute '{0}'");
    public static readonly EdlDiagnosticDescriptor SizeFuncDeprecated = new("SG0117", E, "sizefunc", "'sizefunc' is no longer supported; use 'size' instead");
    public static readonly EdlDiagnosticDescriptor DuplicateAttribute = new("SG0118", E, "Repeated attribute", "attribute '{0}' is given more than once");
    public static readonly EdlDiagnosticDescriptor AttributeValue = new("SG0119", E, "Attribute value", "{0}");
    public static readonly EdlDiagnosticDescriptor EmptyAttributeList = new("SG0120", E, "Empty attribute list", "empty attribute list '[]'");
    public static readonly EdlDiagnosticDescriptor EmptyStruct = new("SG0121", W, "Empty struct or union", "{0} '{1}' has no members (accepted by oeedger8r only)");
    public static readonly EdlDiagnosticDescriptor MissingMemberSemicolon = new("SG0122", W, "Missing ';' after last member", "missing ';' after the last member of '{0}' (accepted by oeedger8r only)");
    public static readonly EdlDiagnosticDescriptor TrailingEnumComma = new("SG0123", W, "Trailing ',' in enum", "trailing ',' after the last enumerator (accepted by oeedger8r only)");
    public static readonly EdlDiagnosticDescriptor PublicOcall = new("SG0126", E, "public on an OCALL", "'public' is allowed only on trusted functions (ECALLs)");
    public static readonly EdlDiagnosticDescriptor OcallOnlySuffix = new("SG0127", E, "OCALL-only suffix on an ECALL", "'{0}' is allowed only on untrusted functions (OCALLs)");
    public static readonly EdlDiagnosticDescriptor SuffixOrder = new("SG0128", E, "Suffix order", "{0}");
    public static readonly EdlDiagnosticDescriptor CallingConventionIgnored = new("SG0129", W, "Calling convention ignored", "'{0}' on an OCALL is accepted and ignored");
    public static readonly EdlDiagnosticDescriptor BadFunctionAttributes = new("SG0130", E, "Bad function attributes", "{0}");
    public static readonly EdlDiagnosticDescriptor ReservedName = new("SG0131", E, "Reserved word as a name", "'{0}' is a reserved EDL word and cannot be used as a name");
    public static readonly EdlDiagnosticDescriptor InvalidTypeSpelling = new("SG0132", E, "Invalid type", "{0}");
    public static readonly EdlDiagnosticDescriptor IncludeAfterFunction = new("SG0133", E, "include after a function", "'include' inside a trusted/untrusted block must come before the block's functions");
    public static readonly EdlDiagnosticDescriptor ReturnArray = new("SG0134", E, "Returning an array", "function '{0}' cannot return an array");

    // Imports (SG02xx).
    public static readonly EdlDiagnosticDescriptor ImportWithoutFrom = new("SG0201", W, "Import without from", "'import \"{0}\"' is read as 'from \"{0}\" import *;' (an oeedger8r form)");
    public static readonly EdlDiagnosticDescriptor ImportNotFound = new("SG0202", E, "Imported file not found", "cannot find imported file '{0}'{1}");
    public static readonly EdlDiagnosticDescriptor ImportCycle = new("SG0203", E, "Import cycle", "import cycle: {0}");
    public static readonly EdlDiagnosticDescriptor ImportedNameMissing = new("SG0204", E, "Imported name missing", "'{0}' is not a function of '{1}'");
    public static readonly EdlDiagnosticDescriptor EmptyImportList = new("SG0205", E, "Empty import list", "'from \"{0}\" import' needs '*' or at least one function name");
    public static readonly EdlDiagnosticDescriptor ImportTooDeep = new("SG0206", E, "Too many imports", "{0}");
    public static readonly EdlDiagnosticDescriptor FunctionRedefinedByImport = new("SG0208", E, "Function redefined across files", "function '{0}' is already defined at {1}");
    public static readonly EdlDiagnosticDescriptor TypeRedefinedByImport = new("SG0209", E, "Type redefined across files", "type '{0}' is already defined at {1}");

    // Semantic rules (SG03xx).
    public static readonly EdlDiagnosticDescriptor PointerWithoutDirection = new("SG0301", E, "Pointer without direction", "{0} '{1}' is a pointer or array and needs a direction ('in', 'out') or 'user_check'");
    public static readonly EdlDiagnosticDescriptor DirectionWithUserCheck = new("SG0302", E, "Direction with user_check", "'{0}' combines a direction with 'user_check'");
    public static readonly EdlDiagnosticDescriptor SizeWithoutDirection = new("SG0303", E, "Buffer attribute without direction", "'{0}' uses '{1}' without a direction ('in' or 'out')");
    public static readonly EdlDiagnosticDescriptor StringConflict = new("SG0304", E, "Conflicting string attributes", "'{0}' combines {1}");
    public static readonly EdlDiagnosticDescriptor StringOutOnly = new("SG0305", E, "Out-only string", "'{0}' is '{1}' with 'out' but not 'in'; a string must be 'in' or 'in, out'");
    public static readonly EdlDiagnosticDescriptor StringWrongType = new("SG0306", E, "String on the wrong type", "'{0}': {1}");
    public static readonly EdlDiagnosticDescriptor AttributeOnNonPointer = new("SG0307", E, "Pointer attribute on a non-pointer", "'{0}' is not a pointer or array, so it cannot have pointer attributes");
    public static readonly EdlDiagnosticDescriptor SizeNamesMissing = new("SG0308", E, "size/count names nothing", "'{0}' of '{1}' names '{2}', which is not a {3} of '{4}'");
    public static readonly EdlDiagnosticDescriptor SizeNamesNonScalar = new("SG0309", E, "size/count names a non-integer", "'{0}' of '{1}' names '{2}', which is {3}; it must name an integer {4}");
    public static readonly EdlDiagnosticDescriptor SizeNamesFloat = new("SG0310", E, "size/count names a float", "'{0}' of '{1}' names '{2}', which has floating-point type '{3}'");
    public static readonly EdlDiagnosticDescriptor SizeNamesNonInteger = new("SG0311", W, "size/count names a non-integer scalar", "'{0}' of '{1}' names '{2}' of type '{3}', which is not an integer type");
    public static readonly EdlDiagnosticDescriptor SizeNamesSigned = new("SG0312", W, "size/count names a signed integer", "'{0}' of '{1}' names '{2}' of signed type '{3}'; a negative value fails at run time");
    public static readonly EdlDiagnosticDescriptor SizeOnArray = new("SG0313", E, "size/count/isary on an array", "'{0}' is a declared array; '{1}' is not allowed on it (its size comes from its dimensions)");
    public static readonly EdlDiagnosticDescriptor VoidPointerWithoutSize = new("SG0314", E, "void* without size", "'{0}' is a 'void*' buffer, so its length needs 'size' ('count' alone is not enough: void has no element size)");
    public static readonly EdlDiagnosticDescriptor IsPtrIsAryMisuse = new("SG0315", E, "isptr/isary misuse", "'{0}': {1}");
    public static readonly EdlDiagnosticDescriptor SizeWithIsAry = new("SG0316", E, "size/count with isary", "'{0}' combines 'isary' with '{1}'");
    public static readonly EdlDiagnosticDescriptor ReadOnlyMisuse = new("SG0317", E, "readonly misuse", "'{0}': {1}");
    public static readonly EdlDiagnosticDescriptor ConstOut = new("SG0318", E, "const pointer with out", "'{0}' is a const pointer and cannot be 'out'");
    public static readonly EdlDiagnosticDescriptor PointerArray = new("SG0319", E, "Array of pointers", "'{0}' is an array of pointers, which cannot cross the enclave boundary");
    public static readonly EdlDiagnosticDescriptor UnknownDimension = new("SG0320", E, "Named dimension", "array dimension '{0}' must be an EDL enumerator with a literal value");
    public static readonly EdlDiagnosticDescriptor ReturnsPointer = new("SG0321", W, "Returning a pointer", "function '{0}' returns a pointer; only the address crosses the boundary, never the data");
    public static readonly EdlDiagnosticDescriptor VoidParameter = new("SG0323", E, "void parameter", "'{0}' has type 'void'; only a return type or a pointer target can be 'void' (write '(void)' or '()' for no parameters)");
    public static readonly EdlDiagnosticDescriptor PrivateEcallNotAllowed = new("SG0324", W, "Unreachable private ECALL", "private ECALL '{0}' is not named in any OCALL's allow(...) list, so it can never be called");
    public static readonly EdlDiagnosticDescriptor NoPublicEcall = new("SG0325", E, "No public ECALL", "the enclave has no public ECALL (after merging imports)");
    public static readonly EdlDiagnosticDescriptor AllowNamesNonEcall = new("SG0326", E, "allow names a non-ECALL", "allow(...) of '{0}' names '{1}', {2}");
    public static readonly EdlDiagnosticDescriptor AllowDuplicate = new("SG0327", W, "Repeated allow name", "allow(...) of '{0}' names '{1}' more than once");
    public static readonly EdlDiagnosticDescriptor DuplicateFunction = new("SG0329", E, "Function defined twice", "function '{0}' is already defined at {1}");
    public static readonly EdlDiagnosticDescriptor DuplicateType = new("SG0330", E, "Type defined twice", "'{0}' is already defined as a {1} at {2}");
    public static readonly EdlDiagnosticDescriptor DuplicateEnumerator = new("SG0331", E, "Enumerator defined twice", "enumerator '{0}' is already defined at {1}");
    public static readonly EdlDiagnosticDescriptor DeepCopyByValue = new("SG0332", E, "Deep-copy struct by value", "'{0}' passes deep-copy struct '{1}' by value; pass it by pointer with 'in' or 'in, out'");
    public static readonly EdlDiagnosticDescriptor DeepCopyOutOnly = new("SG0333", E, "Deep-copy struct out-only", "'{0}' passes deep-copy struct '{1}' as 'out' only; use 'in, out'");
    public static readonly EdlDiagnosticDescriptor DeepCopyTypedef = new("SG0334", E, "Deep-copy struct by typedef", "'{0}' spells deep-copy struct '{1}' without 'struct'; write 'struct {1}'");
    public static readonly EdlDiagnosticDescriptor TypedefSpelling = new("SG0335", W, "EDL type spelled by typedef", "'{0}' spells EDL {1} '{2}' without '{1}'");
    public static readonly EdlDiagnosticDescriptor SizeOnDeepCopy = new("SG0336", W, "size on a deep-copy struct pointer", "'{0}' gives 'size' for deep-copy struct '{1}'; it must be a multiple of the struct size (checked at run time)");
    public static readonly EdlDiagnosticDescriptor BadMemberAttribute = new("SG0337", E, "Bad member attribute", "member '{0}': {1}");
    public static readonly EdlDiagnosticDescriptor MemberSizeUnknown = new("SG0338", E, "Member size/count names nothing", "'{0}' of member '{1}' names '{2}', which is not a member of '{3}'");
    public static readonly EdlDiagnosticDescriptor ShallowMemberPointer = new("SG0339", W, "Shallow member pointer", "member '{0}' of '{1}' is a pointer without 'size' or 'count'; only its address is copied");
    public static readonly EdlDiagnosticDescriptor UnionMemberAttribute = new("SG0340", E, "Attribute on a union member", "member '{0}' of union '{1}' cannot have attributes");
    public static readonly EdlDiagnosticDescriptor NonPortableType = new("SG0341", W, "Non-portable type", "'{0}' has type '{1}', whose size differs between Linux and Windows");
    public static readonly EdlDiagnosticDescriptor ForeignPointer = new("SG0342", W, "Pointer to a foreign type", "'{0}' points to foreign type '{1}', which the EDL does not define");
    public static readonly EdlDiagnosticDescriptor ForeignWithoutSize = new("SG0343", E, "Foreign type without size", "'{0}' uses foreign type '{1}' {2}, but its size is unknown; give it a size mapping (EdlCompileOptions.ForeignTypeSizes), an explicit 'size', or use 'user_check'");
    public static readonly EdlDiagnosticDescriptor BadEnumValue = new("SG0345", E, "Bad enumerator value", "enumerator '{0}': {1}");
    public static readonly EdlDiagnosticDescriptor ForeignEnumValue = new("SG0346", W, "Enumerator value from C", "enumerator '{0}' takes its value from '{1}', which EDL does not define (a C constant): C code gets it from its header, C# gets no value for it or the implicit enumerators after it unless one is given (--foreign-const {1}=VALUE, EdlCompileOptions.ForeignConstants)");
    public static readonly EdlDiagnosticDescriptor DeepCopyTypedefOe = new("SG0357", W, "Deep-copy struct by typedef (Open Enclave)", "'{0}' spells deep-copy struct '{1}' without 'struct' (accepted by oeedger8r; the Open Enclave dialect reads it as 'struct {1}')");
    public static readonly EdlDiagnosticDescriptor ArrayWithoutDirectionOe = new("SG0358", W, "Array without direction (Open Enclave)", "array '{0}' has no direction (accepted by oeedger8r; the Open Enclave dialect copies it 'in')");
    public static readonly EdlDiagnosticDescriptor NestedDeepCopy = new("SG0348", W, "Nested deep copy", "member '{0}' of '{1}' points to deep-copy struct '{2}'; secGear copies only one level");
    public static readonly EdlDiagnosticDescriptor ArrayTooLarge = new("SG0350", E, "Array too large", "array '{0}' has more than {1} elements");
    public static readonly EdlDiagnosticDescriptor RecursiveStruct = new("SG0353", E, "Struct contains itself", "'{0}' contains itself by value");
    public static readonly EdlDiagnosticDescriptor DuplicateMember = new("SG0354", E, "Member defined twice", "'{0}' has two members named '{1}'");
    public static readonly EdlDiagnosticDescriptor DuplicateParameter = new("SG0355", E, "Parameter defined twice", "function '{0}' has two parameters named '{1}'");
    public static readonly EdlDiagnosticDescriptor MultiLevelPointer = new("SG0356", W, "Pointer to pointer", "'{0}' is a pointer to a pointer; only the addresses are copied, never what they point to");

    // Limits and internal errors (SG09xx).
    public static readonly EdlDiagnosticDescriptor InputTooLarge = new("SG0901", E, "Input too large", "{0}");
    public static readonly EdlDiagnosticDescriptor TooManyDiagnostics = new("SG0902", E, "Too many diagnostics", "more than {0} diagnostics; the rest are not shown (an error only when one of them is an error)");
    public static readonly EdlDiagnosticDescriptor InternalError = new("SG0999", E, "Internal compiler error", "internal EDL compiler error ({0}); please report it with the EDL that caused it");

    /// <summary>Every descriptor, in id order.</summary>
    public static IReadOnlyList<EdlDiagnosticDescriptor> All { get; } = new[]
    {
        InvalidCharacter, UnterminatedComment, UnterminatedString, LeadingZero, HexNumber, NegativeNumber, NumberTooLarge,
        UnsupportedDirective, DirectiveNeedsName, ElseWithoutIf, DuplicateElse, EndifWithoutIf, UnterminatedConditional, ConditionalTooDeep,
        Expected, TrailingTokens, MisplacedConst, BadDimension, UnknownAttribute, SizeFuncDeprecated, DuplicateAttribute, AttributeValue,
        EmptyAttributeList, EmptyStruct, MissingMemberSemicolon, TrailingEnumComma, PublicOcall, OcallOnlySuffix, SuffixOrder,
        CallingConventionIgnored, BadFunctionAttributes, ReservedName, InvalidTypeSpelling, IncludeAfterFunction, ReturnArray,
        ImportWithoutFrom, ImportNotFound, ImportCycle, ImportedNameMissing, EmptyImportList, ImportTooDeep,
        FunctionRedefinedByImport, TypeRedefinedByImport,
        PointerWithoutDirection, DirectionWithUserCheck, SizeWithoutDirection, StringConflict, StringOutOnly, StringWrongType,
        AttributeOnNonPointer, SizeNamesMissing, SizeNamesNonScalar, SizeNamesFloat, SizeNamesNonInteger, SizeNamesSigned,
        SizeOnArray, VoidPointerWithoutSize, IsPtrIsAryMisuse, SizeWithIsAry, ReadOnlyMisuse, ConstOut, PointerArray,
        UnknownDimension, ReturnsPointer, VoidParameter, PrivateEcallNotAllowed, NoPublicEcall, AllowNamesNonEcall,
        AllowDuplicate, DuplicateFunction, DuplicateType, DuplicateEnumerator, DeepCopyByValue, DeepCopyOutOnly,
        DeepCopyTypedef, TypedefSpelling, SizeOnDeepCopy, BadMemberAttribute, MemberSizeUnknown, ShallowMemberPointer,
        UnionMemberAttribute, NonPortableType, ForeignPointer, ForeignWithoutSize, BadEnumValue, ForeignEnumValue, NestedDeepCopy,
        ArrayTooLarge, RecursiveStruct, DuplicateMember, DuplicateParameter, MultiLevelPointer, DeepCopyTypedefOe, ArrayWithoutDirectionOe,
        InputTooLarge, TooManyDiagnostics, InternalError,
    };
}
