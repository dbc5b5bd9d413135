// placeholder: the reader lands with the io work
#include "io.h"
void aim_reader_default_settings(AimReaderSettings *s) { *s = (AimReaderSettings){ .clip_start = -1, .clip_end = -1 }; }
