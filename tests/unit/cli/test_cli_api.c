// The command line's enhance runs through the public API (#13 item 6): this test is linked
// with -Wl,--wrap=aim_create,--wrap=aim_run (tests/CMakeLists.txt), so every call the CLI makes
// to them lands here first. A CLI that bypassed the API (the engine called directly) makes no
// such call and fails every count below. The wrappers also take over the settings' callbacks:
// progress is counted on its way to the CLI's progress line, and a cancel after 5 frames must
// come back from the CLI as exit 130 with nothing under OUT: its Ctrl-C path is should_cancel.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ainimotion/ainimotion.h"
#include "cli.h"
#include "test.h"

int __real_aim_create(AimContext **out, const AimSettings *s);
int __real_aim_run(AimContext *c, AimReport *report);

static struct {
    int creates, runs, progress_calls, finals, cancel_after;
    int last_err;
    int64_t last_done;
    AimReport report;
    AimSettings cli;     // the settings as the CLI made them
} w;

static void wrap_progress(void *opaque, const AimProgress *p)
{
    __atomic_add_fetch(&w.progress_calls, 1, __ATOMIC_RELAXED);
    w.finals += p->final;
    w.last_done = p->frames_done;
    w.cli.on_progress(opaque, p);
}

static int wrap_cancel(void *opaque)
{
    // polled from two threads: progress_calls is written by the sink thread only; a stale read
    // here delays the cancel by one poll at most
    if (w.cancel_after > 0 && __atomic_load_n(&w.progress_calls, __ATOMIC_RELAXED) >=
                                  w.cancel_after)
        return 1;
    return w.cli.should_cancel(opaque);
}

int __wrap_aim_create(AimContext **out, const AimSettings *s)
{
    w.creates++;
    w.cli = *s;
    AimSettings mine = *s;
    if (s->on_progress)
        mine.on_progress = wrap_progress;
    if (s->should_cancel)
        mine.should_cancel = wrap_cancel;
    return __real_aim_create(out, &mine);
}

int __wrap_aim_run(AimContext *c, AimReport *report)
{
    w.runs++;
    w.last_err = __real_aim_run(c, report);
    if (report)
        w.report = *report;
    return w.last_err;
}

static int enhance(const char *const *args)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "enhance";
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    int creates = w.creates;
    memset(&w, 0, sizeof(w));
    w.creates = creates;
    return aim_cmd_enhance(argc, argv);
}

int main(void)
{
    char dir[1024], cmd[4096], in[1100], in2[1100], out[1100], outdir[1100];
    const char *build = test_work_dir("cli_api", dir, sizeof(dir));
    snprintf(in, sizeof(in), "%s/a.mkv", dir);
    snprintf(in2, sizeof(in2), "%s/b.mkv", dir);
    snprintf(out, sizeof(out), "%s/out.mkv", dir);
    snprintf(outdir, sizeof(outdir), "%s/batch/", dir);
    snprintf(cmd, sizeof(cmd), "'%s/aim_gen' '%s' --frames 24 --size 160x96 >/dev/null 2>&1 && "
             "cp '%s' '%s'", build, in, in, in2);
    CHECK_EQ_INT(system(cmd), 0);

    // one file: one context, one run, every frame's progress and the final call, the report
    int code = enhance((const char *const[]){ in, "--out", out, "-q", "--scale", "1", NULL });
    CHECK_EQ_INT(code, AIM_EXIT_OK);
    CHECK_EQ_INT(w.creates, 1);
    CHECK_EQ_INT(w.runs, 1);
    CHECK(w.cli.on_progress && w.cli.should_cancel);
    CHECK(w.cli.input && !strcmp(w.cli.input, in) && !strcmp(w.cli.output, out));
    CHECK_NEAR(w.cli.scale, 1.0, 0);
    CHECK_EQ_INT(w.progress_calls, 48 + 1);
    CHECK_EQ_INT(w.finals, 1);
    CHECK_EQ_INT(w.last_done, 48);
    CHECK_EQ_INT(w.report.source_frames, 24);
    CHECK_EQ_INT(w.report.output_frames, 48);
    CHECK(test_exists(out));

    // options the settings have no field for reach the run through AimSettings.options (a
    // multiplier: 36 frames, not the default 48; the JSON report), and an option cluster with
    // -o in it (-qyo OUT) leaves -q -y there
    char json[1100];
    snprintf(json, sizeof(json), "%s/r.json", dir);
    code = enhance((const char *const[]){ in, "--fps", "1.5x", "--scale=1", "-qyo", out,
                                          "--report", json, NULL });
    CHECK_EQ_INT(code, AIM_EXIT_OK);
    CHECK_EQ_INT(w.creates, 2);
    CHECK_EQ_INT(w.report.output_frames, 36);
    CHECK(test_exists(json));
    CHECK_EQ_INT(w.cli.overwrite, 1);

    // a batch: each input its own context
    code = enhance((const char *const[]){ in, in2, "--out", outdir, "-q", "--scale", "1",
                                          NULL });
    CHECK_EQ_INT(code, AIM_EXIT_OK);
    CHECK_EQ_INT(w.creates, 4);
    snprintf(cmd, sizeof(cmd), "%sa.mkv", outdir);
    CHECK(test_exists(cmd));
    snprintf(cmd, sizeof(cmd), "%sb.mkv", outdir);
    CHECK(test_exists(cmd));

    // should_cancel stops the CLI's run: exit 130, nothing under OUT nor beside it
    remove(out);
    memset(&w, 0, sizeof(w));
    char *argv[] = { "enhance", in, "--out", out, "-q", "--scale", "1", NULL };
    w.cancel_after = 5;
    code = aim_cmd_enhance(7, argv);
    CHECK_EQ_INT(code, AIM_EXIT_INTERRUPTED);
    CHECK_EQ_INT(w.last_err, AIM_ERR_INTERRUPTED);
    CHECK_MSG(w.last_done >= 5 && w.last_done < 48, "stopped at %lld", (long long)w.last_done);
    CHECK(!test_exists(out));
    snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s' | grep -c out)\" = 0", dir);
    CHECK_MSG(system(cmd) == 0, "a temporary file of out.mkv is left in %s", dir);
    return test_finish("test_cli_api");
}
