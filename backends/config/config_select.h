/* config_select: which clusters a command or the console talks to, decided once for every
 * entry point from the same flags (docs/config.md, "Choosing clusters"):
 *
 *   1. --config FILE, else the default config file (config_default_path) when it exists and
 *      neither --context nor --kubeconfig was given;
 *   2. from that file, --context C keeps the clusters whose kubeconfig context is C, and
 *      --cluster NAME the clusters of that display name (both repeatable; together, a
 *      cluster must match one of each);
 *   3. without a file, one cluster per --context (named after it), else the kubeconfig's
 *      current context; --cluster then names among those.
 *
 * A selection that matches nothing is an error (PXE_USAGE) naming what is known. Any
 * thread (reads the config file and, in case 3 without --context, the kubeconfig). */
#ifndef PXC_BACKENDS_CONFIG_CONFIG_SELECT_H
#define PXC_BACKENDS_CONFIG_CONFIG_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "pxerr.h"

struct config;

struct config_sel {
    const char *config;           /* --config FILE, NULL: the default file when it applies */
    const char *kubeconfig;       /* --kubeconfig FILE, NULL: $KUBECONFIG or ~/.kube/config */
    const char *const *contexts;  /* --context C, repeatable (borrowed) */
    size_t n_contexts;
    const char *const *clusters;  /* --cluster NAME, repeatable (borrowed) */
    size_t n_clusters;
    bool readonly;                /* --readonly: carried into the config */
};

/* On success *out is owned (config_free) and holds at least one cluster; on failure *out is
 * untouched and err says what and how to fix it, e.g.
 *   "--context cluster-x: no cluster of /p/config.yaml uses that context (its clusters:
 *    cluster-a (context kind-a), cluster-b (context kind-b))"
 *   "--cluster cluster-x: not in /p/config.yaml (its clusters: cluster-a, cluster-b)" */
int config_select(const struct config_sel *sel, struct config **out,
                  struct pxerr *err) PXC_MUST_CHECK;

/* The flags that select cfg's cluster i again, for a command printed for the operator to
 * run (a doctor's fix): "--config /p/config.yaml --cluster cluster-a" for a cluster from a
 * file, "--context C" otherwise (plus "--kubeconfig F" when the config names one). Appends to
 * buf (n bytes, NUL-terminated, cut short when too small). */
void config_select_flags(const struct config *cfg, size_t i, char *buf, size_t n);

#endif
