/* mysql_poll: decides what to read from which MySQL server and when: the servers (listed,
 * or discovered from the PXC pods), the rounds, the passwords (environment, option file or
 * Kubernetes Secret) and the channel actions. The reading itself is mysqlc's (worker
 * threads); what the answers mean for the model is mysql_poll_apply.c's. */
#include "mysql/mysql_poll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "config/config_optread.h"
#include "model/model_source.h"
#include "mysql/mysql_poll_internal.h"
#include "mysql/mysql_route.h"
#include "mysql/mysqlc.h"

enum { ROLE_STATUS, ROLE_ACTION };

struct pw_from {
    enum config_pw_kind kind;
    char *ns, *name, *key, *env, *file, *group;
};

#define CRED_RETRY_MS 10000 /* a failed Secret read is retried after this */

struct cred {
    struct mysql_poll *p;
    int role;
    char *user;
    struct pw_from from;
    char *password; /* secret, NULL: not known yet */
    bool fetching;
    uint64_t failed_ms;   /* mono ms of the last failed Secret or option file read, 0 none:
                             it is retried only after CRED_RETRY_MS, not at once from
                             cred_ready */
    struct kube_req *req; /* Secret read in flight */
    struct config_optread *optreq; /* option file read in flight (on a worker) */
    char error[512];      /* why it is not known, "" */
};

struct action_req {
    struct mysql_poll *p;
    char *server;
    mysql_poll_action_cb *cb;
    void *arg;
};

/* An action waiting for the action user's password (a Secret or option file read in
 * flight): owned copies. */
struct pend_action {
    struct pend_action *next;
    char *server;
    struct sqlq_action a;
    struct sqlq_source src;
    mysql_poll_action_cb *cb;
    void *arg;
};

struct mysql_poll {
    uv_loop_t *loop;
    struct model *m;
    char *cluster;
    char *context;
    enum config_mysql_mode mode;
    char *pxc_cluster;
    char *heartbeat_table;
    bool want_override;
    enum sqlq_dialect override;
    int connect_timeout_s, read_timeout_s, write_timeout_s;
    int refresh_s;
    struct mysql_poll_opts o;
    struct cred cred[2];
    struct mysqlc_hub *hub;
    struct mysql_route *route; /* auto and port-forward: how each pod is reached */
    uv_timer_t timer;
    struct vec servers; /* owned struct mp_server * */
    int round;          /* rounds completed */
    int outstanding;    /* reads of the open round not answered yet */
    bool round_open;
    bool closing;
    char error[256];
    struct pend_action *pending; /* actions waiting for a password */
};

static void cred_ready(struct mysql_poll *p, int role);
static bool read_server(struct mysql_poll *p, struct mp_server *s);
static void run_pending(struct mysql_poll *p, int status);

/* ------------------------------------------------------------------ helpers */

static void
pw_copy(struct pw_from *d, const struct config_pw_from *s)
{
    d->kind = s->kind;
    d->ns = xstrdup_or_null(s->secret_namespace);
    d->name = xstrdup_or_null(s->secret_name);
    d->key = xstrdup_or_null(s->secret_key);
    d->env = xstrdup_or_null(s->env);
    d->file = xstrdup_or_null(s->option_file);
    d->group = xstrdup_or_null(s->option_group);
}

static void
cred_fini(struct cred *c)
{
    if (c->req)
        kube_req_cancel(c->req);
    c->req = NULL;
    config_optread_cancel(c->optreq);
    c->optreq = NULL;
    free(c->user);
    free(c->from.ns);
    free(c->from.name);
    free(c->from.key);
    free(c->from.env);
    free(c->from.file);
    free(c->from.group);
    xfree_secret(c->password);
    memset(c, 0, sizeof *c);
}

static struct m_cluster *
cluster_of(struct mysql_poll *p)
{
    struct m_cluster *c = model_cluster_find(p->m, p->cluster);
    if (c == NULL)
        c = model_cluster_add(p->m, p->cluster, p->context, "");
    return c;
}

static struct mp_apply
apply_to(const struct mysql_poll *p)
{
    return (struct mp_apply){p->m, p->cluster, p->want_override, p->override};
}

static const char *
role_name(int role)
{
    return role == ROLE_STATUS ? "status" : "action";
}

/* ------------------------------------------------------------------ passwords */

static void on_secret(int status, const char *value, size_t len, const struct pxerr *err,
                      void *arg);

