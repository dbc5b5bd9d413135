// `ainimotion analyze IN`: runs the gate over every source frame and writes its decisions: a
// CSV row / JSON record per frame (the interval i-1 -> i), a summary with the cadence, and a
// timeline picture. The same records and writers serve `enhance --report` (src/gate/report.h).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/clock.h"
#include "core/cpu.h"
#include "core/parse.h"
#include "gate/gate.h"
#include "gate/report.h"
#include "gate/timeline.h"
#include "io/avlog.h"
#include "io/io.h"
#include "report.h"

static void usage(FILE *out)
{
    fprintf(out,
"usage: ainimotion analyze IN [options]\n"
"\n"
"Classifies every interval between consecutive source frames (start, cut, hold, motion, fade)\n"
"and prints a summary: counts, cadence (on 1s/2s/3s) and the cuts.\n"
"\n"
"  --csv FILE           one row per source frame i (the interval i-1 -> i):\n"
"                       frame,class,why,mad,ssim,hist,mc,cut_score,rel,palette,blockmax,sad,\n"
"                       moving,luma,fade_fit,camera,on,time (HH:MM:SS.mmm) ('-' = stdout)\n"
"  --json FILE          the same records and the summary as JSON ('-' = stdout)\n"
"  --timeline FILE.png  a picture: cut score, hold measurements, labelled thresholds and the\n"
"                       class of every frame over a time axis, one row per minute\n"
"  --gate-metric M      score the thresholds apply to: mc (default: cut score = motion-\n"
"                       compensated change, hold score = MAD), mad, ssim (1 - SSIM), hist\n"
"  --hold-threshold X   hold score below which an interval may be a hold (default 0.003:\n"
"                       MAD on 0..1 luma of the downscaled picture; a hold also needs every\n"
"                       ~16x16 block to change by less than 8/255)\n"
"  --cut-threshold Y    0..1 cut score from which an interval may be a cut (default 0.35; the\n"
"                       gate also checks the local history, flashes and fades)\n"
"  --clip START-END     analyse only this segment (HH:MM:SS[.mmm] or seconds)\n"
"  --cpumask LEVEL      highest SIMD level: c, sse2, sse4.1, avx2, avx512 (default all)\n"
"  -q, --quiet          no summary on stdout\n"
"  -v, --verbose        debug lines\n"
"  -h, --help           this text\n"
"\n"
"exit codes: 0 ok, 1 usage, 2 input, 3 output file, 5 failed\n");
}

typedef struct AnalyzeOptions {
    const char *in, *csv, *json, *timeline;
    AimGateSettings gate;
    double clip_start, clip_end;
    int clip_set, quiet, verbose;
    unsigned cpu_mask;
} AnalyzeOptions;

