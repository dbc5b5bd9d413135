// Planned jobs: plan, render, join, status, and `enhance --resume` (layout in job.h).
//
// Exactness: a worker runs the same enhance code with the options recorded in the plan, checks
// that they resolve to the recorded settings here (engines, models, CPU level, encoder) and that
// every source frame it decodes hashes as in the plan, and replays the plan's gate records
// (pipeline.h, replay) with each frame's time as the plan read it, numbering its output frames
// on the global grid as the one-piece run places them (timed: variable-rate input too). A
// segment reads one frame past its range (the later picture and the end of its last interval);
// boundaries are put at cuts, else holds, where nothing is interpolated across.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/cpu.h"
#include "core/parse.h"
#include "enhance.h"
#include "io/avlog.h"
#include "io/io.h"
#include "job.h"
#include "nn/models.h"
#include "nn/sha256.h"
#include "pipeline/pipeline.h"

// Bytes hashed at each end of the input for the quick identity check of workers (the plan
// also records the full SHA-256; every decoded frame is checked against the plan's hashes).
#define QUICK_HASH_BYTES (1 << 20)
// A worker refreshes its lock this often; a lock older than LOCK_STALE_S (6 missed refreshes)
// is taken over, as is one whose process is gone on this host.
#define LOCK_REFRESH_S 20
#define LOCK_STALE_S 120
// `enhance --resume` splits every this many source seconds: a kill loses at most one segment.
#define RESUME_SEGMENT_SECONDS 10.0
#define GATE_MAGIC "AIMGATE2"

typedef struct PlanSeg {
    int64_t first, end; // source frames [first, end)
    int64_t read_end;   // frames read: end + 1 unless it is the last segment
    int64_t out_first, out_count; // its output frames on the global grid (seg_outputs)
    char kind[8];       // boundary at `first`: start, cut, hold, overlap
} PlanSeg;

typedef struct Plan {
    char dir[PATH_MAX];
    char input[PATH_MAX];
    int64_t input_size;
    char input_sha[65], quick_sha[65], build[65], gate_sha[65], plan_sha[65];
    char **args;
    int nargs;
    char *settings;
    AimRational rate;     ///< output rate / source rate (pipeline.h: the output grid)
    AimRational src_rate;
    int64_t nb_frames;
    // --clip of the job (seconds, < 0: none) and the time of its first frame from the input's
    // first video frame (AimVideoInfo.start): frame i is at clip_zero + pts[i] / 1e6 s
    double clip_start, clip_end, clip_zero;
    char *decisions;
    PlanSeg *segs;
    int nsegs;
    // gate.bin, loaded by render
    AimGateRecord *recs;
    uint64_t *frame_hash;
    int64_t *pts;         ///< each source frame's time (us from the first), as enhance reads it
} Plan;

// The output frames of source frames first .. end - 1 on the global grid, placed by their
// times as the one-piece run places them (pipeline.h, timed mode: on a constant-rate input
// these are first_out(i) .. first_out(end) - 1), so a segment's frames are exactly those the
// one-piece run gives those source frames. The last frame lasts as long as the interval
// before it (one source interval for a one-frame input), as in the pipeline.
static void seg_outputs(Plan *p)
{
    const int64_t n = p->nb_frames;
    for (int i = 0; i < p->nsegs; i++) {
        PlanSeg *s = &p->segs[i];
        int64_t e;
        if (s->end < n)
            e = aim_pipeline_first_out_at(p->rate, p->src_rate, p->pts[s->end]);
        else if (n >= 2)
            e = aim_pipeline_first_out_at(p->rate, p->src_rate,
                                          2 * p->pts[n - 1] - p->pts[n - 2]);
        else
            e = aim_pipeline_first_out(p->rate, 1);
        s->out_first = aim_pipeline_first_out_at(p->rate, p->src_rate, p->pts[s->first]);
        s->out_count = e - s->out_first;
    }
}

static AimLog make_log(int quiet, int verbose)
{
    AimLog log = { aim_cli_log, NULL,
                   verbose ? AIM_LOG_DEBUG : quiet ? AIM_LOG_WARNING : AIM_LOG_INFO };
    aim_io_set_av_log(&log, verbose ? AIM_LOG_DEBUG : AIM_LOG_ERROR);
    return log;
}

static void plan_free(Plan *p)
{
    for (int i = 0; i < p->nargs; i++)
        free(p->args[i]);
    free(p->args);
    free(p->settings);
    free(p->decisions);
    free(p->segs);
    if (p->recs)
        for (int64_t i = 0; i < p->nb_frames; i++)
            aim_gate_record_clear(&p->recs[i]);
    free(p->recs);
    free(p->frame_hash);
    free(p->pts);
    memset(p, 0, sizeof(*p));
}

// ---- hashing ----------------------------------------------------------------------------

static void sha_hex(AimSha256 *c, char out[65])
{
    uint8_t d[32];
    aim_sha256_final(c, d);
    aim_sha256_hex(d, out);
}

// SHA-256 of a file: whole (full) or its size and first and last QUICK_HASH_BYTES.
static int hash_file(const char *path, int full, char out[65], int64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return AIM_ERR(errno);
    struct stat st;
    if (fstat(fileno(f), &st) < 0) {
        fclose(f);
        return AIM_ERR(errno);
    }
    if (size)
        *size = st.st_size;
    AimSha256 c;
    aim_sha256_init(&c);
    size_t bufsize = 1 << 20;
    char *buf = malloc(bufsize);
    if (!buf) {
        fclose(f);
        return AIM_ERR(ENOMEM);
    }
    int ret = 0;
    if (full) {
        size_t n;
        while ((n = fread(buf, 1, bufsize, f)) > 0)
            aim_sha256_update(&c, buf, n);
    } else {
        int64_t sz = st.st_size;
        aim_sha256_update(&c, &sz, sizeof(sz));
        size_t n = fread(buf, 1, QUICK_HASH_BYTES, f);
        aim_sha256_update(&c, buf, n);
        if (sz > QUICK_HASH_BYTES && fseeko(f, sz - QUICK_HASH_BYTES, SEEK_SET) == 0) {
            n = fread(buf, 1, QUICK_HASH_BYTES, f);
            aim_sha256_update(&c, buf, n);
        }
    }
    if (ferror(f))
        ret = AIM_ERR(EIO);
    free(buf);
    fclose(f);
    sha_hex(&c, out);
    return ret;
}

// The build: the running program's own bytes (another compiler or source gives another id).
static int build_id(char out[65])
{
    return hash_file("/proc/self/exe", 1, out, NULL);
}

// 64-bit hash of a frame's samples (rows as 64-bit words, a multiply-xorshift mix): checks
// that a worker decodes the same source frame the plan saw.
static uint64_t frame_hash(const AimFrame *f)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)f->width << 32 ^ (uint64_t)f->height;
    for (int p = 0; p < 3; p++) {
        int w = aim_plane_w(f, p), ht = aim_plane_h(f, p);
        for (int y = 0; y < ht; y++) {
            const uint16_t *row = f->data[p] + y * f->stride[p];
            int x = 0;
            for (; x + 4 <= w; x += 4) {
                uint64_t v;
                memcpy(&v, row + x, 8);
                h = (h ^ v) * 0xff51afd7ed558ccdull;
                h ^= h >> 29;
            }
            for (; x < w; x++) {
                h = (h ^ row[x]) * 0xc4ceb9fe1a85ec53ull;
                h ^= h >> 31;
            }
        }
    }
    return h;
}

// ---- settings ---------------------------------------------------------------------------

