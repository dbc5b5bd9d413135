// libav error codes -> AIM errors, for every file of src/io (io_internal.h).
#include <errno.h>

#include <libavutil/error.h>

#include "io_internal.h"

int aim_io_error(int averr)
{
    switch (averr) {
    case AVERROR(ENOENT): case AVERROR(EACCES): case AVERROR(ENOMEM): case AVERROR(EEXIST):
    case AVERROR(EINVAL): case AVERROR(ENOSPC): case AVERROR(EIO): case AVERROR(EISDIR):
    case AVERROR(EROFS): case AVERROR(EFBIG): case AVERROR(EPERM): case AVERROR(EPIPE):
    case AVERROR(ERANGE):
        return AIM_ERR(AVUNERROR(averr));
    case AVERROR_EOF: return AIM_ERR_EOF;
    case AVERROR_INVALIDDATA: return AIM_ERR_INVALID_DATA;
    case AVERROR_DECODER_NOT_FOUND: case AVERROR_ENCODER_NOT_FOUND:
    case AVERROR_PATCHWELCOME: case AVERROR(ENOSYS):
        return AIM_ERR_UNSUPPORTED;
    default: return AIM_ERR_EXTERNAL;
    }
}
