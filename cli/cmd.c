/* cmd: the table of verbs and what it makes (--help, usage errors), and what the verbs
 * share. The verbs themselves are cli/cmd_<verb>.c. */
#include "cmd.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/config_select.h"

/* In the order --help lists them: look, then act, then set up, then diagnose. */
static const struct cmd_entry *const cmd_table[] = {
    &cmd_status_entry, &cmd_get_entry,   &cmd_channel_entry, &cmd_lab_entry,  &cmd_generate_entry,
    &cmd_apply_entry,  &cmd_probe_entry, &cmd_doctor_entry,  &cmd_watch_entry, &cmd_serve_entry,
    &cmd_keys_entry,
};

const struct cmd_entry *
cmd_find(const char *name)
{
    for (size_t i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++)
        if (strcmp(cmd_table[i]->name, name) == 0)
            return cmd_table[i];
    return NULL;
}

static void
cmd_print_usage(FILE *f)
{
    fputs("usage: pxcmesh [options]                open the console on the configured clusters\n"
          "       pxcmesh [options] --replay FILE  open the console on a saved snapshot\n"
          "       pxcmesh [options] COMMAND [ARGS] run a command\n",
          f);
}

void
cmd_print_help(FILE *f)
{
    cmd_print_usage(f);
    fputs("\noptions (accepted anywhere on the line):\n"
          "  --config FILE       configuration file (default ~/.config/pxcmesh/config.yaml)\n"
          "  --kubeconfig FILE   kubeconfig to use (default $KUBECONFIG, ~/.kube/config)\n"
          "  --context NAME      a kubeconfig context to show; repeat for several clusters\n"
          "  --readonly          hide and refuse every action that writes to a cluster\n"
          "  --theme NAME        colour theme: a name from the themes directory or a file\n"
          "  --no-color          no colours (also when NO_COLOR is set)\n"
          "  --replay FILE       open a snapshot (pxcmesh status --json) read-only; status\n"
          "                      and doctor read it too, instead of the clusters\n"
          "  --log FILE          append a debug log to FILE\n"
          "  --ascii             draw with ASCII instead of Unicode line and status glyphs\n"
          "  --no-mouse          do not take the mouse (click selects, wheel scrolls)\n"
          "  -h, --help          show this help\n"
          "  -V, --version       show the version\n",
          f);
    bool any = false;
    for (size_t i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++) {
        const struct cmd_entry *c = cmd_table[i];
        if (c->flags & CMD_HIDDEN)
            continue;
        if (!any)
            fputs("\ncommands:\n", f);
        any = true;
        fprintf(f, "  pxcmesh %s\n      %s\n", c->usage, c->summary);
    }
    fputs("\nIn the console, press ? for the keys. Exit codes: 0 ok, 1 failure, 2 usage.\n", f);
}

int
cmd_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("pxcmesh: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    const struct cmd_entry *c = cmd != NULL ? cmd_find(cmd) : NULL;
    if (c != NULL)
        fprintf(stderr, "usage: pxcmesh %s\n", c->usage);
    else
        cmd_print_usage(stderr);
    return 2;
}

int
cmd_replay_refused(const struct cmd_entry *c)
{
    const char *names[sizeof cmd_table / sizeof cmd_table[0]];
    size_t k = 0;
    for (size_t i = 0; i < sizeof cmd_table / sizeof cmd_table[0]; i++)
        if (cmd_table[i]->flags & CMD_REPLAY)
            names[k++] = cmd_table[i]->name;
    char verbs[128] = "";
    size_t n = 0;
    for (size_t i = 0; i < k && n < sizeof verbs; i++)
        n += (size_t)snprintf(verbs + n, sizeof verbs - n, "%s%s",
                              i == 0       ? ""
                              : i + 1 == k ? " and "
                                           : ", ",
                              names[i]);
    return cmd_usage_error(c->name,
                           "--replay FILE is read by the console and by %s; '%s' works on the "
                           "live clusters: leave --replay out",
                           verbs, c->name);
}

void
cmd_config_sel(const struct cmd_opts *opts, struct config_sel *sel)
{
    *sel = (struct config_sel){
        .config = opts->config,
        .kubeconfig = opts->kubeconfig,
        .contexts = opts->contexts,
        .n_contexts = (size_t)opts->n_contexts,
        .clusters = opts->clusters,
        .n_clusters = (size_t)opts->n_clusters,
        .readonly = opts->readonly,
    };
}


int
cmd_kube_config(const struct cmd_opts *opts, struct config **out, struct pxerr *err)
{
    struct config_sel sel;
    cmd_config_sel(opts, &sel);
    return config_select(&sel, out, err);
}