// Every resolved setting that shapes the output, one "key=value" per line, with the installed
// files of the neural models the engines use. Compared line by line between plan and worker.
static int settings_string(const AimWriterSettings *ws, const AimPipelineSettings *ps,
                           const char *models_dir, char **out)
{
    char buf[8192];
    const AimColor *c = &ws->color;
    int n = snprintf(buf, sizeof(buf),
        "version=%s\nratio=%d/%d\nsource=%dx%d %d-bit\noutput=%dx%d\nrate=%d/%d\n"
        "color=%d,%d,%d,%d,%d\n"
        "gate=metric %d, hold %.17g, cut %.17g, block %.17g\n"
        "interp=%s, fallback %d, flow_downscale %d\n"
        "upscaler=%s, restore %.9g/%.9g/%.9g, antiring %.9g, noise %d\n"
        "cpu=%x\nencoder=%s, crf %d, preset %s\n",
        AIM_VERSION_STRING, ps->rate.num, ps->rate.den, ps->width, ps->height, ps->depth, ps->out_width,
        ps->out_height, ws->frame_rate.num, ws->frame_rate.den, c->matrix, c->primaries,
        c->transfer, c->range, c->chroma_loc, (int)ps->gate.metric, ps->gate.hold_threshold,
        ps->gate.cut_threshold, ps->gate.block_threshold, ps->interp.engine,
        (int)ps->interp.fallback, ps->interp.flow_downscale, ps->scale.engine,
        ps->scale.restore.deblock, ps->scale.restore.denoise, ps->scale.restore.sharpen,
        ps->scale.antiring, ps->scale.noise, ps->gate.cpu_flags | ps->interp.cpu_flags |
        ps->scale.cpu_flags, ws->encoder ? ws->encoder : "default", ws->crf,
        ws->preset ? ws->preset : "default");
    const char *engines[2] = { ps->rate.num > ps->rate.den ? ps->interp.engine : NULL,
                               ps->out_width != ps->width || ps->out_height != ps->height
                                   ? ps->scale.engine : NULL };
    for (int e = 0; e < 2 && n > 0 && n < (int)sizeof(buf); e++) {
        const AimModelInfo *m = engines[e] ? aim_models_find(engines[e]) : NULL;
        if (!m)
            continue;
        for (int i = 0; i < m->nfiles && n < (int)sizeof(buf); i++)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "model %s/%s=%s\n", engines[e],
                          m->files[i].name, m->files[i].sha256);
        char dir[4096];
        if (aim_models_dir(dir, sizeof(dir), models_dir) < 0 || aim_models_check(dir, m, 1, NULL) < 0)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "model %s=not installed or "
                          "damaged\n", engines[e]);
    }
    if (n <= 0 || n >= (int)sizeof(buf))
        return AIM_ERR(ENOMEM);
    return (*out = strdup(buf)) ? 0 : AIM_ERR(ENOMEM);
}

// The first line where a and b differ, for the refusal message.
static void first_difference(const char *a, const char *b, char *la, char *lb, size_t n)
{
    for (;;) {
        size_t ea = strcspn(a, "\n"), eb = strcspn(b, "\n");
        if (ea != eb || memcmp(a, b, ea) || !a[ea] || !b[eb]) {
            snprintf(la, n, "%.*s", (int)ea, a);
            snprintf(lb, n, "%.*s", (int)eb, b);
            return;
        }
        a += ea + 1;
        b += eb + 1;
    }
}

// ---- plan.json --------------------------------------------------------------------------

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

// Reads the JSON string starting at p (at its opening quote) into a new buffer; *end after it.
static char *json_read_string(const char *p, const char **end)
{
    if (*p != '"')
        return NULL;
    size_t cap = strlen(p) + 1, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (p++; *p && *p != '"'; p++) {
        char ch = *p;
        if (ch == '\\') {
            p++;
            if (*p == 'n')
                ch = '\n';
            else if (*p == 'u') {
                unsigned v = 0;
                if (sscanf(p + 1, "%4x", &v) != 1)
                    break;
                ch = (char)v;
                p += 4;
            } else if (*p)
                ch = *p;
            else
                break;
        }
        out[n++] = ch;
    }
    if (*p != '"') {
        free(out);
        return NULL;
    }
    out[n] = 0;
    if (end)
        *end = p + 1;
    return out;
}

// The value after `"key": ` (plan.json is written by plan_write: one key per line).
static const char *json_find(const char *text, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    const char *p = strstr(text, pat);
    return p ? p + strlen(pat) : NULL;
}

static int json_str(const char *text, const char *key, char *out, size_t n)
{
    const char *p = json_find(text, key);
    char *s = p ? json_read_string(p, NULL) : NULL;
    if (!s || strlen(s) >= n) {
        free(s);
        return AIM_ERR(EINVAL);
    }
    strcpy(out, s);
    free(s);
    return 0;
}

static int json_f64(const char *text, const char *key, double *v)
{
    const char *p = json_find(text, key);
    return p && sscanf(p, "%lf", v) == 1 ? 0 : AIM_ERR(EINVAL);
}

static int json_i64(const char *text, const char *key, int64_t *v)
{
    const char *p = json_find(text, key);
    long long x;
    if (!p || sscanf(p, "%lld", &x) != 1)
        return AIM_ERR(EINVAL);
    *v = x;
    return 0;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    if (fseeko(f, 0, SEEK_END) == 0) {
        off_t n = ftello(f);
        if (n >= 0 && n < (1 << 28) && fseeko(f, 0, SEEK_SET) == 0 &&
            (buf = malloc((size_t)n + 1))) {
            if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            } else {
                buf[n] = 0;
            }
        }
    }
    fclose(f);
    return buf;
}

