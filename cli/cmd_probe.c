/* cmd_probe: `pxcmesh probe dns|tcp|mysql TARGET [options]`, one probe on a private
 * loop, printed as a line (or JSON). Exit 0 when the probe succeeded, 1 when it failed
 * or timed out, 2 on usage errors. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "strbuf.h"
#include "cmd.h"
#include "collect.h"
#include "live/live.h"
#include "probe/probe.h"
#include "probe/probe_exec.h"

static int cmd_probe_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_probe_entry = {
    .name = "probe",
    .usage = "probe dns|tcp|mysql|envoy TARGET [--server IP] [--from-cluster C] [--json]",
    .summary = "run one DNS, TCP or MySQL-handshake probe and say what happened",
    .exec = cmd_probe_exec,
};

static const char probe_usage[] =
    "usage: pxcmesh probe dns|tcp|mysql|envoy TARGET [--server IP[:PORT]] [--timeout MS]\n"
    "                     [--user U --password-env VAR] [--json]\n"
    "                     [--from-cluster C [--namespace NS] [--pod POD] [--image IMAGE]]\n"
    "  dns HOST          resolve HOST (A records) with the system resolver or --server\n"
    "  tcp HOST:PORT     connect, timing the connect; refused / timeout / unreachable\n"
    "  mysql HOST[:PORT] read the server's handshake (version, flavour) without logging in;\n"
    "                    with --user, log in and run SELECT 1\n"
    "  envoy HOST:PORT   (--from-cluster only) does the sidecar's Envoy have a cluster for it\n"
    "  --from-cluster C  run the probe inside cluster C through exec, as `kubectl exec` does:\n"
    "                    in POD (default: the first Running pod with a pxc container in NS,\n"
    "                    the cluster's first configured namespace, else pxc); dns (getent),\n"
    "                    tcp and mysql (the mysql client) in its pxc container, envoy (curl\n"
    "                    localhost:15000/clusters) in its istio-proxy container. Where exec is\n"
    "                    forbidden or impossible, from a short-lived probe pod (deleted after;\n"
    "                    not in --readonly). The result says which way it ran (via).\n";

struct probe_cli {
    struct probe_result r;
    int calls;
    bool cleaned; /* in-mesh probes: the probe pod is gone */
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

static void
print_result(const struct probe_result *r, bool json)
{
    if (json) {
        struct strbuf sb;
        strbuf_init(&sb);
        probe_result_json(r, &sb);
        puts(sb.s);
        strbuf_fini(&sb);
        return;
    }
    printf("%-5s %-40s %-7s %7.1f ms  %s\n", probe_kind_name(r->kind), r->target,
           probe_status_name(r->status), r->elapsed_ms, r->summary);
    if (r->from[0] != '\0' && strcmp(r->from, "local") != 0)
        printf("      from %s\n", r->from);
    if (r->via[0] != '\0')
        printf("      via: %s\n", r->via);
    /* Detail (tool output) indented under the row, blank lines dropped. */
    for (const char *l = r->detail; *l;) {
        const char *nl = strchr(l, '\n');
        int n = nl ? (int)(nl - l) : (int)strlen(l);
        if (n > 0)
            printf("      %.*s\n", n, l);
        if (nl == NULL)
            break;
        l = nl + 1;
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

/* The probe inside cluster `from` (a name of the config or a context): exec in a pod, else a
 * short-lived probe pod. */
static int
probe_from_cluster(const struct cmd_opts *opts, const char *from, const char *ns,
                   const char *pod, const char *image, const char *kind, const char *target,
                   const struct probe_opts *po, bool json)
{
    enum probe_kind k;
    if (strcmp(kind, "dns") == 0)
        k = PROBE_DNS;
    else if (strcmp(kind, "tcp") == 0)
        k = PROBE_TCP;
    else if (strcmp(kind, "mysql") == 0)
        k = PROBE_MYSQL;
    else if (strcmp(kind, "envoy") == 0)
        k = PROBE_ENVOY;
    else {
        fprintf(stderr, "pxcmesh probe: unknown kind '%s' (dns, tcp, mysql or envoy)\n", kind);
        return 2;
    }
    struct pxerr err = {0};
    struct config *cfg = NULL;
    int rc = cmd_kube_config(opts, &cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh probe: %s\n", err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }
    const char *use_ns = ns;
    for (size_t i = 0; i < cfg->n_clusters && use_ns == NULL; i++)
        if (strcmp(cfg->clusters[i].name, from) == 0 && cfg->clusters[i].n_namespaces > 0)
            use_ns = cfg->clusters[i].namespaces[0];
    if (use_ns == NULL)
        use_ns = "pxc";
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct model *m = model_new();
    struct live_opts lo = {.mode = KUBE_MODE_DISCOVER, .kubeconfig = opts->kubeconfig,
                           .on_synced = on_from_synced, .arg = &loop,
                           .readonly = false /* the probe pod is the only write */};
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
    struct probe_exec_opts peo = {
        .ns = use_ns, .pod = pod, .cluster = from, .user = po->user, .password = po->password,
        .timeout_ms = po->timeout_ms > 3000 ? po->timeout_ms : 10000,
        .pod_fallback = !opts->readonly,
        .no_fallback_why = "read-only mode (--readonly) forbids creating a probe pod",
        .image = image, .pod_timeout_ms = po->timeout_ms > 3000 ? po->timeout_ms : 60000,
        .on_cleanup = on_probe_cleanup, .cleanup_arg = &pc};
    if (probe_exec_start(&loop, kc, k, target, &peo, on_pod_probe_done, &pc, NULL, &err) != 0) {
        fprintf(stderr, "pxcmesh probe: %s\n", err.msg);
        goto out;
    }
    /* Until the result is in and any probe pod deleted (bounded by the exec's and the probe
     * pod's deadlines and the client's request timeout). */
    while (!pc.cleaned)
        uv_run(&loop, UV_RUN_ONCE);
    print_result(&pc.r, json);
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

static int
cmd_probe_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    (void)opts;
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 's'},   {"timeout", required_argument, NULL, 't'},
        {"user", required_argument, NULL, 'u'},     {"password-env", required_argument, NULL, 'p'},
        {"from-cluster", required_argument, NULL, 'f'}, {"json", no_argument, NULL, 'j'},
        {"namespace", required_argument, NULL, 'n'},    {"image", required_argument, NULL, 'i'},
        {"pod", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    struct probe_opts po = {.timeout_ms = 3000};
    const char *from = NULL, *ns = NULL, *image = NULL, *pod = NULL;
    bool json = false;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
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
            json = true;
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
    if (from != NULL)
        return probe_from_cluster(opts, from, ns, pod, image, kind, target, &po, json);
    if (pod != NULL || ns != NULL || image != NULL) {
        fprintf(stderr, "pxcmesh probe: --pod, --namespace and --image need --from-cluster\n%s",
                probe_usage);
        return 2;
    }
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
    print_result(&pc.r, json);
    return pc.r.status == PROBE_OK ? 0 : 1;
}
