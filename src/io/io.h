// Container and codec I/O: the only code that includes libav*. No libav types cross this header.
//
// AimReader demuxes and decodes the input's first video stream into AimFrames (4:2:0, 8- or
// 10-bit in uint16 samples). When a writer is attached, every other stream's packets (audio,
// subtitles, attachments are in the header) are handed to the writer as they are demuxed,
// so they are muxed unchanged and interleaved by libavformat.
//
// Thread-safety: a reader is used by one thread; a writer's aim_writer_write by one thread,
// while the attached reader's thread copies packets into it (the writer locks internally).
#ifndef AIM_IO_IO_H
#define AIM_IO_IO_H

#include <stdint.h>

#include "ainimotion/frame.h"

typedef struct AimReader AimReader;
typedef struct AimWriter AimWriter;

typedef struct AimReaderSettings {
    const char *path;
    double clip_start;  ///< seconds from the first video frame; < 0: from the start
    double clip_end;    ///< seconds; < 0: to the end
    int threads;        ///< decoder threads, 0 = auto
    AimLog log;
} AimReaderSettings;

typedef struct AimVideoInfo {
    int width, height;      ///< as decoded (odd sizes allowed)
    int depth;              ///< 8 or 10 after conversion
    AimRational frame_rate; ///< nominal rate (e.g. 24000/1001)
    int64_t nb_frames;      ///< estimated number of frames in the (clipped) range, 0 if unknown
    double duration;        ///< seconds of the (clipped) range, 0 if unknown
    AimColor color;
    char pix_fmt[32];       ///< source pixel format name
    char codec[32];         ///< source codec name
} AimVideoInfo;

void aim_reader_default_settings(AimReaderSettings *s);
/**
 * Opens the input. Errors: AIM_ERR(ENOENT)/AIM_ERR(EACCES) (cannot open), AIM_ERR_INVALID_DATA
 * (not a media file), AIM_ERR_NO_VIDEO, AIM_ERR_UNSUPPORTED (pixel format that cannot be
 * converted to 4:2:0), AIM_ERR(ERANGE) (clip range outside the input). Messages go to the log.
 */
int aim_reader_open(AimReader **out, const AimReaderSettings *s);
void aim_reader_close(AimReader **r);
const AimVideoInfo *aim_reader_info(const AimReader *r);
/**
 * Next decoded frame in display order, within the clip range; f->index counts from 0 and
 * f->pts is in microseconds relative to the first returned frame. Decode errors mid-stream are
 * logged as warnings with their position and skipped. Returns 0, AIM_ERR_EOF, or an error.
 */
int aim_reader_read(AimReader *r, AimFrame **out);

typedef struct AimWriterSettings {
    const char *path;       ///< output; "-" = y4m to stdout; ".y4m" = raw frames
    int overwrite;          ///< replace an existing output (-y)
    const char *encoder;    ///< libavcodec encoder name; NULL = default for the container
    int crf;                ///< quality, < 0 = encoder default
    const char *preset;     ///< encoder speed preset, NULL = default
    int width, height, depth;
    AimRational frame_rate; ///< output rate; frame k is written at k / frame_rate
    AimColor color;
    AimReader *copy_from;   ///< copy its non-video streams, chapters and metadata (may be NULL)
    int threads;            ///< encoder threads, 0 = auto
    AimLog log;
} AimWriterSettings;

void aim_writer_default_settings(AimWriterSettings *s);
/**
 * Creates the output under a temporary name beside `path` and writes the header.
 * Errors: AIM_ERR(EEXIST) (path exists, overwrite off), AIM_ERR(EINVAL) (path is the input),
 * AIM_ERR(EACCES)/AIM_ERR(ENOENT) (folder not writable), AIM_ERR_UNSUPPORTED (unknown
 * container or encoder not available).
 */
int aim_writer_open(AimWriter **out, const AimWriterSettings *s);
/** Encodes frame number f->index (0, 1, 2 ...; pts = index / frame_rate). */
int aim_writer_write(AimWriter *w, const AimFrame *f);
/** Flushes, writes the trailer and renames the temporary file to `path`. */
int aim_writer_finish(AimWriter *w);
/** Frees; removes the temporary file if finish did not succeed. Accepts &NULL. */
void aim_writer_close(AimWriter **w);

#endif
