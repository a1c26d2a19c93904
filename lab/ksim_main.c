/* ksim_main: the kubesim command. Parses the flags the lab script uses, loads CRDs and
 * the seed, makes the PKI and kubeconfig, starts the HTTP server, prints where it
 * listens, and waits for SIGTERM/SIGINT to shut down cleanly (every watch ends, probe
 * threads finish, the pid file goes). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"
#include "ksim_api.h"
#include "ksim_tls.h"

#ifndef KSIM_SOURCE_DIR
#define KSIM_SOURCE_DIR "."
#endif

static const char usage[] =
    "usage: kubesim [options]\n"
    "A simulated Kubernetes API server for the pxcmesh lab and tests.\n"
    "\n"
    "  --listen IP:PORT           address to serve (default 127.0.0.1:6443; port 0: any)\n"
    "  --seed DIR                 create every object in DIR/**/*.{yaml,yml,json} at start\n"
    "  --crd-dir DIR              load CustomResourceDefinitions found under DIR (repeatable;\n"
    "                             default: pxcmesh's own, backends/manifest/crds)\n"
    "  --no-default-crds          do not look in the default CRD directory\n"
    "  --write-kubeconfig FILE    write (or merge into) a kubeconfig for this server\n"
    "  --context NAME             its context/cluster/user name (default kubesim)\n"
    "  --insecure-http            plain HTTP instead of HTTPS with client certificates\n"
    "  --token T                  accept bearer token T (admin); the kubeconfig uses it\n"
    "  --readonly-token T         accept bearer token T for get/list/watch only\n"
    "  --tokens-file F            more tokens, lines \"token,user[,readonly]\"\n"
    "  --forbid RESOURCE          read-only identities may not read RESOURCE (e.g. secrets)\n"
    "  --state-dir DIR            keep the CA and certificates here (default: a temp dir)\n"
    "  --dns IP[:PORT]            DNS server that probe pods ask (the lab's dnsmasq)\n"
    "  --pidfile F                write the pid here; removed at exit\n"
    "  --gen-pods N               add N synthetic pods (100 per namespace bench-K)\n"
    "  --gen-injected             ... in namespaces labelled for sidecar injection\n"
    "  --history N                watch event history kept for resumption (default 20000)\n"
    "  --bookmark-interval S      seconds between watch BOOKMARKs (default 10)\n"
    "  --created-ago S            objects of the seed and --gen-pods were created S seconds\n"
    "                             ago (a server with a past; default 0: now)\n"
    "  --proxy-image IMAGE        image of injected istio-proxy containers\n"
    "  --fault JSON               start with a fault switched on (see docs/kubesim.md)\n"
    "  --idle-timeout S           close idle keep-alive connections after S s (default 120)\n"
    "  --pod-map FILE             where pods really are: lines \"NS/NAME addr=IP socket=PATH\n"
    "                             resolv=PATH log.pxc=PATH\" (exec, port-forward, logs)\n"
    "  --help                     this text\n";

struct opts {
    char *ip;
    int port;
    const char *seed;
    struct vec crd_dirs; /* const char *, borrowed from argv */
    bool no_default_crds;
    const char *kubeconfig;
    const char *context;
    bool insecure;
    const char *token, *ro_token, *tokens_file;
    struct vec forbid;
    const char *state_dir;
    const char *dns;
    const char *pidfile;
    int gen_pods;
    bool gen_injected;
    long history;
    int bookmark_s;
    long created_ago_s;
    const char *proxy_image;
    struct vec faults;
    unsigned idle_timeout_s;
    const char *pod_map;
};

