// `ainimotion enhance IN --out OUT [options]`: wires the reader, the pipeline and the writer.
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/clock.h"
#include "core/cpu.h"
#include "core/parse.h"
#include "enhance.h"
#include "io/avlog.h"
#include "io/io.h"
#include "models.h"
#include "nn/models.h"
#include "pipeline/pipeline.h"
#include "report.h"
#include "vk/vk.h"

// Engines and encoder settings per preset; the restoration strengths and anti-ringing of each
// preset live with the scaler (aim_scaler_apply_preset), which knows what they mean.
static const AimPreset presets[] = {
    { "anime-clean", "classic", "lanczos", 16, "medium" },
    // waifu2x-cunet (at the preset's noise level 2, aim_scaler_apply_preset) when installed:
    // the best restoration measured on the stills (bench/RESULTS-nn.md). Model A stays classic:
    // RIFE v4.6 scored below it on two of the three shared clips (dbz, jjk) at ~100x the CPU
    // time (bench/RESULTS-interp.md, session 4); `--interp rife` picks it explicitly.
    { "anime-strong", "classic", "waifu2x-cunet|lanczos", 16, "medium" },
    { "fast", "classic", "bicubic", 20, "veryfast" },
};

// A preset's engine (interp or upscaler) may be a list in order of preference,
// "waifu2x-cunet|lanczos": the first one that can run, i.e. whose model is installed (engines
// without a model always can; the neural engines presets list are named as their model). An
// explicit --interp / --upscaler is taken as given (and fails with exit code 6 when its model
// is missing).
static const char *preset_engine(const char *spec, const char *models_dir, char *buf,
                                 size_t n, const AimLog *log)
{
    const char *p = spec;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        snprintf(buf, n, "%.*s", (int)len, p);
        const AimModelInfo *m = aim_models_find(buf);
        char dir[4096];
        if (!m)
            return buf;
        if (aim_models_dir(dir, sizeof(dir), models_dir) == 0 &&
            aim_models_check(dir, m, 0, NULL) == 0) {
            aim_log(log, AIM_LOG_INFO, "preset: %s is installed and used: a neural model takes "
                    "seconds per frame on a CPU, less on a Vulkan GPU (--device) (an explicit "
                    "--interp/--upscaler picks another engine)", buf);
            return buf;
        }
        if (!bar)
            return buf; // the last choice; the engine itself reports the missing model
        aim_log(log, AIM_LOG_INFO, "preset: %s is not installed (`ainimotion models install "
                "%s`), using the next engine", buf, buf);
        p = bar + 1;
    }
}

const AimPreset *aim_preset_find(const char *name)
{
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
        if (!strcmp(presets[i].name, name))
            return &presets[i];
    return NULL;
}

