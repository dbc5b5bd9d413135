// The Vulkan backend end to end on the simplest op: ReLU (plain and leaky) through the executor
// (upload, a Split alias, two dependent layers, download) against the CPU op, at many shapes
// (odd sizes, 1-, 2- and 3-dim tensors), fp32 and fp16, with the validation layer on.
#include "vk_check.h"

static const char *param =
    "7767517\n5 6\n"
    "Input in 0 1 data\n"
    "ReLU r1 1 1 data x 0=0.1\n"
    "Split sp 1 2 x a b\n"
    "ReLU r2 1 1 a y\n"
    "ReLU r3 1 1 b z 0=-2.5\n";

int main(void)
{
    VkCheck vc;
    vkc_open(&vc);
    AimNet *net = vkc_net(&vc, param, NULL, 0);
    static const int shapes[][4] = {
        { 3, 1, 1, 1 }, { 3, 17, 9, 5 }, { 3, 64, 64, 3 }, { 3, 131, 7, 33 }, { 2, 1000, 3, 1 },
        { 1, 4097, 1, 1 }, { 3, 2, 300, 2 },
    };
    const char *in = "data";
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        const int *s = shapes[i];
        AimNnMat m;
        vkc_rand(&m, s[0], s[1], s[2], s[3], (unsigned)i + 1);
        char what[64];
        snprintf(what, sizeof(what), "relu %dx%dx%d", s[1], s[2], s[3]);
        vkc_compare(&vc, net, &m, &in, 1, "y", what);
        vkc_compare(&vc, net, &m, &in, 1, "z", what);
        aim_nn_mat_free(&m);
    }
    aim_net_destroy(&net);
    return vkc_close(&vc, "test_vk_relu");
}
