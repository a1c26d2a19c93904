/* cmd: the table of verbs and what it makes (--help, usage errors), and what the verbs
 * share. The verbs themselves are cli/cmd_<verb>.c. */
#include "cmd.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <uv.h>

#include "config/config.h"
#include "config/config_select.h"
#include "model/model.h"
#include "strbuf.h"

/* In the order --help lists them: look, then act, then set up, then diagnose, then the
 * shell's. */
static const struct cmd_entry *const cmd_table[] = {
    &cmd_status_entry,      &cmd_get_entry,        &cmd_logs_entry,    &cmd_channel_entry,
    &cmd_inject_entry,      &cmd_restart_entry,    &cmd_serviceentry_entry, &cmd_lab_entry,
    &cmd_generate_entry,    &cmd_apply_entry,      &cmd_exec_entry,    &cmd_portforward_entry,
    &cmd_probe_entry,       &cmd_doctor_entry,     &cmd_watch_entry,   &cmd_serve_entry,
    &cmd_version_entry, &cmd_completion_entry,
    &cmd_help_entry,        &cmd_keys_entry,       &cmd_complete_entry, &cmd_man_entry,
};

const struct cmd_flag cmd_global_flags[] = {
    {"--config", NULL, CV_FILE, "FILE", NULL,
     "configuration file (default ~/.config/pxcmesh/config.yaml)"},
    {"--kubeconfig", NULL, CV_FILE, "FILE", NULL,
     "kubeconfig to use (default $KUBECONFIG, ~/.kube/config)"},
    {"--context", NULL, CV_CONTEXT, "NAME", NULL,
     "a kubeconfig context; repeat for several clusters; with --config, its clusters of "
     "that context"},
    {"--cluster", NULL, CV_CLUSTER, "NAME", NULL,
     "a cluster of the selection by name; repeat for several (docs/config.md)"},
    {"--readonly", NULL, CV_NONE, NULL, NULL,
     "hide and refuse every action that writes to a cluster"},
    {"--theme", NULL, CV_WORD, "NAME", NULL,
     "colour theme: a name from the themes directory or a file"},
    {"--no-color", NULL, CV_NONE, NULL, NULL, "no colours (also when NO_COLOR is set)"},
    {"--replay", NULL, CV_FILE, "FILE", NULL,
     "open a snapshot (pxcmesh status -o json) read-only; status and doctor read it too"},
    {"--log", NULL, CV_FILE, "FILE", NULL, "append a debug log to FILE"},
    {"--ascii", NULL, CV_NONE, NULL, NULL,
     "draw with ASCII instead of Unicode line and status glyphs"},
    {"--no-mouse", NULL, CV_NONE, NULL, NULL,
     "do not take the mouse (click selects, wheel scrolls)"},
    {"--help", "-h", CV_NONE, NULL, NULL, "show this help (after a command: its help)"},
    {"--version", "-V", CV_NONE, NULL, NULL, "show the version (as pxcmesh version)"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_flag *
cmd_global_flag(const char *a, size_t len)
{
    for (const struct cmd_flag *f = cmd_global_flags; f->name != NULL; f++)
        if ((strlen(f->name) == len && strncmp(f->name, a, len) == 0) ||
            (f->alias != NULL && strlen(f->alias) == len && strncmp(f->alias, a, len) == 0))
            return f;
    return NULL;
}

const struct cmd_entry *const *
cmd_entries(size_t *n)
{
    *n = sizeof cmd_table / sizeof cmd_table[0];
    return cmd_table;
}

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
    fputs("\noptions (accepted anywhere on the line):\n", f);
    for (const struct cmd_flag *g = cmd_global_flags; g->name != NULL; g++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s%s%s", g->alias ? g->alias : "", g->alias ? ", " : "",
                 g->name, g->arg ? " " : "", g->arg ? g->arg : "");
        fprintf(f, "  %-20s %s\n", left, g->help);
    }
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
    fputs("\nOutputs (-o): json, yaml, wide, name, jsonpath=TEMPLATE where a command prints\n"
          "objects; --json is -o json. `pxcmesh COMMAND --help` shows a command's options.\n"
          "In the console, press ? for the keys. Exit codes: 0 ok, 1 failure, 2 usage.\n",
          f);
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

const char *
cmd_one_cluster(const struct config *cfg, const char *verb)
{
    if (cfg->n_clusters == 1)
        return cfg->clusters[0].name;
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < cfg->n_clusters; i++)
        strbuf_appendf(&sb, "%s%s", i ? ", " : "", cfg->clusters[i].name);
    cmd_usage_error(verb, "%s acts on one cluster and the selection has %zu (%s): say which "
                    "with --cluster NAME",
                    verb, cfg->n_clusters, sb.s);
    strbuf_fini(&sb);
    return NULL;
}

