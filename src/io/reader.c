// AimReader: demux + decode the input's video stream into AimFrames; forward the other streams'
// packets to an attached writer (stream copy). See io.h for the contract.
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "core/parse.h"
#include "io_internal.h"

// A badly damaged file would log one line per broken packet; the first 20 show the pattern of
// the damage, the rest are only counted and summed up at the end.
#define MAX_DECODE_WARNINGS 20
// After the clip end, demux this much further (input time) so that packets of the other streams
// that lie before the end but sit later in the file still reach the writer. libavformat muxers
// interleave within max_interleave_delta (default 10 s), so 10 s covers files libav wrote.
#define TAIL_DEMUX_US (10 * (int64_t)AV_TIME_BASE)
// Seek retries when the demuxer lands after the clip start: go back 1 s, 4 s, 16 s ... before
// the start (keyframe intervals of real files are 0.5-10 s), then decode from the first frame.
#define SEEK_MARGIN_FIRST_US ((int64_t)AV_TIME_BASE)
#define SEEK_MARGIN_MAX_US (64 * (int64_t)AV_TIME_BASE)
// Idle frames the reader's pool keeps for the next pictures; more coming back at once are freed.
// Consumers give the reader's frames back about as fast as they read them (plan's gate pass one
// per read, the pipeline one per job, after at most queue_depth (default 4) jobs and the gate's
// lookahead of 4 frames), so 8 cover their bursts; a lead-in's up to LEAD_MAX_BYTES is not kept.
#define POOL_MAX_IDLE 8

struct AimReader {
    AimLog log;
    char *path;
    struct stat st;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *vst;
    int vidx;
    AVPacket *pkt;
    AVFrame *frame;
    AimVideoInfo info;

    // conversion (anything that is not 4:2:0 at the output depth and size)
    struct SwsContext *sws;
    AVFrame *tmp;
    int sws_fmt, sws_w, sws_h, sws_cs, sws_range;

    // timeline, all in the video stream's time base
    int64_t base_ts;  // first decoded frame: clip times are relative to it
    int64_t start_ts; // clip start, INT64_MIN without a clip
    int64_t end_ts;   // clip end (exclusive), INT64_MAX without one
    int64_t zero_ts;  // first returned frame = output time 0
    int64_t last_ts;  // last decoded frame (stands in for missing timestamps)
    int64_t frame_dur;
    int clipped;

    AimFramePool *pool; // every frame the reader returns (outlives the reader while held)
    AimFrame *primed; // the first frame, decoded at open
    AimFrame **lead;  // pictures before it that had no timestamp (see lead_in), returned first
    int nb_lead, lead_pos;
    int ts_guessed;   // the last decoded picture had no timestamp (next_decoded made one up)
    int64_t next_index;
    int64_t decoded;  // frames out of the decoder, for positions in warnings
    int demux_eof, flushed, done, started;
    int64_t err_pos;  // byte position of the last demux error
    int demux_errors; // in a row
    int nb_warnings;
    // constant-rate placement of a variable-frame-rate input (see place)
    AimFrame *last;   // the last picture returned (a gap repeats it)
    AimFrame *held;   // a picture waiting for its slot while the gap before it is filled
    int64_t vfr_dup, vfr_drop;
    int64_t slot_skip; // slots of timestamp jumps not filled (see place)
    int timed;         // settings.timed: pictures keep their times (see place_timed)
    int64_t pts_skip, vfr_off, vfr_gap; // timed: jumps closed (us), pictures off grid, slots missing
    int64_t true_pts; // timed: the last picture's own time (us, after pts_skip)
    double pos;       // timed: its position on the grid in slots (exact slot when pos_exact)
    int pos_exact;
    int64_t nb_errors;

    // stream copy
    IoPacketSink sink;  // the writer copying from this reader (sink.packet NULL: none)
    AVPacket **pending; // demuxed before a writer was attached
    int nb_pending, cap_pending;
    uint8_t *pic_sent;  // per input stream: the attached picture went out
};

static const char *averr_str(int err, char *buf, size_t n)
{
    av_strerror(err, buf, n);
    return buf;
}
#define AVERR(e) averr_str((e), (char[AV_ERROR_MAX_STRING_SIZE]){ 0 }, AV_ERROR_MAX_STRING_SIZE)

void aim_reader_default_settings(AimReaderSettings *s)
{
    *s = (AimReaderSettings){ .clip_start = -1, .clip_end = -1, .threads = 0 };
}

const AimVideoInfo *aim_reader_info(const AimReader *r) { return &r->info; }

// ---------------------------------------------------------------- stream copy (reader side)

static double ts_seconds(const AimReader *r, int64_t ts)
{
    return ts == AV_NOPTS_VALUE ? 0.0 : (ts - r->base_ts) * av_q2d(r->vst->time_base);
}

static void drop_pending(AimReader *r)
{
    for (int i = 0; i < r->nb_pending; i++)
        av_packet_free(&r->pending[i]);
    r->nb_pending = 0;
}

// Puts a packet of a copied stream on the output timeline and hands it to the writer.
// Policy (documented in io.h): without a clip every packet is kept and shifted by the zero point;
// with a clip, packets that end before the zero point or start at/after the end are dropped,
// audio packets overlapping the start are kept whole (payloads are never cut), subtitle events
// overlapping either edge are trimmed (pts/duration only; the payload carries no times).
static int copy_out(AimReader *r, AVPacket *pkt)
{
    AVStream *st = r->fmt->streams[pkt->stream_index];
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) {
        // demuxers queue the picture again after every seek: send it once, timestamps as they are
        if (r->pic_sent[pkt->stream_index]) {
            av_packet_unref(pkt);
            return 0;
        }
        r->pic_sent[pkt->stream_index] = 1;
        if (pkt->pts == AV_NOPTS_VALUE) // a still has no time; muxers want one
            pkt->pts = pkt->dts = 0;
        return r->sink.packet(r->sink.opaque, pkt);
    }
    int64_t t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (t == AV_NOPTS_VALUE) { // cannot be placed on the output timeline
        av_packet_unref(pkt);
        return 0;
    }
    AVRational vtb = r->vst->time_base, tb = st->time_base;
    int64_t zero = av_rescale_q(r->zero_ts, vtb, tb);
    int64_t end = r->end_ts == INT64_MAX ? INT64_MAX : av_rescale_q(r->end_ts, vtb, tb);
    int subtitle = st->codecpar->codec_type == AVMEDIA_TYPE_SUBTITLE;
    if (r->clipped) {
        int64_t t_end = t + FFMAX(pkt->duration, 0);
        if (t >= end || t_end <= zero) {
            av_packet_unref(pkt);
            return 0;
        }
        if (subtitle && t < zero) { // an event showing at the start: show the rest of it
            pkt->duration = t_end - zero;
            if (pkt->dts != AV_NOPTS_VALUE)
                pkt->dts += zero - t;
            pkt->pts = zero;
            t = zero;
        }
        if (subtitle && pkt->duration > 0 && t + pkt->duration > end)
            pkt->duration = end - t;
    }
    if (pkt->pts != AV_NOPTS_VALUE)
        pkt->pts -= zero;
    if (pkt->dts != AV_NOPTS_VALUE)
        pkt->dts -= zero;
    return r->sink.packet(r->sink.opaque, pkt);
}

