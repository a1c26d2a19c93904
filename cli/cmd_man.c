/* cmd_man: the hidden `pxcmesh __man`, which prints the manual page pxcmesh(1) in roff
 * from the command table (the verbs, their usage, summaries and flags; the global flags)
 * and the key table (tui/keymap.c), the same tables --help, the completion and
 * docs/keys.md are made from. The build runs it to make build/pxcmesh.1, which
 * `make install` installs; `man -l build/pxcmesh.1` reads it. The prose around the tables
 * (outputs, choosing clusters, exit codes) is short here and whole in docs/. */
#include <stdio.h>
#include <string.h>

#include "strbuf.h"
#include "cmd.h"
#include "keymap.h"
#include "outfmt.h"
#include "version.h"

static int cmd_man_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_man_entry = {
    .name = "__man",
    .usage = "__man",
    .summary = "print the manual page pxcmesh(1) in roff (the build installs it)",
    .flags = CMD_HIDDEN,
    .exec = cmd_man_exec,
};

/* Text for roff: backslashes doubled, '-' as \- (a minus, which man copies and pastes as
 * the '-' of an option), a '.' or '\'' starting a line guarded. */
static void
roff(const char *s, FILE *f)
{
    bool bol = true;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", f);
        bol = *s == '\n';
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

static void
flag_item(const struct cmd_flag *fl, FILE *f)
{
    fputs(".TP\n", f);
    if (fl->alias != NULL) {
        fputs("\\fB", f);
        roff(fl->alias, f);
        fputs("\\fR, ", f);
    }
    fputs("\\fB", f);
    roff(fl->name, f);
    fputs("\\fR", f);
    if (fl->arg != NULL) {
        fputs(" \\fI", f);
        roff(fl->arg, f);
        fputs("\\fR", f);
    }
    fputc('\n', f);
    roff(fl->help, f);
    fputc('\n', f);
}

static void
print_keys(FILE *f)
{
    int last = -1;
    for (size_t i = 0; i < keymap_count(); i++) {
        const struct keymap_row *r = keymap_at(i);
        if (!keymap_visible(r, false))
            continue;
        if ((int)r->scope != last) {
            fputs(".SS ", f);
            roff(keymap_scope_title(r->scope), f);
            fputc('\n', f);
            last = (int)r->scope;
        }
        char k[32];
        keymap_key_name(r->key, k, sizeof k);
        fputs(".TP 12\n\\fB", f);
        roff(k, f);
        fputs("\\fR\n", f);
        roff(r->description, f);
        fputc('\n', f);
    }
}

static void
print_man(FILE *f)
{
    fputs(".\\\" pxcmesh(1), made by `pxcmesh __man` from the command and key tables.\n", f);
    fprintf(f, ".TH PXCMESH 1 \"\" \"pxcmesh %s\" \"User Commands\"\n", PXC_VERSION);
    fputs(".SH NAME\npxcmesh \\- console and command line for Percona XtraDB Cluster "
          "replication across Kubernetes clusters over an Istio mesh\n"
          ".SH SYNOPSIS\n"
          ".B pxcmesh\n[\\fIoptions\\fR]\n.br\n"
          ".B pxcmesh\n[\\fIoptions\\fR] \\fB\\-\\-replay\\fR \\fIFILE\\fR\n.br\n"
          ".B pxcmesh\n[\\fIoptions\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n"
          ".SH DESCRIPTION\n"
          "Without a command, \\fBpxcmesh\\fR opens the console on the configured clusters: "
          "pods, Galera state, Istio sidecars, ServiceEntries and replication channels, live, "
          "with the doctor's findings and their fixes. Each command below does one thing of "
          "the console from the shell, with the same backends and the same confirmations.\n",
          f);
    fputs(".SH OPTIONS\nAccepted anywhere on the line, before or after the command.\n", f);
    for (const struct cmd_flag *g = cmd_global_flags; g->name != NULL; g++)
        flag_item(g, f);
    fputs(".SH COMMANDS\n", f);
    size_t n;
    const struct cmd_entry *const *t = cmd_entries(&n);
    for (size_t i = 0; i < n; i++) {
        const struct cmd_entry *c = t[i];
        if (c->flags & CMD_HIDDEN)
            continue;
        fputs(".TP\n\\fBpxcmesh ", f);
        roff(c->usage, f);
        fputs("\\fR\n", f);
        roff(c->summary, f);
        fputc('\n', f);
        if (c->outputs != 0 && c->outputs != OUTFMT_BIT(OUTFMT_TEXT)) {
            char have[160];
            outfmt_names(c->outputs, have, sizeof have);
            fputs(".br\nOutputs: ", f);
            roff(have, f);
            fputs(".\n", f);
        }
        if (c->opts != NULL && c->opts[0].name != NULL) {
            fputs(".RS\n", f);
            for (const struct cmd_flag *fl = c->opts; fl->name != NULL; fl++)
                flag_item(fl, f);
            fputs(".RE\n", f);
        }
    }
    fputs(".SH OUTPUT\n"
          "Every command that prints objects takes \\fB\\-o\\fR \\fIjson\\fR, \\fIyaml\\fR, "
          "\\fIwide\\fR (more columns), \\fIname\\fR (one kind/name per line) or "
          "\\fIjsonpath=TEMPLATE\\fR (kubectl's dialect, the subset in docs/cli.md); "
          "\\fB\\-\\-json\\fR is \\fB\\-o json\\fR. An output a command cannot give is "
          "refused with exit status 2 and the list of those it has. Tables are as wide as "
          "their cells, two spaces apart, nothing cut.\n"
          ".SH CHOOSING CLUSTERS\n"
          "\\fB\\-\\-config\\fR \\fIFILE\\fR, else the default config file when it exists "
          "and neither \\fB\\-\\-context\\fR nor \\fB\\-\\-kubeconfig\\fR is given; from a "
          "file, \\fB\\-\\-context\\fR keeps its clusters of that context and "
          "\\fB\\-\\-cluster\\fR its clusters of that name. Without a file, each "
          "\\fB\\-\\-context\\fR is one cluster named after it, else the kubeconfig's "
          "current context. Commands that read clusters read all those selected and show a "
          "CLUSTER column; commands that act on one need the selection to be one cluster.\n"
          ".SH CONFIRMATIONS\n"
          "Every command that changes a cluster shows the exact change first (the object "
          "diff from a server dry run, or the SQL and the MySQL user that runs it) and asks "
          "on the terminal; \\fB\\-\\-yes\\fR does not ask, and without a terminal the "
          "change is refused unless \\fB\\-\\-yes\\fR is given. \\fB\\-\\-readonly\\fR "
          "refuses every change.\n",
          f);
    fputs(".SH KEYS\nThe console's keys, by where they apply (\\fB?\\fR in the console "
          "shows them too).\n",
          f);
    print_keys(f);
    fputs(".SH EXIT STATUS\n0 ok, 1 failure (a cluster or server could not be read, a "
          "finding, a refused change), 2 usage.\n"
          ".SH FILES\n"
          ".TP\n\\fI~/.config/pxcmesh/config.yaml\\fR\nthe configuration "
          "(\\fI$XDG_CONFIG_HOME/pxcmesh/config.yaml\\fR when that is set)\n"
          ".TP\n\\fI~/.kube/config\\fR\nthe kubeconfig, unless \\fB\\-\\-kubeconfig\\fR or "
          "\\fB$KUBECONFIG\\fR says otherwise\n"
          ".SH SEE ALSO\n\\fBkubectl\\fR(1), \\fBmysql\\fR(1); share/doc/pxcmesh: config.md, "
          "cli.md, doctor.md, keys.md\n",
          f);
}

static int
cmd_man_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    (void)opts, (void)argv;
    if (argc > 1)
        return cmd_usage_error("__man", "__man takes no arguments");
    print_man(stdout);
    return ferror(stdout) ? 1 : 0;
}
