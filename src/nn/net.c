// The graph and tensor basics of net.h that every part of the runtime shares: layer
// parameters, tensors, file reading, freeing a net. The loaders (ncnn.c, anime4k.c), the ops
// (ops.c, ops_rife.c) and the executor (exec.c) use these; this file uses none of them, so the
// runtime's files depend on each other in one direction only (loaders -> ops -> net.c).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/net.h"

void aim_net_default_settings(AimNetSettings *s)
{
    memset(s, 0, sizeof(*s));
}

int aim_nn_pi(const AimNnLayer *l, int id, int def)
{
    if (id < 0 || id >= AIM_NN_MAX_PARAM)
        return def;
    const AimNnParam *p = &l->p[id];
    if (p->type == AIM_NN_P_INT)
        return p->i;
    if (p->type == AIM_NN_P_FLOAT) // ncnn would reinterpret the bits; converting is saner
        return p->f >= -2147483648.f && p->f < 2147483648.f ? (int)p->f : def;
    return def;
}

float aim_nn_pf(const AimNnLayer *l, int id, float def)
{
    if (id < 0 || id >= AIM_NN_MAX_PARAM)
        return def;
    const AimNnParam *p = &l->p[id];
    if (p->type == AIM_NN_P_FLOAT)
        return p->f;
    if (p->type == AIM_NN_P_INT)
        return (float)p->i;
    return def;
}

int aim_nn_read_file(const char *path, size_t max, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return AIM_ERR(errno);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    int err = buf ? 0 : AIM_ERR(ENOMEM);
    while (!err) {
        if (n == cap) {
            if (cap >= max) {
                err = AIM_ERR(EFBIG);
                break;
            }
            cap = cap * 2 < max ? cap * 2 : max;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                err = AIM_ERR(ENOMEM);
                break;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f))
                err = AIM_ERR(EIO);
            break;
        }
    }
    fclose(f);
    if (err) {
        free(buf);
        return err;
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return 0;
}

int aim_nn_mat_layout(AimNnMat *m, int dims, int w, int h, int c)
{
    if (dims < 1 || dims > 3 || w <= 0 || h <= 0 || c <= 0)
        return AIM_ERR(EINVAL);
    size_t plane = (size_t)w * h;
    size_t cstep = (plane + 15) & ~(size_t)15;
    // 2^31 floats per tensor: far above any tile (a 1024x1024x256 activation is 2^28).
    if (plane > ((size_t)1 << 31) || cstep * (size_t)c > ((size_t)1 << 31))
        return AIM_ERR(ERANGE);
    *m = (AimNnMat){ NULL, dims, w, h, c, cstep };
    return 0;
}

int aim_nn_mat_alloc(AimNnMat *m, int dims, int w, int h, int c)
{
    AimNnMat t;
    int err = aim_nn_mat_layout(&t, dims, w, h, c);
    if (err < 0)
        return err;
    t.data = aligned_alloc(64, aim_nn_mat_bytes(&t) + AIM_NN_MAT_SLACK);
    if (!t.data)
        return AIM_ERR(ENOMEM);
    *m = t;
    return 0;
}

void aim_nn_mat_free(AimNnMat *m)
{
    free(m->data);
    m->data = NULL;
}

static void free_layer(AimNnLayer *l)
{
    if (l->op && l->op->uninit && l->priv)
        l->op->uninit(l);
    free(l->in);
    free(l->out);
    for (int i = 0; i < AIM_NN_MAX_PARAM; i++) {
        free(l->p[i].ai);
        free(l->p[i].af);
    }
    for (int i = 0; i < AIM_NN_MAX_WEIGHTS; i++)
        free(l->w[i]);
}

void aim_net_destroy(AimNet **pnet)
{
    AimNet *net = pnet ? *pnet : NULL;
    if (!net)
        return;
    for (int i = 0; i < net->nlayers; i++)
        free_layer(&net->layers[i]);
    free(net->layers);
    free(net->blobs);
    free(net);
    *pnet = NULL;
}

int aim_net_blob(const AimNet *net, const char *name)
{
    for (int i = 0; i < net->nblobs; i++)
        if (!strcmp(net->blobs[i].name, name))
            return i;
    return -1;
}