// A demuxed packet of a stream other than the decoded video.
static int forward(AimReader *r, AVPacket *pkt)
{
    if (r->sink.packet)
        return copy_out(r, pkt);
    if (r->started) { // nobody will take it
        av_packet_unref(pkt);
        return 0;
    }
    // still opening: keep it for a writer that attaches before the first read
    if (r->nb_pending == r->cap_pending) {
        int cap = r->cap_pending ? 2 * r->cap_pending : 64;
        AVPacket **p = realloc(r->pending, (size_t)cap * sizeof(*p));
        if (!p)
            return AIM_ERR(ENOMEM);
        r->pending = p;
        r->cap_pending = cap;
    }
    AVPacket *copy = av_packet_alloc();
    if (!copy)
        return AIM_ERR(ENOMEM);
    av_packet_move_ref(copy, pkt);
    r->pending[r->nb_pending++] = copy;
    return 0;
}

const AVFormatContext *aim_reader_format(const AimReader *r, int *video_index)
{
    if (video_index)
        *video_index = r->vidx;
    return r->fmt;
}

void aim_reader_timeline(const AimReader *r, IoTimeline *t)
{
    AVRational vtb = r->vst->time_base;
    t->zero_us = av_rescale_q(r->zero_ts, vtb, AV_TIME_BASE_Q);
    t->end_us = r->end_ts == INT64_MAX ? INT64_MAX : av_rescale_q(r->end_ts, vtb, AV_TIME_BASE_Q);
    t->clipped = r->clipped;
    t->zero_ts = r->zero_ts;
    t->end_ts = r->end_ts;
    t->tb = vtb;
}

const struct stat *aim_reader_stat(const AimReader *r) { return &r->st; }

int aim_reader_can_attach(const AimReader *r) { return !r->started && !r->sink.packet; }

int aim_reader_attach(AimReader *r, const IoPacketSink *sink)
{
    if (!sink) {
        r->sink = (IoPacketSink){ 0 };
        return 0;
    }
    if (!aim_reader_can_attach(r) || !sink->packet)
        return AIM_ERR(EINVAL);
    r->sink = *sink;
    int ret = 0;
    for (int i = 0; i < r->nb_pending; i++) {
        int e = copy_out(r, r->pending[i]);
        if (e < 0 && !ret)
            ret = e;
    }
    drop_pending(r);
    return ret;
}

// ---------------------------------------------------------------- decoding

static void warn_at(AimReader *r, int64_t ts, const char *what, int err)
{
    r->nb_errors++;
    if (++r->nb_warnings > MAX_DECODE_WARNINGS)
        return;
    aim_log(&r->log, AIM_LOG_WARNING, "%s: %s at frame %lld (%.3f s)%s%s%s", r->path, what,
            (long long)r->decoded, ts_seconds(r, ts == AV_NOPTS_VALUE ? r->last_ts : ts),
            err ? ": " : "", err ? AVERR(err) : "",
            r->nb_warnings == MAX_DECODE_WARNINGS ? " (further errors are only counted)" : "");
}

// Reads one packet: video goes to the decoder, the rest to the writer. Sets demux_eof at the end.
static int feed(AimReader *r)
{
    int ret = av_read_frame(r->fmt, r->pkt);
    if (ret == AVERROR(ENOMEM))
        return AIM_ERR(ENOMEM);
    if (ret == AVERROR_EOF || (ret < 0 && !r->fmt->pb)) {
        r->demux_eof = 1;
        return 0;
    }
    if (ret < 0) {
        // damaged data: demuxers resync and go on; the same error at the same byte means stuck
        // (100 failures in a row: no demuxer resyncs that slowly on a file that still has data)
        int64_t pos = avio_tell(r->fmt->pb);
        if (pos == r->err_pos || ++r->demux_errors > 100) {
            aim_log(&r->log, AIM_LOG_WARNING, "%s: input ends early at byte %lld (truncated?): %s",
                    r->path, (long long)pos, AVERR(ret));
            r->demux_eof = 1;
        } else {
            warn_at(r, AV_NOPTS_VALUE, "demux error", ret);
            r->err_pos = pos;
        }
        return 0;
    }
    r->demux_errors = 0;
    if (r->pkt->stream_index != r->vidx) {
        if (r->fmt->streams[r->pkt->stream_index]->discard >= AVDISCARD_ALL) {
            av_packet_unref(r->pkt);
            return 0;
        }
        return forward(r, r->pkt);
    }
    int64_t ts = r->pkt->pts != AV_NOPTS_VALUE ? r->pkt->pts : r->pkt->dts;
    ret = avcodec_send_packet(r->dec, r->pkt);
    av_packet_unref(r->pkt);
    if (ret == AVERROR(ENOMEM))
        return AIM_ERR(ENOMEM);
    if (ret < 0) // never EAGAIN here: the decoder was drained before feeding
        warn_at(r, ts, "decode error (packet skipped)", ret);
    return 0;
}

