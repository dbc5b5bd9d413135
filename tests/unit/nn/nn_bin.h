// Tests of src/nn: a growing byte buffer for writing ncnn .bin weight files in memory (type-0
// arrays carry a 4-byte tag, type-1 arrays are raw). Shared by test_ncnn and test_vk_ops.
#ifndef AIM_TEST_NN_BIN_H
#define AIM_TEST_NN_BIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Bin {
    unsigned char *d;
    size_t n, cap;
} Bin;

/** Appends n bytes; exits the test on out of memory. */
static inline void bin_put(Bin *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->d = realloc(b->d, b->cap);
        if (!b->d) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
    }
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

#endif
