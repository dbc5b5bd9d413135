// ncnn's fused activations (params 9/10 of Convolution/Deconvolution/InnerProduct), as
// ops.c aim_nn_act_apply: 0 none, 1 ReLU, 2 leaky (slope a), 3 clip (a, b), 4 sigmoid,
// 5 mish, 6 hardswish (alpha a, beta b). In fp32. GLSL's tanh and exp may give NaN/inf at large
// arguments: softplus is v itself above 20 (exp(-20) is below float epsilon), and tanh(20) is 1
// in float.
float act_apply(int type, float a, float b, float v)
{
    if (type == 1)
        return max(v, 0.0);
    if (type == 2)
        return v > 0.0 ? v : v * a;
    if (type == 3)
        return v < a ? a : v > b ? b : v;
    if (type == 4)
        return 1.0 / (1.0 + exp(-v));
    if (type == 5)
        return v * tanh(min(v > 20.0 ? v : log(1.0 + exp(v)), 20.0));
    if (type == 6) {
        float lower = -b / a, upper = 1.0 / a + lower;
        return v < lower ? 0.0 : v > upper ? v : v * (v * a + b);
    }
    return v;
}
