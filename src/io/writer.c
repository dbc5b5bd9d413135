// AimWriter: encode AimFrames + mux them with the streams copied from an attached reader, under a
// temporary name that aim_writer_finish renames. y4m is written here directly (see write_y4m).
#define _GNU_SOURCE // renameat2
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <libavutil/pixdesc.h>
#include <libavutil/random_seed.h>

#include "io_internal.h"

typedef struct StreamMap {
    int out;         // output stream index, -1: not carried
    AVRational in_tb;
    // text subtitles converted to mov_text (MP4/MOV): decoder and encoder, else NULL
    AVCodecContext *sub_dec, *sub_enc;
} StreamMap;

struct AimWriter {
    AimLog log;
    pthread_mutex_t lock; // guards oc (muxing), finished, error
    char *path, *tmp_path;
    int to_stdout, y4m;
    int png;              // one RGB image (.png): converted by swscale from w->yuv
    int width, height, depth;
    int enc_w, enc_h;     // encoded size: odd sizes padded to even
    AimRational fps;
    AimColor color;
    AimRational sar;      // 0/0: none
    int64_t last_index;

    AVIOContext *y4m_io;
    uint8_t *row;         // y4m row buffer

    const AVOutputFormat *ofmt;
    AVFormatContext *oc;
    AVCodecContext *enc;
    AVStream *vst;
    AVFrame *frame;
    AVFrame *yuv;         // png: the 4:2:0 picture before conversion to RGB
    struct SwsContext *sws;
    AVPacket *pkt;
    StreamMap *map;
    int nb_map;
    AimReader *src;
    int header_done, finished, renamed;
    int overwrite;        // -y: the final rename may replace OUT
    int enc_eof;          // the encoder was flushed to its end (see unblock_svt)
    int sent;             // a picture went to the encoder
    int error;            // sticky: the first muxing error
    // Chapters held back from the header of a muxer that shifts packets (see place_chapters):
    // oc->chapters[0..late_chapters) stay allocated with oc->nb_chapters = 0 until finish.
    unsigned late_chapters;
    int64_t min_pts;      // the lowest pts muxed so far (AV_NOPTS_VALUE: none), in min_tb
    AVRational min_tb;
    const AVCodecParameters *video_par; // video stream copy (aim_writer_open_copy): no encoder
};

#define AVERR(e) av_err2str(e)

void aim_writer_default_settings(AimWriterSettings *s)
{
    *s = (AimWriterSettings){
        .crf = -1, .depth = 8, .frame_rate = { 24000, 1001 },
        .color = { .matrix = AVCOL_SPC_UNSPECIFIED, .primaries = AVCOL_PRI_UNSPECIFIED,
                   .transfer = AVCOL_TRC_UNSPECIFIED },
    };
}

// ---------------------------------------------------------------- muxing (locked)

// Muxes pkt (already in the output stream's time base); takes the reference.
static int mux(AimWriter *w, AVPacket *pkt)
{
    pthread_mutex_lock(&w->lock);
    int ret = w->error;
    if (!ret && !w->finished) {
        AVRational tb = w->oc->streams[pkt->stream_index]->time_base;
        if (pkt->pts != AV_NOPTS_VALUE &&
            (w->min_pts == AV_NOPTS_VALUE || av_compare_ts(pkt->pts, tb, w->min_pts,
                                                           w->min_tb) < 0)) {
            w->min_pts = pkt->pts;
            w->min_tb = tb;
        }
        ret = av_interleaved_write_frame(w->oc, pkt);
        if (ret < 0) {
            aim_log(&w->log, AIM_LOG_ERROR, "%s while writing %s", AVERR(ret), w->path);
            w->error = ret = aim_io_error(ret);
        }
    }
    pthread_mutex_unlock(&w->lock);
    av_packet_unref(pkt);
    return ret;
}

// A text subtitle event -> the same event as mov_text (text only: ASS styling is dropped),
// same timestamps. An event that does not decode is dropped with the decoder's complaint (-v).
static int convert_subtitle(AimWriter *w, StreamMap *m, AVPacket *pkt)
{
    AVSubtitle sub = { 0 };
    int got = 0, ret = avcodec_decode_subtitle2(m->sub_dec, &sub, &got, pkt);
    if (ret < 0 || !got) {
        av_packet_unref(pkt);
        return 0;
    }
    // the encoder takes at most this; mov_text's own size field is 16 bits
    enum { MAX_EVENT = 1 << 16 };
    uint8_t *buf = av_malloc(MAX_EVENT);
    ret = buf ? avcodec_encode_subtitle(m->sub_enc, buf, MAX_EVENT, &sub) : AVERROR(ENOMEM);
    avsubtitle_free(&sub);
    if (ret < 0) {
        av_free(buf);
        av_packet_unref(pkt);
        return ret == AVERROR(ENOMEM) ? AIM_ERR(ENOMEM) : 0;
    }
    AVPacket *out = av_packet_alloc();
    if (!out || av_new_packet(out, ret) < 0 || av_packet_copy_props(out, pkt) < 0) {
        av_free(buf);
        av_packet_free(&out);
        av_packet_unref(pkt);
        return AIM_ERR(ENOMEM);
    }
    memcpy(out->data, buf, (size_t)ret);
    av_free(buf);
    av_packet_unref(pkt);
    av_packet_move_ref(pkt, out);
    av_packet_free(&out);
    (void)w;
    return 1;
}

// IoPacketSink.packet: a packet the reader copies (io_internal.h).
static int copy_packet(void *opaque, AVPacket *pkt)
{
    AimWriter *w = opaque;
    int i = pkt->stream_index;
    if (i < 0 || i >= w->nb_map || w->map[i].out < 0) {
        av_packet_unref(pkt);
        return 0;
    }
    if (w->map[i].sub_enc) {
        int ret = convert_subtitle(w, &w->map[i], pkt);
        if (ret <= 0)
            return ret;
        pkt->stream_index = i;
    }
    AVStream *ost = w->oc->streams[w->map[i].out];
    av_packet_rescale_ts(pkt, w->map[i].in_tb, ost->time_base);
    pkt->stream_index = ost->index;
    pkt->pos = -1;
    return mux(w, pkt);
}

// IoPacketSink.closed: the reader copied from is being closed.
static void source_closed(void *opaque)
{
    AimWriter *w = opaque;
    w->src = NULL;
}

int aim_writer_copy_video(AimWriter *w, AVPacket *pkt)
{
    if (!w->video_par) {
        av_packet_unref(pkt);
        return AIM_ERR(EINVAL);
    }
    av_packet_rescale_ts(pkt, (AVRational){ w->fps.den, w->fps.num }, w->vst->time_base);
    pkt->stream_index = w->vst->index;
    pkt->pos = -1;
    return mux(w, pkt);
}

// ---------------------------------------------------------------- setup helpers

static int fail(AimWriter *w, int err, const char *fmt, const char *a, const char *b)
{
    char msg[768];
    snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : "");
    aim_log(&w->log, AIM_LOG_ERROR, "%s: %s", w->path, msg);
    return err;
}

static const char *container(const char *path)
{
    static const struct { const char *ext, *fmt; } map[] = {
        { ".mkv", "matroska" }, { ".mp4", "mp4" }, { ".mov", "mov" }, { ".webm", "webm" },
        { ".y4m", "y4m" }, { ".png", "image2pipe" },
    };
    size_t n = strlen(path);
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        size_t e = strlen(map[i].ext);
        if (n > e && !strcasecmp(path + n - e, map[i].ext))
            return map[i].fmt;
    }
    return NULL;
}

// The containers that hold one image (.png: image2pipe with the png encoder).
static int single_image_format(const char *fmt)
{
    return fmt && !strcmp(fmt, "image2pipe");
}

int aim_writer_single_image(const char *path)
{
    return single_image_format(path ? container(path) : NULL);
}

