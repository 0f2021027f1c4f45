namespace SecGear.Edl
{
    /// <summary>Entry point: lexes, preprocesses, parses, resolves imports and checks an EDL file.</summary>
    public static class EdlCompiler
    {
        /// <summary>
        /// Compiles the EDL file <paramref name="path"/> whose text is <paramref name="text"/>. Never throws on bad
        /// input: every problem becomes a diagnostic.
        /// </summary>
        public static EdlCompilation Compile(string path, string text, EdlCompileOptions? options = null)
        {
            throw new System.NotImplementedException("EDL compiler is being written (issue 2).");
        }
    }
}
