// aim_gen: writes a deterministic synthetic cel-animation clip (video, audio, ASS subtitles,
// a font attachment, chapters, metadata) and, on request, its per-frame truth labels.
// A test tool: it uses libav directly. Same arguments -> same decoded frames and samples.
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "gen.h"

#define FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define SAMPLE_RATE 48000
// x264/x265 thread count, fixed so the bitstream does not depend on the machine's core count
// (x264 output is deterministic for a given thread count; CI has 2 cores).
#define ENC_THREADS 2

typedef struct Opts {
    const char *out;
    int64_t frames;
    double duration;    // < 0: use frames
    int w, h;
    int fps_num, fps_den;
    int depth;
    const char *truth;
    int no_audio, no_subs;
    uint64_t seed;
    int crf;
    const char *encoder;     // NULL: libx264
    const char *preset;      // NULL: by size (see choose_preset)
    const char *audio_codec; // NULL: flac in Matroska, aac elsewhere
    const char *pgs;         // --pgs FILE.sup: bitmap subtitles for the clip (pgs.c)
} Opts;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: aim_gen OUT [options]\n"
        "Writes a deterministic synthetic cel-animation clip to OUT, replacing it (.mkv: H.264 +\n"
        "FLAC + ASS subtitles + font attachment + 2 chapters; .mp4: H.264 + AAC + chapters).\n"
        "\n"
        "  --frames N           number of frames (default 120)\n"
        "  --duration SEC       length in seconds instead (frames = round(SEC * fps))\n"
        "  --size WxH           picture size (default 640x360; odd sizes allowed, see below)\n"
        "  --fps NUM/DEN        frame rate (default 24000/1001; NUM alone means NUM/1)\n"
        "  --depth 8|10         bit depth (default 8; 10 = yuv420p10le)\n"
        "  --truth OUT.csv      write frame,label rows (start, cut, hold, motion, fade)\n"
        "  --no-audio           no audio stream\n"
        "  --no-subs            no subtitle stream and no font attachment\n"
        "  --seed N             changes colours and shape positions, not the layout (default 1)\n"
        "  --crf N              quality for libx264/libx265 (default 12; 0 = lossless)\n"
        "  --encoder NAME       video encoder (default libx264; e.g. libx265, ffv1)\n"
        "  --preset NAME        encoder preset (default: ultrafast up to 320x240 or over\n"
        "                       2 minutes at 640x360 worth of pixels, else veryfast)\n"
        "  --audio-codec NAME   audio encoder (default flac in .mkv, aac elsewhere)\n"
        "  --pgs FILE.sup       also write PGS bitmap subtitles for the clip (a box shown for\n"
        "                       0.4 s every 0.6 s from 0.2 s), to mux with ffmpeg -c:s copy\n"
        "  --help               this text\n"
        "\n"
        "Odd sizes: H.264/HEVC 4:2:0 cannot code odd dimensions (cropping is in 2-pixel units),\n"
        "so with libx264/libx265 an odd size is coded as 4:4:4 (yuv444p / yuv444p10le);\n"
        "use --encoder ffv1 for odd-sized 4:2:0.\n"
        "Layout (repeats every 120 frames; truth labels in --truth): 0-23 shot A on 2s,\n"
        "24-35 on 3s, 36-47 mouth-only changes on 2s, 48-63 one drawing held 16 frames,\n"
        "64 cut to shot B on 2s with a white flash frame at 76, 88-95 cross-dissolve to shot C,\n"
        "96-111 shot C on 2s, 112-119 fade to black; the next cycle starts with a cut.\n"
        "Audio: 100 ms beeps starting exactly at frame 0, every cut (1000 Hz left, 1500 Hz\n"
        "right) and every flash (2000/3000 Hz), silence elsewhere.\n");
}

static int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    const long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    int64_t v;
    if (parse_i64(s, lo, hi, &v))
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_size(const char *s, int *w, int *h)
{
    char buf[64];
    const char *x = strchr(s, 'x');
    if (!x || (size_t)(x - s) >= sizeof(buf))
        return -1;
    memcpy(buf, s, (size_t)(x - s));
    buf[x - s] = 0;
    // 16x16 minimum keeps the shapes meaningful; 8192 is beyond any test's need.
    return parse_int(buf, 16, 8192, w) || parse_int(x + 1, 16, 8192, h) ? -1 : 0;
}

static int parse_fps(const char *s, int *num, int *den)
{
    char buf[64];
    const char *slash = strchr(s, '/');
    if (!slash)
        return parse_int(s, 1, 1000, num) ? -1 : (*den = 1, 0);
    if ((size_t)(slash - s) >= sizeof(buf))
        return -1;
    memcpy(buf, s, (size_t)(slash - s));
    buf[slash - s] = 0;
    if (parse_int(buf, 1, 1000000, num) || parse_int(slash + 1, 1, 1000000, den))
        return -1;
    const double f = (double)*num / *den;
    return f >= 1.0 && f <= 1000.0 ? 0 : -1;
}

