/* cmd_probe: `pxcmesh probe dns|tcp|mysql|envoy TARGET [options]`, one probe on a private
 * loop, here or inside each cluster the line selects (through exec in a pxc pod, a probe pod
 * where exec cannot run: probe_exec.h), printed as a table (or -o), each in-mesh result
 * with the way it ran. Exit 0 when every probe succeeded, 1 when one failed or timed out,
 * 2 on usage errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "cmd.h"
#include "outfmt.h"
#include "tabw.h"
#include "collect.h"
#include "live/live.h"
#include "probe/probe.h"
#include "probe/probe_exec.h"
#include "probe/probe_pod.h"

static int cmd_probe_exec(const struct cmd_opts *opts, int argc, char **argv);

static const char *const probe_subs[] = {"dns", "tcp", "mysql", "envoy", NULL};

static const struct cmd_flag probe_flags[] = {
    {"--output", "-o", CV_OUTPUT, "FORMAT", NULL, "json, yaml, wide, name, jsonpath=TEMPLATE"},
    {"--json", NULL, CV_NONE, NULL, NULL, "-o json"},
    {"--server", NULL, CV_WORD, "IP[:PORT]", NULL, "dns: the DNS server to ask"},
    {"--timeout", NULL, CV_NUMBER, "MS", NULL, "milliseconds (default 3000)"},
    {"--user", NULL, CV_WORD, "U", NULL, "mysql: log in as U and run SELECT 1"},
    {"--password-env", NULL, CV_WORD, "VAR", NULL, "mysql: the password's variable"},
    {"--from-cluster", NULL, CV_CLUSTER, "C", NULL,
     "run it inside cluster C: exec in a pxc pod (a probe pod where exec cannot run)"},
    {"--namespace", NULL, CV_NAMESPACE, "NS", NULL, "the namespace of the pod it runs in"},
    {"--pod", NULL, CV_WORD, "POD", NULL, "the pod to exec in (default: a Running pxc pod)"},
    {"--image", NULL, CV_WORD, "IMAGE", NULL, "a fallback probe pod's image"},
    {"--yes", "-y", CV_NONE, NULL, NULL, "run it in the clusters without asking"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_probe_entry = {
    .name = "probe",
    .usage = "probe dns|tcp|mysql|envoy TARGET [--from-cluster C] [--server IP] [-o FORMAT]",
    .summary = "run one DNS, TCP, MySQL-handshake or Envoy probe, here or in a pod (exec) of "
               "each cluster named",
    .exec = cmd_probe_exec,
    .subs = probe_subs,
    .opts = probe_flags,
    .outputs = OUTFMT_OBJECTS,
};

static const char probe_usage[] =
    "usage: pxcmesh probe dns|tcp|mysql|envoy TARGET [--server IP[:PORT]] [--timeout MS]\n"
    "                     [--user U --password-env VAR] [-o json|yaml|wide|name|jsonpath=T]\n"
    "                     [--from-cluster C [--namespace NS] [--pod POD] [--image IMAGE]\n"
    "                     [--yes]]\n"
    "  dns HOST          resolve HOST (A records) with the system resolver or --server\n"
    "  tcp HOST:PORT     connect, timing the connect; refused / timeout / unreachable\n"
    "  mysql HOST[:PORT] read the server's handshake (version, flavour) without logging in;\n"
    "                    with --user, log in and run SELECT 1\n"
    "  envoy HOST:PORT   (in a cluster only) does the sidecar's Envoy have a cluster for it\n"
    "  --from-cluster C  run the probe inside cluster C through exec, as `kubectl exec` does:\n"
    "                    in POD (default: the first Running pod with a pxc container in NS,\n"
    "                    the cluster's first configured namespace, else pxc); dns (getent),\n"
    "                    tcp and mysql (the mysql client: with --user a login) in its pxc\n"
    "                    container, envoy (curl localhost:15000/clusters) in istio-proxy.\n"
    "                    Where exec is forbidden or impossible, from a short-lived probe pod\n"
    "                    (deleted afterwards; never with --readonly). Each result says which\n"
    "                    way it ran (via). It asks first on the terminal, saying what runs\n"
    "                    where; --yes does not ask (without a terminal, --yes is needed)\n"
    "  --cluster C, --context C\n"
    "                    (global) the same from each cluster they select, one row each;\n"
    "                    without them (or --from-cluster) the probe runs here\n";

struct probe_cli {
    struct probe_result r;
    int calls;
    bool cleaned; /* in-mesh probes: over, a fallback probe pod gone */
};