// Refusals that need no writing: folder, existing output, output == input.
static int check_paths(AimWriter *w, const AimWriterSettings *s)
{
    char *copy = strdup(w->path);
    if (!copy)
        return AIM_ERR(ENOMEM);
    char *dir = dirname(copy);
    struct stat st;
    int ret = 0;
    if (stat(dir, &st) < 0 && errno == EACCES)
        ret = fail(w, AIM_ERR(EACCES), "output folder %s is not accessible", dir, NULL);
    else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        ret = fail(w, AIM_ERR(ENOENT), "output folder %s does not exist", dir, NULL);
    else if (access(dir, W_OK | X_OK) < 0)
        ret = fail(w, AIM_ERR(EACCES), "output folder %s is not writable (%s)", dir,
                   strerror(errno));
    free(copy);
    if (ret < 0)
        return ret;
    if (w->src && stat(w->path, &st) == 0) {
        const struct stat *in = aim_reader_stat(w->src);
        if (st.st_dev == in->st_dev && st.st_ino == in->st_ino)
            return fail(w, AIM_ERR(EINVAL), "the output is the input file", NULL, NULL);
    }
    if (lstat(w->path, &st) == 0) {
        if (!s->overwrite)
            return fail(w, AIM_ERR(EEXIST), "exists (allow overwriting to replace it)", NULL,
                        NULL);
        if (S_ISDIR(st.st_mode))
            return fail(w, AIM_ERR(EISDIR), "is a directory", NULL, NULL);
    }
    return 0;
}

// Creates .NAME.partXXXXXX beside the output (O_EXCL, mode 0666 & ~umask like any new file).
static int create_temp(AimWriter *w)
{
    char *c1 = strdup(w->path), *c2 = strdup(w->path);
    int ret = AIM_ERR(ENOMEM);
    if (!c1 || !c2)
        goto end;
    const char *dir = dirname(c1), *base = basename(c2);
    size_t n = strlen(dir) + strlen(base) + 32;
    if (!(w->tmp_path = malloc(n)))
        goto end;
    // "." + base + ".part" + 6 hex digits must stay a legal name (NAME_MAX bytes): a long base
    // is shortened, never inside a UTF-8 sequence
    size_t blen = strlen(base), bmax = NAME_MAX - strlen("..part000000");
    if (blen > bmax) {
        blen = bmax;
        while (blen && ((unsigned char)base[blen] & 0xc0) == 0x80)
            blen--;
    }
    for (int tries = 0; tries < 100; tries++) {
        snprintf(w->tmp_path, n, "%s/.%.*s.part%06x", dir, (int)blen, base,
                 av_get_random_seed() & 0xffffff);
        int fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            close(fd);
            ret = 0;
            goto end;
        }
        if (errno != EEXIST) {
            int e = errno == EROFS || errno == EPERM ? EACCES : errno;
            ret = fail(w, AIM_ERR(e), "cannot create a file in the output folder: %s",
                       strerror(errno), NULL);
            break;
        }
    }
    if (ret == AIM_ERR(ENOMEM))
        ret = fail(w, AIM_ERR(EEXIST), "no free temporary name", NULL, NULL);
    free(w->tmp_path);
    w->tmp_path = NULL;
end:
    free(c1);
    free(c2);
    return ret;
}

// FFmpeg's mov muxer lists these codecs for .mov too (avformat_query_codec says yes), but takes
// them in MP4 only (movenc.c mov_init: "... only supported in MP4"), failing the header with a
// bare EINVAL.
static int mp4_only(const char *fmt_name, enum AVCodecID id)
{
    return !strcmp(fmt_name, "mov") && (id == AV_CODEC_ID_FLAC || id == AV_CODEC_ID_OPUS ||
                                        id == AV_CODEC_ID_AV1 || id == AV_CODEC_ID_VP9);
}

static int supports_fmt(const AVCodec *c, enum AVPixelFormat fmt)
{
    if (!c->pix_fmts)
        return 1;
    for (const enum AVPixelFormat *p = c->pix_fmts; *p != AV_PIX_FMT_NONE; p++)
        if (*p == fmt)
            return 1;
    return 0;
}

static const AVCodec *default_encoder(const char *fmt, int width, int height, int depth)
{
    if (!strcmp(fmt, "webm")) {
        // SVT-AV1 1.4 refuses pictures under 64x64 ("Source Height must be at least 64")
        const AVCodec *c = width >= 64 && height >= 64 ? avcodec_find_encoder_by_name("libsvtav1")
                                                       : NULL;
        return c ? c : avcodec_find_encoder_by_name("libvpx-vp9");
    }
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    // libx264 builds without high bit depth exist: then HEVC keeps the 10 bits
    if (depth == 10 && (!c || !supports_fmt(c, AV_PIX_FMT_YUV420P10LE)))
        c = avcodec_find_encoder_by_name("libx265");
    return c;
}

// .png: one image, RGB 8 bits per sample (16 for 10-bit), converted from the pipeline's 4:2:0
// with the picture's own matrix and range (BT.709 when unspecified, as the reader converts RGB
// input), chroma upsampled with full horizontal chroma interpolation.
static int open_png_encoder(AimWriter *w, const AimWriterSettings *s)
{
    const AVCodec *codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec)
        return fail(w, AIM_ERR_UNSUPPORTED, "libavcodec has no png encoder", NULL, NULL);
    if (s->encoder && strcmp(s->encoder, "png"))
        return fail(w, AIM_ERR_UNSUPPORTED, "a .png output is encoded as png, not %s", s->encoder,
                    NULL);
    enum AVPixelFormat yuv_fmt = s->depth == 10 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
    enum AVPixelFormat pf = s->depth == 10 ? AV_PIX_FMT_RGB48BE : AV_PIX_FMT_RGB24;
    w->enc_w = s->width;
    w->enc_h = s->height;
    w->sws = sws_getContext(s->width, s->height, yuv_fmt, s->width, s->height, pf,
                            SWS_BICUBIC | SWS_FULL_CHR_H_INT | SWS_ACCURATE_RND | SWS_BITEXACT,
                            NULL, NULL, NULL);
    if (!w->sws)
        return fail(w, AIM_ERR_UNSUPPORTED, "swscale cannot convert to RGB", NULL, NULL);
    int cs = s->color.matrix == AVCOL_SPC_BT470BG || s->color.matrix == AVCOL_SPC_SMPTE170M
                 ? SWS_CS_ITU601
             : s->color.matrix == AVCOL_SPC_BT2020_NCL || s->color.matrix == AVCOL_SPC_BT2020_CL
                 ? SWS_CS_BT2020
                 : SWS_CS_ITU709;
    sws_setColorspaceDetails(w->sws, sws_getCoefficients(cs),
                             s->color.range == AVCOL_RANGE_JPEG, sws_getCoefficients(cs), 1, 0,
                             1 << 16, 1 << 16);
    if (!(w->yuv = av_frame_alloc()))
        return AIM_ERR(ENOMEM);
    w->yuv->format = yuv_fmt;
    w->yuv->width = s->width;
    w->yuv->height = s->height;
    if (av_frame_get_buffer(w->yuv, 0) < 0)
        return AIM_ERR(ENOMEM);
    if (!(w->enc = avcodec_alloc_context3(codec)))
        return AIM_ERR(ENOMEM);
    AVCodecContext *e = w->enc;
    e->width = s->width;
    e->height = s->height;
    e->pix_fmt = pf;
    e->time_base = (AVRational){ s->frame_rate.den, s->frame_rate.num };
    e->color_range = AVCOL_RANGE_JPEG;
    int ret = avcodec_open2(e, codec, NULL);
    if (ret < 0)
        return fail(w, AIM_ERR_UNSUPPORTED, "png encoder failed to open: %s", AVERR(ret), NULL);
    aim_log(&w->log, AIM_LOG_INFO, "%s: one png image %s %dx%d", w->path,
            av_get_pix_fmt_name(pf), e->width, e->height);
    return 0;
}

