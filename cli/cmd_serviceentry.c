/* cmd_serviceentry: `pxcmesh serviceentry create --for-cluster X` and `pxcmesh
 * serviceentry delete NAME`, the command-line twins of the console's ServiceEntry actions.
 * create makes what the guided set-up and the doctor make (doctor/mesh.h's rule: host
 * NAME.X.global, X's node InternalIPs as endpoints), validated against the CRD, diffed
 * against the live object by a server dry run and applied by server-side apply; an entry
 * that already declares the host is regenerated under its own name. delete shows the
 * object removed and names the replication channels that read through its hosts. Both ask
 * first (--yes skips it) and run through the fix runner. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "cmd.h"
#include "runfix.h"
#include "doctor/fixmake.h"
#include "kube/kube.h"

static int cmd_serviceentry_exec(const struct cmd_opts *opts, int argc, char **argv);

static const char *const se_subs[] = {"create", "delete", NULL};

static const struct cmd_flag se_flags[] = {
    {"--for-cluster", NULL, CV_CLUSTER, "X", NULL,
     "create: the remote cluster whose PXC the entry reaches (host NAME.X.global)"},
    {"--pxc", NULL, CV_WORD, "NAME", NULL,
     "create: the remote PXC cluster's name (default: X's only one)"},
    {"--address", NULL, CV_WORD, "VIP", NULL, "create: the entry's address (default derived)"},
    {"--namespace", "-n", CV_NAMESPACE, "NS", NULL,
     "where the entry lives (default: the PXC namespace of the cluster acted on)"},
    {"--dry-run", NULL, CV_NONE, NULL, NULL, "show the change, make none"},
    {"--yes", "-y", CV_NONE, NULL, NULL, "do not ask"},
    {"--timeout", NULL, CV_NUMBER, "S", NULL, "seconds to wait for the clusters (default 30)"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_serviceentry_entry = {
    .name = "serviceentry",
    .usage = "serviceentry create --for-cluster X | serviceentry delete NAME [-n NS] "
             "[--dry-run] [--yes]",
    .summary = "create the ServiceEntry that reaches cluster X's PXC, or delete one",
    .exec = cmd_serviceentry_exec,
    .subs = se_subs,
    .opts = se_flags,
};

static const char se_usage[] =
    "usage: pxcmesh serviceentry create --for-cluster X [--pxc NAME] [-n NS] [--address VIP]\n"
    "       pxcmesh serviceentry delete NAME [-n NS]\n"
    "           [--dry-run] [--yes] [--timeout S] [--config FILE] [--context C] [--cluster C]\n"
    "create: in the cluster acted on (--cluster C, or the only other one selected), the\n"
    "ServiceEntry for NAME.X.global with X's node InternalIPs as endpoints, as the set-up\n"
    "and the doctor make it: validated, diffed against the live object (server dry run),\n"
    "applied with server-side apply. An entry that declares that host already is\n"
    "regenerated under its own name.\n"
    "delete: the ServiceEntry NAME; the question shows it and the replication channels that\n"
    "read through its hosts. Both ask first; --yes does not ask.\n";

struct se_args {
    bool create;
    const char *remote, *pxc, *address, *ns, *name;
};

/* The only PXC cluster of c, or NULL (none, or several: *several set). */
static const struct m_pxc *
only_pxc(const struct m_cluster *c, bool *several)
{
    *several = c->pxcs.n > 1;
    return c->pxcs.n == 1 ? c->pxcs.items[0] : NULL;
}

static int
create_build(struct model *m, struct m_cluster *c, struct m_fix *fix, struct se_args *a)
{
    struct m_cluster *r = model_cluster_find(m, a->remote);
    if (r == NULL || !r->reachable) {
        fprintf(stderr, "pxcmesh serviceentry: --for-cluster %s: %s\n", a->remote,
                r != NULL && r->error[0] ? r->error : "not read");
        return 1;
    }
    bool several = false;
    const char *pxc = a->pxc;
    if (pxc == NULL) {
        const struct m_pxc *x = only_pxc(r, &several);
        if (x == NULL) {
            fprintf(stderr, "pxcmesh serviceentry: cluster %s has %s PXC cluster: say which "
                            "with --pxc NAME\n", r->name, several ? "more than one" : "no");
            return 2;
        }
        pxc = x->name;
    }
    const char *ns = a->ns;
    if (ns == NULL) {
        const struct m_pxc *x = only_pxc(c, &several);
        if (x == NULL) {
            fprintf(stderr, "pxcmesh serviceentry: cluster %s has %s PXC cluster to take the "
                            "namespace from: give -n NAMESPACE\n",
                    c->name, several ? "more than one" : "no");
            return 2;
        }
        ns = x->ns;
    }
    char host[400];
    snprintf(host, sizeof host, "%s.%s.global", pxc, r->name);
    /* An entry that declares the host already is the one to regenerate, under its name. */
    const struct m_sentry *have = NULL;
    for (size_t i = 0; i < c->sentries.n && have == NULL; i++) {
        const struct m_sentry *se = c->sentries.items[i];
        for (int h = 0; h < se->n_hosts && have == NULL; h++)
            if (strcasecmp(se->hosts[h], host) == 0 && strcmp(se->ns, ns) == 0)
                have = se;
    }
    const char *addr = a->address;
    if (addr == NULL && have != NULL && have->n_addresses > 0)
        addr = have->addresses[0];
    fixmake_apply_sentry(fix, c->name, ns, pxc, r->name, have != NULL ? have->name : NULL, addr);
    return 0;
}