// Next decoded frame (any timestamp) into r->frame, its timestamp in *ts.
// Returns 0, AIM_ERR_EOF or a fatal error.
static int next_decoded(AimReader *r, int64_t *ts)
{
    int errors = 0;
    for (;;) {
        int ret = avcodec_receive_frame(r->dec, r->frame);
        if (ret >= 0) {
            int64_t t = r->frame->best_effort_timestamp;
            if (t == AV_NOPTS_VALUE)
                t = r->frame->pts;
            r->ts_guessed = t == AV_NOPTS_VALUE;
            if (t == AV_NOPTS_VALUE)
                t = r->last_ts == AV_NOPTS_VALUE ? 0 : r->last_ts + r->frame_dur;
            r->last_ts = t;
            *ts = t;
            if (r->frame->decode_error_flags || (r->frame->flags & AV_FRAME_FLAG_CORRUPT))
                warn_at(r, t, "frame decoded with errors (concealed)", 0);
            r->decoded++;
            return 0;
        }
        if (ret == AVERROR_EOF)
            return AIM_ERR_EOF;
        if (ret == AVERROR(ENOMEM))
            return AIM_ERR(ENOMEM);
        if (ret != AVERROR(EAGAIN)) {
            warn_at(r, AV_NOPTS_VALUE, "decode error", ret);
            // a decoder that keeps failing without consuming input would spin: 100 errors in a
            // row with no frame is far beyond any transient damage
            if (++errors > 100)
                return AIM_ERR_EOF;
            if (r->flushed)
                continue;
        }
        if (r->demux_eof) {
            if (r->flushed)
                return AIM_ERR_EOF;
            avcodec_send_packet(r->dec, NULL);
            r->flushed = 1;
            continue;
        }
        if ((ret = feed(r)) < 0)
            return ret;
    }
}

static int is_direct(int fmt, int depth)
{
    return depth == 8 ? fmt == AV_PIX_FMT_YUV420P || fmt == AV_PIX_FMT_YUVJ420P
                      : fmt == AV_PIX_FMT_YUV420P10LE;
}

static int out_depth(int fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d && d->comp[0].depth > 8 ? 10 : 8;
}

static int is_rgb(int fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d && (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL));
}

static int full_range(const AVFrame *f)
{
    return f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P ||
           f->format == AV_PIX_FMT_YUVJ422P || f->format == AV_PIX_FMT_YUVJ444P ||
           f->format == AV_PIX_FMT_YUVJ440P || f->format == AV_PIX_FMT_YUVJ411P;
}

// The colour of a frame as it leaves the reader.
static AimColor frame_color(const AVFrame *f)
{
    AimColor c = { .matrix = f->colorspace, .primaries = f->color_primaries,
                   .transfer = f->color_trc, .range = f->color_range,
                   .chroma_loc = f->chroma_location };
    if (is_rgb(f->format)) {
        // converted with BT.709 coefficients to limited range; RGB stills are sRGB unless tagged
        c.matrix = AVCOL_SPC_BT709;
        c.range = AVCOL_RANGE_MPEG;
        if (c.primaries == AVCOL_PRI_UNSPECIFIED || c.primaries == AVCOL_PRI_RESERVED0)
            c.primaries = AVCOL_PRI_BT709;
        if (c.transfer == AVCOL_TRC_UNSPECIFIED || c.transfer == AVCOL_TRC_RESERVED0)
            c.transfer = AVCOL_TRC_IEC61966_2_1;
        c.chroma_loc = AVCHROMA_LOC_UNSPECIFIED;
        return c;
    }
    if (full_range(f))
        c.range = AVCOL_RANGE_JPEG;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    if (!d || d->log2_chroma_w != 1 || d->log2_chroma_h != 1)
        c.chroma_loc = AVCHROMA_LOC_UNSPECIFIED; // resampled by swscale
    return c;
}

