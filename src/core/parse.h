// Parsers for user-facing values (CLI options, config). Strict: the whole string must parse,
// no trailing garbage, no silent clamping. All return 0 or AIM_ERR(EINVAL)/AIM_ERR(ERANGE).
#ifndef AIM_CORE_PARSE_H
#define AIM_CORE_PARSE_H

#include <stddef.h>

#include "ainimotion/common.h"

/** "HH:MM:SS[.fff]", "MM:SS[.fff]" or bare seconds "SS[.fff]"; >= 0, < 100 hours. */
int aim_parse_time(const char *s, double *seconds);
/** "START-END" with two times as above; END > START. */
int aim_parse_time_range(const char *s, double *start, double *end);
/**
 * The inverse of aim_parse_time: "HH:MM:SS.mmm" (rounded to the millisecond; negative times
 * get a '-'; hours grow past 99 rather than wrap). Needs 16 bytes for times under 100 hours.
 * Returns buf.
 */
char *aim_format_time(double seconds, char *buf, size_t size);
/**
 * A frame rate: "48", "47.952", "48000/1001". Decimals within 0.01% of N*1000/1001 (the NTSC
 * rates users type as 23.976, 47.952, 59.94) become that exact rational.
 */
int aim_parse_rate(const char *s, AimRational *r);
/** A finite double in [min, max]. */
int aim_parse_double(const char *s, double min, double max, double *v);
/** An integer in [min, max]. */
int aim_parse_int(const char *s, long min, long max, long *v);
/**
 * The integer factor F with out == F * src. `out` may be given nominally (48 for 2 x 24000/1001):
 * a ratio within 0.2% of an integer counts as that integer (48/47.952 = 1.001). Returns
 * AIM_ERR_UNSUPPORTED for non-integer ratios and factors above max_factor.
 */
int aim_rate_factor(AimRational src, AimRational out, int max_factor, int *factor);
/** Output size for --scale: each dimension times scale, rounded to the nearest even number
 *  (>= 2); scale == 1 keeps the size exactly. */
void aim_scale_dims(int w, int h, double scale, int *ow, int *oh);

#endif