static int
delete_build(struct m_cluster *c, struct m_fix *fix, struct se_args *a)
{
    const char *ns = a->ns;
    if (ns == NULL) {
        for (size_t i = 0; i < c->sentries.n; i++) {
            const struct m_sentry *se = c->sentries.items[i];
            if (strcmp(se->name, a->name) != 0)
                continue;
            if (ns != NULL) {
                fprintf(stderr, "pxcmesh serviceentry: cluster %s has a ServiceEntry %s in "
                                "namespaces %s and %s: say which with -n NAMESPACE\n",
                        c->name, a->name, ns, se->ns);
                return 2;
            }
            ns = se->ns;
        }
        if (ns == NULL) {
            struct strbuf sb;
            strbuf_init(&sb);
            for (size_t i = 0; i < c->sentries.n; i++) {
                const struct m_sentry *se = c->sentries.items[i];
                strbuf_appendf(&sb, "%s%s/%s", i ? ", " : "", se->ns, se->name);
            }
            fprintf(stderr, "pxcmesh serviceentry: no ServiceEntry %s in cluster %s (it has: "
                            "%s)\n", a->name, c->name, sb.len ? sb.s : "none");
            strbuf_fini(&sb);
            return 1;
        }
    }
    fixmake_delete_sentry(fix, c->name, ns, a->name);
    return 0;
}

static int
se_build(struct model *m, struct m_cluster *c, struct m_fix *fix, void *arg)
{
    struct se_args *a = arg;
    return a->create ? create_build(m, c, fix, a) : delete_build(c, fix, a);
}

static int
cmd_serviceentry_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    static const struct option lo[] = {
        {"for-cluster", required_argument, NULL, 'f'}, {"pxc", required_argument, NULL, 'p'},
        {"address", required_argument, NULL, 'a'},     {"namespace", required_argument, NULL, 'n'},
        {"dry-run", no_argument, NULL, 'd'},           {"yes", no_argument, NULL, 'y'},
        {"timeout", required_argument, NULL, 't'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct se_args a = {0};
    struct runfix_req rq = {.verb = "serviceentry", .timeout_s = 30, .build = se_build,
                            .arg = &a};
    int ch;
    optind = 0;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "n:yh", lo, NULL)) != -1) {
        switch (ch) {
        case 'f':
            a.remote = optarg;
            break;
        case 'p':
            a.pxc = optarg;
            break;
        case 'a':
            a.address = optarg;
            break;
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
                return cmd_usage_error("serviceentry",
                                       "--timeout needs seconds (1-3600), got '%s'", optarg);
            break;
        case 'h':
            fputs(se_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("serviceentry", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int n = argc - optind;
    if (n < 1)
        return cmd_usage_error("serviceentry", "want create or delete");
    struct pxerr err = {0};
    if (strcmp(argv[optind], "create") == 0) {
        a.create = true;
        if (n != 1)
            return cmd_usage_error("serviceentry", "create takes no NAME: the name is "
                                                   "PXC-REMOTE (e.g. pxc-cluster-cluster-b)");
        if (a.remote == NULL)
            return cmd_usage_error("serviceentry", "create needs --for-cluster X, the remote "
                                                   "cluster whose PXC the entry reaches");
        if (a.pxc != NULL && kube_name_check(a.pxc, &err) != 0)
            return cmd_usage_error("serviceentry", "%s", err.msg);
        rq.also = a.remote;
        rq.collect_flags = COLLECT_NO_MYSQL;
    } else if (strcmp(argv[optind], "delete") == 0) {
        if (n != 2)
            return cmd_usage_error("serviceentry", "delete needs the ServiceEntry's NAME");
        a.name = argv[optind + 1];
        if (a.remote || a.pxc || a.address)
            return cmd_usage_error("serviceentry", "--for-cluster, --pxc and --address are "
                                                   "for create");
        if (kube_name_check(a.name, &err) != 0)
            return cmd_usage_error("serviceentry", "%s", err.msg);
    } else {
        return cmd_usage_error("serviceentry", "unknown serviceentry command '%s' (create or "
                                               "delete)", argv[optind]);
    }
    if (a.ns != NULL && kube_name_check_ns(a.ns, &err) != 0)
        return cmd_usage_error("serviceentry", "%s", err.msg);
    if (rq.dry && rq.yes)
        return cmd_usage_error("serviceentry", "give --dry-run or --yes, not both");
    return runfix_verb(opts, &rq);
}
