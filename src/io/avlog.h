// Routes libav*'s own log lines (x264's banner, demuxer warnings) through an AimLog.
// libav's log callback is process-wide, so this is too: call it once from the program's main
// thread before opening files. Thread-safety: the installed callback may run on any thread.
#ifndef AIM_IO_AVLOG_H
#define AIM_IO_AVLOG_H

#include "ainimotion/common.h"

/**
 * libav messages go to `log` one level lower than libav rates them (its errors are context for
 * the one-line error our own code logs: fatal -> error, error -> warning, warning -> info,
 * info and below -> debug), prefixed with the component; those above `min_level` are dropped. log == NULL restores libav's default.
 * The AimLog is copied.
 */
void aim_io_set_av_log(const AimLog *log, AimLogLevel min_level);

#endif
