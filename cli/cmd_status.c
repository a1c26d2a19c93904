/* cmd_status: `pxcmesh status [--json] [--timeout S]`: connect to every configured cluster,
 * list everything once (no watch), print the snapshot (docs/status-json.md) or a readable
 * table, and exit 0 when every cluster and MySQL server answered, 1 when one could not be
 * reached or refused something (the output says which and why), 2 on usage errors. With
 * --replay FILE it contacts nothing: it prints the snapshot's clusters as the file has them
 * (findings included, not judged again), and its exit code says what the snapshot says.
 *
 * Hidden test hook `--follow SECONDS`: watch instead of listing once and, after the first
 * sync, print one compact JSON line per model change (time, and per cluster the pods, the
 * pods missing their sidecar, ServiceEntries and PXC states), for SECONDS. The integration
 * tests measure change-to-model latency with it; see docs/kube.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "clock.h"
#include "log.h"
#include "xmalloc.h"
#include "strbuf.h"
#include "cmd.h"
#include "outfmt.h"
#include "tabw.h"
#include "config/config.h"
#include "doctor/doctor.h"
#include "kube/kcfg.h"
#include "live/live.h"
#include "model/model.h"
#include "model/snap.h"

static int cmd_status_exec(const struct cmd_opts *opts, int argc, char **argv);

static const struct cmd_flag status_flags[] = {
    {"--output", "-o", CV_OUTPUT, "FORMAT", NULL,
     "json (the snapshot), yaml, wide (every pod, more columns), name, jsonpath=TEMPLATE"},
    {"--json", NULL, CV_NONE, NULL, NULL, "-o json"},
    {"--timeout", NULL, CV_NUMBER, "S", NULL, "seconds to wait for every cluster (default 30)"},
    {"--no-mysql", NULL, CV_NONE, NULL, NULL, "the Kubernetes objects alone, no MySQL server read"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .usage = "status [-o FORMAT] [--timeout S] [--no-mysql]",
    .summary = "list every cluster once and print the snapshot (exit 1 if a cluster or a MySQL "
               "server could not be read)",
    .flags = CMD_REPLAY,
    .exec = cmd_status_exec,
    .opts = status_flags,
    .outputs = OUTFMT_OBJECTS,
};

static const char status_usage[] =
    "usage: pxcmesh status [-o json|yaml|wide|name|jsonpath=T] [--timeout SECONDS] [--no-mysql]\n"
    "                      [--config FILE] [--context C]... [--cluster NAME]...\n"
    "                      [--replay SNAPSHOT]\n"
    "Connects to every cluster, lists pods, namespaces, PXC clusters, ServiceEntries and\n"
    "Istio once, reads every MySQL server once, prints the snapshot and exits: 0 all read,\n"
    "1 a cluster or a MySQL server could not be read, 2 usage. --no-mysql: the Kubernetes\n"
    "objects alone (no MySQL server is read). With --replay it reads a saved snapshot\n"
    "instead and contacts nothing. Text shows each cluster in a few lines, then the PXC pods\n"
    "(with Galera state and sidecar), ServiceEntries, channels and unread servers as tables;\n"
    "-o wide every pod with more columns; -o json is the snapshot (docs/status-json.md).\n";

struct status_run {
    uv_loop_t *loop;
    struct live *lv;
    struct model *m;
    bool synced;
    int n_bad;
    bool follow;
    uint64_t last_seq;
    int64_t t0_ms;
};

static void
on_synced(struct live *lv, int n_unreachable, void *arg)
{
    struct status_run *r = arg;
    (void)lv;
    r->synced = true;
    r->n_bad = n_unreachable;
    if (!r->follow)
        uv_stop(r->loop);
}

static void
on_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* One line per change (the --follow hook). */
static void
print_change_line(struct status_run *r)
{
    json_t *line = json_object();
    json_object_set_new(line, "t_ms", json_integer(clock_wall_ms()));
    json_object_set_new(line, "seq", json_integer((json_int_t)r->m->seq));
    json_t *cl = json_array();
    for (size_t i = 0; i < r->m->clusters.n; i++) {
        struct m_cluster *c = r->m->clusters.items[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(c->name));
        json_object_set_new(o, "reachable", json_boolean(c->reachable));
        json_object_set_new(o, "contact_ms", json_integer(c->updated_ms)); /* last good answer */
        json_object_set_new(o, "error", json_string(c->error));
        json_object_set_new(o, "pods", json_integer((json_int_t)c->pods.n));
        json_t *missing = json_array();
        for (size_t k = 0; k < c->pods.n; k++) {
            struct m_pod *p = c->pods.items[k];
            if (p->sidecar == SIDECAR_MISSING) {
                char *s = xasprintf("%s/%s", p->ns, p->name);
                json_array_append_new(missing, json_string(s));
                free(s);
            }
        }
        json_object_set_new(o, "sidecar_missing", missing);
        json_t *se = json_array();
        for (size_t k = 0; k < c->sentries.n; k++) {
            struct m_sentry *s = c->sentries.items[k];
            char *v = xasprintf("%s/%s", s->ns, s->name);
            json_array_append_new(se, json_string(v));
            free(v);
        }
        json_object_set_new(o, "serviceentries", se);
        json_t *px = json_array();
        for (size_t k = 0; k < c->pxcs.n; k++) {
            struct m_pxc *x = c->pxcs.items[k];
            char *v = xasprintf("%s/%s:%s", x->ns, x->name, x->state ? x->state : "");
            json_array_append_new(px, json_string(v));
            free(v);
        }
        json_object_set_new(o, "pxc", px);
        struct kube_client *kc = r->lv ? live_client(r->lv, c->name) : NULL;
        if (kc) {
            struct kube_stats st;
            kube_client_stats(kc, &st);
            json_object_set_new(o, "lists", json_integer((json_int_t)st.n_lists));
            json_object_set_new(o, "relists_410", json_integer((json_int_t)st.n_relists_410));
            json_object_set_new(o, "watches", json_integer((json_int_t)st.n_watches));
        }
        json_array_append_new(cl, o);
    }
    json_object_set_new(line, "clusters", cl);
    char *s = json_dumps(line, JSON_COMPACT);
    printf("%s\n", s);
    fflush(stdout);
    free(s);
    json_decref(line);
}

