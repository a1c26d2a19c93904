/* cmd_get: `pxcmesh get KIND [NAME] [-n NS | -A] [-o FORMAT]`, a small kubectl get through
 * pxcmesh's own client on every selected cluster (--cluster/--context narrow it), for
 * debugging that client: discovery, pagination, authentication and error words are
 * exactly what the console uses. Secrets are refused.
 *
 * Output: a table with a CLUSTER column; -o json|yaml|jsonpath the server's answer as is
 * when one cluster is selected, and with several a List of every cluster's objects, each
 * marked with the annotation pxcmesh.io/cluster (docs/cli.md); -o name kind/NAME lines,
 * prefixed with CLUSTER/ when several clusters are selected.
 * Exit 0 printed, 1 a cluster could not be read (the others are printed; the error says
 * what and where), 2 usage. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "cmd.h"
#include "outfmt.h"
#include "tabw.h"
#include "config/config.h"
#include "kube/kube.h"
#include "live/live.h"
#include "model/model.h"

static int cmd_get_exec(const struct cmd_opts *opts, int argc, char **argv);

static const char *const get_kinds[] = {
    "pods", "namespaces", "services", "nodes", "statefulsets", "pxc", "serviceentries",
    "destinationrules", "peerauthentications", "mutatingwebhookconfigurations", NULL,
};

static const struct cmd_flag get_flags[] = {
    {"--namespace", "-n", CV_NAMESPACE, "NS", NULL, "list in one namespace (default: all)"},
    {"--all-namespaces", "-A", CV_NONE, NULL, NULL, "list in every namespace (the default)"},
    {"--output", "-o", CV_OUTPUT, "FORMAT", NULL,
     "json, yaml, wide, name, jsonpath=TEMPLATE"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_get_entry = {
    .name = "get",
    .usage = "get KIND [NAME] [-n NS | -A] [-o FORMAT]",
    .summary = "list objects of every selected cluster through pxcmesh's own Kubernetes "
               "client",
    .exec = cmd_get_exec,
    .subs = get_kinds,
    .opts = get_flags,
    .outputs = OUTFMT_OBJECTS,
};

static const char get_usage[] =
    "usage: pxcmesh get KIND [NAME] [-n NAMESPACE | -A] [-o json|yaml|wide|name|jsonpath=T]\n"
    "                   [--config FILE] [--context C]... [--cluster NAME]...\n"
    "Lists KIND in every selected cluster (a CLUSTER column); without -n, in all namespaces.\n"
    "kinds: pods, namespaces, services, nodes, statefulsets, pxc, serviceentries (se),\n"
    "       destinationrules (dr), peerauthentications (pa), mutatingwebhookconfigurations\n"
    "-o json|yaml|jsonpath: the server's answer for one cluster; for several, one List of\n"
    "every cluster's objects, each annotated pxcmesh.io/cluster.\n";

#define GET_CLUSTER_ANNOTATION "pxcmesh.io/cluster"

/* One cluster's answer. */
struct get_one {
    struct get_run *r;
    const char *cluster; /* borrowed from the config */
    json_t *body;        /* owned: the server's answer, NULL until it came or on failure */
    bool done;
};

struct get_run {
    uv_loop_t *loop;
    struct live *lv;
    struct model *m;
    const char *kind, *name, *ns;
    struct get_one *ones;
    size_t n_ones, n_pending;
    int exit_code;
};

static void
one_done(struct get_one *o)
{
    o->done = true;
    if (--o->r->n_pending == 0)
        uv_stop(o->r->loop);
}

static void
on_got(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct get_one *o = arg;
    (void)code;
    if (status != 0) {
        fprintf(stderr, "pxcmesh get: cluster %s: %s\n", o->cluster, err->msg);
        o->r->exit_code = 1;
    } else {
        o->body = json_incref(body);
    }
    one_done(o);
}

