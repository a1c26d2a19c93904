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
#include "cmd.h"
#include "config/config.h"
#include "doctor/doctor.h"
#include "kube/kcfg.h"
#include "live/live.h"
#include "model/model.h"
#include "model/snap.h"

static int cmd_status_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_status_entry = {
    .name = "status",
    .usage = "status [--json] [--timeout S] [--no-mysql]",
    .summary = "list every cluster once and print the snapshot (exit 1 if a cluster or a MySQL "
               "server could not be read)",
    .flags = CMD_REPLAY,
    .exec = cmd_status_exec,
};

static const char status_usage[] =
    "usage: pxcmesh status [--json] [--timeout SECONDS] [--no-mysql]\n"
    "                      [--config FILE | --kubeconfig FILE --context C [--context C ...]\n"
    "                       | --replay SNAPSHOT]\n"
    "Connects to every cluster, lists pods, namespaces, PXC clusters, ServiceEntries and\n"
    "Istio once, reads every MySQL server once, prints the snapshot and exits: 0 all read,\n"
    "1 a cluster or a MySQL server could not be read, 2 usage. --no-mysql: the Kubernetes\n"
    "objects alone (no MySQL server is read). With --replay it reads a saved snapshot\n"
    "instead and contacts nothing.\n";

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
print_table(const struct model *m, FILE *f)
{
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        int injected = 0, missing = 0;
        for (size_t k = 0; k < c->pods.n; k++) {
            const struct m_pod *p = c->pods.items[k];
            injected += p->sidecar == SIDECAR_INJECTED;
            missing += p->sidecar == SIDECAR_MISSING;
        }
        fprintf(f, "CLUSTER %s (context %s, %s)%s\n", c->name, c->context, c->server,
                c->insecure ? "  [insecure-skip-tls-verify]" : "");
        fprintf(f, "  reachable: %s\n", c->reachable ? "yes" : "NO");
        if (c->error[0])
            fprintf(f, "  error:     %s\n", c->error);
        fprintf(f, "  istio:     %s%s%s\n", c->istio_installed ? "installed" : "not found",
                c->istio_version ? ", version " : "", c->istio_version ? c->istio_version : "");
        fprintf(f, "  pods:      %zu (%d with sidecar, %d missing it)\n", c->pods.n, injected,
                missing);
        for (size_t k = 0; k < c->pods.n; k++) {
            const struct m_pod *p = c->pods.items[k];
            if (p->sidecar == SIDECAR_MISSING)
                fprintf(f, "    missing sidecar: %s/%s%s\n", p->ns, p->name,
                        p->restart_needed ? " (restart needed)" : "");
        }
        for (size_t k = 0; k < c->namespaces.n; k++) {
            const struct m_namespace *ns = c->namespaces.items[k];
            if (ns->injection != INJ_NONE)
                fprintf(f, "  namespace %s: injection %s%s%s\n", ns->name,
                        model_injection_name(ns->injection), ns->revision ? " rev " : "",
                        ns->revision ? ns->revision : "");
        }
        for (size_t k = 0; k < c->pxcs.n; k++) {
            const struct m_pxc *x = c->pxcs.items[k];
            fprintf(f, "  pxc %s/%s: %s, %d/%d ready\n", x->ns, x->name,
                    x->state ? x->state : "unknown", x->ready, x->size);
        }
        for (size_t k = 0; k < c->servers.n; k++) {
            const struct m_server *s = c->servers.items[k];
            fprintf(f, "  mysql %s (%s:%d)%s%s: %s\n", s->name, s->host, s->port,
                    s->route ? " via " : "", s->route ? s->route : "",
                    s->error[0] ? s->error : "read");
        }
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *s = c->sentries.items[k];
            fprintf(f, "  serviceentry %s/%s: hosts", s->ns, s->name);
            for (int h = 0; h < s->n_hosts; h++)
                fprintf(f, " %s", s->hosts[h]);
            fprintf(f, ", %d endpoint(s)%s%s\n", s->n_endpoints, s->resolution ? ", " : "",
                    s->resolution ? s->resolution : "");
        }
    }
}

/* --replay: the snapshot as its file has it. Exit as a live status would have: 1 when it
 * records a cluster that was unreachable or had an error. */
static int
status_replay(const char *path, bool json)
{
    struct pxerr err = {0};
    struct model *m = model_new();
    if (snap_load_file(path, m, &err) != 0) {
        fprintf(stderr, "pxcmesh status: %s\n", err.msg);
        model_free(m);
        return 1;
    }
    int exit_code = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        if (!c->reachable || c->error[0])
            exit_code = 1;
    }
    if (json) {
        struct strbuf out;
        strbuf_init(&out);
        if (snap_write(m, &out, &err) < 0) {
            fprintf(stderr, "pxcmesh status: %s\n", err.msg);
            exit_code = 1;
        } else {
            fputs(out.s, stdout);
        }
        strbuf_fini(&out);
    } else {
        print_table(m, stdout);
    }
    fflush(stdout);
    model_free(m);
    return exit_code;
}

static int
cmd_status_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    bool json = false, no_mysql = false;
    int timeout_s = 30, follow_s = 0;
    static const struct option lo[] = {
        {"json", no_argument, NULL, 'j'},
        {"no-mysql", no_argument, NULL, 'M'},
        {"timeout", required_argument, NULL, 't'},
        {"follow", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+jt:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'j':
            json = true;
            break;
        case 'M':
            no_mysql = true;
            break;
        case 't':
            timeout_s = atoi(optarg);
            if (timeout_s <= 0)
                return cmd_usage_error("status", "--timeout needs a positive number of seconds, "
                                       "got '%s'", optarg);
            break;
        case 'F':
            follow_s = atoi(optarg);
            if (follow_s <= 0)
                return cmd_usage_error("status", "--follow needs seconds, got '%s'", optarg);
            break;
        case 'h':
            fputs(status_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("status", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cmd_usage_error("status", "unexpected argument '%s'", argv[optind]);
    if (opts->replay != NULL) {
        if (follow_s > 0)
            return cmd_usage_error("status", "--follow watches live clusters; a --replay "
                                             "snapshot does not change");
        return status_replay(opts->replay, json);
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
        if (json) {
            /* Streamed: 20,000 pods are 10 MB of text that need never be held. */
            if (snap_write_file(m, stdout, "standard output", &err) < 0) {
                fprintf(stderr, "pxcmesh status: %s\n", err.msg);
                exit_code = 1;
            }
        } else {
            print_table(m, stdout);
        }
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
