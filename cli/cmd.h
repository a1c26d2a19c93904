/* cmd: pxcmesh's verbs. Each cli/cmd_<verb>.c defines its cmd_<verb>_entry next to its code
 * (tmux's cmd-*.c); cli.c lists the entries in --help order, finds the verb on the command
 * line and generates --help from them. What the verbs share is here too. */
#ifndef PXC_CLI_CMD_H
#define PXC_CLI_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "pxerr.h"

struct config;

#define CMD_MAX_CONTEXTS 16

/* Options shared by the console and every subcommand. Strings are borrowed from argv
 * (or static defaults): valid for the whole process. */
struct cmd_opts {
    const char *config;        /* --config FILE, NULL: default path if it exists */
    const char *kubeconfig;    /* --kubeconfig FILE, NULL: $KUBECONFIG or ~/.kube/config */
    const char *contexts[CMD_MAX_CONTEXTS]; /* --context C, repeatable */
    int n_contexts;
    const char *clusters[CMD_MAX_CONTEXTS]; /* --cluster NAME, repeatable (config_select) */
    int n_clusters;
    bool readonly;             /* --readonly */
    const char *theme;         /* --theme NAME */
    bool no_color;             /* --no-color or NO_COLOR set */
    const char *replay;        /* --replay FILE */
    const char *log_path;      /* --log FILE */
    bool ascii;                /* --ascii: force ASCII glyphs */
    bool no_mouse;             /* --no-mouse: leave the mouse to the terminal (selection) */
};

struct config_sel;
/* The cluster selection of the global flags: sel's pointers borrow from opts. */
void cmd_config_sel(const struct cmd_opts *opts, struct config_sel *sel);


/* Run a verb: argv[0] is its name, then its own words in order (argv and opts borrowed for
 * the call). Returns the process exit code: 0 ok, 1 failure, 2 usage. Main thread; a verb
 * that needs a loop runs a private one. */
typedef int cmd_exec_cb(const struct cmd_opts *opts, int argc, char **argv);

struct cmd_entry {
    const char *name;    /* the word on the command line: "status" */
    const char *usage;   /* one line after "pxcmesh ": "status [--json] [--timeout S]" */
    const char *summary; /* one line for --help */
    unsigned flags;
#define CMD_HIDDEN 0x1u /* runnable but not listed in --help (maintenance) */
#define CMD_REPLAY 0x2u /* reads the snapshot of --replay FILE; other verbs refuse it */
    cmd_exec_cb *exec;
};

extern const struct cmd_entry cmd_apply_entry;
extern const struct cmd_entry cmd_channel_entry;
extern const struct cmd_entry cmd_doctor_entry;
extern const struct cmd_entry cmd_generate_entry;
extern const struct cmd_entry cmd_get_entry;
extern const struct cmd_entry cmd_keys_entry;
extern const struct cmd_entry cmd_lab_entry;
extern const struct cmd_entry cmd_probe_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_watch_entry;

/* The verb named name, or NULL. Borrowed (static). */
const struct cmd_entry *cmd_find(const char *name);
/* The whole --help: usage lines, global options, every verb not hidden. */
void cmd_print_help(FILE *f);
/* Print the one-line error "pxcmesh: MSG" and the usage of verb cmd (NULL: the general
 * usage) to stderr; returns 2, the usage exit code. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The usage error for --replay given to verb c, which does not read snapshots: names the
 * verbs that do. Returns 2. */
int cmd_replay_refused(const struct cmd_entry *c);

/* The clusters a verb that talks to Kubernetes uses: config_select over the global flags
 * (--config FILE, else the --context flags, else the default config file, else the
 * kubeconfig's current context; backends/config/config_select.h). On success *out is owned
 * (config_free); on failure err says what and how to fix it. Any thread (reads files). */
int cmd_kube_config(const struct cmd_opts *opts, struct config **out,
                    struct pxerr *err) PXC_MUST_CHECK;

#endif
