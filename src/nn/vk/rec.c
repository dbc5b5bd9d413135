// The Vulkan ops' toolkit (vkop.h): weight uploads and the dispatch helper every op's record
// function uses. Kept apart from the backend (gpu.c), which finds the ops through their table
// (ops.c), so the ops never call back into the backend (tests/golden/test_module_cycles.sh).
#include <string.h>

#include "nn/vk/vkop.h"

// Work groups per grid dimension every Vulkan device takes (the least maxComputeWorkGroupCount
// the specification allows, VkPhysicalDeviceLimits): longer grids along x are folded over z.
#define GRID_MAX 65535u

static int upload(const AimNnVkInit *ini, const float *src, size_t n, int fp16,
                  AimVkBuffer **out)
{
    // one plane: aim_nn_vk_dispatch folds a long one over the grid
    if (!n || n > INT32_MAX)
        return AIM_ERR(EINVAL);
    AimVkBuffer *stage = NULL, *buf = NULL;
    int err = aim_vk_buffer_create(&stage, ini->dev, n * sizeof(float), AIM_VK_BUF_HOST);
    if (!err)
        err = aim_vk_buffer_create(&buf, ini->dev, n * (fp16 ? 2 : 4), AIM_VK_BUF_DEVICE);
    if (!err) {
        memcpy(aim_vk_buffer_map(stage), src, n * sizeof(float));
        err = aim_vk_cmd_begin(ini->cmd);
    }
    if (!err) {
        struct { int32_t plane, c, src_cstep, dst_cstep; } pc = {
            (int32_t)n, 1, (int32_t)n, (int32_t)n,
        };
        AimVkBinding b[2] = { aim_nn_vk_whole(stage), aim_nn_vk_whole(buf) };
        AimNnVkRec rc = { ini->dev, ini->cmd, fp16, ini->log, 0 };
        err = aim_nn_vk_dispatch(&rc, NULL, "upload", NULL, 0, b, 2, &pc, sizeof(pc),
                                 aim_nn_vk_groups((int64_t)n, 64), 1, 1);
        if (!err)
            err = aim_vk_cmd_submit(ini->cmd);
    }
    aim_vk_buffer_destroy(&stage);
    if (err < 0) {
        aim_vk_buffer_destroy(&buf);
        return err;
    }
    *out = buf;
    return 0;
}

int aim_nn_vk_upload(const AimNnVkInit *ini, const float *src, size_t n, AimVkBuffer **out)
{
    return upload(ini, src, n, ini->fp16, out);
}

int aim_nn_vk_upload_f32(const AimNnVkInit *ini, const float *src, size_t n,
                         AimVkBuffer **out)
{
    return upload(ini, src, n, 0, out);
}

int aim_nn_vk_dispatch(const AimNnVkRec *rc, const AimNnLayer *l, const char *base,
                       const int32_t *spec, int nspec, const AimVkBinding *bind, int nbind,
                       const void *push, int push_bytes, uint32_t gx, uint32_t gy, uint32_t gz)
{
    char name[64];
    size_t n = strlen(base);
    if (n + 6 > sizeof(name))
        return AIM_ERR(EINVAL);
    memcpy(name, base, n + 1);
    if (rc->fp16)
        memcpy(name + n, "_fp16", 6);
    // fold a long x over z (common.glsl GROUP_X): x' = ceil(x / f), z' = f * z
    uint32_t f = aim_nn_vk_groups(gx, GRID_MAX);
    if (!gx || !gz)
        return AIM_ERR(EINVAL);
    if ((uint64_t)gz * f > GRID_MAX) // 2^32 groups: past the shaders' int indices anyway
        return AIM_ERR(ERANGE);
    AimVkDispatch d = { name, spec, nspec, bind, nbind, push, push_bytes,
                        { aim_nn_vk_groups(gx, (int)f), gy, gz * f }, l ? l->name : base };
    return aim_vk_cmd_dispatch(rc->cmd, &d);
}

