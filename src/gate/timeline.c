// Timeline picture of the gate's decisions (timeline.h).
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef AIM_HAVE_PNG
#include <png.h>
#endif

#include "core/parse.h"
#include "gate/timeline.h"

// Layout in pixels. Text is the 5x7 font below at TEXT_SCALE (10x14 glyphs on a 12 px pitch).
#define LEFT 64    // left of the plots: the panels' scale labels
#define RIGHT 16
#define TOP 8
#define LEGEND_H 56 // two legend lines
#define PANEL 90
#define GAP 4
#define BAND 16
#define AXIS 30     // ticks and timecodes under the band
#define ROW_GAP 14
#define ROW_H (PANEL + GAP + PANEL + GAP + BAND + AXIS + ROW_GAP)
#define TEXT_SCALE 2
#define CHAR_W (6 * TEXT_SCALE)
// One row per minute (fansubbers and editors think in minutes), at most MAX_ROWS rows (30:
// ~7000 px high); longer inputs get whole minutes per row.
#define ROW_SECONDS 60
#define MAX_ROWS 30
// Log panel range: 1e-4 (well under compression noise) .. 1 (all of the luma range).
#define LOG_MIN -4.0

// The project's own 5x7 pixel font: one byte per row, bit 4 = leftmost column. Lower case,
// digits and the punctuation the labels use; upper case is drawn as lower case.
static const struct Glyph {
    char c;
    uint8_t rows[7];
} glyphs[] = {
    { '0', { 0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E } },
    { '1', { 0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E } },
    { '2', { 0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F } },
    { '3', { 0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E } },
    { '4', { 0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02 } },
    { '5', { 0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E } },
    { '6', { 0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E } },
    { '7', { 0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
    { '8', { 0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E } },
    { '9', { 0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C } },
    { ':', { 0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00 } },
    { '.', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C } },
    { ',', { 0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08 } },
    { '-', { 0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00 } },
    { '(', { 0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02 } },
    { ')', { 0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08 } },
    { '/', { 0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10 } },
    { '=', { 0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00 } },
    { '<', { 0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02 } },
    { '>', { 0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08 } },
    { 'a', { 0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F } },
    { 'b', { 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E } },
    { 'c', { 0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E } },
    { 'd', { 0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F } },
    { 'e', { 0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E } },
    { 'f', { 0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08 } },
    { 'g', { 0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E } },
    { 'h', { 0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11 } },
    { 'i', { 0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E } },
    { 'j', { 0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C } },
    { 'k', { 0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12 } },
    { 'l', { 0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E } },
    { 'm', { 0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11 } },
    { 'n', { 0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11 } },
    { 'o', { 0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E } },
    { 'p', { 0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10 } },
    { 'q', { 0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01 } },
    { 'r', { 0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10 } },
    { 's', { 0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E } },
    { 't', { 0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06 } },
    { 'u', { 0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D } },
    { 'v', { 0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04 } },
    { 'w', { 0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A } },
    { 'x', { 0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11 } },
    { 'y', { 0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E } },
    { 'z', { 0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F } },
};

static const uint8_t *glyph(char c)
{
    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++)
        if (glyphs[i].c == c)
            return glyphs[i].rows;
    return NULL; // space and anything unknown: blank
}

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

static void rect(AimTimeline *t, int x0, int y0, int w, int h, const uint8_t c[3])
{
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++)
            put(t, x, y, c);
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
        if ((x / 6) % 2 == 0) {
            put(t, x, y, c);
            put(t, x, y + 1, c);
        }
}

// Text with its top-left at (x, y) at `scale`; returns the x after it.
static int text(AimTimeline *t, int x, int y, int scale, const uint8_t c[3], const char *s)
{
    for (; *s; s++, x += 6 * scale) {
        const uint8_t *g = glyph(*s);
        for (int r = 0; g && r < 7; r++)
            for (int b = 0; b < 5; b++)
                if (g[r] & (0x10 >> b))
                    rect(t, x + b * scale, y + r * scale, scale, scale, c);
    }
    return x;
}

// A label on a plot: on a white box, so curves behind it do not hide it.
static void label(AimTimeline *t, int x, int y, const uint8_t c[3], const char *s)
{
    const uint8_t white[3] = { 255, 255, 255 };
    rect(t, x - 3, y - 2, (int)strlen(s) * CHAR_W + 4, 7 * TEXT_SCALE + 4, white);
    text(t, x, y, TEXT_SCALE, c, s);
}