// The quality scale an encoder takes: x264 and x265 document 0-51 (their libavcodec wrappers
// accept any float and clamp it silently); the others declare it as the option's range
// (SVT-AV1 crf 0-63, libvpx crf -1..63 where -1 means unset, NVENC cq 0-51). 0 if unknown.
static int crf_range(AVCodecContext *e, const AVCodec *codec, const char *key, int *lo, int *hi)
{
    if (!strcmp(codec->name, "libx264") || !strcmp(codec->name, "libx265")) {
        *lo = 0;
        *hi = 51;
        return 1;
    }
    const AVOption *opt = av_opt_find(e->priv_data, key, NULL, 0, 0);
    if (!opt || opt->max > 1000)
        return 0;
    *lo = opt->min > 0 ? (int)opt->min : 0;
    *hi = (int)opt->max;
    return 1;
}

// x264's speed names, slowest first; every encoder gets its own setting of the same rank.
// x265 takes the same names. SVT-AV1 (FFmpeg option "preset", -2..13, faster upwards): medium is
// its default 10 (SVT-AV1 1.x docs/Parameters.md), like x264's; slower names step down by 2,
// the faster ones up to 13, its fastest. NVENC (p1 fastest .. p7 slowest): medium is its
// default p4. libvpx-vp9 ("cpu-used", 0..5 with the good deadline, faster upwards): medium is
// its default 1. The slow end of each scale is research territory; placebo/veryslow stop at
// the slowest step each encoder's docs recommend for use.
static const char *const speed_names[] = {
    "placebo", "veryslow", "slower", "slow", "medium", "fast", "faster", "veryfast",
    "superfast", "ultrafast",
};

/**
 * The option (*key) and value (*val, possibly in buf) that give `codec` the speed of x264's
 * preset `name`. Returns 1, 0 when the encoder has no such setting, or AIM_ERR(EINVAL) for a
 * name that is not one of x264's.
 */
static int encoder_preset(const char *codec, const char *name, const char **key,
                          const char **val, char *buf, size_t n)
{
    static const int svt[] = { 4, 6, 8, 9, 10, 11, 11, 12, 13, 13 };
    static const int nvenc[] = { 7, 7, 6, 5, 4, 3, 3, 2, 1, 1 };
    static const int vp9[] = { 0, 0, 0, 0, 1, 2, 3, 4, 5, 5 };
    int rank = -1;
    for (int i = 0; i < (int)(sizeof(speed_names) / sizeof(*speed_names)); i++)
        if (!strcmp(name, speed_names[i]))
            rank = i;
    if (rank < 0)
        return AIM_ERR(EINVAL);
    *key = "preset";
    *val = name;
    if (!strcmp(codec, "libx264") || !strcmp(codec, "libx265"))
        return 1;
    if (!strcmp(codec, "libsvtav1"))
        snprintf(buf, n, "%d", svt[rank]);
    else if (!strcmp(codec, "h264_nvenc") || !strcmp(codec, "hevc_nvenc"))
        snprintf(buf, n, "p%d", nvenc[rank]);
    else if (!strcmp(codec, "libvpx-vp9")) {
        *key = "cpu-used";
        snprintf(buf, n, "%d", vp9[rank]);
    } else
        return 0;
    *val = buf;
    return 1;
}

static int open_encoder(AimWriter *w, const AimWriterSettings *s, const char *fmt_name)
{
    if (w->png)
        return open_png_encoder(w, s);
    const AVCodec *codec = s->encoder ? avcodec_find_encoder_by_name(s->encoder)
                                      : default_encoder(fmt_name, s->width, s->height, s->depth);
    if (!codec || codec->type != AVMEDIA_TYPE_VIDEO)
        return fail(w, AIM_ERR_UNSUPPORTED, "video encoder %s is not available in this libavcodec",
                    s->encoder ? s->encoder : "(default)", NULL);
    if (avformat_query_codec(w->ofmt, codec->id, FF_COMPLIANCE_NORMAL) != 1 ||
        mp4_only(fmt_name, codec->id))
        return fail(w, AIM_ERR_UNSUPPORTED, "%s video cannot be stored in %s",
                    avcodec_get_name(codec->id), fmt_name);
    enum AVPixelFormat pf = s->depth == 10 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
    if (!supports_fmt(codec, pf))
        return fail(w, AIM_ERR_UNSUPPORTED, "encoder %s cannot encode %s", codec->name,
                    av_get_pix_fmt_name(pf));
    if (!(w->enc = avcodec_alloc_context3(codec)))
        return AIM_ERR(ENOMEM);
    AVCodecContext *e = w->enc;
    // 4:2:0 H.264/HEVC/SVT-AV1 need even sizes (H.264 crops in 2-pixel units); pad by repeating
    // the last column/row rather than dropping picture
    w->enc_w = s->width + (s->width & 1);
    w->enc_h = s->height + (s->height & 1);
    if (w->enc_w != s->width || w->enc_h != s->height)
        aim_log(&w->log, AIM_LOG_INFO, "%s: %dx%d padded to %dx%d for 4:2:0 encoding", w->path,
                s->width, s->height, w->enc_w, w->enc_h);
    e->width = w->enc_w;
    e->height = w->enc_h;
    e->pix_fmt = pf;
    e->time_base = (AVRational){ s->frame_rate.den, s->frame_rate.num };
    e->framerate = (AVRational){ s->frame_rate.num, s->frame_rate.den };
    e->colorspace = s->color.matrix;
    e->color_primaries = s->color.primaries;
    e->color_trc = s->color.transfer;
    e->color_range = s->color.range;
    e->chroma_sample_location = s->color.chroma_loc;
    if (s->sar.num > 0 && s->sar.den > 0)
        av_reduce(&e->sample_aspect_ratio.num, &e->sample_aspect_ratio.den, s->sar.num,
                  s->sar.den, INT_MAX);
    e->thread_count = s->threads;
    if (w->ofmt->flags & AVFMT_GLOBALHEADER)
        e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *opts = NULL;
    if (s->crf >= 0) {
        // nvenc calls its constant-quality knob "cq"
        const char *key = av_opt_find(e->priv_data, "crf", NULL, 0, 0) ? "crf"
                        : av_opt_find(e->priv_data, "cq", NULL, 0, 0) ? "cq" : NULL;
        int lo, hi;
        if (key && crf_range(e, codec, key, &lo, &hi) && (s->crf < lo || s->crf > hi)) {
            aim_log(&w->log, AIM_LOG_ERROR, "%s: crf %d is outside %s's range %d-%d", w->path,
                    s->crf, codec->name, lo, hi);
            return AIM_ERR(ERANGE);
        }
        // crf 0 means lossless; x264 is lossless at crf 0 only for 8-bit (qp 0 at any depth)
        // and x265 only with its lossless switch
        if (s->crf == 0 && !strcmp(codec->name, "libx264")) {
            av_dict_set(&opts, "qp", "0", 0);
        } else if (s->crf == 0 && !strcmp(codec->name, "libx265")) {
            av_dict_set(&opts, "x265-params", w->log.max_level >= AIM_LOG_DEBUG
                        ? "log-level=warning:lossless=1" : "log-level=none:lossless=1", 0);
        } else if (key) {
            av_dict_set_int(&opts, key, s->crf, 0);
            if (codec->id == AV_CODEC_ID_VP9)
                e->bit_rate = 0; // libvpx: crf with no bitrate cap = constant quality
        } else {
            aim_log(&w->log, AIM_LOG_WARNING, "%s: encoder %s has no crf option: ignored",
                    w->path, codec->name);
        }
    }
    if (s->preset) {
        const char *key, *val;
        char buf[16];
        int ret = encoder_preset(codec->name, s->preset, &key, &val, buf, sizeof(buf));
        if (ret < 0) {
            av_dict_free(&opts);
            return fail(w, AIM_ERR(EINVAL), "unknown encoder speed preset '%s' (x264's names)",
                        s->preset, NULL);
        }
        if (ret > 0 && av_opt_find(e->priv_data, key, NULL, 0, 0))
            av_dict_set(&opts, key, val, 0);
        else
            aim_log(&w->log, AIM_LOG_DEBUG, "%s: encoder %s has no speed preset: its default",
                    w->path, codec->name);
    }
    // SVT-AV1 prints its banner (a dozen lines) to stderr itself, bypassing av_log; its
    // SVT_LOG variable (read when the encoder opens; 1 = errors) keeps that for -v, unless the
    // user set it
    if (!strcmp(codec->name, "libsvtav1") && w->log.max_level < AIM_LOG_DEBUG)
        setenv("SVT_LOG", "1", 0);
    // x265 prints its banner, statistics and errors to stderr itself, bypassing av_log: only
    // with -v (a debug log), as libav's own lines
    const char *x265_log = w->log.max_level >= AIM_LOG_DEBUG ? "log-level=warning"
                                                              : "log-level=none";
    if (!strcmp(codec->name, "libx265") && !av_dict_get(opts, "x265-params", NULL, 0))
        av_dict_set(&opts, "x265-params", x265_log, 0);
    int ret = avcodec_open2(e, codec, &opts);
    av_dict_free(&opts);
    // NVENC is in every Debian libavcodec; it needs an NVIDIA GPU and its driver (libcuda,
    // libnvidia-encode) at run time, and says only "Operation not permitted" without them
    if (ret < 0 && strstr(codec->name, "_nvenc"))
        return fail(w, AIM_ERR_UNSUPPORTED, "encoder %s cannot run here: it needs an NVIDIA GPU "
                    "and its driver (%s); use libx264 or libx265", codec->name, AVERR(ret));
    if (ret < 0)
        return fail(w, AIM_ERR_UNSUPPORTED, "encoder %s failed to open: %s", codec->name,
                    AVERR(ret));
    aim_log(&w->log, AIM_LOG_INFO, "%s: video %s %s %dx%d %d/%d fps", w->path, codec->name,
            av_get_pix_fmt_name(pf), e->width, e->height, s->frame_rate.num, s->frame_rate.den);
    return 0;
}

