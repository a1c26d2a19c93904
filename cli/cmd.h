/* cmd: pxcmesh's verbs. Each cli/cmd_<verb>.c defines its cmd_<verb>_entry next to its code
 * (tmux's cmd-*.c); cli.c lists the entries in --help order, finds the verb on the command
 * line and generates --help from them. What the verbs share is here too. */
#ifndef PXC_CLI_CMD_H
#define PXC_CLI_CMD_H

#include "pxerr.h"
#include "cli.h"

struct config;

/* Run a verb: argv[0] is its name, then its own words in order (argv and opts borrowed for
 * the call). Returns the process exit code: 0 ok, 1 failure, 2 usage. Main thread; a verb
 * that needs a loop runs a private one. */
typedef int cmd_exec_cb(const struct cli_opts *opts, int argc, char **argv);

struct cmd_entry {
    const char *name;    /* the word on the command line: "status" */
    const char *usage;   /* one line after "pxcmesh ": "status [--json] [--timeout S]" */
    const char *summary; /* one line for --help */
    unsigned flags;
#define CMD_HIDDEN 0x1u /* runnable but not listed in --help (maintenance) */
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
extern const struct cmd_entry cmd_status_entry;

/* The clusters a verb that talks to Kubernetes uses: config_select over the global flags
 * (--config FILE, else the --context flags, else the default config file, else the
 * kubeconfig's current context; backends/config/config_select.h). On success *out is owned
 * (config_free); on failure err says what and how to fix it. Any thread (reads files). */
int cmd_kube_config(const struct cli_opts *opts, struct config **out,
                    struct pxerr *err) PXC_MUST_CHECK;

#endif
