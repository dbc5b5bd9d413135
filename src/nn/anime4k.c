// Anime4K JSON weights -> ncnn param text + weights in memory -> aim_net_load_ncnn_mem, so
// the same validation and executor apply (see anime4k.h).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/anime4k.h"

#define BAD(...) do { aim_log(log, AIM_LOG_ERROR, __VA_ARGS__); return AIM_ERR_INVALID_DATA; } while (0)
#define MAX_CONVS 64
#define MAX_JSON (16u << 20)  // the largest weights file (cnn-2x-l) is 114 KB
#define MAX_DEPTH 32

// --- a small JSON reader: only what the weights files use (objects, arrays, strings, numbers)

typedef struct Json {
    const char *p, *end;
} Json;

static void ws(Json *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
        j->p++;
}

static int lit(Json *j, char c)
{
    ws(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return 1;
    }
    return 0;
}

// A string without escapes beyond \" and \\ (names are plain ASCII); copied into buf.
static int str(Json *j, char *buf, size_t n)
{
    if (!lit(j, '"'))
        return -1;
    size_t k = 0;
    while (j->p < j->end && *j->p != '"') {
        char c = *j->p++;
        if (c == '\\') {
            if (j->p >= j->end)
                return -1;
            c = *j->p++;
        }
        if (k + 1 < n)
            buf[k++] = c;
    }
    if (j->p >= j->end)
        return -1;
    j->p++;
    buf[k] = 0;
    return 0;
}

static int num(Json *j, float *v)
{
    ws(j);
    char buf[48];
    size_t k = 0;
    while (j->p < j->end && k + 1 < sizeof(buf) && strchr("+-0123456789.eE", *j->p))
        buf[k++] = *j->p++;
    buf[k] = 0;
    char *e;
    *v = strtof(buf, &e);
    return k && !*e ? 0 : -1;
}

static int skip(Json *j, int depth)
{
    if (depth > MAX_DEPTH)
        return -1;
    ws(j);
    if (j->p >= j->end)
        return -1;
    char c = *j->p;
    char tmp[8];
    float f;
    if (c == '"')
        return str(j, tmp, sizeof(tmp));
    if (c == '{' || c == '[') {
        j->p++;
        char close = c == '{' ? '}' : ']';
        if (lit(j, close))
            return 0;
        do {
            if (c == '{' && (str(j, tmp, sizeof(tmp)) || !lit(j, ':')))
                return -1;
            if (skip(j, depth + 1))
                return -1;
        } while (lit(j, ','));
        return lit(j, close) ? 0 : -1;
    }
    if (!strncmp(j->p, "true", j->end - j->p < 4 ? (size_t)(j->end - j->p) : 4) ||
        !strncmp(j->p, "null", j->end - j->p < 4 ? (size_t)(j->end - j->p) : 4)) {
        j->p += j->end - j->p < 4 ? j->end - j->p : 4;
        return 0;
    }
    if (!strncmp(j->p, "false", j->end - j->p < 5 ? (size_t)(j->end - j->p) : 5)) {
        j->p += j->end - j->p < 5 ? j->end - j->p : 5;
        return 0;
    }
    return num(j, &f);
}

static int num_array(Json *j, float **out, int *n)
{
    if (!lit(j, '['))
        return -1;
    int cap = 64, k = 0;
    float *a = malloc(sizeof(float) * cap);
    if (!a)
        return -1;
    if (!lit(j, ']')) {
        do {
            if (k == cap) {
                if (cap >= (1 << 20)) {
                    free(a);
                    return -1;
                }
                cap *= 2;
                float *b = realloc(a, sizeof(float) * cap);
                if (!b) {
                    free(a);
                    return -1;
                }
                a = b;
            }
            if (num(j, &a[k++])) {
                free(a);
                return -1;
            }
        } while (lit(j, ','));
        if (!lit(j, ']')) {
            free(a);
            return -1;
        }
    }
    *out = a;
    *n = k;
    return 0;
}

typedef struct A4kConv {
    char name[64];
    int ninputs;   ///< 1, or several for the final 1x1 convs
    int first;     ///< reads the input image
    float *w, *b;
    int nw, nb;
} A4kConv;