static int parse_args(int argc, char **argv, Opts *o)
{
    memset(o, 0, sizeof(*o));
    o->frames = 120;
    o->duration = -1.0;
    o->w = 640;
    o->h = 360;
    o->fps_num = 24000;
    o->fps_den = 1001;
    o->depth = 8;
    o->seed = 1;
    o->crf = 12;
    int have_frames = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        }
        if (a[0] != '-' || !a[1]) {
            if (o->out) {
                fprintf(stderr, "aim_gen: more than one output given: %s, %s\n", o->out, a);
                return -1;
            }
            o->out = a;
            continue;
        }
        if (!strcmp(a, "--no-audio")) {
            o->no_audio = 1;
            continue;
        }
        if (!strcmp(a, "--no-subs")) {
            o->no_subs = 1;
            continue;
        }
        // --opt VALUE or --opt=VALUE
        char name[32];
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        if (eq) {
            if ((size_t)(eq - a) >= sizeof(name))
                goto unknown;
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = 0;
            val = eq + 1;
        } else {
            if (strlen(a) >= sizeof(name))
                goto unknown;
            strcpy(name, a);
            if (i + 1 < argc)
                val = argv[++i];
        }
        if (!val) {
            fprintf(stderr, "aim_gen: %s needs a value\n", name);
            return -1;
        }
        int bad = 0;
        int64_t v;
        if (!strcmp(name, "--frames")) {
            // 10 million frames is ~5 days at 24 fps: far beyond any test.
            bad = parse_i64(val, 1, 10000000, &o->frames);
            have_frames = 1;
        } else if (!strcmp(name, "--duration")) {
            char *end;
            errno = 0;
            o->duration = strtod(val, &end);
            bad = errno || end == val || *end || !(o->duration > 0.0 && o->duration <= 86400.0);
        } else if (!strcmp(name, "--size")) {
            bad = parse_size(val, &o->w, &o->h);
        } else if (!strcmp(name, "--fps")) {
            bad = parse_fps(val, &o->fps_num, &o->fps_den);
        } else if (!strcmp(name, "--depth")) {
            bad = parse_int(val, 8, 10, &o->depth) || (o->depth != 8 && o->depth != 10);
        } else if (!strcmp(name, "--truth")) {
            o->truth = val;
        } else if (!strcmp(name, "--seed")) {
            bad = parse_i64(val, 0, INT64_MAX, &v);
            o->seed = (uint64_t)v;
        } else if (!strcmp(name, "--crf")) {
            bad = parse_int(val, 0, 51, &o->crf);
        } else if (!strcmp(name, "--encoder")) {
            o->encoder = val;
        } else if (!strcmp(name, "--preset")) {
            o->preset = val;
        } else if (!strcmp(name, "--audio-codec")) {
            o->audio_codec = val;
        } else if (!strcmp(name, "--pgs")) {
            o->pgs = val;
        } else {
            goto unknown;
        }
        if (bad) {
            fprintf(stderr, "aim_gen: invalid value for %s: '%s'\n", name, val);
            return -1;
        }
        continue;
    unknown:
        fprintf(stderr, "aim_gen: unknown option '%s' (see --help)\n", a);
        return -1;
    }
    if (!o->out) {
        fprintf(stderr, "aim_gen: no output file given (see --help)\n");
        return -1;
    }
    if (o->duration > 0.0) {
        if (have_frames) {
            fprintf(stderr, "aim_gen: give --frames or --duration, not both\n");
            return -1;
        }
        o->frames = llround(o->duration * o->fps_num / o->fps_den);
        if (o->frames < 1)
            o->frames = 1;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------

typedef struct AudioEvent {
    int64_t onset; // sample index
    int type;      // enum GenEvent
} AudioEvent;

typedef struct Gen {
    const Opts *o;
    AVFormatContext *oc;
    AVCodecContext *venc, *aenc;
    AVStream *vst, *ast, *sst;
    AVFrame *vframe, *aframe;
    AVPacket *pkt;
    int64_t audio_total;  // samples
    int64_t audio_done;   // samples sent to the encoder
    AudioEvent *events;
    int nb_events, next_event;
    int subs_written;
    int file_open;
} Gen;

static int averr(const char *what, int err)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, buf, sizeof(buf));
    fprintf(stderr, "aim_gen: %s: %s\n", what, buf);
    return -1;
}

// Sample index of the start of frame f: round(f * den * sr / num).
static int64_t frame_to_sample(const Opts *o, int64_t f)
{
    return av_rescale_rnd(f, (int64_t)o->fps_den * SAMPLE_RATE, o->fps_num, AV_ROUND_NEAR_INF);
}

static int write_packets(Gen *g, AVCodecContext *enc, AVStream *st)
{
    for (;;) {
        int ret = avcodec_receive_packet(enc, g->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0)
            return averr("encoding", ret);
        av_packet_rescale_ts(g->pkt, enc->time_base, st->time_base);
        g->pkt->stream_index = st->index;
        ret = av_interleaved_write_frame(g->oc, g->pkt);
        if (ret < 0)
            return averr("writing a packet", ret);
    }
}

// --- video ------------------------------------------------------------------------------------

static const char *choose_preset(const Opts *o)
{
    if (o->preset)
        return o->preset;
    // Tiny pictures and long clips (the 24-minute A/V sync input) need speed, not compression:
    // up to 320x240, and beyond 2 minutes of 640x360 at 24 fps, ultrafast. Otherwise veryfast:
    // at crf 12 it made the same size as "fast" in 62% of the CPU time (960x540, 240 frames:
    // 1.51 MB in 2.4 s user vs 1.51 MB in 3.9 s; superfast: 1.97 MB in 2.0 s).
    const double pixels = (double)o->w * o->h * (double)o->frames;
    if ((int64_t)o->w * o->h <= 320 * 240 || pixels > 640.0 * 360.0 * 24.0 * 120.0)
        return "ultrafast";
    return "veryfast";
}

