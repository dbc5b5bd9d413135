#include <string.h>

#include "ainimotion/common.h"
#include "cpu.h"

unsigned aim_cpu_detect(void)
{
    unsigned f = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse2"))
        f |= AIM_CPU_SSE2;
    if (__builtin_cpu_supports("sse4.1"))
        f |= AIM_CPU_SSE41;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        f |= AIM_CPU_AVX2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        f |= AIM_CPU_AVX512;
#endif
    return f;
}

int aim_cpu_parse_mask(const char *s, unsigned *mask)
{
    static const struct { const char *name; unsigned mask; } levels[] = {
        { "none", 0 },
        { "c", 0 },
        { "sse2", AIM_CPU_SSE2 },
        { "sse4.1", AIM_CPU_SSE2 | AIM_CPU_SSE41 },
        { "avx2", AIM_CPU_SSE2 | AIM_CPU_SSE41 | AIM_CPU_AVX2 },
        { "avx512", AIM_CPU_SSE2 | AIM_CPU_SSE41 | AIM_CPU_AVX2 | AIM_CPU_AVX512 },
        { "all", ~0u },
    };
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (!strcmp(s, levels[i].name)) {
            *mask = levels[i].mask;
            return 0;
        }
    return AIM_ERR(EINVAL);
}
