// src/io tests: reader (formats, exact samples, errors, clip, damaged input), writer round trips,
// temp-name semantics and refusals, stream copy. Inputs are made here (ffmpeg CLI for a few
// sources the writer cannot make: PNG, FLAC-only, 4:2:2) in $AIM_TMP/io.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io.h"
#include "test.h"

static char tmpdir[512];
static int verbose;

static void log_cb(void *opaque, AimLogLevel level, const char *msg)
{
    (void)opaque;
    if (verbose || level <= AIM_LOG_WARNING)
        fprintf(stderr, "  [%s] %s\n", level == AIM_LOG_ERROR ? "error" :
                level == AIM_LOG_WARNING ? "warning" : "info", msg);
}

static const AimLog test_log = { log_cb, NULL, AIM_LOG_INFO };

static const char *tpath(char *buf, const char *name)
{
    snprintf(buf, 1024, "%s/%s", tmpdir, name);
    return buf;
}

static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), fmt, a, b);
    int ret = system(cmd);
    if (ret != 0)
        fprintf(stderr, "command failed (%d): %s\n", ret, cmd);
    return ret;
}

static int open_reader(AimReader **r, const char *path, double cs, double ce)
{
    AimReaderSettings s;
    aim_reader_default_settings(&s);
    s.path = path;
    s.clip_start = cs;
    s.clip_end = ce;
    s.log = test_log;
    return aim_reader_open(r, &s);
}

// Reads every frame; returns the count, keeps the frames if `keep` (caller frees).
static int read_all(AimReader *r, AimFrame **keep, int max)
{
    int n = 0;
    AimFrame *f;
    int ret;
    while ((ret = aim_reader_read(r, &f)) == 0) {
        CHECK_EQ_INT(f->index, n);
        if (keep && n < max)
            keep[n] = f;
        else
            aim_frame_unref(&f);
        n++;
    }
    CHECK_EQ_INT(ret, AIM_ERR_EOF);
    return n;
}

// Compares a frame with planar raw data (8-bit: 1 byte per sample, else 2 bytes LE).
static int same_as_raw(const AimFrame *f, const uint8_t *raw, int bytes)
{
    size_t off = 0;
    for (int p = 0; p < 3; p++) {
        int w = aim_plane_w(f, p), h = aim_plane_h(f, p);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++, off++) {
                int v = bytes == 1 ? raw[off] : raw[2 * off] | raw[2 * off + 1] << 8;
                if (f->data[p][y * f->stride[p] + x] != v) {
                    fprintf(stderr, "sample mismatch plane %d (%d,%d): %d vs %d\n", p, x, y,
                            f->data[p][y * f->stride[p] + x], v);
                    return 0;
                }
            }
    }
    return 1;
}

static uint8_t *load(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *d = malloc((size_t)n + 1);
    if (d && fread(d, 1, (size_t)n, fp) != (size_t)n) {
        free(d);
        d = NULL;
    }
    fclose(fp);
    *size = (size_t)n;
    return d;
}

