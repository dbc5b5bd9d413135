// `ainimotion models [list|install|verify] ...`
#ifndef AIM_TOOLS_MODELS_H
#define AIM_TOOLS_MODELS_H

/** argv[0] is "models". Returns the process exit status (0 ok, 1 failure, 2 usage). */
int aim_cmd_models(int argc, char **argv);

#endif