// A legend entry: a swatch (a line, or a filled box for bands), then its name.
static int legend(AimTimeline *t, int x, int y, const uint8_t c[3], int box, int dashed,
                  const char *name)
{
    const uint8_t ink[3] = { 30, 30, 30 };
    if (box)
        rect(t, x, y, 24, 14, c);
    else if (dashed)
        hline_dashed(t, y + 6, x, x + 23, c);
    else
        rect(t, x, y + 6, 24, 3, c);
    return text(t, x + 30, y, TEXT_SCALE, ink, name) + 24;
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

// Tick spacing: the smallest step that leaves room for a label (~10 characters) between ticks.
static double tick_step(double seconds_per_px, int label_px)
{
    static const double steps[] = { 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800,
                                    3600 };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (steps[i] / seconds_per_px >= label_px)
            return steps[i];
    return 7200;
}

static void timecode(char *buf, size_t n, double s, int whole)
{
    aim_format_time(s, buf, n);
    if (whole) // HH:MM:SS: drop ".000"
        buf[strlen(buf) - 4] = 0;
}

int aim_timeline_band_point(const AimTimeline *t, int64_t i, int *x, int *y)
{
    if (!t || i < 0 || i >= t->n)
        return AIM_ERR(EINVAL);
    int64_t r = i / t->frames_per_row, k = i % t->frames_per_row;
    // the last column c with floor(c * fpr / plot_w) <= k: it shows frame k (render's loop)
    *x = t->plot_x + (int)(((k + 1) * t->plot_w - 1) / t->frames_per_row);
    *y = t->band_y + (int)r * t->row_h + BAND / 2;
    return 0;
}

// Where time `tk` (seconds) falls among the frames [first, last) of a row, in frames from
// `first`: between the two frames around it in proportion to their own times (records' pts),
// so a variable-rate input's ticks sit where its pictures are; -1 after the row's last frame.
// Times only grow (the reader drops a picture not after the one before).
static double frame_at(const AimGateRecord *recs, int64_t first, int64_t last, double tk)
{
    int64_t lo = first, hi = last; // the first frame at or after tk
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (aim_gate_record_seconds(&recs[mid]) < tk)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == last)
        return -1;
    if (lo == first)
        return 0;
    double ta = aim_gate_record_seconds(&recs[lo - 1]), tb = aim_gate_record_seconds(&recs[lo]);
    return (double)(lo - 1 - first) + (tb > ta ? (tk - ta) / (tb - ta) : 1);
}