static void
on_probe_cleanup(void *arg)
{
    ((struct probe_cli *)arg)->cleaned = true;
}

static void
on_probe_done(const struct probe_result *r, void *arg)
{
    struct probe_cli *pc = arg;
    pc->r = *r;
    pc->calls++;
}

/* One probe's result, and where it ran from (NULL: here). */
struct probe_row {
    const char *cluster;
    struct probe_result r;
};

static json_t *
result_json(const struct probe_row *row)
{
    struct strbuf sb;
    strbuf_init(&sb);
    probe_result_json(&row->r, &sb);
    json_error_t je;
    json_t *o = json_loads(sb.s, 0, &je);
    strbuf_fini(&sb);
    if (o == NULL)
        o = json_object();
    json_object_set_new(o, "cluster", row->cluster ? json_string(row->cluster) : json_null());
    return o;
}

static void
print_results(const struct probe_row *rows, size_t n, const struct outfmt *of)
{
    if (of->kind == OUTFMT_NAME) {
        for (size_t i = 0; i < n; i++)
            printf("%s%sprobe/%s/%s\n", rows[i].cluster ? rows[i].cluster : "",
                   rows[i].cluster ? "/" : "", probe_kind_name(rows[i].r.kind), rows[i].r.target);
        return;
    }
    if (of->kind != OUTFMT_TEXT && of->kind != OUTFMT_WIDE) {
        /* One probe: its object; several (--cluster): {"probes": [...]}. */
        json_t *doc;
        if (n == 1) {
            doc = result_json(&rows[0]);
        } else {
            json_t *list = json_array();
            for (size_t i = 0; i < n; i++)
                json_array_append_new(list, result_json(&rows[i]));
            doc = json_object();
            json_object_set_new(doc, "probes", list);
        }
        outfmt_print_doc(of, doc, stdout);
        json_decref(doc);
        return;
    }
    bool wide = of->kind == OUTFMT_WIDE;
    struct tabw t;
    tabw_init(&t);
    static const char *const cols[] = {"CLUSTER", "KIND", "TARGET", "STATUS", "TIME",
                                       "SUMMARY", "FROM"};
    tabw_row(&t);
    for (size_t k = 0; k < (wide ? 7u : 6u); k++)
        tabw_cell(&t, cols[k]);
    for (size_t i = 0; i < n; i++) {
        const struct probe_result *r = &rows[i].r;
        tabw_row(&t);
        tabw_cell(&t, rows[i].cluster ? rows[i].cluster : "(here)");
        tabw_cell(&t, probe_kind_name(r->kind));
        tabw_cell(&t, r->target);
        tabw_cell(&t, probe_status_name(r->status));
        tabw_cellf(&t, "%.1f ms", r->elapsed_ms);
        tabw_cell(&t, r->summary);
        if (wide)
            tabw_cell(&t, r->from[0] ? r->from : "local");
    }
    tabw_flush(&t, stdout);
    tabw_fini(&t);
    /* How each in-mesh probe ran (exec, or a probe pod and why not exec), under the table:
     * too long for a column, and what an operator needs when exec is refused. */
    for (size_t i = 0; i < n; i++)
        if (rows[i].r.via[0] != '\0')
            printf("%s%svia: %s\n", rows[i].cluster ? rows[i].cluster : "",
                   rows[i].cluster ? ": " : "", rows[i].r.via);
    /* Detail (tool output) under the table, blank lines dropped. */
    for (size_t i = 0; wide && i < n; i++) {
        for (const char *l = rows[i].r.detail; *l;) {
            const char *nl = strchr(l, '\n');
            int len = nl ? (int)(nl - l) : (int)strlen(l);
            if (len > 0)
                printf("  %s%s%.*s\n", rows[i].cluster ? rows[i].cluster : "",
                       rows[i].cluster ? ": " : "", len, l);
            if (nl == NULL)
                break;
            l = nl + 1;
        }
    }
}

static void
on_from_synced(struct live *lv, int n_unreachable, void *arg)
{
    (void)lv, (void)n_unreachable;
    uv_stop(arg);
}

static void
on_pod_probe_done(const struct probe_result *r, void *arg)
{
    struct probe_cli *pc = arg;
    pc->r = *r;
    pc->calls++;
}

