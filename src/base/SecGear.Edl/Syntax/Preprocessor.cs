using System.Collections.Generic;
using SecGear.Edl.Diagnostics;

namespace SecGear.Edl.Syntax;

/// <summary>
/// The Open Enclave subset of the C preprocessor: <c>#ifdef NAME</c>, <c>#ifndef NAME</c>, <c>#else</c> and
/// <c>#endif</c>, acting on tokens (so they may appear anywhere), with names supplied by the build. Every other
/// directive is rejected by name.
/// </summary>
internal static class Preprocessor
{
    public const int MaxNesting = 64;

    private sealed class Block
    {
        public Block(Token start, bool parentActive, bool condition)
        {
            Start = start;
            ParentActive = parentActive;
            Condition = condition;
        }

        public Token Start { get; }

        public bool ParentActive { get; }

        public bool Condition { get; set; }

        public bool SeenElse { get; set; }

        public bool Active => ParentActive && Condition;
    }

    /// <summary>Returns the active tokens (ending with end-of-file), or null when the file cannot be preprocessed at all.</summary>
    public static List<Token>? Run(List<Token> tokens, ICollection<string> defines, DiagnosticBag diagnostics)
    {
        var output = new List<Token>(tokens.Count);
        var stack = new Stack<Block>();
        int i = 0;
        while (i < tokens.Count)
        {
            Token t = tokens[i];
            bool active = stack.Count == 0 || stack.Peek().Active;
            if (t.Kind == TokenKind.EndOfFile)
            {
                break;
            }

            if (t.Kind != TokenKind.Hash)
            {
                if (active)
                {
                    output.Add(t);
                }

                i++;
                continue;
            }

            Token directive = tokens[i + 1];
            if (directive.Kind != TokenKind.Identifier)
            {
                diagnostics.Report(EdlDiagnosticDescriptors.Expected, directive.Location, "a directive name after '#'", directive.Describe());
                i++;
                continue;
            }

            i += 2;
            switch (directive.Text)
            {
                case "ifdef":
                case "ifndef":
                    Token name = tokens[i];
                    if (name.Kind != TokenKind.Identifier)
                    {
                        diagnostics.Report(EdlDiagnosticDescriptors.DirectiveNeedsName, directive.Location, directive.Text);
                        stack.Push(new Block(directive, active, false));
                        break;
                    }

                    i++;
                    if (stack.Count >= MaxNesting)
                    {
                        diagnostics.Report(EdlDiagnosticDescriptors.ConditionalTooDeep, directive.Location, MaxNesting);
                        return null;
                    }

                    bool defined = defines.Contains(name.Text);
                    stack.Push(new Block(directive, active, directive.Text == "ifdef" ? defined : !defined));
                    break;
                case "else":
                    if (stack.Count == 0)
                    {
                        diagnostics.Report(EdlDiagnosticDescriptors.ElseWithoutIf, directive.Location);
                        break;
                    }

                    Block b = stack.Peek();
                    if (b.SeenElse)
                    {
                        diagnostics.Report(EdlDiagnosticDescriptors.DuplicateElse, directive.Location);
                        break;
                    }

                    b.SeenElse = true;
                    b.Condition = !b.Condition;
                    break;
                case "endif":
                    if (stack.Count == 0)
                    {
                        diagnostics.Report(EdlDiagnosticDescriptors.EndifWithoutIf, directive.Location);
                        break;
                    }

                    stack.Pop();
                    break;
                default:
                    diagnostics.Report(EdlDiagnosticDescriptors.UnsupportedDirective, directive.Location, directive.Text);

                    // Skip the rest of the directive's line so one bad directive gives one error.
                    while (tokens[i].Kind != TokenKind.EndOfFile && tokens[i].Location.Line == directive.Location.Line)
                    {
                        i++;
                    }

                    break;
            }
        }

        if (stack.Count > 0)
        {
            Token open = stack.Peek().Start;
            diagnostics.Report(EdlDiagnosticDescriptors.UnterminatedConditional, open.Location, open.Text);
        }

        output.Add(tokens[tokens.Count - 1]);
        return output;
    }
}
