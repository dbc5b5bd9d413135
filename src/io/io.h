// Container and codec I/O: the only code that includes libav*. No libav types cross this header.
//
// AimReader demuxes and decodes the input's best video stream (attached pictures / cover art
// are never chosen) into AimFrames (4:2:0, 8- or 10-bit in uint16 samples). yuv420p, yuvj420p
// and yuv420p10le are copied exactly; other formats go through swscale (bit-exact mode) to
// yuv420p (sources of <= 8 bits) or yuv420p10 (deeper sources), keeping matrix and range;
// RGB/palette sources (PNG stills) become BT.709 limited range, transfer sRGB unless tagged.
// Colour fields are libav's enum values (= H.273 code points).
//
// Timeline: clip times are seconds from the first decoded video frame. The reader returns the
// frames whose timestamp t satisfies start <= t < end; the first one is output time 0.
// Frame rates within 100 ppm of an integer or of n*1000/1001 are snapped to it (MKV stores
// 24000/1001 as a nanosecond duration, read back as 7001/146).
//
// Stream copy: when a writer is opened with copy_from = reader (before the first
// aim_reader_read), every packet of the other streams is handed to the writer as it is
// demuxed (packets demuxed while opening are kept until then), payloads unchanged, timestamps
// shifted by the zero point. Without a clip nothing is dropped (packets before the first video
// frame get negative times; the muxer then shifts all streams alike, sync is kept). With a
// clip, packets ending at or before the zero point or starting at/after the end are dropped;
// audio packets overlapping the start are kept whole (never cut: the output's audio may start
// up to one packet, e.g. 21 ms of AAC, before the video, which the muxer shifts to 0); subtitle
// events overlapping an edge keep their payload and get pts/duration trimmed to the range.
// After the clip end the reader demuxes up to 10 s further so late-interleaved packets that
// lie before the end still arrive.
//
// Damaged input: undecodable packets and demux errors are logged as warnings with their
// position (frame number, seconds) and skipped (the first 20, then counted); concealed frames
// are kept; a truncated file ends normally after the frames that decoded, with a warning that
// contains "truncated" when the video ends short of the duration the container declares
// (AimVideoInfo.truncated_at).
//
// Thread-safety: a reader is used by one thread; a writer's aim_writer_write/finish by one
// thread, while the attached reader's thread copies packets into it (the writer locks
// internally). Call aim_writer_finish after the reader returned AIM_ERR_EOF (later packets are
// dropped); close writer and reader once neither thread uses them (either order).
#ifndef AIM_IO_IO_H
#define AIM_IO_IO_H

#include <stdint.h>

#include "ainimotion/frame.h"

/**
 * Frame sizes the reader accepts (smaller or larger inputs are refused at open with
 * AIM_ERR_UNSUPPORTED): the gate and Model A work on 16x16 blocks and patches (gate.h, interp.c),
 * and aim_frame_alloc's limit is 16384.
 */
#define AIM_READER_MIN_SIZE 16
#define AIM_READER_MAX_SIZE 16384

typedef struct AimReader AimReader;
typedef struct AimWriter AimWriter;

typedef struct AimReaderSettings {
    const char *path;
    double clip_start;  ///< seconds from the first video frame; < 0: from the start
    double clip_end;    ///< seconds; < 0: to the end
    int threads;        ///< decoder threads, 0 = auto
    AimLog log;
    /// 1: a variable-rate input's pictures keep their own times (see aim_reader_read) for
    /// pipeline.h's timed grid; 0 (default): they are placed on the constant-rate grid.
    int timed;
} AimReaderSettings;

typedef struct AimVideoInfo {
    int width, height;      ///< as decoded (odd sizes allowed)
    int depth;              ///< 8 or 10 after conversion
    AimRational frame_rate; ///< nominal rate (e.g. 24000/1001)
    int64_t nb_frames;      ///< estimated number of frames in the (clipped) range, 0 if unknown
    double duration;        ///< seconds of the (clipped) range, 0 if unknown
    double start;           ///< seconds from the first decoded video frame to the first
                            ///< returned one (the zero point: 0 without a clip)
    double truncated_at;    ///< set at the end of the input when the video ended well short of
                            ///< `duration` (a truncated file; warned): seconds where it ended
    AimColor color;
    AimRational sar;        ///< sample (pixel) aspect ratio, 0/1 when unknown (square assumed)
    char pix_fmt[32];       ///< source pixel format name
    char codec[32];         ///< source codec name
} AimVideoInfo;