static void
on_ready(struct live *lv, int n_bad, void *arg)
{
    struct get_run *r = arg;
    (void)n_bad;
    for (size_t i = 0; i < r->n_ones; i++) {
        struct get_one *o = &r->ones[i];
        struct kube_client *kc = live_client(lv, o->cluster);
        struct m_cluster *c = model_cluster_find(r->m, o->cluster);
        struct pxerr err = {0};
        if (kc == NULL || c == NULL || !c->reachable) {
            /* A context that did not resolve has no client, but the model has its reason. */
            fprintf(stderr, "pxcmesh get: cluster %s: %s\n", o->cluster,
                    c && c->error[0] ? c->error : "cannot connect");
            r->exit_code = 1;
            one_done(o);
            continue;
        }
        if (r->exit_code == 2) {
            /* The kind was refused for a cluster already: it is the same for every one. */
            one_done(o);
            continue;
        }
        struct strbuf path;
        strbuf_init(&path);
        int rc = kube_kind_path(kc, r->kind, r->ns, r->name, &path, &err);
        if (rc == 0 && r->name)
            rc = kube_get(kc, path.s, on_got, o, NULL, &err);
        else if (rc == 0)
            rc = kube_list(kc, path.s, on_got, o, NULL, &err);
        strbuf_fini(&path);
        if (rc < 0) {
            fprintf(stderr, "pxcmesh get: %s\n", err.msg);
            r->exit_code = rc == PXE_NOTFOUND || rc == PXE_UNSUPPORTED || rc == PXE_INVAL ? 2 : 1;
            one_done(o);
        }
    }
}

static void
on_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* Object i of an answer: the one object, or item i of a List; NULL past the end. */
static json_t *
answer_item(json_t *body, bool one, size_t i)
{
    if (one)
        return i == 0 ? body : NULL;
    return json_array_get(json_object_get(body, "items"), i);
}

/* kubectl's name of an object's kind: "pod", "statefulset.apps",
 * "serviceentry.networking.istio.io". A List's items carry no kind: the List's tells. */
static void
kind_name(json_t *body, json_t *item, char *buf, size_t n)
{
    const char *kind = json_string_value(json_object_get(item, "kind"));
    const char *api = json_string_value(json_object_get(item, "apiVersion"));
    size_t klen = kind != NULL ? strlen(kind) : 0;
    if (kind == NULL) {
        kind = json_string_value(json_object_get(body, "kind"));
        api = json_string_value(json_object_get(body, "apiVersion"));
        klen = kind != NULL ? strlen(kind) : 0;
        if (klen > 4 && strcmp(kind + klen - 4, "List") == 0)
            klen -= 4;
    }
    size_t k = 0;
    for (size_t i = 0; i < klen && k + 1 < n; i++)
        buf[k++] = (char)tolower((unsigned char)kind[i]);
    const char *slash = api != NULL ? strchr(api, '/') : NULL;
    if (slash != NULL)
        k += (size_t)snprintf(buf + k, k < n ? n - k : 0, ".%.*s", (int)(slash - api), api);
    if (k < n)
        buf[k] = '\0';
    buf[n - 1] = '\0';
}

static void
age_of(json_t *md, char *age, size_t n)
{
    const char *ts = json_string_value(json_object_get(md, "creationTimestamp"));
    int64_t ms;
    snprintf(age, n, "?");
    if (ts && clock_parse_rfc3339(ts, &ms) == 0)
        clock_fmt_age(clock_wall_ms() - ms, age, n);
}

/* READY (ready containers / containers), STATUS, RESTARTS. */
static void
pod_cells(struct tabw *t, json_t *it)
{
    json_t *st = json_object_get(it, "status");
    json_t *cs = json_object_get(st, "containerStatuses");
    size_t n = json_array_size(json_object_get(json_object_get(it, "spec"), "containers"));
    int ready = 0, restarts = 0;
    size_t i;
    json_t *c;
    json_array_foreach (cs, i, c) {
        ready += json_is_true(json_object_get(c, "ready"));
        restarts += (int)json_integer_value(json_object_get(c, "restartCount"));
    }
    tabw_cellf(t, "%d/%zu", ready, n);
    const char *phase = json_string_value(json_object_get(st, "phase"));
    tabw_cell(t, phase ? phase : "?");
    tabw_cellf(t, "%d", restarts);
}

static void
labels_cell(struct tabw *t, json_t *md)
{
    struct strbuf sb;
    strbuf_init(&sb);
    const char *k;
    json_t *v;
    json_object_foreach (json_object_get(md, "labels"), k, v)
        strbuf_appendf(&sb, "%s%s=%s", sb.len ? "," : "", k, json_string_value(v));
    tabw_cell(t, sb.len ? sb.s : "<none>");
    strbuf_fini(&sb);
}