// Statistics tags written by mkvmerge/ffmpeg describe the input stream, not a clipped copy.
static void copy_stream_tags(AVDictionary **dst, const AVDictionary *src, int strip_stats)
{
    const AVDictionaryEntry *t = NULL;
    while ((t = av_dict_get(src, "", t, AV_DICT_IGNORE_SUFFIX))) {
        if (strip_stats && (!strcasecmp(t->key, "DURATION") || !strcasecmp(t->key, "BPS") ||
                            !strncasecmp(t->key, "NUMBER_OF_", 10) ||
                            !strncasecmp(t->key, "_STATISTICS", 11) ||
                            !strcasecmp(t->key, "encoder")))
            continue;
        av_dict_set(dst, t->key, t->value, 0);
    }
}

// Chapters on the output timeline, measured from the zero point like the copied packets (the
// reader's copy_out). Unclipped, a chapter may start before it (negative until place_chapters).
static int copy_chapters(AimWriter *w, const AVFormatContext *ic, const IoTimeline *tl)
{
    for (unsigned i = 0; i < ic->nb_chapters; i++) {
        const AVChapter *c = ic->chapters[i];
        // in the chapter's own time base, so that an unclipped copy keeps every tick
        int64_t zero = av_rescale_q(tl->zero_ts, tl->tb, c->time_base);
        int64_t lo = tl->clipped ? zero : INT64_MIN;
        int64_t end = tl->end_ts == INT64_MAX ? INT64_MAX
                                               : av_rescale_q(tl->end_ts, tl->tb, c->time_base);
        if (c->end <= lo || c->start >= end)
            continue;
        AVChapter *o = av_mallocz(sizeof(*o));
        AVChapter **arr = av_realloc_array(w->oc->chapters, w->oc->nb_chapters + 1, sizeof(*arr));
        if (!o || !arr) {
            av_free(o);
            return AIM_ERR(ENOMEM);
        }
        w->oc->chapters = arr;
        arr[w->oc->nb_chapters++] = o;
        o->id = c->id;
        o->time_base = c->time_base;
        o->start = FFMAX(c->start, lo) - zero;
        o->end = FFMIN(c->end, end) - zero;
        av_dict_copy(&o->metadata, c->metadata, 0);
    }
    return 0;
}

// Moves the chapters by `shift` (in the video stream's time base) and cuts them at 0, dropping
// those that end there. A stream copied from before the video's first frame (AAC's priming: its
// first packet at -21 ms, in an MP4 edit list; or at 0 with the video at 21 ms) has negative
// timestamps on the output timeline. MP4 and MOV store them (an edit list): shift 0. Matroska
// cannot: libavformat shifts every packet up by the lowest timestamp it sees (avoid_negative_ts,
// 5.1 mux.c, rounded up in each stream's time base) but never the chapters, so for it the
// chapters wait for the end (Matroska writes chapters added after the header in the trailer)
// and get the same shift, measured from the packets muxed (mux: min_pts).
static void place_chapters(AimWriter *w, int64_t shift)
{
    unsigned n = 0;
    for (unsigned i = 0; i < w->oc->nb_chapters; i++) {
        AVChapter *c = w->oc->chapters[i];
        int64_t d = av_rescale_q(shift, w->vst->time_base, c->time_base);
        c->start = FFMAX(c->start + d, 0);
        c->end += d;
        if (c->end <= 0) {
            av_dict_free(&c->metadata);
            av_freep(&c);
            continue;
        }
        w->oc->chapters[n++] = c;
    }
    w->oc->nb_chapters = n;
}

// 1 when the muxer shifts packets to make their timestamps non-negative (libavformat 5.1 mux.c:
// avoid_negative_ts "auto" is make_non_negative unless the format stores negative ones).
static int muxer_shifts(const AVOutputFormat *f)
{
    return !(f->flags & (AVFMT_TS_NEGATIVE | AVFMT_NOTIMESTAMPS));
}

static int add_video_stream(AimWriter *w, const AVStream *ist)
{
    AVStream *ost = avformat_new_stream(w->oc, NULL);
    if (!ost)
        return AIM_ERR(ENOMEM);
    if (w->video_par) { // copied packets: the segment's parameters, the same time base
        if (avcodec_parameters_copy(ost->codecpar, w->video_par) < 0)
            return AIM_ERR(ENOMEM);
        ost->codecpar->codec_tag = 0;
        ost->time_base = (AVRational){ w->fps.den, w->fps.num };
        ost->avg_frame_rate = ost->r_frame_rate = (AVRational){ w->fps.num, w->fps.den };
    } else {
        if (avcodec_parameters_from_context(ost->codecpar, w->enc) < 0)
            return AIM_ERR(ENOMEM);
        ost->time_base = w->enc->time_base;
        ost->sample_aspect_ratio = w->enc->sample_aspect_ratio; // the container's tag (mkv, mov)
        // (Matroska stores this as a nanosecond DefaultDuration; FFmpeg 5.1 reads 48000/1001
        // back as 7001/146, 0.13 ppm off, and so does any MKV the ffmpeg CLI writes at that rate)
        ost->avg_frame_rate = ost->r_frame_rate = w->enc->framerate;
    }
    if (ist) {
        ost->disposition = ist->disposition & ~AV_DISPOSITION_ATTACHED_PIC;
        copy_stream_tags(&ost->metadata, ist->metadata, 1);
    }
    w->vst = ost;
    return 0;
}

