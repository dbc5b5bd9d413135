#include <stdio.h>
#include "ainimotion/common.h"
int main(int argc, char **argv) { (void)argc; (void)argv; printf("ainimotion %s\n", AIM_VERSION_STRING); return 0; }