int aim_timeline_render(AimTimeline *t, const AimGateRecord *recs, int64_t n,
                        const AimGateSettings *s, double fps)
{
    memset(t, 0, sizeof(*t));
    if (!recs || n < 1 || !s || !(fps > 0))
        return AIM_ERR(EINVAL);
    double total_s = n / fps;
    int64_t fpr = n; // frames per row: the whole input up to a minute
    if (total_s > ROW_SECONDS) {
        int64_t minutes = (int64_t)ceil(total_s / ROW_SECONDS / MAX_ROWS);
        fpr = (int64_t)llround(minutes * ROW_SECONDS * fps);
    }
    int rows = (int)((n + fpr - 1) / fpr);
    t->w = AIM_TIMELINE_WIDTH;
    t->h = TOP + LEGEND_H + rows * ROW_H;
    t->rows = rows;
    t->plot_x = LEFT;
    t->plot_w = t->w - LEFT - RIGHT;
    t->row_h = ROW_H;
    t->band_y = TOP + LEGEND_H + PANEL + GAP + PANEL + GAP;
    t->n = n;
    t->frames_per_row = fpr;
    t->rgb = malloc((size_t)t->w * t->h * 3);
    if (!t->rgb)
        return AIM_ERR(ENOMEM);
    memset(t->rgb, 255, (size_t)t->w * t->h * 3);
    const uint8_t frame_c[3] = { 120, 120, 120 }, score_c[3] = { 20, 40, 120 },
                  cutthr_c[3] = { 220, 30, 30 }, mad_c[3] = { 20, 140, 60 },
                  bmax_c[3] = { 150, 60, 170 }, ink[3] = { 30, 30, 30 },
                  grid_c[3] = { 225, 225, 225 }, cutmark_c[3] = { 255, 200, 200 };
    uint8_t cls_c[5][3];
    for (int c = 0; c < 5; c++)
        aim_timeline_class_color((AimGateClass)c, cls_c[c]);

    // Legend: the curves and thresholds, then the bands.
    int lx = LEFT, ly = TOP;
    lx = legend(t, lx, ly, score_c, 0, 0, "cut score");
    lx = legend(t, lx, ly, mad_c, 0, 0, "mad (hold score)");
    lx = legend(t, lx, ly, bmax_c, 0, 0, "largest block change");
    legend(t, lx, ly, frame_c, 0, 1, "thresholds (dashed)");
    lx = LEFT;
    ly += 24;
    lx = legend(t, lx, ly, cls_c[AIM_CLASS_CUT], 1, 0, "cut");
    lx = legend(t, lx, ly, cls_c[AIM_CLASS_HOLD], 1, 0, "hold");
    lx = legend(t, lx, ly, cls_c[AIM_CLASS_MOTION], 1, 0, "motion");
    lx = legend(t, lx, ly, cls_c[AIM_CLASS_FADE], 1, 0, "fade");
    char info[96];
    snprintf(info, sizeof(info), "%lld frames at %.3f fps", (long long)n, fps);
    text(t, lx + 24, ly, TEXT_SCALE, ink, info);

    int pw = t->plot_w, x0 = LEFT, x1 = LEFT + pw - 1;
    double step = tick_step(fpr / fps / pw, 10 * CHAR_W); // "HH:MM:SS" and a gap
    int whole = step >= 1;
    if (!whole) // "HH:MM:SS.mmm"
        step = tick_step(fpr / fps / pw, 14 * CHAR_W);
    whole = step >= 1;
    for (int r = 0; r < rows; r++) {
        int top_a = TOP + LEGEND_H + r * ROW_H, top_b = top_a + PANEL + GAP;
        int top_s = top_b + PANEL + GAP;
        int64_t first = (int64_t)r * fpr, last = first + fpr < n ? first + fpr : n;
        // Panel frames, scales and names.
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
        for (int d = 1; d < (int)-LOG_MIN; d++)
            for (int x = x0; x <= x1; x += 3)
                put(t, x, y_log(top_b, pow(10, -d)), grid_c);
        text(t, 8, top_a, 1, ink, "1");
        text(t, 8, top_a + PANEL - 7, 1, ink, "0");
        text(t, 8, top_b, 1, ink, "1");
        text(t, 8, top_b + PANEL - 7, 1, ink, "1e-4 log");
        text(t, 8, top_s + 4, 1, ink, "class");
        // Columns: the frames [k0, k1) of this row that fall on each pixel column.
        int py_a = -1, py_m = -1, py_b = -1;
        for (int c = 0; c < pw; c++) {
            int64_t k0 = first + (int64_t)c * fpr / pw, k1 = first + (int64_t)(c + 1) * fpr / pw;
            if (k1 <= k0)
                k1 = k0 + 1;
            if (k0 >= last)
                break;
            if (k1 > last)
                k1 = last;
            double score = 0, mad = 0, bmax = 0;
            AimGateClass cls = recs[k0].cls;
            for (int64_t i = k0; i < k1; i++) {
                score = fmax(score, recs[i].cut_score);
                mad = fmax(mad, recs[i].mad);
                bmax = fmax(bmax, recs[i].blockmax);
                if (priority(recs[i].cls) > priority(cls))
                    cls = recs[i].cls;
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
            vline(t, x, top_s, top_s + BAND - 1, cls_c[(unsigned)cls < 5 ? cls : 0]);
        }
        // Thresholds, labelled at the right end of their line.
        char lab[64];
        int ycut = y_lin(top_a, s->cut_threshold), yhold = y_log(top_b, s->hold_threshold);
        int yblk = y_log(top_b, s->block_threshold);
        hline_dashed(t, ycut, x0, x1, cutthr_c);
        hline_dashed(t, yhold, x0, x1, mad_c);
        hline_dashed(t, yblk, x0, x1, bmax_c);
        snprintf(lab, sizeof(lab), "cut threshold %.3g", s->cut_threshold);
        label(t, x1 - (int)strlen(lab) * CHAR_W - 4, ycut - 17, cutthr_c, lab);
        snprintf(lab, sizeof(lab), "hold threshold %.3g", s->hold_threshold);
        label(t, x1 - (int)strlen(lab) * CHAR_W - 4, yhold + 4, mad_c, lab);
        snprintf(lab, sizeof(lab), "block threshold %.3g", s->block_threshold);
        label(t, x1 - (int)strlen(lab) * CHAR_W - 4, yblk - 17, bmax_c, lab);
        // Time axis: ticks at whole steps with their timecodes (the frames' own times).
        double t0 = aim_gate_record_seconds(&recs[first]);
        double t1 = aim_gate_record_seconds(&recs[last - 1]);
        int label_end = -1; // a label never overlaps the one before it
        for (double tk = ceil(t0 / step - 1e-9) * step; tk <= t1 + 1e-9; tk += step) {
            double pos = frame_at(recs, first, last, tk - 1e-9);
            int x = x0 + (int)lround(pos * pw / fpr);
            if (pos < 0 || x > x1 + 1)
                break;
            vline(t, x, top_s + BAND, top_s + BAND + 5, ink);
            char tc[32];
            timecode(tc, sizeof(tc), tk, whole);
            int w = (int)strlen(tc) * CHAR_W;
            int tx = x - w / 2;
            tx = tx < 0 ? 0 : tx + w > t->w ? t->w - w : tx;
            if (tx <= label_end + CHAR_W)
                continue;
            text(t, tx, top_s + BAND + 8, TEXT_SCALE, ink, tc);
            label_end = tx + w;
        }
    }
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
    errno = 0; // a failed write's cause (ENOSPC, EFBIG) is what the caller reports
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return AIM_ERR(ferror(f) && errno ? errno : EIO);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)t->w, (png_uint_32)t->h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < t->h; y++)
        png_write_row(png, t->rgb + (size_t)y * t->w * 3);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return fflush(f) == 0 ? 0 : AIM_ERR(errno ? errno : EIO);
#else
    (void)t;
    (void)f;
    return AIM_ERR_UNSUPPORTED;
#endif
}