static void
print_table(struct get_run *r, bool wide)
{
    bool pods = strcmp(r->kind, "pods") == 0 || strcmp(r->kind, "pod") == 0 ||
                strcmp(r->kind, "po") == 0;
    bool any_ns = false;
    for (size_t c = 0; c < r->n_ones; c++) {
        json_t *body = r->ones[c].body;
        for (size_t i = 0; body != NULL && !any_ns; i++) {
            json_t *it = answer_item(body, r->name != NULL, i);
            if (it == NULL)
                break;
            any_ns = json_object_get(json_object_get(it, "metadata"), "namespace") != NULL;
        }
    }
    bool ns_col = any_ns && r->ns == NULL;
    struct tabw t;
    tabw_init(&t);
    tabw_row(&t);
    tabw_cell(&t, "CLUSTER");
    if (ns_col)
        tabw_cell(&t, "NAMESPACE");
    tabw_cell(&t, "NAME");
    if (pods) {
        tabw_cell(&t, "READY");
        tabw_cell(&t, "STATUS");
        tabw_cell(&t, "RESTARTS");
    }
    tabw_cell(&t, "AGE");
    if (wide && pods) {
        tabw_cell(&t, "IP");
        tabw_cell(&t, "NODE");
    } else if (wide) {
        tabw_cell(&t, "LABELS");
    }
    size_t n_rows = 0;
    for (size_t c = 0; c < r->n_ones; c++) {
        json_t *body = r->ones[c].body;
        for (size_t i = 0; body != NULL; i++) {
            json_t *it = answer_item(body, r->name != NULL, i);
            if (it == NULL)
                break;
            json_t *md = json_object_get(it, "metadata");
            const char *ns = json_string_value(json_object_get(md, "namespace"));
            const char *name = json_string_value(json_object_get(md, "name"));
            char age[16];
            age_of(md, age, sizeof age);
            tabw_row(&t);
            n_rows++;
            tabw_cell(&t, r->ones[c].cluster);
            if (ns_col)
                tabw_cell(&t, ns ? ns : "");
            tabw_cell(&t, name ? name : "?");
            if (pods)
                pod_cells(&t, it);
            tabw_cell(&t, age);
            if (wide && pods) {
                json_t *st = json_object_get(it, "status");
                const char *ip = json_string_value(json_object_get(st, "podIP"));
                const char *node =
                    json_string_value(json_object_get(json_object_get(it, "spec"), "nodeName"));
                tabw_cell(&t, ip ? ip : "-");
                tabw_cell(&t, node ? node : "-");
            } else if (wide) {
                labels_cell(&t, md);
            }
        }
    }
    if (n_rows > 0)
        tabw_flush(&t, stdout);
    else if (r->exit_code == 0)
        fprintf(stderr, "No resources found.\n");
    tabw_fini(&t);
}

/* The document -o json|yaml|jsonpath prints: owned. */
static json_t *
output_doc(struct get_run *r)
{
    if (r->n_ones == 1)
        return json_incref(r->ones[0].body != NULL ? r->ones[0].body : json_null());
    json_t *items = json_array();
    for (size_t c = 0; c < r->n_ones; c++) {
        json_t *body = r->ones[c].body;
        for (size_t i = 0; body != NULL; i++) {
            json_t *it = answer_item(body, r->name != NULL, i);
            if (it == NULL)
                break;
            json_t *copy = json_deep_copy(it);
            json_t *md = json_object_get(copy, "metadata");
            if (json_is_object(md)) {
                json_t *ann = json_object_get(md, "annotations");
                if (!json_is_object(ann)) {
                    ann = json_object();
                    json_object_set_new(md, "annotations", ann);
                }
                json_object_set_new(ann, GET_CLUSTER_ANNOTATION, json_string(r->ones[c].cluster));
            }
            json_array_append_new(items, copy);
        }
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "apiVersion", json_string("v1"));
    json_object_set_new(doc, "kind", json_string("List"));
    json_object_set_new(doc, "metadata", json_object());
    json_object_set_new(doc, "items", items);
    return doc;
}

static void
print_names(struct get_run *r)
{
    for (size_t c = 0; c < r->n_ones; c++) {
        json_t *body = r->ones[c].body;
        for (size_t i = 0; body != NULL; i++) {
            json_t *it = answer_item(body, r->name != NULL, i);
            if (it == NULL)
                break;
            char kind[200];
            kind_name(body, it, kind, sizeof kind);
            const char *name =
                json_string_value(json_object_get(json_object_get(it, "metadata"), "name"));
            printf("%s%s%s/%s\n", r->n_ones > 1 ? r->ones[c].cluster : "",
                   r->n_ones > 1 ? "/" : "", kind, name ? name : "?");
        }
    }
}