/* Make the password of role known, synchronously from the environment. Returns 0 when it
 * is known; PXE_* with cred->error otherwise (a Secret or option file read may then be in
 * flight; its answer comes to on_secret). */
static int
cred_resolve(struct mysql_poll *p, int role)
{
    struct cred *c = &p->cred[role];
    if (c->password != NULL)
        return 0;
    struct pxerr e = {0};
    switch (c->from.kind) {
    case CONFIG_PW_ENV: {
        const char *v = c->from.env ? getenv(c->from.env) : NULL;
        if (v == NULL) {
            snprintf(c->error, sizeof c->error,
                     "%s user '%s': environment variable %s is not set (passwordFrom.env)",
                     role_name(role), c->user, c->from.env ? c->from.env : "?");
            return PXE_NOTFOUND;
        }
        c->password = xstrdup(v);
        break;
    }
    case CONFIG_PW_OPTION_FILE: {
        /* Read on a worker: a file read on the loop could stall the console. */
        if (c->fetching)
            return PXE_NOTFOUND;
        if (c->failed_ms != 0 && clock_mono_ms() - c->failed_ms < CRED_RETRY_MS)
            return PXE_NOTFOUND; /* c->error still says why */
        int rc = config_optread_start(p->loop, c->from.file, c->from.group, on_secret, c,
                                      &c->optreq, &e);
        if (rc < 0) {
            snprintf(c->error, sizeof c->error, "%s user '%s': %s", role_name(role), c->user,
                     e.msg);
            return rc;
        }
        c->fetching = true;
        snprintf(c->error, sizeof c->error, "%s user '%s': reading the password from %s",
                 role_name(role), c->user, c->from.file);
        return PXE_NOTFOUND;
    }
    case CONFIG_PW_SECRET: {
        if (c->fetching)
            return PXE_NOTFOUND;
        /* A missing or forbidden Secret would otherwise be read again at once by the
         * cred_ready that reports the failure: thousands of GETs a second. */
        if (c->failed_ms != 0 && clock_mono_ms() - c->failed_ms < CRED_RETRY_MS)
            return PXE_NOTFOUND; /* c->error still says why */
        if (p->o.kc == NULL) {
            snprintf(c->error, sizeof c->error,
                     "%s user '%s': the password is in a Kubernetes Secret, but cluster %s has "
                     "no Kubernetes client (check its context)",
                     role_name(role), c->user, p->cluster);
            return PXE_NOTFOUND;
        }
        /* Secret name and namespace default to the PXC CR's spec.secretsName. */
        const char *ns = c->from.ns, *name = c->from.name;
        struct m_cluster *mc = cluster_of(p);
        for (size_t i = 0; (ns == NULL || name == NULL) && i < mc->pxcs.n; i++) {
            struct m_pxc *x = mc->pxcs.items[i];
            if (p->pxc_cluster && strcmp(x->name, p->pxc_cluster) != 0)
                continue;
            if (ns == NULL)
                ns = x->ns;
            if (name == NULL)
                name = x->secrets_name;
        }
        if (ns == NULL || name == NULL) {
            snprintf(c->error, sizeof c->error,
                     "%s user '%s': no PXC cluster seen yet in %s to take the Secret name from "
                     "(or set passwordFrom.secret.name/namespace)",
                     role_name(role), c->user, p->cluster);
            return PXE_NOTFOUND;
        }
        int rc = kube_secret_get(p->o.kc, ns, name, c->from.key ? c->from.key : c->user, on_secret,
                                 &p->cred[role], &c->req, &e);
        if (rc < 0) {
            snprintf(c->error, sizeof c->error, "%s user '%s': %s", role_name(role), c->user,
                     e.msg);
            return rc;
        }
        c->fetching = true;
        snprintf(c->error, sizeof c->error,
                 "%s user '%s': reading the password from Secret "
                 "%s/%s",
                 role_name(role), c->user, ns, name);
        return PXE_NOTFOUND;
    }
    }
    c->error[0] = '\0';
    return 0;
}

static void
on_secret(int status, const char *value, size_t len, const struct pxerr *err, void *arg)
{
    struct cred *c = arg;
    c->fetching = false;
    c->req = NULL;
    c->optreq = NULL;
    if (status != 0) {
        c->failed_ms = clock_mono_ms();
        snprintf(c->error, sizeof c->error, "%s user '%s': %s", role_name(c->role), c->user,
                 err ? err->msg : "cannot read the Secret");
        cred_ready(c->p, c->role);
        return;
    }
    xfree_secret(c->password);
    c->password = xstrndup(value, len);
    c->error[0] = '\0';
    cred_ready(c->p, c->role);
}

