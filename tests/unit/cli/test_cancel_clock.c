// The cancel poll's thread (enhance.c, watch_cancel: hooks->cancelled every CANCEL_POLL_MS while
// a run lasts) waits on the monotonic clock, so a change of the wall clock neither stops nor
// speeds it. Linked with -Wl,--wrap=clock_gettime (tests/CMakeLists.txt): every CLOCK_REALTIME
// the engine reads is an hour ahead of the one the kernel waits on, as when the wall clock is
// set back an hour (date -s, NTP) just after a wait's deadline was taken. The wait's deadline
// used to be taken on CLOCK_REALTIME: the thread then slept an hour, and a cancel during a slow
// stage (here the source's first frame, before any output frame polls it) was not seen.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "enhance.h"
#include "io/io.h"
#include "test.h"

int __real_clock_gettime(clockid_t clk, struct timespec *ts);

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
    int ret = __real_clock_gettime(clk, ts);
    if (!ret && clk == CLOCK_REALTIME)
        ts->tv_sec += 3600;
    return ret;
}

static atomic_int polls, want_cancel;
static int first_read_done, polls_while_blocked;

static int cancelled(void *opaque)
{
    (void)opaque;
    atomic_fetch_add(&polls, 1);
    return atomic_load(&want_cancel);
}

// The pipeline's source: its first frame is slow (no output frame yet, so only the poll's
// thread calls cancelled) until the thread has polled 3 more times, 5 s at the most; then the
// caller cancels.
static int slow_read(void *opaque, AimReader *r, AimFrame **out)
{
    (void)opaque;
    if (!first_read_done) {
        first_read_done = 1;
        int p0 = atomic_load(&polls);
        for (int i = 0; i < 500 && atomic_load(&polls) < p0 + 3; i++)
            nanosleep(&(struct timespec){ 0, 10 * 1000000L }, NULL);
        polls_while_blocked = atomic_load(&polls) - p0;
        atomic_store(&want_cancel, 1);
    }
    return aim_reader_read(r, out);
}

int main(void)
{
    char dir[1024], cmd[4096], in[1100], out[1100];
    const char *build = test_work_dir("cancel_clock", dir, sizeof(dir));
    snprintf(in, sizeof(in), "%s/a.mkv", dir);
    snprintf(out, sizeof(out), "%s/out.mkv", dir);
    snprintf(cmd, sizeof(cmd), "'%s/aim_gen' '%s' --frames 48 --size 64x48 >/dev/null 2>&1",
             build, in);
    CHECK_EQ_INT(system(cmd), 0);

    char *argv[] = { "enhance", in, "--out", out, "-q", "--scale", "1", NULL };
    EnhanceOptions o;
    char err[512];
    CHECK_EQ_INT(aim_enhance_parse(7, argv, &o, err, sizeof(err)), 0);
    AimEnhanceHooks hooks = { .read = slow_read, .cancelled = cancelled };
    int code = aim_enhance_run(&o, &hooks);
    CHECK_MSG(polls_while_blocked >= 3, "the poll's thread polled %d times during a slow first "
              "frame (waited 5 s), 3 wanted", polls_while_blocked);
    CHECK_EQ_INT(code, AIM_EXIT_INTERRUPTED);
    CHECK(!test_exists(out));
    snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s' | grep -c out)\" = 0", dir);
    CHECK_MSG(system(cmd) == 0, "a temporary file of out.mkv is left in %s", dir);
    return test_finish("test_cancel_clock");
}