void aim_enhance_usage(FILE *f)
{
    fprintf(f,
"usage: ainimotion enhance IN --out OUT [options]\n"
"       ainimotion enhance IN1 IN2 ... | FOLDER --out DIR/ [options]   (a batch)\n"
"\n"
"  IN                   input video (mp4, mkv, mov, webm...; 8- or 10-bit)\n"
"  -o, --out OUT        output; the container follows the extension (.mkv .mp4 .mov .webm),\n"
"                       .y4m writes raw lossless frames, '-' writes y4m to stdout,\n"
"                       .png one image (a still in, with --fps source)\n"
"  --fps RATE|Nx|source output frame rate (default: 2x the source): 48, 59.94, 60000/1001,\n"
"                       or a multiplier of the source rate (2x, 2.5x); 1x to 8x. A nominal\n"
"                       rate means the nearest standard rate: 48 on 24000/1001 input is\n"
"                       48000/1001, 60 is 60000/1001; 50 on 25 is 50. Lower rates are\n"
"                       refused. 'source' keeps the rate.\n"
"  --scale X            size factor for both dimensions (default 1.333; 1 keeps the size);\n"
"                       the result is rounded to the nearest even number\n"
"  --square-pixels      anamorphic input (a DVD's 720x480 at SAR 10:11): resample to square\n"
"                       pixels (the width times the SAR, then --scale); default: keep the SAR\n"
"  --preset NAME        anime-clean (default, most conservative), anime-strong (more\n"
"                       restoration: waifu2x-cunet noise level 2 when installed, else\n"
"                       lanczos; a neural model takes seconds per frame on a CPU), fast\n"
"  --clip START-END     render only this segment, HH:MM:SS[.mmm]-HH:MM:SS[.mmm] or seconds;\n"
"                       audio and subtitles are cut to match, output starts at zero\n"
"  --hold-threshold X   mean |dY| (0..1 luma, on the gate's downscaled luma) below which an\n"
"                       interval is a hold and is duplicated (default 0.003)\n"
"  --cut-threshold Y    0..1 change score above which an interval may be a cut, which is never\n"
"                       interpolated (default 0.35; the gate also checks the local history)\n"
"  --gate-metric M      score the two thresholds apply to: mc (default: holds on MAD, cuts on\n"
"                       the motion-compensated change), mad, ssim (1 - SSIM), hist\n");
    aim_models_help(f, AIM_MODEL_INTERPOLATOR); // from the engine tables and the model registry
    fprintf(f,
"  --interp-fallback M  classic, where the flow cannot be trusted (a redraw, an occlusion):\n"
"                       nearest (default: the nearer source drawing, unwarped: never two\n"
"                       drawings at once) or blend (a cross-fade of the two: softer at redraws,\n"
"                       but both drawings show, half transparent)\n");
    aim_models_help(f, AIM_MODEL_UPSCALER);
    fprintf(f,
"  --denoise LEVEL      0 (off) to 3: waifu2x-cunet's noise level and the classic denoise\n"
"                       (strength 0.15 x LEVEL); default: the preset's (anime-clean: model\n"
"                       level 0, classic 0.15; anime-strong: level 2, classic 0.45; fast: off)\n"
"  --encoder NAME       libx264, libx265, libsvtav1, h264_nvenc, hevc_nvenc (when available)\n"
"  --crf N              encoder quality, lower is better (default: preset's, 16)\n"
"  --threads N          worker threads (default: all cores)\n"
"  --cpumask LEVEL      highest SIMD level to use: c, sse2, sse4.1, avx2, avx512 (default all)\n"
"  --device D           where the neural models (upscalers, rife) run: auto (default: the\n"
"                       first Vulkan GPU, else the CPU; never a CPU Vulkan driver), cpu, vulkan\n"
"                       (the first Vulkan device of any kind), vulkan:N (device N of\n"
"                       'ainimotion devices')\n"
"  --models-dir DIR     where neural models live (default $AINIMOTION_MODELS or\n"
"                       $XDG_DATA_HOME/ainimotion/models)\n"
"  --report FILE.json   the settings, one record per source frame (analyze --json's\n"
"                       schema), the gate's summary and the run's totals\n"
"  --resume             keep finished segments in a hidden job folder beside OUT; after\n"
"                       Ctrl-C or a crash the same command continues from them\n"
"  -y                   overwrite OUT if it exists (without -y, an OUT that appears during\n"
"                       the run is left alone too: exit 3, the result is kept aside)\n"
"  -q, --quiet          no progress, warnings and errors only\n"
"  -v, --verbose        debug lines, per-stage times and libav's own messages\n"
"  -h, --help           this text\n"
"\n"
"The output is written under a temporary name beside OUT and renamed only on success.\n"
"Short options combine (-qy, -qyo OUT); '--' ends the options.\n"
"Exit codes: 0 ok, 1 usage, 2 input, 3 output, 4 unsupported, 5 failed, 6 model missing,\n"
"130 interrupted.\n");
}

// ---- option parsing ---------------------------------------------------------------------

static int opt_error(char *err, size_t n, const char *fmt, const char *a, const char *b)
{
    snprintf(err, n, fmt, a, b ? b : "");
    return AIM_ERR(EINVAL);
}

// The options that take no value; 1 when `a` is one of them.
static int enhance_flag(EnhanceOptions *o, const char *a)
{
    if (!strcmp(a, "-y")) o->overwrite = 1;
    else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) o->quiet = 1;
    else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) o->verbose = 1;
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) o->help = 1;
    else if (!strcmp(a, "--version")) o->version = 1;
    else if (!strcmp(a, "--resume")) o->resume = 1;
    else if (!strcmp(a, "--square-pixels")) o->square_pixels = 1;
    else return 0;
    return 1;
}

int aim_enhance_takes_value(const char *name)
{
    static const char *const with_value[] = {
        "-o", "--out", "--fps", "--scale", "--preset", "--clip", "--hold-threshold",
        "--cut-threshold", "--encoder", "--crf", "--threads", "--report", "--interp",
        "--upscaler", "--cpumask", "--models-dir", "--gate-metric", "--denoise",
        "--interp-fallback", "--device",
    };
    for (size_t k = 0; k < sizeof(with_value) / sizeof(*with_value); k++)
        if (!strcmp(name, with_value[k]))
            return 1;
    return 0;
}

int aim_enhance_parse(int argc, char **argv, EnhanceOptions *o, char *err, size_t errlen)
{
    return aim_enhance_parse_rest(argc, argv, o, NULL, err, errlen);
}