static int setup_sws(AimReader *r, const AVFrame *src)
{
    int w = r->info.width, h = r->info.height;
    int dst_fmt = r->info.depth == 8 ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUV420P10LE;
    int range = full_range(src);
    if (r->sws && r->sws_fmt == src->format && r->sws_w == src->width &&
        r->sws_h == src->height && r->sws_cs == (int)src->colorspace && r->sws_range == range)
        return 0;
    if (!sws_isSupportedInput(src->format)) {
        aim_log(&r->log, AIM_LOG_ERROR, "%s: pixel format %s cannot be converted to 4:2:0",
                r->path, av_get_pix_fmt_name(src->format) ? av_get_pix_fmt_name(src->format) : "?");
        return AIM_ERR_UNSUPPORTED;
    }
    // bicubic only matters for chroma (and for mid-stream size changes); BITEXACT keeps the
    // output identical across CPUs so tests and golden files are reproducible
    int flags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INP;
    r->sws = sws_getCachedContext(r->sws, src->width, src->height, src->format, w, h, dst_fmt,
                                  flags, NULL, NULL, NULL);
    if (!r->sws) {
        aim_log(&r->log, AIM_LOG_ERROR, "%s: swscale cannot convert %s %dx%d to %s",
                r->path, av_get_pix_fmt_name(src->format), src->width, src->height,
                av_get_pix_fmt_name(dst_fmt));
        return AIM_ERR_UNSUPPORTED;
    }
    if (is_rgb(src->format)) {
        sws_setColorspaceDetails(r->sws, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                                 sws_getCoefficients(SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);
    } else { // YUV/gray to YUV: same matrix and range, only resampling and depth change
        const int *coefs = sws_getCoefficients(src->colorspace);
        sws_setColorspaceDetails(r->sws, coefs, range, coefs, range, 0, 1 << 16, 1 << 16);
    }
    if (!r->tmp) {
        if (!(r->tmp = av_frame_alloc()))
            return AIM_ERR(ENOMEM);
        r->tmp->format = dst_fmt;
        r->tmp->width = w;
        r->tmp->height = h;
        if (av_frame_get_buffer(r->tmp, 0) < 0)
            return AIM_ERR(ENOMEM);
    }
    r->sws_fmt = src->format;
    r->sws_w = src->width;
    r->sws_h = src->height;
    r->sws_cs = src->colorspace;
    r->sws_range = range;
    return 0;
}

static void copy_plane_u8(uint16_t *restrict dst, ptrdiff_t dstride, const uint8_t *restrict src,
                          int sstride, int w, int h)
{
    for (int y = 0; y < h; y++, dst += dstride, src += sstride)
        for (int x = 0; x < w; x++)
            dst[x] = src[x];
}

static void copy_plane_u16(uint16_t *dst, ptrdiff_t dstride, const uint8_t *src, int sstride,
                           int w, int h)
{
    for (int y = 0; y < h; y++, dst += dstride, src += sstride)
        memcpy(dst, src, (size_t)w * 2);
}

// Constant-rate placement, as ffmpeg's -fps_mode cfr. Frames are numbered and the output
// places frame i at i / rate (the pipeline's rule). A variable-frame-rate input (a part at
// another rate, as episodes whose credits were cut at 29.97; dropped frames) would drift from
// its audio, so every picture takes the slot of the constant-rate grid nearest its timestamp:
// a gap of k slots repeats the previous picture k times (the gate sees holds: no motion is
// invented across it), and a picture whose slot is already taken is dropped. Matroska's ms
// rounding and MP4's tick rounding stay far below half a slot: constant-rate input passes
// unchanged. A gap longer than VFR_MAX_GAP_S is a broken timestamp (a jump), not a picture
// shown that long: it is closed instead of filled. Returns the grid slot of f.
#define VFR_MAX_GAP_S 60
static int64_t grid_slot(const AimReader *r, const AimFrame *f)
{
    const AimRational fr = r->info.frame_rate;
    return llround((double)f->pts * fr.num / (1e6 * fr.den)) - r->slot_skip;
}

static void vfr_note(AimReader *r, const AimFrame *f, const char *what)
{
    if (r->vfr_dup + r->vfr_drop + r->vfr_off + r->vfr_gap == 0)
        aim_log(&r->log, AIM_LOG_WARNING, "%s: variable frame rate: the picture at %.3f s is "
                "off the constant %.3f fps grid; pictures are %s to keep the output constant-rate "
                "and in sync with the audio (as ffmpeg -fps_mode cfr)", r->path, f->pts / 1e6,
                (double)r->info.frame_rate.num / r->info.frame_rate.den, what);
}

// A picture within this many slots of where the grid expects it is on the grid: pipeline.h's
// AIM_PIPELINE_ON_GRID, where the value's reasons are.
#define VFR_ON_GRID 0.1

// settings.timed: pictures are not repeated for the grid. A picture one slot (within
// VFR_ON_GRID) after an on-grid picture takes the next slot's exact time, as place() numbers it
// (so constant-rate input, Matroska's ms rounding and a 23.98 clip's slow drift render exactly
// as on the grid; where the drift reaches half a slot, a slot is skipped and rendered across,
// or the picture is dropped, as place() repeats or drops). A picture within VFR_ON_GRID of a
// later slot takes that slot (after a gap: rendered across it); any other keeps its own time
// (a part at another rate: rendered at fractional t). A picture not after the one before is
// dropped, and a jump over VFR_MAX_GAP_S is closed by shifting the times after it. Takes f.
static int place_timed(AimReader *r, AimFrame *f, AimFrame **out)
{
    const AimRational fr = r->info.frame_rate;
    const double slot_us = 1e6 * fr.den / fr.num;
    f->pts -= r->pts_skip;
    if (r->last) {
        int64_t gap = f->pts - r->true_pts;
        if (gap <= 0) {
            vfr_note(r, f, "rendered at their own times");
            r->vfr_drop++;
            aim_frame_unref(&f);
            return AIM_ERR(EAGAIN);
        }
        if (gap > (int64_t)VFR_MAX_GAP_S * 1000000) {
            aim_log(&r->log, AIM_LOG_WARNING, "%s: the timestamps jump by %.1f s at %.3f s: "
                    "closing the gap", r->path, gap / 1e6, (f->pts + r->pts_skip) / 1e6);
            const int64_t skip = gap - llround(slot_us);
            r->pts_skip += skip;
            f->pts -= skip;
        }
        const double x = f->pts / slot_us, step = (f->pts - r->true_pts) / slot_us;
        const int64_t near = llround(x);
        r->true_pts = f->pts;
        if (r->pos_exact && fabs(step - 1.0) <= VFR_ON_GRID) { // the nominal rate
            if (fabs(x - (r->pos + 1)) < 0.5) {
                r->pos += 1;
            } else if ((double)near > r->pos + 1) { // drifted half a slot ahead: skip one
                vfr_note(r, f, "rendered at their own times");
                r->vfr_gap += near - (int64_t)r->pos - 1;
                r->pos = (double)near;
            } else { // half a slot behind: its slot is taken (as place() drops it)
                vfr_note(r, f, "rendered at their own times");
                r->vfr_drop++;
                aim_frame_unref(&f);
                return AIM_ERR(EAGAIN);
            }
        } else if (fabs(x - (double)near) <= VFR_ON_GRID && (double)near > r->pos) {
            vfr_note(r, f, "rendered at their own times");
            r->vfr_gap += r->pos_exact ? near - (int64_t)r->pos - 1 : 0;
            r->pos = (double)near;
            r->pos_exact = 1;
        } else if (x > r->pos) {
            vfr_note(r, f, "rendered at their own times");
            r->vfr_off++;
            r->pos = x;
            r->pos_exact = 0;
        } else {
            vfr_note(r, f, "rendered at their own times");
            r->vfr_drop++;
            aim_frame_unref(&f);
            return AIM_ERR(EAGAIN);
        }
        if (r->pos_exact)
            f->pts = llround(r->pos * slot_us);
    } else {
        r->true_pts = f->pts;
        r->pos = (double)llround(f->pts / slot_us);
        r->pos_exact = 1;
    }
    f->index = r->next_index++;
    aim_frame_unref(&r->last);
    r->last = aim_frame_ref(f);
    *out = f;
    return 0;
}

// Returns f (or a repeat of the last picture before it) numbered for its slot in *out, or
// AIM_ERR(EAGAIN) when f was dropped. Takes f.
static int place(AimReader *r, AimFrame *f, AimFrame **out)
{
    if (r->timed)
        return place_timed(r, f, out);
    int64_t slot = r->last ? grid_slot(r, f) : r->next_index;
    if (slot < r->next_index) {
        vfr_note(r, f, "dropped where they come faster");
        r->vfr_drop++;
        aim_frame_unref(&f);
        return AIM_ERR(EAGAIN);
    }
    if (slot - r->next_index > (int64_t)VFR_MAX_GAP_S * r->info.frame_rate.num /
                                   r->info.frame_rate.den) {
        aim_log(&r->log, AIM_LOG_WARNING, "%s: the timestamps jump by %.1f s at %.3f s: closing "
                "the gap instead of repeating a picture", r->path,
                (double)(slot - r->next_index) * r->info.frame_rate.den / r->info.frame_rate.num,
                f->pts / 1e6);
        r->slot_skip += slot - r->next_index;
        slot = r->next_index;
    }
    if (slot > r->next_index) {
        AimFrame *rep;
        int ret = aim_frame_pool_get(r->pool, &rep);
        if (ret < 0) {
            aim_frame_unref(&f);
            return ret;
        }
        vfr_note(r, f, "repeated where they come slower");
        r->vfr_dup++;
        aim_frame_copy(rep, r->last);
        rep->pts = llround(r->next_index * 1e6 * r->info.frame_rate.den / r->info.frame_rate.num);
        r->held = f;
        f = rep;
    }
    f->index = r->next_index++;
    aim_frame_unref(&r->last);
    r->last = aim_frame_ref(f);
    *out = f;
    return 0;
}

// r->frame -> a new AimFrame (from the pool) at the reader's output size and depth.
static int convert(AimReader *r, int64_t ts, AimFrame **out)
{
    const AVFrame *src = r->frame;
    const AVFrame *in = src;
    int w = r->info.width, h = r->info.height, depth = r->info.depth;
    if (!is_direct(src->format, depth) || src->width != w || src->height != h) {
        int ret = setup_sws(r, src);
        if (ret < 0)
            return ret;
        ret = av_frame_make_writable(r->tmp);
        if (ret < 0)
            return AIM_ERR(ENOMEM);
        sws_scale(r->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
                  r->tmp->data, r->tmp->linesize);
        in = r->tmp;
    }
    AimFrame *f;
    int ret = aim_frame_pool_get(r->pool, &f);
    if (ret < 0)
        return ret;
    for (int p = 0; p < 3; p++) {
        int pw = aim_plane_w(f, p), ph = aim_plane_h(f, p);
        if (depth == 8)
            copy_plane_u8(f->data[p], f->stride[p], in->data[p], in->linesize[p], pw, ph);
        else
            copy_plane_u16(f->data[p], f->stride[p], in->data[p], in->linesize[p], pw, ph);
    }
    f->color = frame_color(src);
    f->pts = av_rescale_q(ts - r->zero_ts, r->vst->time_base, (AVRational){ 1, 1000000 });
    *out = f;
    return 0;
}

// ---------------------------------------------------------------- open / seek

static int open_error(AimReader *r, int err, const char *what)
{
    aim_log(&r->log, AIM_LOG_ERROR, "%s: %s", r->path, what);
    return err;
}

// Container clocks turn 24000/1001 into approximations (mkv: 7001/146 from a nanosecond frame
// duration; an MP4 with time base 1/19184 and 800 per frame says 1199/50). A rate within 250 ppm
// of an integer or of the NTSC family n*1000/1001 is that rate: the two families are 1000 ppm
// apart, so 250 ppm keeps them well separated. Returns 1 when r was snapped (or already exact).
static int snap_rate(AVRational r, AVRational *out)
{
    double f = av_q2d(r);
    int64_t n = llround(f), m = llround(f * 1.001);
    *out = r;
    if (n > 0 && fabs(f - n) < 250e-6 * f) {
        *out = (AVRational){ (int)n, 1 };
        return 1;
    }
    if (m > 0 && m * 1000 < INT_MAX && fabs(f - m * 1000 / 1001.0) < 250e-6 * f) {
        *out = (AVRational){ (int)(m * 1000), 1001 };
        return 1;
    }
    return 0;
}

// avg_frame_rate, else r_frame_rate, snapped. An avg_frame_rate that is not a standard rate
// yields to an r_frame_rate that libavformat matched to one (its guess from the frames'
// durations): either avg is only an estimate (timestamps over a short file), or the stream is
// variable-rate and avg a mean of its parts (an MP4 of 23.976 with a 29.97 part says 25.33, and
// its grid would repeat and drop pictures all through). Not when r_frame_rate is well above the
// mean (1.5x): then it is a field rate or a timestamp precision, not the pictures' rate.
static AVRational stream_rate(const AVStream *st)
{
    AVRational avg = st->avg_frame_rate, rr = st->r_frame_rate, a, b;
    int avg_ok = avg.num > 0 && avg.den > 0, rr_ok = rr.num > 0 && rr.den > 0;
    int a_std = avg_ok && snap_rate(avg, &a), b_std = rr_ok && snap_rate(rr, &b);
    if (avg_ok && (a_std || !b_std || av_q2d(rr) > 1.5 * av_q2d(avg)))
        return a;
    if (rr_ok)
        return b;
    return (AVRational){ 0, 0 };
}

static int pick_video(AVFormatContext *fmt)
{
    int best = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (best >= 0 && !(fmt->streams[best]->disposition & AV_DISPOSITION_ATTACHED_PIC))
        return best;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return (int)i;
    }
    return -1;
}