static void
on_check(uv_check_t *h)
{
    struct status_run *r = h->data;
    if (!r->synced || r->m->seq == r->last_seq)
        return;
    r->last_seq = r->m->seq;
    r->m->dirty = 0;
    print_change_line(r);
}

static void
head(struct tabw *t, const char *const *cells, size_t n)
{
    tabw_row(t);
    for (size_t i = 0; i < n; i++)
        tabw_cell(t, cells[i]);
}

/* A pod the summary lists: a PXC node (Galera read, or its component), or one in trouble. */
static bool
pod_listed(const struct m_pod *p)
{
    return p->galera.seen || (p->component != NULL && strcmp(p->component, "pxc") == 0) ||
           !p->ready || p->sidecar == SIDECAR_MISSING || p->galera.error != NULL;
}

static void
print_pods(const struct model *m, FILE *f, bool wide)
{
    struct tabw t;
    tabw_init(&t);
    static const char *const cols[] = {"CLUSTER", "NAMESPACE", "NAME",     "PHASE", "READY",
                                       "GALERA",  "SIZE",      "SIDECAR",  "IP",    "NODE",
                                       "RESTARTS", "AGE"};
    head(&t, cols, wide ? 12 : 8);
    size_t n_rows = 0, n_all = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->pods.n; k++) {
            const struct m_pod *p = c->pods.items[k];
            n_all++;
            if (!wide && !pod_listed(p))
                continue;
            n_rows++;
            tabw_row(&t);
            tabw_cell(&t, c->name);
            tabw_cell(&t, p->ns);
            tabw_cell(&t, p->name);
            tabw_cell(&t, p->phase ? p->phase : "?");
            tabw_cell(&t, p->ready ? "yes" : "no");
            if (p->galera.error != NULL)
                tabw_cellf(&t, "unreadable: %s", p->galera.error);
            else if (p->galera.known)
                tabw_cellf(&t, "%s/%s", p->galera.state ? p->galera.state : "?",
                           p->galera.status ? p->galera.status : "?");
            else
                tabw_cell(&t, "-");
            if (p->galera.known && p->galera.cluster_size >= 0)
                tabw_cellf(&t, "%d", p->galera.cluster_size);
            else
                tabw_cell(&t, "-");
            tabw_cellf(&t, "%s%s", model_sidecar_name(p->sidecar),
                       p->restart_needed ? " (restart needed)" : "");
            if (wide) {
                char age[16] = "?";
                if (p->created_ms > 0)
                    clock_fmt_age(clock_wall_ms() - p->created_ms, age, sizeof age);
                tabw_cell(&t, p->ip[0] ? p->ip : "-");
                tabw_cell(&t, p->node ? p->node : "-");
                tabw_cellf(&t, "%d", p->restarts);
                tabw_cell(&t, age);
            }
        }
    }
    if (n_rows > 0) {
        fputs("\nPODS", f);
        if (!wide && n_rows < n_all)
            fprintf(f, " (PXC nodes and pods in trouble: %zu of %zu; -o wide lists all)", n_rows,
                    n_all);
        fputc('\n', f);
        tabw_flush(&t, f);
    }
    tabw_fini(&t);
}