static int
parse_listen(const char *s, struct opts *o)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL) {
        o->ip = xstrdup(s);
        o->port = 6443;
        return 0;
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || p < 0 || p > 65535)
        return -1;
    o->ip = xstrndup(s, (size_t)(colon - s));
    o->port = (int)p;
    return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
    enum {
        O_LISTEN = 256,
        O_SEED,
        O_CRD,
        O_NOCRD,
        O_KCFG,
        O_CTX,
        O_INSECURE,
        O_TOKEN,
        O_ROTOKEN,
        O_TOKFILE,
        O_FORBID,
        O_STATE,
        O_DNS,
        O_PID,
        O_GEN,
        O_GENINJ,
        O_HIST,
        O_BOOK,
        O_AGO,
        O_IMAGE,
        O_FAULT,
        O_IDLE,
        O_PODMAP,
        O_HELP
    };
    static const struct option lo[] = {
        {"listen", required_argument, NULL, O_LISTEN},
        {"seed", required_argument, NULL, O_SEED},
        {"crd-dir", required_argument, NULL, O_CRD},
        {"no-default-crds", no_argument, NULL, O_NOCRD},
        {"write-kubeconfig", required_argument, NULL, O_KCFG},
        {"context", required_argument, NULL, O_CTX},
        {"insecure-http", no_argument, NULL, O_INSECURE},
        {"token", required_argument, NULL, O_TOKEN},
        {"readonly-token", required_argument, NULL, O_ROTOKEN},
        {"tokens-file", required_argument, NULL, O_TOKFILE},
        {"forbid", required_argument, NULL, O_FORBID},
        {"state-dir", required_argument, NULL, O_STATE},
        {"dns", required_argument, NULL, O_DNS},
        {"pidfile", required_argument, NULL, O_PID},
        {"gen-pods", required_argument, NULL, O_GEN},
        {"gen-injected", no_argument, NULL, O_GENINJ},
        {"history", required_argument, NULL, O_HIST},
        {"bookmark-interval", required_argument, NULL, O_BOOK},
        {"created-ago", required_argument, NULL, O_AGO},
        {"proxy-image", required_argument, NULL, O_IMAGE},
        {"fault", required_argument, NULL, O_FAULT},
        {"idle-timeout", required_argument, NULL, O_IDLE},
        {"pod-map", required_argument, NULL, O_PODMAP},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case O_LISTEN:
            free(o->ip);
            o->ip = NULL;
            if (parse_listen(optarg, o) != 0) {
                fprintf(stderr,
                        "kubesim: --listen %s: expected IP:PORT such as "
                        "127.0.10.100:6443\n",
                        optarg);
                return 2;
            }
            break;
        case O_SEED:
            o->seed = optarg;
            break;
        case O_CRD:
            vec_push(&o->crd_dirs, optarg);
            break;
        case O_NOCRD:
            o->no_default_crds = true;
            break;
        case O_KCFG:
            o->kubeconfig = optarg;
            break;
        case O_CTX:
            o->context = optarg;
            break;
        case O_INSECURE:
            o->insecure = true;
            break;
        case O_TOKEN:
            o->token = optarg;
            break;
        case O_ROTOKEN:
            o->ro_token = optarg;
            break;
        case O_TOKFILE:
            o->tokens_file = optarg;
            break;
        case O_FORBID:
            vec_push(&o->forbid, optarg);
            break;
        case O_STATE:
            o->state_dir = optarg;
            break;
        case O_DNS:
            o->dns = optarg;
            break;
        case O_PID:
            o->pidfile = optarg;
            break;
        case O_GEN:
            o->gen_pods = atoi(optarg);
            break;
        case O_GENINJ:
            o->gen_injected = true;
            break;
        case O_HIST:
            o->history = atol(optarg);
            break;
        case O_BOOK:
            o->bookmark_s = atoi(optarg);
            break;
        case O_AGO: {
            char *end = NULL;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || v < 0 || v > 100L * 365 * 86400) {
                fprintf(stderr, "kubesim: --created-ago %s: expected seconds, 0 to 3153600000\n",
                        optarg);
                return 2;
            }
            o->created_ago_s = v;
            break;
        }
        case O_IMAGE:
            o->proxy_image = optarg;
            break;
        case O_FAULT:
            vec_push(&o->faults, optarg);
            break;
        case O_IDLE:
            o->idle_timeout_s = (unsigned)atoi(optarg);
            break;
        case O_PODMAP:
            o->pod_map = optarg;
            break;
        case O_HELP:
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kubesim: unexpected argument \"%s\"\n%s", argv[optind], usage);
        return 2;
    }
    return -1; /* go on */
}

/* The CRDs pxcmesh ships (backends/manifest/crds), in the source tree kubesim was built from,
 * else where `make install` put them. */
static const char *
default_crd_dir(char *buf, size_t n)
{
    const char *const dirs[] = {KSIM_SOURCE_DIR "/backends/manifest/crds", KSIM_CRD_INSTALL_DIR};
    struct stat sb;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(buf, n, "%s", dirs[i]);
        if (stat(buf, &sb) == 0 && S_ISDIR(sb.st_mode))
            return buf;
    }
    return NULL;
}

