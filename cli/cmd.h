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

/* What a flag's value is: the completion offers it, the man page names it. */
enum cmd_val {
    CV_NONE,      /* a switch */
    CV_WORD,      /* free text */
    CV_NUMBER,    /* an integer */
    CV_FILE,      /* a path */
    CV_CLUSTER,   /* a cluster of the selection (config or contexts) */
    CV_CONTEXT,   /* a kubeconfig context */
    CV_NAMESPACE, /* a namespace */
    CV_OUTPUT,    /* an -o value among the verb's outputs */
    CV_CHOICE,    /* one of choices */
};

/* One flag of a verb or of the whole command line (a row of a table ended by name NULL). */
struct cmd_flag {
    const char *name;    /* "--timeout" */
    const char *alias;   /* "-t", or NULL */
    enum cmd_val val;
    const char *arg;     /* the value's name in usage text: "S", "FILE"; NULL for CV_NONE */
    const char *choices; /* CV_CHOICE: words separated by spaces */
    const char *help;    /* one line */
};

struct cmd_entry {
    const char *name;    /* the word on the command line: "status" */
    const char *usage;   /* one line after "pxcmesh ": "status [-o FORMAT] [--timeout S]" */
    const char *summary; /* one line for --help */
    unsigned flags;
#define CMD_HIDDEN 0x1u /* runnable but not listed in --help (maintenance) */
#define CMD_REPLAY 0x2u /* reads the snapshot of --replay FILE; other verbs refuse it */
#define CMD_TAKES_VERB 0x4u /* its word is a verb's name (help): the completion offers them */
    cmd_exec_cb *exec;
    const char *const *subs;     /* the words that may follow the verb ("status", "start"),
                                    NULL-terminated; NULL: none */
    const struct cmd_flag *opts; /* its own flags, ended by a row with name NULL; NULL: none */
    unsigned outputs;            /* OUTFMT_BIT()s -o accepts (outfmt.h); 0: no -o */
};

/* The global flags (accepted anywhere on the line), ended by a row with name NULL. */
extern const struct cmd_flag cmd_global_flags[];
/* The global flag named by a[0..len) (its name or alias), or NULL. */
const struct cmd_flag *cmd_global_flag(const char *a, size_t len);
/* The table of verbs in --help order: *n entries. Borrowed (static). */
const struct cmd_entry *const *cmd_entries(size_t *n);

extern const struct cmd_entry cmd_apply_entry;
extern const struct cmd_entry cmd_channel_entry;
extern const struct cmd_entry cmd_doctor_entry;
extern const struct cmd_entry cmd_exec_entry;
extern const struct cmd_entry cmd_generate_entry;
extern const struct cmd_entry cmd_get_entry;
extern const struct cmd_entry cmd_keys_entry;
extern const struct cmd_entry cmd_lab_entry;
extern const struct cmd_entry cmd_logs_entry;
extern const struct cmd_entry cmd_portforward_entry;
extern const struct cmd_entry cmd_probe_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_watch_entry;
extern const struct cmd_entry cmd_version_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_completion_entry;
extern const struct cmd_entry cmd_complete_entry;
extern const struct cmd_entry cmd_man_entry;
extern const struct cmd_entry cmd_inject_entry;
extern const struct cmd_entry cmd_restart_entry;
extern const struct cmd_entry cmd_serviceentry_entry;

/* The verb named name, or NULL. Borrowed (static). */
const struct cmd_entry *cmd_find(const char *name);
/* The whole --help: usage lines, global options, every verb not hidden. */
void cmd_print_help(FILE *f);
/* Print the one-line error "pxcmesh: MSG" and the usage of verb cmd (NULL: the general
 * usage) to stderr; returns 2, the usage exit code. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct uv_loop_s;
/* Run loop until done(arg) holds (main thread). Not a bare `while (!x) uv_run(loop,
 * UV_RUN_ONCE)`: a timer's callback runs before the poll of the same iteration, and when it
 * is what makes the wait end, that iteration still blocks in the poll, with nothing left to
 * wake it (seen: `pxcmesh logs --tail` hanging after printing the whole log). A prepare
 * handle asks done() just before each poll and stops the loop then. */
void cmd_run_until(struct uv_loop_s *loop, bool (*done)(void *arg), void *arg);
/* The same for one flag. */
void cmd_run_until_flag(struct uv_loop_s *loop, const bool *flag);
/* The usage error for --replay given to verb c, which does not read snapshots: names the
 * verbs that do. Returns 2. */
int cmd_replay_refused(const struct cmd_entry *c);

/* The clusters a verb that talks to Kubernetes uses: config_select over the global flags
 * (--config FILE, else the --context flags, else the default config file, else the
 * kubeconfig's current context; backends/config/config_select.h). On success *out is owned
 * (config_free); on failure err says what and how to fix it. Any thread (reads files). */
int cmd_kube_config(const struct cmd_opts *opts, struct config **out,
                    struct pxerr *err) PXC_MUST_CHECK;

/* The one cluster a verb that acts on one cluster uses: the only one cfg (from
 * cmd_kube_config) selects. Borrowed from cfg; NULL after the usage error naming the
 * clusters and how to choose one (--cluster NAME) was printed for verb. */
const char *cmd_one_cluster(const struct config *cfg, const char *verb);

struct model;
/* --cluster NAME and --context C on a --replay snapshot (m, loaded): keep its clusters of
 * those names and contexts. 0, or 2 after the usage error naming one the snapshot lacks.
 * Main thread. */
int cmd_replay_select(struct model *m, const struct cmd_opts *opts, const char *verb);

/* Ask question on the terminal (/dev/tty: stdin may be a manifest), unless yes. False when
 * the operator did not answer y, or when there is no terminal to ask on: then stderr says
 * so and to pass --yes. Main thread; blocks on the operator. */
bool cmd_confirm(const char *verb, const char *question, bool yes);

#endif
