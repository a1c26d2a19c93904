/* cmd_generate: `pxcmesh generate KIND [options] [-o yaml|json|nix]`, printing manifests
 * (or SQL) that are validated against the real CRD schemas before they are printed.
 * Exit 0 printed, 1 invalid value or failed validation, 2 usage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "base64.h"
#include "file.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "cmd.h"
#include "outfmt.h"
#include "codec/jsonpath.h"
#include "collect.h"
#include "kube/kcfg.h"
#include "live/live.h"
#include "doctor/mesh.h"
#include "model/model.h"
#include "manifest/crdreg.h"
#include "manifest/manifest.h"
#include "codec/yamlout.h"

static int cmd_generate_exec(const struct cmd_opts *opts, int argc, char **argv);

#define GEN_OUTPUTS                                                                          \
    (OUTFMT_BIT(OUTFMT_TEXT) | OUTFMT_BIT(OUTFMT_YAML) | OUTFMT_BIT(OUTFMT_JSON) |          \
     OUTFMT_BIT(OUTFMT_NIX) | OUTFMT_BIT(OUTFMT_NAME) | OUTFMT_BIT(OUTFMT_JSONPATH))

static const char *const gen_kinds[] = {"namespace",     "serviceentry", "pxc",
                                        "multicluster",  "remote-secret", "hybrid",
                                        "replication-sql", NULL};

static const struct cmd_flag gen_flags[] = {
    {"--output", "-o", CV_OUTPUT, "FORMAT", NULL,
     "yaml (the default), json, nix, name, jsonpath=TEMPLATE; replication-sql prints SQL only"},
    {"--name", NULL, CV_WORD, "N", NULL, "the object's name (namespace, serviceentry, pxc)"},
    {"--namespace", NULL, CV_NAMESPACE, "NS", NULL, "the object's namespace"},
    {"--remote-cluster", NULL, CV_CLUSTER, "C", NULL, "serviceentry: the cluster it reaches"},
    {"--endpoint", NULL, CV_WORD, "ADDR[:PORT]", NULL, "serviceentry: an endpoint (repeat)"},
    {"--endpoints-from-cluster", NULL, CV_CLUSTER, "C", NULL,
     "serviceentry: C's node InternalIPs as the endpoints"},
    {"--from-cluster", NULL, CV_CLUSTER, "C", NULL, "remote-secret: read from cluster C"},
    {"--cluster-name", NULL, CV_WORD, "C", NULL, "multicluster, remote-secret: the name"},
    {"--channel", NULL, CV_WORD, "NAME", NULL, "replication-sql: the channel"},
    {"--source-host", NULL, CV_WORD, "H", NULL, "replication-sql: the source host"},
    {"--dialect", NULL, CV_CHOICE, "D", "mysql mysql57 mariadb", "replication-sql: dialect"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_generate_entry = {
    .name = "generate",
    .usage = "generate KIND [options] [-o yaml|json|nix|name]",
    .summary = "print validated manifests or SQL for the setup (namespace, serviceentry, pxc, ...)",
    .exec = cmd_generate_exec,
    .subs = gen_kinds,
    .opts = gen_flags,
    .outputs = GEN_OUTPUTS,
};

static const char generate_usage[] =
    "usage: pxcmesh generate KIND [options] [-o yaml|json|nix|name|jsonpath=T]\n"
    "kinds:\n"
    "  namespace      --name NS [--revision REV]\n"
    "  serviceentry   --name N --namespace NS --remote-cluster C --endpoint ADDR[:PORT]...\n"
    "                 [--address VIP] [--port P] [--object-name NAME] [--api-version V]\n"
    "                 [--resolution STATIC|DNS] (STATIC: endpoints are IP addresses)\n"
    "                 [--mtls] [--peer-auth STRICT|PERMISSIVE]\n"
    "  pxc            --name N --namespace NS [--size K] [--image I] [--memory M] [--cpu C]\n"
    "                 [--secrets-name S] [--cr-version V] [--haproxy]\n"
    "                 [--replication-source CHANNEL=HOST[:PORT][@WEIGHT],...]\n"
    "                 [--replication-is-source CHANNEL]\n"
    "  multicluster   --cluster-name C --network NET --mesh-id MESH [--no-eastwest] [--expose]\n"
    "  remote-secret  --from-cluster C [--cluster-name NAME]   (server, CA and the\n"
    "                 istio-reader-service-account token read from cluster C), or\n"
    "                 --cluster-name C --server URL --token-file F [--ca-file F]\n"
    "  hybrid         the serviceentry options plus --cluster-name C --network NET --mesh-id M\n"
    "  replication-sql --channel NAME --source-host H [--source-port P] [--user U]\n"
    "                 [--password-env VAR] [--dialect mysql|mysql57|mariadb] [--create-user]\n"
    "                 [--ssl] [--show-password]\n";

enum {
    O_NAME = 256, O_NAMESPACE, O_REMOTE, O_ENDPOINT, O_ADDRESS, O_PORT, O_OBJNAME, O_APIVER,
    O_MTLS, O_PEERAUTH, O_REVISION, O_SIZE, O_IMAGE, O_MEMORY, O_CPU, O_SECRETS, O_CRVER,
    O_HAPROXY, O_REPLSRC, O_REPLISSRC, O_CLUSTER, O_NETWORK, O_MESH, O_NOEW, O_EXPOSE, O_SERVER,
    O_TOKENFILE, O_CAFILE, O_CHANNEL, O_SRCHOST, O_SRCPORT, O_USER, O_PWENV, O_DIALECT,
    O_CREATEUSER, O_SSL, O_SHOWPW, O_HELP, O_ENDPOINTS_FROM, O_FROMCLUSTER, O_RESOLUTION,
};

static const struct option gen_longopts[] = {
    {"name", required_argument, NULL, O_NAME},
    {"namespace", required_argument, NULL, O_NAMESPACE},
    {"remote-cluster", required_argument, NULL, O_REMOTE},
    {"endpoint", required_argument, NULL, O_ENDPOINT},
    {"endpoints-from-cluster", required_argument, NULL, O_ENDPOINTS_FROM},
    {"from-cluster", required_argument, NULL, O_FROMCLUSTER},
    {"address", required_argument, NULL, O_ADDRESS},
    {"resolution", required_argument, NULL, O_RESOLUTION},
    {"port", required_argument, NULL, O_PORT},
    {"object-name", required_argument, NULL, O_OBJNAME},
    {"api-version", required_argument, NULL, O_APIVER},
    {"mtls", no_argument, NULL, O_MTLS},
    {"peer-auth", required_argument, NULL, O_PEERAUTH},
    {"revision", required_argument, NULL, O_REVISION},
    {"size", required_argument, NULL, O_SIZE},
    {"image", required_argument, NULL, O_IMAGE},
    {"memory", required_argument, NULL, O_MEMORY},
    {"cpu", required_argument, NULL, O_CPU},
    {"secrets-name", required_argument, NULL, O_SECRETS},
    {"cr-version", required_argument, NULL, O_CRVER},
    {"haproxy", no_argument, NULL, O_HAPROXY},
    {"replication-source", required_argument, NULL, O_REPLSRC},
    {"replication-is-source", required_argument, NULL, O_REPLISSRC},
    {"cluster-name", required_argument, NULL, O_CLUSTER},
    {"network", required_argument, NULL, O_NETWORK},
    {"mesh-id", required_argument, NULL, O_MESH},
    {"no-eastwest", no_argument, NULL, O_NOEW},
    {"expose", no_argument, NULL, O_EXPOSE},
    {"server", required_argument, NULL, O_SERVER},
    {"token-file", required_argument, NULL, O_TOKENFILE},
    {"ca-file", required_argument, NULL, O_CAFILE},
    {"channel", required_argument, NULL, O_CHANNEL},
    {"source-host", required_argument, NULL, O_SRCHOST},
    {"source-port", required_argument, NULL, O_SRCPORT},
    {"user", required_argument, NULL, O_USER},
    {"password-env", required_argument, NULL, O_PWENV},
    {"dialect", required_argument, NULL, O_DIALECT},
    {"create-user", no_argument, NULL, O_CREATEUSER},
    {"ssl", no_argument, NULL, O_SSL},
    {"show-password", no_argument, NULL, O_SHOWPW},
    {"output", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, O_HELP},
    {NULL, 0, NULL, 0},
};

struct gen_args {
    struct mf_namespace_opts ns;
    struct mf_serviceentry_opts se;
    struct mf_pxc_opts pxc;
    struct mf_multicluster_opts mc;
    struct mf_remote_secret_opts rs;
    struct mf_repl_sql_opts sql;
    char *endpoint_bufs[MF_MAX_ENDPOINTS];
    char *src_bufs[MF_MAX_CHANNELS];
    const char *token_file, *ca_file, *endpoints_from, *from_cluster;
    const char *output; /* -o as given, checked once the kind is known */
};

