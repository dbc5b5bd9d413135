// aim_join (io.h): the segments of a planned job (tools/ainimotion/job.c) become one file.
// Their video packets are copied unchanged, retimed from their own timestamps to frame numbers
// of the output grid (a segment written by AimWriter stamps frame k at k / frame_rate, so the
// number is recovered exactly), and the input's other streams are copied by the reader as an
// enhance run copies them, interleaved by time.
#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "io_internal.h"

typedef struct Seg {
    AVFormatContext *fmt;
    int vidx;
} Seg;

static void seg_close(Seg *g)
{
    avformat_close_input(&g->fmt);
}

static int bad(const AimJoinSettings *s, const char *path, const char *why)
{
    aim_log(&s->log, AIM_LOG_ERROR, "%s: %s", path, why);
    return AIM_ERR_INVALID_DATA;
}

// Opens a segment; `ref` (NULL for the first) is the parameters every segment must share.
static int seg_open(const AimJoinSettings *s, const char *path, const AVCodecParameters *ref,
                    Seg *g)
{
    char url[4096];
    snprintf(url, sizeof(url), "file:%s", path);
    if (avformat_open_input(&g->fmt, url, NULL, NULL) < 0)
        return bad(s, path, "cannot open the segment (missing or not a media file)");
    // (also for the decode timestamps: without it the demuxer knows no B-frame delay)
    if (avformat_find_stream_info(g->fmt, NULL) < 0)
        return bad(s, path, "cannot read the segment's stream parameters");
    if (g->fmt->nb_streams != 1 || g->fmt->streams[0]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO)
        return bad(s, path, "a segment holds exactly one video stream");
    g->vidx = 0;
    const AVCodecParameters *p = g->fmt->streams[0]->codecpar;
    if (ref && (p->codec_id != ref->codec_id || p->width != ref->width ||
                p->height != ref->height || p->extradata_size != ref->extradata_size ||
                (p->extradata_size &&
                 memcmp(p->extradata, ref->extradata, (size_t)p->extradata_size))))
        return bad(s, path, "the segment's codec parameters differ from the first segment's "
                   "(another encoder or settings)");
    return 0;
}

// Decode timestamps: Matroska stores none, so its demuxer leaves the first packets after a
// keyframe without one. The encoder's are consecutive frame numbers in decode order, `delay`
// frames behind (B-frame reordering): the packet at decode position i of a segment starting at
// frame `first` has dts first + i - delay; delay comes from the first packet that has a dts.
#define MAX_UNTIMED 64 // packets without a dts before the first with one (x264: <= 16 B-frames)

typedef struct Pending {
    AVPacket *pkt[MAX_UNTIMED];
    int n;
} Pending;

// Muxes one packet (pts/duration already frame numbers; dts set from the decode position).
static int emit(const AimJoinSettings *s, AimWriter *w, AVPacket *pkt, int64_t dts)
{
    const AVRational frame_tb = { s->frame_rate.den, s->frame_rate.num };
    int ret = aim_reader_copy_until(s->copy_from, av_rescale_q(pkt->pts, frame_tb,
                                                               AV_TIME_BASE_Q));
    if (ret < 0) {
        av_packet_unref(pkt);
        return ret;
    }
    pkt->dts = dts;
    pkt->stream_index = 0;
    return aim_writer_copy_video(w, pkt);
}