static void path_in(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static void seg_path(char *out, size_t n, const char *dir, int k, const char *ext)
{
    snprintf(out, n, "%s/seg-%05d.%s", dir, k, ext);
}

// Writes `path` atomically: `write` fills a hidden temporary file beside it (aim_cli_file_open:
// .NAME.partXXXXXX, removed by the out-of-memory guard too), synced and renamed on success.
static int write_atomic(const char *path, int (*write)(FILE *f, const void *arg),
                        const void *arg)
{
    AimCliFile cf;
    int ret = aim_cli_file_open(&cf, path);
    if (ret < 0)
        return ret;
    errno = 0;
    ret = write(cf.f, arg);
    // the cause of a failed fwrite (ENOSPC, EFBIG over RLIMIT_FSIZE) is its errno; synced
    // before the rename: a done record or a plan never outlives its data in a crash
    if (ret >= 0 && (ferror(cf.f) || fflush(cf.f) != 0 || fsync(fileno(cf.f)) != 0))
        ret = AIM_ERR(errno ? errno : EIO);
    if (ret < 0) {
        aim_cli_file_abort(&cf);
        return ret;
    }
    return aim_cli_file_commit(&cf);
}

static int plan_write(FILE *f, const void *arg)
{
    const Plan *p = arg;
    fprintf(f, "{\n  \"format\": 2,\n  \"program\": \"ainimotion %s\",\n", AIM_VERSION_STRING);
    fputs("  \"input\": ", f);
    json_string(f, p->input);
    fprintf(f, ",\n  \"input_size\": %lld,\n  \"input_sha256\": \"%s\",\n"
            "  \"input_quick_sha256\": \"%s\",\n  \"build_sha256\": \"%s\",\n  \"args\": [",
            (long long)p->input_size, p->input_sha, p->quick_sha, p->build);
    for (int i = 0; i < p->nargs; i++) {
        fputs(i ? ", " : "", f);
        json_string(f, p->args[i]);
    }
    fputs("],\n  \"settings\": ", f);
    json_string(f, p->settings);
    fprintf(f, ",\n  \"source_rate\": \"%d/%d\",\n  \"rate_ratio\": \"%d/%d\",\n  \"source_frames\": %lld,"
            "\n  \"gate_sha256\": \"%s\",\n", p->src_rate.num, p->src_rate.den, p->rate.num, p->rate.den,
            (long long)p->nb_frames, p->gate_sha);
    // %.17g: the doubles read back exactly
    fprintf(f, "  \"clip_start\": %.17g,\n  \"clip_end\": %.17g,\n  \"clip_zero\": %.17g,\n",
            p->clip_start, p->clip_end, p->clip_zero);
    fputs("  \"decisions_legend\": \"one letter per source frame i, the interval i-1 -> i: "
          "s start, c cut, h hold, m motion, f fade\",\n  \"decisions\": \"", f);
    fwrite(p->decisions, 1, (size_t)p->nb_frames, f);
    fprintf(f, "\",\n  \"segment_count\": %d,\n  \"segments\": [\n", p->nsegs);
    for (int i = 0; i < p->nsegs; i++) {
        const PlanSeg *s = &p->segs[i];
        fprintf(f, "    {\"index\": %d, \"first\": %lld, \"end\": %lld, \"read_end\": %lld, "
                "\"out_first\": %lld, \"out_count\": %lld, \"boundary\": \"%s\"}%s\n", i,
                (long long)s->first, (long long)s->end, (long long)s->read_end,
                (long long)s->out_first, (long long)s->out_count,
                s->kind, i + 1 < p->nsegs ? "," : "");
    }
    fputs("  ]\n}\n", f);
    return 0;
}

// Loads DIR/plan.json (not gate.bin). Logs why on failure; returns an exit code.
static int plan_load(Plan *p, const char *dir, const AimLog *log)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->dir, sizeof(p->dir), "%s", dir);
    char path[PATH_MAX + 16];
    path_in(path, sizeof(path), dir, "plan.json");
    char *t = read_text(path);
    if (!t) {
        aim_log(log, AIM_LOG_ERROR, "%s: no job here (no readable plan.json; make one with "
                "'ainimotion plan')", dir);
        return AIM_EXIT_INPUT;
    }
    AimSha256 c;
    aim_sha256_init(&c);
    aim_sha256_update(&c, t, strlen(t));
    sha_hex(&c, p->plan_sha);
    int64_t fmt = 0, size = 0, frames = 0, nsegs = 0;
    char rate[64], ratio[64];
    int ok = json_i64(t, "format", &fmt) == 0 && fmt == 2 &&
             json_str(t, "input", p->input, sizeof(p->input)) == 0 &&
             json_i64(t, "input_size", &size) == 0 &&
             json_str(t, "input_sha256", p->input_sha, 65) == 0 &&
             json_str(t, "input_quick_sha256", p->quick_sha, 65) == 0 &&
             json_str(t, "build_sha256", p->build, 65) == 0 &&
             json_str(t, "gate_sha256", p->gate_sha, 65) == 0 &&
             json_str(t, "source_rate", rate, sizeof(rate)) == 0 &&
             sscanf(rate, "%d/%d", &p->src_rate.num, &p->src_rate.den) == 2 &&
             p->src_rate.num > 0 && p->src_rate.den > 0 &&
             json_str(t, "rate_ratio", ratio, sizeof(ratio)) == 0 &&
             sscanf(ratio, "%d/%d", &p->rate.num, &p->rate.den) == 2 && p->rate.den > 0 &&
             p->rate.num >= p->rate.den && p->rate.num <= 8 * p->rate.den &&
             json_i64(t, "source_frames", &frames) == 0 && frames >= 1 &&
             json_i64(t, "segment_count", &nsegs) == 0 && nsegs >= 1 && nsegs <= frames &&
             json_f64(t, "clip_start", &p->clip_start) == 0 &&
             json_f64(t, "clip_end", &p->clip_end) == 0 &&
             json_f64(t, "clip_zero", &p->clip_zero) == 0;
    p->input_size = size;
    p->nb_frames = frames;
    p->nsegs = (int)nsegs;
    const char *q;
    if (ok && (q = json_find(t, "settings")))
        ok = (p->settings = json_read_string(q, NULL)) != NULL;
    if (ok && (q = json_find(t, "decisions")))
        ok = (p->decisions = json_read_string(q, NULL)) != NULL &&
             (int64_t)strlen(p->decisions) == frames;
    if (ok && (q = json_find(t, "args")) && *q == '[') {
        for (q++; ok && *q == '"';) { // "a", "b", ... ]
            char **na = realloc(p->args, sizeof(*na) * (size_t)(p->nargs + 1));
            if (na)
                p->args = na;
            char *s = na ? json_read_string(q, &q) : NULL;
            if (!s) {
                ok = 0;
                break;
            }
            p->args[p->nargs++] = s;
            while (*q == ',' || *q == ' ')
                q++;
        }
        ok = ok && *q == ']';
    } else {
        ok = 0;
    }
    if (ok && !(p->segs = calloc((size_t)nsegs, sizeof(*p->segs))))
        ok = 0;
    q = ok ? json_find(t, "segments") : NULL;
    for (int i = 0; ok && i < p->nsegs; i++) {
        q = q ? strstr(q, "{\"index\": ") : NULL;
        long long a, b, r, of, oc;
        int idx;
        char kind[8];
        if (!q || sscanf(q, "{\"index\": %d, \"first\": %lld, \"end\": %lld, \"read_end\": %lld, "
                         "\"out_first\": %lld, \"out_count\": %lld,", &idx, &a, &b, &r, &of,
                         &oc) != 6 || idx != i) {
            ok = 0;
            break;
        }
        const char *bk = strstr(q, "\"boundary\": \"");
        if (!bk || sscanf(bk + 13, "%7[a-z]", kind) != 1) {
            ok = 0;
            break;
        }
        PlanSeg *s = &p->segs[i];
        *s = (PlanSeg){ a, b, r, of, oc, "" };
        snprintf(s->kind, sizeof(s->kind), "%s", kind);
        int64_t prev_end = i ? p->segs[i - 1].end : 0;
        int64_t prev_out = i ? p->segs[i - 1].out_first + p->segs[i - 1].out_count : 0;
        if (a != prev_end || b <= a || b > frames || r < b || r > b + 1 || r > frames ||
            of != prev_out || oc < 0)
            ok = 0;
        q++;
    }
    if (ok && p->segs[p->nsegs - 1].end != frames)
        ok = 0;
    free(t);
    if (!ok) {
        aim_log(log, AIM_LOG_ERROR, "%s: plan.json is damaged or from another version",
                path);
        plan_free(p);
        return AIM_EXIT_INPUT;
    }
    return 0;
}

// ---- gate.bin ---------------------------------------------------------------------------

typedef struct GateData {
    const AimGateRecord *recs;
    const uint64_t *hash;
    const int64_t *pts;
    int64_t n;
    AimSha256 *sha;       ///< every byte written is hashed too: the file's SHA-256 in one pass
} GateData;

static void gate_put(const GateData *g, FILE *f, const void *data, size_t n)
{
    fwrite(data, 1, n, f);
    aim_sha256_update(g->sha, data, n);
}

static int gate_write(FILE *f, const void *arg)
{
    const GateData *g = arg;
    gate_put(g, f, GATE_MAGIC, 8);
    gate_put(g, f, &g->n, sizeof(g->n));
    for (int64_t i = 0; i < g->n; i++) {
        const AimGateRecord *r = &g->recs[i];
        int32_t hdr[6] = { (int32_t)r->cls, (int32_t)r->why, r->mask.data ? r->mask.w : 0,
                           r->mask.data ? r->mask.h : 0, r->mask.block, 0 };
        double v[14] = { r->mad, r->ssim, r->hist, r->mc, r->cut_score, r->rel, r->palette,
                         r->blockmax, r->sad, r->moving, r->luma, r->fade_fit, r->camera, 0 };
        gate_put(g, f, &r->frame, sizeof(r->frame));
        gate_put(g, f, &g->hash[i], sizeof(g->hash[i]));
        gate_put(g, f, &g->pts[i], sizeof(g->pts[i]));
        gate_put(g, f, hdr, sizeof(hdr));
        gate_put(g, f, v, sizeof(v));
        if (r->mask.data)
            gate_put(g, f, r->mask.data, (size_t)r->mask.w * (size_t)r->mask.h);
    }
    return 0; // write_atomic checks the stream
}

// Loads gate.bin into p->recs (their times included) / p->frame_hash / p->pts, checking its
// hash and the plan's decisions.
static int gate_load(Plan *p, const AimLog *log)
{
    char path[PATH_MAX + 16], sha[65];
    path_in(path, sizeof(path), p->dir, "gate.bin");
    if (hash_file(path, 1, sha, NULL) < 0 || strcmp(sha, p->gate_sha)) {
        aim_log(log, AIM_LOG_ERROR, "%s: missing or damaged (its SHA-256 is not the plan's)",
                path);
        return AIM_EXIT_INPUT;
    }
    FILE *f = fopen(path, "rb");
    char magic[8];
    int64_t n = 0;
    int ok = f && fread(magic, 1, 8, f) == 8 && !memcmp(magic, GATE_MAGIC, 8) &&
             fread(&n, sizeof(n), 1, f) == 1 && n == p->nb_frames;
    if (ok) {
        p->recs = calloc((size_t)n, sizeof(*p->recs));
        p->frame_hash = calloc((size_t)n, sizeof(*p->frame_hash));
        p->pts = calloc((size_t)n, sizeof(*p->pts));
        ok = p->recs && p->frame_hash && p->pts;
    }
    static const char letters[] = "schmf";
    for (int64_t i = 0; ok && i < n; i++) {
        AimGateRecord *r = &p->recs[i];
        int32_t hdr[6];
        double v[14];
        ok = fread(&r->frame, sizeof(r->frame), 1, f) == 1 &&
             fread(&p->frame_hash[i], sizeof(p->frame_hash[i]), 1, f) == 1 &&
             fread(&p->pts[i], sizeof(p->pts[i]), 1, f) == 1 &&
             (i == 0 || p->pts[i] > p->pts[i - 1]) &&
             fread(hdr, sizeof(hdr), 1, f) == 1 && fread(v, sizeof(v), 1, f) == 1 &&
             hdr[0] >= 0 && hdr[0] < 5 && letters[hdr[0]] == p->decisions[i] &&
             hdr[2] >= 0 && hdr[3] >= 0 && hdr[2] <= 4096 && hdr[3] <= 4096;
        if (!ok)
            break;
        r->pts = p->pts[i]; // its frame's time: kept once, beside the frame's hash
        r->cls = (AimGateClass)hdr[0];
        r->why = (unsigned)hdr[1];
        r->mad = v[0], r->ssim = v[1], r->hist = v[2], r->mc = v[3], r->cut_score = v[4];
        r->rel = v[5], r->palette = v[6], r->blockmax = v[7], r->sad = v[8], r->moving = v[9];
        r->luma = v[10], r->fade_fit = v[11], r->camera = v[12];
        r->mask.w = hdr[2];
        r->mask.h = hdr[3];
        r->mask.block = hdr[4];
        if (hdr[2] && hdr[3]) {
            size_t sz = (size_t)hdr[2] * (size_t)hdr[3];
            ok = (r->mask.data = malloc(sz)) && fread(r->mask.data, 1, sz, f) == sz;
        }
    }
    if (f)
        fclose(f);
    if (!ok) {
        aim_log(log, AIM_LOG_ERROR, "%s: damaged or does not match plan.json", path);
        return AIM_EXIT_INPUT;
    }
    return 0;
}