// Seconds of video from the first frame to the end of the input, 0 if unknown.
static double input_duration(const AimReader *r)
{
    AVRational tb = r->vst->time_base;
    if (r->vst->duration != AV_NOPTS_VALUE && r->vst->duration > 0) {
        int64_t start = r->vst->start_time != AV_NOPTS_VALUE ? r->vst->start_time : r->base_ts;
        return (start + r->vst->duration - r->base_ts) * av_q2d(tb);
    }
    if (r->fmt->duration != AV_NOPTS_VALUE && r->fmt->duration > 0) {
        int64_t start = r->fmt->start_time != AV_NOPTS_VALUE ? r->fmt->start_time : 0;
        double d = (start + r->fmt->duration) / (double)AV_TIME_BASE -
                   r->base_ts * av_q2d(tb);
        return d > 0 ? d : 0;
    }
    return 0;
}

// Pictures held by lead_in: at most this many, and at most this many bytes (64 frames is 2.7 s
// at 23.976 fps; 256 MiB is 40 frames of 1080p in the reader's 16-bit samples). A negative start
// offset or an encoder delay is a few frames to a second or two.
#define LEAD_MAX_FRAMES 64
#define LEAD_MAX_BYTES ((int64_t)256 << 20)

// Matroska cannot return negative times: its demuxer gives the pictures before 0 no timestamp
// (an input made with ffmpeg -output_ts_offset -0.5 -avoid_negative_ts disabled). Numbered from
// 0 by next_decoded, they would take the slots of the first real pictures, which the grid then
// drops, and the video would end early against the audio. So at open, a run of pictures without
// timestamps before the first one that has one is held and placed before it, one frame apart,
// keeping every picture as ffmpeg -fps_mode cfr does; base_ts moves back to the first of them.
// Without any timestamp up to the end or within the LEAD_MAX limits they keep next_decoded's
// times from 0. Leaves the first picture with a timestamp in r->frame (*ts), or r->primed set at
// the end of the input. Only at open, and not with a clip start (the seek starts elsewhere).
static int lead_in(AimReader *r, int64_t *ts)
{
    int64_t fb = (int64_t)r->info.width * r->info.height * 3; // 4:2:0 16-bit: 1.5 x 2 bytes
    int max = (int)FFMAX(1, FFMIN(LEAD_MAX_FRAMES, LEAD_MAX_BYTES / FFMAX(fb, 1)));
    if (!(r->lead = calloc((size_t)max, sizeof(*r->lead))))
        return AIM_ERR(ENOMEM);
    while (r->ts_guessed && r->nb_lead < max) {
        int ret = convert(r, *ts, &r->lead[r->nb_lead]);
        if (ret < 0)
            return ret;
        r->nb_lead++;
        if ((ret = next_decoded(r, ts)) == AIM_ERR_EOF) { // no timestamp anywhere: as they came
            r->primed = r->lead[--r->nb_lead];
            r->lead[r->nb_lead] = NULL;
            return 0;
        }
        if (ret < 0)
            return ret;
    }
    if (!r->ts_guessed) {
        r->base_ts = *ts - r->nb_lead * r->frame_dur;
        aim_log(&r->log, AIM_LOG_INFO, "%s: the first %d pictures have no timestamp: placed "
                "before the first one that has (%.3f s)", r->path, r->nb_lead,
                *ts * av_q2d(r->vst->time_base));
    }
    return 0;
}

