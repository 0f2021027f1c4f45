using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>Lexes, preprocesses and parses one EDL file.</summary>
internal static class SourceParser
{
    /// <summary>The largest EDL file accepted, in characters.</summary>
    public const int MaxFileLength = 16 * 1024 * 1024;

    public static EdlFileSyntax Parse(string path, string text, ICollection<string> defines, DiagnosticBag diagnostics)
    {
        if (text.Length > MaxFileLength)
        {
            diagnostics.Report(
                EdlDiagnosticDescriptors.InputTooLarge,
                new SourceLocation(path, 1, 1),
                "the EDL file has " + text.Length + " characters; the limit is " + MaxFileLength);
            return new EdlFileSyntax(path) { IsComplete = false };
        }

        int errorsBefore = diagnostics.ErrorCount;
        List<Token> tokens = Lexer.Tokenize(path, text, diagnostics);
        List<Token>? active = Preprocessor.Run(tokens, defines, diagnostics);
        bool readCleanly = active != null && diagnostics.ErrorCount == errorsBefore;
        EdlFileSyntax file = active == null ? new EdlFileSyntax(path) : Parser.Parse(path, active, diagnostics);
        file.IsComplete &= readCleanly;
        return file;
    }
}