static int parse_options(AnalyzeOptions *o, int argc, char **argv)
{
    aim_gate_default_settings(&o->gate);
    o->cpu_mask = ~0u;
    int operands = 0; // after "--" every argument is a file name
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!operands && !strcmp(a, "--")) {
            operands = 1;
            continue;
        }
        char letters[16];
        const char *unused;
        int nl = operands ? 0 : aim_cli_short_cluster(a, "hqv", "", letters, sizeof(letters),
                                                      &unused);
        if (nl < 0) {
            fprintf(stderr, "ainimotion analyze: unknown option in '%s' (try --help)\n", a);
            return -1;
        }
        int help = 0;
        for (int k = 0; k < nl; k++) {
            help |= letters[k] == 'h';
            o->quiet |= letters[k] == 'q';
            o->verbose |= letters[k] == 'v';
        }
        if (!operands && (help || !strcmp(a, "-h") || !strcmp(a, "--help"))) {
            usage(stdout);
            return 1;
        }
        if (nl > 0)
            continue;
        if (!operands && (!strcmp(a, "-q") || !strcmp(a, "--quiet"))) {
            o->quiet = 1;
            continue;
        }
        if (!operands && (!strcmp(a, "-v") || !strcmp(a, "--verbose"))) {
            o->verbose = 1;
            continue;
        }
        if (!operands && a[0] == '-' && a[1]) {
            static const char *const with_value[] = {
                "--csv", "--json", "--timeline", "--gate-metric", "--hold-threshold",
                "--cut-threshold", "--clip", "--cpumask",
            };
            int known = 0;
            for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
                known |= !strcmp(a, with_value[k]);
            if (!known) {
                fprintf(stderr, "ainimotion analyze: unknown option '%s' (try --help)\n", a);
                return -1;
            }
            if (i + 1 >= argc) {
                fprintf(stderr, "ainimotion analyze: %s needs a value\n", a);
                return -1;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "--csv")) {
                o->csv = v;
            } else if (!strcmp(a, "--json")) {
                o->json = v;
            } else if (!strcmp(a, "--timeline")) {
                o->timeline = v;
            } else if (!strcmp(a, "--gate-metric")) {
                if (aim_gate_metric_parse(v, &o->gate.metric) < 0) {
                    fprintf(stderr, "ainimotion analyze: bad --gate-metric '%s' (mc, mad, ssim, "
                            "hist)\n", v);
                    return -1;
                }
            } else if (!strcmp(a, "--hold-threshold")) {
                if (aim_parse_double(v, 0, 1, &o->gate.hold_threshold) < 0 ||
                    aim_gate_settings_check(&o->gate) < 0) {
                    fprintf(stderr, "ainimotion analyze: bad --hold-threshold '%s': a number "
                            "from 0 up to (not including) 1\n", v);
                    return -1;
                }
            } else if (!strcmp(a, "--cut-threshold")) {
                if (aim_parse_double(v, 0, 1, &o->gate.cut_threshold) < 0 ||
                    aim_gate_settings_check(&o->gate) < 0) {
                    fprintf(stderr, "ainimotion analyze: bad --cut-threshold '%s': a number "
                            "above 0, up to 1\n", v);
                    return -1;
                }
            } else if (!strcmp(a, "--clip")) {
                if (aim_parse_time_range(v, &o->clip_start, &o->clip_end) < 0) {
                    fprintf(stderr, "ainimotion analyze: bad --clip '%s' (START-END)\n", v);
                    return -1;
                }
                o->clip_set = 1;
            } else if (!strcmp(a, "--cpumask")) {
                if (aim_cpu_parse_mask(v, &o->cpu_mask) < 0) {
                    fprintf(stderr, "ainimotion analyze: bad --cpumask '%s' (c, sse2, sse4.1, "
                            "avx2, avx512)\n", v);
                    return -1;
                }
            }
            continue;
        }
        if (o->in) {
            fprintf(stderr, "ainimotion analyze: more than one input ('%s', '%s')\n", o->in, a);
            return -1;
        }
        o->in = a;
    }
    if (!o->in) {
        fprintf(stderr, "ainimotion analyze: no input (try --help)\n");
        return -1;
    }
    o->gate.cpu_flags = o->cpu_mask;
    return 0;
}

// Opens a side file (a temporary one beside it: aim_cli_file_open); one line when it cannot.
static int open_out(AimCliFile *cf, const char *path)
{
    int ret = aim_cli_file_open(cf, path);
    if (ret < 0)
        aim_cli_say("ainimotion analyze: cannot write '%s': %s", path, aim_strerror(ret));
    return ret;
}

// Publishes a side file written whole; on failure one line naming the cause ("No space left on
// device while writing gate.csv") and nothing left under its name.
static int close_out(AimCliFile *cf, const char *path)
{
    int ret = aim_cli_file_commit(cf);
    if (ret < 0)
        aim_cli_say("ainimotion analyze: %s while writing %s", aim_strerror(ret), path);
    return ret;
}

// The gate runs on this thread: its CPU time is its cost, even on a busy machine.
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

typedef struct Records {
    AimGateRecord *r;
    int64_t n, cap;
} Records;

static int keep(Records *rs, AimGateRecord *rec)
{
    aim_gate_record_clear(rec); // the mask is summarised by rec->moving
    if (rs->n == rs->cap) {
        int64_t cap = rs->cap ? 2 * rs->cap : 1024;
        AimGateRecord *nr = realloc(rs->r, sizeof(*nr) * (size_t)cap);
        if (!nr)
            return AIM_ERR(ENOMEM);
        rs->r = nr;
        rs->cap = cap;
    }
    rs->r[rs->n++] = *rec;
    return 0;
}

static int drain(AimGate *g, Records *rs)
{
    for (;;) {
        AimGateRecord rec;
        int ret = aim_gate_receive(g, &rec);
        if (ret < 0)
            return ret;
        if ((ret = keep(rs, &rec)) < 0)
            return ret;
    }
}

