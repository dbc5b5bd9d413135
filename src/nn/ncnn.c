// ncnn model loader: the text .param (magic 7767517) and the .bin weights (ncnn ModelBin:
// per array a 4-byte tag selects fp32, fp16 or a 256-entry quantisation table).
// Every count and index read from a file is range-checked before use; allocations are bounded
// by the size of the files (a weight array must fit in the bytes left in the .bin).
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/net.h"

// Limits for hostile files. Real models: realcugan 55 layers/63 blobs, RIFE v4.6 215 layers,
// the largest ncnn models (detection nets) a few thousand; a param file is at most ~100 KB.
#define MAX_PARAM_BYTES (16u << 20)
#define MAX_LAYERS 65536
#define MAX_BLOBS 65536
#define MAX_LAYER_IO 256
#define MAX_ARRAY 65536
#define MAX_BIN_BYTES ((size_t)1 << 31)

#define FAIL(...) do { aim_log(log, AIM_LOG_ERROR, __VA_ARGS__); return AIM_ERR_INVALID_DATA; } while (0)

// --- .param text

typedef struct Lexer {
    const char *p, *end;
    int line;
} Lexer;

// Next whitespace-separated token on the current line; 0 at end of line/file.
static int next_token(Lexer *lx, const char **tok, size_t *len)
{
    while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r'))
        lx->p++;
    if (lx->p >= lx->end || *lx->p == '\n')
        return 0;
    const char *s = lx->p;
    while (lx->p < lx->end && *lx->p != ' ' && *lx->p != '\t' && *lx->p != '\r' && *lx->p != '\n')
        lx->p++;
    *tok = s;
    *len = (size_t)(lx->p - s);
    return 1;
}

// Moves to the start of the next non-blank line; 0 at end of file.
static int next_line(Lexer *lx)
{
    while (lx->p < lx->end && *lx->p != '\n')
        lx->p++;
    for (;;) {
        if (lx->p >= lx->end)
            return 0;
        lx->p++; // past '\n'
        lx->line++;
        const char *r = lx->p;
        while (r < lx->end && (*r == ' ' || *r == '\t' || *r == '\r'))
            r++;
        if (r >= lx->end) {
            lx->p = r;
            return 0;
        }
        if (*r != '\n')
            return 1;
        lx->p = r;
    }
}