// Matroska keeps cover art as an attachment (its demuxer turns image attachments into attached
// pictures): the picture goes to the attachment's extradata, with a filename and mimetype.
static int add_cover_attachment(AimWriter *w, const AVStream *ist)
{
    const AVPacket *pic = &ist->attached_pic;
    if (!pic->data || pic->size <= 0)
        return 0;
    const char *mime = ist->codecpar->codec_id == AV_CODEC_ID_PNG ? "image/png"
                     : ist->codecpar->codec_id == AV_CODEC_ID_MJPEG ? "image/jpeg"
                     : ist->codecpar->codec_id == AV_CODEC_ID_WEBP ? "image/webp" : NULL;
    const char *ext = mime ? strchr(mime, '/') + 1 : "bin";
    AVStream *ost = avformat_new_stream(w->oc, NULL);
    if (!ost || !(ost->codecpar->extradata = av_mallocz((size_t)pic->size +
                                                        AV_INPUT_BUFFER_PADDING_SIZE)))
        return AIM_ERR(ENOMEM);
    memcpy(ost->codecpar->extradata, pic->data, (size_t)pic->size);
    ost->codecpar->extradata_size = pic->size;
    ost->codecpar->codec_type = AVMEDIA_TYPE_ATTACHMENT;
    ost->codecpar->codec_id = ist->codecpar->codec_id;
    copy_stream_tags(&ost->metadata, ist->metadata, 0);
    if (!av_dict_get(ost->metadata, "filename", NULL, 0)) {
        char name[32];
        snprintf(name, sizeof(name), "cover.%s", strcmp(ext, "jpeg") ? ext : "jpg");
        av_dict_set(&ost->metadata, "filename", name, 0);
    }
    if (mime && !av_dict_get(ost->metadata, "mimetype", NULL, 0))
        av_dict_set(&ost->metadata, "mimetype", mime, 0);
    return 0;
}

// MP4 and MOV carry text subtitles as mov_text only: SRT, ASS, WebVTT... are converted event by
// event (the way ffmpeg -c:s mov_text does: decoded to ASS, encoded as plain text), keeping
// their timing; ASS styling (fonts, colours, positions) cannot be kept, and a warning says so.
// Without the decoder or the mov_text encoder the stream is dropped with a warning.
static int add_mov_text_stream(AimWriter *w, const AVStream *ist, int i, const char *what)
{
    const AVCodecParameters *par = ist->codecpar;
    const AVCodec *dc = avcodec_find_decoder(par->codec_id);
    const AVCodec *ec = avcodec_find_encoder(AV_CODEC_ID_MOV_TEXT);
    StreamMap *m = &w->map[i];
    if (!dc || !ec) {
        aim_log(&w->log, AIM_LOG_WARNING, "%s: %s cannot be converted to mov_text (no %s in this "
                "libavcodec); dropped", w->path, what, dc ? "mov_text encoder" : "decoder");
        return 0;
    }
    if (!(m->sub_dec = avcodec_alloc_context3(dc)) || !(m->sub_enc = avcodec_alloc_context3(ec)))
        return AIM_ERR(ENOMEM);
    int ret = avcodec_parameters_to_context(m->sub_dec, par);
    m->sub_dec->pkt_timebase = ist->time_base;
    if (ret >= 0)
        ret = avcodec_open2(m->sub_dec, dc, NULL);
    if (ret >= 0 && m->sub_dec->subtitle_header) { // the styles the encoder parses
        if (!(m->sub_enc->subtitle_header = av_mallocz(m->sub_dec->subtitle_header_size + 1)))
            return AIM_ERR(ENOMEM);
        memcpy(m->sub_enc->subtitle_header, m->sub_dec->subtitle_header,
               m->sub_dec->subtitle_header_size);
        m->sub_enc->subtitle_header_size = m->sub_dec->subtitle_header_size;
    }
    m->sub_enc->time_base = ist->time_base;
    if (ret >= 0)
        ret = avcodec_open2(m->sub_enc, ec, NULL);
    if (ret < 0) {
        avcodec_free_context(&m->sub_dec);
        avcodec_free_context(&m->sub_enc);
        aim_log(&w->log, AIM_LOG_WARNING, "%s: %s cannot be converted to mov_text (%s); dropped",
                w->path, what, AVERR(ret));
        return 0;
    }
    AVStream *ost = avformat_new_stream(w->oc, NULL);
    if (!ost || avcodec_parameters_from_context(ost->codecpar, m->sub_enc) < 0)
        return AIM_ERR(ENOMEM);
    ost->time_base = ist->time_base;
    ost->disposition = ist->disposition;
    copy_stream_tags(&ost->metadata, ist->metadata, 1);
    m->out = ost->index;
    m->in_tb = ist->time_base;
    if (par->codec_id == AV_CODEC_ID_ASS || par->codec_id == AV_CODEC_ID_SSA)
        aim_log(&w->log, AIM_LOG_WARNING, "%s: %s converted to mov_text, the only subtitle format "
                "of %s: its styling (fonts, colours, positions) is lost (.mkv keeps it)", w->path,
                what, w->ofmt->name);
    else
        aim_log(&w->log, AIM_LOG_INFO, "%s: %s converted to mov_text", w->path, what);
    return 0;
}

// Copies input stream i if the container can hold it; sets w->map[i].
static int add_copy_stream(AimWriter *w, const AVStream *ist, int i, const char *fmt_name,
                           int clipped)
{
    const AVCodecParameters *par = ist->codecpar;
    const char *kind = av_get_media_type_string(par->codec_type);
    char what[160];
    snprintf(what, sizeof(what), "stream #%d (%s %s)", i, kind ? kind : "data",
             avcodec_get_name(par->codec_id));
    w->map[i].out = -1;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && !(ist->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        aim_log(&w->log, AIM_LOG_WARNING, "%s: %s: only the processed video stream is written; "
                "dropped", w->path, what);
        return 0;
    }
    if ((ist->disposition & AV_DISPOSITION_ATTACHED_PIC) && !strcmp(fmt_name, "matroska"))
        return add_cover_attachment(w, ist);
    const AVCodecDescriptor *desc = avcodec_descriptor_get(par->codec_id);
    if ((!strcmp(fmt_name, "mp4") || !strcmp(fmt_name, "mov")) &&
        par->codec_type == AVMEDIA_TYPE_SUBTITLE && par->codec_id != AV_CODEC_ID_MOV_TEXT &&
        desc && (desc->props & AV_CODEC_PROP_TEXT_SUB))
        return add_mov_text_stream(w, ist, i, what);
    int keep;
    if (par->codec_type == AVMEDIA_TYPE_ATTACHMENT) // mkv_query_codec lists no attachment codecs
        keep = !strcmp(fmt_name, "matroska");
    else
        keep = avformat_query_codec(w->ofmt, par->codec_id, FF_COMPLIANCE_NORMAL) == 1;
    if (!keep) {
        aim_log(&w->log, AIM_LOG_WARNING, "%s: %s cannot be stored in %s; dropped", w->path,
                what, fmt_name);
        return 0;
    }
    // Audio is never dropped silently nor re-encoded: refuse, and say where it fits.
    if (mp4_only(fmt_name, par->codec_id))
        return fail(w, AIM_ERR_UNSUPPORTED, "%s cannot be stored in .mov: use .mkv or .mp4", what,
                    NULL);
    AVStream *ost = avformat_new_stream(w->oc, NULL);
    if (!ost || avcodec_parameters_copy(ost->codecpar, par) < 0)
        return AIM_ERR(ENOMEM);
    ost->codecpar->codec_tag = 0; // the input container's tag may mean nothing here
    ost->time_base = ist->time_base;
    ost->disposition = ist->disposition;
    ost->avg_frame_rate = ist->avg_frame_rate;
    ost->r_frame_rate = ist->r_frame_rate;
    copy_stream_tags(&ost->metadata, ist->metadata, clipped);
    w->map[i] = (StreamMap){ ost->index, ist->time_base };
    return 0;
}

