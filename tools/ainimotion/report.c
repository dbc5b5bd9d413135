// `enhance --report`: the gate's own record and summary writers (src/gate/report.h), streamed
// as decisions arrive, plus the run's totals.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "gate/report.h"
#include "report.h"

struct AimReport {
    FILE *f;
    AimGateClass *cls; // every record's class, for the cadence summary at the end
    int64_t n, cap;
};

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
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

int aim_report_open(AimReport **out, const char *path, const AimReportInfo *in)
{
    AimReport *r = calloc(1, sizeof(*r));
    if (!r)
        return AIM_ERR(ENOMEM);
    if (!(r->f = fopen(path, "w"))) {
        int e = errno;
        free(r);
        return AIM_ERR(e);
    }
    FILE *f = r->f;
    fprintf(f, "{\n  \"ainimotion\": \"%s\",\n  \"input\": ", AIM_VERSION_STRING);
    json_str(f, in->input);
    fprintf(f, ",\n  \"output\": ");
    json_str(f, in->output);
    fprintf(f, ",\n  \"preset\": ");
    json_str(f, in->preset);
    fprintf(f, ",\n  \"interp\": ");
    json_str(f, in->interp);
    fprintf(f, ",\n  \"interp_fallback\": ");
    json_str(f, in->interp_fallback);
    fprintf(f, ",\n  \"upscaler\": ");
    json_str(f, in->upscaler);
    // "factor": the rate ratio (2 for 2x, 2.5 for 23.976 -> 59.94)
    fprintf(f, ",\n  \"factor\": %.10g,\n  \"gate\": {\"metric\": \"%s\", \"hold_threshold\": %g, "
               "\"cut_threshold\": %g},\n  \"intervals\": [",
            (double)in->rate.num / in->rate.den, aim_gate_metric_name(in->metric), in->hold_threshold, in->cut_threshold);
    *out = r;
    return 0;
}

void aim_report_add(AimReport *r, const AimGateRecord *rec)
{
    if (r->n == r->cap) {
        int64_t cap = r->cap ? r->cap * 2 : 1024;
        AimGateClass *c = realloc(r->cls, (size_t)cap * sizeof(*c));
        if (!c)
            return; // the summary then covers fewer frames; the records stay complete
        r->cls = c;
        r->cap = cap;
    }
    r->cls[r->n] = rec->cls;
    fprintf(r->f, "%s\n    ", r->n ? "," : "");
    aim_gate_json_record(r->f, rec, 0); // drawing lengths are only known at the end
    r->n++;
}

void aim_report_finish(AimReport *r, const AimPipelineStats *st, double seconds, int status)
{
    FILE *f = r->f;
    fprintf(f, "\n  ],\n  \"gate_summary\": ");
    AimGateSummary sum = { 0 };
    if (aim_gate_summarize(&sum, r->cls, r->n < r->cap ? r->n : r->cap, NULL) == 0)
        aim_gate_summary_json(f, &sum);
    else
        fprintf(f, "null");
    aim_gate_summary_free(&sum);
    fprintf(f, ",\n  \"summary\": {\n    \"status\": ");
    json_str(f, status ? aim_strerror(status) : "ok");
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
    fclose(r->f);
    r->f = NULL;
}

void aim_report_close(AimReport **pr)
{
    if (!pr || !*pr)
        return;
    if ((*pr)->f)
        fclose((*pr)->f);
    free((*pr)->cls);
    free(*pr);
    *pr = NULL;
}
