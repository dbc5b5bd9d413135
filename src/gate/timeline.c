// Timeline picture of the gate's decisions (timeline.h).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef AIM_HAVE_PNG
#include <png.h>
#endif

#include "gate/timeline.h"

#define MAX_COLS 4000
#define MARGIN 8
#define PANEL 140
#define GAP 8
// Log panel range: 1e-4 (well under compression noise) .. 1 (all of the luma range).
#define LOG_MIN -4.0

void aim_timeline_class_color(AimGateClass c, uint8_t rgb[3])
{
    static const uint8_t col[5][3] = {
        { 0, 0, 0 },       // start
        { 220, 30, 30 },   // cut: red
        { 190, 190, 190 }, // hold: grey
        { 40, 110, 220 },  // motion: blue
        { 240, 160, 20 },  // fade: orange
    };
    memcpy(rgb, col[(unsigned)c < 5 ? c : 0], 3);
}

static void put(AimTimeline *t, int x, int y, const uint8_t c[3])
{
    if (x < 0 || y < 0 || x >= t->w || y >= t->h)
        return;
    memcpy(t->rgb + ((size_t)y * t->w + x) * 3, c, 3);
}

static void vline(AimTimeline *t, int x, int y0, int y1, const uint8_t c[3])
{
    if (y0 > y1) {
        int s = y0;
        y0 = y1;
        y1 = s;
    }
    for (int y = y0; y <= y1; y++)
        put(t, x, y, c);
}

static void hline_dashed(AimTimeline *t, int y, int x0, int x1, const uint8_t c[3])
{
    for (int x = x0; x <= x1; x++)
        if ((x / 6) % 2 == 0)
            put(t, x, y, c);
}

// y of a value v in 0..1 (linear) inside a panel starting at top.
static int y_lin(int top, double v)
{
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    return top + PANEL - 1 - (int)lround(v * (PANEL - 1));
}

static int y_log(int top, double v)
{
    double l = v > 0 ? log10(v) : LOG_MIN;
    if (l < LOG_MIN)
        l = LOG_MIN;
    if (l > 0)
        l = 0;
    return top + PANEL - 1 - (int)lround((l - LOG_MIN) / -LOG_MIN * (PANEL - 1));
}

static int priority(AimGateClass c)
{
    switch (c) {
    case AIM_CLASS_CUT: return 4;
    case AIM_CLASS_FADE: return 3;
    case AIM_CLASS_MOTION: return 2;
    case AIM_CLASS_HOLD: return 1;
    default: return 0;
    }
}

int aim_timeline_render(AimTimeline *t, const AimGateRecord *recs, int64_t n,
                        const AimGateSettings *s)
{
    memset(t, 0, sizeof(*t));
    if (!recs || n < 1 || !s)
        return AIM_ERR(EINVAL);
    int64_t bin = (n + MAX_COLS - 1) / MAX_COLS;
    int cols = (int)((n + bin - 1) / bin);
    t->w = cols + 2 * MARGIN;
    t->h = MARGIN + PANEL + GAP + PANEL + GAP + AIM_TIMELINE_STRIP + MARGIN;
    t->rgb = malloc((size_t)t->w * t->h * 3);
    if (!t->rgb)
        return AIM_ERR(ENOMEM);
    memset(t->rgb, 255, (size_t)t->w * t->h * 3);
    const uint8_t frame_c[3] = { 120, 120, 120 }, score_c[3] = { 20, 40, 120 },
                  cutthr_c[3] = { 220, 30, 30 }, mad_c[3] = { 20, 140, 60 },
                  bmax_c[3] = { 150, 60, 170 }, tick_c[3] = { 60, 60, 60 },
                  cutmark_c[3] = { 255, 200, 200 };
    int top_a = MARGIN, top_b = MARGIN + PANEL + GAP, top_s = top_b + PANEL + GAP;
    int x0 = MARGIN, x1 = MARGIN + cols - 1;
    // Panel frames.
    for (int x = x0 - 1; x <= x1 + 1; x++) {
        put(t, x, top_a - 1, frame_c);
        put(t, x, top_a + PANEL, frame_c);
        put(t, x, top_b - 1, frame_c);
        put(t, x, top_b + PANEL, frame_c);
    }
    vline(t, x0 - 1, top_a, top_a + PANEL - 1, frame_c);
    vline(t, x1 + 1, top_a, top_a + PANEL - 1, frame_c);
    vline(t, x0 - 1, top_b, top_b + PANEL - 1, frame_c);
    vline(t, x1 + 1, top_b, top_b + PANEL - 1, frame_c);
    // Decades of the log panel.
    for (int d = 1; d < (int)-LOG_MIN; d++)
        for (int x = x0; x <= x1; x += 3)
            put(t, x, y_log(top_b, pow(10, -d)), (const uint8_t[3]){ 225, 225, 225 });
    int py_a = -1, py_m = -1, py_b = -1;
    for (int c = 0; c < cols; c++) {
        int64_t i0 = (int64_t)c * bin, i1 = i0 + bin < n ? i0 + bin : n;
        double score = 0, mad = 0, bmax = 0;
        AimGateClass cls = AIM_CLASS_START;
        for (int64_t i = i0; i < i1; i++) {
            const AimGateRecord *r = &recs[i];
            score = fmax(score, r->cut_score);
            mad = fmax(mad, r->mad);
            bmax = fmax(bmax, r->blockmax);
            if (i == i0 || priority(r->cls) > priority(cls))
                cls = r->cls;
        }
        int x = x0 + c;
        if (cls == AIM_CLASS_CUT) {
            vline(t, x, top_a, top_a + PANEL - 1, cutmark_c);
            vline(t, x, top_b, top_b + PANEL - 1, cutmark_c);
        }
        int ya = y_lin(top_a, score), ym = y_log(top_b, mad), yb = y_log(top_b, bmax);
        vline(t, x, py_a < 0 ? ya : py_a, ya, score_c);
        vline(t, x, py_b < 0 ? yb : py_b, yb, bmax_c);
        vline(t, x, py_m < 0 ? ym : py_m, ym, mad_c);
        py_a = ya;
        py_m = ym;
        py_b = yb;
        uint8_t cc[3];
        aim_timeline_class_color(cls, cc);
        vline(t, x, top_s, top_s + AIM_TIMELINE_STRIP - 1, cc);
        // Ticks every 100 frames, longer every 1000.
        for (int64_t i = i0; i < i1; i++)
            if (i % 100 == 0)
                vline(t, x, top_s - (i % 1000 == 0 ? 6 : 3), top_s - 1, tick_c);
    }
    hline_dashed(t, y_lin(top_a, s->cut_threshold), x0, x1, cutthr_c);
    hline_dashed(t, y_log(top_b, s->hold_threshold), x0, x1, mad_c);
    hline_dashed(t, y_log(top_b, s->block_threshold), x0, x1, bmax_c);
    return 0;
}

void aim_timeline_free(AimTimeline *t)
{
    if (!t)
        return;
    free(t->rgb);
    t->rgb = NULL;
}

int aim_timeline_write_png(const AimTimeline *t, FILE *f)
{
#ifdef AIM_HAVE_PNG
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png)
        return AIM_ERR(ENOMEM);
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return AIM_ERR(ENOMEM);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return AIM_ERR(EIO);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)t->w, (png_uint_32)t->h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < t->h; y++)
        png_write_row(png, t->rgb + (size_t)y * t->w * 3);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return fflush(f) == 0 ? 0 : AIM_ERR(EIO);
#else
    (void)t;
    (void)f;
    return AIM_ERR_UNSUPPORTED;
#endif
}