// ---- segment state ----------------------------------------------------------------------

typedef struct DoneArg {
    const Plan *p;
    int64_t size, frames;
} DoneArg;

static int done_write(FILE *f, const void *arg)
{
    const DoneArg *d = arg;
    fprintf(f, "{\n  \"plan_sha256\": \"%s\",\n  \"build_sha256\": \"%s\",\n  \"size\": %lld,\n"
            "  \"frames\": %lld\n}\n", d->p->plan_sha, d->p->build, (long long)d->size,
            (long long)d->frames);
    return 0;
}

// 1 when segment k is done and valid; else 0 and `why` says what is wrong.
static int seg_done(const Plan *p, int k, char *why, size_t n)
{
    char path[PATH_MAX + 32], sha[65];
    seg_path(path, sizeof(path), p->dir, k, "done");
    char *t = read_text(path);
    if (!t) {
        snprintf(why, n, "not rendered");
        return 0;
    }
    int64_t size = -1, frames = -1;
    int ok = 0;
    if (json_str(t, "plan_sha256", sha, sizeof(sha)) < 0 || strcmp(sha, p->plan_sha))
        snprintf(why, n, "rendered for another plan");
    else if (json_str(t, "build_sha256", sha, sizeof(sha)) < 0 || strcmp(sha, p->build))
        snprintf(why, n, "rendered by another build");
    else if (json_i64(t, "size", &size) < 0 || json_i64(t, "frames", &frames) < 0 ||
             frames != p->segs[k].out_count)
        snprintf(why, n, "damaged record");
    else
        ok = 1;
    free(t);
    if (!ok)
        return 0;
    struct stat st;
    seg_path(path, sizeof(path), p->dir, k, "mkv");
    if (stat(path, &st) < 0) {
        snprintf(why, n, "its video is missing");
        return 0;
    }
    if (st.st_size != size) {
        snprintf(why, n, "damaged (%lld bytes, %lld recorded)", (long long)st.st_size,
                 (long long)size);
        return 0;
    }
    return 1;
}

// Lock: created with O_EXCL (atomic on local filesystems and NFSv3+), holding host and pid.
typedef struct Lock {
    char path[PATH_MAX + 32];
    int held;
    AimCliTicker refresh; // touches it every LOCK_REFRESH_S (lock_refresh)
} Lock;

// 1: stale (its process is gone on this host, or it was not refreshed for LOCK_STALE_S).
static int lock_stale(const char *path, char *owner, size_t n)
{
    char *t = read_text(path);
    struct stat st;
    snprintf(owner, n, "%s", t ? t : "?");
    owner[strcspn(owner, "\n")] = 0;
    char host[256] = "", me[256] = "";
    long pid = 0;
    int stale = 0;
    gethostname(me, sizeof(me) - 1);
    if (t && sscanf(t, "%255s %ld", host, &pid) == 2 && !strcmp(host, me) && pid > 0 &&
        kill((pid_t)pid, 0) < 0 && errno == ESRCH)
        stale = 1;
    if (stat(path, &st) == 0 && time(NULL) - st.st_mtime > LOCK_STALE_S)
        stale = 1;
    free(t);
    return stale;
}

static void lock_refresh(void *arg)
{
    Lock *l = arg;
    utimensat(AT_FDCWD, l->path, NULL, 0);
}

// 0: held; 1: another live worker holds it (owner says who); <0: error.
static int lock_take(Lock *l, const char *dir, int k, char *owner, size_t n)
{
    seg_path(l->path, sizeof(l->path), dir, k, "lock");
    for (int tries = 0; tries < 3; tries++) {
        int fd = open(l->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            char host[256] = "";
            gethostname(host, sizeof(host) - 1);
            dprintf(fd, "%s %ld %lld\n", host[0] ? host : "unknown", (long)getpid(),
                    (long long)time(NULL));
            close(fd);
            l->held = 1;
            // (a refresh that cannot start leaves the lock to go stale after LOCK_STALE_S)
            aim_cli_ticker_start(&l->refresh, LOCK_REFRESH_S * 1000L, lock_refresh, l);
            return 0;
        }
        if (errno != EEXIST)
            return AIM_ERR(errno);
        if (!lock_stale(l->path, owner, n))
            return 1;
        // stale: move it aside under a name of our own, then try again
        char aside[PATH_MAX + 64];
        snprintf(aside, sizeof(aside), "%s.stale%ld", l->path, (long)getpid());
        if (rename(l->path, aside) == 0)
            unlink(aside);
    }
    return 1;
}

static void lock_release(Lock *l)
{
    if (!l->held)
        return;
    aim_cli_ticker_stop(&l->refresh);
    unlink(l->path);
    l->held = 0;
}

// Removes what a killed worker left of segment k (its writer's hidden temporary files).
static void remove_partials(const char *dir, int k)
{
    char prefix[64];
    snprintf(prefix, sizeof(prefix), ".seg-%05d.mkv.part", k);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strncmp(e->d_name, prefix, strlen(prefix))) {
            char path[PATH_MAX + 300];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
}

// ---- plan -------------------------------------------------------------------------------

typedef struct PlanCapture {
    int done;
    AimPipelineSettings ps;
    char *settings;
    AimRational src_rate;
    const char *models_dir;
} PlanCapture;

static int plan_configure(void *opaque, AimReader *r, AimWriterSettings *ws,
                          AimPipelineSettings *ps)
{
    PlanCapture *c = opaque;
    c->ps = *ps;
    c->src_rate = aim_reader_info(r)->frame_rate;
    if (settings_string(ws, ps, c->models_dir, &c->settings) < 0)
        return AIM_EXIT_FAILED;
    c->done = 1;
    return -1; // settings known: the plan does its own pass
}

// Decodes and gates the whole input (p->input, in p's clip range) as enhance reads it (timed):
// records (masks kept), frame hashes, times (p->pts) and the clip's zero point.
static int gate_pass(Plan *p, const AimGateSettings *gs, AimGateRecord **recs_out,
                     uint64_t **hash_out, int64_t *n_out, const AimLog *log)
{
    AimReaderSettings rs;
    aim_reader_default_settings(&rs);
    rs.path = p->input;
    rs.log = *log;
    rs.timed = 1;
    rs.clip_start = p->clip_start;
    rs.clip_end = p->clip_end;
    AimReader *r = NULL;
    AimGate *g = NULL;
    AimGateRecord *recs = NULL;
    uint64_t *hash = NULL;
    int64_t *pts = NULL;
    int64_t n = 0, nh = 0, cap = 0;
    int ret = aim_reader_open(&r, &rs);
    if (ret >= 0) {
        p->clip_zero = aim_reader_info(r)->start;
        ret = aim_gate_create(&g, gs);
    }
    while (ret >= 0) {
        AimFrame *f = NULL;
        ret = aim_reader_read(r, &f);
        int eof = ret == AIM_ERR_EOF;
        if (ret < 0 && !eof)
            break;
        if (!eof) {
            if (nh == cap) {
                cap = cap ? 2 * cap : 1024;
                AimGateRecord *nr = realloc(recs, sizeof(*nr) * (size_t)cap);
                uint64_t *nhs = nr ? realloc(hash, sizeof(*nhs) * (size_t)cap) : NULL;
                int64_t *np = nhs ? realloc(pts, sizeof(*np) * (size_t)cap) : NULL;
                if (nr)
                    recs = nr;
                if (nhs)
                    hash = nhs;
                if (np)
                    pts = np;
                if (!nr || !nhs || !np) {
                    aim_frame_unref(&f);
                    ret = AIM_ERR(ENOMEM);
                    break;
                }
            }
            pts[nh] = f->pts;
            hash[nh++] = frame_hash(f);
        }
        while ((ret = aim_gate_send(g, f)) == AIM_ERR(EAGAIN)) {
            AimGateRecord rec;
            if ((ret = aim_gate_receive(g, &rec)) < 0)
                break;
            recs[n++] = rec;
        }
        aim_frame_unref(&f);
        for (;;) {
            AimGateRecord rec;
            if (ret < 0 || (ret = aim_gate_receive(g, &rec)) < 0)
                break;
            recs[n++] = rec;
        }
        if (ret == AIM_ERR(EAGAIN))
            ret = 0;
        else if (ret == AIM_ERR_EOF && eof)
            break;
    }
    if (ret == AIM_ERR_EOF)
        ret = 0;
    if (ret >= 0 && (n != nh || n == 0))
        ret = AIM_ERR(EINVAL);
    aim_gate_destroy(&g);
    aim_reader_close(&r);
    if (ret < 0) {
        for (int64_t i = 0; i < n; i++)
            aim_gate_record_clear(&recs[i]);
        free(recs);
        free(hash);
        free(pts);
        return ret;
    }
    *recs_out = recs;
    *hash_out = hash;
    p->pts = pts;
    *n_out = n;
    return 0;
}