void aim_reader_default_settings(AimReaderSettings *s);
/**
 * Opens the input and decodes its first frame (format, colour and zero point are known after
 * open). Errors: AIM_ERR(ENOENT)/AIM_ERR(EACCES) (cannot open), AIM_ERR_INVALID_DATA
 * (not a media file, no decodable frame), AIM_ERR_NO_VIDEO, AIM_ERR_UNSUPPORTED (no decoder, or
 * a pixel format swscale cannot convert), AIM_ERR(ERANGE) (clip end <= start, start at/after
 * the input's duration, end beyond it by more than one frame, or no frame in the range),
 * AIM_ERR(EINVAL) (bad settings); AIM_ERR_UNSUPPORTED also for frames outside
 * AIM_READER_MIN_SIZE..AIM_READER_MAX_SIZE. One AIM_LOG_ERROR line says why. *out is set only on success.
 */
int aim_reader_open(AimReader **out, const AimReaderSettings *s);
void aim_reader_close(AimReader **r);
const AimVideoInfo *aim_reader_info(const AimReader *r);
/**
 * Next decoded frame in display order, within the clip range; f->index counts from 0 and
 * f->pts is in microseconds relative to the first returned frame. Frames are on the constant
 * frame_rate grid: f->index is the slot nearest the picture's time; a variable-rate input gets
 * pictures repeated over gaps and dropped where they come faster (as ffmpeg -fps_mode cfr,
 * with a warning). With settings.timed, pictures are neither repeated nor dropped for the grid:
 * f->index counts the pictures and f->pts is each picture's own time (a picture not after the
 * one before is dropped; a jump over 60 s is closed), with a warning where a picture is off the
 * grid or slots are missing. Decode errors mid-stream are logged as warnings with their position
 * and skipped. Returns 0, AIM_ERR_EOF, or an error. *out is the caller's reference (release it
 * with aim_frame_unref); its memory comes from a pool the reader owns and recycles, and stays
 * valid after aim_reader_close.
 */
int aim_reader_read(AimReader *r, AimFrame **out);

/**
 * Containers by extension: .mkv .mp4 .mov (default encoder libx264, 8 or 10 bit; libx265 if
 * libx264 lacks 10-bit), .webm (libsvtav1, or libvpx-vp9 when absent or under 64x64), .y4m and
 * "-" (y4m on stdout, written directly: raw planes, exact samples, any size; y4m carries only
 * range and 8-bit chroma siting, and no other streams). Encoded 4:2:0 outputs of odd size are
 * padded to even by repeating the last column/row (H.264/HEVC/SVT-AV1 need even sizes).
 * Video timestamps are f->index in time base 1/frame_rate; avg/r_frame_rate are set; colour
 * tags go to the encoder, the frames and the stream; so does the sample aspect ratio (y4m: its
 * A field; png: none).
 * Stream copy (copy_from): the input's streams in their order, the encoded video at the
 * decoded stream's index; every non-video stream and attached picture the container can hold
 * (avformat_query_codec; attachments in MKV only), with codec parameters (fonts live in the
 * extradata), tags, dispositions and time bases; other streams are dropped with a warning.
 * Global tags and chapters are copied (chapters shifted and cropped to the clip range, and
 * kept with the video when a stream starts before it: MKV shifts every packet up, the
 * chapters with them; MP4/MOV keep the negative times in an edit list).
 * MP4/MOV: text subtitles (SRT, ASS, ...) are converted to mov_text, their only subtitle format
 * (ASS styling is lost: a warning says so); bitmap subtitles are dropped with a warning.
 * MP4/MOV allow FLAC/Opus audio, which FFmpeg 5.1 calls experimental there.
 */
typedef struct AimWriterSettings {
    const char *path;       ///< output; "-" = y4m to stdout
    int overwrite;          ///< replace an existing output (-y)
    const char *encoder;    ///< libavcodec encoder name; NULL = default for the container
    int crf;                ///< quality ("crf", nvenc "cq"), < 0 = encoder default; 0 = lossless
                            ///< for libx264 (qp 0) and libx265 (lossless=1); at most 63
    const char *preset;     ///< speed as an x264 preset name ("medium", "veryfast"...), NULL =
                            ///< encoder default; mapped to each encoder's own scale (x265:
                            ///< the same names, SVT-AV1 0-13, NVENC p1-p7, VP9 cpu-used)
    int width, height, depth;
    AimRational frame_rate; ///< output rate; frame k is written at k / frame_rate
    AimColor color;
    AimRational sar;        ///< sample aspect ratio to tag (codec and container), 0/x: none
    AimReader *copy_from;   ///< copy its non-video streams, chapters and metadata (may be NULL)
    int threads;            ///< encoder threads, 0 = auto
    AimLog log;
} AimWriterSettings;

