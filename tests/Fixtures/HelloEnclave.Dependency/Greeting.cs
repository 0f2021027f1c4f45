namespace HelloEnclave.Dependency;

/// <summary>A non-framework dependency the enclave image must carry.</summary>
public static class Greeting
{
    /// <summary>The greeting text.</summary>
    public static string Text => "Hello from the enclave";
}