// Segment boundaries: near each ideal place (n / nsegs apart), the nearest cut within a quarter
// of a segment, else the nearest hold, else the ideal place with one frame read twice.
static int choose_segments(Plan *p, const AimGateRecord *recs, int nsegs)
{
    const int64_t n = p->nb_frames;
    if (nsegs > n)
        nsegs = (int)n;
    if (nsegs < 1)
        nsegs = 1;
    if (!(p->segs = calloc((size_t)nsegs, sizeof(*p->segs))))
        return AIM_ERR(ENOMEM);
    double len = (double)n / nsegs;
    int64_t win = (int64_t)(len / 4);
    int64_t prev = 0;
    int count = 0;
    snprintf(p->segs[0].kind, sizeof(p->segs[0].kind), "start");
    for (int j = 1; j < nsegs; j++) {
        int64_t ideal = (int64_t)(j * len + 0.5), best = -1;
        const char *kind = "overlap";
        for (int want = AIM_CLASS_CUT; want <= AIM_CLASS_HOLD && best < 0; want++) {
            for (int64_t d = 0; d <= win && best < 0; d++) {
                for (int s = -1; s <= 1 && best < 0; s += 2) {
                    int64_t b = ideal + s * d;
                    if (b > prev && b < n - 1 && recs[b].cls == (AimGateClass)want)
                        best = b;
                }
            }
            if (best >= 0)
                kind = want == AIM_CLASS_CUT ? "cut" : "hold";
        }
        if (best < 0)
            best = ideal;
        // the last segment keeps two frames: its last lasts as long as the interval before
        if (best <= prev || best >= n - 1)
            continue;
        p->segs[count].end = best;
        count++;
        p->segs[count].first = best;
        snprintf(p->segs[count].kind, sizeof(p->segs[count].kind), "%s", kind);
        prev = best;
    }
    p->segs[count].end = n;
    p->nsegs = count + 1;
    // a segment reads the frame after its range: the later picture of its last interval when
    // that is interpolated, and in any case its time, where the last interval ends
    for (int i = 0; i < p->nsegs; i++) {
        PlanSeg *s = &p->segs[i];
        s->read_end = s->end < n ? s->end + 1 : s->end;
    }
    seg_outputs(p);
    return 0;
}

// Options that are the job's own, or not settings of the output.
static int is_run_option(const char *a, int *takes_value)
{
    static const char *const flags[] = { "-y", "-q", "--quiet", "-v", "--verbose", "--resume" };
    static const char *const valued[] = { "-o", "--out", "--report" };
    *takes_value = 0;
    for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
        if (!strcmp(a, flags[i]))
            return 1;
    for (size_t i = 0; i < sizeof(valued) / sizeof(*valued); i++) {
        size_t n = strlen(valued[i]);
        if (!strcmp(a, valued[i])) {
            *takes_value = 1;
            return 1;
        }
        if (!strncmp(a, valued[i], n) && a[n] == '=')
            return 1;
    }
    return 0;
}

typedef struct PlanRequest {
    const char *dir, *in;
    char **args;         // enhance options (no IN, --out, -y, -q, -v, --report, --resume)
    int nargs;
    int segments;        // > 0: this many
    double seconds;      // > 0: about this long each
    int overwrite, quiet, verbose;
} PlanRequest;

static int make_dir(const char *dir, const AimLog *log)
{
    if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
        aim_log(log, AIM_LOG_ERROR, "cannot create the job folder %s: %s", dir,
                strerror(errno));
        return AIM_EXIT_OUTPUT;
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) < 0) {
        aim_log(log, AIM_LOG_ERROR, "%s: not a writable folder", dir);
        return AIM_EXIT_OUTPUT;
    }
    return 0;
}

// Removes the job's own files from dir (and dir itself when `rmdir_too` and it is empty).
static void clear_job(const char *dir, int rmdir_too)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *s = e->d_name;
        if (!strcmp(s, "plan.json") || !strcmp(s, "gate.bin") || !strncmp(s, "seg-", 4) ||
            !strncmp(s, ".seg-", 5) || !strncmp(s, ".plan.json.part", 15) ||
            !strncmp(s, ".gate.bin.part", 14)) {
            char path[PATH_MAX + 300];
            snprintf(path, sizeof(path), "%s/%s", dir, s);
            unlink(path);
        }
    }
    closedir(d);
    if (rmdir_too)
        rmdir(dir);
}

static int do_plan(const PlanRequest *rq, int *nsegs_out)
{
    AimLog log = make_log(rq->quiet, rq->verbose);
    int code = make_dir(rq->dir, &log);
    if (code)
        return code;
    char path[PATH_MAX + 16];
    path_in(path, sizeof(path), rq->dir, "plan.json");
    if (access(path, F_OK) == 0) {
        if (!rq->overwrite) {
            aim_log(&log, AIM_LOG_ERROR, "%s already holds a job (plan.json): -y replaces it "
                    "and its segments", rq->dir);
            return AIM_EXIT_OUTPUT;
        }
        clear_job(rq->dir, 0);
    }
    // The enhance options resolve exactly as in a run; the run stops before any output.
    int eargc = rq->nargs + 4 + (rq->quiet || rq->verbose);
    char **eargv = calloc((size_t)eargc + 1, sizeof(*eargv));
    if (!eargv)
        return AIM_EXIT_FAILED;
    int k = 0;
    eargv[k++] = "enhance";
    eargv[k++] = (char *)rq->in;
    for (int i = 0; i < rq->nargs; i++)
        eargv[k++] = rq->args[i];
    eargv[k++] = "--out";
    eargv[k++] = "plan.mkv";
    if (rq->quiet || rq->verbose)
        eargv[k++] = rq->verbose ? "-v" : "-q";
    EnhanceOptions o;
    char err[512];
    if (aim_enhance_parse(k, eargv, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "ainimotion: %s (try 'ainimotion plan --help')\n", err);
        free(eargv);
        return AIM_EXIT_USAGE;
    }
    PlanCapture cap = { .models_dir = o.models_dir };
    AimEnhanceHooks hooks = { .opaque = &cap, .configure = plan_configure };
    code = aim_cli_enhance_run(&o, &hooks);
    free(eargv);
    if (code)
        return code;
    if (!cap.done)
        return AIM_EXIT_FAILED;
    Plan p = { 0 };
    snprintf(p.dir, sizeof(p.dir), "%s", rq->dir);
    p.settings = cap.settings;
    p.rate = cap.ps.rate;
    p.src_rate = cap.src_rate;
    p.clip_start = o.clip_set ? o.clip_start : -1; // the frames enhance --clip renders
    p.clip_end = o.clip_set ? o.clip_end : -1;
    if (!realpath(rq->in, p.input)) {
        aim_log(&log, AIM_LOG_ERROR, "%s: %s", rq->in, strerror(errno));
        plan_free(&p);
        return AIM_EXIT_INPUT;
    }
    int ret;
    if ((ret = hash_file(p.input, 1, p.input_sha, &p.input_size)) < 0 ||
        (ret = hash_file(p.input, 0, p.quick_sha, NULL)) < 0) {
        aim_log(&log, AIM_LOG_ERROR, "%s: cannot read: %s", p.input, aim_strerror(ret));
        plan_free(&p);
        return AIM_EXIT_INPUT;
    }
    if (build_id(p.build) < 0) {
        aim_log(&log, AIM_LOG_ERROR, "cannot read this program's own file (/proc/self/exe)");
        plan_free(&p);
        return AIM_EXIT_FAILED;
    }
    AimGateSettings gs = cap.ps.gate;
    gs.log = log;
    AimGateRecord *recs = NULL;
    uint64_t *hash = NULL;
    if ((ret = gate_pass(&p, &gs, &recs, &hash, &p.nb_frames, &log)) < 0) {
        aim_log(&log, AIM_LOG_ERROR, "%s: decoding and gating failed: %s", p.input,
                aim_strerror(ret));
        plan_free(&p);
        return ret == AIM_ERR(ENOMEM) ? AIM_EXIT_FAILED : AIM_EXIT_INPUT;
    }
    p.recs = recs;
    p.frame_hash = hash;
    code = AIM_EXIT_FAILED;
    if (!(p.decisions = malloc((size_t)p.nb_frames + 1)))
        goto end;
    for (int64_t i = 0; i < p.nb_frames; i++)
        p.decisions[i] = "schmf"[recs[i].cls < 5 ? recs[i].cls : 0];
    p.decisions[p.nb_frames] = 0;
    int want = rq->segments;
    if (want <= 0) {
        double sec = rq->seconds > 0 ? rq->seconds : 60;
        double total = (double)p.nb_frames * p.src_rate.den / p.src_rate.num;
        want = (int)(total / sec + 0.999);
    }
    if (choose_segments(&p, recs, want) < 0)
        goto end;
    p.args = rq->args; // borrowed for writing
    p.nargs = rq->nargs;
    AimSha256 gsha;
    aim_sha256_init(&gsha);
    GateData gd = { recs, hash, p.pts, p.nb_frames, &gsha };
    char gpath[PATH_MAX + 16];
    path_in(gpath, sizeof(gpath), rq->dir, "gate.bin");
    const char *failed = gpath;
    if ((ret = write_atomic(gpath, gate_write, &gd)) >= 0)
        sha_hex(&gsha, p.gate_sha); // of the bytes written (render hashes the file it reads)
    if (ret < 0 || (failed = path, ret = write_atomic(path, plan_write, &p)) < 0) {
        aim_log(&log, AIM_LOG_ERROR, "%s: cannot write the plan: %s", failed,
                aim_strerror(ret));
        unlink(gpath); // no plan.json: gate.bin alone is no job
        code = aim_cli_output_exit(ret);
        p.args = NULL;
        p.nargs = 0;
        goto end;
    }
    p.args = NULL;
    p.nargs = 0;
    int cuts = 0, holds = 0;
    for (int i = 1; i < p.nsegs; i++) {
        cuts += !strcmp(p.segs[i].kind, "cut");
        holds += !strcmp(p.segs[i].kind, "hold");
    }
    aim_log(&log, AIM_LOG_INFO, "%s: %lld source frames, %d segments (boundaries: %d at cuts, "
            "%d at holds, %d inside motion)", rq->dir, (long long)p.nb_frames,
            p.nsegs, cuts, holds, p.nsegs - 1 - cuts - holds);
    if (nsegs_out)
        *nsegs_out = p.nsegs;
    code = 0;
end:
    plan_free(&p);
    return code;
}

