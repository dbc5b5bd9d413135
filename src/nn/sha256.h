// SHA-256 (FIPS 180-4), used to verify installed model files against the checksums the project
// records. Thread-safety: a context is used by one thread at a time; no shared state.
#ifndef AIM_NN_SHA256_H
#define AIM_NN_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct AimSha256 {
    uint32_t h[8];
    uint64_t len;     ///< bytes hashed so far
    uint8_t buf[64];
    size_t nbuf;
} AimSha256;

void aim_sha256_init(AimSha256 *c);
void aim_sha256_update(AimSha256 *c, const void *data, size_t n);
/** Writes the 32-byte digest. The context must be re-initialised before reuse. */
void aim_sha256_final(AimSha256 *c, uint8_t out[32]);
/** Digest as 64 lower-case hex characters plus NUL. */
void aim_sha256_hex(const uint8_t digest[32], char out[65]);

#endif