void aim_writer_default_settings(AimWriterSettings *s);
/** 1 when `path`'s container holds a single image (.png), so a run must make one frame. */
int aim_writer_single_image(const char *path);
/**
 * Creates the output under a temporary name beside `path` (.NAME.partXXXXXX, mode 0666 & ~umask)
 * and writes the header. Refusals come before anything is written:
 * AIM_ERR(EINVAL) (path is the input file, also via symlinks/hard links; or copy_from already
 * read from; preset not one of x264's speed names), AIM_ERR(EEXIST) (path exists, overwrite off), AIM_ERR(ENOENT) (folder missing),
 * AIM_ERR(EACCES) (folder not writable), AIM_ERR_UNSUPPORTED (unknown container, encoder missing
 * or failing to open, e.g. nvenc without a GPU; encoder not allowed in the container),
 * AIM_ERR(ERANGE) (crf outside the encoder's scale: x264/x265 0-51, SVT-AV1 0-63, NVENC cq
 * 0-51). A base name too long for the temporary name's prefix and suffix is shortened there.
 */
int aim_writer_open(AimWriter **out, const AimWriterSettings *s);
/**
 * Encodes frame number f->index (strictly increasing; pts = index / frame_rate; y4m repeats the
 * frame over gaps). Size and depth must match the settings (AIM_ERR(EINVAL)); samples above
 * the depth's maximum are clamped. The frame stays owned by the caller.
 */
int aim_writer_write(AimWriter *w, const AimFrame *f);
/**
 * Flushes the encoder, writes the trailer and renames the temporary file to `path`. Without
 * overwrite, a `path` that appeared since open is never replaced: AIM_ERR(EEXIST), and the
 * finished file is kept under its temporary name (the error line names it). Write errors
 * (AIM_ERR(ENOSPC), AIM_ERR(EPIPE) for a closed stdout...) come as one line "<cause> while
 * writing OUT".
 */
int aim_writer_finish(AimWriter *w);
/**
 * The writer's sticky error: its first failure while writing, muxing copied packets or
 * finishing, already logged as one line; 0 if none. Lets the caller tell a failed output from
 * a failure elsewhere. Thread-safe.
 */
int aim_writer_error(const AimWriter *w);
/**
 * The temporary file's name (.NAME.partXXXXXX beside the output; the name stays after finish
 * renamed the file), NULL for stdout. Owned by the writer, valid until close.
 */
const char *aim_writer_temp_path(const AimWriter *w);
/** Frees; removes the temporary file if finish did not succeed. Accepts &NULL. */
void aim_writer_close(AimWriter **w);

/** One piece of a joined video: a file written by AimWriter holding only a video stream. */
typedef struct AimJoinSegment {
    const char *path;
    int64_t first;  ///< output frame number of its first frame (its timestamps say the same)
    int64_t count;  ///< frames it must hold: first .. first + count - 1
} AimJoinSegment;

typedef struct AimJoinSettings {
    const char *path;          ///< output (.mkv .mp4 .mov .webm), written as AimWriter does
    int overwrite;
    AimRational frame_rate;    ///< output rate: frame k at k / frame_rate
    AimReader *copy_from;      ///< the input, opened and not read: its other streams, chapters
                               ///< and metadata are copied once, as by an enhance run
    const AimJoinSegment *segments;
    int nb_segments;           ///< in order, contiguous (segment i + 1 starts where i ends)
    AimLog log;
} AimJoinSettings;

/**
 * Concatenates the segments' video packets (stream copy, no decoding) and muxes them with the
 * input's other streams into one file, under a temporary name renamed on success. Every
 * segment must have the first's codec parameters (codec, size, format, extradata), start
 * with a keyframe and hold exactly its frames. Returns 0, the writer's refusals
 * (aim_writer_open), or AIM_ERR_INVALID_DATA naming the segment that is unreadable, damaged
 * or different (logged); nothing is left under `path` on failure.
 */
int aim_join(const AimJoinSettings *s);

#endif