static void
print_sentries(const struct model *m, FILE *f, bool wide)
{
    struct tabw t;
    tabw_init(&t);
    static const char *const cols[] = {"CLUSTER", "NAMESPACE", "NAME", "HOSTS", "ENDPOINTS",
                                       "RESOLUTION", "ADDRESSES", "PORTS"};
    head(&t, cols, wide ? 8 : 6);
    size_t n = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->sentries.n; k++, n++) {
            const struct m_sentry *se = c->sentries.items[k];
            struct strbuf hosts, eps;
            strbuf_init(&hosts);
            strbuf_init(&eps);
            for (int h = 0; h < se->n_hosts; h++)
                strbuf_appendf(&hosts, "%s%s", h ? "," : "", se->hosts[h]);
            for (int e = 0; e < se->n_endpoints; e++)
                strbuf_appendf(&eps, "%s%s", e ? "," : "", se->endpoints[e].address);
            tabw_row(&t);
            tabw_cell(&t, c->name);
            tabw_cell(&t, se->ns);
            tabw_cell(&t, se->name);
            tabw_cell(&t, hosts.len ? hosts.s : "-");
            tabw_cell(&t, eps.len ? eps.s : "-");
            tabw_cell(&t, se->resolution ? se->resolution : "-");
            if (wide) {
                strbuf_reset(&hosts);
                for (int a = 0; a < se->n_addresses; a++)
                    strbuf_appendf(&hosts, "%s%s", a ? "," : "", se->addresses[a]);
                tabw_cell(&t, hosts.len ? hosts.s : "-");
                strbuf_reset(&eps);
                for (int p = 0; p < se->n_ports; p++)
                    strbuf_appendf(&eps, "%s%d/%s", p ? "," : "", se->ports[p].number,
                                   se->ports[p].protocol);
                tabw_cell(&t, eps.len ? eps.s : "-");
            }
            strbuf_fini(&hosts);
            strbuf_fini(&eps);
        }
    }
    if (n > 0) {
        fputs("\nSERVICEENTRIES\n", f);
        tabw_flush(&t, f);
    }
    tabw_fini(&t);
}

static void
print_channels(const struct model *m, FILE *f, bool wide)
{
    struct tabw t;
    tabw_init(&t);
    static const char *const cols[] = {"CLUSTER", "SERVER",     "CHANNEL",   "IO",  "SQL", "LAG",
                                       "SOURCE",  "ERROR",      "GTID-GAP", "RETRIES"};
    head(&t, cols, wide ? 10 : 8);
    size_t n = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->channels.n; k++, n++) {
            const struct m_channel *ch = c->channels.items[k];
            tabw_row(&t);
            tabw_cell(&t, c->name);
            tabw_cell(&t, ch->server);
            tabw_cell(&t, ch->name[0] ? ch->name : "''");
            tabw_cell(&t, model_thread_name(ch->io));
            tabw_cell(&t, model_thread_name(ch->sql));
            if (ch->lag_s < 0)
                tabw_cell(&t, "?");
            else
                tabw_cellf(&t, "%.0fs", ch->lag_s);
            tabw_cellf(&t, "%s:%d", ch->source_host ? ch->source_host : "?", ch->source_port);
            if (ch->error[0])
                tabw_cell(&t, ch->error);
            else if (ch->last_io_errno)
                tabw_cellf(&t, "IO %d: %s", ch->last_io_errno, ch->last_io_error);
            else if (ch->last_sql_errno)
                tabw_cellf(&t, "SQL %d: %s", ch->last_sql_errno, ch->last_sql_error);
            else
                tabw_cell(&t, "-");
            if (wide) {
                if (ch->gtid_gap < 0)
                    tabw_cell(&t, "?");
                else
                    tabw_cellf(&t, "%lld", (long long)ch->gtid_gap);
                tabw_cellf(&t, "%d", ch->retry_count);
            }
        }
    }
    if (n > 0) {
        fputs("\nCHANNELS\n", f);
        tabw_flush(&t, f);
    }
    tabw_fini(&t);
}

