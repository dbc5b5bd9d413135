// The table of Vulkan ops, by ncnn type name (vkop.h says how to add one).
#include <string.h>

#include "nn/vk/vkop.h"

static const AimNnVkOp *const ops[] = {
    &aim_nn_vk_op_relu,
};

const AimNnVkOp *aim_nn_vk_find_op(const char *type)
{
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (!strcmp(ops[i]->type, type))
            return ops[i];
    return NULL;
}
