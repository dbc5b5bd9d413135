// `ainimotion devices`: the Vulkan devices --device vulkan:N can name.
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vk/vk.h"

int aim_cmd_devices(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: ainimotion devices\n"
                   "Lists the Vulkan devices: index (for --device vulkan:N), name, type, memory,\n"
                   "fp16 (shaderFloat16 + 16-bit storage) and cooperative matrices\n"
                   "(VK_NV_cooperative_matrix). --device auto picks the first GPU; CPU drivers\n"
                   "(lavapipe) only run with --device vulkan or vulkan:N.\n");
            return AIM_EXIT_OK;
        }
        fprintf(stderr, "ainimotion devices: unknown argument '%s'\n", argv[i]);
        return AIM_EXIT_USAGE;
    }
    AimLog quiet = { 0 }; // one line below says why
    // a machine with more devices than this is not known to exist
    AimVkDeviceInfo info[16];
    int n = 0;
    int err = aim_vk_enumerate(info, 16, &n, &quiet);
    if (err < 0) {
        fprintf(stderr, "ainimotion: no Vulkan devices: %s\n",
                err == AIM_ERR_UNSUPPORTED ? "this build has no Vulkan backend (no headers or "
                                             "glslc at build time)"
                : err == AIM_ERR(ENODEV) ? "no Vulkan loader or driver (Debian libvulkan1 and "
                                           "a driver, e.g. mesa-vulkan-drivers)"
                : aim_strerror(err));
        return AIM_EXIT_FAILED;
    }
    if (!n) {
        fprintf(stderr, "ainimotion: the Vulkan loader found no device\n");
        return AIM_EXIT_FAILED;
    }
    printf("%-6s %-40s %-15s %10s %-5s %s\n", "index", "name", "type", "memory", "fp16",
           "coopmat");
    for (int i = 0; i < n && i < 16; i++)
        printf("%-6d %-40s %-15s %7.0f MB %-5s %s\n", info[i].index, info[i].name,
               aim_vk_type_name(info[i].type), info[i].memory / 1e6, info[i].fp16 ? "yes" : "no",
               info[i].coopmat ? "yes" : "no");
    return AIM_EXIT_OK;
}