// y4m from ffmpeg vs the same frames as raw planes: the reader must return exact samples.
// (10-bit uses an even width: FFmpeg 5.1's y4m muxer writes odd-width 10-bit chroma rows one
// byte short, so ffmpeg cannot make that input; the writer's own y4m round trip covers it.)
static void test_read_exact(const char *pix_fmt, int bytes, int depth)
{
    int w = depth == 8 ? 321 : 322, h = 181, cw = (w + 1) / 2, ch = (h + 1) / 2;
    char y4m[1024], raw[1024], name[64];
    snprintf(name, sizeof(name), "src_%s.y4m", pix_fmt);
    tpath(y4m, name);
    snprintf(name, sizeof(name), "src_%s.yuv", pix_fmt);
    tpath(raw, name);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "ffmpeg -v error -y -f lavfi -i testsrc2=size=322x182:rate=24000/1001 -vf scale=%d:%d"
             " -frames:v 7 -pix_fmt %s -strict -1 %s && ffmpeg -v error -y -i %s -f rawvideo %s",
             w, h, pix_fmt, y4m, y4m, raw);
    CHECK(system(cmd) == 0);
    AimReader *r = NULL;
    CHECK_EQ_INT(open_reader(&r, y4m, -1, -1), 0);
    if (!r)
        return;
    const AimVideoInfo *info = aim_reader_info(r);
    CHECK_EQ_INT(info->width, w);
    CHECK_EQ_INT(info->height, h);
    CHECK_EQ_INT(info->depth, depth);
    CHECK_EQ_INT(info->frame_rate.num, 24000);
    CHECK_EQ_INT(info->frame_rate.den, 1001);
    CHECK(!strcmp(info->pix_fmt, pix_fmt));
    size_t size;
    uint8_t *data = load(raw, &size);
    size_t fsize = (size_t)bytes * (size_t)(w * h + 2 * cw * ch);
    CHECK_EQ_INT(size, 7 * fsize);
    AimFrame *f;
    int n = 0;
    while (aim_reader_read(r, &f) == 0) {
        CHECK_EQ_INT(f->index, n);
        CHECK_EQ_INT(f->pts, (int64_t)llround(n * 1001e6 / 24000));
        CHECK_EQ_INT(f->depth, depth);
        if (data && (size_t)(n + 1) * fsize <= size)
            CHECK_MSG(same_as_raw(f, data + n * fsize, bytes), "%s frame %d", pix_fmt, n);
        aim_frame_unref(&f);
        n++;
    }
    CHECK_EQ_INT(n, 7);
    free(data);
    aim_reader_close(&r);
    CHECK(r == NULL);
}

// Formats that go through swscale: size, depth and a plausible picture.
static void test_read_converted(void)
{
    static const struct { const char *fmt, *ext; int depth; } cases[] = {
        { "yuv422p", "mkv", 8 }, { "yuv444p10le", "mkv", 10 }, { "rgb24", "png", 8 },
        { "yuvj422p", "avi", 8 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1024], name[64];
        snprintf(name, sizeof(name), "conv_%s.%s", cases[i].fmt, cases[i].ext);
        tpath(path, name);
        char cmd[4096];
        if (!strcmp(cases[i].ext, "png"))
            snprintf(cmd, sizeof(cmd), "ffmpeg -v error -y -f lavfi -i testsrc2=size=100x58 -vf scale=99:57 "
                     "-frames:v 1 -pix_fmt rgb24 %s", path);
        else
            snprintf(cmd, sizeof(cmd), "ffmpeg -v error -y -f lavfi -i testsrc2=size=100x58:rate=25 -vf scale=99:57 "
                     "-frames:v 5 -pix_fmt %s -c:v %s %s", cases[i].fmt,
                     strcmp(cases[i].ext, "avi") ? "ffv1" : "mjpeg", path);
        CHECK(system(cmd) == 0);
        AimReader *r = NULL;
        CHECK_EQ_INT(open_reader(&r, path, -1, -1), 0);
        if (!r)
            continue;
        const AimVideoInfo *info = aim_reader_info(r);
        CHECK_EQ_INT(info->width, 99);
        CHECK_EQ_INT(info->height, 57);
        CHECK_EQ_INT(info->depth, cases[i].depth);
        CHECK_MSG(!strcmp(info->pix_fmt, cases[i].fmt), "%s vs %s", info->pix_fmt, cases[i].fmt);
        if (!strcmp(cases[i].fmt, "rgb24")) {
            CHECK_EQ_INT(info->color.matrix, 1);
            CHECK_EQ_INT(info->color.range, 1);
        }
            if (!strcmp(cases[i].fmt, "yuvj422p"))
            CHECK_EQ_INT(info->color.range, 2);
        AimFrame *f = NULL;
        CHECK_EQ_INT(aim_reader_read(r, &f), 0);
        if (f) {
            // testsrc2 has saturated colour bars: luma spans most of the range, chroma varies
            int lo = 1 << 16, hi = -1, clo = 1 << 16, chi = -1;
            for (int y = 0; y < f->height; y++)
                for (int x = 0; x < f->width; x++) {
                    int v = f->data[0][y * f->stride[0] + x];
                    lo = v < lo ? v : lo;
                    hi = v > hi ? v : hi;
                }
            for (int y = 0; y < aim_plane_h(f, 1); y++)
                for (int x = 0; x < aim_plane_w(f, 1); x++) {
                    int v = f->data[1][y * f->stride[1] + x];
                    clo = v < clo ? v : clo;
                    chi = v > chi ? v : chi;
                }
            int scale = f->depth == 10 ? 4 : 1;
            CHECK_MSG(hi < (256 * scale) && hi - lo > 150 * scale && chi - clo > 100 * scale,
                      "%s: luma %d..%d chroma %d..%d", cases[i].fmt, lo, hi, clo, chi);
            aim_frame_unref(&f);
        }
        aim_reader_close(&r);
    }
}