static int open_video(Gen *g)
{
    const Opts *o = g->o;
    const char *name = o->encoder ? o->encoder : "libx264";
    const AVCodec *codec = avcodec_find_encoder_by_name(name);
    if (!codec || codec->type != AVMEDIA_TYPE_VIDEO) {
        fprintf(stderr, "aim_gen: video encoder '%s' not available\n", name);
        return -1;
    }
    const int odd = (o->w | o->h) & 1;
    const int x26x = !strcmp(codec->name, "libx264") || !strcmp(codec->name, "libx265");
    enum AVPixelFormat fmt;
    if (odd && x26x)
        fmt = o->depth == 10 ? AV_PIX_FMT_YUV444P10LE : AV_PIX_FMT_YUV444P;
    else
        fmt = o->depth == 10 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
    int ok = !codec->pix_fmts;
    for (const enum AVPixelFormat *p = codec->pix_fmts; p && *p != AV_PIX_FMT_NONE; p++)
        ok |= *p == fmt;
    if (!ok) {
        fprintf(stderr, "aim_gen: encoder %s cannot code %s\n", codec->name,
                av_get_pix_fmt_name(fmt));
        return -1;
    }
    if (odd && x26x)
        fprintf(stderr, "aim_gen: note: odd size %dx%d is coded as %s (H.264/HEVC 4:2:0 needs "
                "even sizes); use --encoder ffv1 for odd 4:2:0\n", o->w, o->h,
                av_get_pix_fmt_name(fmt));
    AVCodecContext *c = g->venc = avcodec_alloc_context3(codec);
    g->vst = avformat_new_stream(g->oc, NULL);
    if (!c || !g->vst)
        return averr("allocating the video encoder", AVERROR(ENOMEM));
    c->width = o->w;
    c->height = o->h;
    c->pix_fmt = fmt;
    c->time_base = (AVRational){ o->fps_den, o->fps_num };
    c->framerate = (AVRational){ o->fps_num, o->fps_den };
    c->sample_aspect_ratio = (AVRational){ 1, 1 };
    c->color_range = AVCOL_RANGE_MPEG;
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    c->colorspace = AVCOL_SPC_BT709;
    c->chroma_sample_location = AVCHROMA_LOC_LEFT;
    c->thread_count = ENC_THREADS;
    c->flags |= AV_CODEC_FLAG_BITEXACT;
    if (g->oc->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *opts = NULL;
    if (x26x) {
        av_dict_set(&opts, "preset", choose_preset(o), 0);
        av_dict_set_int(&opts, "crf", o->crf, 0);
        if (!strcmp(codec->name, "libx265"))
            av_dict_set(&opts, "x265-params", "log-level=error", 0);
    } else if (o->preset) {
        av_dict_set(&opts, "preset", o->preset, 0);
    }
    int ret = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return averr("opening the video encoder", ret);
    ret = avcodec_parameters_from_context(g->vst->codecpar, c);
    if (ret < 0)
        return averr("video parameters", ret);
    g->vst->time_base = c->time_base;
    g->vst->avg_frame_rate = c->framerate;
    g->vst->r_frame_rate = c->framerate;
    g->vst->disposition = AV_DISPOSITION_DEFAULT;
    g->vframe = av_frame_alloc();
    if (!g->vframe)
        return averr("allocating a frame", AVERROR(ENOMEM));
    g->vframe->format = fmt;
    g->vframe->width = o->w;
    g->vframe->height = o->h;
    g->vframe->color_range = c->color_range;
    g->vframe->color_primaries = c->color_primaries;
    g->vframe->color_trc = c->color_trc;
    g->vframe->colorspace = c->colorspace;
    g->vframe->chroma_location = c->chroma_sample_location;
    ret = av_frame_get_buffer(g->vframe, 0);
    return ret < 0 ? averr("allocating a frame", ret) : 0;
}

static int encode_video(Gen *g, const GenImage *im, int64_t index)
{
    AVFrame *f = g->vframe;
    int ret = av_frame_make_writable(f); // the encoder may still hold the previous buffer
    if (ret < 0)
        return averr("allocating a frame", ret);
    for (int p = 0; p < 3; p++) {
        const int w = p ? im->cw : im->w, h = p ? im->ch : im->h;
        for (int y = 0; y < h; y++) {
            const uint16_t *src = im->plane[p] + (size_t)y * (size_t)im->stride[p];
            uint8_t *dst = f->data[p] + (ptrdiff_t)y * f->linesize[p];
            if (im->depth > 8)
                memcpy(dst, src, (size_t)w * sizeof(uint16_t));
            else
                for (int x = 0; x < w; x++)
                    dst[x] = (uint8_t)src[x];
        }
    }
    f->pts = index;
    ret = avcodec_send_frame(g->venc, f);
    if (ret < 0)
        return averr("encoding video", ret);
    return write_packets(g, g->venc, g->vst);
}

// --- audio ------------------------------------------------------------------------------------

// Beeps: 100 ms cosine bursts at -12 dBFS with a 1 ms linear attack and a 10 ms linear release,
// one per GEN_EVENT_* frame. The carrier starts at its peak, so the first non-zero sample of a
// beep is exactly the first sample of its frame (sample-exact sync checks on the lossless FLAC).
#define BEEP_LEN (SAMPLE_RATE / 10)
#define BEEP_ATTACK (SAMPLE_RATE / 1000)
#define BEEP_RELEASE (SAMPLE_RATE / 100)
#define BEEP_AMP 0.25

static void synth(const Gen *g, int64_t start, int n, float *l, float *r, int *next_event)
{
    memset(l, 0, (size_t)n * sizeof(float));
    memset(r, 0, (size_t)n * sizeof(float));
    // Skip events that ended before this chunk; events are sorted by onset.
    int e = *next_event;
    while (e < g->nb_events && g->events[e].onset + BEEP_LEN <= start)
        e++;
    *next_event = e;
    for (; e < g->nb_events && g->events[e].onset < start + n; e++) {
        const double fl = g->events[e].type == GEN_EVENT_FLASH ? 2000.0 : 1000.0;
        for (int i = 0; i < n; i++) {
            const int64_t k = start + i - g->events[e].onset;
            if (k < 0 || k >= BEEP_LEN)
                continue;
            double env = 1.0;
            if (k < BEEP_ATTACK)
                env = (double)(k + 1) / BEEP_ATTACK;
            else if (k >= BEEP_LEN - BEEP_RELEASE)
                env = (double)(BEEP_LEN - k) / BEEP_RELEASE;
            const double ph = 2.0 * M_PI * (double)k / SAMPLE_RATE;
            l[i] += (float)(BEEP_AMP * env * cos(fl * ph));
            r[i] += (float)(BEEP_AMP * env * cos(1.5 * fl * ph));
        }
    }
}

static int open_audio(Gen *g)
{
    const Opts *o = g->o;
    const int mkv = !strcmp(g->oc->oformat->name, "matroska");
    const char *name = o->audio_codec ? o->audio_codec : mkv ? "flac" : "aac";
    const AVCodec *codec = avcodec_find_encoder_by_name(name);
    if (!codec || codec->type != AVMEDIA_TYPE_AUDIO) {
        fprintf(stderr, "aim_gen: audio encoder '%s' not available\n", name);
        return -1;
    }
    // Preferred sample formats, in order; the synthesiser writes any of them.
    static const enum AVSampleFormat pref[] = { AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P,
        AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S32P };
    enum AVSampleFormat sfmt = AV_SAMPLE_FMT_NONE;
    for (size_t i = 0; i < sizeof(pref) / sizeof(pref[0]) && sfmt == AV_SAMPLE_FMT_NONE; i++)
        for (const enum AVSampleFormat *p = codec->sample_fmts; p && *p != AV_SAMPLE_FMT_NONE;
             p++)
            if (*p == pref[i])
                sfmt = pref[i];
    if (sfmt == AV_SAMPLE_FMT_NONE) {
        fprintf(stderr, "aim_gen: audio encoder %s takes no sample format aim_gen writes\n",
                codec->name);
        return -1;
    }
    AVCodecContext *c = g->aenc = avcodec_alloc_context3(codec);
    g->ast = avformat_new_stream(g->oc, NULL);
    if (!c || !g->ast)
        return averr("allocating the audio encoder", AVERROR(ENOMEM));
    c->sample_fmt = sfmt;
    c->sample_rate = SAMPLE_RATE;
    const AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    int ret = av_channel_layout_copy(&c->ch_layout, &stereo);
    if (ret < 0)
        return averr("channel layout", ret);
    c->time_base = (AVRational){ 1, SAMPLE_RATE };
    c->bit_rate = codec->id == AV_CODEC_ID_FLAC ? 0 : 192000;
    c->flags |= AV_CODEC_FLAG_BITEXACT;
    if (g->oc->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    ret = avcodec_open2(c, codec, NULL);
    if (ret < 0)
        return averr("opening the audio encoder", ret);
    ret = avcodec_parameters_from_context(g->ast->codecpar, c);
    if (ret < 0)
        return averr("audio parameters", ret);
    g->ast->time_base = c->time_base;
    av_dict_set(&g->ast->metadata, "language", "jpn", 0);
    av_dict_set(&g->ast->metadata, "title", "Main audio", 0);
    g->ast->disposition = AV_DISPOSITION_DEFAULT;
    g->aframe = av_frame_alloc();
    if (!g->aframe)
        return averr("allocating a frame", AVERROR(ENOMEM));
    g->aframe->format = sfmt;
    g->aframe->sample_rate = SAMPLE_RATE;
    g->aframe->nb_samples = c->frame_size > 0 ? c->frame_size : 4096;
    ret = av_channel_layout_copy(&g->aframe->ch_layout, &stereo);
    if (ret >= 0)
        ret = av_frame_get_buffer(g->aframe, 0);
    return ret < 0 ? averr("allocating an audio frame", ret) : 0;
}

static int16_t to_s16(float v)
{
    const float s = floorf(v * 32767.0f + 0.5f);
    return (int16_t)(s < -32768.0f ? -32768.0f : s > 32767.0f ? 32767.0f : s);
}

static int32_t to_s32(float v)
{
    return (int32_t)to_s16(v) * 65536; // same 16-bit signal at any width: bit-exact everywhere
}

// Encodes audio up to sample `until` (exclusive), in encoder frames; the last frame may be short
// (flush: until == audio_total) if the encoder allows it, else it is padded with silence.
static int encode_audio(Gen *g, int64_t until, int flush)
{
    AVCodecContext *c = g->aenc;
    const int fs = g->aframe->nb_samples;
    float l[8192], r[8192];
    if (fs > 8192)
        return averr("audio frame size too large", AVERROR(EINVAL));
    while (g->audio_done < until) {
        int n = (int)FFMIN((int64_t)fs, until - g->audio_done);
        if (n < fs && !flush)
            break;
        AVFrame *f = g->aframe;
        int ret = av_frame_make_writable(f);
        if (ret < 0)
            return averr("audio frame", ret);
        const int small = c->codec->capabilities &
                          (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE);
        f->nb_samples = n < fs && !small ? fs : n;
        synth(g, g->audio_done, n, l, r, &g->next_event);
        for (int i = n; i < f->nb_samples; i++)
            l[i] = r[i] = 0.0f;
        for (int i = 0; i < f->nb_samples; i++) {
            switch (f->format) {
            case AV_SAMPLE_FMT_S16:
                ((int16_t *)f->data[0])[2 * i] = to_s16(l[i]);
                ((int16_t *)f->data[0])[2 * i + 1] = to_s16(r[i]);
                break;
            case AV_SAMPLE_FMT_S16P:
                ((int16_t *)f->data[0])[i] = to_s16(l[i]);
                ((int16_t *)f->data[1])[i] = to_s16(r[i]);
                break;
            case AV_SAMPLE_FMT_S32:
                ((int32_t *)f->data[0])[2 * i] = to_s32(l[i]);
                ((int32_t *)f->data[0])[2 * i + 1] = to_s32(r[i]);
                break;
            case AV_SAMPLE_FMT_S32P:
                ((int32_t *)f->data[0])[i] = to_s32(l[i]);
                ((int32_t *)f->data[1])[i] = to_s32(r[i]);
                break;
            case AV_SAMPLE_FMT_FLT: // the 16-bit-quantised value, for the same reason
                ((float *)f->data[0])[2 * i] = (float)to_s16(l[i]) / 32768.0f;
                ((float *)f->data[0])[2 * i + 1] = (float)to_s16(r[i]) / 32768.0f;
                break;
            default: // FLTP
                ((float *)f->data[0])[i] = (float)to_s16(l[i]) / 32768.0f;
                ((float *)f->data[1])[i] = (float)to_s16(r[i]) / 32768.0f;
                break;
            }
        }
        f->pts = g->audio_done;
        g->audio_done += n;
        ret = avcodec_send_frame(c, f);
        if (ret < 0)
            return averr("encoding audio", ret);
        ret = write_packets(g, c, g->ast);
        if (ret < 0)
            return ret;
        f->nb_samples = fs;
    }
    return 0;
}

// --- subtitles, attachment, chapters ----------------------------------------------------------

#define NB_SUBS 4
static const char *const sub_text[NB_SUBS] = {
    "Hold it right there!",
    "{\\i1}That drawing is on twos.{\\i0}",
    "Cut to the close-up...\\Nand flash!",
    "Fade out. The end.",
};

static int open_subs(Gen *g)
{
    char header[1024];
    const int n = snprintf(header, sizeof(header),
        "[Script Info]\n"
        "; Script generated by aim_gen (AInimotion tests/gen)\n"
        "ScriptType: v4.00+\n"
        "PlayResX: 640\n"
        "PlayResY: 360\n"
        "ScaledBorderAndShadow: yes\n"
        "\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n"
        "Style: Default,DejaVu Sans,22,&H00FFFFFF,&H000000FF,&H00202020,&H80000000,0,0,0,0,"
        "100,100,0,0,1,2,1,2,20,20,16,1\n"
        "\n"
        "[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n");
    g->sst = avformat_new_stream(g->oc, NULL);
    if (!g->sst)
        return averr("subtitle stream", AVERROR(ENOMEM));
    AVCodecParameters *p = g->sst->codecpar;
    p->codec_type = AVMEDIA_TYPE_SUBTITLE;
    p->codec_id = AV_CODEC_ID_ASS;
    p->extradata = av_mallocz((size_t)n + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!p->extradata)
        return averr("subtitle header", AVERROR(ENOMEM));
    memcpy(p->extradata, header, (size_t)n);
    p->extradata_size = n;
    g->sst->time_base = (AVRational){ 1, 1000 };
    av_dict_set(&g->sst->metadata, "language", "eng", 0);
    av_dict_set(&g->sst->metadata, "title", "English (sample)", 0);
    g->sst->disposition = AV_DISPOSITION_DEFAULT;
    return 0;
}

// Event k lies in the k-th quarter of the clip, from 10% to 90% of it (milliseconds).
static void sub_times(const Opts *o, int k, int64_t *start, int64_t *end)
{
    const int64_t dur_ms = av_rescale(o->frames, (int64_t)o->fps_den * 1000, o->fps_num);
    *start = dur_ms * (10 * k + 1) / (10 * NB_SUBS);
    *end = dur_ms * (10 * k + 9) / (10 * NB_SUBS);
    if (*end <= *start)
        *end = *start + 1;
}

// Writes the events that start before `until_ms` (all when until_ms < 0).
static int write_subs(Gen *g, int64_t until_ms)
{
    while (g->sst && g->subs_written < NB_SUBS) {
        int64_t start, end;
        sub_times(g->o, g->subs_written, &start, &end);
        if (until_ms >= 0 && start >= until_ms)
            return 0;
        char line[256];
        // Matroska ASS block: ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text
        const int n = snprintf(line, sizeof(line), "%d,0,Default,,0,0,0,,%s", g->subs_written,
                               sub_text[g->subs_written]);
        int ret = av_new_packet(g->pkt, n);
        if (ret < 0)
            return averr("subtitle packet", ret);
        memcpy(g->pkt->data, line, (size_t)n);
        g->pkt->pts = g->pkt->dts = av_rescale_q(start, (AVRational){ 1, 1000 },
                                                 g->sst->time_base);
        g->pkt->duration = av_rescale_q(end - start, (AVRational){ 1, 1000 }, g->sst->time_base);
        g->pkt->stream_index = g->sst->index;
        g->pkt->flags |= AV_PKT_FLAG_KEY;
        ret = av_interleaved_write_frame(g->oc, g->pkt);
        if (ret < 0)
            return averr("writing a subtitle", ret);
        g->subs_written++;
    }
    return 0;
}

static int add_font(Gen *g)
{
    FILE *f = fopen(FONT_PATH, "rb");
    if (!f) {
        fprintf(stderr, "aim_gen: cannot open the font %s (%s): install the Debian package "
                "fonts-dejavu-core, or pass --no-subs\n", FONT_PATH, strerror(errno));
        return -1;
    }
    int ret = -1;
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    // The attachment must stay small: DejaVuSans.ttf is ~740 kB; refuse anything absurd.
    if (size <= 0 || size > (64 << 20) || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "aim_gen: cannot read the font %s\n", FONT_PATH);
        goto done;
    }
    AVStream *st = avformat_new_stream(g->oc, NULL);
    if (!st) {
        averr("attachment", AVERROR(ENOMEM));
        goto done;
    }
    AVCodecParameters *p = st->codecpar;
    p->codec_type = AVMEDIA_TYPE_ATTACHMENT;
    p->codec_id = AV_CODEC_ID_TTF;
    p->extradata = av_mallocz((size_t)size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!p->extradata) {
        averr("attachment", AVERROR(ENOMEM));
        goto done;
    }
    if (fread(p->extradata, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "aim_gen: cannot read the font %s\n", FONT_PATH);
        goto done;
    }
    p->extradata_size = (int)size;
    av_dict_set(&st->metadata, "filename", "DejaVuSans.ttf", 0);
    av_dict_set(&st->metadata, "mimetype", "application/x-truetype-font", 0);
    ret = 0;
done:
    fclose(f);
    return ret;
}

// Chapter 1 "Part A" up to the first cut (frame 64), chapter 2 "Part B" to the end; clips of
// 64 frames or fewer split in half.
static int add_chapters(Gen *g)
{
    const int64_t n = g->o->frames;
    const int64_t split = n > 64 ? 64 : n / 2;
    const int64_t bounds[3] = { 0, split, n };
    static const char *const titles[2] = { "Part A", "Part B" };
    g->oc->chapters = av_calloc(2, sizeof(*g->oc->chapters));
    if (!g->oc->chapters)
        return averr("chapters", AVERROR(ENOMEM));
    for (int i = 0; i < 2; i++) {
        AVChapter *ch = av_mallocz(sizeof(*ch));
        if (!ch)
            return averr("chapters", AVERROR(ENOMEM));
        g->oc->chapters[g->oc->nb_chapters++] = ch;
        ch->id = i + 1;
        ch->time_base = (AVRational){ g->o->fps_den, g->o->fps_num };
        ch->start = bounds[i];
        ch->end = bounds[i + 1];
        if (av_dict_set(&ch->metadata, "title", titles[i], 0) < 0)
            return averr("chapters", AVERROR(ENOMEM));
    }
    return 0;
}

// --- truth ------------------------------------------------------------------------------------

typedef struct Box {
    int x0, y0, x1, y1; // inclusive; x0 > x1: empty
} Box;

static void box_add_diff(Box *b, const GenImage *a, const GenImage *c)
{
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++) {
            const size_t o = (size_t)y * (size_t)a->stride[0] + (size_t)x;
            if (a->plane[0][o] != c->plane[0][o]) {
                b->x0 = FFMIN(b->x0, x);
                b->x1 = FFMAX(b->x1, x);
                b->y0 = FFMIN(b->y0, y);
                b->y1 = FFMAX(b->y1, y);
            }
        }
    // Chroma differences, mapped to the luma pixels they cover.
    for (int p = 1; p < 3; p++)
        for (int y = 0; y < a->ch; y++)
            for (int x = 0; x < a->cw; x++) {
                const size_t o = (size_t)y * (size_t)a->stride[p] + (size_t)x;
                if (a->plane[p][o] != c->plane[p][o]) {
                    b->x0 = FFMIN(b->x0, x << a->ssx);
                    b->x1 = FFMAX(b->x1, FFMIN(((x + 1) << a->ssx) - 1, a->w - 1));
                    b->y0 = FFMIN(b->y0, y << a->ssy);
                    b->y1 = FFMAX(b->y1, FFMIN(((y + 1) << a->ssy) - 1, a->h - 1));
                }
            }
}