int aim_enhance_parse_rest(int argc, char **argv, EnhanceOptions *o, const char **rest,
                           char *err, size_t errlen)
{
    static const char *const short_flags[] = { "-y", "-q", "-v", "-h" }; // "yqvh", in `rest`
    int nrest = 0;
    if (rest)
        rest[0] = NULL;
    memset(o, 0, sizeof(*o));
    o->scale = 1.333;
    o->crf = -1;
    o->denoise = -1;
    o->cpu_mask = ~0u;
    o->preset = aim_preset_find("anime-clean");
    if (errlen)
        err[0] = 0;
    AimGateSettings gate; // the thresholds are checked against the ranges the gate accepts
    aim_gate_default_settings(&gate);
    int operands = 0;     // after "--" every argument is a file name
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!a)
            return opt_error(err, errlen, "missing argument%s%s", "", NULL);
        if (!operands && !strcmp(a, "--")) {
            operands = 1;
            continue;
        }
        if (operands || a[0] != '-' || !strcmp(a, "-")) {
            if (o->in)
                return opt_error(err, errlen, "unexpected argument '%s' (the input is '%s')",
                                 a, o->in);
            o->in = a;
            continue;
        }
        char name[40];
        const char *val = NULL;
        char letters[16];
        int nl = aim_cli_short_cluster(a, "yqvh", "o", letters, sizeof(letters), &val);
        if (nl < 0)
            return opt_error(err, errlen, "unknown option in '%s'%s", a, NULL);
        for (int k = 0; k < nl && letters[k] != 'o'; k++) {
            enhance_flag(o, (char[3]){ '-', letters[k], 0 });
            if (rest)
                rest[nrest++] = short_flags[strchr("yqvh", letters[k]) - "yqvh"];
        }
        if (nl > 0 && letters[nl - 1] != 'o')
            continue;
        if (nl == 0 && enhance_flag(o, a)) {
            if (rest)
                rest[nrest++] = a;
            continue;
        }
        // options with a value: "--opt VALUE", "--opt=VALUE", "-o VALUE", "-oVALUE"
        const char *eq = strchr(a, '=');
        if (nl > 0) {
            strcpy(name, "-o");
        } else if (eq && a[1] == '-') {
            size_t n = (size_t)(eq - a);
            if (n >= sizeof(name))
                return opt_error(err, errlen, "unknown option '%s'%s", a, NULL);
            memcpy(name, a, n);
            name[n] = 0;
            val = eq + 1;
        } else {
            if (strlen(a) >= sizeof(name))
                return opt_error(err, errlen, "unknown option '%s'%s", a, NULL);
            strcpy(name, a);
        }
        if (!aim_enhance_takes_value(name))
            return opt_error(err, errlen, "unknown option '%s'%s", name, NULL);
        if (!val) {
            if (i + 1 >= argc || !argv[i + 1])
                return opt_error(err, errlen, "option '%s' needs a value%s", name, NULL);
            val = argv[++i];
        }
        if (rest && strcmp(name, "-o") && strcmp(name, "--out")) { // as given: one or two
            rest[nrest++] = a;
            if (val == argv[i])
                rest[nrest++] = val;
        }
        int ret = 0;
        if (!strcmp(name, "-o") || !strcmp(name, "--out")) {
            if (!*val)
                return opt_error(err, errlen, "'%s' needs a file name%s", name, NULL);
            o->out = val;
        } else if (!strcmp(name, "--fps")) {
            if (!strcmp(val, "source")) {
                o->fps_mode = 1;
            } else if (aim_parse_multiplier(val, &o->fps) == 0) {
                o->fps_mode = 3;
            } else if ((ret = aim_parse_rate(val, &o->fps)) < 0) {
                return opt_error(err, errlen,
                                 "bad --fps '%s': give a positive rate like 48, 59.94, "
                                 "48000/1001, a multiplier like 2x or 2.5x, or 'source'%s",
                                 val, NULL);
            } else {
                o->fps_mode = 2;
            }
        } else if (!strcmp(name, "--scale")) {
            // 0.25..8: below a quarter the gate's analysis size degenerates; above 8 the
            // output exceeds what encoders accept for 1080p input.
            if (aim_parse_double(val, 0.25, 8, &o->scale) < 0)
                return opt_error(err, errlen, "bad --scale '%s': a number from 0.25 to 8%s",
                                 val, NULL);
        } else if (!strcmp(name, "--preset")) {
            if (!(o->preset = aim_preset_find(val)))
                return opt_error(err, errlen,
                                 "unknown --preset '%s' (anime-clean, anime-strong, fast)%s",
                                 val, NULL);
        } else if (!strcmp(name, "--clip")) {
            ret = aim_parse_time_range(val, &o->clip_start, &o->clip_end);
            if (ret == AIM_ERR(ERANGE))
                return opt_error(err, errlen, "bad --clip '%s': the end must come after the "
                                 "start%s", val, NULL);
            if (ret < 0)
                return opt_error(err, errlen, "bad --clip '%s': use HH:MM:SS[.mmm]-HH:MM:SS"
                                 "[.mmm] or seconds like 12.5-20%s", val, NULL);
            o->clip_set = 1;
        } else if (!strcmp(name, "--hold-threshold")) {
            if (aim_parse_double(val, 0, 1, &gate.hold_threshold) < 0 ||
                aim_gate_settings_check(&gate) < 0)
                return opt_error(err, errlen, "bad --hold-threshold '%s': a number from 0 up "
                                 "to (not including) 1 (mean |dY| on 0..1 luma)%s", val, NULL);
            o->hold_threshold = gate.hold_threshold;
            o->hold_set = 1;
        } else if (!strcmp(name, "--cut-threshold")) {
            if (aim_parse_double(val, 0, 1, &gate.cut_threshold) < 0 ||
                aim_gate_settings_check(&gate) < 0)
                return opt_error(err, errlen, "bad --cut-threshold '%s': a number above 0, up "
                                 "to 1%s", val, NULL);
            o->cut_threshold = gate.cut_threshold;
            o->cut_set = 1;
        } else if (!strcmp(name, "--gate-metric")) {
            if (aim_gate_metric_parse(val, &o->gate_metric) < 0)
                return opt_error(err, errlen, "bad --gate-metric '%s' (mc, mad, ssim, hist)%s",
                                 val, NULL);
        } else if (!strcmp(name, "--encoder")) {
            o->encoder = val;
        } else if (!strcmp(name, "--crf")) {
            if (aim_parse_int(val, 0, 63, &o->crf) < 0)
                return opt_error(err, errlen, "bad --crf '%s': an integer from 0 to 63%s", val,
                                 NULL);
        } else if (!strcmp(name, "--denoise")) {
            if (aim_parse_int(val, 0, 3, &o->denoise) < 0)
                return opt_error(err, errlen, "bad --denoise '%s': a level from 0 to 3%s", val,
                                 NULL);
        } else if (!strcmp(name, "--threads")) {
            if (aim_parse_int(val, 1, 256, &o->threads) < 0)
                return opt_error(err, errlen, "bad --threads '%s': an integer from 1 to 256%s",
                                 val, NULL);
        } else if (!strcmp(name, "--report")) {
            o->report = val;
        } else if (!strcmp(name, "--interp")) {
            if (!aim_interp_engine_known(val))
                return opt_error(err, errlen, "unknown --interp '%s' (see 'ainimotion enhance "
                                 "--help')%s", val, NULL);
            o->interp = val;
        } else if (!strcmp(name, "--interp-fallback")) {
            if (aim_interp_fallback_parse(val, &o->interp_fallback) < 0)
                return opt_error(err, errlen, "bad --interp-fallback '%s': nearest or blend%s",
                                 val, NULL);
        } else if (!strcmp(name, "--upscaler")) {
            if (!aim_scaler_engine_known(val))
                return opt_error(err, errlen, "unknown --upscaler '%s' (see 'ainimotion "
                                 "enhance --help')%s", val, NULL);
            o->upscaler = val;
        } else if (!strcmp(name, "--cpumask")) {
            if (aim_cpu_parse_mask(val, &o->cpu_mask) < 0)
                return opt_error(err, errlen, "bad --cpumask '%s' (c, sse2, sse4.1, avx2, "
                                 "avx512)%s", val, NULL);
        } else if (!strcmp(name, "--models-dir")) {
            o->models_dir = val;
        } else if (!strcmp(name, "--device")) {
            if (aim_vk_parse_device(val, &o->device_policy, &o->device_index) < 0)
                return opt_error(err, errlen, "bad --device '%s' (auto, cpu, vulkan, vulkan:N; "
                                 "see 'ainimotion devices')%s", val, NULL);
        }
    }
    if (rest)
        rest[nrest] = NULL;
    if (o->help || o->version)
        return 0;
    if (!o->in)
        return opt_error(err, errlen, "no input file given%s%s", "", NULL);
    if (!o->out)
        return opt_error(err, errlen, "no output given: add --out OUT%s%s", "", NULL);
    return 0;
}