static int reseek(AimReader *r, int64_t target)
{
    int ret = avformat_seek_file(r->fmt, r->vidx, INT64_MIN, target, target, 0);
    if (ret < 0)
        return ret;
    avcodec_flush_buffers(r->dec);
    drop_pending(r); // demuxed again after the seek
    r->demux_eof = r->flushed = 0;
    r->last_ts = AV_NOPTS_VALUE;
    r->err_pos = -1;
    return 0;
}

// Positions the decoder on the first frame at or after start_ts: leaves it in r->frame, *ts.
static int seek_to_start(AimReader *r, int64_t *ts)
{
    AVRational tb = r->vst->time_base;
    int64_t margin = 0;
    for (;;) {
        int64_t target = FFMAX(r->base_ts, r->start_ts - margin);
        int ret = reseek(r, target);
        if (ret < 0) {
            if (margin == 0) { // nothing moved: decode on from the first frame
                aim_log(&r->log, AIM_LOG_INFO, "%s: cannot seek (%s), decoding up to the clip "
                        "start", r->path, AVERR(ret));
                break;
            }
            return open_error(r, aim_io_error(ret), "seek failed");
        }
        if ((ret = next_decoded(r, ts)) < 0)
            return ret;
        // landed after the start (inexact index): go further back, up to the first frame
        if (*ts > r->start_ts && target > r->base_ts && margin < av_rescale_q(SEEK_MARGIN_MAX_US, AV_TIME_BASE_Q, tb)) {
            margin = margin ? margin * 4 : av_rescale_q(SEEK_MARGIN_FIRST_US, AV_TIME_BASE_Q, tb);
            continue;
        }
        break;
    }
    int ret = 0;
    while (*ts < r->start_ts && (ret = next_decoded(r, ts)) >= 0)
        ;
    return ret;
}

void aim_reader_close(AimReader **pr)
{
    AimReader *r = pr ? *pr : NULL;
    if (!r)
        return;
    *pr = NULL;
    if (r->vfr_dup + r->vfr_drop && !r->timed)
        aim_log(&r->log, AIM_LOG_WARNING, "%s: variable frame rate: %lld pictures repeated, %lld "
                "dropped to keep %.3f fps", r->path, (long long)r->vfr_dup,
                (long long)r->vfr_drop, (double)r->info.frame_rate.num / r->info.frame_rate.den);
    if (r->vfr_off + r->vfr_gap + r->vfr_drop && r->timed)
        aim_log(&r->log, AIM_LOG_WARNING, "%s: variable frame rate: %lld pictures off the %.3f "
                "fps grid and %lld missing slots, rendered at their own times; %lld dropped (not "
                "after the picture before)", r->path, (long long)r->vfr_off,
                (double)r->info.frame_rate.num / r->info.frame_rate.den,
                (long long)r->vfr_gap, (long long)r->vfr_drop);
    aim_frame_unref(&r->last);
    aim_frame_unref(&r->held);
    if (r->sink.closed)
        r->sink.closed(r->sink.opaque);
    drop_pending(r);
    free(r->pending);
    free(r->pic_sent);
    aim_frame_unref(&r->primed);
    for (int i = r->lead_pos; i < r->nb_lead; i++)
        aim_frame_unref(&r->lead[i]);
    free(r->lead);
    aim_frame_pool_destroy(&r->pool); // frames still held elsewhere free it when they go
    sws_freeContext(r->sws);
    av_frame_free(&r->tmp);
    av_frame_free(&r->frame);
    av_packet_free(&r->pkt);
    avcodec_free_context(&r->dec);
    avformat_close_input(&r->fmt);
    free(r->path);
    free(r);
}