bool
cmd_confirm(const char *verb, const char *question, bool yes)
{
    if (yes)
        return true;
    FILE *tty = fopen("/dev/tty", "r+");
    if (tty == NULL) {
        fprintf(stderr, "pxcmesh %s: no terminal to ask on: pass --yes to go ahead without "
                        "asking\n", verb);
        return false;
    }
    fprintf(tty, "%s [y/N] ", question);
    fflush(tty);
    char line[32] = "";
    bool ok = fgets(line, sizeof line, tty) != NULL && (line[0] == 'y' || line[0] == 'Y');
    fclose(tty);
    return ok;
}

int
cmd_replay_select(struct model *m, const struct cmd_opts *opts, const char *verb)
{
    for (int k = 0; k < opts->n_clusters; k++)
        if (model_cluster_find(m, opts->clusters[k]) == NULL)
            return cmd_usage_error(verb, "--cluster %s: the snapshot has no such cluster",
                                   opts->clusters[k]);
    /* --context C keeps the snapshot's clusters of that kubeconfig context, as it keeps a
     * config file's (config_select); with --cluster, a cluster must match one of each. */
    for (int k = 0; k < opts->n_contexts; k++) {
        bool any = false;
        for (size_t i = 0; i < m->clusters.n && !any; i++) {
            const struct m_cluster *c = m->clusters.items[i];
            any = c->context != NULL && strcmp(c->context, opts->contexts[k]) == 0;
        }
        if (!any)
            return cmd_usage_error(verb, "--context %s: no cluster of the snapshot uses that "
                                   "context", opts->contexts[k]);
    }
    for (size_t i = m->clusters.n; i-- > 0;) {
        struct m_cluster *c = m->clusters.items[i];
        bool by_name = opts->n_clusters == 0, by_context = opts->n_contexts == 0;
        for (int k = 0; k < opts->n_clusters; k++)
            by_name = by_name || strcmp(c->name, opts->clusters[k]) == 0;
        for (int k = 0; k < opts->n_contexts; k++)
            by_context = by_context ||
                         (c->context != NULL && strcmp(c->context, opts->contexts[k]) == 0);
        if (!by_name || !by_context)
            model_cluster_remove(m, c);
    }
    return 0;
}

struct run_guard {
    uv_prepare_t prep;
    bool (*done)(void *arg);
    void *arg;
};

static void
on_guard_prepare(uv_prepare_t *p)
{
    struct run_guard *g = p->data;
    if (g->done(g->arg))
        uv_stop(p->loop); /* before the poll: this iteration does not block */
}

void
cmd_run_until(uv_loop_t *loop, bool (*done)(void *arg), void *arg)
{
    struct run_guard g = {.done = done, .arg = arg};
    uv_prepare_init(loop, &g.prep);
    g.prep.data = &g;
    uv_prepare_start(&g.prep, on_guard_prepare);
    while (!done(arg))
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&g.prep, NULL);
    uv_run(loop, UV_RUN_NOWAIT); /* the close completes: g leaves the stack unreferenced */
}

static bool
flag_set(void *arg)
{
    return *(const bool *)arg;
}

void
cmd_run_until_flag(uv_loop_t *loop, const bool *flag)
{
    cmd_run_until(loop, flag_set, (void *)flag);
}