// Output streams in the input's order: the encoded video at the decoded stream's place, every
// other stream the container can hold copied with its parameters, tags and dispositions.
static int add_streams(AimWriter *w, const char *fmt_name)
{
    if (!w->src)
        return add_video_stream(w, NULL);
    int vidx = -1;
    const AVFormatContext *ic = aim_reader_format(w->src, &vidx);
    IoTimeline tl;
    aim_reader_timeline(w->src, &tl);
    if (!(w->map = calloc(ic->nb_streams, sizeof(*w->map))))
        return AIM_ERR(ENOMEM);
    w->nb_map = (int)ic->nb_streams;
    for (int i = 0; i < w->nb_map; i++) {
        int ret = i == vidx ? add_video_stream(w, ic->streams[i])
                            : add_copy_stream(w, ic->streams[i], i, fmt_name, tl.clipped);
        if (ret < 0)
            return ret;
    }
    w->map[vidx].out = -1; // video packets of the input are never copied
    av_dict_copy(&w->oc->metadata, ic->metadata, 0);
    av_dict_set(&w->oc->metadata, "encoder", NULL, 0); // the muxer names itself
    return copy_chapters(w, ic, &tl);
}

// ---------------------------------------------------------------- y4m

// y4m is written directly: FFmpeg 5.1's yuv4mpegpipe muxer writes odd-width 10-bit chroma rows
// one byte short (plane width computed in bytes before the chroma shift), and raw planes need
// no encoder. Header as FFmpeg's demuxer reads it (chroma siting, XCOLORRANGE).
static int y4m_header(AimWriter *w)
{
    const char *c = "420jpeg XYSCSS=420JPEG"; // y4m's default siting (center)
    if (w->depth == 10)
        c = "420p10 XYSCSS=420P10";
    else if (w->color.chroma_loc == AVCHROMA_LOC_LEFT)
        c = "420mpeg2 XYSCSS=420MPEG2";
    else if (w->color.chroma_loc == AVCHROMA_LOC_TOPLEFT)
        c = "420paldv XYSCSS=420PALDV";
    const char *range = w->color.range == AVCOL_RANGE_JPEG ? " XCOLORRANGE=FULL"
                      : w->color.range == AVCOL_RANGE_MPEG ? " XCOLORRANGE=LIMITED" : "";
    char aspect[32] = "";
    if (w->sar.num > 0 && w->sar.den > 0)
        snprintf(aspect, sizeof(aspect), " A%d:%d", w->sar.num, w->sar.den);
    avio_printf(w->y4m_io, "YUV4MPEG2 W%d H%d F%d:%d Ip%s C%s%s\n", w->width, w->height,
                w->fps.num, w->fps.den, aspect, c, range);
    if (!(w->row = malloc((size_t)w->width * 2)))
        return AIM_ERR(ENOMEM);
    return 0;
}

static int write_y4m(AimWriter *w, const AimFrame *f)
{
    avio_write(w->y4m_io, (const unsigned char *)"FRAME\n", 6);
    int max = (1 << w->depth) - 1;
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(f, p), ph = aim_plane_h(f, p);
        for (int y = 0; y < ph; y++) {
            const uint16_t *s = f->data[p] + y * f->stride[p];
            if (w->depth == 8) {
                for (int x = 0; x < pw; x++)
                    w->row[x] = (uint8_t)(s[x] > max ? max : s[x]);
                avio_write(w->y4m_io, w->row, pw);
            } else {
                for (int x = 0; x < pw; x++) { // little-endian samples
                    int v = s[x] > max ? max : s[x];
                    w->row[2 * x] = (uint8_t)v;
                    w->row[2 * x + 1] = (uint8_t)(v >> 8);
                }
                avio_write(w->y4m_io, w->row, 2 * pw);
            }
        }
    }
    if (w->y4m_io->error < 0) {
        aim_log(&w->log, AIM_LOG_ERROR, "%s while writing %s", AVERR(w->y4m_io->error), w->path);
        return w->error = aim_io_error(w->y4m_io->error);
    }
    return 0;
}

// ---------------------------------------------------------------- open / close

// SVT-AV1 1.4's deinit waits for its end-of-stream packet (svt_av1_enc_deinit calls
// svt_av1_enc_get_packet): closing an encoder that was not flushed (a refused header, an error
// or Ctrl-C mid-run) hangs forever, and so does flushing one that got no picture. Give it one
// (black) if it had none, flush it, and drop what comes out.
static void unblock_svt(AimWriter *w)
{
    if (!w->enc || !avcodec_is_open(w->enc) || w->enc_eof || strcmp(w->enc->codec->name,
                                                                    "libsvtav1"))
        return;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *f = w->sent ? NULL : av_frame_alloc();
    if (!pkt || (!w->sent && !f))
        goto end;
    if (f) {
        f->format = w->enc->pix_fmt;
        f->width = w->enc->width;
        f->height = w->enc->height;
        if (av_frame_get_buffer(f, 0) < 0)
            goto end;
        for (int p = 0; p < 3; p++)
            memset(f->data[p], p ? 128 : 16, (size_t)f->linesize[p] * (p ? (f->height + 1) / 2
                                                                           : f->height));
        if (f->format != AV_PIX_FMT_YUV420P) // 10-bit: only the mid-grey chroma differs
            for (int p = 1; p < 3; p++)
                for (int y = 0; y < (f->height + 1) / 2; y++)
                    for (int x = 0; x < (f->width + 1) / 2; x++)
                        AV_WN16(f->data[p] + y * f->linesize[p] + 2 * x, 512);
        if (avcodec_send_frame(w->enc, f) < 0)
            goto end;
    }
    if (avcodec_send_frame(w->enc, NULL) < 0)
        goto end;
    while (avcodec_receive_packet(w->enc, pkt) >= 0)
        av_packet_unref(pkt);
end:
    av_frame_free(&f);
    av_packet_free(&pkt);
}

