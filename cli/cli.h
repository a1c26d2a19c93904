/* cli: the command line. Global options are accepted anywhere on the line (before or
 * after the subcommand); what remains is handed to the subcommand, which parses its
 * own flags. Exit codes everywhere: 0 ok, 1 failure, 2 usage. */
#ifndef PXC_CLI_CLI_H
#define PXC_CLI_CLI_H

#include <stdbool.h>

#define CLI_MAX_CONTEXTS 16

/* Options shared by the console and every subcommand. Strings are borrowed from argv
 * (or static defaults): valid for the whole process. */
struct cli_opts {
    const char *config;        /* --config FILE, NULL: default path if it exists */
    const char *kubeconfig;    /* --kubeconfig FILE, NULL: $KUBECONFIG or ~/.kube/config */
    const char *contexts[CLI_MAX_CONTEXTS]; /* --context C, repeatable */
    int n_contexts;
    const char *clusters[CLI_MAX_CONTEXTS]; /* --cluster NAME, repeatable (config_select) */
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
void cli_config_sel(const struct cli_opts *opts, struct config_sel *sel);

/* Parse argv and run the console or a subcommand; returns the exit code. */
int cli_main(int argc, char **argv);

/* Print the one-line error "pxcmesh: MSG" and the usage to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
