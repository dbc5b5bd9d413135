// Planned jobs (job.c): one input split at cuts into segments that any machine sharing the job
// folder renders on its own; the joined result decodes to exactly the frames of a one-piece
// `enhance` with the same settings.
//
// The job folder holds only files (no machine-local state), so it may sit on a shared
// filesystem:
//   plan.json        the input (path, size, SHA-256), the enhance options and every setting they
//                    resolved to, the build, the gate's decisions (one letter per source frame)
//                    and the segments (source frame ranges and boundary kinds)
//   gate.bin         the gate's records with their motion masks, and every source frame's time
//                    and hash (its SHA-256 is in plan.json); workers replay the records, times
//                    included, instead of gating
//   seg-NNNNN.mkv    segment NNNNN's video, renamed into place when complete
//   seg-NNNNN.done   written after the rename: the plan's and build's hashes, size, frames
//   seg-NNNNN.lock   held while a worker renders it (O_EXCL; host, pid; refreshed every 20 s)
// A segment counts as done only with a .done whose plan, build and size match.
#ifndef AIM_CLI_JOB_H
#define AIM_CLI_JOB_H

/** `ainimotion plan IN --job DIR [enhance options] [--segments N | --segment-seconds S]`. */
int aim_cmd_plan(int argc, char **argv);
/** `ainimotion render DIR --segment K [-q] [-v] [-y]`. */
int aim_cmd_render(int argc, char **argv);
/** `ainimotion join DIR --out OUT [-q] [-v] [-y]`. */
int aim_cmd_join(int argc, char **argv);
/** `ainimotion status DIR`. */
int aim_cmd_status(int argc, char **argv);

#endif