static void
remove_tree(const char *dir)
{
    static const char *const names[] = {"ca.crt",       "ca.key",       "ca.srl",     "server.crt",
                                        "server.key",   "server.ip",    "client.crt", "client.key",
                                        "readonly.crt", "readonly.key", "openssl.log"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *p = xasprintf("%s/%s", dir, names[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

/* Default namespaces before the seed (so seeded objects can land in them); the default
 * node only after it, and only when the seed brought none, so a seeded cluster's nodes
 * are all its nodes (ServiceEntry endpoints are built from them). */
static void
ensure_defaults(struct ksim_store *st, bool with_node)
{
    static const char *const nss[] = {"default", "kube-system", "kube-public", "kube-node-lease"};
    struct ksim_res *nsr = ksim_res_find(st, "", "v1", "namespaces");
    struct ksim_res *nodes = ksim_res_find(st, "", "v1", "nodes");
    pthread_mutex_lock(&st->mu);
    for (size_t i = 0; i < sizeof nss / sizeof nss[0]; i++) {
        if (ksim_obj_get_locked(nsr, "", nss[i]) != NULL)
            continue;
        struct ksim_status stt;
        json_t *out = NULL;
        json_t *ns = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind", "Namespace",
                               "metadata", "name", nss[i]);
        if (ksim_api_create_locked(st, nsr, "", ns, KSIM_W_SEED, &out, &stt) == 0)
            json_decref(out);
    }
    if (with_node && nodes->sorted.n == 0) {
        struct ksim_status stt;
        json_t *out = NULL;
        json_t *node = json_pack(
            "{s:s, s:s, s:{s:s, s:{s:s, s:s, s:s}}, s:{s:[{s:s, s:s}, {s:s, s:s}]}}", "apiVersion",
            "v1", "kind", "Node", "metadata", "name", "ksim-node", "labels",
            "kubernetes.io/hostname", "ksim-node", "kubernetes.io/os", "linux",
            "node-role.kubernetes.io/control-plane", "", "status", "addresses", "type",
            "InternalIP", "address", "127.0.0.1", "type", "Hostname", "address", "ksim-node");
        if (ksim_api_create_locked(st, nodes, "", node, KSIM_W_SEED, &out, &stt) == 0)
            json_decref(out);
    }
    pthread_mutex_unlock(&st->mu);
}

int
main(int argc, char **argv)
{
    struct opts o = {.context = "kubesim", .history = 20000, .bookmark_s = 10};
    o.ip = xstrdup("127.0.0.1");
    o.port = 6443;
    vec_init(&o.crd_dirs, NULL);
    vec_init(&o.forbid, NULL);
    vec_init(&o.faults, NULL);
    int exit_code = 1;
    struct ksim_store st;
    struct ksim_server *srv = NULL;
    struct ksim_pki pki = {0};
    char *state_dir = NULL;
    bool temp_state = false;
    struct pxerr err = {0};

    int prc = parse_args(argc, argv, &o);
    if (prc >= 0) {
        free(o.ip);
        vec_fini(&o.crd_dirs);
        vec_fini(&o.forbid);
        vec_fini(&o.faults);
        return prc;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Signals are taken by sigwait below; every thread starts with them blocked. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    ksim_store_init(&st, (size_t)(o.history > 0 ? o.history : 20000));
    ksim_store_add_builtin(&st);
    if (o.dns)
        st.dns_server = xstrdup(o.dns);
    if (o.pod_map)
        st.pod_map = xstrdup(o.pod_map);
    if (o.bookmark_s > 0)
        st.bookmark_interval_s = o.bookmark_s;
    st.seed_age_s = o.created_ago_s;
    if (o.proxy_image) {
        free(st.proxy_image);
        st.proxy_image = xstrdup(o.proxy_image);
    }

    char dflt[4096];
    const char *dcrd = o.no_default_crds ? NULL : default_crd_dir(dflt, sizeof dflt);
    if (o.crd_dirs.n == 0 && dcrd != NULL)
        vec_push(&o.crd_dirs, (void *)dcrd);
    if (o.crd_dirs.n == 0 && !o.no_default_crds)
        fprintf(stderr,
                "kubesim: warning: no CRD directory found (" KSIM_SOURCE_DIR
                "/backends/manifest/crds, " KSIM_CRD_INSTALL_DIR "); use --crd-dir DIR; PXC "
                "and Istio resources will not be served\n");
    int n_crds = 0;
    for (size_t i = 0; i < o.crd_dirs.n; i++) {
        int n = 0;
        pthread_mutex_lock(&st.mu);
        int rc = ksim_crd_load_dir(&st, vec_at(&o.crd_dirs, i), &n, &err);
        pthread_mutex_unlock(&st.mu);
        if (rc != 0) {
            fprintf(stderr, "kubesim: --crd-dir: %s\n", err.msg);
            goto out;
        }
        n_crds += n;
    }
    ensure_defaults(&st, false);
    int n_seed = 0;
    if (o.seed != NULL && ksim_seed_load_dir(&st, o.seed, &n_seed, &err) != 0) {
        fprintf(stderr, "kubesim: --seed: %s\n", err.msg);
        goto out;
    }
    ensure_defaults(&st, true);
    if (o.gen_pods > 0) {
        pthread_mutex_lock(&st.mu);
        ksim_seed_gen_pods_locked(&st, o.gen_pods, o.gen_injected);
        pthread_mutex_unlock(&st.mu);
    }
    /* The seed is history nobody watched: resuming starts from here. */
    st.horizon_rv = st.rv;
    for (size_t i = 0; i < o.faults.n; i++) {
        json_error_t je;
        json_t *doc = json_loads(vec_at(&o.faults, i), 0, &je);
        if (doc == NULL) {
            fprintf(stderr, "kubesim: --fault %s: not JSON: %s\n", (char *)vec_at(&o.faults, i),
                    je.text);
            goto out;
        }
        int rc = ksim_fault_apply(&st, doc, &err);
        json_decref(doc);
        if (rc != 0) {
            fprintf(stderr, "kubesim: --fault: %s\n", err.msg);
            goto out;
        }
    }

    if (!o.insecure) {
        if (o.state_dir != NULL) {
            state_dir = xstrdup(o.state_dir);
        } else {
            const char *tmp = getenv("TMPDIR");
            state_dir = xasprintf("%s/kubesim-XXXXXX", tmp && *tmp ? tmp : "/tmp");
            if (mkdtemp(state_dir) == NULL) {
                fprintf(stderr,
                        "kubesim: cannot create a state directory %s: %s (use "
                        "--state-dir)\n",
                        state_dir, strerror(errno));
                goto out;
            }
            temp_state = true;
        }
        if (ksim_pki_ensure(state_dir, o.ip, &pki, &err) != 0) {
            fprintf(stderr, "kubesim: certificates: %s\n", err.msg);
            goto out;
        }
    }
    struct ksim_http_opts ho = {
        .ip = o.ip,
        .port = o.port,
        .tls = !o.insecure,
        .cert_pem = pki.cert_pem,
        .key_pem = pki.key_pem,
        .ca_pem = pki.ca_pem,
        .token = o.token,
        .ro_token = o.ro_token,
        .tokens_file = o.tokens_file,
        .idle_timeout_s = o.idle_timeout_s,
        .forbid = &o.forbid,
    };
    if (ksim_http_start(&st, &ho, &srv, &err) != 0) {
        fprintf(stderr, "kubesim: %s\n", err.msg);
        goto out;
    }
    char url[256];
    snprintf(url, sizeof url, "%s://%s:%d", o.insecure ? "http" : "https", o.ip,
             ksim_http_port(srv));
    if (o.kubeconfig != NULL &&
        ksim_kubeconfig_write(o.kubeconfig, o.context, url, o.insecure ? NULL : &pki, o.token,
                              &err) != 0) {
        fprintf(stderr, "kubesim: --write-kubeconfig: %s\n", err.msg);
        goto out;
    }
    if (o.pidfile != NULL) {
        FILE *f = fopen(o.pidfile, "w");
        if (f == NULL) {
            fprintf(stderr, "kubesim: --pidfile %s: %s\n", o.pidfile, strerror(errno));
            goto out;
        }
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
    size_t n_obj = 0;
    pthread_mutex_lock(&st.mu);
    for (size_t i = 0; i < st.res.n; i++)
        n_obj += ((struct ksim_res *)vec_at(&st.res, i))->sorted.n;
    pthread_mutex_unlock(&st.mu);
    printf("kubesim: listening on %s (context %s, %zu objects, %d CRDs, %d seeded%s%s)\n", url,
           o.context, n_obj, n_crds, n_seed, o.kubeconfig ? ", kubeconfig " : "",
           o.kubeconfig ? o.kubeconfig : "");

    int sig = 0;
    sigwait(&sigs, &sig);
    printf("kubesim: signal %d, shutting down\n", sig);
    exit_code = 0;
out:
    ksim_http_stop(srv);
    /* Probe threads finish on their own within a few seconds; wait for them. */
    pthread_mutex_lock(&st.mu);
    st.stopping = true;
    for (int i = 0; i < 100 && st.n_probes > 0; i++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&st.cond, &st.mu, &ts);
    }
    bool probes_left = st.n_probes > 0;
    pthread_mutex_unlock(&st.mu);
    if (!probes_left)
        ksim_store_fini(&st);
    if (o.pidfile != NULL && exit_code == 0)
        unlink(o.pidfile);
    if (temp_state)
        remove_tree(state_dir);
    free(state_dir);
    ksim_pki_fini(&pki);
    free(o.ip);
    vec_fini(&o.crd_dirs);
    vec_fini(&o.forbid);
    vec_fini(&o.faults);
    return exit_code;
}
