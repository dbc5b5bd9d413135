// Minimal test harness: CHECK macros, a pass/fail count, skip support (exit 77 = ctest skip).
#ifndef AIM_TESTS_TEST_H
#define AIM_TESTS_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int test_failures_;
static int test_checks_;

#define CHECK(cond) do { test_checks_++; if (!(cond)) { test_failures_++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_MSG(cond, ...) do { test_checks_++; if (!(cond)) { test_failures_++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    test_checks_++; if (a_ != b_) { test_failures_++; fprintf(stderr, \
    "%s:%d: CHECK failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, a_, b_); } } while (0)
#define CHECK_NEAR(a, b, eps) do { double a_ = (a), b_ = (b); test_checks_++; \
    if (!(fabs(a_ - b_) <= (eps))) { test_failures_++; fprintf(stderr, \
    "%s:%d: CHECK failed: |%s - %s| <= %g (%g vs %g)\n", __FILE__, __LINE__, #a, #b, \
    (double)(eps), a_, b_); } } while (0)

#define TEST_SKIP(...) do { fprintf(stderr, "SKIP: "); fprintf(stderr, __VA_ARGS__); \
    fputc('\n', stderr); exit(77); } while (0)

static inline int test_finish(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, test_checks_, test_failures_);
    return test_failures_ ? 1 : 0;
}

// 1 if something is at `path`.
static inline int test_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

// A fresh, empty folder $AIM_TMP/name in dir (n bytes) for a test's files; skips the test
// outside ctest (no AIM_BUILD or AIM_TMP), fails when it cannot be made. Returns $AIM_BUILD
// (aim_gen is there).
static inline const char *test_work_dir(const char *name, char *dir, size_t n)
{
    const char *build = getenv("AIM_BUILD"), *tmp = getenv("AIM_TMP");
    if (!build || !tmp)
        TEST_SKIP("run through ctest (AIM_BUILD, AIM_TMP)");
    char cmd[4200];
    snprintf(dir, n, "%s/%s", tmp, name);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot make %s\n", dir);
        exit(1);
    }
    return build;
}

#endif
