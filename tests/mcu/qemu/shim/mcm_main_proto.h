/* Prototype for test sources compiled with -Dmain=mcm_user_main (see mcm_main_args.c). */
#ifndef GALE_MCM_MAIN_PROTO_H
#define GALE_MCM_MAIN_PROTO_H
int mcm_user_main(int argc, char **argv);
#endif
