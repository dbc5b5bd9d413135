// Gate records as CSV / JSON and the cadence summary (report.h).
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "gate/report.h"

static const char *const why_names[] = {
    "isolated", "palette", "busy", "insert", "flash", "blend", "global", "dissolve",
};

const char *aim_gate_why_string(unsigned why, char *buf, size_t size)
{
    size_t n = 0;
    if (size)
        buf[0] = 0;
    for (unsigned b = 0; b < sizeof(why_names) / sizeof(why_names[0]); b++) {
        if (!(why & (1u << b)))
            continue;
        int w = snprintf(buf + n, size > n ? size - n : 0, "%s%s", n ? "+" : "", why_names[b]);
        if (w < 0 || (size_t)w >= (size > n ? size - n : 0)) {
            if (size > n)
                buf[n] = 0; // no partial names
            break;
        }
        n += (size_t)w;
    }
    return buf;
}

void aim_gate_csv_header(FILE *f)
{
    fputs("frame,class,why,mad,ssim,hist,mc,cut_score,rel,palette,blockmax,sad,moving,luma,"
          "fade_fit,camera,on,time\n", f);
}

void aim_gate_csv_row(FILE *f, const AimGateRecord *r, int on)
{
    char why[96], mc[32] = "", tc[32];
    if (r->mc >= 0 && r->cls != AIM_CLASS_START)
        snprintf(mc, sizeof(mc), "%.5f", r->mc);
    fprintf(f, "%lld,%s,%s,%.6f,%.5f,%.5f,%s,%.5f,%.3f,%.5f,%.6f,%.6f,%.4f,%.5f,%.4f,%.3f,%d,%s\n",
            (long long)r->frame, aim_gate_class_name(r->cls),
            aim_gate_why_string(r->why, why, sizeof(why)), r->mad, r->ssim, r->hist, mc,
            r->cut_score, r->rel, r->palette, r->blockmax, r->sad, r->moving, r->luma,
            r->fade_fit, r->camera, on,
            aim_format_time(aim_gate_record_seconds(r), tc, sizeof(tc)));
}

void aim_gate_json_record(FILE *f, const AimGateRecord *r, int on)
{
    char why[96];
    fprintf(f, "{\"frame\": %lld, \"time\": %.3f, \"class\": \"%s\", \"why\": \"%s\", "
               "\"mad\": %.6f, \"ssim\": %.5f, \"hist\": %.5f, ",
            (long long)r->frame, aim_gate_record_seconds(r), aim_gate_class_name(r->cls),
            aim_gate_why_string(r->why, why, sizeof(why)), r->mad, r->ssim, r->hist);
    if (r->mc >= 0 && r->cls != AIM_CLASS_START)
        fprintf(f, "\"mc\": %.5f, ", r->mc);
    else
        fputs("\"mc\": null, ", f);
    fprintf(f, "\"cut_score\": %.5f, \"rel\": %.3f, \"palette\": %.5f, \"blockmax\": %.6f, "
               "\"sad\": %.6f, \"moving\": %.4f, \"luma\": %.5f, \"fade_fit\": %.4f, "
               "\"camera\": %.3f, \"on\": %d}",
            r->cut_score, r->rel, r->palette, r->blockmax, r->sad, r->moving, r->luma,
            r->fade_fit, r->camera, on);
}

// A drawing starts at frame 0, at a cut, and where the picture changed (motion, fade).
static int starts_drawing(AimGateClass c)
{
    return c == AIM_CLASS_START || c == AIM_CLASS_CUT || c == AIM_CLASS_MOTION ||
           c == AIM_CLASS_FADE;
}

static int add_cut(AimGateSummary *s, int64_t frame)
{
    if (!(s->ncuts & (s->ncuts + 1))) { // at 0, 1, 3, 7...: grow to the next power of two
        int64_t *c = realloc(s->cuts, sizeof(*c) * (size_t)(2 * s->ncuts + 1));
        if (!c) {
            aim_gate_summary_free(s);
            return AIM_ERR(ENOMEM);
        }
        s->cuts = c;
    }
    s->cuts[s->ncuts++] = frame;
    return 0;
}

