#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "report.h"

struct AimReport {
    FILE *f;
    int64_t n;
    int64_t masked_blocks; // motion intervals' changed blocks, summed
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
    fprintf(f, ",\n  \"upscaler\": ");
    json_str(f, in->upscaler);
    fprintf(f, ",\n  \"factor\": %d,\n  \"hold_threshold\": %g,\n  \"cut_threshold\": %g,\n"
               "  \"intervals\": [", in->factor, in->hold_threshold, in->cut_threshold);
    *out = r;
    return 0;
}

void aim_report_add(AimReport *r, const AimGateRecord *rec)
{
    int blocks = 0;
    if (rec->mask.data)
        for (int i = 0; i < rec->mask.w * rec->mask.h; i++)
            blocks += rec->mask.data[i] != 0;
    r->masked_blocks += blocks;
    fprintf(r->f,
            "%s\n    {\"frame\": %lld, \"class\": \"%s\", \"mad\": %.6f, \"cut_score\": %.6f, "
            "\"blockmax\": %.6f, \"hist\": %.6f, \"moving_blocks\": %d, \"blocks\": %d}",
            r->n ? "," : "", (long long)rec->frame, aim_gate_class_name(rec->cls), rec->mad,
            rec->cut_score, rec->blockmax, rec->hist, rec->mask.data ? blocks : -1,
            rec->mask.data ? rec->mask.w * rec->mask.h : 0);
    r->n++;
}

void aim_report_finish(AimReport *r, const AimPipelineStats *st, double seconds, int status)
{
    FILE *f = r->f;
    fprintf(f, "\n  ],\n  \"summary\": {\n    \"status\": ");
    json_str(f, status ? aim_strerror(status) : "ok");
    fprintf(f, ",\n    \"source_frames\": %lld,\n    \"output_frames\": %lld,\n",
            (long long)st->src_frames, (long long)st->out_frames);
    static const char *const names[] = { "start", "cut", "hold", "motion", "fade" };
    for (int c = 0; c < 5; c++)
        fprintf(f, "    \"%s\": %lld,\n", names[c], (long long)st->class_count[c]);
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
    free(*pr);
    *pr = NULL;
}