void aim_writer_close(AimWriter **pw)
{
    AimWriter *w = pw ? *pw : NULL;
    if (!w)
        return;
    *pw = NULL;
    if (w->src)
        aim_reader_attach(w->src, NULL);
    avio_closep(&w->y4m_io); // (the pipe protocol leaves fd 1 open)
    unblock_svt(w);
    avcodec_free_context(&w->enc);
    if (w->oc) {
        w->oc->nb_chapters += w->late_chapters; // freed with the context
        if (w->oc->pb)
            avio_closep(&w->oc->pb);
        avformat_free_context(w->oc);
    }
    if (w->tmp_path && !w->renamed)
        unlink(w->tmp_path);
    av_frame_free(&w->frame);
    av_frame_free(&w->yuv);
    sws_freeContext(w->sws);
    av_packet_free(&w->pkt);
    free(w->row);
    for (int i = 0; i < w->nb_map; i++) {
        avcodec_free_context(&w->map[i].sub_dec);
        avcodec_free_context(&w->map[i].sub_enc);
    }
    free(w->map);
    free(w->tmp_path);
    free(w->path);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static int valid_settings(const AimWriterSettings *s)
{
    const AimColor *c = &s->color;
    return s->path && s->path[0] && s->width > 0 && s->height > 0 && s->width <= 16384 &&
           s->height <= 16384 && (s->depth == 8 || s->depth == 10) && s->frame_rate.num > 0 &&
           s->frame_rate.den > 0 && s->crf <= 63 && s->threads >= 0 &&
           c->matrix >= 0 && c->matrix < AVCOL_SPC_NB && c->primaries >= 0 &&
           c->primaries < AVCOL_PRI_NB && c->transfer >= 0 && c->transfer < AVCOL_TRC_NB &&
           c->range >= 0 && c->range < AVCOL_RANGE_NB && c->chroma_loc >= 0 &&
           c->chroma_loc < AVCHROMA_LOC_NB;
}

int aim_writer_open(AimWriter **out, const AimWriterSettings *s)
{
    return aim_writer_open_copy(out, s, NULL);
}

int aim_writer_open_copy(AimWriter **out, const AimWriterSettings *s,
                         const AVCodecParameters *video)
{
    if (!out || !s || !valid_settings(s))
        return AIM_ERR(EINVAL);
    AimWriter *w = calloc(1, sizeof(*w));
    if (!w)
        return AIM_ERR(ENOMEM);
    pthread_mutex_init(&w->lock, NULL);
    if (!(w->path = strdup(s->path))) {
        free(w);
        return AIM_ERR(ENOMEM);
    }
    w->log = s->log;
    w->width = s->width;
    w->height = s->height;
    w->depth = s->depth;
    w->fps = s->frame_rate;
    w->color = s->color;
    if (s->sar.num > 0 && s->sar.den > 0)
        av_reduce(&w->sar.num, &w->sar.den, s->sar.num, s->sar.den, INT_MAX);
    w->last_index = -1;
    w->min_pts = AV_NOPTS_VALUE;
    w->src = s->copy_from;
    w->overwrite = s->overwrite;
    w->video_par = video;
    int ret;

    w->to_stdout = !strcmp(s->path, "-");
    const char *fmt_name = w->to_stdout ? "y4m" : container(s->path);
    if (!fmt_name) {
        ret = fail(w, AIM_ERR_UNSUPPORTED, "unknown container (use .mkv .mp4 .mov .webm .y4m .png, "
                   "or - for y4m on stdout)", NULL, NULL);
        goto error;
    }
    w->y4m = !strcmp(fmt_name, "y4m");
    w->png = single_image_format(fmt_name);
    if (video && (w->y4m || w->png)) {
        ret = fail(w, AIM_ERR_UNSUPPORTED, "joined segments need a video container (.mkv .mp4 "
                   ".mov .webm)", NULL, NULL);
        goto error;
    }
    if (w->src && !aim_reader_can_attach(w->src)) {
        ret = fail(w, AIM_ERR(EINVAL), "the writer must be opened before reading starts "
                   "(stream copy)", NULL, NULL);
        goto error;
    }
    if (!w->to_stdout && (ret = check_paths(w, s)) < 0)
        goto error;
    if (w->png && w->src) {
        aim_log(&w->log, AIM_LOG_INFO, "%s: a png holds one image: other streams, chapters "
                "and metadata are not copied", w->path);
        w->src = NULL;
    }
    if (!w->y4m) {
        if (!(w->ofmt = av_guess_format(fmt_name, NULL, NULL))) {
            ret = fail(w, AIM_ERR_UNSUPPORTED, "libavformat has no %s muxer", fmt_name, NULL);
            goto error;
        }
        if (video && avformat_query_codec(w->ofmt, video->codec_id, FF_COMPLIANCE_NORMAL) != 1) {
            ret = fail(w, AIM_ERR_UNSUPPORTED, "%s video cannot be stored in %s",
                       avcodec_get_name(video->codec_id), fmt_name);
            goto error;
        }
        if (!video && (ret = open_encoder(w, s, fmt_name)) < 0)
            goto error;
    }
    // nothing was written up to here
    if (!w->to_stdout && (ret = create_temp(w)) < 0)
        goto error;
    const char *url = w->to_stdout ? "pipe:1" : w->tmp_path;
    char *full_url = av_asprintf("%s%s", w->to_stdout ? "" : "file:", url);
    if (!full_url) {
        ret = AIM_ERR(ENOMEM);
        goto error;
    }
    if (w->y4m) {
        ret = avio_open(&w->y4m_io, full_url, AVIO_FLAG_WRITE);
        av_free(full_url);
        if (ret < 0) {
            ret = fail(w, aim_io_error(ret), "cannot open for writing: %s", AVERR(ret), NULL);
            goto error;
        }
        if (w->src)
            aim_log(&w->log, AIM_LOG_INFO, "%s: y4m holds only video: other streams, chapters "
                    "and metadata are not copied", w->path);
        w->src = NULL; // nothing to copy: do not attach
        if ((ret = y4m_header(w)) < 0)
            goto error;
        *out = w;
        return 0;
    }
    ret = avformat_alloc_output_context2(&w->oc, w->ofmt, NULL, url);
    if (ret < 0) {
        av_free(full_url);
        ret = fail(w, aim_io_error(ret), "cannot create the %s muxer: %s", fmt_name, AVERR(ret));
        goto error;
    }
    ret = avio_open(&w->oc->pb, full_url, AVIO_FLAG_WRITE);
    av_free(full_url);
    if (ret < 0) {
        ret = fail(w, aim_io_error(ret), "cannot open for writing: %s", AVERR(ret), NULL);
        goto error;
    }
    // FFmpeg 5.1's mov muxer calls FLAC and Opus in MP4 experimental (6.1 no longer does, and
    // players read them): allow it so such audio is copied rather than failing the header
    if (!strcmp(fmt_name, "mp4") || !strcmp(fmt_name, "mov"))
        w->oc->strict_std_compliance = FF_COMPLIANCE_EXPERIMENTAL;
    if ((ret = add_streams(w, fmt_name)) < 0)
        goto error;
    if (muxer_shifts(w->ofmt)) {
        w->late_chapters = w->oc->nb_chapters;
        w->oc->nb_chapters = 0;
    } else {
        place_chapters(w, 0);
    }
    if ((ret = avformat_write_header(w->oc, NULL)) < 0) {
        ret = fail(w, AIM_ERR_UNSUPPORTED, "cannot write the %s header: %s", fmt_name,
                   AVERR(ret));
        goto error;
    }
    w->header_done = 1;
    if (!(w->frame = av_frame_alloc()) || !(w->pkt = av_packet_alloc())) {
        ret = AIM_ERR(ENOMEM);
        goto error;
    }
    if (video)
        goto attach;
    w->frame->format = w->enc->pix_fmt;
    w->frame->width = w->enc_w;
    w->frame->height = w->enc_h;
    if (av_frame_get_buffer(w->frame, 0) < 0) {
        ret = AIM_ERR(ENOMEM);
        goto error;
    }
attach:
    if (w->src &&
        (ret = aim_reader_attach(w->src, &(IoPacketSink){ copy_packet, source_closed, w })) < 0)
        goto error;
    aim_log(&w->log, AIM_LOG_DEBUG, "%s: header written, %u streams", w->path,
            w->oc->nb_streams);
    *out = w;
    return 0;
error:
    aim_writer_close(&w);
    return ret;
}

// ---------------------------------------------------------------- writing

// Drains the encoder's packets into the muxer.
static int drain(AimWriter *w)
{
    for (;;) {
        int ret = avcodec_receive_packet(w->enc, w->pkt);
        if (ret == AVERROR_EOF)
            w->enc_eof = 1;
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0) {
            aim_log(&w->log, AIM_LOG_ERROR, "%s: encoding failed: %s", w->path, AVERR(ret));
            return w->error = aim_io_error(ret);
        }
        av_packet_rescale_ts(w->pkt, w->enc->time_base, w->vst->time_base);
        w->pkt->stream_index = w->vst->index;
        if ((ret = mux(w, w->pkt)) < 0)
            return ret;
    }
}

static void narrow_plane(uint8_t *restrict dst, int dstride, const uint16_t *restrict src,
                         ptrdiff_t sstride, int w, int h, int max)
{
    for (int y = 0; y < h; y++, dst += dstride, src += sstride)
        for (int x = 0; x < w; x++)
            dst[x] = (uint8_t)(src[x] > max ? max : src[x]);
}

static void clamp_plane(uint16_t *restrict dst, int dstride, const uint16_t *restrict src,
                        ptrdiff_t sstride, int w, int h, int max)
{
    for (int y = 0; y < h; y++, dst += dstride, src += sstride)
        for (int x = 0; x < w; x++)
            dst[x] = (uint16_t)(src[x] > max ? max : src[x]);
}

