// The program's allocation functions (built into the ainimotion executable only, not into
// aimcli: tests and fuzz targets keep the plain ones). Each forwards to the next definition
// (the C library's, or a sanitizer's), and a failure anywhere in the process (our code, libav,
// x264, the C library) is noted with aim_cli_note_alloc_failure(): a run that met one ends
// with exit code 5 and the one line "out of memory", whatever error the failing library made
// of it ("Generic error", a missing decoder), and publishes nothing, even where the library
// swallowed the failure.
//
// Test hook: AIM_TEST_ALLOC_FAIL=N makes the Nth allocation after start-up fail (N+ : the Nth
// and every later one, as under a memory limit); AIM_TEST_ALLOC_FAIL=count prints the number
// of allocations to stderr at exit. tests/golden/test_alloc_fail.sh drives it.
//
// Thread-safety: the counters are atomics; the forwarders are resolved by the first call
// (start-up runs on one thread).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef void *(*MallocFn)(size_t);
typedef void *(*CallocFn)(size_t, size_t);
typedef void *(*ReallocFn)(void *, size_t);
typedef void (*FreeFn)(void *);
typedef int (*PosixMemalignFn)(void **, size_t, size_t);
typedef void *(*MemalignFn)(size_t, size_t);

static MallocFn next_malloc;
static CallocFn next_calloc;
static ReallocFn next_realloc;
static FreeFn next_free;
static PosixMemalignFn next_posix_memalign;
static MemalignFn next_memalign, next_aligned_alloc;

// dlsym may allocate while the forwarders are being resolved: those few requests are served
// from this block and never freed (4 KiB: dlsym's own needs are a few hundred bytes).
static _Alignas(64) unsigned char boot[4096];
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t n)
{
    n = (n + 63) & ~(size_t)63;
    if (n > sizeof(boot) - boot_used)
        return NULL;
    void *p = boot + boot_used;
    boot_used += n;
    return p;
}

static int in_boot(const void *p)
{
    return (const unsigned char *)p >= boot && (const unsigned char *)p < boot + sizeof(boot);
}

static void resolve(void)
{
    if (next_free || resolving)
        return;
    resolving = 1;
    next_malloc = (MallocFn)dlsym(RTLD_NEXT, "malloc");
    next_calloc = (CallocFn)dlsym(RTLD_NEXT, "calloc");
    next_realloc = (ReallocFn)dlsym(RTLD_NEXT, "realloc");
    next_posix_memalign = (PosixMemalignFn)dlsym(RTLD_NEXT, "posix_memalign");
    next_memalign = (MemalignFn)dlsym(RTLD_NEXT, "memalign");
    next_aligned_alloc = (MemalignFn)dlsym(RTLD_NEXT, "aligned_alloc");
    next_free = (FreeFn)dlsym(RTLD_NEXT, "free");
    resolving = 0;
}

// The test hook: 0 = off; else the allocation number that fails, and whether later ones do.
static int64_t fail_at;
static int fail_after, count_only;
static atomic_llong count;

__attribute__((constructor)) static void hook_init(void)
{
    resolve();
    const char *s = getenv("AIM_TEST_ALLOC_FAIL");
    if (s && !strcmp(s, "count")) {
        count_only = 1;
        fail_at = INT64_MAX;
    } else if (s && *s) {
        char *end;
        long long n = strtoll(s, &end, 10);
        if (n > 0 && (!*end || !strcmp(end, "+"))) {
            fail_after = *end == '+';
            fail_at = n;
        }
    }
}

__attribute__((destructor)) static void hook_report(void)
{
    if (count_only)
        fprintf(stderr, "allocations: %lld\n", (long long)atomic_load(&count));
}

// 1 when this allocation must fail (the test hook), counting it.
static int injected(void)
{
    if (!fail_at)
        return 0;
    long long k = atomic_fetch_add_explicit(&count, 1, memory_order_relaxed) + 1;
    return k == fail_at || (fail_after && k > fail_at);
}

// An injected failure: noted like a real one, errno as malloc sets it.
static int fail_now(void)
{
    if (!injected())
        return 0;
    aim_cli_note_alloc_failure();
    errno = ENOMEM;
    return 1;
}

static void *noted(void *p, size_t n)
{
    if (!p && n)
        aim_cli_note_alloc_failure();
    return p;
}

void *malloc(size_t n)
{
    resolve();
    if (!next_malloc)
        return boot_alloc(n);
    if (fail_now())
        return NULL;
    return noted(next_malloc(n), n);
}

void *calloc(size_t k, size_t n)
{
    resolve();
    if (!next_calloc) // boot is zero-initialised and never reused
        return n && k > SIZE_MAX / n ? NULL : boot_alloc(k * n);
    if (fail_now())
        return NULL;
    return noted(next_calloc(k, n), k * n);
}

void *realloc(void *p, size_t n)
{
    resolve();
    if (in_boot(p)) { // a boot block grows: its size is unknown, copy all that can be its
        size_t avail = (size_t)(boot + sizeof(boot) - (unsigned char *)p);
        void *q = malloc(n);
        if (q)
            memcpy(q, p, n < avail ? n : avail);
        return q;
    }
    if (!next_realloc)
        return NULL;
    if (n && fail_now())
        return NULL;
    return noted(next_realloc(p, n), n);
}

void free(void *p)
{
    if (!p || in_boot(p))
        return;
    resolve();
    if (next_free)
        next_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    resolve();
    if (!next_posix_memalign)
        return ENOMEM;
    if (fail_now())
        return ENOMEM;
    int ret = next_posix_memalign(out, align, n);
    if (ret == ENOMEM)
        aim_cli_note_alloc_failure();
    return ret;
}

static void *aligned(MemalignFn fn, size_t align, size_t n)
{
    if (!fn || fail_now())
        return NULL;
    return noted(fn(align, n), n);
}

void *memalign(size_t align, size_t n)
{
    resolve();
    return aligned(next_memalign, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    resolve();
    return aligned(next_aligned_alloc, align, n);
}

// A thread that cannot be made is memory that cannot be had (its stack: EAGAIN under a memory
// limit). Libraries make their own threads (x264's lookahead and frame threads) and turn the
// failure into their own error ("Generic error in an external library"); noting it here makes
// it exit 5 and "out of memory" like any other allocation (found by test_alloc_fail's ulimit
// -v sweep once less memory was used before the encoder opened).
typedef int (*PthreadCreateFn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    static PthreadCreateFn next_create;
    if (!next_create)
        next_create = (PthreadCreateFn)dlsym(RTLD_NEXT, "pthread_create");
    if (!next_create)
        return EAGAIN;
    int ret = next_create(t, attr, fn, arg);
    if (ret == EAGAIN || ret == ENOMEM)
        aim_cli_note_alloc_failure();
    return ret;
}