// Copies segment `g` (index i); ends on its last packet.
static int seg_copy(const AimJoinSettings *s, int i, Seg *g, AimWriter *w, AVPacket *pkt)
{
    const AimJoinSegment *sg = &s->segments[i];
    const AVRational frame_tb = { s->frame_rate.den, s->frame_rate.num };
    const AVRational tb = g->fmt->streams[g->vidx]->time_base;
    const int rnd = AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX;
    Pending pend = { .n = 0 };
    int64_t n = 0, delay = -1;
    int ret = 0;
    for (;;) {
        ret = av_read_frame(g->fmt, pkt);
        if (ret == AVERROR_EOF) {
            ret = 0;
            break;
        }
        if (ret < 0) {
            ret = bad(s, sg->path, "damaged: the segment cannot be read to its end");
            break;
        }
        if (pkt->pts == AV_NOPTS_VALUE) {
            av_packet_unref(pkt);
            ret = bad(s, sg->path, "damaged: a packet without a timestamp");
            break;
        }
        int64_t k = av_rescale_q_rnd(pkt->pts, tb, frame_tb, rnd);
        if ((n == 0 && !(pkt->flags & AV_PKT_FLAG_KEY)) || k < sg->first ||
            k >= sg->first + sg->count) {
            av_packet_unref(pkt);
            ret = bad(s, sg->path, n == 0 ? "damaged: does not start with a keyframe"
                                          : "holds a frame outside its range");
            break;
        }
        if (delay < 0 && pkt->dts != AV_NOPTS_VALUE)
            delay = sg->first + n - av_rescale_q_rnd(pkt->dts, tb, frame_tb, rnd);
        pkt->pts = k;
        pkt->duration = av_rescale_q_rnd(pkt->duration, tb, frame_tb, rnd);
        n++;
        if (delay < 0) { // its dts is known once a later packet tells the delay
            if (pend.n == MAX_UNTIMED) {
                av_packet_unref(pkt);
                ret = bad(s, sg->path, "damaged: no decode timestamps");
                break;
            }
            if (!(pend.pkt[pend.n] = av_packet_alloc())) {
                av_packet_unref(pkt);
                ret = AIM_ERR(ENOMEM);
                break;
            }
            av_packet_move_ref(pend.pkt[pend.n++], pkt);
            continue;
        }
        int64_t pos = n - 1 - pend.n; // decode position of the first pending packet
        for (int p = 0; p < pend.n && ret >= 0; p++)
            ret = emit(s, w, pend.pkt[p], sg->first + pos + p - delay);
        for (int p = 0; p < pend.n; p++)
            av_packet_free(&pend.pkt[p]);
        pend.n = 0;
        if (ret < 0 || (ret = emit(s, w, pkt, sg->first + n - 1 - delay)) < 0)
            break;
    }
    // no packet had a dts (no reordering): decode order is presentation order
    for (int p = 0; p < pend.n; p++) {
        if (ret >= 0)
            ret = emit(s, w, pend.pkt[p], pend.pkt[p]->pts);
        av_packet_free(&pend.pkt[p]);
    }
    if (ret >= 0 && n != sg->count) {
        char why[128];
        snprintf(why, sizeof(why), "damaged: holds %lld frames, %lld expected", (long long)n,
                 (long long)sg->count);
        return bad(s, sg->path, why);
    }
    return ret;
}

int aim_join(const AimJoinSettings *s)
{
    if (!s || !s->path || !s->copy_from || s->nb_segments < 1 || !s->segments ||
        s->frame_rate.num <= 0 || s->frame_rate.den <= 0)
        return AIM_ERR(EINVAL);
    for (int i = 1; i < s->nb_segments; i++)
        if (s->segments[i].first != s->segments[i - 1].first + s->segments[i - 1].count)
            return AIM_ERR(EINVAL);
    Seg first = { 0 };
    AimWriter *w = NULL;
    AVPacket *pkt = av_packet_alloc();
    int ret = pkt ? seg_open(s, s->segments[0].path, NULL, &first) : AIM_ERR(ENOMEM);
    if (ret < 0)
        goto end;
    const AVCodecParameters *par = first.fmt->streams[first.vidx]->codecpar;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(par->format);
    AimWriterSettings ws;
    aim_writer_default_settings(&ws);
    ws.path = s->path;
    ws.overwrite = s->overwrite;
    ws.width = par->width;
    ws.height = par->height;
    ws.depth = d && d->comp[0].depth > 8 ? 10 : 8;
    ws.frame_rate = s->frame_rate;
    ws.copy_from = s->copy_from;
    ws.log = s->log;
    if ((ret = aim_writer_open_copy(&w, &ws, par)) < 0)
        goto end;
    for (int i = 0; i < s->nb_segments && ret >= 0; i++) {
        if (i == 0) {
            ret = seg_copy(s, 0, &first, w, pkt);
            continue;
        }
        Seg g = { 0 };
        if ((ret = seg_open(s, s->segments[i].path, par, &g)) >= 0)
            ret = seg_copy(s, i, &g, w, pkt);
        seg_close(&g);
    }
    if (ret >= 0)
        ret = aim_reader_copy_until(s->copy_from, INT64_MAX);
    if (ret >= 0)
        ret = aim_writer_finish(w);
end:
    aim_writer_close(&w); // removes the temporary file unless finish succeeded
    seg_close(&first);
    av_packet_free(&pkt);
    return ret < 0 ? ret : 0;
}