static int write_truth(const Opts *o, const uint8_t *labels, int64_t degenerate,
                       const Box *mouth)
{
    int64_t count[GEN_NB_LABELS] = { 0 };
    for (int64_t i = 0; i < o->frames; i++)
        count[labels[i]]++;
    FILE *f = fopen(o->truth, "w");
    if (!f) {
        fprintf(stderr, "aim_gen: cannot write %s: %s\n", o->truth, strerror(errno));
        return -1;
    }
    fprintf(f,
        "# ground truth for a synthetic clip made by aim_gen (AInimotion tests/gen): %" PRId64
        " frames, %dx%d, %d/%d fps, %d-bit, seed %" PRIu64 "\n"
        "# label of frame i describes the transition i-1 -> i; frame 0 is 'start' (unscored)\n"
        "# labels come from the generator's own scene description, checked against its "
        "pixels before encoding:\n"
        "#   cut: hard change of shot (other background colour and shapes); never interpolate\n"
        "#   hold: frames i-1 and i are bit-identical before encoding (the same drawing)\n"
        "#   motion: something changed inside a shot: a new drawing (on 2s or 3s), a mouth-only "
        "change, or a one-frame white flash (both intervals of a flash are motion, not cut)\n"
        "#   fade: frame i is part of a cross-dissolve (B->C) or a fade to black, 8 frames each\n"
        "# layout, repeating every 120 frames (c = frame %% 120; each cycle after the first "
        "starts with a cut from black): 0-23 shot A on 2s; 24-35 on 3s; 36-47 mouth-only "
        "changes on 2s; 48-63 one drawing held 16 frames; 64 cut to shot B on 2s; 76 white "
        "flash frame; 88-95 cross-dissolve B->C (95 = C); 96-111 shot C on 2s; 112-119 fade to "
        "black (119 = black)\n",
        o->frames, o->w, o->h, o->fps_num, o->fps_den, o->depth, o->seed);
    if (mouth->x0 <= mouth->x1)
        fprintf(f, "# partial motion (frames 36-47 of cycle 0): every changed pixel lies in "
                "x=%d..%d y=%d..%d (luma pixels, inclusive); the rest is bit-identical\n",
                mouth->x0, mouth->x1, mouth->y0, mouth->y1);
    fprintf(f, "# audio: 100 ms beeps whose first non-zero sample is exactly the first sample "
            "(round(frame * 48000 / fps)) of frame 0, of every cut (1000 Hz left, 1500 Hz right) and of every flash frame (2000/3000 Hz)\n");
    if (degenerate)
        fprintf(f, "# note: %" PRId64 " new drawings rendered identical to the previous one at "
                "this size; they are labelled hold\n", degenerate);
    fprintf(f, "# counts: start=%" PRId64 " cut=%" PRId64 " hold=%" PRId64 " motion=%" PRId64
            " fade=%" PRId64 "\n", count[GEN_START], count[GEN_CUT], count[GEN_HOLD],
            count[GEN_MOTION], count[GEN_FADE]);
    fprintf(f, "frame,label\n");
    for (int64_t i = 0; i < o->frames; i++)
        fprintf(f, "%" PRId64 ",%s\n", i, gen_label_names[labels[i]]);
    if (fclose(f)) {
        fprintf(stderr, "aim_gen: cannot write %s: %s\n", o->truth, strerror(errno));
        return -1;
    }
    return 0;
}