/* kind's enum; false for a word that names none. */
static bool
kind_of(const char *kind, enum probe_kind *out)
{
    static const struct {
        const char *name;
        enum probe_kind k;
    } kinds[] = {
        {"dns", PROBE_DNS}, {"tcp", PROBE_TCP}, {"mysql", PROBE_MYSQL}, {"envoy", PROBE_ENVOY}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kind, kinds[i].name) == 0) {
            *out = kinds[i].k;
            return true;
        }
    }
    return false;
}

/* The namespace cluster `name`'s probe runs in: --namespace, else the cluster's first
 * configured namespace, else pxc. Borrowed from ns or cfg. */
static const char *
probe_ns(const struct config *cfg, const char *name, const char *ns)
{
    for (size_t i = 0; i < cfg->n_clusters && ns == NULL; i++)
        if (strcmp(cfg->clusters[i].name, name) == 0 && cfg->clusters[i].n_namespaces > 0)
            ns = cfg->clusters[i].namespaces[0];
    return ns != NULL ? ns : "pxc";
}

/* The probe inside cluster `from` (a name of the config or a context): exec in a pod, else a
 * short-lived probe pod. */
static int
probe_from_cluster(const struct cmd_opts *opts, const char *from, const char *ns, const char *pod,
                   const char *image, const char *kind, const char *target,
                   const struct probe_opts *po, struct probe_result *out)
{
    enum probe_kind k;
    if (!kind_of(kind, &k)) {
        fprintf(stderr, "pxcmesh probe: unknown kind '%s' (dns, tcp, mysql or envoy)\n", kind);
        return 2;
    }
    struct pxerr err = {0};
    struct config *cfg = NULL;
    /* The probed-from cluster is found by name among all those the flags select. */
    struct cmd_opts all = *opts;
    all.n_clusters = 0;
    int rc = cmd_kube_config(&all, &cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh probe: %s\n", err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }
    const char *use_ns = probe_ns(cfg, from, ns);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct model *m = model_new();
    struct live_opts lo = {.mode = KUBE_MODE_DISCOVER, .kubeconfig = opts->kubeconfig,
                           .on_synced = on_from_synced, .arg = &loop,
                           .readonly = false /* a fallback probe pod is the only write */};
    struct live *lv = NULL;
    struct probe_cli pc = {.calls = 0};
    int exit_code = 1;
    if (live_start_opts(&loop, m, cfg, &lo, &lv, &err) != 0) {
        fprintf(stderr, "pxcmesh probe: %s\n", err.msg);
        goto out;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    struct kube_client *kc = live_client(lv, from);
    struct m_cluster *mc = model_cluster_find(m, from);
    if (kc == NULL || mc == NULL || !mc->reachable) {
        fprintf(stderr, "pxcmesh probe: --from-cluster %s: %s\n", from,
                mc && mc->error[0] ? mc->error : "no such cluster in the configuration");
        goto out;
    }
    /* exec writes nothing in the cluster; the probe pod it falls back to is a write */
    struct probe_exec_opts peo = {.ns = use_ns,
                                  .pod = pod,
                                  .cluster = from,
                                  .user = po->user,
                                  .password = po->password,
                                  .timeout_ms = po->timeout_ms > 3000 ? po->timeout_ms : 10000,
                                  .pod_fallback = !opts->readonly,
                                  .no_fallback_why =
                                      "read-only mode (--readonly) forbids creating a probe pod",
                                  .image = image,
                                  .pod_timeout_ms = po->timeout_ms > 3000 ? po->timeout_ms : 60000,
                                  .on_cleanup = on_probe_cleanup,
                                  .cleanup_arg = &pc};
    if (probe_exec_start(&loop, kc, k, target, &peo, on_pod_probe_done, &pc, NULL, &err) != 0) {
        fprintf(stderr, "pxcmesh probe: %s\n", err.msg);
        goto out;
    }
    /* Until the result is in and any probe pod deleted (bounded by the exec's and the probe
     * pod's deadlines and the client's request timeout). */
    cmd_run_until_flag(&loop, &pc.cleaned);
    *out = pc.r;
    exit_code = pc.r.status == PROBE_OK ? 0 : 1;
out:
    live_free(lv);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0)
        fprintf(stderr, "pxcmesh probe: internal: handles left open\n");
    model_free(m);
    config_free(cfg);
    return exit_code;
}

/* A probe from a cluster runs a command in a pod there, or creates a probe pod: as the
 * console does, say what runs where (on stderr: stdout is the result's) and ask, unless
 * yes. 0 to go ahead, else the exit code: 1 not confirmed or no terminal to ask on, 2 the
 * selection named nothing. */
static int
probe_ask(const struct cmd_opts *opts, const char *from, const struct config *sel, const char *ns,
          const char *pod, const char *image, enum probe_kind kind, const char *target, bool login,
          bool yes)
{
    if (yes)
        return 0;
    struct config *all = NULL;
    if (sel == NULL) { /* --from-cluster: its namespace is found among all clusters */
        struct cmd_opts o = *opts;
        o.n_clusters = 0;
        struct pxerr err = {0};
        int rc = cmd_kube_config(&o, &all, &err);
        if (rc != 0) {
            fprintf(stderr, "pxcmesh probe: %s\n", err.msg);
            return rc == PXE_USAGE ? 2 : 1;
        }
        sel = all;
    }
    char cmd[512], in_pod[300];
    probe_exec_describe(kind, target, login, cmd, sizeof cmd);
    if (pod != NULL)
        snprintf(in_pod, sizeof in_pod, "pod %s", pod);
    else
        snprintf(in_pod, sizeof in_pod, "the first Running pod with a pxc container");
    size_t n = from != NULL ? 1 : sel->n_clusters;
    for (size_t i = 0; i < n; i++) {
        const char *name = from != NULL ? from : sel->clusters[i].name;
        fprintf(stderr,
                "Cluster %s, namespace %s: through exec (nothing is created), in %s, "
                "container %s, run:\n  %s\n",
                name, probe_ns(sel, name, ns), in_pod, probe_exec_container(kind), cmd);
    }
    if (opts->readonly)
        fprintf(stderr, "Where exec cannot run: nothing else (read-only mode creates no probe "
                        "pod).\n");
    else
        fprintf(stderr,
                "Where exec cannot run: one short-lived probe pod instead (image %s, "
                "labelled managed-by=pxcmesh, deleted afterwards) to run:\n  %s %s\n",
                image ? image : PROBE_POD_IMAGE_DEFAULT, probe_kind_name(kind), target);
    config_free(all);
    char q[96];
    snprintf(q, sizeof q, "run it in %zu cluster%s?", n, n == 1 ? "" : "s");
    return cmd_confirm("probe", q, false) ? 0 : 1;
}

static int
probe_main(const struct cmd_opts *opts, int argc, char **argv, struct outfmt *of)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 's'},   {"timeout", required_argument, NULL, 't'},
        {"user", required_argument, NULL, 'u'},     {"password-env", required_argument, NULL, 'p'},
        {"from-cluster", required_argument, NULL, 'f'}, {"json", no_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"namespace", required_argument, NULL, 'n'},    {"image", required_argument, NULL, 'i'},
        {"pod", required_argument, NULL, 'P'},
        {"yes", no_argument, NULL, 'y'},            {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool yes = false;
    struct probe_opts po = {.timeout_ms = 3000};
    const char *from = NULL, *ns = NULL, *image = NULL, *pod = NULL;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:hy", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            po.dns_server = optarg;
            break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 10 || v > 600000) {
                fprintf(stderr, "pxcmesh probe: --timeout '%s': milliseconds, 10-600000\n",
                        optarg);
                return 2;
            }
            po.timeout_ms = (int)v;
            break;
        }
        case 'u':
            po.user = optarg;
            break;
        case 'p':
            po.password = getenv(optarg);
            if (po.password == NULL) {
                fprintf(stderr, "pxcmesh probe: --password-env %s: variable not set\n", optarg);
                return 2;
            }
            break;
        case 'f':
            from = optarg;
            break;
        case 'j':
        case 'o':
            if (outfmt_set(of, "probe", c == 'j' ? "json" : optarg, OUTFMT_OBJECTS) != 0)
                return 2;
            break;
        case 'n':
            ns = optarg;
            break;
        case 'i':
            image = optarg;
            break;
        case 'P':
            pod = optarg;
            break;
        case 'y':
            yes = true;
            break;
        case 'h':
            fputs(probe_usage, stdout);
            return 0;
        case ':':
            fprintf(stderr, "pxcmesh probe: option '%s' needs a value\n%s", argv[optind - 1],
                    probe_usage);
            return 2;
        default:
            fprintf(stderr, "pxcmesh probe: unknown option '%s'\n%s", argv[optind - 1],
                    probe_usage);
            return 2;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "pxcmesh probe: expected a kind and a target\n%s", probe_usage);
        return 2;
    }
    const char *kind = argv[optind], *target = argv[optind + 1];
    if (from != NULL && opts->n_clusters > 0)
        return cmd_usage_error("probe", "give --from-cluster C or --cluster C (one row per "
                                        "cluster), not both");
    /* A probe from a cluster runs a command in a pod there, or creates one: it runs in
     * clusters only when the line names them (--from-cluster, or --cluster / --context: each
     * cluster they select, one row each), and here otherwise. --config alone names a file,
     * often given on every command line (an alias), not clusters to run commands in. */
    struct config *sel = NULL;
    if (from == NULL && (opts->n_contexts > 0 || opts->n_clusters > 0)) {
        struct pxerr err = {0};
        int rc = cmd_kube_config(opts, &sel, &err);
        if (rc != 0) {
            fprintf(stderr, "pxcmesh probe: %s\n", err.msg);
            return rc == PXE_USAGE ? 2 : 1;
        }
    }
    if (from != NULL || sel != NULL) {
        size_t n = from != NULL ? 1 : sel->n_clusters;
        enum probe_kind k;
        if (!kind_of(kind, &k)) {
            config_free(sel);
            return cmd_usage_error("probe", "unknown kind '%s' (dns, tcp, mysql or envoy)", kind);
        }
        int ask = probe_ask(opts, from, sel, ns, pod, image, k, target, po.user != NULL, yes);
        if (ask != 0) {
            config_free(sel);
            return ask;
        }
        struct probe_row *rows = xcalloc(n, sizeof *rows);
        int code = 0;
        for (size_t i = 0; i < n; i++) {
            rows[i].cluster = from != NULL ? from : sel->clusters[i].name;
            int rc = probe_from_cluster(opts, rows[i].cluster, ns, pod, image, kind, target, &po,
                                        &rows[i].r);
            if (rc == 2) {
                free(rows);
                config_free(sel);
                return 2;
            }
            if (rc != 0)
                code = 1;
            if (rows[i].r.target[0] == '\0') { /* it did not run: the reason is printed */
                snprintf(rows[i].r.target, sizeof rows[i].r.target, "%s", target);
                snprintf(rows[i].r.summary, sizeof rows[i].r.summary, "did not run");
                rows[i].r.status = PROBE_FAIL;
            }
        }
        print_results(rows, n, of);
        free(rows);
        config_free(sel);
        return code;
    }
    if (pod != NULL || ns != NULL || image != NULL)
        return cmd_usage_error("probe", "--pod, --namespace and --image are for a probe in a "
                                        "cluster (--from-cluster C, --cluster C or --context C)");
    if (strcmp(kind, "envoy") == 0)
        return cmd_usage_error("probe", "an envoy probe asks a sidecar's Envoy: run it from a "
                                        "pod in a cluster with --from-cluster C (or from each "
                                        "cluster of --cluster C or --context C)");
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct probe_cli pc = {.calls = 0};
    struct pxerr err = {0};
    int rc;
    if (strcmp(kind, "dns") == 0)
        rc = probe_dns_start(&loop, target, &po, on_probe_done, &pc, NULL, &err);
    else if (strcmp(kind, "tcp") == 0)
        rc = probe_tcp_start(&loop, target, &po, on_probe_done, &pc, NULL, &err);
    else if (strcmp(kind, "mysql") == 0)
        rc = probe_mysql_start(&loop, target, &po, on_probe_done, &pc, NULL, &err);
    else {
        fprintf(stderr, "pxcmesh probe: unknown kind '%s' (dns, tcp or mysql)\n%s", kind,
                probe_usage);
        uv_loop_close(&loop);
        return 2;
    }
    if (rc != 0) {
        fprintf(stderr, "pxcmesh probe %s: %s\n", kind, err.msg);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        return rc == PXE_USAGE || rc == PXE_INVAL ? 2 : 1;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0)
        fprintf(stderr, "pxcmesh probe: internal: handles left open\n");
    struct probe_row row = {.r = pc.r};
    print_results(&row, 1, of);
    return pc.r.status == PROBE_OK ? 0 : 1;
}

static int
cmd_probe_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    struct outfmt of = {0};
    int rc = probe_main(opts, argc, argv, &of);
    outfmt_fini(&of);
    return rc;
}
