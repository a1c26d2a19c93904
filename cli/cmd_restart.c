/* cmd_restart: `pxcmesh restart sts/NAME [-n NS]`, the command-line twin of the console's
 * restart key: `kubectl rollout restart statefulset` (the pod template's restartedAt
 * annotation set to now), so that every pod is re-created one at a time, e.g. to get the
 * sidecar after `pxcmesh inject enable`. Previewed, asked for (--yes skips it), made through
 * the fix runner. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "runfix.h"
#include "config/config.h"
#include "doctor/fixmake.h"
#include "kube/kube.h"

static int cmd_restart_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag restart_flags[] = {
    {"--namespace", "-n", CV_NAMESPACE, "NS", NULL,
     "the StatefulSet's namespace (default: the cluster's only PXC namespace)"},
    {"--dry-run", NULL, CV_NONE, NULL, NULL, "show the change, make none"},
    {"--yes", "-y", CV_NONE, NULL, NULL, "do not ask"},
    {"--timeout", NULL, CV_NUMBER, "S", NULL, "seconds to wait for the cluster (default 30)"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_restart_entry = {
    .name = "restart",
    .usage = "restart sts/NAME [-n NS] [--dry-run] [--yes]",
    .summary = "restart a StatefulSet's pods one at a time (kubectl rollout restart)",
    .exec = cmd_restart_exec,
    .opts = restart_flags,
};

static const char restart_usage[] =
    "usage: pxcmesh restart sts/NAME [-n NAMESPACE] [--dry-run] [--yes] [--timeout S]\n"
    "                       [--config FILE] [--context C] [--cluster NAME]\n"
    "       (statefulset/NAME and `statefulset NAME` are the same)\n"
    "Sets the pod template's kubectl.kubernetes.io/restartedAt annotation, as `kubectl\n"
    "rollout restart` does: the pods are re-created one at a time, each PXC node leaving\n"
    "and rejoining Galera. Without -n, the namespace of the cluster's only PXC cluster.\n";

struct restart_args {
    const char *name;
    const char *ns; /* NULL: found in the look */
};

static int
restart_build(struct model *m, struct m_cluster *c, struct m_fix *fix, void *arg)
{
    struct restart_args *a = arg;
    (void)m;
    const char *ns = a->ns;
    if (ns == NULL) {
        for (size_t i = 0; i < c->pxcs.n; i++) {
            const struct m_pxc *x = c->pxcs.items[i];
            if (ns != NULL && strcmp(ns, x->ns) != 0) {
                fprintf(stderr, "pxcmesh restart: cluster %s has PXC clusters in namespaces %s "
                                "and %s: say which with -n NAMESPACE\n",
                        c->name, ns, x->ns);
                return 2;
            }
            ns = x->ns;
        }
        if (ns == NULL) {
            fprintf(stderr, "pxcmesh restart: cluster %s shows no PXC cluster to take the "
                            "namespace from: give -n NAMESPACE\n", c->name);
            return 2;
        }
    }
    fixmake_restart_sts(fix, c->name, ns, a->name);
    return 0;
}

/* "sts/NAME", "statefulset/NAME", "statefulsets.apps/NAME": NAME, or NULL. */
static const char *
sts_name(const char *s)
{
    static const char *const kinds[] = {"sts", "statefulset", "statefulsets",
                                        "statefulset.apps", "statefulsets.apps"};
    const char *slash = strchr(s, '/');
    if (slash == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i]) == (size_t)(slash - s) && strncmp(s, kinds[i], strlen(kinds[i])) == 0)
            return slash + 1;
    return NULL;
}

static int
cmd_restart_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"namespace", required_argument, NULL, 'n'}, {"dry-run", no_argument, NULL, 'd'},
        {"yes", no_argument, NULL, 'y'}, {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    struct restart_args a = {0};
    struct runfix_req rq = {.verb = "restart", .timeout_s = 30,
                            .collect_flags = COLLECT_NO_MYSQL, .build = restart_build, .arg = &a};
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "n:yh", lo, NULL)) != -1) {
        switch (ch) {
        case 'n':
            a.ns = optarg;
            break;
        case 'd':
            rq.dry = true;
            break;
        case 'y':
            rq.yes = true;
            break;
        case 't':
            rq.timeout_s = atoi(optarg);
            if (rq.timeout_s <= 0 || rq.timeout_s > 3600)
                return cmd_usage_error("restart", "--timeout needs seconds (1-3600), got '%s'",
                                       optarg);
            break;
        case 'h':
            fputs(restart_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("restart", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int n = argc - optind;
    if (n == 1)
        a.name = sts_name(argv[optind]);
    else if (n == 2 && (strcmp(argv[optind], "sts") == 0 ||
                        strcmp(argv[optind], "statefulset") == 0 ||
                        strcmp(argv[optind], "statefulsets") == 0))
        a.name = argv[optind + 1];
    if (a.name == NULL)
        return cmd_usage_error("restart", "which StatefulSet? e.g. pxcmesh restart "
                                          "sts/pxc-cluster-pxc -n pxc");
    struct pxerr err = {0};
    if (kube_name_check(a.name, &err) != 0 || (a.ns && kube_name_check_ns(a.ns, &err) != 0))
        return cmd_usage_error("restart", "%s", err.msg);
    if (rq.dry && rq.yes)
        return cmd_usage_error("restart", "give --dry-run or --yes, not both");
    return runfix_verb(opts, &rq);
}
