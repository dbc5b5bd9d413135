// libFuzzer target for the ncnn loader and executor.
// Input: .param text, then a NUL byte, then the .bin bytes. When the model loads, it is run
// (reference ops) on a small input with a memory cap, so shape inference is fuzzed too.
// Build: CC=clang cmake -S . -B build-fuzz -DAIM_FUZZ=ON && cmake --build build-fuzz
// Run:   build-fuzz/tests/fuzz_ncnn_param -max_len=8192 tests/fuzz/corpus_ncnn
#include <stdint.h>
#include <string.h>

#include "nn/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t plen = nul ? (size_t)(nul - data) : size;
    const uint8_t *bin = nul ? nul + 1 : NULL;
    size_t blen = nul ? size - plen - 1 : 0;
    AimNet *net = NULL;
    if (aim_net_load_ncnn_mem(&net, (const char *)data, plen, bin, blen, NULL) < 0)
        return 0;
    AimNnOpt opt = { 1, 0, NULL, 16 << 20 };
    AimNnRun *run = NULL;
    int in_blobs[4], nin = 0;
    for (int i = 0; i < net->nlayers && nin < 4; i++)
        if (!strcmp(net->layers[i].type, "Input"))
            in_blobs[nin++] = net->layers[i].out[0];
    AimNnMat in[4];
    int ok = aim_nn_run_create(&run, net, &opt) == 0;
    for (int i = 0; i < nin; i++)
        ok &= aim_nn_mat_alloc(&in[i], 3, 6, 5, 1 + i) == 0;
    if (ok && nin) {
        for (int i = 0; i < nin; i++)
            for (int q = 0; q < in[i].c; q++)
                for (int k = 0; k < 30; k++)
                    aim_nn_chan(&in[i], q)[k] = (float)(k % 7) * 0.25f - 0.5f;
        int ob = net->nblobs - 1;
        const AimNnMat *out;
        aim_nn_run(run, in_blobs, in, nin, &ob, &out, 1);
    }
    for (int i = 0; i < nin; i++)
        aim_nn_mat_free(&in[i]);
    aim_nn_run_destroy(&run);
    aim_net_destroy(&net);
    return 0;
}