static int parse_layer(Json *j, A4kConv *c)
{
    if (!lit(j, '{'))
        return -1;
    char key[64], type[32] = "";
    if (lit(j, '}'))
        return -1;
    do {
        if (str(j, key, sizeof(key)) || !lit(j, ':'))
            return -1;
        if (!strcmp(key, "type")) {
            if (str(j, type, sizeof(type)))
                return -1;
        } else if (!strcmp(key, "name")) {
            if (str(j, c->name, sizeof(c->name)))
                return -1;
        } else if (!strcmp(key, "inputs")) {
            if (!lit(j, '['))
                return -1;
            char in[64];
            c->ninputs = 0;
            if (!lit(j, ']')) {
                do {
                    if (str(j, in, sizeof(in)))
                        return -1;
                    c->first |= !strcmp(in, "input_image");
                    c->ninputs++;
                } while (lit(j, ','));
                if (!lit(j, ']'))
                    return -1;
            }
        } else if (!strcmp(key, "weights") && !c->w) {
            if (num_array(j, &c->w, &c->nw))
                return -1;
        } else if (!strcmp(key, "bias") && !c->b) {
            if (num_array(j, &c->b, &c->nb))
                return -1;
        } else if (skip(j, 1)) {
            return -1;
        }
    } while (lit(j, ','));
    if (!lit(j, '}'))
        return -1;
    return strcmp(type, "conv") ? 1 : 0; // 1: not a conv (pixel_shuffle): ignored
}

typedef struct Out {
    char *p;
    size_t n, cap;
} Out;

static void put(Out *o, const void *d, size_t n)
{
    if (!o->p && o->cap)
        return; // an earlier allocation failed
    if (o->n + n > o->cap) {
        size_t cap = (o->n + n) * 2 + 4096;
        char *q = realloc(o->p, cap);
        if (!q) {
            free(o->p);
            o->p = NULL;
            o->cap = 1;
            return;
        }
        o->p = q;
        o->cap = cap;
    }
    memcpy(o->p + o->n, d, n);
    o->n += n;
}

__attribute__((format(printf, 2, 3)))
static void putf(Out *o, const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, sizeof(buf), f, ap);
    va_end(ap);
    put(o, buf, n > 0 ? (size_t)n : 0);
}

static void put_weights(Out *bin, const float *w, int n)
{
    uint32_t tag = 0; // fp32
    put(bin, &tag, 4);
    put(bin, w, sizeof(float) * n);
}

// A 3x3 conv's weights in the ncnn layout [out][in][ky][kx] (nout outputs, cin inputs; a CReLU
// input's channel ci >= 4 is the negative part, matrix 9 + tap). websr's are per tap
// i = kx*3 + ky (offsets (-1,-1), (-1,0), ... with x first) a column-major mat4x4:
// w[tap*16 + in*4 + out].
static void pack3x3(float *w, const A4kConv *c, int nout, int cin)
{
    for (int o = 0; o < nout; o++)
        for (int ci = 0; ci < cin; ci++)
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) {
                    int tap = kx * 3 + ky, mat = ci < 4 ? tap : 9 + tap;
                    w[((o * cin + ci) * 3 + ky) * 3 + kx] = c->w[mat * 16 + (ci % 4) * 4 + o];
                }
}

