// enhance's progress line (#12 item 20): elapsed time, speed as a multiple of real time, ETA.
#include <string.h>

#include "enhance.h"
#include "test.h"

int main(void)
{
    char b[256];
    // 120 of 480 frames at 48 fps out in 4 s: 2.5 s of video in 4 s = 0.62x; 360 left at 30 fps
    aim_progress_line(b, sizeof(b), 120, 480, 4.0, 48.0, 0);
    CHECK_MSG(!strcmp(b, "frame 120/480 (25%), 30.0 fps, 0.62x real time, elapsed 00:00:04, "
                         "ETA 00:00:12"), "%s", b);
    // the last line: no ETA; a long run shows hours
    aim_progress_line(b, sizeof(b), 480000, 480000, 4000.0, 48.0, 1);
    CHECK_MSG(!strcmp(b, "frame 480000/480000 (100%), 120.0 fps, 2.50x real time, "
                         "elapsed 01:06:40"), "%s", b);
    // unknown total: no percentage, no ETA
    aim_progress_line(b, sizeof(b), 10, 0, 2.0, 24.0, 0);
    CHECK_MSG(!strcmp(b, "frame 10/?, 5.0 fps, 0.21x real time, elapsed 00:00:02"), "%s", b);
    // nothing done yet: no speed, no ETA, no division by zero
    aim_progress_line(b, sizeof(b), 0, 100, 0.0, 24.0, 0);
    CHECK_MSG(!strcmp(b, "frame 0/100 (0%), 0.0 fps, elapsed 00:00:00"), "%s", b);
    return test_finish("test_progress");
}
