// Private glue between the reader and the writer of src/io (libav types allowed here only).
//
// Stream copy: the reader demuxes every stream; packets of streams other than the decoded video
// are filtered and shifted to the output timeline by the reader (it owns the zero point and the
// clip range), then handed to the attached sink (the writer), which maps the stream index,
// rescales the timestamps to the output stream's time base and muxes the payload unchanged.
#ifndef AIM_IO_INTERNAL_H
#define AIM_IO_INTERNAL_H

#include <stdint.h>
#include <sys/stat.h>

#include <libavformat/avformat.h>

#include "io.h"

/** The output timeline of a reader, in AV_TIME_BASE (microseconds) of the input's clock. */
typedef struct IoTimeline {
    int64_t zero_us; ///< input time of output time 0: the first returned video frame
    int64_t end_us;  ///< input time where the clip ends (exclusive); INT64_MAX: no end
    int clipped;     ///< a clip range was requested (packets before zero_us are cut)
    int64_t zero_ts, end_ts; ///< the same in the video stream's time base (exact)
    AVRational tb;
} IoTimeline;

/** The demuxer (read-only use: streams, chapters, metadata) and the decoded stream's index. */
const AVFormatContext *aim_reader_format(const AimReader *r, int *video_index);
void aim_reader_timeline(const AimReader *r, IoTimeline *t);
/** stat() of the input taken at open (same-file check of the writer). */
const struct stat *aim_reader_stat(const AimReader *r);
/**
 * Where a reader hands the packets it copies: the writer that copies from it. The reader knows
 * only this (the writer depends on the reader, not the other way round).
 */
typedef struct IoPacketSink {
    /**
     * Takes one packet of input stream pkt->stream_index (timestamps already on the output
     * timeline, in that input stream's time base). Called from the reader's thread. The packet
     * is unreferenced (ownership taken) in all cases. Returns 0 or the sink's (sticky) error.
     */
    int (*packet)(void *opaque, AVPacket *pkt);
    /** The reader is being closed: the sink must forget it. */
    void (*closed)(void *opaque);
    void *opaque;
} IoPacketSink;

/** 1 when packets can still be copied (attach before the first aim_reader_read). */
int aim_reader_can_attach(const AimReader *r);
/**
 * Attaches (sink != NULL; copied) or detaches (NULL) the sink that receives the copied packets;
 * attaching hands over the packets demuxed so far (while opening). Returns 0 or a negative
 * error.
 */
int aim_reader_attach(AimReader *r, const IoPacketSink *sink);
/**
 * aim_writer_open for already encoded video (join.c): no encoder; the video stream takes
 * `video`'s parameters (kept by the caller until close) and s->frame_rate as its time base.
 */
int aim_writer_open_copy(AimWriter **out, const AimWriterSettings *s,
                         const AVCodecParameters *video);
/** Muxes one video packet (timestamps in frames: 1 / frame_rate); takes the reference. */
int aim_writer_copy_video(AimWriter *w, AVPacket *pkt);
/**
 * Stream copy without decoding (join.c): demuxes the input, dropping its video packets and
 * handing every other packet to the attached writer, until a packet at or after `until_us`
 * (output time, microseconds) went out or the input ends (INT64_MAX: to the end).
 */
int aim_reader_copy_until(AimReader *r, int64_t until_us);

/**
 * Maps a libav error to an AIM error: ENOENT/EACCES/ENOMEM... keep their errno, others EXTERNAL
 * (averror.c: every file of src/io uses it).
 */
int aim_io_error(int averr);

#endif