// ---- run --------------------------------------------------------------------------------

void aim_cli_log(void *opaque, AimLogLevel level, const char *msg)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };
    (void)opaque;
    aim_cli_say("ainimotion: %s: %s", names[level <= AIM_LOG_DEBUG ? level : 3], msg);
}

int aim_exit_code(int err)
{
    switch (err) {
    case 0: return AIM_EXIT_OK;
    case AIM_ERR_INTERRUPTED: return AIM_EXIT_INTERRUPTED;
    case AIM_ERR_UNSUPPORTED: return AIM_EXIT_UNSUPPORTED;
    case AIM_ERR_MODEL_MISSING: return AIM_EXIT_MODEL;
    default: return AIM_EXIT_FAILED;
    }
}

typedef struct Run {
    const EnhanceOptions *o;
    AimReader *reader;
    AimWriter *writer;
    AimReportWriter *report;
    AimReportInfo report_info;
    int64_t total_out;     // estimate, 0 if unknown
    double out_fps;        // output frame rate (progress: speed against real time)
    double t_start;
    const AimEnhanceHooks *hooks;
    atomic_int cancel;     // the pipeline's stop flag, set from hooks->cancelled
    AimCliTicker watch;    // polls hooks->cancelled (watch_cancel)
} Run;

// How often hooks->cancelled is polled while a run lasts: a Ctrl-C is seen within 50 ms, under
// the ~100 ms a person notices as a delay, whatever stage is busy (a neural model spends seconds
// on one frame on a CPU, a slow encoder open as long); 20 calls a second cost nothing.
#define CANCEL_POLL_MS 50