static int parse_int(const char *s, size_t len, long lo, long hi, int *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *e;
    errno = 0;
    long v = strtol(buf, &e, 10);
    if (errno || *e || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int is_float_tok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
            return 1;
    return 0;
}

static int parse_float(const char *s, size_t len, float *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *e;
    errno = 0;
    float v = strtof(buf, &e);
    if (*e || !isfinite(v)) // ERANGE for denormals is fine; inf/nan and garbage are not
        return -1;
    *out = v;
    return 0;
}

// One value (int or float) into p.
static int parse_value(const char *s, size_t len, int *i, float *f, int *is_float)
{
    *is_float = is_float_tok(s, len);
    if (*is_float) {
        if (parse_float(s, len, f))
            return -1;
        *i = *f >= -2147483648.f && *f < 2147483648.f ? (int)*f : 0;
        return 0;
    }
    if (parse_int(s, len, INT_MIN, INT_MAX, i))
        return -1;
    *f = (float)*i;
    return 0;
}

static int parse_param(AimNnLayer *l, const char *tok, size_t len, const AimLog *log, int line)
{
    const char *eq = memchr(tok, '=', len);
    int key;
    if (!eq || parse_int(tok, (size_t)(eq - tok), -23300 - (AIM_NN_MAX_PARAM - 1),
                         AIM_NN_MAX_PARAM - 1, &key))
        FAIL("param line %d: bad key in '%.*s'", line, (int)(len > 40 ? 40 : len), tok);
    const char *v = eq + 1;
    size_t vlen = len - (size_t)(v - tok);
    if (key >= 0) {
        AimNnParam *p = &l->p[key];
        if (p->type != AIM_NN_P_NONE)
            FAIL("param line %d: key %d given twice", line, key);
        int isf;
        if (parse_value(v, vlen, &p->i, &p->f, &isf))
            FAIL("param line %d: bad value for key %d", line, key);
        p->type = isf ? AIM_NN_P_FLOAT : AIM_NN_P_INT;
        return 0;
    }
    if (key > -23300)
        FAIL("param line %d: bad key %d", line, key);
    int id = -23300 - key;
    AimNnParam *p = &l->p[id];
    if (p->type != AIM_NN_P_NONE)
        FAIL("param line %d: key %d given twice", line, id);
    const char *c = memchr(v, ',', vlen);
    size_t nlen = c ? (size_t)(c - v) : vlen;
    int n;
    if (parse_int(v, nlen, 0, MAX_ARRAY, &n))
        FAIL("param line %d: bad array length for key %d", line, id);
    p->type = AIM_NN_P_ARRAY;
    p->n = n;
    p->ai = calloc((size_t)n + 1, sizeof(int));
    p->af = calloc((size_t)n + 1, sizeof(float));
    if (!p->ai || !p->af)
        return AIM_ERR(ENOMEM);
    const char *s = c ? c + 1 : v + vlen;
    const char *end = v + vlen;
    for (int k = 0; k < n; k++) {
        if (s > end)
            FAIL("param line %d: array %d shorter than %d", line, id, n);
        const char *q = memchr(s, ',', (size_t)(end - s));
        size_t el = q ? (size_t)(q - s) : (size_t)(end - s);
        int isf;
        if (parse_value(s, el, &p->ai[k], &p->af[k], &isf))
            FAIL("param line %d: bad array element %d of key %d", line, k, id);
        s = q ? q + 1 : end + 1;
    }
    if (s <= end)
        FAIL("param line %d: array %d longer than %d", line, id, n);
    return 0;
}

// Blob name -> index, open addressing.
typedef struct NameMap {
    int *slot;
    unsigned mask;
} NameMap;

static unsigned hash_name(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int map_find(const NameMap *m, const AimNnBlob *blobs, const char *name)
{
    for (unsigned h = hash_name(name) & m->mask;; h = (h + 1) & m->mask) {
        if (m->slot[h] < 0)
            return -1;
        if (!strcmp(blobs[m->slot[h]].name, name))
            return m->slot[h];
    }
}

static void map_add(NameMap *m, const AimNnBlob *blobs, int idx)
{
    unsigned h = hash_name(blobs[idx].name) & m->mask;
    while (m->slot[h] >= 0)
        h = (h + 1) & m->mask;
    m->slot[h] = idx;
}

static int copy_name(char dst[64], const char *tok, size_t len)
{
    if (len == 0 || len >= 64)
        return -1;
    memcpy(dst, tok, len);
    dst[len] = 0;
    return 0;
}

static const AimNnOpDesc *find_op(const char *type, const AimNetSettings *s)
{
    for (int i = 0; i < s->n_extra_ops; i++)
        if (!strcmp(s->extra_ops[i].type, type))
            return &s->extra_ops[i];
    return aim_nn_find_op(type);
}

static int parse_param_text(AimNet *net, const char *text, size_t len, const AimNetSettings *s)
{
    const AimLog *log = &s->log;
    Lexer lx = { text, text + len, 1 };
    const char *tok;
    size_t tl;
    int magic, nl, nb;
    if (len > MAX_PARAM_BYTES)
        FAIL("param file larger than %u bytes", MAX_PARAM_BYTES);
    if (!next_token(&lx, &tok, &tl) || parse_int(tok, tl, 0, INT_MAX, &magic) || magic != 7767517)
        FAIL("not an ncnn text param file (magic 7767517 missing)");
    if (next_token(&lx, &tok, &tl))
        FAIL("param line 1: trailing data after magic");
    if (!next_line(&lx) || !next_token(&lx, &tok, &tl) || parse_int(tok, tl, 1, MAX_LAYERS, &nl) ||
        !next_token(&lx, &tok, &tl) || parse_int(tok, tl, 1, MAX_BLOBS, &nb))
        FAIL("param line 2: expected 'layer_count blob_count' (1..%d)", MAX_LAYERS);
    net->layers = calloc((size_t)nl, sizeof(AimNnLayer));
    net->blobs = calloc((size_t)nb, sizeof(AimNnBlob));
    unsigned cap = 1;
    while (cap < 2u * (unsigned)nb)
        cap <<= 1;
    NameMap map = { malloc(cap * sizeof(int)), cap - 1 };
    if (!net->layers || !net->blobs || !map.slot) {
        free(map.slot);
        return AIM_ERR(ENOMEM);
    }
    memset(map.slot, 0xff, cap * sizeof(int));
    int err = 0;
    for (int li = 0; li < nl && !err; li++) {
        AimNnLayer *l = &net->layers[li];
        net->nlayers = li + 1;
        int nin, nout;
        char name[64];
        if (!next_line(&lx) || !next_token(&lx, &tok, &tl)) {
            aim_log(log, AIM_LOG_ERROR, "param: %d layers declared, file ends after %d", nl, li);
            err = AIM_ERR_INVALID_DATA;
            break;
        }
        int line = lx.line;
        if (copy_name(l->type, tok, tl) || !next_token(&lx, &tok, &tl) ||
            copy_name(l->name, tok, tl) || !next_token(&lx, &tok, &tl) ||
            parse_int(tok, tl, 0, MAX_LAYER_IO, &nin) || !next_token(&lx, &tok, &tl) ||
            parse_int(tok, tl, 0, MAX_LAYER_IO, &nout)) {
            aim_log(log, AIM_LOG_ERROR, "param line %d: expected 'type name n_in n_out' "
                    "(names < 64 bytes, counts <= %d)", line, MAX_LAYER_IO);
            err = AIM_ERR_INVALID_DATA;
            break;
        }
        l->op = find_op(l->type, s);
        if (!l->op) {
            aim_log(log, AIM_LOG_ERROR, "param line %d: layer type '%s' is not supported",
                    line, l->type);
            err = AIM_ERR_UNSUPPORTED;
            break;
        }
        if (nin < l->op->min_in || nin > l->op->max_in || nout < l->op->min_out ||
            nout > l->op->max_out) {
            aim_log(log, AIM_LOG_ERROR, "param line %d: %s takes %d..%d inputs and %d..%d "
                    "outputs, not %d and %d", line, l->type, l->op->min_in, l->op->max_in,
                    l->op->min_out, l->op->max_out, nin, nout);
            err = AIM_ERR_INVALID_DATA;
            break;
        }
        l->in = calloc((size_t)nin + 1, sizeof(int));
        l->out = calloc((size_t)nout + 1, sizeof(int));
        if (!l->in || !l->out) {
            err = AIM_ERR(ENOMEM);
            break;
        }
        l->nin = nin;
        l->nout = nout;
        for (int k = 0; k < nin + nout && !err; k++) {
            if (!next_token(&lx, &tok, &tl) || copy_name(name, tok, tl)) {
                aim_log(log, AIM_LOG_ERROR, "param line %d: missing or too long blob name", line);
                err = AIM_ERR_INVALID_DATA;
                break;
            }
            int b = map_find(&map, net->blobs, name);
            if (k < nin) {
                if (b < 0) {
                    aim_log(log, AIM_LOG_ERROR, "param line %d: input blob '%s' is not produced "
                            "by an earlier layer", line, name);
                    err = AIM_ERR_INVALID_DATA;
                    break;
                }
                l->in[k] = b;
                net->blobs[b].consumers++;
            } else {
                if (b >= 0) {
                    aim_log(log, AIM_LOG_ERROR, "param line %d: blob '%s' produced twice",
                            line, name);
                    err = AIM_ERR_INVALID_DATA;
                    break;
                }
                if (net->nblobs == nb) {
                    aim_log(log, AIM_LOG_ERROR, "param line %d: more than the %d blobs declared",
                            line, nb);
                    err = AIM_ERR_INVALID_DATA;
                    break;
                }
                b = net->nblobs++;
                memcpy(net->blobs[b].name, name, sizeof(name));
                net->blobs[b].producer = li;
                map_add(&map, net->blobs, b);
                l->out[k - nin] = b;
            }
        }
        while (!err && next_token(&lx, &tok, &tl))
            err = parse_param(l, tok, tl, log, line);
    }
    free(map.slot);
    if (!err && next_line(&lx))
        FAIL("param: data after the %d declared layers", nl);
    return err;
}

// --- .bin weights

typedef struct BinReader {
    const uint8_t *p;
    size_t left;
} BinReader;

static float half_to_float(uint16_t h)
{
    uint32_t s = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 31, m = h & 1023;
    uint32_t bits;
    if (e == 0) {
        if (m == 0) {
            bits = s;
        } else { // subnormal: normalise
            e = 127 - 15 + 1;
            while (!(m & 1024)) {
                m <<= 1;
                e--;
            }
            bits = s | e << 23 | (m & 1023) << 13;
        }
    } else if (e == 31) {
        bits = s | 0x7f800000u | m << 13;
    } else {
        bits = s | (e + 127 - 15) << 23 | m << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static int bin_take(BinReader *r, size_t n, const uint8_t **p)
{
    if (n > r->left)
        return -1;
    *p = r->p;
    r->p += n;
    r->left -= n;
    return 0;
}

// ncnn ModelBinFromDataReader::load(w, type).
static int load_array(BinReader *r, size_t n, int type, float **out, const AimLog *log,
                      const char *lname)
{
    const uint8_t *p;
    if (n == 0 || n > MAX_BIN_BYTES / 2)
        FAIL("%s: bad weight count %zu", lname, n);
    if (type == 1) {
        if (n > r->left / 4)
            FAIL("%s: .bin too short (%zu floats needed, %zu bytes left)", lname, n, r->left);
    } else if (r->left < 4) {
        FAIL("%s: .bin too short for a weight tag", lname);
    }
    uint32_t tag = 0;
    if (type == 0) {
        bin_take(r, 4, &p);
        tag = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    // Check the data fits before allocating, so a hostile count cannot make a huge allocation.
    size_t need;
    if (type == 1 || tag == 0 || tag == 0x0002C056)
        need = n * 4;
    else if (tag == 0x01306B47)
        need = (n * 2 + 3) & ~(size_t)3;
    else if (tag == 0x000D4B38)
        FAIL("%s: int8 weights are not supported", lname);
    else if ((tag & 0xff) == 0 && tag != 0)
        FAIL("%s: unknown weight tag 0x%08x", lname, tag);
    else
        need = 256 * 4 + ((n + 3) & ~(size_t)3);
    if (need > r->left)
        FAIL("%s: .bin too short (%zu bytes needed, %zu left)", lname, need, r->left);
    float *w = malloc(n * sizeof(float));
    if (!w)
        return AIM_ERR(ENOMEM);
    bin_take(r, need, &p);
    if (type == 1 || tag == 0 || tag == 0x0002C056) {
        memcpy(w, p, n * 4);
    } else if (tag == 0x01306B47) {
        for (size_t i = 0; i < n; i++)
            w[i] = half_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
    } else {
        float table[256];
        memcpy(table, p, sizeof(table));
        for (size_t i = 0; i < n; i++)
            w[i] = table[p[1024 + i]];
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(w[i])) {
            free(w);
            FAIL("%s: weight %zu is not finite", lname, i);
        }
    *out = w;
    return 0;
}

int aim_net_load_ncnn_mem(AimNet **out, const char *param, size_t param_len, const void *bin,
                          size_t bin_len, const AimNetSettings *s)
{
    AimNetSettings def;
    if (!s) {
        aim_net_default_settings(&def);
        s = &def;
    }
    const AimLog *log = &s->log;
    if (!out || !param)
        return AIM_ERR(EINVAL);
    AimNet *net = calloc(1, sizeof(*net));
    if (!net)
        return AIM_ERR(ENOMEM);
    net->log = s->log;
    int err = parse_param_text(net, param, param_len, s);
    BinReader r = { bin, bin ? bin_len : 0 };
    for (int i = 0; !err && i < net->nlayers; i++) {
        AimNnLayer *l = &net->layers[i];
        int wtype[AIM_NN_MAX_WEIGHTS] = { 0 };
        err = l->op->check ? l->op->check(l, wtype, log) : 0;
        if (err < 0) {
            aim_log(log, AIM_LOG_ERROR, "layer %s (%s): invalid parameters", l->name, l->type);
            break;
        }
        for (int k = 0; !err && k < l->nw; k++)
            err = load_array(&r, l->wn[k], wtype[k], &l->w[k], log, l->name);
        if (!err && l->op->init)
            err = l->op->init(l, log);
    }
    if (!err && r.left)
        aim_log(log, AIM_LOG_WARNING, ".bin has %zu bytes after the last weights", r.left);
    if (err) {
        aim_net_destroy(&net);
        return err;
    }
    *out = net;
    return 0;
}

int aim_net_load_ncnn(AimNet **out, const char *param_path, const char *bin_path,
                      const AimNetSettings *s)
{
    char *p = NULL, *b = NULL;
    size_t pl, bl;
    const AimLog *log = s ? &s->log : NULL;
    int err = aim_nn_read_file(param_path, MAX_PARAM_BYTES, &p, &pl);
    if (err < 0) {
        aim_log(log, AIM_LOG_ERROR, "%s: %s", param_path, aim_strerror(err));
        return err;
    }
    err = aim_nn_read_file(bin_path, MAX_BIN_BYTES, &b, &bl);
    if (err < 0) {
        aim_log(log, AIM_LOG_ERROR, "%s: %s", bin_path, aim_strerror(err));
        free(p);
        return err;
    }
    err = aim_net_load_ncnn_mem(out, p, pl, b, bl, s);
    free(p);
    free(b);
    return err;
}