int aim_cmd_analyze(int argc, char **argv)
{
    AnalyzeOptions o = { 0 };
    int ret = parse_options(&o, argc, argv);
    if (ret)
        return ret > 0 ? AIM_EXIT_OK : AIM_EXIT_USAGE;
    // every file written, against the input and each other, before any work
    const AimCliOutput outs[] = { { "--csv", o.csv }, { "--json", o.json },
                                  { "--timeline", o.timeline } };
    if ((ret = aim_cli_check_outputs(o.in, outs, sizeof(outs) / sizeof(outs[0]))) != 0)
        return ret;
    AimLog log = { aim_cli_log, NULL, o.verbose ? AIM_LOG_DEBUG : AIM_LOG_WARNING };
    o.gate.log = log;
    // libav's and the libraries' own lines only with -v (as enhance)
    aim_io_set_av_log(&log, o.verbose ? AIM_LOG_DEBUG : AIM_LOG_ERROR);
    aim_cli_mute_libraries(!o.verbose);

    int code = AIM_EXIT_FAILED;
    AimReader *reader = NULL;
    AimGate *gate = NULL;
    Records rs = { 0 };
    uint8_t *on = NULL;
    AimGateSummary sum = { 0 };
    unsigned opened = 0; // the outputs (bits in outs[] order) this run published
    AimCliFile cf = { 0 }; // the side file being written
    AimReaderSettings rset;
    aim_reader_default_settings(&rset);
    rset.path = o.in;
    rset.log = log;
    // a variable-rate input's pictures at their own times, one record each, as enhance reads
    // them (the records and their times are the ones enhance --report writes)
    rset.timed = 1;
    if (o.clip_set) {
        rset.clip_start = o.clip_start;
        rset.clip_end = o.clip_end;
    }
    if ((ret = aim_reader_open(&reader, &rset)) < 0) {
        // (the reader said why in its one line)
        code = ret == AIM_ERR(ERANGE) ? AIM_EXIT_USAGE : ret == AIM_ERR(ENOMEM) ? AIM_EXIT_FAILED
             : ret == AIM_ERR_UNSUPPORTED ? AIM_EXIT_UNSUPPORTED : AIM_EXIT_INPUT;
        goto end;
    }
    if ((ret = aim_gate_create(&gate, &o.gate)) < 0) {
        code = ret == AIM_ERR(EINVAL) ? AIM_EXIT_USAGE : AIM_EXIT_FAILED;
        goto end;
    }
    double t0 = aim_now_s(), t_gate = 0;
    for (;;) {
        AimFrame *f = NULL;
        ret = aim_reader_read(reader, &f);
        if (ret == AIM_ERR_EOF)
            break;
        if (ret < 0) {
            aim_cli_say("ainimotion analyze: decoding '%s' failed: %s", o.in,
                        aim_strerror(ret));
            code = AIM_EXIT_INPUT;
            goto end;
        }
        double tg = cpu_s();
        while ((ret = aim_gate_send(gate, f)) == AIM_ERR(EAGAIN))
            if ((ret = drain(gate, &rs)) != AIM_ERR(EAGAIN))
                break;
        aim_frame_unref(&f);
        if (ret < 0 || ((ret = drain(gate, &rs)) != AIM_ERR(EAGAIN))) {
            aim_cli_say("ainimotion analyze: gate failed: %s", aim_strerror(ret));
            code = ret == AIM_ERR(EINVAL) ? AIM_EXIT_INPUT : AIM_EXIT_FAILED;
            goto end;
        }
        t_gate += cpu_s() - tg;
    }
    double tg = cpu_s();
    if ((ret = aim_gate_send(gate, NULL)) < 0 || (ret = drain(gate, &rs)) != AIM_ERR_EOF) {
        aim_cli_say("ainimotion analyze: gate failed: %s", aim_strerror(ret));
        goto end;
    }
    t_gate += cpu_s() - tg;
    double seconds = aim_now_s() - t0;
    if (rs.n == 0) {
        aim_cli_say("ainimotion analyze: '%s' has no video frames", o.in);
        code = AIM_EXIT_INPUT;
        goto end;
    }

    AimGateClass *cls = malloc(sizeof(*cls) * (size_t)rs.n);
    on = malloc((size_t)rs.n);
    if (!cls || !on) {
        free(cls);
        goto end;
    }
    for (int64_t i = 0; i < rs.n; i++)
        cls[i] = rs.r[i].cls;
    ret = aim_gate_summarize(&sum, cls, rs.n, on);
    free(cls);
    if (ret < 0)
        goto end;

    code = AIM_EXIT_OK;
    if (aim_cli_out_of_memory()) // the records may be incomplete: write none
        goto end;
    const AimVideoInfo *vi = aim_reader_info(reader);
    double fps = (double)vi->frame_rate.num / vi->frame_rate.den; // nominal (timeline rows)
    if (o.csv) {
        if (open_out(&cf, o.csv) < 0) {
            code = AIM_EXIT_OUTPUT;
            goto end;
        }
        aim_gate_csv_header(cf.f);
        for (int64_t i = 0; i < rs.n; i++)
            aim_gate_csv_row(cf.f, &rs.r[i], on[i]);
        if (close_out(&cf, o.csv) < 0)
            code = AIM_EXIT_OUTPUT;
        else
            opened |= 1;
    }
    if (o.json) {
        if (open_out(&cf, o.json) < 0) {
            code = AIM_EXIT_OUTPUT;
            goto end;
        }
        FILE *f = cf.f;
        // the schema of enhance --report (report.c): settings, gate, frames, summary
        fprintf(f, "{\n  \"ainimotion\": \"%s\",\n  \"settings\": {\"input\": ",
                AIM_VERSION_STRING);
        aim_json_string(f, o.in);
        fprintf(f, ", \"clip\": ");
        if (o.clip_set)
            fprintf(f, "{\"start\": %.3f, \"end\": %.3f}", o.clip_start, o.clip_end);
        else
            fputs("null", f);
        fprintf(f, ", \"input_size\": [%d, %d], \"input_fps\": %.6f},\n", vi->width, vi->height,
                fps);
        fprintf(f, "  \"gate\": {\"metric\": \"%s\", \"hold_threshold\": %g, "
                   "\"cut_threshold\": %g, \"block_threshold\": %g},\n  \"frames\": [",
                aim_gate_metric_name(o.gate.metric), o.gate.hold_threshold,
                o.gate.cut_threshold, o.gate.block_threshold);
        for (int64_t i = 0; i < rs.n; i++) {
            fputs(i ? ",\n    " : "\n    ", f);
            aim_gate_json_record(f, &rs.r[i], on[i]);
        }
        fputs("\n  ],\n  \"summary\": ", f);
        aim_gate_summary_json(f, &sum, rs.r);
        fputs("\n}\n", f);
        if (close_out(&cf, o.json) < 0)
            code = AIM_EXIT_OUTPUT;
        else
            opened |= 2;
    }
    if (o.timeline) {
        AimTimeline t;
        ret = aim_timeline_render(&t, rs.r, rs.n, &o.gate, fps);
        if (ret < 0) {
            aim_cli_say("ainimotion analyze: cannot draw '%s': %s", o.timeline,
                        aim_strerror(ret));
            code = aim_cli_output_exit(ret);
        } else if (open_out(&cf, o.timeline) < 0) {
            code = AIM_EXIT_OUTPUT;
        } else if ((ret = aim_timeline_write_png(&t, cf.f)) < 0) {
            aim_cli_file_abort(&cf);
            if (ret == AIM_ERR_UNSUPPORTED)
                aim_cli_say("ainimotion analyze: cannot write '%s': built without libpng",
                            o.timeline);
            else
                aim_cli_say("ainimotion analyze: %s while writing %s", aim_strerror(ret),
                            o.timeline);
            code = ret == AIM_ERR_UNSUPPORTED ? AIM_EXIT_UNSUPPORTED : AIM_EXIT_OUTPUT;
        } else if (close_out(&cf, o.timeline) < 0) {
            code = AIM_EXIT_OUTPUT;
        } else {
            opened |= 4;
        }
        aim_timeline_free(&t);
    }
    if (!o.quiet) {
        FILE *out = (o.csv && !strcmp(o.csv, "-")) || (o.json && !strcmp(o.json, "-"))
                  ? aim_cli_stderr() : stdout;
        fprintf(out, "%s: ", o.in);
        aim_gate_summary_text(out, &sum, rs.r);
        fprintf(out, "speed: %.1f frames/s (decode + gate, wall clock); gate alone %.1f frames/s "
                "(%.2f ms CPU per frame)\n", rs.n / (seconds > 0 ? seconds : 1e-9),
                rs.n / (t_gate > 0 ? t_gate : 1e-9), 1e3 * t_gate / rs.n);
    }
end:
    aim_cli_file_abort(&cf);
    // an allocation that failed while the files were written: they may be incomplete
    for (int i = 0; i < 3 && aim_cli_out_of_memory(); i++)
        if ((opened >> i & 1) && strcmp(outs[i].path, "-"))
            unlink(outs[i].path);
    aim_cli_abandon_if_oom(); // before the reader's decoder is closed
    aim_gate_summary_free(&sum);
    free(on);
    free(rs.r);
    aim_gate_destroy(&gate);
    aim_reader_close(&reader);
    aim_cli_mute_libraries(0); // every library thread has ended
    return code;
}
