// `enhance --report`: the gate's own record and summary writers (src/gate/report.h) over the
// records kept during the run, plus the run's settings and totals.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "gate/report.h"
#include "report.h"

struct AimReportWriter {
    AimCliFile file;    // a temporary file beside the path until finish publishes it
    AimReportInfo info;
    AimGateRecord *rec; // every record (masks dropped), written at finish with its `on`
    int64_t n, cap;
    int lost;           // a record could not be kept
};

void aim_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

int aim_report_open(AimReportWriter **out, const char *path, const AimReportInfo *in)
{
    AimReportWriter *r = calloc(1, sizeof(*r));
    if (!r)
        return AIM_ERR(ENOMEM);
    int ret = aim_cli_file_open(&r->file, path);
    if (ret < 0) {
        free(r);
        return ret;
    }
    r->info = *in;
    *out = r;
    return 0;
}

void aim_report_add(AimReportWriter *r, const AimGateRecord *rec)
{
    if (r->n == r->cap) {
        int64_t cap = r->cap ? r->cap * 2 : 1024;
        AimGateRecord *c = realloc(r->rec, (size_t)cap * sizeof(*c));
        if (!c) {
            r->lost = 1;
            return;
        }
        r->rec = c;
        r->cap = cap;
    }
    AimGateRecord *c = &r->rec[r->n++];
    *c = *rec;
    c->mask = (AimMotionMask){ 0 }; // owned by the pipeline
}

static void settings_json(FILE *f, const AimReportInfo *in)
{
    const AimVideoInfo *vi = in->video;
    fprintf(f, "  \"settings\": {\"input\": ");
    aim_json_string(f, in->input);
    fprintf(f, ", \"output\": ");
    aim_json_string(f, in->output);
    fprintf(f, ", \"clip\": ");
    if (in->clip_set)
        fprintf(f, "{\"start\": %.3f, \"end\": %.3f}", in->clip_start, in->clip_end);
    else
        fputs("null", f);
    fprintf(f, ",\n    \"preset\": ");
    aim_json_string(f, in->preset);
    fprintf(f, ", \"interp\": ");
    aim_json_string(f, in->interp);
    fprintf(f, ", \"interp_fallback\": ");
    aim_json_string(f, in->interp_fallback);
    fprintf(f, ", \"upscaler\": ");
    aim_json_string(f, in->upscaler);
    fprintf(f, ", \"encoder\": ");
    aim_json_string(f, in->encoder ? in->encoder : "default");
    fprintf(f, ", \"crf\": %d,\n    \"input_size\": [%d, %d], \"output_size\": [%d, %d], "
               "\"input_fps\": %.6f, \"output_fps\": %.6f, \"factor\": %.10g},\n",
            in->crf, vi->width, vi->height, in->out_w, in->out_h,
            (double)vi->frame_rate.num / vi->frame_rate.den, in->out_fps,
            (double)in->rate.num / in->rate.den);
    const AimGateSettings *g = in->gate;
    fprintf(f, "  \"gate\": {\"metric\": \"%s\", \"hold_threshold\": %g, \"cut_threshold\": %g, "
               "\"block_threshold\": %g},\n", aim_gate_metric_name(g->metric), g->hold_threshold,
            g->cut_threshold, g->block_threshold);
}

int aim_report_finish(AimReportWriter *r, const AimPipelineStats *st, double seconds, int status)
{
    FILE *f = r->file.f;
    const AimVideoInfo *vi = r->info.video;
    fprintf(f, "{\n  \"ainimotion\": \"%s\",\n", AIM_VERSION_STRING);
    settings_json(f, &r->info);
    AimGateSummary sum = { 0 };
    AimGateClass *cls = malloc(sizeof(*cls) * (size_t)(r->n ? r->n : 1));
    uint8_t *on = malloc((size_t)(r->n ? r->n : 1));
    int ok = cls && on && !r->lost;
    if (ok) {
        for (int64_t i = 0; i < r->n; i++)
            cls[i] = r->rec[i].cls;
        ok = aim_gate_summarize(&sum, cls, r->n, on) == 0;
    }
    fputs("  \"frames\": [", f);
    for (int64_t i = 0; ok && i < r->n; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        aim_gate_json_record(f, &r->rec[i], on[i]);
    }
    fputs("\n  ],\n  \"summary\": ", f);
    if (ok)
        aim_gate_summary_json(f, &sum, r->rec);
    else
        fputs("null", f);
    aim_gate_summary_free(&sum);
    free(cls);
    free(on);
    fprintf(f, ",\n  \"run\": {\n    \"status\": ");
    aim_json_string(f, status ? aim_strerror(status) : "ok");
    fprintf(f, ",\n    \"truncated\": ");
    if (vi->truncated_at > 0) // the input ends early (io.h): where, against its declared length
        fprintf(f, "{\"ended\": %.3f, \"declared\": %.3f}", vi->truncated_at, vi->duration);
    else
        fputs("null", f);
    fprintf(f, ",\n    \"source_frames\": %lld,\n    \"output_frames\": %lld,\n",
            (long long)st->src_frames, (long long)st->out_frames);
    for (int c = 0; c < 5; c++)
        fprintf(f, "    \"%s\": %lld,\n", aim_gate_class_name((AimGateClass)c),
                (long long)st->class_count[c]);
    fprintf(f, "    \"interpolated\": %lld,\n    \"blended\": %lld,\n    \"duplicated\": %lld,\n"
               "    \"seconds\": %.3f,\n    \"fps\": %.3f,\n"
               "    \"busy_seconds\": {\"source_gate\": %.3f, \"interp\": %.3f, \"scale\": %.3f, "
               "\"encode\": %.3f}\n  }\n}\n",
            (long long)st->interpolated, (long long)st->blended, (long long)st->duplicated,
            seconds, seconds > 0 ? st->out_frames / seconds : 0, st->stage_seconds[0],
            st->stage_seconds[1], st->stage_seconds[2], st->stage_seconds[3]);
    if (!ok) { // records were lost: no report rather than a wrong one
        aim_cli_file_abort(&r->file);
        return AIM_ERR(ENOMEM);
    }
    return aim_cli_file_commit(&r->file);
}

void aim_report_close(AimReportWriter **pr)
{
    if (!pr || !*pr)
        return;
    aim_cli_file_abort(&(*pr)->file); // unless finish published it
    free((*pr)->rec);
    free(*pr);
    *pr = NULL;
}
