/* cmd_help: `pxcmesh help [COMMAND]`, as git and kubectl have it: the general help (what
 * --help prints), or COMMAND's own (what `pxcmesh COMMAND --help` prints, by asking the
 * verb itself, which knows its flags). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static int cmd_help_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_help_entry = {
    .name = "help",
    .usage = "help [COMMAND]",
    .summary = "show this help, or COMMAND's (as pxcmesh COMMAND --help)",
    .flags = CMD_TAKES_VERB,
    .exec = cmd_help_exec,
};

static bool
is_help_flag(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int
cmd_help_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    /* cli.c hands a --help on the line to the verb: `help status --help` is status's. */
    if (argc >= 2 && !is_help_flag(argv[1]) && is_help_flag(argv[argc - 1]))
        argc--;
    if (argc == 1 || (argc == 2 && is_help_flag(argv[1]))) {
        cmd_print_help(stdout);
        return ferror(stdout) ? 1 : 0;
    }
    if (argc > 2)
        return cmd_usage_error("help", "help takes one command, not '%s %s'", argv[1],
                               argv[2]);
    const struct cmd_entry *c = cmd_find(argv[1]);
    if (c == NULL || (c->flags & CMD_HIDDEN))
        return cmd_usage_error("help", "unknown command '%s' (pxcmesh --help lists them)",
                               argv[1]);
    if (c == &cmd_help_entry) {
        cmd_print_help(stdout);
        return ferror(stdout) ? 1 : 0;
    }
    char *vargv[] = {(char *)c->name, "--help", NULL};
    return c->exec(opts, 2, vargv);
}
