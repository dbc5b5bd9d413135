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
 * The ratio out/src for --fps, reduced, in [1, max]. `out` may be given nominally: within 0.2%
 * of a whole multiple counts as that multiple (48 on 24000/1001 is 2/1, 47.952 on 24 too), and
 * a whole rate of the film/TV family (a multiple of 24 or 30: 60, 120) on an NTSC-family source
 * (M*1000/1001) means its NTSC twin (60 on 24000/1001 is 60000/1001: ratio 5/2); PAL rates
 * (25, 50) stay exact. Returns AIM_ERR_UNSUPPORTED below 1x, above max, or for a ratio whose
 * reduced terms do not fit an int.
 */
int aim_rate_ratio(AimRational src, AimRational out, int max, AimRational *ratio);
/** A multiplier of the source rate: "2x", "2.5x", "5/2x" (the number as aim_parse_rate). */
int aim_parse_multiplier(const char *s, AimRational *m);
/** a * b reduced; AIM_ERR(ERANGE) when a term does not fit an int, EINVAL for non-positive. */
int aim_rational_mul(AimRational a, AimRational b, AimRational *out);
/** Output size for --scale: each dimension times scale, rounded to the nearest even number
 *  (>= 2); scale == 1 keeps the size exactly. */
void aim_scale_dims(int w, int h, double scale, int *ow, int *oh);
/**
 * Output size for --square-pixels: the width first multiplied by the sample aspect ratio
 * sar_num/sar_den (the picture as displayed, in square pixels), then both dimensions as
 * aim_scale_dims. A SAR that is unknown (<= 0) or 1:1 gives aim_scale_dims' size.
 */
void aim_scale_dims_square(int w, int h, int sar_num, int sar_den, double scale, int *ow,
                           int *oh);

#endif
