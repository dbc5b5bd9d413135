// The Vulkan ops' toolkit (vkop.h): weight uploads and the dispatch helper every op's record
// function uses. Kept apart from the backend (gpu.c), which finds the ops through their table
// (ops.c), so the ops never call back into the backend (tests/golden/test_module_cycles.sh).
#include <string.h>

#include "nn/vk/vkop.h"

static int upload(const AimNnVkInit *ini, const float *src, size_t n, int fp16,
                  AimVkBuffer **out)
{
    // One dispatch covers 65535 groups of 64 (the smallest maxComputeWorkGroupCount[0] is
    // 65535); larger arrays are uploaded as several planes.
    const size_t plane_max = (size_t)65535 * 64;
    if (!n)
        return AIM_ERR(EINVAL);
    size_t plane = n < plane_max ? n : plane_max;
    size_t planes = (n + plane - 1) / plane;
    AimVkBuffer *stage = NULL, *buf = NULL;
    int err = aim_vk_buffer_create(&stage, ini->dev, planes * plane * sizeof(float),
                                   AIM_VK_BUF_HOST);
    if (!err)
        err = aim_vk_buffer_create(&buf, ini->dev, planes * plane * (fp16 ? 2 : 4),
                                   AIM_VK_BUF_DEVICE);
    if (!err) {
        float *m = aim_vk_buffer_map(stage);
        memcpy(m, src, n * sizeof(float));
        memset(m + n, 0, (planes * plane - n) * sizeof(float));
        err = aim_vk_cmd_begin(ini->cmd);
    }
    if (!err) {
        struct { int32_t plane, c, src_cstep, dst_cstep; } pc = {
            (int32_t)plane, (int32_t)planes, (int32_t)plane, (int32_t)plane,
        };
        AimVkBinding b[2] = { aim_nn_vk_whole(stage), aim_nn_vk_whole(buf) };
        AimVkDispatch d = { fp16 ? "upload_fp16" : "upload", NULL, 0, b, 2, &pc, sizeof(pc),
                            { aim_nn_vk_groups((int64_t)plane, 64), (uint32_t)planes, 1 },
                            "weights upload" };
        err = aim_vk_cmd_dispatch(ini->cmd, &d);
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
    AimVkDispatch d = { name, spec, nspec, bind, nbind, push, push_bytes, { gx, gy, gz },
                        l ? l->name : base };
    return aim_vk_cmd_dispatch(rc->cmd, &d);
}

