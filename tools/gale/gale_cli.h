/* Subcommands of the `gale` command (tools/gale). */
#ifndef GALE_CLI_H
#define GALE_CLI_H

typedef struct gale_cli_cmd {
    const char *name;
    const char *help;
    int (*run)(int argc, char **argv); /* argv[0] = the subcommand name */
} gale_cli_cmd_t;

int gale_cli_bindgen(int argc, char **argv);
int gale_cli_wit(int argc, char **argv);

#endif