static void test_read_errors(void)
{
    char path[1024];
    AimReader *r = NULL;
    CHECK_EQ_INT(open_reader(&r, tpath(path, "does_not_exist.mkv"), -1, -1), AIM_ERR(ENOENT));
    CHECK(r == NULL);

    FILE *fp = fopen(tpath(path, "not_media.mkv"), "w");
    for (int i = 0; fp && i < 200; i++)
        fputs("this is a text file, not a video\n", fp);
    if (fp)
        fclose(fp);
    CHECK_EQ_INT(open_reader(&r, path, -1, -1), AIM_ERR_INVALID_DATA);

    if (geteuid() != 0) {
        chmod(path, 0);
        CHECK_EQ_INT(open_reader(&r, path, -1, -1), AIM_ERR(EACCES));
        chmod(path, 0644);
    } else {
        fprintf(stderr, "  (running as root: unreadable-file case not testable)\n");
    }

    // audio only
    CHECK(sh("ffmpeg -v error -y -f lavfi -i sine=frequency=440:duration=0.5 -c:a flac %s",
             tpath(path, "audio_only.flac"), NULL) == 0);
    CHECK_EQ_INT(open_reader(&r, path, -1, -1), AIM_ERR_NO_VIDEO);
    // audio + cover art (attached picture) is still no video
    char cover[1024];
    CHECK(sh("ffmpeg -v error -y -f lavfi -i testsrc2=size=64x64 -frames:v 1 %s",
             tpath(cover, "cover.png"), NULL) == 0);
    char cmd[4096];
    char mp3[1024];
    tpath(mp3, "audio_cover.flac");
    snprintf(cmd, sizeof(cmd), "ffmpeg -v error -y -i %s -i %s -map 0 -map 1 -c:a copy -c:v png "
             "-disposition:v attached_pic %s", path, cover, mp3);
    if (system(cmd) == 0)
        CHECK_EQ_INT(open_reader(&r, mp3, -1, -1), AIM_ERR_NO_VIDEO);
    CHECK(r == NULL);
}

// x264 clip: 48 frames at 24 fps, keyframe every 12, with audio.
static const char *make_h264(char *path)
{
    tpath(path, "h264_48.mkv");
    sh("ffmpeg -v error -y -f lavfi -i testsrc2=size=160x90:rate=24 -f lavfi "
       "-i sine=frequency=440:sample_rate=48000 -t 2 -c:v libx264 -preset ultrafast -g 12 "
       "-bf 2 -c:a flac -shortest %s", path, NULL);
    return path;
}

static int64_t frame_sum(const AimFrame *f)
{
    int64_t s = 0;
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++)
            s += f->data[0][y * f->stride[0] + x] * (int64_t)(x + 3 * y + 1);
    return s;
}

