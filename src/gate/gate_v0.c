// Placeholder gate (simple block-difference rule) so main links before the gate branch lands.
// GATE HELPER: delete this file when you merge main; your src/gate/ implementation replaces it.
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "gate/gate.h"

struct AimGate { AimGateSettings s; AimFrame *prev; int64_t n; AimGateRecord q[4]; int nq; int eof; };
const char *aim_gate_class_name(AimGateClass c) { static const char *n[] = {"start","cut","hold","motion","fade"}; return c <= 4 ? n[c] : "?"; }
void aim_gate_default_settings(AimGateSettings *s) { memset(s, 0, sizeof(*s)); s->hold_threshold = 0.003; s->cut_threshold = 0.35; }
int aim_gate_create(AimGate **out, const AimGateSettings *s) { AimGate *g = calloc(1, sizeof(*g)); g->s = *s; *out = g; return 0; }
void aim_gate_destroy(AimGate **g) { if (!g || !*g) return; aim_frame_unref(&(*g)->prev); for (int i=0;i<(*g)->nq;i++) aim_gate_record_clear(&(*g)->q[i]); free(*g); *g = NULL; }
void aim_gate_record_clear(AimGateRecord *r) { free(r->mask.data); r->mask.data = NULL; }
int aim_gate_send(AimGate *g, const AimFrame *f)
{
    if (g->nq) return AIM_ERR(EAGAIN);
    if (!f) { g->eof = 1; return 0; }
    AimGateRecord *r = &g->q[g->nq++];
    memset(r, 0, sizeof(*r));
    r->frame = g->n++;
    if (!g->prev) { r->cls = AIM_CLASS_START; }
    else {
        const AimFrame *a = g->prev; double sum = 0; double mx = (1 << f->depth) - 1;
        int B = 16, bw = (f->width + B - 1) / B, bh = (f->height + B - 1) / B;
        r->mask = (AimMotionMask){ calloc((size_t)bw * bh, 1), bw, bh, B };
        double bmax = 0;
        for (int by = 0; by < bh; by++) for (int bx = 0; bx < bw; bx++) {
            double bs = 0; int cnt = 0;
            for (int y = by * B; y < (by + 1) * B && y < f->height; y++)
                for (int x = bx * B; x < (bx + 1) * B && x < f->width; x++) {
                    bs += abs(f->data[0][y * f->stride[0] + x] - a->data[0][y * a->stride[0] + x]); cnt++; }
            sum += bs; bs /= cnt * mx; if (bs > bmax) bmax = bs;
            r->mask.data[by * bw + bx] = bs > 4.0 / 255;
        }
        r->mad = sum / ((double)f->width * f->height * mx); r->blockmax = bmax; r->cut_score = r->mad * 4 > 1 ? 1 : r->mad * 4;
        r->cls = r->mad > 0.12 ? AIM_CLASS_CUT : bmax < 8.0 / 255 ? AIM_CLASS_HOLD : AIM_CLASS_MOTION;
        // dilate one block
        uint8_t *d = malloc((size_t)bw * bh); memcpy(d, r->mask.data, (size_t)bw * bh);
        for (int y = 0; y < bh; y++) for (int x = 0; x < bw; x++) if (d[y*bw+x])
            for (int dy=-1;dy<=1;dy++) for (int dx=-1;dx<=1;dx++) { int X=x+dx,Y=y+dy; if (X>=0&&Y>=0&&X<bw&&Y<bh) r->mask.data[Y*bw+X]=1; }
        free(d);
        if (r->cls != AIM_CLASS_MOTION) { free(r->mask.data); r->mask.data = NULL; }
    }
    aim_frame_unref(&g->prev); g->prev = aim_frame_ref((AimFrame *)f);
    return 0;
}
int aim_gate_receive(AimGate *g, AimGateRecord *rec)
{
    if (!g->nq) return g->eof ? AIM_ERR_EOF : AIM_ERR(EAGAIN);
    *rec = g->q[0]; g->nq = 0; return 0;
}
