// Small per-layer weight arrays on the device (PReLU slopes, Scale, InnerProduct): every array
// of the layer uploaded once per net as fp32, whatever the run's precision (they are tiny, and
// the shaders accumulate in fp32).
#include <stdlib.h>

#include "nn/vk/vkop.h"

int aim_nn_vk_weights_init(const AimNnVkInit *ini, const AimNnLayer *l, void **priv)
{
    AimNnVkWeights *w = calloc(1, sizeof(*w));
    if (!w)
        return AIM_ERR(ENOMEM);
    int err = 0;
    for (int i = 0; i < l->nw && !err; i++)
        err = aim_nn_vk_upload_f32(ini, l->w[i], l->wn[i], &w->buf[i]);
    if (err < 0) {
        aim_nn_vk_weights_uninit(w);
        return err;
    }
    *priv = w;
    return 0;
}

void aim_nn_vk_weights_uninit(void *priv)
{
    AimNnVkWeights *w = priv;
    for (int i = 0; w && i < AIM_NN_MAX_WEIGHTS; i++)
        aim_vk_buffer_destroy(&w->buf[i]);
    free(w);
}

AimVkBinding aim_nn_vk_weight(const void *priv, int i, AimVkBinding fallback)
{
    const AimNnVkWeights *w = priv;
    return w && w->buf[i] ? aim_nn_vk_whole(w->buf[i]) : fallback;
}