/* ------------------------------------------------------------------ servers */

static void
server_free(void *ptr)
{
    struct mp_server *s = ptr;
    if (s->conn)
        mysqlc_conn_close(s->conn);
    if (s->aconn)
        mysqlc_conn_close(s->aconn);
    free(s->name);
    free(s->host);
    free(s);
}

static struct mp_server *
server_find(struct mysql_poll *p, const char *name)
{
    for (size_t i = 0; i < p->servers.n; i++) {
        struct mp_server *s = p->servers.items[i];
        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static struct mp_server *
server_add(struct mysql_poll *p, const char *name, const char *host, int port)
{
    struct mp_server *s = xcalloc(1, sizeof *s);
    s->p = p;
    s->name = xstrdup(name);
    s->host = xstrdup(host);
    s->port = port;
    vec_push(&p->servers, s);
    return s;
}

static struct mysqlc_conn *
server_conn(struct mysql_poll *p, struct mp_server *s, int role, struct pxerr *err)
{
    struct mysqlc_conn **slot = role == ROLE_STATUS ? &s->conn : &s->aconn;
    if (*slot != NULL)
        return *slot;
    int rc = cred_resolve(p, role);
    if (rc < 0) {
        pxerr_set(err, rc, "%s", p->cred[role].error);
        return NULL;
    }
    char name[300];
    snprintf(name, sizeof name, "%s%s", s->name, role == ROLE_ACTION ? " (action user)" : "");
    struct mysqlc_opts o = {.name = name,
                            .host = s->host,
                            .port = s->port,
                            .user = p->cred[role].user,
                            .password = p->cred[role].password,
                            .connect_timeout_s = p->connect_timeout_s,
                            .read_timeout_s = p->read_timeout_s,
                            .write_timeout_s = p->write_timeout_s,
                            .status_only = role == ROLE_STATUS};
    *slot = mysqlc_conn_new(p->hub, &o, err);
    return *slot;
}

/* Where pod is reached: its IP (discover), or what the route says (auto, port-forward).
 * False while the route is being decided. */
static bool
pod_target(struct mysql_poll *p, const struct m_pod *pod, const char **host, int *port,
           const char **route)
{
    *host = pod->ip;
    *port = CONFIG_MYSQL_PORT_DEFAULT;
    *route = MYSQL_ROUTE_POD_IP;
    if (p->route == NULL)
        return true;
    struct mysql_route_pick rp;
    if (mysql_route_pick(p->route, pod->ns, pod->name, pod->ip, CONFIG_MYSQL_PORT_DEFAULT,
                         &rp) == MYSQL_ROUTE_WAIT)
        return false;
    *host = rp.host;
    *port = rp.port;
    *route = rp.route;
    return true;
}

/* discover: the PXC pods of the cluster (component pxc, instance = pxcCluster if set). */
static void
discover(struct mysql_poll *p)
{
    struct m_cluster *c = cluster_of(p);
    for (size_t i = 0; i < p->servers.n; i++)
        ((struct mp_server *)p->servers.items[i])->seen = false;
    if (p->route)
        mysql_route_sweep(p->route);
    for (size_t i = 0; i < c->pods.n; i++) {
        struct m_pod *pod = c->pods.items[i];
        if (pod->component == NULL || strcmp(pod->component, "pxc") != 0 || pod->ip[0] == '\0')
            continue;
        if (p->pxc_cluster && (pod->instance == NULL || strcmp(pod->instance, p->pxc_cluster)))
            continue;
        struct mp_server *s = server_find(p, pod->name);
        const char *host, *route;
        int port;
        bool known = pod_target(p, pod, &host, &port, &route);
        if (!known) {
            /* Its route is being tried: read it when decided (route_ready). */
            if (s == NULL)
                s = server_add(p, pod->name, "", CONFIG_MYSQL_PORT_DEFAULT);
            s->waiting_route = true;
            s->seen = true;
            continue;
        }
        if (s != NULL && s->host[0] == '\0' && !s->in_flight) {
            free(s->host); /* its route was being decided: now it is */
            s->host = xstrdup(host);
            s->port = port;
        }
        if (s != NULL && (strcmp(s->host, host) != 0 || s->port != port) && !s->in_flight) {
            /* the pod was re-created with a new IP, or its route changed: a new connection */
            for (size_t k = 0; k < p->servers.n; k++)
                if (p->servers.items[k] == s) {
                    vec_remove(&p->servers, k);
                    break;
                }
            s = NULL;
        }
        if (s == NULL)
            s = server_add(p, pod->name, host, port);
        s->route = route;
        s->waiting_route = false;
        s->seen = true;
    }
    for (size_t i = p->servers.n; i-- > 0;) {
        struct mp_server *s = p->servers.items[i];
        if (!s->seen && !s->in_flight) {
            model_server_remove(p->m, c, s->name);
            vec_remove(&p->servers, i);
        }
    }
}

/* Answers that came before their pods were listed land on them now. */
static void
place_all(struct mysql_poll *p)
{
    struct mp_apply ap = apply_to(p);
    struct m_cluster *c = cluster_of(p);
    for (size_t i = 0; i < p->servers.n; i++)
        mysql_poll__place(&ap, c, p->servers.items[i]);
}

/* ------------------------------------------------------------------ rounds */

static void
round_done(struct mysql_poll *p)
{
    p->round_open = false;
    p->round++;
    struct mp_apply ap = apply_to(p);
    place_all(p);
    mysql_poll__hidden_channels(&ap, cluster_of(p), &p->servers);
    if (p->o.on_round)
        p->o.on_round(p, p->round, p->o.arg);
}

static void
on_status_done(struct mysqlc_conn *conn, struct mysqlc_result *res, void *arg)
{
    struct mp_server *s = arg;
    struct mysql_poll *p = s->p;
    (void)conn;
    s->in_flight = false;
    if (res->status == PXE_CANCELLED || p->closing)
        return;
    if (res->status == PXE_AUTH && p->cred[ROLE_STATUS].from.kind == CONFIG_PW_SECRET) {
        /* the Secret may have been rotated: read it again next round */
        xfree_secret(p->cred[ROLE_STATUS].password);
        p->cred[ROLE_STATUS].password = NULL;
        mysqlc_conn_close(s->conn);
        s->conn = NULL;
    }
    /* A read through the relay that lost its connection: the stream's refusal says why
     * ("forbidden: cannot create pods/portforward ..."), the MySQL client only that it was
     * lost. */
    char why[256] = "";
    if (res->status != 0 && p->route != NULL &&
        mysql_route_explain(p->route, s->name, why, sizeof why)) {
        /* Both routes tried are named: "port-forward failed" alone hides that the pod IP
         * was tried first. */
        char ip[128];
        if (mysql_route_passed_over(p->route, s->name, ip, sizeof ip))
            snprintf(res->err.msg, sizeof res->err.msg, "%s: %s, and %s", s->name, ip, why);
        else
            snprintf(res->err.msg, sizeof res->err.msg, "%s: %s", s->name, why);
    }
    struct mp_apply ap = apply_to(p);
    mysql_poll__apply_status(&ap, cluster_of(p), s, res);
    mysql_poll__apply_server(&ap, cluster_of(p), s, res);
    (void)model_source_update(ap.m); /* whether it changed is the model's dirty bits' news */
    mysql_route_mark(p->m, cluster_of(p), s->name, s->route,
                     res->status != 0 ? why : NULL);
    if (res->status == 0) {
        s->dialect_known = true;
        s->dialect = res->server.dialect;
    }
    s->status = res->status;
    s->read_once = true;
    snprintf(s->msg, sizeof s->msg, "%s", res->status ? res->err.msg : "");
    if (s->counted) {
        s->counted = false;
        if (--p->outstanding == 0 && p->round_open)
            round_done(p);
    }
}

/* Start the status read of s. False when it could not start: the failure is applied, or
 * s->waiting_cred is set while its password is being read (a Secret, an option file). */
static bool
read_server(struct mysql_poll *p, struct mp_server *s)
{
    if (s->waiting_route)
        return false; /* counted; route_ready reads it */
    struct pxerr e = {0};
    struct mysqlc_conn *conn = server_conn(p, s, ROLE_STATUS, &e);
    struct mysqlc_req req = {.kind = MYSQLC_STATUS,
                             .heartbeat_table = p->heartbeat_table,
                             .want_dialect_override = p->want_override,
                             .dialect_override = p->override};
    if (conn == NULL && p->cred[ROLE_STATUS].fetching) {
        s->waiting_cred = true;
        return false;
    }
    if (conn == NULL || mysqlc_start(conn, &req, on_status_done, s, &e) < 0) {
        snprintf(p->error, sizeof p->error, "%.250s", e.msg);
        struct mysqlc_result r;
        memset(&r, 0, sizeof r);
        r.status = e.code ? e.code : PXE_INTERNAL;
        snprintf(r.err.msg, sizeof r.err.msg, "%s: %.200s", s->name, e.msg);
        r.wall_ms = clock_wall_ms();
        struct mp_apply ap = apply_to(p);
        mysql_poll__apply_failure(&ap, cluster_of(p), s, &r);
        mysql_poll__apply_server(&ap, cluster_of(p), s, &r);
        mysql_route_mark(p->m, cluster_of(p), s->name, s->route, NULL);
        s->status = r.status;
        s->read_once = true;
        snprintf(s->msg, sizeof s->msg, "%s", r.err.msg);
        return false;
    }
    s->in_flight = true;
    return true;
}

static void
start_round(struct mysql_poll *p)
{
    if (p->closing || p->round_open)
        return;
    if (p->mode != CONFIG_MYSQL_DIRECT)
        discover(p);
    place_all(p);
    p->round_open = true;
    p->outstanding = 0;
    p->error[0] = '\0';
    if (p->servers.n == 0)
        snprintf(p->error, sizeof p->error, "cluster %s: no MySQL server to poll (%s)", p->cluster,
                 p->mode != CONFIG_MYSQL_DIRECT ? "no PXC pod with an IP seen yet"
                                                : "mysql.servers is empty");
    for (size_t i = 0; i < p->servers.n; i++) {
        struct mp_server *s = p->servers.items[i];
        if (s->in_flight)
            continue; /* a hung server: its request is still out; never queue behind it */
        if (read_server(p, s) || s->waiting_cred || s->waiting_route) {
            s->counted = true;
            p->outstanding++;
        }
    }
    if (p->outstanding == 0)
        round_done(p);
}

static void
on_poll_timer(uv_timer_t *t)
{
    struct mysql_poll *p = t->data;
    if (p->o.once && p->round > 0)
        return;
    start_round(p);
    if (p->o.once)
        uv_timer_stop(&p->timer);
}

/* A pod's route has been decided: read the servers that waited for theirs. */
static void
route_ready(void *arg)
{
    struct mysql_poll *p = arg;
    if (p->closing)
        return;
    struct m_cluster *c = cluster_of(p);
    for (size_t i = 0; i < p->servers.n; i++) {
        struct mp_server *s = p->servers.items[i];
        if (!s->waiting_route || s->in_flight)
            continue; /* an in-flight one is placed by the next round's discover */
        struct m_pod *pod = NULL;
        for (size_t k = 0; k < c->pods.n && pod == NULL; k++)
            if (strcmp(((struct m_pod *)c->pods.items[k])->name, s->name) == 0)
                pod = c->pods.items[k];
        const char *host, *route;
        int port;
        if (pod == NULL || pod->ip[0] == '\0' || !pod_target(p, pod, &host, &port, &route))
            continue;
        if (strcmp(s->host, host) != 0 || s->port != port) {
            /* a new address: the old connections go (a re-created pod's old IP) */
            if (s->conn)
                mysqlc_conn_close(s->conn);
            if (s->aconn)
                mysqlc_conn_close(s->aconn);
            s->conn = s->aconn = NULL;
            free(s->host);
            s->host = xstrdup(host);
            s->port = port;
        }
        s->route = route;
        s->waiting_route = false;
        if (read_server(p, s) || s->waiting_cred)
            continue; /* counted already; on_status_done or cred_ready ends it */
        if (s->counted) {
            s->counted = false;
            if (--p->outstanding == 0 && p->round_open)
                round_done(p);
        }
    }
}

/* ------------------------------------------------------------------ public */

int
mysql_poll_start(uv_loop_t *loop, struct model *m, const struct config *cfg,
                 const struct config_cluster *cc, const struct mysql_poll_opts *opts,
                 struct mysql_poll **out, struct pxerr *err)
{
    const struct config_mysql *my = &cc->mysql;
    if (my->mode == CONFIG_MYSQL_DIRECT && my->n_servers == 0)
        return pxerr_set(err, PXE_INVAL, "cluster %s: mysql.mode direct needs mysql.servers",
                         cc->name);
    if (my->heartbeat_table) {
        int rc = sqlq_check_table(my->heartbeat_table, err);
        if (rc < 0)
            return rc;
    }
    struct mysql_poll *p = xcalloc(1, sizeof *p);
    p->loop = loop;
    p->m = m;
    p->cluster = xstrdup(cc->name);
    p->context = xstrdup(cc->context ? cc->context : cc->name);
    p->mode = my->mode;
    p->pxc_cluster = xstrdup_or_null(cc->pxc_cluster);
    p->heartbeat_table = xstrdup_or_null(my->heartbeat_table);
    p->connect_timeout_s =
        my->connect_timeout_s > 0 ? my->connect_timeout_s : CONFIG_CONNECT_TIMEOUT_S_DEFAULT;
    p->read_timeout_s = my->read_timeout_s > 0 ? my->read_timeout_s : CONFIG_READ_TIMEOUT_S_DEFAULT;
    p->write_timeout_s =
        my->write_timeout_s > 0 ? my->write_timeout_s : CONFIG_WRITE_TIMEOUT_S_DEFAULT;
    switch (my->dialect) {
    case CONFIG_DIALECT_AUTO:
        break;
    case CONFIG_DIALECT_MYSQL80:
        p->want_override = true;
        p->override = SQLQ_MYSQL;
        break;
    case CONFIG_DIALECT_MYSQL57:
        p->want_override = true;
        p->override = SQLQ_MYSQL_OLD;
        break;
    case CONFIG_DIALECT_MARIADB:
        p->want_override = true;
        p->override = SQLQ_MARIADB;
        break;
    }
    if (opts)
        p->o = *opts;
    if (cfg->readonly)
        p->o.readonly = true;
    p->refresh_s = p->o.refresh_s > 0   ? p->o.refresh_s
                   : cfg->refresh_s > 0 ? cfg->refresh_s
                                        : CONFIG_REFRESH_S_DEFAULT;
    for (int r = 0; r < 2; r++) {
        p->cred[r].p = p;
        p->cred[r].role = r;
    }
    p->cred[ROLE_STATUS].user = xstrdup(my->user ? my->user : CONFIG_USER_DEFAULT);
    pw_copy(&p->cred[ROLE_STATUS].from, &my->password_from);
    p->cred[ROLE_ACTION].user =
        xstrdup(my->action_user ? my->action_user : CONFIG_ACTION_USER_DEFAULT);
    pw_copy(&p->cred[ROLE_ACTION].from, &my->action_password_from);
    vec_init(&p->servers, server_free);
    for (size_t i = 0; my->mode == CONFIG_MYSQL_DIRECT && i < my->n_servers; i++) {
        const struct config_server *cs = &my->servers[i];
        char nm[300];
        if (cs->name == NULL)
            snprintf(nm, sizeof nm, "%s:%d", cs->host, cs->port);
        struct mp_server *s = server_add(p, cs->name ? cs->name : nm, cs->host,
                                         cs->port > 0 ? cs->port : CONFIG_MYSQL_PORT_DEFAULT);
        s->route = MYSQL_ROUTE_DIRECT;
    }
    if (my->mode == CONFIG_MYSQL_AUTO || my->mode == CONFIG_MYSQL_PORT_FORWARD) {
        struct mysql_route_opts ro = {.mode = my->mode,
                                      .kc = p->o.kc,
                                      .open_timeout_ms = p->connect_timeout_s * 1000,
                                      .local_port = my->pf_local_port,
                                      .cluster = cc->name,
                                      .on_ready = route_ready,
                                      .arg = p};
        p->route = mysql_route_new(loop, &ro);
    }
    p->hub = mysqlc_hub_new(loop);
    uv_timer_init(loop, &p->timer);
    p->timer.data = p;
    (void)cluster_of(p);
    if (!p->o.deferred)
        uv_timer_start(&p->timer, on_poll_timer, 0, (uint64_t)p->refresh_s * 1000);
    *out = p;
    return 0;
}

static void
on_timer_closed(uv_handle_t *h)
{
    struct mysql_poll *p = h->data;
    free(p);
}

void
mysql_poll_free(struct mysql_poll *p)
{
    if (p == NULL)
        return;
    p->closing = true;
    uv_timer_stop(&p->timer);
    run_pending(p, PXE_CANCELLED);
    /* Answers every outstanding request (cancelled) before it returns. */
    mysqlc_hub_close(p->hub);
    p->hub = NULL;
    for (size_t i = 0; i < p->servers.n; i++) {
        struct mp_server *s = p->servers.items[i];
        s->conn = s->aconn = NULL; /* freed by the hub */
    }
    vec_fini(&p->servers);
    mysql_route_free(p->route);
    p->route = NULL;
    cred_fini(&p->cred[0]);
    cred_fini(&p->cred[1]);
    free(p->cluster);
    free(p->context);
    free(p->pxc_cluster);
    free(p->heartbeat_table);
    uv_close((uv_handle_t *)&p->timer, on_timer_closed);
}

void
mysql_poll_kick(struct mysql_poll *p)
{
    if (p->closing)
        return;
    /* A kick follows the Kubernetes sync: answers that came before it land on the pods
     * now, even while a hung server holds the round open. */
    place_all(p);
    if (p->round_open) {
        struct mp_apply ap = apply_to(p);
        mysql_poll__hidden_channels(&ap, cluster_of(p), &p->servers);
    }
    if (p->o.once) {
        start_round(p);
        return;
    }
    /* (re)arm the refresh timer from now, then read at once */
    uv_timer_start(&p->timer, on_poll_timer, (uint64_t)p->refresh_s * 1000,
                   (uint64_t)p->refresh_s * 1000);
    start_round(p);
}

const char *
mysql_poll_cluster(const struct mysql_poll *p)
{
    return p->cluster;
}

const char *
mysql_poll_action_user(const struct mysql_poll *p)
{
    return p->cred[ROLE_ACTION].user;
}

const char *
mysql_poll_error(const struct mysql_poll *p)
{
    return p->error;
}

int
mysql_poll_n_servers(const struct mysql_poll *p)
{
    return (int)p->servers.n;
}

const char *
mysql_poll_server_name(const struct mysql_poll *p, int i)
{
    return ((struct mp_server *)p->servers.items[i])->name;
}

int
mysql_poll_server_status(const struct mysql_poll *p, int i, const char **msg)
{
    struct mp_server *s = p->servers.items[i];
    if (msg)
        *msg = s->msg;
    return s->read_once ? s->status : PXE_NOTFOUND;
}

static void
on_action_done(struct mysqlc_conn *conn, struct mysqlc_result *res, void *arg)
{
    struct action_req *a = arg;
    struct mysql_poll *p = a->p;
    (void)conn;
    if (!p->closing) {
        if (res->status == 0)
            model_event(p->m, p->cluster, 0, "action on %s: %s", a->server,
                        res->sql_masked ? res->sql_masked : "");
        else
            model_event(p->m, p->cluster, 2, "action on %s failed: %s", a->server, res->err.msg);
    }
    if (a->cb)
        a->cb(res->status, a->server, res->sql_masked ? res->sql_masked : "", &res->err, a->arg);
    if (!p->closing && res->status != PXE_CANCELLED) {
        /* show the effect now, not at the next tick */
        if (!p->round_open)
            mysql_poll_kick(p);
    }
    free(a->server);
    free(a);
}

static int
action_start(struct mysql_poll *p, const char *server, const struct sqlq_action *a,
             mysql_poll_action_cb *cb, void *arg, struct pxerr *err)
{
    struct mp_server *s = server_find(p, server);
    if (s == NULL) {
        struct strbuf sb;
        strbuf_init(&sb);
        for (size_t i = 0; i < p->servers.n; i++)
            strbuf_appendf(&sb, "%s%s", i ? ", " : "",
                           ((struct mp_server *)p->servers.items[i])->name);
        pxerr_set(err, PXE_NOTFOUND, "cluster %s has no MySQL server '%s' (servers: %s)",
                  p->cluster, server, sb.len ? sb.s : "none");
        strbuf_fini(&sb);
        return PXE_NOTFOUND;
    }
    struct mysqlc_conn *conn = server_conn(p, s, ROLE_ACTION, err);
    if (conn == NULL) {
        if (p->cred[ROLE_ACTION].fetching) {
            /* the action user's password is on its way (Secret, option file): run it then */
            struct pend_action *pa = xcalloc(1, sizeof *pa);
            pa->server = xstrdup(server);
            pa->a = *a;
            pa->a.channel = xstrdup(a->channel);
            if (a->src) {
                pa->src = *a->src;
                pa->src.host = xstrdup_or_null(a->src->host);
                pa->src.user = xstrdup_or_null(a->src->user);
                pa->src.password = xstrdup_or_null(a->src->password);
                pa->a.src = &pa->src;
            }
            pa->cb = cb;
            pa->arg = arg;
            struct pend_action **tail = &p->pending;
            while (*tail)
                tail = &(*tail)->next;
            *tail = pa;
            return 0;
        }
        return err ? err->code : PXE_INTERNAL;
    }
    struct action_req *ar = xcalloc(1, sizeof *ar);
    ar->p = p;
    ar->server = xstrdup(s->name);
    ar->cb = cb;
    ar->arg = arg;
    struct mysqlc_req req = {.kind = MYSQLC_ACTION,
                             .action = a,
                             .want_dialect_override = p->want_override,
                             .dialect_override = p->override};
    int rc = mysqlc_start(conn, &req, on_action_done, ar, err);
    if (rc < 0) {
        free(ar->server);
        free(ar);
    }
    return rc;
}

static void
pend_free(struct pend_action *pa)
{
    free(pa->server);
    free((char *)pa->a.channel);
    free((char *)pa->src.host);
    free((char *)pa->src.user);
    xfree_secret((char *)pa->src.password);
    free(pa);
}

/* Run (or fail) the actions waiting for the action user's password. status != 0: answer
 * them all with it (closing). */
static void
run_pending(struct mysql_poll *p, int status)
{
    struct pend_action *list = p->pending;
    p->pending = NULL;
    while (list) {
        struct pend_action *pa = list;
        list = pa->next;
        struct pxerr e = {0};
        int rc = status;
        if (rc == 0)
            rc = action_start(p, pa->server, &pa->a, pa->cb, pa->arg, &e);
        else
            pxerr_set(&e, status, "%s: action cancelled", p->cluster);
        if (rc < 0 && pa->cb)
            pa->cb(rc, pa->server, "", &e, pa->arg);
        pend_free(pa);
    }
}

/* A Secret or option file read finished (password known, or c->error says why not). */
static void
cred_ready(struct mysql_poll *p, int role)
{
    if (p->closing)
        return;
    if (role == ROLE_ACTION) {
        run_pending(p, 0);
        return;
    }
    for (size_t i = 0; i < p->servers.n; i++) {
        struct mp_server *s = p->servers.items[i];
        if (!s->waiting_cred)
            continue;
        s->waiting_cred = false;
        if (read_server(p, s))
            continue; /* counted already; on_status_done ends it */
        if (s->counted) {
            s->counted = false;
            if (--p->outstanding == 0 && p->round_open)
                round_done(p);
        }
    }
}

int
mysql_poll_action(struct mysql_poll *p, const char *server, const struct sqlq_action *a,
                  mysql_poll_action_cb *cb, void *arg, struct pxerr *err)
{
    if (p->o.readonly)
        return pxerr_set(err, PXE_READONLY,
                         "read-only mode (--readonly or readonly: true in the config): %s of "
                         "channel '%s' on %s refused",
                         sqlq_verb_name(a->verb), a->channel, server);
    int rc = sqlq_check_channel(a->channel, err);
    if (rc < 0)
        return rc;
    return action_start(p, server, a, cb, arg, err);
}

int
mysql_poll_render(const struct mysql_poll *p, const char *server, const struct sqlq_action *a,
                  struct strbuf *masked, struct pxerr *err)
{
    for (size_t i = 0; i < p->servers.n; i++) {
        const struct mp_server *s = p->servers.items[i];
        if (strcmp(s->name, server) != 0)
            continue;
        if (!p->want_override && !s->dialect_known)
            return pxerr_set(err, PXE_NOTFOUND, "%s has not answered yet: its dialect is unknown",
                             server);
        struct strbuf sql;
        strbuf_init(&sql);
        int rc = sqlq_build(p->want_override ? p->override : s->dialect, a, &sql, masked, err);
        if (sql.len > 0)
            explicit_bzero(sql.s, sql.len);
        strbuf_fini(&sql);
        return rc;
    }
    return pxerr_set(err, PXE_NOTFOUND, "cluster %s has no MySQL server '%s'", p->cluster, server);
}
