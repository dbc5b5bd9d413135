// The public API (include/ainimotion/ainimotion.h) over the engine (aim_enhance_run): the
// settings become enhance's own arguments, parsed by the same parser. The command line's
// enhance runs through here too (enhance_cli.c).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ainimotion/ainimotion.h"
#include "api.h"
#include "cli.h"
#include "enhance.h"
#include "io/avlog.h"
#include "pipeline/pipeline.h"

struct AimContext {
    AimSettings s;
    EnhanceOptions o; // parsed from argv (its strings point into it)
    char **argv;     // "enhance" --out OUT ... options -- IN, and the strings made here
    int argc;
    char *own[8];    // numbers printed into strings
    int nown;
    AimReport report;
};

const char *aim_version(void)
{
    return AIM_VERSION_STRING;
}

void aim_default_settings(AimSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->preset = "anime-clean";
    s->scale = 1.333;
    s->crf = -1;
}

void aim_destroy(AimContext **pc)
{
    AimContext *c = pc ? *pc : NULL;
    if (!c)
        return;
    *pc = NULL;
    for (int i = 0; i < c->nown; i++)
        free(c->own[i]);
    free(c->argv);
    free(c);
}

static int add(AimContext *c, const char *a)
{
    c->argv[c->argc++] = (char *)a;
    return 0;
}

static int add_fmt(AimContext *c, const char *fmt, double v, int num, int den)
{
    char buf[64];
    if (den)
        snprintf(buf, sizeof(buf), fmt, num, den);
    else if (strchr(fmt, 'd'))
        snprintf(buf, sizeof(buf), fmt, num);
    else
        snprintf(buf, sizeof(buf), fmt, v);
    char *s = strdup(buf);
    if (!s)
        return AIM_ERR(ENOMEM);
    c->own[c->nown++] = s;
    return add(c, s);
}

int aim_create(AimContext **out, const AimSettings *s)
{
    if (!out || !s)
        return AIM_ERR(EINVAL);
    if (!s->input || !s->output) {
        aim_log(&s->log, AIM_LOG_ERROR, "AimSettings: input and output are required");
        return AIM_ERR(EINVAL);
    }
    int nopt = 0;
    while (s->options && s->options[nopt])
        nopt++;
    AimContext *c = calloc(1, sizeof(*c));
    if (!c || !(c->argv = calloc((size_t)nopt + 24, sizeof(*c->argv)))) {
        free(c);
        return AIM_ERR(ENOMEM);
    }
    c->s = *s;
    int ret = 0;
    add(c, "enhance");
    add(c, "--out");
    add(c, s->output);
    if (s->overwrite)
        add(c, "-y");
    if (s->preset) {
        add(c, "--preset");
        add(c, s->preset);
    }
    add(c, "--scale");
    ret |= add_fmt(c, "%.17g", s->scale, 0, 0);
    if (s->fps_num < 0) {
        add(c, "--fps");
        add(c, "source");
    } else if (s->fps_num > 0 && s->fps_den > 0) {
        add(c, "--fps");
        ret |= add_fmt(c, "%d/%d", 0, s->fps_num, s->fps_den);
    }
    if (s->crf >= 0) {
        add(c, "--crf");
        ret |= add_fmt(c, "%d", 0, s->crf, 0);
    }
    if (s->threads > 0) {
        add(c, "--threads");
        ret |= add_fmt(c, "%d", 0, s->threads, 0);
    }
    for (int i = 0; i < nopt; i++)
        add(c, s->options[i]);
    add(c, "--"); // the input last: a name that starts with '-' is not an option
    add(c, s->input);
    EnhanceOptions *o = &c->o;
    char err[512];
    if (ret < 0 || aim_enhance_parse(c->argc, c->argv, o, err, sizeof(err)) < 0 ||
        o->resume || o->help || o->version) {
        if (ret >= 0)
            aim_log(&s->log, AIM_LOG_ERROR, "%s", o->resume || o->help || o->version
                    ? "--resume, --help and --version are command-line options" : err);
        aim_destroy(&c);
        return ret < 0 ? ret : AIM_ERR(EINVAL);
    }
    *out = c;
    return 0;
}

// The error of each exit code (README's table) and back: one table both ways.
static const struct {
    int exit_code, err;
} exit_errors[] = {
    { AIM_EXIT_OK, 0 },
    { AIM_EXIT_USAGE, AIM_ERR(EINVAL) },
    { AIM_EXIT_INPUT, AIM_ERR_INVALID_DATA },
    { AIM_EXIT_OUTPUT, AIM_ERR(EEXIST) },
    { AIM_EXIT_UNSUPPORTED, AIM_ERR_UNSUPPORTED },
    { AIM_EXIT_MODEL, AIM_ERR_MODEL_MISSING },
    { AIM_EXIT_INTERRUPTED, AIM_ERR_INTERRUPTED },
    { AIM_EXIT_FAILED, AIM_ERR_EXTERNAL }, // processing failed, out of memory included
};

int aim_api_error(int exit_code)
{
    for (size_t i = 0; i < sizeof(exit_errors) / sizeof(*exit_errors); i++)
        if (exit_errors[i].exit_code == exit_code)
            return exit_errors[i].err;
    return AIM_ERR_EXTERNAL;
}

int aim_api_exit_code(int err)
{
    for (size_t i = 0; i < sizeof(exit_errors) / sizeof(*exit_errors); i++)
        if (exit_errors[i].err == err)
            return exit_errors[i].exit_code;
    return AIM_EXIT_FAILED; // AIM_ERR(ENOMEM) from aim_create
}

void aim_api_report(AimReport *r, const AimPipelineStats *st, double seconds)
{
    *r = (AimReport){
        .source_frames = st->src_frames, .output_frames = st->out_frames,
        .cuts = st->class_count[AIM_CLASS_CUT], .holds = st->class_count[AIM_CLASS_HOLD],
        .motion = st->class_count[AIM_CLASS_MOTION], .fades = st->class_count[AIM_CLASS_FADE],
        .interpolated = st->interpolated, .blended = st->blended, .duplicated = st->duplicated,
        .seconds = seconds,
    };
}

static void on_progress(void *opaque, int64_t done, int64_t total, double seconds,
                        double out_fps, int final)
{
    AimContext *c = opaque;
    AimProgress p = { done, total, seconds, out_fps, final };
    if (c->s.on_progress)
        c->s.on_progress(c->s.opaque, &p);
}

static int on_cancelled(void *opaque)
{
    AimContext *c = opaque;
    return c->s.should_cancel(c->s.opaque);
}

static void on_finished(void *opaque, const AimPipelineStats *st, double seconds)
{
    AimContext *c = opaque;
    aim_api_report(&c->report, st, seconds);
}

int aim_run(AimContext *c, AimReport *report)
{
    if (!c)
        return AIM_ERR(EINVAL);
    AimEnhanceHooks hooks = { .log = &c->s.log, .progress = on_progress,
                              .cancelled = c->s.should_cancel ? on_cancelled : NULL,
                              .finished = on_finished, .cb_opaque = c };
    memset(&c->report, 0, sizeof(c->report));
    int code = aim_enhance_run(&c->o, &hooks);
    // libav's log callback is process-wide: it does not outlive the run (nor its log's opaque)
    aim_io_set_av_log(NULL, AIM_LOG_ERROR);
    if (report)
        *report = c->report;
    return aim_api_error(code);
}