static void test_clip(void)
{
    char path[1024];
    make_h264(path);
    AimReader *r = NULL;
    CHECK_EQ_INT(open_reader(&r, path, -1, -1), 0);
    if (!r)
        return;
    CHECK_EQ_INT(aim_reader_info(r)->nb_frames, 48);
    CHECK_NEAR(aim_reader_info(r)->duration, 2.0, 0.05);
    int64_t sums[48] = { 0 };
    AimFrame *f;
    int n = 0;
    while (aim_reader_read(r, &f) == 0) {
        if (n < 48)
            sums[n] = frame_sum(f);
        CHECK_NEAR(f->pts, n * 1e6 / 24, 1000); // mkv stores milliseconds
        aim_frame_unref(&f);
        n++;
    }
    CHECK_EQ_INT(n, 48);
    aim_reader_close(&r);

    // [0.75, 1.5): frames 18..35, starting mid-GOP (keyframes at 12, 24, 36)
    static const struct { double s, e; int first, count; } cl[] = {
        { 0.75, 1.5, 18, 18 }, { 1.0, -1, 24, 24 }, { -1, 0.5, 0, 12 }, { 1.9, -1, 46, 2 },
    };
    for (size_t c = 0; c < sizeof(cl) / sizeof(cl[0]); c++) {
        CHECK_EQ_INT(open_reader(&r, path, cl[c].s, cl[c].e), 0);
        if (!r)
            continue;
        CHECK_EQ_INT(aim_reader_info(r)->nb_frames, cl[c].count);
        n = 0;
        while (aim_reader_read(r, &f) == 0) {
            CHECK_EQ_INT(f->index, n);
            CHECK_NEAR(f->pts, n * 1e6 / 24, 1000);
            if (cl[c].first + n < 48)
                CHECK_MSG(frame_sum(f) == sums[cl[c].first + n], "clip %zu frame %d", c, n);
            aim_frame_unref(&f);
            n++;
        }
        CHECK_EQ_INT(n, cl[c].count);
        aim_reader_close(&r);
    }
    CHECK_EQ_INT(open_reader(&r, path, 5.0, -1), AIM_ERR(ERANGE));
    CHECK_EQ_INT(open_reader(&r, path, 1.0, 1.0), AIM_ERR(ERANGE));
    CHECK_EQ_INT(open_reader(&r, path, 1.0, 0.5), AIM_ERR(ERANGE));
    CHECK_EQ_INT(open_reader(&r, path, 0.5, 30.0), AIM_ERR(ERANGE));
    CHECK(r == NULL);
}

// Damaged input: truncated at half, and garbage in the middle.
static void test_damaged(void)
{
    char path[1024], cut[1024];
    make_h264(path);
    size_t size;
    uint8_t *d = load(path, &size);
    CHECK(d != NULL);
    if (!d)
        return;
    FILE *fp = fopen(tpath(cut, "h264_half.mkv"), "wb");
    fwrite(d, 1, size / 2, fp);
    fclose(fp);
    AimReader *r = NULL;
    CHECK_EQ_INT(open_reader(&r, cut, -1, -1), 0);
    if (r) {
        int n = read_all(r, NULL, 0);
        CHECK_MSG(n > 5 && n < 48, "truncated file: %d frames", n);
        aim_reader_close(&r);
    }
    // overwrite 2 KB in the middle with a pattern: decoding goes on past the damage
    for (size_t i = size / 2; i < size / 2 + 2048 && i < size; i++)
        d[i] = (uint8_t)(i * 131);
    fp = fopen(tpath(cut, "h264_damaged.mkv"), "wb");
    fwrite(d, 1, size, fp);
    fclose(fp);
    free(d);
    CHECK_EQ_INT(open_reader(&r, cut, -1, -1), 0);
    if (r) {
        int n = read_all(r, NULL, 0);
        CHECK_MSG(n > 30 && n <= 48, "damaged file: %d frames", n);
        aim_reader_close(&r);
    }
}

int main(int argc, char **argv)
{
    verbose = argc > 1 && !strcmp(argv[1], "-v");
    const char *t = getenv("AIM_TMP");
    snprintf(tmpdir, sizeof(tmpdir), "%s/io", t ? t : "/tmp/aim_test");
    char cmd[1100];
    snprintf(cmd, sizeof(cmd), "mkdir -p %s", tmpdir);
    if (system(cmd) != 0)
        TEST_SKIP("cannot create %s", tmpdir);
    if (system("ffmpeg -version >/dev/null 2>&1") != 0)
        TEST_SKIP("ffmpeg CLI not installed (scripts/install-deps.sh installs it)");

    test_read_exact("yuv420p", 1, 8);
    test_read_exact("yuv420p10le", 2, 10);
    test_read_converted();
    test_read_errors();
    test_clip();
    test_damaged();
    return test_finish("test_io");
}