static int
get_parse(int argc, char **argv, struct get_run *r, struct outfmt *of, bool *all)
{
    static const struct option lo[] = {
        {"namespace", required_argument, NULL, 'n'},
        {"all-namespaces", no_argument, NULL, 'A'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0;
    opterr = 0;
    int ch;
    /* Permuting: options may follow KIND and NAME (kubectl habit). */
    while ((ch = getopt_long(argc, argv, "n:Ao:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'n':
            r->ns = optarg;
            break;
        case 'A':
            *all = true;
            break;
        case 'o':
            if (outfmt_set(of, "get", optarg, OUTFMT_OBJECTS) != 0)
                return 2;
            break;
        case 'h':
            fputs(get_usage, stdout);
            return -1;
        default:
            return cmd_usage_error("get", "unknown option '%s'", argv[optind - 1]);
        }
    }
    for (; optind < argc; optind++) {
        if (r->kind == NULL)
            r->kind = argv[optind];
        else if (r->name == NULL)
            r->name = argv[optind];
        else
            return cmd_usage_error("get", "unexpected argument '%s'", argv[optind]);
    }
    return 0;
}

static int
cmd_get_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    struct get_run r = {0};
    struct outfmt of = {0};
    bool all = false;
    int rc = get_parse(argc, argv, &r, &of, &all);
    if (rc == 0 && r.kind == NULL)
        rc = cmd_usage_error("get", "which KIND? e.g. pxcmesh get pods -n pxc");
    if (rc == 0 && all && r.ns)
        rc = cmd_usage_error("get", "give -n NAMESPACE or -A, not both");
    /* A name goes into the request path: refuse what is not a name ("../secrets/x") before
     * anything is sent. */
    struct pxerr nerr = {0};
    if (rc == 0 && ((r.name && kube_name_check(r.name, &nerr) < 0) ||
                    (r.ns && kube_name_check_ns(r.ns, &nerr) < 0)))
        rc = cmd_usage_error("get", "%s", nerr.msg);
    if (rc != 0) {
        outfmt_fini(&of);
        return rc < 0 ? 0 : rc;
    }

    struct pxerr err = {0};
    struct config *cfg = NULL;
    rc = cmd_kube_config(opts, &cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh get: %s\n", err.msg);
        outfmt_fini(&of);
        return rc == PXE_USAGE ? 2 : 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    r.loop = &loop;
    r.m = model_new();
    r.n_ones = r.n_pending = cfg->n_clusters;
    r.ones = xcalloc(cfg->n_clusters, sizeof *r.ones);
    for (size_t i = 0; i < cfg->n_clusters; i++)
        r.ones[i] = (struct get_one){.r = &r, .cluster = cfg->clusters[i].name};
    struct live_opts lo_ = {.readonly = true, .mode = KUBE_MODE_DISCOVER,
                            .kubeconfig = opts->kubeconfig, .on_synced = on_ready, .arg = &r};
    struct live *lv = NULL;
    if (live_start_opts(&loop, r.m, cfg, &lo_, &lv, &err) < 0) {
        fprintf(stderr, "pxcmesh get: %s\n", err.msg);
        r.exit_code = 1;
    } else {
        r.lv = lv;
        uv_timer_t deadline;
        uv_timer_init(&loop, &deadline);
        uv_timer_start(&deadline, on_deadline, 60000, 0);
        if (r.n_pending > 0)
            uv_run(&loop, UV_RUN_DEFAULT);
        for (size_t i = 0; i < r.n_ones; i++)
            if (!r.ones[i].done) {
                fprintf(stderr, "pxcmesh get: no answer from cluster %s within 60 s\n",
                        r.ones[i].cluster);
                r.exit_code = 1;
            }
        uv_close((uv_handle_t *)&deadline, NULL);
        if (r.exit_code != 2) {
            if (of.kind == OUTFMT_TEXT || of.kind == OUTFMT_WIDE) {
                print_table(&r, of.kind == OUTFMT_WIDE);
            } else if (of.kind == OUTFMT_NAME) {
                print_names(&r);
            } else {
                json_t *doc = output_doc(&r);
                outfmt_print_doc(&of, doc, stdout);
                json_decref(doc);
            }
        }
    }
    fflush(stdout);
    live_free(lv);
    uv_run(&loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(&loop); /* every handle closed above; nothing to report at exit */
    for (size_t i = 0; i < r.n_ones; i++)
        json_decref(r.ones[i].body);
    free(r.ones);
    model_free(r.m);
    config_free(cfg);
    outfmt_fini(&of);
    return r.exit_code;
}