static void
print_servers_unread(const struct model *m, FILE *f)
{
    struct tabw t;
    tabw_init(&t);
    static const char *const cols[] = {"CLUSTER", "SERVER", "ADDRESS", "ROUTE", "ERROR"};
    head(&t, cols, 5);
    size_t n = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->servers.n; k++) {
            const struct m_server *sv = c->servers.items[k];
            if (sv->error[0] == '\0')
                continue;
            n++;
            tabw_row(&t);
            tabw_cell(&t, c->name);
            tabw_cell(&t, sv->name);
            tabw_cellf(&t, "%s:%d", sv->host, sv->port);
            tabw_cell(&t, sv->route ? sv->route : "direct");
            tabw_cell(&t, sv->error);
        }
    }
    if (n > 0) {
        fputs("\nMYSQL SERVERS NOT READ\n", f);
        tabw_flush(&t, f);
    }
    tabw_fini(&t);
}

/* Everything the snapshot has, summarised: per cluster its API, Istio, PXC, namespaces
 * and servers in a few lines, then the pods, ServiceEntries, channels and unread servers
 * as tables with a CLUSTER column, and the findings counted. */
static void
print_table(const struct model *m, FILE *f, bool wide)
{
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        int injected = 0, missing = 0, ready = 0, bad = 0;
        for (size_t k = 0; k < c->pods.n; k++) {
            const struct m_pod *p = c->pods.items[k];
            injected += p->sidecar == SIDECAR_INJECTED;
            missing += p->sidecar == SIDECAR_MISSING;
            ready += p->ready;
        }
        for (size_t k = 0; k < c->servers.n; k++)
            bad += ((const struct m_server *)c->servers.items[k])->error[0] != '\0';
        fprintf(f, "%sCLUSTER %s (context %s, %s)%s\n", i ? "\n" : "", c->name, c->context,
                c->server, c->insecure ? "  [insecure-skip-tls-verify]" : "");
        fprintf(f, "  api:        %s%s%s\n", c->reachable ? "reachable" : "NOT REACHABLE",
                c->error[0] ? ": " : "", c->error);
        fprintf(f, "  istio:      %s%s%s\n", c->istio_installed ? "installed" : "not found",
                c->istio_version ? ", version " : "", c->istio_version ? c->istio_version : "");
        for (size_t k = 0; k < c->pxcs.n; k++) {
            const struct m_pxc *x = c->pxcs.items[k];
            fprintf(f, "  pxc:        %s/%s %s, %d/%d ready, %zu channel(s)\n", x->ns, x->name,
                    x->state ? x->state : "unknown", x->ready, x->size, x->channels.n);
        }
        fprintf(f, "  pods:       %zu, %d ready; %d with sidecar, %d missing it\n", c->pods.n,
                ready, injected, missing);
        for (size_t k = 0; k < c->namespaces.n; k++) {
            const struct m_namespace *ns = c->namespaces.items[k];
            if (ns->injection != INJ_NONE)
                fprintf(f, "  injection:  namespace %s %s%s%s\n", ns->name,
                        model_injection_name(ns->injection), ns->revision ? " rev " : "",
                        ns->revision ? ns->revision : "");
        }
        fprintf(f, "  mysql:      %zu server(s), %d not read; %zu channel(s)\n", c->servers.n, bad,
                c->channels.n);
        fprintf(f, "  mesh:       %zu ServiceEntr%s, %zu node(s)\n", c->sentries.n,
                c->sentries.n == 1 ? "y" : "ies", c->nodes.n);
    }
    print_pods(m, f, wide);
    print_sentries(m, f, wide);
    print_channels(m, f, wide);
    print_servers_unread(m, f);
    int sev[3] = {0};
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *fd = m->findings.items[i];
        sev[fd->severity <= SEV_ERROR ? fd->severity : SEV_ERROR]++;
    }
    fprintf(f, "\nFINDINGS: %zu (%d error%s, %d warning%s, %d info)%s\n", m->findings.n,
            sev[SEV_ERROR], sev[SEV_ERROR] == 1 ? "" : "s", sev[SEV_WARNING],
            sev[SEV_WARNING] == 1 ? "" : "s", sev[SEV_INFO],
            m->findings.n ? ": pxcmesh doctor shows them with their fixes" : "");
}