static void plan_usage(FILE *f)
{
    fprintf(f,
"usage: ainimotion plan IN --job DIR [enhance options] [--segments N | --segment-seconds S]\n"
"\n"
"Decodes and gates IN once and writes DIR/plan.json (+ gate.bin): the input, every setting,\n"
"the gate's decisions and the segments (boundaries at cuts, else holds, else inside motion).\n"
"Prints N, the number of segments; then run 'ainimotion render DIR --segment K' for K = 0..N-1\n"
"(any machine that sees DIR and IN at the same paths) and 'ainimotion join DIR --out OUT'.\n"
"  --segments N         about N segments (default: one per minute of source)\n"
"  --segment-seconds S  segments of about S seconds of source\n"
"  -y                   replace a job already in DIR\n"
"Every enhance option except --out and --report is taken (see enhance --help); with --clip\n"
"the job is that range, as enhance --clip renders it.\n");
}

int aim_cmd_plan(int argc, char **argv)
{
    PlanRequest rq = { 0 };
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args)
        return AIM_EXIT_FAILED;
    int code = AIM_EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int tv;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            plan_usage(stdout);
            free(args);
            return AIM_EXIT_OK;
        } else if (!strcmp(a, "--job") || !strcmp(a, "--segments") ||
                   !strcmp(a, "--segment-seconds")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ainimotion: plan: %s needs a value\n", a);
                goto end;
            }
            const char *v = argv[++i];
            long n;
            if (!strcmp(a, "--job")) {
                rq.dir = v;
            } else if (!strcmp(a, "--segments")) {
                if (aim_parse_int(v, 1, 100000, &n) < 0) {
                    fprintf(stderr, "ainimotion: plan: bad --segments '%s' (1-100000)\n", v);
                    goto end;
                }
                rq.segments = (int)n;
            } else if (aim_parse_double(v, 0.5, 1e6, &rq.seconds) < 0) {
                fprintf(stderr, "ainimotion: plan: bad --segment-seconds '%s'\n", v);
                goto end;
            }
        } else if (!strcmp(a, "-y")) {
            rq.overwrite = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            rq.quiet = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            rq.verbose = 1;
        } else if (is_run_option(a, &tv)) {
            fprintf(stderr, "ainimotion: plan: %s is not a plan option (the output is given "
                    "to join)\n", a);
            goto end;
        } else if ((a[0] != '-' || !strcmp(a, "-")) && !rq.in) {
            rq.in = a;
        } else {
            args[rq.nargs++] = argv[i];
        }
    }
    if (!rq.in || !rq.dir) {
        fprintf(stderr, "ainimotion: plan: give IN and --job DIR (try 'ainimotion plan "
                "--help')\n");
        goto end;
    }
    if (rq.segments && rq.seconds > 0) {
        fprintf(stderr, "ainimotion: plan: --segments and --segment-seconds exclude each "
                "other\n");
        goto end;
    }
    rq.args = args;
    int n = 0;
    code = do_plan(&rq, &n);
    if (!code)
        printf("%d\n", n);
end:
    free(args);
    return code;
}

// ---- render -----------------------------------------------------------------------------

typedef struct RenderCtx {
    Plan *p;
    int k;
    const char *models_dir;
    int64_t next;      // global number of the next frame read
    AimLog log;
} RenderCtx;

static int render_configure(void *opaque, AimReader *r, AimWriterSettings *ws,
                            AimPipelineSettings *ps)
{
    RenderCtx *c = opaque;
    char *here = NULL;
    if (settings_string(ws, ps, c->models_dir, &here) < 0)
        return AIM_EXIT_FAILED;
    if (strcmp(here, c->p->settings)) {
        char a[256], b[256];
        first_difference(c->p->settings, here, a, b, sizeof(a));
        aim_log(&c->log, AIM_LOG_ERROR, "segment %d: this machine resolves the plan's options "
                "differently (models, CPU level or build): plan '%s', here '%s'", c->k, a, b);
        free(here);
        return AIM_EXIT_INPUT;
    }
    free(here);
    const PlanSeg *s = &c->p->segs[c->k];
    ws->copy_from = NULL; // the join copies the other streams once
    ps->records = c->p->recs;
    ps->nb_records = c->p->nb_frames;
    ps->first_frame = s->first;
    ps->emit_end = s->end;
    // timed as in the one-piece run: render_read gives each frame its time from the plan
    return 0;
}

static int render_read(void *opaque, AimReader *r, AimFrame **out)
{
    RenderCtx *c = opaque;
    const PlanSeg *s = &c->p->segs[c->k];
    if (c->next >= s->read_end)
        return AIM_ERR_EOF;
    int ret = aim_reader_read(r, out);
    if (ret == AIM_ERR_EOF) {
        aim_log(&c->log, AIM_LOG_ERROR, "segment %d: the input ends at frame %lld, the plan "
                "has %lld", c->k, (long long)c->next, (long long)c->p->nb_frames);
        return AIM_ERR_INVALID_DATA;
    }
    if (ret < 0)
        return ret;
    if (frame_hash(*out) != c->p->frame_hash[c->next]) {
        aim_log(&c->log, AIM_LOG_ERROR, "segment %d: source frame %lld is not the one the "
                "plan saw (the input changed, or seeking in it is not exact)", c->k,
                (long long)c->next);
        aim_frame_unref(out);
        return AIM_ERR_INVALID_DATA;
    }
    // the reader times a seek's pictures from its first: the plan's times are the whole job's
    (*out)->pts = c->p->pts[c->next];
    c->next++;
    return 0;
}

