/* cli: the command line. Global options are taken from anywhere on the line; the first
 * word that is not an option names a subcommand, and every other word (its own flags
 * included) is handed to that subcommand in order. With no subcommand the console opens.
 * The verbs, their table and the help made from it are cmd.h's; this file does not parse a
 * verb's flags. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "config/config_select.h"
#include "xmalloc.h"
#include "theme.h"
#include "version.h"

/* Options that take a value: "--opt VALUE" or "--opt=VALUE". */
enum opt_id { O_CONFIG, O_KUBECONFIG, O_CONTEXT, O_THEME, O_REPLAY, O_LOG };
static const struct {
    const char *name;
    enum opt_id id;
} value_opts[] = {
    {"--config", O_CONFIG}, {"--kubeconfig", O_KUBECONFIG}, {"--context", O_CONTEXT},
    {"--theme", O_THEME},   {"--replay", O_REPLAY},         {"--log", O_LOG},
};

/* Try argv[*i] as a global option. Returns 1 consumed, 0 not global, or 2 with the
 * usage error already printed. */
static int
cli_take_global(struct cmd_opts *o, int argc, char **argv, int *i, bool *help, bool *version,
                const char *cmd)
{
    const char *a = argv[*i];
    if (strcmp(a, "--readonly") == 0)
        return o->readonly = true, 1;
    if (strcmp(a, "--no-color") == 0 || strcmp(a, "--no-colour") == 0)
        return o->no_color = true, 1;
    if (strcmp(a, "--ascii") == 0)
        return o->ascii = true, 1;
    if (strcmp(a, "--no-mouse") == 0)
        return o->no_mouse = true, 1;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
        return *help = true, 1;
    if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)
        return *version = true, 1;
    for (size_t k = 0; k < sizeof value_opts / sizeof value_opts[0]; k++) {
        size_t n = strlen(value_opts[k].name);
        const char *val;
        if (strcmp(a, value_opts[k].name) == 0) {
            if (*i + 1 >= argc) {
                cmd_usage_error(cmd, "option '%s' needs a value", a);
                return 2;
            }
            val = argv[++*i];
        } else if (strncmp(a, value_opts[k].name, n) == 0 && a[n] == '=') {
            val = a + n + 1;
        } else {
            continue;
        }
        if (*val == '\0') {
            cmd_usage_error(cmd, "option '%s' needs a non-empty value", value_opts[k].name);
            return 2;
        }
        switch (value_opts[k].id) {
        case O_CONFIG:
            o->config = val;
            break;
        case O_KUBECONFIG:
            o->kubeconfig = val;
            break;
        case O_THEME:
            o->theme = val;
            break;
        case O_REPLAY:
            o->replay = val;
            break;
        case O_LOG:
            o->log_path = val;
            break;
        case O_CONTEXT:
            if (o->n_contexts >= CMD_MAX_CONTEXTS) {
                cmd_usage_error(cmd, "too many --context options (at most %d)", CMD_MAX_CONTEXTS);
                return 2;
            }
            o->contexts[o->n_contexts++] = val;
            break;
        }
        return 1;
    }
    return 0;
}


int
cli_main(int argc, char **argv)
{
    struct cmd_opts o = {0};
    bool help = false, version = false;
    const struct cmd_entry *cmd = NULL;
    /* The subcommand's argv: its name first, then everything not global, in order. */
    char **sub = xcalloc((size_t)argc + 1, sizeof *sub);
    int n_sub = 0, rc;
    o.no_color = theme_no_color_env();

    bool rest = false; /* after "--": nothing is a global option any more */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!rest) {
            int t = cli_take_global(&o, argc, argv, &i, &help, &version,
                                    cmd != NULL ? cmd->name : NULL);
            if (t == 2) {
                rc = 2;
                goto out;
            }
            if (t == 1)
                continue;
        }
        if (cmd == NULL) {
            if (strcmp(a, "--") == 0) {
                rest = true;
                continue;
            }
            if (a[0] == '-') {
                rc = cmd_usage_error(NULL, "unknown option '%s'", a);
                goto out;
            }
            cmd = cmd_find(a);
            if (cmd == NULL) {
                rc = cmd_usage_error(NULL, "unknown command '%s'", a);
                goto out;
            }
            sub[n_sub++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0 && !rest) {
            rest = true; /* the subcommand sees the "--" too, as a boundary of its own */
        }
        sub[n_sub++] = argv[i];
    }

    if (version) {
        printf("pxcmesh %s\n", PXC_VERSION);
        rc = 0;
        goto out;
    }
    if (help && cmd == NULL) {
        cmd_print_help(stdout);
        rc = 0;
        goto out;
    }
    if (help) {
        /* Hand --help to the subcommand: it knows its own flags. */
        sub[n_sub++] = "--help";
    }
    if (cmd != NULL && o.replay != NULL && !help && !(cmd->flags & CMD_REPLAY)) {
        rc = cmd_replay_refused(cmd);
        goto out;
    }
    if (cmd != NULL) {
        sub[n_sub] = NULL;
        rc = cmd->exec(&o, n_sub, sub);
        goto out;
    }
    struct app_opts ao = {
        .theme = o.theme,
        .no_color = o.no_color,
        .replay = o.replay,
        .log_path = o.log_path,
        .ascii = o.ascii,
        .no_mouse = o.no_mouse,
    };
    cmd_config_sel(&o, &ao.sel);
    rc = app_main(&ao);
out:
    free(sub);
    return rc;
}
