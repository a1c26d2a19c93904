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

#include "xmalloc.h"
#include "app.h"
#include "cmd.h"
#include "config/config_select.h"
#include "theme.h"

/* Try argv[*i] as a global option (cmd_global_flags: "--opt VALUE" or "--opt=VALUE" for
 * those that take a value). Returns 1 consumed, 0 not global, or 2 with the usage error
 * already printed. */
static int
cli_take_global(struct cmd_opts *o, int argc, char **argv, int *i, bool *help, bool *version,
                const char *cmd)
{
    const char *a = argv[*i];
    if (a[0] != '-')
        return 0;
    const char *eq = strchr(a, '=');
    size_t len = eq != NULL && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
    const struct cmd_flag *g = cmd_global_flag(a, len);
    if (g == NULL && strcmp(a, "--no-colour") == 0)
        g = cmd_global_flag("--no-color", strlen("--no-color"));
    if (g == NULL)
        return 0;
    if (g->val == CV_NONE) {
        if (a[len] == '=') {
            cmd_usage_error(cmd, "option '%s' takes no value", g->name);
            return 2;
        }
        if (strcmp(g->name, "--readonly") == 0)
            o->readonly = true;
        else if (strcmp(g->name, "--no-color") == 0)
            o->no_color = true;
        else if (strcmp(g->name, "--ascii") == 0)
            o->ascii = true;
        else if (strcmp(g->name, "--no-mouse") == 0)
            o->no_mouse = true;
        else if (strcmp(g->name, "--help") == 0)
            *help = true;
        else if (strcmp(g->name, "--version") == 0)
            *version = true;
        return 1;
    }
    const char *val;
    if (a[len] == '=') {
        val = a + len + 1;
    } else {
        if (*i + 1 >= argc) {
            cmd_usage_error(cmd, "option '%s' needs a value", a);
            return 2;
        }
        val = argv[++*i];
    }
    if (*val == '\0') {
        cmd_usage_error(cmd, "option '%s' needs a non-empty value", g->name);
        return 2;
    }
    if (strcmp(g->name, "--config") == 0) {
        o->config = val;
    } else if (strcmp(g->name, "--kubeconfig") == 0) {
        o->kubeconfig = val;
    } else if (strcmp(g->name, "--theme") == 0) {
        o->theme = val;
    } else if (strcmp(g->name, "--replay") == 0) {
        o->replay = val;
    } else if (strcmp(g->name, "--log") == 0) {
        o->log_path = val;
    } else if (strcmp(g->name, "--context") == 0) {
        if (o->n_contexts >= CMD_MAX_CONTEXTS) {
            cmd_usage_error(cmd, "too many --context options (at most %d)", CMD_MAX_CONTEXTS);
            return 2;
        }
        o->contexts[o->n_contexts++] = val;
    } else if (strcmp(g->name, "--cluster") == 0) {
        if (o->n_clusters >= CMD_MAX_CONTEXTS) {
            cmd_usage_error(cmd, "too many --cluster options (at most %d)", CMD_MAX_CONTEXTS);
            return 2;
        }
        o->clusters[o->n_clusters++] = val;
    }
    return 1;
}


/* An -o (or --output, --json) given to verb c, which has no outputs (it prints the change
 * it makes, a script, a page) and no -o of its own: the usage error that says so, so that
 * it is never taken for a typo. 0 when there is none. Stops at "--". */
static int
cli_refuse_output(const struct cmd_entry *c, int argc, char **argv)
{
    if (c->outputs != 0)
        return 0;
    for (const struct cmd_flag *f = c->opts; f != NULL && f->name != NULL; f++)
        if (strcmp(f->name, "--output") == 0 || (f->alias && strcmp(f->alias, "-o") == 0))
            return 0;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        if (strncmp(a, "-o", 2) == 0 || strcmp(a, "--json") == 0 ||
            strncmp(a, "--output", 8) == 0)
            return cmd_usage_error(c->name, "%s has no -o outputs: it prints what it does "
                                   "(docs/cli.md, Outputs); leave %s out", c->name, a);
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

    if (version && !help) {
        /* --version is the version verb, whatever else the line names. */
        char *vargv[] = {"version", NULL};
        rc = cmd_version_entry.exec(&o, 1, vargv);
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
    if (cmd != NULL && !help && (rc = cli_refuse_output(cmd, n_sub, sub)) != 0)
        goto out;
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