int aim_reader_open(AimReader **out, const AimReaderSettings *s)
{
    if (!out || !s || !s->path || !s->path[0] || s->threads < 0 || isnan(s->clip_start) ||
        isnan(s->clip_end) || isinf(s->clip_start))
        return AIM_ERR(EINVAL);
    AimReader *r = calloc(1, sizeof(*r));
    if (!r || !(r->path = strdup(s->path))) {
        free(r);
        return AIM_ERR(ENOMEM);
    }
    r->log = s->log;
    r->timed = s->timed != 0;
    r->vidx = -1;
    r->last_ts = AV_NOPTS_VALUE;
    r->err_pos = -1;
    r->start_ts = INT64_MIN;
    r->end_ts = INT64_MAX;
    int ret;
    char msg[256];

    double cs = s->clip_start > 0 ? s->clip_start : 0, ce = s->clip_end;
    if (ce >= 0 && ce <= cs) {
        snprintf(msg, sizeof(msg), "clip end %.3f s is not after clip start %.3f s", ce, cs);
        ret = open_error(r, AIM_ERR(ERANGE), msg);
        goto fail;
    }
    if (stat(r->path, &r->st) < 0 || access(r->path, R_OK) < 0) {
        int e = errno;
        snprintf(msg, sizeof(msg), "cannot open: %s", strerror(e));
        ret = open_error(r, AIM_ERR(e), msg);
        goto fail;
    }
    if (S_ISDIR(r->st.st_mode)) {
        ret = open_error(r, AIM_ERR(EISDIR), "is a directory");
        goto fail;
    }
    if ((ret = avformat_open_input(&r->fmt, r->path, NULL, NULL)) < 0) {
        int e = ret == AVERROR(ENOENT) || ret == AVERROR(EACCES) || ret == AVERROR(ENOMEM)
                ? AIM_ERR(AVUNERROR(ret)) : AIM_ERR_INVALID_DATA;
        snprintf(msg, sizeof(msg), "not a readable media file (%s)", AVERR(ret));
        ret = open_error(r, e, msg);
        goto fail;
    }
    if ((ret = avformat_find_stream_info(r->fmt, NULL)) < 0)
        aim_log(&r->log, AIM_LOG_WARNING, "%s: could not read stream parameters: %s", r->path,
                AVERR(ret));
    if ((r->vidx = pick_video(r->fmt)) < 0) {
        ret = open_error(r, AIM_ERR_NO_VIDEO, "no video stream");
        goto fail;
    }
    r->vst = r->fmt->streams[r->vidx];
    if (!(r->pic_sent = calloc(r->fmt->nb_streams, 1)) || !(r->pkt = av_packet_alloc()) ||
        !(r->frame = av_frame_alloc())) {
        ret = AIM_ERR(ENOMEM);
        goto fail;
    }

    const AVCodec *codec = avcodec_find_decoder(r->vst->codecpar->codec_id);
    if (!codec) {
        snprintf(msg, sizeof(msg), "no decoder for video codec %s",
                 avcodec_get_name(r->vst->codecpar->codec_id));
        ret = open_error(r, AIM_ERR_UNSUPPORTED, msg);
        goto fail;
    }
    if (!(r->dec = avcodec_alloc_context3(codec))) {
        ret = AIM_ERR(ENOMEM);
        goto fail;
    }
    avcodec_parameters_to_context(r->dec, r->vst->codecpar);
    r->dec->pkt_timebase = r->vst->time_base;
    r->dec->thread_count = s->threads;
    r->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    if ((ret = avcodec_open2(r->dec, codec, NULL)) < 0) {
        snprintf(msg, sizeof(msg), "cannot open the %s decoder: %s", codec->name, AVERR(ret));
        ret = open_error(r, AIM_ERR_UNSUPPORTED, msg);
        goto fail;
    }

    AVRational fr = stream_rate(r->vst);
    if (fr.num <= 0 || fr.den <= 0) {
        aim_log(&r->log, AIM_LOG_WARNING, "%s: no frame rate in the input, assuming 25", r->path);
        fr = (AVRational){ 25, 1 };
    }
    r->frame_dur = FFMAX(1, av_rescale_q(1, av_inv_q(fr), r->vst->time_base));

    // the first frame fixes the clock origin, the output format and the colour
    int64_t ts;
    if ((ret = next_decoded(r, &ts)) < 0) {
        ret = ret == AIM_ERR_EOF ? open_error(r, AIM_ERR_INVALID_DATA, "no decodable video frame")
                                 : ret;
        goto fail;
    }
    r->base_ts = ts;
    AVFrame *f0 = r->frame;
    if (f0->width < AIM_READER_MIN_SIZE || f0->height < AIM_READER_MIN_SIZE ||
        f0->width > AIM_READER_MAX_SIZE || f0->height > AIM_READER_MAX_SIZE) {
        snprintf(msg, sizeof(msg), "%dx%d frames are not supported (%dx%d to %dx%d)", f0->width,
                 f0->height, AIM_READER_MIN_SIZE, AIM_READER_MIN_SIZE, AIM_READER_MAX_SIZE,
                 AIM_READER_MAX_SIZE);
        ret = open_error(r, AIM_ERR_UNSUPPORTED, msg);
        goto fail;
    }
    AimVideoInfo *info = &r->info;
    info->width = f0->width;
    info->height = f0->height;
    info->depth = out_depth(f0->format);
    info->frame_rate = (AimRational){ fr.num, fr.den };
    info->color = frame_color(f0);
    AVRational sar = av_guess_sample_aspect_ratio(r->fmt, r->vst, f0);
    if (sar.num > 0 && sar.den > 0)
        info->sar = (AimRational){ sar.num, sar.den };
    else
        info->sar = (AimRational){ 0, 1 };
    const char *pfn = av_get_pix_fmt_name(f0->format);
    snprintf(info->pix_fmt, sizeof(info->pix_fmt), "%s", pfn ? pfn : "unknown");
    snprintf(info->codec, sizeof(info->codec), "%s", codec->name);
    if ((ret = aim_frame_pool_create(&r->pool, info->width, info->height, info->depth,
                                     POOL_MAX_IDLE)) < 0)
        goto fail;
    if (!is_direct(f0->format, info->depth) && (ret = setup_sws(r, f0)) < 0)
        goto fail;
    if (r->ts_guessed && cs <= 0 && (ret = lead_in(r, &ts)) < 0)
        goto fail;

    double dur = input_duration(r), fps = av_q2d(fr);
    double end_s = dur;
    if (cs > 0 || ce >= 0) {
        // one frame of slack: container durations may or may not include the last frame's
        double slack = 1.0 / fps;
        if (dur > 0 && (cs >= dur || ce > dur + slack)) {
            if (ce >= 0)
                snprintf(msg, sizeof(msg), "clip range %.3f-%.3f s is beyond the input (%.3f s)",
                         cs, ce, dur);
            else
                snprintf(msg, sizeof(msg), "clip start %.3f s is beyond the input (%.3f s)",
                         cs, dur);
            ret = open_error(r, AIM_ERR(ERANGE), msg);
            goto fail;
        }
        r->clipped = 1;
        AVRational tb = r->vst->time_base;
        r->start_ts = r->base_ts + llround(cs / av_q2d(tb));
        if (ce >= 0) {
            r->end_ts = r->base_ts + llround(ce / av_q2d(tb));
            end_s = ce;
        }
        if (r->start_ts > r->base_ts && (ret = seek_to_start(r, &ts)) < 0) {
            if (ret == AIM_ERR_EOF) {
                snprintf(msg, sizeof(msg), "clip start %.3f s is beyond the input", cs);
                ret = open_error(r, AIM_ERR(ERANGE), msg);
            }
            goto fail;
        }
        if (ts >= r->end_ts) {
            snprintf(msg, sizeof(msg), "no frame in the clip range %.3f-%.3f s", cs, ce);
            ret = open_error(r, AIM_ERR(ERANGE), msg);
            goto fail;
        }
    }
    r->zero_ts = r->nb_lead ? r->base_ts : ts;
    for (int i = 0; i < r->nb_lead; i++) // one frame apart from the zero point
        r->lead[i]->pts = av_rescale_q(i * r->frame_dur, r->vst->time_base, (AVRational){ 1, 1000000 });
    info->start = ts_seconds(r, r->zero_ts);
    info->duration = end_s > 0 ? end_s - ts_seconds(r, r->zero_ts) : 0;
    if (info->duration < 0)
        info->duration = 0;
    if (!r->clipped && r->vst->nb_frames > 0)
        info->nb_frames = r->vst->nb_frames;
    else
        info->nb_frames = llround(info->duration * fps);
    if (!r->primed && (ret = convert(r, ts, &r->primed)) < 0)
        goto fail;
    aim_log(&r->log, AIM_LOG_INFO, "%s: %s %s %dx%d, %d/%d fps, ~%lld frames, %.3f s", r->path,
            info->codec, info->pix_fmt, info->width, info->height, fr.num, fr.den,
            (long long)info->nb_frames, info->duration);
    *out = r;
    return 0;
fail:
    aim_reader_close(&r);
    return ret;
}