static void watch_cancel(void *arg)
{
    Run *r = arg;
    if (r->hooks->cancelled(r->hooks->cb_opaque))
        atomic_store(&r->cancel, 1);
}

static int src_read(void *opaque, AimFrame **out)
{
    Run *r = opaque;
    if (r->hooks && r->hooks->read)
        return r->hooks->read(r->hooks->opaque, r->reader, out);
    return aim_reader_read(r->reader, out);
}

static int out_write(void *opaque, const AimFrame *f)
{
    Run *r = opaque;
    return aim_writer_write(r->writer, f);
}

static void on_record(void *opaque, const AimGateRecord *rec)
{
    Run *r = opaque;
    if (r->report)
        aim_report_add(r->report, rec);
}

// HH:MM:SS, whole seconds (aim_format_time without the milliseconds)
static void hms(char *buf, size_t n, double s)
{
    aim_format_time(s > 0 ? floor(s + 0.5) : 0, buf, n);
    char *dot = strrchr(buf, '.');
    if (dot)
        *dot = 0;
}

char *aim_progress_line(char *buf, size_t n, int64_t done, int64_t total, double elapsed,
                        double out_fps, int final)
{
    double fps = elapsed > 0 ? done / elapsed : 0;
    char tot[32] = "?", pct[16] = "", el[32], eta[64] = "", speed[32] = "";
    if (total > 0) {
        int64_t t = total > done ? total : done;
        snprintf(tot, sizeof(tot), "%lld", (long long)t);
        snprintf(pct, sizeof(pct), " (%.0f%%)", 100.0 * done / t);
        if (fps > 0 && !final) {
            char e[40];
            hms(e, sizeof(e), (t - done) / fps);
            snprintf(eta, sizeof(eta), ", ETA %s", e);
        }
    }
    // video seconds made per second of wall time: 0.50x takes twice the video's length
    if (out_fps > 0 && elapsed > 0)
        snprintf(speed, sizeof(speed), ", %.2fx real time", done / out_fps / elapsed);
    hms(el, sizeof(el), elapsed);
    snprintf(buf, n, "frame %lld/%s%s, %.1f fps%s, elapsed %s%s", (long long)done, tot, pct,
             fps, speed, el, eta);
    return buf;
}

static void on_progress(void *opaque, const AimPipelineStats *st)
{
    Run *r = opaque;
    if (r->hooks && r->hooks->progress)
        r->hooks->progress(r->hooks->cb_opaque, st->out_frames, r->total_out,
                           aim_now_s() - r->t_start, r->out_fps, 0);
    if (r->hooks && r->hooks->cancelled && r->hooks->cancelled(r->hooks->cb_opaque))
        atomic_store(&r->cancel, 1);
}

static int reader_exit(int err)
{
    if (err == AIM_ERR(ERANGE))
        return AIM_EXIT_USAGE;
    if (err == AIM_ERR_UNSUPPORTED)
        return AIM_EXIT_UNSUPPORTED;
    if (err == AIM_ERR(ENOMEM))
        return AIM_EXIT_FAILED;
    return AIM_EXIT_INPUT;
}

static int writer_exit(int err)
{
    if (err == AIM_ERR(ENOMEM))
        return AIM_EXIT_FAILED;
    if (err == AIM_ERR(ERANGE))
        return AIM_EXIT_USAGE; // --crf outside the chosen encoder's scale
    if (err == AIM_ERR_UNSUPPORTED)
        return AIM_EXIT_OUTPUT; // encoder or container not available
    return AIM_EXIT_OUTPUT;
}

