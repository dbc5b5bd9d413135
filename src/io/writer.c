// AimWriter: placeholder until the encoder/muxer lands (next commit).
#include "io_internal.h"

struct AimWriter { int unused; };

void aim_writer_default_settings(AimWriterSettings *s)
{
    *s = (AimWriterSettings){ .crf = -1, .frame_rate = { 24000, 1001 }, .depth = 8 };
}
int aim_writer_open(AimWriter **out, const AimWriterSettings *s) { return AIM_ERR_UNSUPPORTED; }
int aim_writer_write(AimWriter *w, const AimFrame *f) { return AIM_ERR_UNSUPPORTED; }
int aim_writer_finish(AimWriter *w) { return AIM_ERR_UNSUPPORTED; }
void aim_writer_close(AimWriter **w) {}
int aim_writer_copy_packet(AimWriter *w, AVPacket *pkt) { av_packet_unref(pkt); return 0; }
void aim_writer_source_closed(AimWriter *w) {}
