// The table of Vulkan ops, by ncnn type name (vkop.h says how to add one).
#include <string.h>

#include "nn/vk/vkop.h"

static const AimNnVkOp *const ops[] = {
    &aim_nn_vk_op_relu,
    &aim_nn_vk_op_convolution,
    &aim_nn_vk_op_convolutiondepthwise,
    &aim_nn_vk_op_deconvolution,
    &aim_nn_vk_op_deconvolutiondepthwise,
    &aim_nn_vk_op_sigmoid,
    &aim_nn_vk_op_binaryop,
    &aim_nn_vk_op_prelu,
    &aim_nn_vk_op_eltwise,
    &aim_nn_vk_op_scale,
    &aim_nn_vk_op_crop,
    &aim_nn_vk_op_slice,
    &aim_nn_vk_op_concat,
    &aim_nn_vk_op_pixelshuffle,
    &aim_nn_vk_op_interp,
    &aim_nn_vk_op_padding,
    &aim_nn_vk_op_pooling,
    &aim_nn_vk_op_innerproduct,
    &aim_nn_vk_op_rife_warp,
};

const AimNnVkOp *aim_nn_vk_find_op(const char *type)
{
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (!strcmp(ops[i]->type, type))
            return ops[i];
    return NULL;
}