/* The model in the output asked for. 0, or 1 when the snapshot could not be written. */
static int
status_print(const struct model *m, const struct outfmt *of)
{
    struct pxerr err = {0};
    switch (of->kind) {
    case OUTFMT_TEXT:
    case OUTFMT_WIDE:
        print_table(m, stdout, of->kind == OUTFMT_WIDE);
        return 0;
    case OUTFMT_NAME:
        for (size_t i = 0; i < m->clusters.n; i++)
            printf("cluster/%s\n", ((const struct m_cluster *)m->clusters.items[i])->name);
        return 0;
    case OUTFMT_JSON:
        /* Streamed: 20,000 pods are 10 MB of text that need never be held. */
        if (snap_write_file(m, stdout, "standard output", &err) < 0) {
            fprintf(stderr, "pxcmesh status: %s\n", err.msg);
            return 1;
        }
        return 0;
    default:
        break;
    }
    struct strbuf out;
    strbuf_init(&out);
    int rc = 0;
    json_error_t je;
    json_t *doc = NULL;
    if (snap_write(m, &out, &err) < 0 || (doc = json_loads(out.s, 0, &je)) == NULL) {
        fprintf(stderr, "pxcmesh status: %s\n", err.msg[0] ? err.msg : je.text);
        rc = 1;
    } else {
        outfmt_print_doc(of, doc, stdout);
    }
    json_decref(doc);
    strbuf_fini(&out);
    return rc;
}

/* --replay: the snapshot as its file has it. Exit as a live status would have: 1 when it
 * records a cluster that was unreachable or had an error. */
static int
status_replay(const struct cmd_opts *opts, const char *path, const struct outfmt *of)
{
    struct pxerr err = {0};
    struct model *m = model_new();
    if (snap_load_file(path, m, &err) != 0) {
        fprintf(stderr, "pxcmesh status: %s\n", err.msg);
        model_free(m);
        return 1;
    }
    int exit_code = cmd_replay_select(m, opts, "status");
    if (exit_code != 0) {
        model_free(m);
        return exit_code;
    }
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        if (!c->reachable || c->error[0])
            exit_code = 1;
    }
    if (of->kind == OUTFMT_JSON) {
        /* As the file has it, byte for byte (a written snapshot reads back the same). */
        struct strbuf out;
        strbuf_init(&out);
        if (snap_write(m, &out, &err) < 0) {
            fprintf(stderr, "pxcmesh status: %s\n", err.msg);
            exit_code = 1;
        } else {
            fputs(out.s, stdout);
        }
        strbuf_fini(&out);
    } else if (status_print(m, of) != 0) {
        exit_code = 1;
    }
    fflush(stdout);
    model_free(m);
    return exit_code;
}

static int status_run(const struct cmd_opts *opts, int argc, char **argv,
                      const struct outfmt *of, bool no_mysql, int timeout_s, int follow_s);

