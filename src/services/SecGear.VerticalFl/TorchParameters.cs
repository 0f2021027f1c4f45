using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SecGear.VerticalFl;

/// <summary>Copies a Linear layer's parameters from and to flat float arrays (weight out x in, row-major).</summary>
internal static class TorchParameters
{
    public static void Set(Linear linear, float[] weight, float[] bias)
    {
        using var noGrad = no_grad();
        using Tensor w = tensor(weight).reshape(linear.weight!.shape);
        using Tensor b = tensor(bias);
        linear.weight!.copy_(w);
        linear.bias!.copy_(b);
    }

    public static float[][] Get(Linear linear) =>
        [linear.weight!.data<float>().ToArray(), linear.bias!.data<float>().ToArray()];
}
