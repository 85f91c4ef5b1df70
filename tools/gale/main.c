/* The `gale` command. Subcommands are rows of a table; each gets argc/argv
 * after the subcommand name. (`run` is added by the system layer.) */
#include <stdio.h>
#include <string.h>

#include "gale_cli.h"

static int cmd_help(int argc, char **argv);

static const gale_cli_cmd_t commands[] = {
    {"bindgen", "generate C bindings for a WIT world (guest or --host)", gale_cli_bindgen},
    {"wit", "check WIT packages: gale wit check|dump|layout ...", gale_cli_wit},
    {"help", "list the subcommands", cmd_help},
};

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("usage: gale <command> [args]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].help);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cmd_help(0, NULL);
        return 2;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(0, NULL);
    fprintf(stderr, "gale: unknown command `%s` (try `gale help`)\n", argv[1]);
    return 2;
}
