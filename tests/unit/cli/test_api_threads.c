// A library does not end its caller's process: when no thread can be started (pthread_create
// failing with EAGAIN, as it does under a memory limit), aim_run returns an error, leaves no
// output, and the next run works. Linked with -Wl,--wrap=pthread_create (tests/CMakeLists.txt):
// every thread the library starts itself (workers, pipeline stages, the cancel poll) comes here.
// The engine used to note such a failure as a process-wide out-of-memory and then _exit(5) in
// aim_run ("abandon if out of memory"): this test ended with status 5 before its last line.
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "ainimotion/ainimotion.h"
#include "test.h"

int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);

static int fail_threads, failed;

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    if (fail_threads) {
        failed++;
        return EAGAIN;
    }
    return __real_pthread_create(t, a, fn, arg);
}

static int never(void *opaque)
{
    (void)opaque;
    return 0;
}

static int run(const char *in, const char *out, int with_cancel)
{
    AimSettings s;
    aim_default_settings(&s);
    s.input = in;
    s.output = out;
    s.overwrite = 1;
    s.scale = 1;
    s.threads = 2; // a worker thread, whatever the machine
    if (with_cancel)
        s.should_cancel = never; // the cancel poll's thread first
    AimContext *c = NULL;
    int err = aim_create(&c, &s);
    CHECK_EQ_INT(err, 0);
    if (!err)
        err = aim_run(c, NULL);
    aim_destroy(&c);
    return err;
}

int main(void)
{
    char dir[1024], cmd[4096], in[1100], out[1100];
    const char *build = test_work_dir("api_threads", dir, sizeof(dir));
    snprintf(in, sizeof(in), "%s/a.mkv", dir);
    snprintf(out, sizeof(out), "%s/out.mkv", dir);
    snprintf(cmd, sizeof(cmd), "'%s/aim_gen' '%s' --frames 12 --size 64x48 >/dev/null 2>&1",
             build, in);
    CHECK_EQ_INT(system(cmd), 0);

    for (int with_cancel = 0; with_cancel < 2; with_cancel++) {
        fail_threads = 1;
        failed = 0;
        int err = run(in, out, with_cancel);
        fail_threads = 0;
        CHECK_MSG(err == AIM_ERR_EXTERNAL, "cancel poll %d: %d %s", with_cancel, err,
                  aim_strerror(err));
        CHECK(failed > 0); // the wrapper was reached: the failure was real
        CHECK(!test_exists(out));
        CHECK_EQ_INT(run(in, out, with_cancel), 0); // and nothing sticks to the next run
        CHECK(test_exists(out));
        remove(out);
    }
    return test_finish("test_api_threads");
}