static int
parse_int(const char *opt, const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "pxcmesh generate: %s '%s' is not a number in %d-%d\n", opt, s, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* CHANNEL=HOST[:PORT][@WEIGHT],HOST2... */
static int
parse_repl_source(struct gen_args *a, char *spec)
{
    if (a->pxc.n_channels >= MF_MAX_CHANNELS) {
        fprintf(stderr, "pxcmesh generate: at most %d replication channels\n", MF_MAX_CHANNELS);
        return -1;
    }
    char *eq = strchr(spec, '=');
    if (eq == NULL || eq == spec || eq[1] == '\0') {
        fprintf(stderr, "pxcmesh generate: --replication-source '%s': expected "
                        "CHANNEL=HOST[:PORT][@WEIGHT],...\n", spec);
        return -1;
    }
    *eq = '\0';
    struct mf_pxc_channel *ch = &a->pxc.channels[a->pxc.n_channels++];
    ch->name = spec;
    char *save = NULL;
    for (char *tok = strtok_r(eq + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (ch->n_sources >= MF_MAX_SOURCES) {
            fprintf(stderr, "pxcmesh generate: at most %d sources per channel\n", MF_MAX_SOURCES);
            return -1;
        }
        struct mf_pxc_source *s = &ch->sources[ch->n_sources++];
        char *at = strchr(tok, '@');
        if (at != NULL) {
            *at = '\0';
            if (parse_int("weight", at + 1, 1, 100, &s->weight) != 0)
                return -1;
        }
        char *colon = strrchr(tok, ':');
        if (colon != NULL) {
            *colon = '\0';
            if (parse_int("port", colon + 1, 1, 65535, &s->port) != 0)
                return -1;
        }
        s->host = tok;
    }
    return 0;
}

#define GEN_MAX_FILE (1u << 20) /* a token or a CA bundle is a few KB */

/* A token or CA file whole, without its trailing line breaks: owned (xfree_secret), or
 * NULL after saying why. A pipe is fine (--token-file <(...)); a directory, a device, an
 * empty file or one over 1 MiB is refused. */
static char *
read_small_file(const char *path, const char *what)
{
    char *buf = NULL;
    size_t len = 0;
    struct pxerr err = {0};
    if (file_read_stream(path, GEN_MAX_FILE, &buf, &len, &err) != 0) {
        fprintf(stderr, "pxcmesh generate: %s %s\n", what, err.msg);
        return NULL;
    }
    size_t n = len;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    char *out = n > 0 ? xstrndup(buf, n) : NULL;
    file_free_secret(buf, len);
    if (out == NULL)
        fprintf(stderr, "pxcmesh generate: %s %s: is empty\n", what, path);
    return out;
}

/* The endpoints the mesh rule gives for cluster name (doctor/mesh.h: its node InternalIPs, as
 * the seed reads them with `kubectl get nodes -o wide`, in address order). *remote keeps
 * the model that the endpoint strings point into; the caller frees it. */
static int
endpoints_from_cluster(const struct cmd_opts *opts, const char *name, struct gen_args *a,
                       struct collect_result *remote, struct pxerr *err)
{
    if (a->se.n_endpoints > 0)
        return pxerr_set(err, PXE_USAGE,
                         "give --endpoint or --endpoints-from-cluster, not both");
    int rc = collect_once(opts, 30, COLLECT_NO_MYSQL, remote, err);
    if (rc != 0)
        return rc;
    struct m_cluster *c = model_cluster_find(remote->model, name);
    if (c == NULL) {
        struct strbuf names;
        strbuf_init(&names);
        for (size_t i = 0; i < remote->model->clusters.n; i++)
            strbuf_appendf(&names, "%s%s", i ? ", " : "",
                           ((struct m_cluster *)remote->model->clusters.items[i])->name);
        rc = pxerr_set(err, PXE_NOTFOUND,
                       "--endpoints-from-cluster %s: no such cluster (known: %s); name it in the "
                       "config or pass --context %s",
                       name, names.s, name);
        strbuf_fini(&names);
        return rc;
    }
    if (!c->reachable || c->error[0] != '\0')
        return pxerr_set(err, PXE_CONN, "--endpoints-from-cluster %s: %s", name,
                         c->error[0] ? c->error : "the cluster did not answer");
    const char *addrs[MF_MAX_ENDPOINTS];
    int n = mesh_endpoints(c, addrs, MF_MAX_ENDPOINTS);
    if (n == 0)
        return pxerr_set(err, PXE_NOTFOUND,
                         "--endpoints-from-cluster %s: no node of %s reports an InternalIP "
                         "(`kubectl get nodes -o wide` there; the user may need RBAC to list "
                         "nodes); give --endpoint ADDR",
                         name, name);
    if (n > MF_MAX_ENDPOINTS) {
        fprintf(stderr, "pxcmesh generate: %s has %d node addresses; the ServiceEntry lists the "
                        "first %d\n", name, n, MF_MAX_ENDPOINTS);
        n = MF_MAX_ENDPOINTS;
    }
    for (int i = 0; i < n; i++)
        a->se.endpoints[a->se.n_endpoints++].address = addrs[i];
    return 0;
}

struct secret_wait {
    bool done;
    int status;
    char *value; /* owned secret */
    struct pxerr err;
};

static void
on_reader_secret(int status, const char *value, size_t len, const struct pxerr *err, void *arg)
{
    struct secret_wait *w = arg;
    w->done = true;
    w->status = status;
    if (status == 0)
        w->value = xstrndup(value, len);
    else if (err != NULL)
        w->err = *err;
}

static void
on_rs_synced(struct live *lv, int n_unreachable, void *arg)
{
    (void)lv, (void)n_unreachable;
    uv_stop(arg);
}

/* What `istioctl create-remote-secret` reads: the remote API server and its CA from the
 * kubeconfig, and the token of istio-reader-service-account from its token Secret (the
 * names istioctl creates, or the classic one). token and ca64 are owned by the caller. */
static int
remote_secret_from_cluster(const struct cmd_opts *opts, struct gen_args *a, char **token,
                           char **ca64, struct pxerr *err)
{
    struct config *cfg = NULL;
    int rc = cmd_kube_config(opts, &cfg, err);
    if (rc != 0)
        return rc;
    const char *ctx = NULL;
    for (size_t i = 0; i < cfg->n_clusters; i++)
        if (strcmp(cfg->clusters[i].name, a->from_cluster) == 0)
            ctx = cfg->clusters[i].context;
    if (ctx == NULL) {
        config_free(cfg);
        return pxerr_set(err, PXE_NOTFOUND,
                         "--from-cluster %s: no such cluster in the configuration (pass --config "
                         "or --context %s)",
                         a->from_cluster, a->from_cluster);
    }
    struct kcfg *k = NULL;
    struct kcfg_target *t = NULL;
    rc = kcfg_load(opts->kubeconfig ? opts->kubeconfig : cfg->kubeconfig, &k, err);
    if (rc == 0)
        rc = kcfg_resolve(k, ctx, &t, err);
    kcfg_free(k);
    if (rc != 0) {
        config_free(cfg);
        return rc;
    }
    static char server[512];
    snprintf(server, sizeof server, "%s", t->server);
    a->rs.server = server;
    if (a->rs.cluster_name == NULL)
        a->rs.cluster_name = a->from_cluster;
    if (t->ca_pem != NULL)
        *ca64 = base64_encode(t->ca_pem, t->ca_pem_len, 0);
    kcfg_target_free(t);

    uv_loop_t loop;
    uv_loop_init(&loop);
    struct model *m = model_new();
    struct live_opts lo = {.mode = KUBE_MODE_DISCOVER, .kubeconfig = opts->kubeconfig,
                           .on_synced = on_rs_synced, .arg = &loop, .readonly = true,
                           .no_mysql = true};
    struct live *lv = NULL;
    static const char *const names[] = {"istio-reader-service-account-istio-remote-secret-token",
                                        "istio-reader-service-account-token"};
    struct secret_wait w = {0};
    if ((rc = live_start_opts(&loop, m, cfg, &lo, &lv, err)) == 0) {
        uv_run(&loop, UV_RUN_DEFAULT);
        struct kube_client *kc = live_client(lv, a->from_cluster);
        for (size_t i = 0; kc != NULL && i < 2 && w.value == NULL; i++) {
            memset(&w, 0, sizeof w);
            if (kube_secret_get(kc, "istio-system", names[i], "token", on_reader_secret, &w, NULL,
                                &w.err) != 0)
                break;
            cmd_run_until_flag(&loop, &w.done);
        }
        if (w.value != NULL)
            *token = w.value;
        else
            rc = pxerr_set(err, PXE_NOTFOUND,
                           "--from-cluster %s: no token of istio-reader-service-account in "
                           "istio-system (secret %s or %s: %s); install Istio's base chart there, "
                           "or give --server, --token-file and --ca-file",
                           a->from_cluster, names[0], names[1],
                           w.err.msg[0] ? w.err.msg : "not found");
    }
    live_free(lv);
    uv_run(&loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(&loop); /* a left handle only costs this short-lived CLI memory */
    model_free(m);
    config_free(cfg);
    return rc;
}

static void
gen_args_free(struct gen_args *a)
{
    for (int i = 0; i < MF_MAX_ENDPOINTS; i++)
        free(a->endpoint_bufs[i]);
    for (int i = 0; i < MF_MAX_CHANNELS; i++)
        free(a->src_bufs[i]);
}

static int
gen_parse(struct gen_args *a, int argc, char **argv)
{
    int c, n_src = 0;
    optind = 0; /* GNU: full re-initialisation, the CLI may have used getopt before */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:", gen_longopts, NULL)) != -1) {
        switch (c) {
        case O_NAME:
            a->ns.name = a->se.name = a->pxc.name = optarg;
            break;
        case O_NAMESPACE:
            a->se.namespace = a->pxc.namespace = optarg;
            break;
        case O_REMOTE:
            a->se.remote_cluster = optarg;
            break;
        case O_ENDPOINT: {
            if (a->se.n_endpoints >= MF_MAX_ENDPOINTS) {
                fprintf(stderr, "pxcmesh generate: at most %d endpoints\n", MF_MAX_ENDPOINTS);
                return 2;
            }
            char *buf = xstrdup(optarg);
            a->endpoint_bufs[a->se.n_endpoints] = buf;
            struct pxerr err;
            if (mf_parse_endpoint(buf, &a->se.endpoints[a->se.n_endpoints], &err) != 0) {
                fprintf(stderr, "pxcmesh generate: %s\n", err.msg);
                return 1;
            }
            a->se.n_endpoints++;
            break;
        }
        case O_ENDPOINTS_FROM:
            a->endpoints_from = optarg;
            break;
        case O_FROMCLUSTER:
            a->from_cluster = optarg;
            break;
        case O_ADDRESS:
            a->se.address = optarg;
            break;
        case O_RESOLUTION:
            a->se.resolution = optarg;
            break;
        case O_PORT:
            if (parse_int("--port", optarg, 1, 65535, &a->se.port) != 0)
                return 2;
            break;
        case O_OBJNAME:
            a->se.object_name = optarg;
            break;
        case O_APIVER:
            if (strcmp(optarg, "v1") == 0 || strcmp(optarg, "v1beta1") == 0 ||
                strcmp(optarg, "v1alpha3") == 0) {
                static char av[64];
                snprintf(av, sizeof av, "networking.istio.io/%s", optarg);
                a->se.api_version = av;
            } else {
                a->se.api_version = optarg;
            }
            break;
        case O_MTLS:
            a->se.mtls = true;
            break;
        case O_PEERAUTH:
            a->se.peer_auth = optarg;
            break;
        case O_REVISION:
            a->ns.revision = optarg;
            break;
        case O_SIZE:
            if (parse_int("--size", optarg, 1, 99, &a->pxc.size) != 0)
                return 2;
            break;
        case O_IMAGE:
            a->pxc.image = optarg;
            break;
        case O_MEMORY:
            a->pxc.memory = optarg;
            break;
        case O_CPU:
            a->pxc.cpu = optarg;
            break;
        case O_SECRETS:
            a->pxc.secrets_name = optarg;
            break;
        case O_CRVER:
            a->pxc.cr_version = optarg;
            break;
        case O_HAPROXY:
            a->pxc.haproxy = true;
            break;
        case O_REPLSRC:
            if (n_src >= MF_MAX_CHANNELS)
                return 2;
            a->src_bufs[n_src] = xstrdup(optarg);
            if (parse_repl_source(a, a->src_bufs[n_src++]) != 0)
                return 2;
            break;
        case O_REPLISSRC:
            if (a->pxc.n_channels >= MF_MAX_CHANNELS)
                return 2;
            a->pxc.channels[a->pxc.n_channels].name = optarg;
            a->pxc.channels[a->pxc.n_channels++].is_source = true;
            break;
        case O_CLUSTER:
            a->mc.cluster_name = a->rs.cluster_name = optarg;
            break;
        case O_NETWORK:
            a->mc.network = optarg;
            break;
        case O_MESH:
            a->mc.mesh_id = optarg;
            break;
        case O_NOEW:
            a->mc.eastwest = false;
            break;
        case O_EXPOSE:
            a->mc.expose = true;
            break;
        case O_SERVER:
            a->rs.server = optarg;
            break;
        case O_TOKENFILE:
            a->token_file = optarg;
            break;
        case O_CAFILE:
            a->ca_file = optarg;
            break;
        case O_CHANNEL:
            a->sql.channel = optarg;
            break;
        case O_SRCHOST:
            a->sql.source_host = optarg;
            break;
        case O_SRCPORT:
            if (parse_int("--source-port", optarg, 1, 65535, &a->sql.source_port) != 0)
                return 2;
            break;
        case O_USER:
            a->sql.user = optarg;
            break;
        case O_PWENV: {
            const char *pw = getenv(optarg);
            if (pw == NULL) {
                fprintf(stderr, "pxcmesh generate: --password-env %s: variable not set\n",
                        optarg);
                return 2;
            }
            a->sql.password = pw;
            break;
        }
        case O_DIALECT:
            if (strcmp(optarg, "mysql") == 0 || strcmp(optarg, "mysql80") == 0)
                a->sql.dialect = MF_MYSQL8;
            else if (strcmp(optarg, "mysql57") == 0)
                a->sql.dialect = MF_MYSQL57;
            else if (strcmp(optarg, "mariadb") == 0)
                a->sql.dialect = MF_MARIADB;
            else {
                fprintf(stderr, "pxcmesh generate: --dialect '%s': use mysql, mysql57 or "
                                "mariadb\n", optarg);
                return 2;
            }
            break;
        case O_CREATEUSER:
            a->sql.create_user = true;
            break;
        case O_SSL:
            a->sql.ssl = true;
            break;
        case O_SHOWPW:
            a->sql.show_password = true;
            break;
        case 'o':
            a->output = optarg;
            break;
        case O_HELP:
            fputs(generate_usage, stdout);
            return -1;
        case ':':
            fprintf(stderr, "pxcmesh generate: option '%s' needs a value\n%s", argv[optind - 1],
                    generate_usage);
            return 2;
        default:
            fprintf(stderr, "pxcmesh generate: unknown option '%s'\n%s", argv[optind - 1],
                    generate_usage);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pxcmesh generate: unexpected argument '%s'\n%s", argv[optind],
                generate_usage);
        return 2;
    }
    return 0;
}

/* The documents in the output asked for: yaml (also with no -o), json and nix as
 * yamlout writes them, name one kind/NAME line each, jsonpath over the one document (a List
 * when there are several, as json shows them). */
static void
gen_output(json_t *docs, const struct outfmt *of, struct strbuf *out)
{
    switch (of->kind) {
    case OUTFMT_JSON:
        yamlout_docs(docs, YAMLOUT_JSON, out);
        return;
    case OUTFMT_NIX:
        yamlout_docs(docs, YAMLOUT_NIX, out);
        return;
    case OUTFMT_NAME: {
        size_t i;
        json_t *d;
        json_array_foreach (docs, i, d) {
            const char *k = json_string_value(json_object_get(d, "kind"));
            const char *api = json_string_value(json_object_get(d, "apiVersion"));
            const char *name =
                json_string_value(json_object_get(json_object_get(d, "metadata"), "name"));
            const char *slash = api != NULL ? strchr(api, '/') : NULL;
            for (const char *c = k != NULL ? k : "?"; *c; c++)
                strbuf_appendc(out, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
            if (slash != NULL)
                strbuf_appendf(out, ".%.*s", (int)(slash - api), api);
            strbuf_appendf(out, "/%s\n", name != NULL ? name : "?");
        }
        return;
    }
    case OUTFMT_JSONPATH: {
        json_t *doc;
        if (json_array_size(docs) == 1) {
            doc = json_incref(json_array_get(docs, 0));
        } else {
            doc = json_pack("{s:s,s:s,s:O}", "apiVersion", "v1", "kind", "List", "items", docs);
        }
        jsonpath_eval(of->jp, doc, out);
        json_decref(doc);
        return;
    }
    default:
        yamlout_docs(docs, YAMLOUT_YAML, out);
    }
}

static int
cmd_generate_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    (void)opts;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(generate_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *kind = argv[1];
    struct gen_args a;
    memset(&a, 0, sizeof a);
    a.mc.eastwest = true;
    a.sql.dialect = MF_MYSQL8;
    int rc = gen_parse(&a, argc - 1, argv + 1);
    if (rc != 0) {
        gen_args_free(&a);
        return rc < 0 ? 0 : rc;
    }
    struct outfmt of = {.kind = OUTFMT_YAML};
    if (a.output != NULL && strcmp(kind, "replication-sql") == 0) {
        gen_args_free(&a);
        return cmd_usage_error("generate", "generate replication-sql prints SQL, which has no "
                                           "-o outputs; leave -o %s out",
                               a.output);
    }
    if (a.output != NULL && outfmt_set(&of, "generate", a.output, GEN_OUTPUTS) != 0) {
        gen_args_free(&a);
        return 2;
    }
    struct pxerr err = {0};
    json_t *docs = json_array();
    struct strbuf out;
    strbuf_init(&out);
    char *token = NULL, *ca = NULL, *ca64 = NULL;
    struct collect_result remote = {0};
    bool is_sql = false;
    if (strcmp(kind, "namespace") == 0) {
        rc = mf_namespace(&a.ns, docs, &err);
    } else if (strcmp(kind, "serviceentry") == 0 || strcmp(kind, "hybrid") == 0) {
        if (a.endpoints_from != NULL)
            rc = endpoints_from_cluster(opts, a.endpoints_from, &a, &remote, &err);
        if (rc == 0)
            rc = mf_serviceentry(&a.se, docs, &err);
        if (rc == 0 && strcmp(kind, "hybrid") == 0)
            rc = mf_multicluster(&a.mc, docs, &err);
    } else if (strcmp(kind, "pxc") == 0) {
        rc = mf_pxc(&a.pxc, docs, &err);
    } else if (strcmp(kind, "multicluster") == 0) {
        rc = mf_multicluster(&a.mc, docs, &err);
    } else if (strcmp(kind, "remote-secret") == 0 && a.from_cluster != NULL) {
        rc = remote_secret_from_cluster(opts, &a, &token, &ca64, &err);
        if (rc == 0) {
            a.rs.token = token;
            a.rs.ca_data = ca64;
            rc = mf_remote_secret(&a.rs, docs, &err);
        }
    } else if (strcmp(kind, "remote-secret") == 0) {
        if (a.token_file == NULL) {
            rc = pxerr_set(&err, PXE_USAGE,
                           "remote-secret needs --token-file FILE (the remote "
                           "istio-reader-service-account token) and --server URL");
        } else if ((token = read_small_file(a.token_file, "--token-file")) == NULL) {
            rc = PXE_IO;
            err.msg[0] = '\0';
        } else if (a.ca_file != NULL && (ca = read_small_file(a.ca_file, "--ca-file")) == NULL) {
            rc = PXE_IO;
            err.msg[0] = '\0';
        } else {
            if (ca != NULL) { /* the PEM as the file had it: ending with one newline */
                struct strbuf pem;
                strbuf_init(&pem);
                strbuf_append(&pem, ca);
                strbuf_appendc(&pem, '\n');
                ca64 = base64_encode(pem.s, pem.len, 0);
                strbuf_fini(&pem);
            }
            a.rs.token = token;
            a.rs.ca_data = ca64;
            rc = mf_remote_secret(&a.rs, docs, &err);
        }
    } else if (strcmp(kind, "replication-sql") == 0) {
        is_sql = true;
        rc = mf_replication_sql(&a.sql, &out, &err);
    } else {
        fprintf(stderr, "pxcmesh generate: unknown kind '%s'\n%s", kind, generate_usage);
        rc = 2;
        goto done;
    }
    if (rc == 0 && !is_sql) {
        struct crdreg *reg = NULL;
        rc = crdreg_load(NULL, &reg, &err);
        if (rc == 0)
            rc = mf_validate(reg, docs, &err);
        crdreg_free(reg);
        if (rc == 0)
            gen_output(docs, &of, &out);
    }
    if (rc == 0) {
        fputs(out.s, stdout);
    } else {
        if (err.msg[0] != '\0')
            fprintf(stderr, "pxcmesh generate %s: %s\n", kind, err.msg);
        rc = rc == PXE_USAGE ? 2 : 1;
    }
done:
    explicit_bzero(out.s, out.len);
    strbuf_fini(&out);
    json_decref(docs);
    xfree_secret(token);
    free(ca);
    free(ca64);
    gen_args_free(&a);
    outfmt_fini(&of);
    if (remote.model != NULL)
        collect_result_fini(&remote);
    return rc;
}
