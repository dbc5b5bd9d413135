// CPU feature detection. Kernels pick their implementation from the flags passed in their
// settings (detected & user mask, `--cpumask`), never from global state.
#ifndef AIM_CORE_CPU_H
#define AIM_CORE_CPU_H

enum {
    AIM_CPU_SSE2 = 1 << 0,
    AIM_CPU_SSE41 = 1 << 1,
    AIM_CPU_AVX2 = 1 << 2, ///< AVX2 and FMA3 together
    AIM_CPU_AVX512 = 1 << 3, ///< AVX-512 F+BW+DQ+VL
};

/** Flags this CPU (and OS) supports. */
unsigned aim_cpu_detect(void);
/** Parses "none", "sse2", "sse4.1", "avx2", "avx512" (the highest level allowed) into a mask. */
int aim_cpu_parse_mask(const char *s, unsigned *mask);

#endif
