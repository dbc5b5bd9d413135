#include <stdio.h>
#include <string.h>
#include "ainimotion/common.h"
#include "models.h"
// Minimal dispatch on the nn branch for testing `ainimotion models`; the coordinator owns main.c.
int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "models"))
        return aim_cmd_models(argc - 1, argv + 1);
    printf("ainimotion %s\n", AIM_VERSION_STRING);
    return 0;
}