// --- main loop --------------------------------------------------------------------------------

// Two cached canvases, keyed by drawing: enough for a dissolve (two drawings at once).
typedef struct Cache {
    GenCanvas c[2];
    GenCanvas scratch; // the composed mix of a dissolve or fade
    GenDrawing key[2];
    int valid[2];
    int lru; // slot to replace next
} Cache;

static const GenCanvas *cache_get(Cache *k, uint64_t seed, const GenDrawing *d,
                                  const GenDrawing *keep)
{
    for (int i = 0; i < 2; i++)
        if (k->valid[i] && !memcmp(&k->key[i], d, sizeof(*d))) {
            k->lru = 1 - i;
            return &k->c[i];
        }
    int slot = k->lru;
    if (keep && k->valid[slot] && !memcmp(&k->key[slot], keep, sizeof(*keep)))
        slot = 1 - slot;
    gen_render(&k->c[slot], seed, d);
    k->key[slot] = *d;
    k->valid[slot] = 1;
    k->lru = 1 - slot;
    return &k->c[slot];
}

static int run(const Opts *o)
{
    Gen g = { .o = o };
    Cache cache = { 0 };
    GenImage img[2] = { 0 };
    uint8_t *labels = NULL;
    int ret = -1;
    int64_t degenerate = 0;
    Box mouth = { INT32_MAX, INT32_MAX, -1, -1 };

    av_log_set_level(AV_LOG_ERROR);
    int err = avformat_alloc_output_context2(&g.oc, NULL, NULL, o->out);
    if (err < 0 || !g.oc) {
        fprintf(stderr, "aim_gen: cannot tell the container from '%s' (use .mkv or .mp4)\n",
                o->out);
        return -1;
    }
    const int mkv = !strcmp(g.oc->oformat->name, "matroska");
    g.oc->flags |= AVFMT_FLAG_BITEXACT; // no random UIDs or dates: same args, same bytes
    av_dict_set(&g.oc->metadata, "title", "AInimotion sample", 0);
    g.pkt = av_packet_alloc();
    labels = malloc((size_t)o->frames);
    if (!g.pkt || !labels) {
        fprintf(stderr, "aim_gen: out of memory\n");
        goto end;
    }
    if (open_video(&g) < 0)
        goto end;
    const int ssx = g.vframe->format == AV_PIX_FMT_YUV444P ||
                    g.vframe->format == AV_PIX_FMT_YUV444P10LE ? 0 : 1;
    if (!o->no_audio && open_audio(&g) < 0)
        goto end;
    if (mkv && !o->no_subs && (open_subs(&g) < 0 || add_font(&g) < 0))
        goto end;
    if (add_chapters(&g) < 0)
        goto end;

    if (gen_canvas_alloc(&cache.c[0], o->w, o->h) || gen_canvas_alloc(&cache.c[1], o->w, o->h) ||
        gen_canvas_alloc(&cache.scratch, o->w, o->h) ||
        gen_image_alloc(&img[0], o->w, o->h, ssx, ssx, o->depth) ||
        gen_image_alloc(&img[1], o->w, o->h, ssx, ssx, o->depth)) {
        fprintf(stderr, "aim_gen: out of memory\n");
        goto end;
    }

    // Audio events, sorted by onset (frames are visited in order).
    if (g.aenc) {
        g.audio_total = frame_to_sample(o, o->frames);
        for (int64_t i = 0; i < o->frames; i++) {
            GenFrameDesc d;
            gen_frame_desc(i, &d);
            if (d.event == GEN_EVENT_NONE)
                continue;
            AudioEvent *ev = av_realloc_array(g.events, (size_t)g.nb_events + 1, sizeof(*ev));
            if (!ev) {
                fprintf(stderr, "aim_gen: out of memory\n");
                goto end;
            }
            g.events = ev;
            g.events[g.nb_events++] = (AudioEvent){ frame_to_sample(o, i), d.event };
        }
    }

    err = avio_open(&g.oc->pb, o->out, AVIO_FLAG_WRITE);
    if (err < 0) {
        averr(o->out, err);
        goto end;
    }
    g.file_open = 1;
    err = avformat_write_header(g.oc, NULL);
    if (err < 0) {
        averr("writing the header", err);
        goto end;
    }

    GenFrameDesc prev_desc;
    memset(&prev_desc, 0, sizeof(prev_desc));
    for (int64_t i = 0; i < o->frames; i++) {
        GenFrameDesc d;
        gen_frame_desc(i, &d);
        GenImage *cur = &img[i & 1], *prev = &img[(i & 1) ^ 1];
        d.label = i == 0 ? GEN_START : d.label;
        // Same picture description as the previous frame: reuse its pixels (bit-identical).
        GenFrameDesc a = d, b = prev_desc;
        a.label = b.label = a.event = b.event = a.partial = b.partial = 0;
        if (i > 0 && !memcmp(&a, &b, sizeof(a))) {
            for (int p = 0; p < 3; p++)
                memcpy(cur->plane[p], prev->plane[p], (size_t)(p ? cur->cw * cur->ch :
                       cur->w * cur->h) * sizeof(uint16_t));
        } else {
            const GenCanvas *ca = cache_get(&cache, o->seed, &d.a, NULL);
            const GenCanvas *cb = d.mix == GEN_MIX_DISSOLVE ?
                                  cache_get(&cache, o->seed, &d.b, &d.a) : NULL;
            gen_compose(cur, &d, ca, cb, &cache.scratch);
        }
        if (i > 0) {
            const int same = gen_image_equal(cur, prev);
            if (d.label == GEN_HOLD && !same) {
                fprintf(stderr, "aim_gen: internal error: frame %" PRId64 " should repeat the "
                        "previous one\n", i);
                goto end;
            }
            if (d.label == GEN_MOTION && same) {
                d.label = GEN_HOLD;
                degenerate++;
            }
            if (d.partial && d.label == GEN_MOTION && i < GEN_CYCLE)
                box_add_diff(&mouth, cur, prev);
        }
        labels[i] = (uint8_t)d.label;
        prev_desc = d;

        if (g.aenc && encode_audio(&g, frame_to_sample(o, i + 1), 0) < 0)
            goto end;
        if (write_subs(&g, av_rescale(i + 1, (int64_t)o->fps_den * 1000, o->fps_num)) < 0)
            goto end;
        if (encode_video(&g, cur, i) < 0)
            goto end;
    }
    // Drain.
    err = avcodec_send_frame(g.venc, NULL);
    if (err < 0 || write_packets(&g, g.venc, g.vst) < 0)
        goto end;
    if (g.aenc) {
        if (encode_audio(&g, g.audio_total, 1) < 0)
            goto end;
        err = avcodec_send_frame(g.aenc, NULL);
        if (err < 0 || write_packets(&g, g.aenc, g.ast) < 0)
            goto end;
    }
    if (write_subs(&g, -1) < 0)
        goto end;
    err = av_write_trailer(g.oc);
    if (err < 0) {
        averr("writing the trailer", err);
        goto end;
    }
    if (o->truth && write_truth(o, labels, degenerate, &mouth) < 0)
        goto end;
    ret = 0;

end:
    if (g.file_open) {
        avio_closep(&g.oc->pb);
        if (ret < 0)
            remove(o->out);
    }
    avcodec_free_context(&g.venc);
    avcodec_free_context(&g.aenc);
    av_frame_free(&g.vframe);
    av_frame_free(&g.aframe);
    av_packet_free(&g.pkt);
    avformat_free_context(g.oc);
    av_free(g.events);
    gen_canvas_free(&cache.c[0]);
    gen_canvas_free(&cache.c[1]);
    gen_canvas_free(&cache.scratch);
    gen_image_free(&img[0]);
    gen_image_free(&img[1]);
    free(labels);
    return ret;
}

int main(int argc, char **argv)
{
    Opts o;
    if (parse_args(argc, argv, &o) < 0)
        return 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (run(&o) < 0)
        return 1;
    int events = 0;
    if (o.pgs && aim_gen_write_pgs(o.pgs, o.w, o.h, (double)o.frames * o.fps_den / o.fps_num,
                                   &events) < 0) {
        fprintf(stderr, "aim_gen: cannot write %s\n", o.pgs);
        return 1;
    }
    if (o.pgs)
        fprintf(stderr, "aim_gen: wrote %s: %d bitmap subtitles\n", o.pgs, events);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "aim_gen: wrote %s: %" PRId64 " frames, %dx%d, %d/%d fps, %d-bit in %.2f s\n",
            o.out, o.frames, o.w, o.h, o.fps_num, o.fps_den, o.depth,
            (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    return 0;
}