int aim_net_load_anime4k_mem(AimNet **out, const char *json, size_t len, const AimNetSettings *s)
{
    AimNetSettings def;
    if (!s) {
        aim_net_default_settings(&def);
        s = &def;
    }
    const AimLog *log = &s->log;
    if (len > MAX_JSON)
        BAD("anime4k: JSON larger than %u bytes", MAX_JSON);
    Json j = { json, json + len };
    A4kConv convs[MAX_CONVS];
    memset(convs, 0, sizeof(convs));
    int nc = 0, err = 0;
    char key[64];
    if (!lit(&j, '{'))
        BAD("anime4k: not a JSON object");
    int found = 0;
    do {
        if (str(&j, key, sizeof(key)) || !lit(&j, ':')) {
            err = -1;
            break;
        }
        if (strcmp(key, "layers")) {
            err = skip(&j, 1);
            continue;
        }
        found = 1;
        if (!lit(&j, '{')) {
            err = -1;
            break;
        }
        if (lit(&j, '}'))
            continue;
        do {
            if (nc == MAX_CONVS || str(&j, key, sizeof(key)) || !lit(&j, ':')) {
                err = -1;
                break;
            }
            int r = parse_layer(&j, &convs[nc]);
            if (r < 0) {
                err = -1;
                nc++;
                break;
            }
            if (r == 0)
                nc++;
            else {
                free(convs[nc].w);
                free(convs[nc].b);
                memset(&convs[nc], 0, sizeof(convs[nc]));
            }
        } while (lit(&j, ','));
        if (!err && !lit(&j, '}'))
            err = -1;
    } while (!err && lit(&j, ','));
    Out param = { 0 }, bin = { 0 };
    // Validate the structure: conv0 on the image (9 taps of 4x4 matrices), a chain of 3x3
    // CReLU convs (18 matrices), then either exactly 3 final 1x1 convs over all earlier outputs
    // (x2 upscalers: pixel-shuffled and added to a bilinear 2x of the image), or one final conv
    // that also names the image (restore nets: its output is added to the image, same size):
    // a 3x3 over the last chain output (cnn-restore-s) or a 1x1 over all outputs (-m).
    int nchain = 0, nfinal = 0, restore = 0; // restore: 1 = final 3x3, 2 = final 1x1
    if (!err && found) {
        for (int i = 0; i < nc && !err; i++) {
            A4kConv *c = &convs[i];
            if (c->nb != 4 || c->nw % 16)
                err = -2;
            else if (i == 0 ? !(c->first && c->ninputs == 1 && c->nw == 9 * 16) : 0)
                err = -2;
            else if (i == 0)
                continue;
            else if (c->first) {
                if (nfinal || restore || i != nc - 1)
                    err = -2;
                else if (c->ninputs == 2 && c->nw == 18 * 16)
                    restore = 1;
                else if (c->ninputs == nchain + 2 && c->nw == (nchain + 1) * 2 * 16)
                    restore = 2;
                else
                    err = -2;
            } else if (c->ninputs == 1 && !nfinal && c->nw == 18 * 16)
                nchain++;
            else if (c->ninputs == nchain + 1 && c->nw == c->ninputs * 2 * 16)
                nfinal++;
            else
                err = -2;
        }
        if (restore ? nfinal != 0 : nfinal != 3)
            err = -2;
    }
    if (err || !found) {
        for (int i = 0; i < nc; i++) {
            free(convs[i].w);
            free(convs[i].b);
        }
        if (err == -2 || !found)
            BAD("anime4k: not the layout of an Anime4K CNN x2 or restore weights file");
        BAD("anime4k: malformed JSON near byte %zu", (size_t)(j.p - json));
    }
    // Build the ncnn graph. Blob names: c<i> conv outputs, r<i> CReLU of them.
    int nl = 0;
    Out body = { 0 };
    putf(&body, "Input in 0 1 in\nSplit sp 1 2 in in_a in_b\n");
    nl += 2;
    for (int i = 0; i < 1 + nchain; i++) {
        char src[32] = "in_a";
        if (i > 0)
            snprintf(src, sizeof(src), "r%d_0", i - 1);
        putf(&body, "Padding p%d 1 1 %s q%d 0=1 1=1 2=1 3=1 4=1\n", i, src, i);
        putf(&body, "Convolution c%d 1 1 q%d c%d 0=4 1=3 5=1 6=%d\n", i, i, i, i == 0 ? 108 : 288);
        // CReLU: concat(relu(x), relu(-x))
        putf(&body, "Split s%d 1 2 c%d c%da c%db\n", i, i, i, i);
        putf(&body, "ReLU rp%d 1 1 c%da pos%d\n", i, i, i);
        putf(&body, "BinaryOp ng%d 1 1 c%db neg%d 0=2 1=1 2=-1.0\n", i, i, i);
        putf(&body, "ReLU rn%d 1 1 neg%d negr%d\n", i, i, i);
        // r<i>_0 feeds the next 3x3 conv, r<i>_1 the final 1x1 convs (each only when used)
        int next = i < nchain || restore == 1, all = restore != 1;
        if (next && all)
            putf(&body, "Concat cc%d 2 1 pos%d negr%d rr%d\nSplit sr%d 1 2 rr%d r%d_0 r%d_1\n",
                 i, i, i, i, i, i, i, i);
        else
            putf(&body, "Concat cc%d 2 1 pos%d negr%d r%d_%d\n", i, i, i, i, next ? 0 : 1);
        nl += next && all ? 8 : 7;
    }
    if (restore == 1) {
        putf(&body, "Padding pf 1 1 r%d_0 qf 0=1 1=1 2=1 3=1 4=1\n"
                    "Convolution f0 1 1 qf res 0=3 1=3 5=1 6=%d\n", nchain, 3 * 8 * 9);
        nl += 2;
    } else {
        putf(&body, "Concat call %d 1", 1 + nchain);
        for (int i = 0; i < 1 + nchain; i++)
            putf(&body, " r%d_1", i);
        nl++;
        if (restore == 2) {
            putf(&body, " all\nConvolution f0 1 1 all res 0=3 1=1 5=1 6=%d\n",
                 3 * 8 * (1 + nchain));
            nl++;
        } else {
            putf(&body, " all\nSplit sall 1 3 all all0 all1 all2\n");
            nl++;
            for (int k = 0; k < 3; k++)
                putf(&body, "Convolution f%d 1 1 all%d f%d 0=4 1=1 5=1 6=%d\n", k, k, k,
                     4 * 8 * (1 + nchain));
            nl += 3;
        }
    }
    if (restore) {
        putf(&body, "BinaryOp add 2 1 in_b res out 0=0\n");
        nl++;
    } else {
        putf(&body, "Concat cf 3 1 f0 f1 f2 res\nPixelShuffle ps 1 1 res res2 0=2\n"
                    "Interp up 1 1 in_b base 0=2 1=2.0 2=2.0\nBinaryOp add 2 1 base res2 out 0=0\n");
        nl += 4;
    }
    putf(&param, "7767517\n%d %d\n", nl, nl * 4);
    put(&param, body.p, body.n);
    put(&param, "", 1);
    free(body.p);
    float w[4 * 8 * 9 * 8];
    for (int i = 0; i < 1 + nchain; i++) {
        const A4kConv *c = &convs[i];
        int cin = i == 0 ? 3 : 8;
        float bias[4];
        memcpy(bias, c->b, sizeof(bias));
        pack3x3(w, c, 4, cin);
        if (i == 0) // alpha is 1 (rgba8 input): its weights are a constant, folded into the bias
            for (int o = 0; o < 4; o++)
                for (int tap = 0; tap < 9; tap++)
                    bias[o] += c->w[tap * 16 + 3 * 4 + o];
        put_weights(&bin, w, 4 * cin * 9);
        put(&bin, bias, sizeof(bias));
    }
    if (restore == 1) { // 3x3 over the last CReLU, RGB outputs only (the 4th is alpha)
        const A4kConv *c = &convs[1 + nchain];
        pack3x3(w, c, 3, 8);
        put_weights(&bin, w, 3 * 8 * 9);
        put(&bin, c->b, sizeof(float) * 3);
    }
    for (int k = 0; restore != 1 && k < (restore ? 1 : 3); k++) {
        const A4kConv *c = &convs[1 + nchain + k];
        int nout = restore ? 3 : 4;
        int cin = 8 * (1 + nchain);
        float *fw = malloc(sizeof(float) * 4 * cin);
        if (!fw)
            break;
        // input channel 8*b + j: j < 4 positive part of conv b (matrix 2b), else negative (2b+1)
        for (int o = 0; o < nout; o++)
            for (int ci = 0; ci < cin; ci++) {
                int b = ci / 8, jj = ci % 8, mat = 2 * b + (jj >= 4);
                fw[o * cin + ci] = c->w[mat * 16 + (jj % 4) * 4 + o];
            }
        put_weights(&bin, fw, nout * cin);
        put(&bin, c->b, sizeof(float) * nout);
        free(fw);
    }
    for (int i = 0; i < nc; i++) {
        free(convs[i].w);
        free(convs[i].b);
    }
    if (!param.p || !bin.p) {
        free(param.p);
        free(bin.p);
        return AIM_ERR(ENOMEM);
    }
    err = aim_net_load_ncnn_mem(out, param.p, param.n - 1, bin.p, bin.n, s);
    free(param.p);
    free(bin.p);
    return err;
}

int aim_net_load_anime4k(AimNet **out, const char *path, const AimNetSettings *s)
{
    char *d;
    size_t n;
    int err = aim_nn_read_file(path, MAX_JSON, &d, &n);
    if (err < 0) {
        aim_log(s ? &s->log : NULL, AIM_LOG_ERROR, "%s: %s", path, aim_strerror(err));
        return err;
    }
    err = aim_net_load_anime4k_mem(out, d, n, s);
    free(d);
    return err;
}