int aim_enhance_run(const EnhanceOptions *op, const AimEnhanceHooks *hooks)
{
    const EnhanceOptions o = *op;
    AimLog log = { aim_cli_log, NULL,
                   o.verbose ? AIM_LOG_DEBUG : o.quiet ? AIM_LOG_WARNING : AIM_LOG_INFO };
    if (hooks && hooks->log)
        log = *hooks->log;
    // libav's own lines (encoder banners, statistics, parser complaints) only with -v (the
    // command line mutes those x264 and x265 print to stderr themselves: aim_cli_enhance_run)
    aim_io_set_av_log(&log, o.verbose ? AIM_LOG_DEBUG : AIM_LOG_ERROR);
    Run run = { .o = &o, .hooks = hooks };
    int code = AIM_EXIT_FAILED, ret, cleanup = -1;
    AimPool *pool = NULL;
    AimVkDevice *dev = NULL;
    // A cancel (the command line's Ctrl-C) stops the run cleanly from before the output's
    // temporary file exists until it is removed or published (a slow encoder open, SVT-AV1's,
    // left a .part behind when Ctrl-C came before the pipeline started): the pipeline sees the
    // flag at its first frame
    if (hooks && hooks->cancelled) {
        if ((ret = aim_cli_ticker_start(&run.watch, CANCEL_POLL_MS, watch_cancel, &run)) != 0) {
            aim_log(&log, AIM_LOG_ERROR, "cannot start a thread: %s", strerror(ret));
            goto end;
        }
    }

    AimReaderSettings rs;
    aim_reader_default_settings(&rs);
    rs.path = o.in;
    rs.log = log;
    rs.timed = 1; // variable-rate input: the output grid is rendered between the pictures' times
    if (o.clip_set) {
        rs.clip_start = o.clip_start;
        rs.clip_end = o.clip_end;
    }
    if ((ret = aim_reader_open(&run.reader, &rs)) < 0) {
        code = reader_exit(ret);
        goto end;
    }
    const AimVideoInfo *vi = aim_reader_info(run.reader);

    // Output rate: 1x to 8x the source rate (pipeline.h: the output grid).
    AimRational ratio = { 2, 1 }, out_rate;
    if (o.fps_mode == 1) {
        ratio = (AimRational){ 1, 1 };
    } else if (o.fps_mode == 3) {
        ratio = o.fps;
        if (ratio.num < ratio.den || ratio.num > 8 * (int64_t)ratio.den) {
            aim_log(&log, AIM_LOG_ERROR, "--fps %gx: the multiplier must be 1x to 8x",
                    (double)ratio.num / ratio.den);
            code = AIM_EXIT_UNSUPPORTED;
            goto end;
        }
    } else if (o.fps_mode == 2 && aim_rate_ratio(vi->frame_rate, o.fps, 8, &ratio) < 0) {
        aim_log(&log, AIM_LOG_ERROR,
                "--fps %g is outside 1x-8x of the source rate %.3f (%d/%d): rates below the "
                "source rate are not supported; use e.g. %.3f",
                (double)o.fps.num / o.fps.den,
                (double)vi->frame_rate.num / vi->frame_rate.den, vi->frame_rate.num,
                vi->frame_rate.den, 2.0 * vi->frame_rate.num / vi->frame_rate.den);
        code = AIM_EXIT_UNSUPPORTED;
        goto end;
    }
    if (aim_rational_mul(vi->frame_rate, ratio, &out_rate) < 0) {
        aim_log(&log, AIM_LOG_ERROR, "--fps: %d/%d x %d/%d is not a representable rate",
                vi->frame_rate.num, vi->frame_rate.den, ratio.num, ratio.den);
        code = AIM_EXIT_UNSUPPORTED;
        goto end;
    }
    // a .png output is one image: a still in, the source rate out
    if (aim_writer_single_image(o.out) && (ratio.num != ratio.den || vi->nb_frames > 1)) {
        if (ratio.num != ratio.den)
            aim_log(&log, AIM_LOG_ERROR, "%s: a .png output holds one image: add --fps source "
                    "(--fps makes %.3g frames of each source frame)", o.out,
                    (double)ratio.num / ratio.den);
        else
            aim_log(&log, AIM_LOG_ERROR, "%s: a .png output holds one image, the input has %lld "
                    "frames: use a video container", o.out, (long long)vi->nb_frames);
        code = AIM_EXIT_USAGE;
        goto end;
    }
    int ow, oh;
    int square = o.square_pixels && vi->sar.num > 0 && vi->sar.den > 0 &&
                 vi->sar.num != vi->sar.den;
    if (square) // the display aspect in square pixels: the width times the SAR
        aim_scale_dims_square(vi->width, vi->height, vi->sar.num, vi->sar.den, o.scale, &ow,
                              &oh);
    else
        aim_scale_dims(vi->width, vi->height, o.scale, &ow, &oh);

    char interp_buf[64];
    const char *interp = o.interp ? o.interp : preset_engine(o.preset->interp, o.models_dir,
                                                            interp_buf, sizeof(interp_buf), &log);
    char upscaler_buf[64];
    const char *upscaler = o.upscaler ? o.upscaler
                                      : preset_engine(o.preset->upscaler, o.models_dir,
                                                      upscaler_buf, sizeof(upscaler_buf), &log);
    // The Vulkan device of the neural upscalers and of RIFE (--device), for the whole run.
    char device[320] = "";
    int neural_up = strcmp(upscaler, "lanczos") && strcmp(upscaler, "bicubic") &&
                    strcmp(upscaler, "bilinear");
    int neural_interp = !strcmp(interp, "rife");
    int neural = neural_up || neural_interp;
    if (neural && o.device_policy != AIM_VK_CPU) {
        // per-layer GPU times and the device layer's own lines with -v only: one line below
        // says what happened (and no GPU is normal for auto: the start line says "on the CPU")
        if ((ret = aim_vk_device_open(&dev, o.device_policy, o.device_index, o.verbose,
                                      o.verbose ? &log : NULL)) < 0) {
            if (o.device_policy != AIM_VK_AUTO) {
                aim_log(&log, AIM_LOG_ERROR, "--device: no usable Vulkan device (%s; see "
                        "'ainimotion devices', -v for the driver's answer)",
                        ret == AIM_ERR_UNSUPPORTED ? "this build has no Vulkan backend"
                                                   : aim_strerror(ret));
                goto end; // AIM_EXIT_FAILED
            }
            if (ret != AIM_ERR(ENODEV) && ret != AIM_ERR_UNSUPPORTED)
                aim_log(&log, AIM_LOG_WARNING, "the Vulkan GPU failed (%s): the neural models "
                        "run on the CPU", aim_strerror(ret));
        }
    }
    if (dev) {
        const AimVkDeviceInfo *di = aim_vk_device_info(dev);
        snprintf(device, sizeof(device), " on vulkan:%d %s (%s)", di->index, di->name,
                 aim_vk_device_fp16(dev) ? "fp16" : "fp32");
    } else if (neural) {
        snprintf(device, sizeof(device), " on the CPU");
    }
    aim_log(&log, AIM_LOG_INFO,
            "%s: %dx%d %d-bit %s %.3f fps -> %dx%d %.3f fps (%.4gx), preset %s, interp %s%s, "
            "upscaler %s%s", o.in, vi->width, vi->height, vi->depth, vi->codec,
            (double)vi->frame_rate.num / vi->frame_rate.den, ow, oh,
            (double)out_rate.num / out_rate.den, (double)ratio.num / ratio.den,
            o.preset->name, interp,
            neural_interp ? device : o.interp_fallback == AIM_INTERP_FALLBACK_BLEND ?
            " (fallback blend)" : "", upscaler, neural_up ? device : "");

    AimWriterSettings ws;
    aim_writer_default_settings(&ws);
    ws.path = o.out;
    ws.overwrite = o.overwrite;
    ws.encoder = o.encoder;
    ws.crf = o.crf >= 0 ? (int)o.crf : o.preset->crf;
    ws.preset = o.preset->enc_preset;
    ws.width = ow;
    ws.height = oh;
    ws.depth = vi->depth;
    ws.frame_rate = out_rate;
    ws.color = vi->color;
    // --scale is uniform: the pixel shape stays, so the SAR does (rounding to even sizes moves
    // the display aspect by under a pixel, as it does for square pixels)
    ws.sar = square ? (AimRational){ 1, 1 } : vi->sar; // --square-pixels: tagged 1:1
    ws.copy_from = run.reader;
    ws.log = log;

    long threads = o.threads ? o.threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1)
        threads = 1;
    // (a thread that cannot be made is memory that cannot be had: the program's allocation hook,
    // alloc_hook.c, notes it as out of memory; a library must not end the process for it)
    if ((ret = aim_pool_create(&pool, (int)threads - 1)) < 0) {
        aim_log(&log, AIM_LOG_ERROR, "cannot start %ld worker threads: %s", threads - 1,
                aim_strerror(ret));
        goto end;
    }

    AimPipelineSettings ps;
    aim_pipeline_default_settings(&ps);
    ps.rate = ratio;
    ps.timed = 1;
    ps.frame_rate = vi->frame_rate;
    ps.width = vi->width;
    ps.height = vi->height;
    ps.depth = vi->depth;
    ps.out_width = ow;
    ps.out_height = oh;
    unsigned cpu = aim_cpu_detect() & o.cpu_mask;
    ps.gate.metric = o.gate_metric;
    if (o.hold_set)
        ps.gate.hold_threshold = o.hold_threshold;
    if (o.cut_set)
        ps.gate.cut_threshold = o.cut_threshold;
    ps.gate.cpu_flags = cpu;
    ps.gate.log = log;
    ps.interp.engine = interp;
    ps.interp.fallback = o.interp_fallback;
    ps.interp.cpu_flags = cpu;
    ps.interp.models_dir = o.models_dir;
    ps.interp.device = dev;
    ps.interp.device_fallback = o.device_policy == AIM_VK_AUTO;
    ps.scale.engine = upscaler;
    aim_scaler_apply_preset(&ps.scale, o.preset->name); // restoration + anti-ringing
    if (o.denoise >= 0) { // one knob for both denoisers: classic strength 0.15 per level
        ps.scale.noise = (int)o.denoise;
        ps.scale.restore.denoise = 0.15f * (float)o.denoise;
    }
    ps.scale.color = vi->color;
    ps.scale.cpu_flags = cpu;
    ps.scale.models_dir = o.models_dir;
    ps.scale.device = dev;
    ps.scale.device_fallback = o.device_policy == AIM_VK_AUTO;
    ps.pool = pool;
    ps.log = log;
    ps.read = src_read;
    ps.write = out_write;
    ps.on_record = on_record;
    ps.on_progress = on_progress;
    ps.opaque = &run;
    ps.cancel = &run.cancel;
    run.total_out = aim_pipeline_first_out(ratio, vi->nb_frames);
    run.out_fps = (double)out_rate.num / out_rate.den;
    if (hooks && hooks->configure) { // a job (job.c): record or check, then maybe replay
        if ((code = hooks->configure(hooks->opaque, run.reader, &ws, &ps)) != 0) {
            code = code < 0 ? AIM_EXIT_OK : code;
            goto end;
        }
        code = AIM_EXIT_FAILED;
        if (ps.records)
            run.total_out = aim_pipeline_first_out(ratio, ps.emit_end) -
                            aim_pipeline_first_out(ratio, ps.first_frame);
    }
    if ((ret = aim_writer_open(&run.writer, &ws)) < 0) {
        code = writer_exit(ret);
        goto end;
    }
    // removed if a library ends the process after a failed allocation (cli.h: the OOM guard)
    cleanup = aim_cli_cleanup_add(aim_writer_temp_path(run.writer));

    if (o.report) {
        run.report_info = (AimReportInfo){
            .input = o.in, .output = o.out, .rate = ratio, .gate = &ps.gate,
            .interp = interp, .upscaler = upscaler, .preset = o.preset->name,
            .interp_fallback = aim_interp_fallback_name(o.interp_fallback),
            .encoder = o.encoder, .crf = ws.crf, .clip_set = o.clip_set,
            .clip_start = o.clip_start, .clip_end = o.clip_end, .out_w = ow, .out_h = oh,
            .out_fps = run.out_fps, .video = vi };
        if ((ret = aim_report_open(&run.report, o.report, &run.report_info)) < 0) {
            if (hooks && hooks->cancelled && hooks->cancelled(hooks->cb_opaque)) {
                // a signal came while a FIFO's open blocked
                aim_log(&log, AIM_LOG_ERROR, "interrupted: nothing was written to '%s'", o.out);
                code = AIM_EXIT_INTERRUPTED;
                goto end;
            }
            aim_log(&log, AIM_LOG_ERROR, "cannot write the report '%s': %s", o.report,
                    aim_strerror(ret));
            code = AIM_EXIT_OUTPUT;
            goto end;
        }
    }

    run.t_start = aim_now_s();
    AimPipelineStats st;
    ret = aim_pipeline_run(&ps, &st);
    // an allocation that failed anywhere, even one a library shrugged off, fails the run
    // before the output is published
    if (!ret && aim_cli_out_of_memory())
        ret = AIM_ERR(ENOMEM);
    if (!ret)
        ret = aim_writer_finish(run.writer);
    double el = aim_now_s() - run.t_start;
    if (st.out_frames && hooks && hooks->progress)
        hooks->progress(hooks->cb_opaque, st.out_frames, run.total_out, el, run.out_fps, 1);
    int rep = run.report ? aim_report_finish(run.report, &st, el, ret) : 0;
    if (rep < 0 && ret >= 0) { // the video is whole and published; the report is not there
        aim_log(&log, AIM_LOG_ERROR, "%s while writing %s (%s was written)", aim_strerror(rep),
                o.report, o.out);
        code = aim_cli_output_exit(rep);
        goto end;
    }
    if (ret < 0) {
        int werr = aim_writer_error(run.writer);
        if (ret == AIM_ERR_INTERRUPTED) {
            aim_log(&log, AIM_LOG_ERROR, "interrupted: nothing was written to '%s'", o.out);
            code = aim_exit_code(ret);
        } else if (werr < 0) { // the output failed (disk full, reader of stdout gone...):
            code = writer_exit(werr); // the writer said so in its one line
        } else {
            if (ret != AIM_ERR_MODEL_MISSING) // that one was explained where it was found
                aim_log(&log, AIM_LOG_ERROR, "processing failed: %s", aim_strerror(ret));
            code = aim_exit_code(ret);
        }
        goto end;
    }
    aim_log(&log, AIM_LOG_DEBUG, "busy seconds: source+gate %.2f, interp %.2f, scale %.2f, "
            "encode %.2f", st.stage_seconds[0], st.stage_seconds[1], st.stage_seconds[2],
            st.stage_seconds[3]);
    if (hooks && hooks->finished) // the summary ("wrote OUT: ...") is the caller's
        hooks->finished(hooks->cb_opaque, &st, el);
    code = AIM_EXIT_OK;

end:
    aim_report_close(&run.report);
    aim_writer_close(&run.writer); // removes the temporary file unless finish succeeded
    aim_cli_ticker_stop(&run.watch);
    aim_cli_cleanup_release(cleanup);
    aim_cli_abandon_if_oom(); // before the reader's decoder is closed
    aim_reader_close(&run.reader);
    aim_pool_destroy(&pool);
    aim_vk_device_destroy(&dev); // after the pipeline: its upscaler held the device
    return code;
}
