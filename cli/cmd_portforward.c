/* cmd_portforward: `pxcmesh port-forward POD [LOCAL:]REMOTE [-n NS] [--cluster C]`, kubectl
 * port-forward's twin through pxcmesh's own client and relay (kube_relay.h): the same
 * credentials, the same WebSocket streams and error words the console's MySQL route uses, so
 * that the route can be tried by hand (`mysql -h 127.0.0.1 -P LOCAL`) and measured. It prints
 * "Forwarding from 127.0.0.1:LOCAL -> REMOTE", one line per failed connection, and runs
 * until SIGINT or SIGTERM (exit 0). 1: the local port cannot be bound or the cluster not
 * reached, 2: usage. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "cmd.h"
#include "kube1.h"
#include "kube/kube_relay.h"

static int cmd_pf_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag pf_flags[] = {
    {"--namespace", "-n", CV_NAMESPACE, "NS", NULL, "the pod's namespace (default: the context's)"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_portforward_entry = {
    .name = "port-forward",
    .usage = "port-forward POD [LOCAL:]REMOTE [-n NS] [--cluster C]",
    .summary = "forward a local port to a pod's port through the API server (as kubectl does)",
    .exec = cmd_pf_exec,
    .opts = pf_flags,
};

static const char pf_usage[] =
    "usage: pxcmesh port-forward POD [LOCAL:]REMOTE [-n NAMESPACE] [--cluster NAME]\n"
    "Listens on 127.0.0.1:LOCAL (a free port when LOCAL is omitted or 0) and forwards each\n"
    "connection to the pod's port REMOTE through the API server. Stop it with Ctrl-C.\n";

struct pf_run {
    bool stop;
};

static void
on_error(struct kube_relay *r, int code, const char *msg, void *arg)
{
    (void)r;
    (void)code;
    (void)arg;
    fprintf(stderr, "pxcmesh port-forward: %s\n", msg);
}

static void
on_signal(uv_signal_t *s, int signum)
{
    struct pf_run *r = s->data;
    (void)signum;
    r->stop = true;
}

static int
parse_port(const char *s, int min)
{
    char *e;
    long v = strtol(s, &e, 10);
    return *s && *e == '\0' && v >= min && v <= 65535 ? (int)v : -1;
}

static int
cmd_pf_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    const char *ns = NULL, *cluster = NULL, *pod = NULL, *ports = NULL;
    static const struct option lo[] = {
        {"namespace", required_argument, NULL, 'n'},
        {"cluster", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    while (optind < argc) {
        int ch = getopt_long(argc, argv, "+n:h", lo, NULL);
        if (ch == -1) {
            if (pod == NULL)
                pod = argv[optind++];
            else if (ports == NULL)
                ports = argv[optind++];
            else
                return cmd_usage_error("port-forward", "unexpected argument '%s'", argv[optind]);
            continue;
        }
        switch (ch) {
        case 'n':
            ns = optarg;
            break;
        case 'C':
            cluster = optarg;
            break;
        case 'h':
            fputs(pf_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("port-forward", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (pod == NULL || ports == NULL)
        return cmd_usage_error("port-forward", "give a pod and a port, e.g. pxcmesh port-forward "
                                               "pxc-cluster-pxc-0 :3306");
    if (strncmp(pod, "pod/", 4) == 0)
        pod += 4; /* kubectl's spelling */
    int local = 0, remote;
    const char *colon = strchr(ports, ':');
    if (colon != NULL) {
        char lbuf[16];
        snprintf(lbuf, sizeof lbuf, "%.*s", (int)(colon - ports), ports);
        local = lbuf[0] ? parse_port(lbuf, 0) : 0;
        remote = parse_port(colon + 1, 1);
    } else {
        remote = parse_port(ports, 1);
        local = remote;
    }
    if (local < 0 || remote < 0)
        return cmd_usage_error("port-forward", "'%s' is not [LOCAL:]REMOTE (ports 1-65535)", ports);
    struct pxerr err = {0};
    struct kube1 k;
    int rc = kube1_open(&k, opts, cluster, ns, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh port-forward: %s\n", err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }
    struct pf_run r = {0};
    struct kube_relay *relay = NULL;
    struct kube_relay_opts ro = {.ns = k.ns,
                                 .pod = pod,
                                 .port = remote,
                                 .local_port = local,
                                 .on_error = on_error,
                                 .arg = &r};
    if (kube_relay_start(k.kc, &ro, &relay, &err) < 0) {
        fprintf(stderr, "pxcmesh port-forward: %s\n", err.msg);
        kube1_close(&k);
        return 1;
    }
    printf("Forwarding from 127.0.0.1:%d -> %d\n", kube_relay_port(relay), remote);
    fflush(stdout);
    uv_signal_t sigint, sigterm;
    uv_signal_init(&k.loop, &sigint);
    uv_signal_init(&k.loop, &sigterm);
    sigint.data = sigterm.data = &r;
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    cmd_run_until_flag(&k.loop, &r.stop);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_close((uv_handle_t *)&sigterm, NULL);
    kube_relay_free(relay);
    kube1_close(&k);
    return 0;
}