// Renders segment k of a loaded plan (gate.bin loaded). Returns an exit code.
static int render_segment(Plan *p, int k, int quiet, int verbose, const AimLog *log)
{
    char why[128];
    if (seg_done(p, k, why, sizeof(why))) {
        aim_log(log, AIM_LOG_INFO, "segment %d is already done", k);
        return AIM_EXIT_OK;
    }
    Lock lock = { 0 };
    char owner[300];
    int ret = lock_take(&lock, p->dir, k, owner, sizeof(owner));
    if (ret < 0) {
        aim_log(log, AIM_LOG_ERROR, "segment %d: cannot create its lock in %s: %s", k, p->dir,
                aim_strerror(ret));
        return aim_cli_output_exit(ret);
    }
    if (ret > 0) {
        aim_log(log, AIM_LOG_WARNING, "segment %d is being rendered by another worker (%s): "
                "skipped", k, owner);
        return AIM_EXIT_OK;
    }
    int code;
    // another worker may have finished it between the check and the lock
    if (seg_done(p, k, why, sizeof(why))) {
        lock_release(&lock);
        return AIM_EXIT_OK;
    }
    remove_partials(p->dir, k);
    char out[PATH_MAX + 32], done[PATH_MAX + 32];
    seg_path(out, sizeof(out), p->dir, k, "mkv");
    seg_path(done, sizeof(done), p->dir, k, "done");
    unlink(done);
    const PlanSeg *s = &p->segs[k];
    // argv: enhance IN <plan args> --out SEG -y [-q|-v] [--clip START-END to seek]
    int eargc = p->nargs + 8;
    char **eargv = calloc((size_t)eargc + 1, sizeof(*eargv));
    if (!eargv) {
        lock_release(&lock);
        return AIM_EXIT_FAILED;
    }
    int n = 0;
    eargv[n++] = "enhance";
    eargv[n++] = p->input;
    for (int i = 0; i < p->nargs; i++)
        eargv[n++] = p->args[i];
    eargv[n++] = "--out";
    eargv[n++] = out;
    eargv[n++] = "-y";
    if (quiet || verbose)
        eargv[n++] = verbose ? "-v" : "-q";
    EnhanceOptions o;
    char err[512];
    if (aim_enhance_parse(n, eargv, &o, err, sizeof(err)) < 0) {
        aim_log(log, AIM_LOG_ERROR, "plan options: %s", err);
        free(eargv);
        lock_release(&lock);
        return AIM_EXIT_INPUT;
    }
    // seek: the frames from halfway between the segment's first and the one before it to
    // halfway between the last read and the one after it, on the input's clock (the frame
    // hashes confirm each one); the job's own clip range at its ends
    if (s->first > 0 || s->read_end < p->nb_frames) {
        o.clip_set = 1;
        o.clip_start = s->first > 0 ? p->clip_zero + 0.5e-6 * (double)(p->pts[s->first - 1] +
                                                                       p->pts[s->first])
                                    : p->clip_start;
        o.clip_end = s->read_end < p->nb_frames
                         ? p->clip_zero + 0.5e-6 * (double)(p->pts[s->read_end - 1] +
                                                            p->pts[s->read_end])
                         : p->clip_end;
    }
    RenderCtx rc = { p, k, o.models_dir, s->first, *log };
    AimEnhanceHooks hooks = { &rc, render_configure, render_read };
    code = aim_cli_enhance_run(&o, &hooks);
    free(eargv);
    if (!code) {
        struct stat st;
        DoneArg d = { p, 0, s->out_count };
        if (stat(out, &st) < 0)
            ret = AIM_ERR(errno);
        else
            d.size = st.st_size, ret = write_atomic(done, done_write, &d);
        if (ret < 0) { // not done: the next render does it again
            aim_log(log, AIM_LOG_ERROR, "%s: cannot record segment %d as done: %s", done, k,
                    aim_strerror(ret));
            code = aim_cli_output_exit(ret);
        }
    }
    lock_release(&lock);
    return code;
}

// Loads the plan and checks it is for this input and build. Returns an exit code.
static int plan_open(Plan *p, const char *dir, int with_gate, const AimLog *log)
{
    int code = plan_load(p, dir, log);
    if (code)
        return code;
    char sha[65];
    int64_t size = 0;
    if (build_id(sha) < 0 || strcmp(sha, p->build)) {
        aim_log(log, AIM_LOG_ERROR, "%s: planned by another build of ainimotion (%.12s, this "
                "is %.12s): render every segment with the same program", dir, p->build, sha);
        plan_free(p);
        return AIM_EXIT_INPUT;
    }
    if (hash_file(p->input, 0, sha, &size) < 0) {
        aim_log(log, AIM_LOG_ERROR, "%s: the job's input %s cannot be read", dir, p->input);
        plan_free(p);
        return AIM_EXIT_INPUT;
    }
    if (size != p->input_size || strcmp(sha, p->quick_sha)) {
        aim_log(log, AIM_LOG_ERROR, "%s: the input %s changed since it was planned (%lld bytes, "
                "plan: %lld bytes%s)", dir, p->input, (long long)size,
                (long long)p->input_size, size == p->input_size ? ", other content" : "");
        plan_free(p);
        return AIM_EXIT_INPUT;
    }
    if (with_gate && (code = gate_load(p, log))) {
        plan_free(p);
        return code;
    }
    return 0;
}

// render's and join's command line: DIR, -q -v -y and one valued option, `want` (--segment,
// --out, whose -o is taken too).
typedef struct JobCmd {
    const char *dir, *val;
    int quiet, verbose, yes;
    AimLog log;
    Plan p;
} JobCmd;

// render's and join's start: --help (the usage line, then `about`), the arguments (`num`: the
// option's value as a number, else NULL), the log and the plan (plan_open). Returns -1 with
// c->p open (plan_free it), or the exit code to end with.
static int job_start(JobCmd *c, int argc, char **argv, const char *usage, const char *about,
                     const char *want, long *num, int with_gate)
{
    *c = (JobCmd){ 0 };
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: %s\n\n%s", usage, about);
        return AIM_EXIT_OK;
    }
    int ok = 1;
    for (int i = 1; i < argc && ok; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            c->quiet = 1;
        else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
            c->verbose = 1;
        else if (!strcmp(a, "-y"))
            c->yes = 1;
        else if (!strcmp(a, want) || (!strcmp(want, "--out") && !strcmp(a, "-o")))
            ok = i + 1 < argc && (c->val = argv[++i]);
        else if (a[0] != '-' && !c->dir)
            c->dir = a;
        else
            ok = 0;
    }
    if (!ok || !c->dir || !c->val || (num && aim_parse_int(c->val, 0, 100000, num) < 0)) {
        fprintf(stderr, "ainimotion: usage: %s\n", usage);
        return AIM_EXIT_USAGE;
    }
    c->log = make_log(c->quiet, c->verbose);
    int code = plan_open(&c->p, c->dir, with_gate, &c->log);
    return code ? code : -1;
}

int aim_cmd_render(int argc, char **argv)
{
    JobCmd c;
    long k;
    int code = job_start(&c, argc, argv, "ainimotion render DIR --segment K [-q] [-v] [-y]",
                         "Renders segment K of the job in DIR (see plan). Nothing happens when "
                         "it is already done, or\nwhile another worker holds it. -y renders it "
                         "again.\n", "--segment", &k, 1);
    if (code >= 0)
        return code;
    if (k >= c.p.nsegs) {
        aim_log(&c.log, AIM_LOG_ERROR, "%s has segments 0-%d, not %ld", c.dir, c.p.nsegs - 1, k);
        plan_free(&c.p);
        return AIM_EXIT_USAGE;
    }
    if (c.yes) {
        char done[PATH_MAX + 32];
        seg_path(done, sizeof(done), c.dir, (int)k, "done");
        unlink(done);
    }
    code = render_segment(&c.p, (int)k, c.quiet, c.verbose, &c.log);
    plan_free(&c.p);
    return code;
}

// ---- join -------------------------------------------------------------------------------