static int
cmd_status_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    bool no_mysql = false;
    struct outfmt of = {0};
    int timeout_s = 30, follow_s = 0;
    static const struct option lo[] = {
        {"json", no_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"no-mysql", no_argument, NULL, 'M'},
        {"timeout", required_argument, NULL, 't'},
        {"follow", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+jo:t:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'j':
        case 'o':
            if (outfmt_set(&of, "status", ch == 'j' ? "json" : optarg, OUTFMT_OBJECTS) != 0)
                return 2;
            break;
        case 'M':
            no_mysql = true;
            break;
        case 't':
            timeout_s = atoi(optarg);
            if (timeout_s <= 0) {
                outfmt_fini(&of);
                return cmd_usage_error("status", "--timeout needs a positive number of seconds, "
                                       "got '%s'", optarg);
            }
            break;
        case 'F':
            follow_s = atoi(optarg);
            if (follow_s <= 0) {
                outfmt_fini(&of);
                return cmd_usage_error("status", "--follow needs seconds, got '%s'", optarg);
            }
            break;
        case 'h':
            outfmt_fini(&of);
            fputs(status_usage, stdout);
            return 0;
        default:
            outfmt_fini(&of);
            return cmd_usage_error("status", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int rc = status_run(opts, argc, argv, &of, no_mysql, timeout_s, follow_s);
    outfmt_fini(&of);
    return rc;
}

static int
status_run(const struct cmd_opts *opts, int argc, char **argv, const struct outfmt *of,
           bool no_mysql, int timeout_s, int follow_s)
{
    if (optind < argc)
        return cmd_usage_error("status", "unexpected argument '%s'", argv[optind]);
    if (opts->replay != NULL) {
        if (follow_s > 0)
            return cmd_usage_error("status", "--follow watches live clusters; a --replay "
                                             "snapshot does not change");
        return status_replay(opts, opts->replay, of);
    }

    struct pxerr err = {0};
    if (opts->log_path != NULL && log_open(opts->log_path, LOG_DEBUG, &err) < 0) {
        fprintf(stderr, "pxcmesh status: %s\n", err.msg);
        return 1;
    }
    struct config *cfg = NULL;
    int rc = cmd_kube_config(opts, &cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh status: %s\n", err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }

    uv_loop_t loop;
    uv_loop_init(&loop);
    struct model *m = model_new();
    struct status_run r = {.loop = &loop, .m = m, .follow = follow_s > 0,
                           .t0_ms = clock_wall_ms()};
    struct live_opts lo_ = {
        .readonly = opts->readonly,
        .mode = follow_s > 0 ? KUBE_MODE_WATCH : KUBE_MODE_LIST_ONCE,
        .kubeconfig = opts->kubeconfig,
        .on_synced = on_synced,
        .arg = &r,
        .no_mysql = no_mysql,
    };
    struct live *lv = NULL;
    if (live_start_opts(&loop, m, cfg, &lo_, &lv, &err) < 0) {
        fprintf(stderr, "pxcmesh status: %s\n", err.msg);
        config_free(cfg);
        model_free(m);
        uv_loop_close(&loop);
        return 1;
    }
    r.lv = lv;
    uv_timer_t deadline;
    uv_timer_init(&loop, &deadline);
    uv_check_t check;
    uv_check_init(&loop, &check);
    check.data = &r;
    if (follow_s > 0) {
        uv_check_start(&check, on_check);
        uv_timer_start(&deadline, on_deadline, (uint64_t)follow_s * 1000, 0);
    } else {
        uv_timer_start(&deadline, on_deadline, (uint64_t)timeout_s * 1000, 0);
    }
    if (!r.synced || follow_s > 0)
        uv_run(&loop, UV_RUN_DEFAULT);

    int exit_code = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        struct m_cluster *c = m->clusters.items[i];
        if (!r.synced && c->error[0] == '\0' && !c->reachable)
            model_cluster_set_error(m, c, "no complete answer within %d s from %s; check the "
                                    "server address and network", timeout_s, c->server);
        if (!c->reachable || c->error[0])
            exit_code = 1;
        /* A server that could not be read is no healthy server: scripts must see it. */
        for (size_t k = 0; k < c->servers.n; k++) {
            const struct m_server *s = c->servers.items[k];
            if (s->error[0] != '\0') {
                fprintf(stderr, "pxcmesh status: %s: %s\n", c->name, s->error);
                exit_code = 1;
            }
        }
    }
    if (!r.synced && follow_s == 0)
        exit_code = 1;

    if (follow_s == 0) {
        /* The snapshot carries the doctor's findings (docs/status-json.md). */
        struct health_limits lim = health_limits_from_config(cfg);
        struct doctor_opts dopts = {.limits = &lim, .cfg = cfg};
        (void)doctor_run(m, &dopts); /* the count matters to `doctor`, not to status */
        if (status_print(m, of) != 0)
            exit_code = 1;
    }
    fflush(stdout);

    live_free(lv);
    uv_close((uv_handle_t *)&deadline, NULL);
    uv_close((uv_handle_t *)&check, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) { /* a leaked handle is a bug the tests must see */
        fprintf(stderr, "pxcmesh status: internal error: libuv handles left open at exit\n");
        exit_code = 1;
    }
    model_free(m);
    config_free(cfg);
    log_close();
    return exit_code;
}