// ---------------------------------------------------------------- reading

// After the clip end: collect the other streams' packets that lie before the end.
static int drain_tail(AimReader *r)
{
    if (!r->sink.packet || r->end_ts == INT64_MAX)
        return 0;
    int64_t limit = av_rescale_q(r->end_ts, r->vst->time_base, AV_TIME_BASE_Q) + TAIL_DEMUX_US;
    r->vst->discard = AVDISCARD_ALL;
    while (!r->demux_eof) {
        int ret = av_read_frame(r->fmt, r->pkt);
        if (ret < 0)
            break;
        if (r->pkt->stream_index == r->vidx) {
            av_packet_unref(r->pkt);
            continue;
        }
        AVStream *st = r->fmt->streams[r->pkt->stream_index];
        int64_t t = r->pkt->dts != AV_NOPTS_VALUE ? r->pkt->dts : r->pkt->pts;
        int past = t != AV_NOPTS_VALUE && av_rescale_q(t, st->time_base, AV_TIME_BASE_Q) >= limit;
        if (st->discard >= AVDISCARD_ALL)
            av_packet_unref(r->pkt);
        else if ((ret = copy_out(r, r->pkt)) < 0)
            return ret;
        if (past)
            break;
    }
    return 0;
}

// A partial download or a cut file decodes to its last complete picture and ends; its container
// still declares the whole length (Matroska's Info, MP4's moov). Audio can outlast the video by
// a fraction of a second (AAC priming, the last audio packet), and some files by a few seconds
// (a tail after the last picture): a shortfall over 1 s and over 2% of the declared length is a
// truncation, and says so (where the video ends against the declared duration).
#define TRUNCATED_MIN_S 1.0
#define TRUNCATED_MIN_SHARE 0.02
static void check_truncated(AimReader *r)
{
    double declared = r->info.duration;
    if (declared <= 0 || r->last_ts == AV_NOPTS_VALUE)
        return;
    double ended = (r->last_ts + r->frame_dur - r->zero_ts) * av_q2d(r->vst->time_base);
    double missing = declared - ended;
    if (missing <= TRUNCATED_MIN_S || missing <= TRUNCATED_MIN_SHARE * declared)
        return;
    r->info.truncated_at = ended;
    char a[32], b[32];
    aim_log(&r->log, AIM_LOG_WARNING, "%s: truncated: the video ends at %s (%.3f s) of the %s "
            "(%.3f s) the container declares; %.1f s are missing", r->path,
            aim_format_time(ended, a, sizeof(a)), ended, aim_format_time(declared, b, sizeof(b)),
            declared, missing);
}

int aim_reader_copy_until(AimReader *r, int64_t until_us)
{
    if (!r->sink.packet)
        return AIM_ERR(EINVAL);
    if (!r->started) {
        r->started = 1;
        r->vst->discard = AVDISCARD_ALL; // nothing is decoded: video packets are not needed
    }
    while (!r->demux_eof) {
        int ret = av_read_frame(r->fmt, r->pkt);
        if (ret == AVERROR(ENOMEM))
            return AIM_ERR(ENOMEM);
        if (ret < 0) {
            r->demux_eof = 1;
            break;
        }
        AVStream *st = r->fmt->streams[r->pkt->stream_index];
        if (r->pkt->stream_index == r->vidx || st->discard >= AVDISCARD_ALL) {
            av_packet_unref(r->pkt);
            continue;
        }
        int64_t t = r->pkt->dts != AV_NOPTS_VALUE ? r->pkt->dts : r->pkt->pts;
        int past = t != AV_NOPTS_VALUE && until_us != INT64_MAX &&
                   av_rescale_q(t, st->time_base, AV_TIME_BASE_Q) -
                   av_rescale_q(r->zero_ts, r->vst->time_base, AV_TIME_BASE_Q) >= until_us;
        if ((ret = copy_out(r, r->pkt)) < 0)
            return ret;
        if (past)
            break;
    }
    return 0;
}

int aim_reader_read(AimReader *r, AimFrame **out)
{
    if (!r || !out)
        return AIM_ERR(EINVAL);
    if (!r->started) {
        r->started = 1;
        if (!r->sink.packet) { // no stream copy: stop demuxing what nobody takes
            drop_pending(r);
            for (unsigned i = 0; i < r->fmt->nb_streams; i++)
                if ((int)i != r->vidx)
                    r->fmt->streams[i]->discard = AVDISCARD_ALL;
        }
    }
    if (r->lead_pos < r->nb_lead) {
        AimFrame *f = r->lead[r->lead_pos];
        r->lead[r->lead_pos++] = NULL;
        return place(r, f, out);
    }
    if (r->primed) {
        AimFrame *f = r->primed;
        r->primed = NULL;
        return place(r, f, out);
    }
    if (r->held) { // its slot comes after a gap: the gap's repeats first
        AimFrame *f = r->held;
        r->held = NULL;
        return place(r, f, out);
    }
    if (r->done)
        return AIM_ERR_EOF;
    for (;;) {
        int64_t ts;
        int ret = next_decoded(r, &ts);
        if (ret == AIM_ERR_EOF || (ret >= 0 && ts >= r->end_ts)) {
            r->done = 1;
            if (ret == AIM_ERR_EOF)
                check_truncated(r);
            if (r->nb_errors)
                aim_log(&r->log, AIM_LOG_WARNING, "%s: %lld decode/demux errors skipped",
                        r->path, (long long)r->nb_errors);
            ret = drain_tail(r);
            return ret < 0 ? ret : AIM_ERR_EOF;
        }
        if (ret < 0)
            return ret;
        if (ts < r->start_ts)
            continue;
        AimFrame *f;
        if ((ret = convert(r, ts, &f)) < 0)
            return ret;
        if ((ret = place(r, f, out)) != AIM_ERR(EAGAIN))
            return ret;
    }
}