// AimFrame -> w->frame (padded luma edge repeated for odd sizes).
static int fill_frame(AimWriter *w, const AimFrame *f)
{
    AVFrame *fr = w->png ? w->yuv : w->frame;
    if (av_frame_make_writable(fr) < 0)
        return AIM_ERR(ENOMEM);
    int max = (1 << w->depth) - 1;
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(f, p), ph = aim_plane_h(f, p);
        if (w->depth == 8)
            narrow_plane(fr->data[p], fr->linesize[p], f->data[p], f->stride[p], pw, ph, max);
        else
            clamp_plane((uint16_t *)fr->data[p], fr->linesize[p] / 2, f->data[p], f->stride[p],
                        pw, ph, max);
    }
    // chroma of the padded size is the same ceil(w/2) x ceil(h/2): only luma grows
    int bps = w->depth == 8 ? 1 : 2;
    uint8_t *y0 = fr->data[0];
    if (w->enc_w > w->width)
        for (int y = 0; y < w->height; y++) {
            uint8_t *row = y0 + y * fr->linesize[0];
            memcpy(row + w->width * bps, row + (w->width - 1) * bps, (size_t)bps);
        }
    if (w->enc_h > w->height)
        memcpy(y0 + w->height * fr->linesize[0], y0 + (w->height - 1) * fr->linesize[0],
               (size_t)w->enc_w * bps);
    fr->pts = f->index;
    fr->color_range = w->color.range;
    fr->colorspace = w->color.matrix;
    fr->color_primaries = w->color.primaries;
    fr->color_trc = w->color.transfer;
    fr->chroma_location = w->color.chroma_loc;
    return 0;
}

int aim_writer_write(AimWriter *w, const AimFrame *f)
{
    if (!w || !f)
        return AIM_ERR(EINVAL);
    if (w->error)
        return w->error;
    if (w->finished || f->width != w->width || f->height != w->height || f->depth != w->depth ||
        f->index <= w->last_index) {
        aim_log(&w->log, AIM_LOG_ERROR, "%s: frame %lld (%dx%d %d-bit) does not fit the output "
                "(%dx%d %d-bit, after frame %lld)", w->path, (long long)f->index, f->width,
                f->height, f->depth, w->width, w->height, w->depth, (long long)w->last_index);
        return AIM_ERR(EINVAL);
    }
    int ret = 0;
    if (w->y4m) {
        // y4m has no timestamps: a gap in the numbering repeats the frame to keep k at k/fps
        for (int64_t k = w->last_index + 1; k <= f->index && ret >= 0; k++)
            ret = write_y4m(w, f);
        w->last_index = f->index;
        return ret;
    }
    if (w->png && w->last_index >= 0) {
        aim_log(&w->log, AIM_LOG_ERROR, "%s: a png holds one image, this is frame %lld (use "
                "--fps source on a still, or a video container)", w->path, (long long)f->index);
        return w->error = AIM_ERR_UNSUPPORTED;
    }
    if ((ret = fill_frame(w, f)) < 0)
        return ret;
    if (w->png) {
        if (av_frame_make_writable(w->frame) < 0)
            return AIM_ERR(ENOMEM);
        sws_scale(w->sws, (const uint8_t *const *)w->yuv->data, w->yuv->linesize, 0, w->height,
                  w->frame->data, w->frame->linesize);
        w->frame->pts = f->index;
    }
    w->last_index = f->index;
    w->sent = 1;
    ret = avcodec_send_frame(w->enc, w->frame);
    if (ret < 0) {
        aim_log(&w->log, AIM_LOG_ERROR, "%s: encoding frame %lld failed: %s", w->path,
                (long long)f->index, AVERR(ret));
        return w->error = aim_io_error(ret);
    }
    return drain(w);
}

// Moves tmp to path. Without overwrite an existing path is never replaced, even one that
// appeared after open: renameat2(RENAME_NOREPLACE), or link + unlink where the file system
// lacks it (EINVAL). 0, AIM_ERR(EEXIST) or another AIM_ERR(errno).
static int publish(const char *tmp, const char *path, int overwrite)
{
    if (overwrite)
        return rename(tmp, path) < 0 ? AIM_ERR(errno) : 0;
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return AIM_ERR(errno);
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 0;
    }
    if (errno != EPERM && errno != EOPNOTSUPP)
        return AIM_ERR(errno);
    // no hard links either (FAT): the check and the rename are two steps
    struct stat st;
    if (lstat(path, &st) == 0)
        return AIM_ERR(EEXIST);
    return rename(tmp, path) < 0 ? AIM_ERR(errno) : 0;
}

const char *aim_writer_temp_path(const AimWriter *w)
{
    return w ? w->tmp_path : NULL;
}

int aim_writer_error(const AimWriter *w)
{
    if (!w)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&w->lock);
    int err = w->error;
    pthread_mutex_unlock((pthread_mutex_t *)&w->lock);
    return err;
}

int aim_writer_finish(AimWriter *w)
{
    if (!w)
        return AIM_ERR(EINVAL);
    if (w->renamed || (w->to_stdout && w->finished))
        return 0;
    if (w->error)
        return w->error;
    int ret = 0;
    if (w->y4m) {
        avio_flush(w->y4m_io);
        ret = w->y4m_io->error;
        int e = avio_closep(&w->y4m_io);
        ret = ret < 0 ? ret : e;
        w->finished = 1;
        if (ret < 0) {
            aim_log(&w->log, AIM_LOG_ERROR, "%s while writing %s", AVERR(ret), w->path);
            return w->error = aim_io_error(ret);
        }
    } else {
        if (w->enc && (ret = avcodec_send_frame(w->enc, NULL)) < 0 && ret != AVERROR_EOF) {
            aim_log(&w->log, AIM_LOG_ERROR, "%s: flushing the encoder failed: %s", w->path,
                    AVERR(ret));
            return w->error = aim_io_error(ret);
        }
        if (w->enc && (ret = drain(w)) < 0)
            return ret;
        pthread_mutex_lock(&w->lock);
        if (w->late_chapters) {
            // the muxer's shift of the video stream (mux.c: rounded up)
            int64_t shift = w->min_pts == AV_NOPTS_VALUE || w->min_pts >= 0 ? 0
                          : av_rescale_q_rnd(-w->min_pts, w->min_tb, w->vst->time_base,
                                             AV_ROUND_UP);
            w->oc->nb_chapters = w->late_chapters;
            w->late_chapters = 0;
            place_chapters(w, shift);
        }
        ret = av_write_trailer(w->oc);
        w->finished = 1; // packets the reader still sends are dropped from here on
        pthread_mutex_unlock(&w->lock);
        if (ret >= 0)
            ret = avio_closep(&w->oc->pb);
        if (ret < 0) {
            aim_log(&w->log, AIM_LOG_ERROR, "%s while writing %s", AVERR(ret), w->path);
            return w->error = aim_io_error(ret);
        }
    }
    if (w->to_stdout)
        return 0;
    int ret2 = publish(w->tmp_path, w->path, w->overwrite);
    if (ret2 == AIM_ERR(EEXIST)) {
        // another program (or run) wrote OUT meanwhile: theirs stays, ours is kept aside
        w->renamed = 1;
        aim_log(&w->log, AIM_LOG_ERROR, "%s appeared while this run was writing and was left "
                "alone; the finished result is kept as %s", w->path, w->tmp_path);
        return w->error = AIM_ERR(EEXIST);
    }
    if (ret2 < 0) {
        aim_log(&w->log, AIM_LOG_ERROR, "%s while renaming %s to %s", aim_strerror(ret2),
                w->tmp_path, w->path);
        return w->error = ret2;
    }
    w->renamed = 1;
    return 0;
}