int aim_gate_summarize(AimGateSummary *s, const AimGateClass *cls, int64_t n, uint8_t *on)
{
    memset(s, 0, sizeof(*s));
    s->frames = n;
    int cap = 0;
    // Current run: drawings of equal length in one shot.
    int64_t run_first = -1, run_last = -1;
    int run_on = 0, run_drawings = 0;
    for (int64_t i = 0; i < n;) {
        int64_t j = i + 1;
        while (j < n && !starts_drawing(cls[j]))
            j++;
        // Frames i .. j-1 show one drawing.
        int64_t len = j - i;
        for (int64_t k = i; k < j; k++) {
            if ((unsigned)cls[k] < 5)
                s->count[cls[k]]++;
            if (cls[k] == AIM_CLASS_CUT && add_cut(s, k) < 0)
                return AIM_ERR(ENOMEM);
            if (on)
                on[k] = (uint8_t)(len > 255 ? 255 : len);
        }
        s->on_frames[len >= 4 ? 4 : len] += len;
        int shot_start = cls[i] == AIM_CLASS_CUT || cls[i] == AIM_CLASS_START;
        int same = len <= 3 && len == run_on && !shot_start;
        if (!same) {
            if (run_drawings >= AIM_GATE_RUN_MIN) {
                if (s->nruns == cap) {
                    int nc = cap ? 2 * cap : 16;
                    AimGateRun *nr = realloc(s->runs, sizeof(*nr) * nc);
                    if (!nr) {
                        aim_gate_summary_free(s);
                        return AIM_ERR(ENOMEM);
                    }
                    s->runs = nr;
                    cap = nc;
                }
                s->runs[s->nruns++] = (AimGateRun){ run_first, run_last, run_on };
            }
            run_first = i;
            run_on = len <= 3 ? (int)len : 0;
            run_drawings = 0;
        }
        if (run_on) {
            run_drawings++;
            run_last = j - 1;
        }
        i = j;
    }
    if (run_drawings >= AIM_GATE_RUN_MIN) {
        AimGateRun *nr = realloc(s->runs, sizeof(*nr) * (s->nruns + 1));
        if (!nr) {
            aim_gate_summary_free(s);
            return AIM_ERR(ENOMEM);
        }
        s->runs = nr;
        s->runs[s->nruns++] = (AimGateRun){ run_first, run_last, run_on };
    }
    for (int c = 1; c <= 3; c++)
        if (s->on_frames[c] > 0 && (!s->dominant || s->on_frames[c] > s->on_frames[s->dominant]))
            s->dominant = c;
    return 0;
}

void aim_gate_summary_free(AimGateSummary *s)
{
    if (!s)
        return;
    free(s->runs);
    s->runs = NULL;
    s->nruns = 0;
    free(s->cuts);
    s->cuts = NULL;
    s->ncuts = 0;
}

void aim_gate_summary_json(FILE *f, const AimGateSummary *s, const AimGateRecord *recs)
{
    fprintf(f, "{\"frames\": %lld", (long long)s->frames);
    for (int c = 0; c < 5; c++)
        fprintf(f, ", \"%s\": %lld", aim_gate_class_name((AimGateClass)c), (long long)s->count[c]);
    fprintf(f, ", \"cadence\": {\"on1_frames\": %lld, \"on2_frames\": %lld, \"on3_frames\": %lld, "
               "\"held_frames\": %lld, \"dominant\": %d, \"runs\": [",
            (long long)s->on_frames[1], (long long)s->on_frames[2], (long long)s->on_frames[3],
            (long long)s->on_frames[4], s->dominant);
    for (int i = 0; i < s->nruns; i++)
        fprintf(f, "%s{\"first\": %lld, \"last\": %lld, \"on\": %d}", i ? ", " : "",
                (long long)s->runs[i].first, (long long)s->runs[i].last, s->runs[i].on);
    fputs("]}, \"cuts\": [", f);
    for (int64_t i = 0; i < s->ncuts; i++) {
        char tc[32];
        double t = aim_gate_record_seconds(&recs[s->cuts[i]]);
        fprintf(f, "%s{\"frame\": %lld, \"time\": %.3f, \"timecode\": \"%s\"}", i ? ", " : "",
                (long long)s->cuts[i], t, aim_format_time(t, tc, sizeof(tc)));
    }
    fputs("]}", f);
}

void aim_gate_summary_text(FILE *f, const AimGateSummary *s, const AimGateRecord *recs)
{
    fprintf(f, "frames %lld: %lld cut, %lld hold, %lld motion, %lld fade\n",
            (long long)s->frames, (long long)s->count[AIM_CLASS_CUT],
            (long long)s->count[AIM_CLASS_HOLD], (long long)s->count[AIM_CLASS_MOTION],
            (long long)s->count[AIM_CLASS_FADE]);
    double n = s->frames > 0 ? (double)s->frames : 1;
    fprintf(f, "cadence: on 1s %.0f%%, on 2s %.0f%%, on 3s %.0f%%, held longer %.0f%% of frames",
            100 * s->on_frames[1] / n, 100 * s->on_frames[2] / n, 100 * s->on_frames[3] / n,
            100 * s->on_frames[4] / n);
    if (s->dominant)
        fprintf(f, "; mostly on %ds", s->dominant);
    fputc('\n', f);
    for (int i = 0; i < s->nruns; i++)
        fprintf(f, "  frames %lld-%lld on %ds\n", (long long)s->runs[i].first,
                (long long)s->runs[i].last, s->runs[i].on);
    fputs("cuts:", f);
    for (int64_t i = 0; i < s->ncuts; i++) {
        char tc[32];
        fprintf(f, " %lld (%s)", (long long)s->cuts[i],
                aim_format_time(aim_gate_record_seconds(&recs[s->cuts[i]]), tc, sizeof(tc)));
    }
    fputc('\n', f);
}