// Joins every segment into out. Returns an exit code.
static int join_plan(Plan *p, const char *out, int overwrite, const AimLog *log)
{
    int missing = 0;
    for (int k = 0; k < p->nsegs; k++) {
        char why[128];
        if (!seg_done(p, k, why, sizeof(why))) {
            aim_log(log, AIM_LOG_ERROR, "segment %d: %s", k, why);
            missing++;
        }
    }
    if (missing) {
        aim_log(log, AIM_LOG_ERROR, "%s: %d of %d segments are not done (listed above): "
                "nothing was joined", p->dir, missing, p->nsegs);
        return AIM_EXIT_INPUT;
    }
    AimJoinSegment *segs = calloc((size_t)p->nsegs, sizeof(*segs));
    char (*paths)[PATH_MAX + 32] = calloc((size_t)p->nsegs, sizeof(*paths));
    if (!segs || !paths) {
        free(segs);
        free(paths);
        return AIM_EXIT_FAILED;
    }
    for (int k = 0; k < p->nsegs; k++) {
        seg_path(paths[k], sizeof(paths[k]), p->dir, k, "mkv");
        segs[k] = (AimJoinSegment){ paths[k], p->segs[k].out_first, p->segs[k].out_count };
    }
    AimReaderSettings rs;
    aim_reader_default_settings(&rs);
    rs.path = p->input;
    rs.log = *log;
    rs.clip_start = p->clip_start; // the other streams cut as enhance --clip cuts them
    rs.clip_end = p->clip_end;
    AimReader *r = NULL;
    int ret = aim_reader_open(&r, &rs), code = AIM_EXIT_OK;
    if (ret < 0) {
        code = AIM_EXIT_INPUT;
    } else {
        AimRational out_rate = { 0, 1 };
        aim_rational_mul(p->src_rate, p->rate, &out_rate);
        AimJoinSettings js = { out, overwrite, out_rate, r, segs, p->nsegs, *log };
        ret = aim_join(&js);
        if (ret == AIM_ERR_INVALID_DATA)
            code = AIM_EXIT_INPUT;
        else if (ret == AIM_ERR(ENOMEM) || ret == AIM_ERR_EXTERNAL)
            code = AIM_EXIT_FAILED;
        else if (ret < 0) // disk full included, as for enhance's output
            code = AIM_EXIT_OUTPUT;
        const PlanSeg *last = &p->segs[p->nsegs - 1];
        if (!ret)
            aim_log(log, AIM_LOG_INFO, "wrote %s: %d segments, %lld frames", out, p->nsegs,
                    (long long)(last->out_first + last->out_count));
    }
    aim_reader_close(&r);
    free(segs);
    free(paths);
    return code;
}

int aim_cmd_join(int argc, char **argv)
{
    JobCmd c;
    int code = job_start(&c, argc, argv, "ainimotion join DIR --out OUT [-q] [-v] [-y]",
                         "Joins the job's segments (stream copy) with the input's audio, "
                         "subtitles, fonts,\nchapters and metadata into OUT. Refuses, listing "
                         "them, if segments are not done.\n", "--out", NULL, 0);
    if (code >= 0)
        return code;
    code = join_plan(&c.p, c.val, c.yes, &c.log);
    plan_free(&c.p);
    return code;
}

// ---- status -----------------------------------------------------------------------------

int aim_cmd_status(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(argc == 2 ? stdout : stderr, "usage: ainimotion status DIR\n\nLists the job's "
                "segments: done, running (the worker's host and pid), pending.\n");
        return argc == 2 ? AIM_EXIT_OK : AIM_EXIT_USAGE;
    }
    AimLog log = make_log(1, 0);
    Plan p;
    int code = plan_load(&p, argv[1], &log);
    if (code)
        return code;
    int done = 0, running = 0;
    printf("job %s: %s, %lld source frames, %d segments\n", argv[1], p.input,
           (long long)p.nb_frames, p.nsegs);
    printf("segment  frames           boundary  state\n");
    for (int k = 0; k < p.nsegs; k++) {
        char why[128], lock[PATH_MAX + 32], owner[300], state[400];
        seg_path(lock, sizeof(lock), p.dir, k, "lock");
        if (seg_done(&p, k, why, sizeof(why))) {
            snprintf(state, sizeof(state), "done");
            done++;
        } else if (access(lock, F_OK) == 0) {
            int stale = lock_stale(lock, owner, sizeof(owner));
            snprintf(state, sizeof(state), "%s (%s)", stale ? "pending, stale lock" : "running",
                     owner);
            running += !stale;
        } else {
            snprintf(state, sizeof(state), "pending (%s)", why);
        }
        char range[48];
        snprintf(range, sizeof(range), "%lld-%lld", (long long)p.segs[k].first,
                 (long long)p.segs[k].end - 1);
        printf("%7d  %-15s  %-8s  %s\n", k, range, p.segs[k].kind, state);
    }
    printf("%d done, %d running, %d pending\n", done, running, p.nsegs - done - running);
    plan_free(&p);
    return AIM_EXIT_OK;
}

// ---- enhance --resume -------------------------------------------------------------------

// Ctrl-C / SIGTERM between two segments (during one, enhance's own handler stops the run).
// A signal handler can reach nothing else; lock-free atomics are async-signal-safe.
static atomic_int g_resume_cancel;

static void on_resume_signal(int sig)
{
    (void)sig;
    atomic_store(&g_resume_cancel, 1);
}

int aim_job_resume(const EnhanceOptions *o, int argc, char **argv)
{
    AimLog log = make_log(o->quiet, o->verbose);
    if (!strcmp(o->out, "-") || aim_writer_single_image(o->out) || o->report) {
        aim_log(&log, AIM_LOG_ERROR, "--resume needs a video file output (.mkv .mp4 .mov "
                ".webm) and no --report");
        return AIM_EXIT_USAGE;
    }
    const char *ext = strrchr(o->out, '.');
    if (!ext || !strcmp(ext, ".y4m")) {
        aim_log(&log, AIM_LOG_ERROR, "%s: --resume needs a video container (.mkv .mp4 .mov "
                ".webm)", o->out);
        return AIM_EXIT_USAGE;
    }
    if (!o->overwrite && access(o->out, F_OK) == 0) {
        aim_log(&log, AIM_LOG_ERROR, "%s: exists (-y replaces it)", o->out);
        return AIM_EXIT_OUTPUT;
    }
    char c1[PATH_MAX], c2[PATH_MAX], dir[PATH_MAX * 2 + 16];
    snprintf(c1, sizeof(c1), "%s", o->out);
    snprintf(c2, sizeof(c2), "%s", o->out);
    snprintf(dir, sizeof(dir), "%s/.%s.aimjob", dirname(c1), basename(c2));
    // the plan's options: enhance's, without the input and the run's own
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args)
        return AIM_EXIT_FAILED;
    int nargs = 0;
    for (int i = 1; i < argc; i++) {
        int tv;
        if (is_run_option(argv[i], &tv)) {
            i += tv;
            continue;
        }
        if (argv[i] == o->in)
            continue;
        args[nargs++] = argv[i];
    }
    Plan p;
    int code = 0, reuse = 0;
    char planfile[PATH_MAX * 2 + 32];
    path_in(planfile, sizeof(planfile), dir, "plan.json");
    if (access(planfile, F_OK) == 0) {
        AimLog quiet_log = make_log(1, o->verbose);
        char real[PATH_MAX];
        reuse = plan_open(&p, dir, 1, &quiet_log) == 0;
        reuse = reuse && realpath(o->in, real) && !strcmp(real, p.input) && p.nargs == nargs;
        for (int i = 0; reuse && i < nargs; i++)
            reuse = !strcmp(args[i], p.args[i]);
        if (!reuse) {
            aim_log(&log, AIM_LOG_WARNING, "%s: the unfinished job there is for another input, "
                    "settings or build: starting over", dir);
            if (p.args)
                plan_free(&p);
        }
    }
    make_log(o->quiet, o->verbose);
    if (!reuse) {
        clear_job(dir, 0);
        PlanRequest rq = { dir, o->in, args, nargs, 0, RESUME_SEGMENT_SECONDS, 1, o->quiet,
                           o->verbose };
        if ((code = do_plan(&rq, NULL)) || (code = plan_open(&p, dir, 1, &log))) {
            free(args);
            return code;
        }
    } else {
        int done = 0;
        char why[128];
        for (int k = 0; k < p.nsegs; k++)
            done += seg_done(&p, k, why, sizeof(why));
        aim_log(&log, AIM_LOG_INFO, "resuming %s: %d of %d segments already done", o->out, done,
                p.nsegs);
    }
    free(args);
    struct sigaction sa = { .sa_handler = on_resume_signal }, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    for (int k = 0; k < p.nsegs && !code; k++) {
        if (atomic_load(&g_resume_cancel)) {
            code = AIM_EXIT_INTERRUPTED;
            break;
        }
        // one line per segment; the segment's own progress and summary only with -v
        code = render_segment(&p, k, !o->verbose, o->verbose, &log);
        if (!code)
            aim_log(&log, AIM_LOG_INFO, "segment %d of %d done", k + 1, p.nsegs);
        char why[128];
        if (!code && !seg_done(&p, k, why, sizeof(why))) {
            aim_log(&log, AIM_LOG_ERROR, "segment %d is held by another process: run the "
                    "command again once it ends", k);
            code = AIM_EXIT_FAILED;
        }
    }
    if (!code && atomic_load(&g_resume_cancel))
        code = AIM_EXIT_INTERRUPTED;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (!code)
        code = join_plan(&p, o->out, o->overwrite, &log);
    if (!code)
        clear_job(dir, 1);
    else if (code == AIM_EXIT_INTERRUPTED)
        aim_log(&log, AIM_LOG_INFO, "finished segments are kept in %s: the same command "
                "resumes", dir);
    plan_free(&p);
    return code;
}
