// libFuzzer target for the Anime4K JSON weights loader.
#include <stdint.h>

#include "nn/anime4k.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    AimNet *net = NULL;
    if (aim_net_load_anime4k_mem(&net, (const char *)data, size, NULL) == 0)
        aim_net_destroy(&net);
    return 0;
}
