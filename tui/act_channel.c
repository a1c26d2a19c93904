/* act_channel: the console's replication channel actions, run through the cluster's MySQL
 * poller (mysql_poll_action, on its worker): START or STOP a channel, and create one on a
 * replica (CHANGE SOURCE with the replication user, whose password is read from the source
 * cluster's PXC Secret only after the operator said yes, then START). The question shows
 * the statements in the server's dialect (the password masked) and the MySQL user that
 * runs them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "act_internal.h"
#include "kube/kube.h"
#include "live/live.h"
#include "model/model.h"
#include "mysql/mysql_poll.h"
#include "mysql/sqlq.h"

#define ACT_DIALOG_MAX_LINES 60

/* What a confirmed channel action will do. */
struct chan_pend {
    struct act_ctx *cx;
    bool start;
    char cluster[128], server[256], channel[256], what[384];
    /* create: */
    char source[128], ns[128], host[320];
    char *secret; /* owned: the source's PXC Secret name */
};

static void
pend_free(struct chan_pend *p)
{
    free(p->secret);
    free(p);
}

static struct mysql_poll *
poller(struct act_ctx *cx, const char *cluster)
{
    return cx->live != NULL ? live_mysql(cx->live, cluster) : NULL;
}

static void
on_channel_done(int status, const char *server, const char *sql_masked, const struct pxerr *err,
                void *arg)
{
    struct act_op *op = arg;
    (void)server;
    op->sql_pending = false;
    if (op->cx == NULL) { /* the console quit meanwhile */
        act__op_done(op);
        return;
    }
    if (status == 0 && sql_masked != NULL && sql_masked[0] != '\0')
        log_info("console: ran on %s: %s", op->server, sql_masked);
    act__outcome(op->cx, op->cluster, status == 0, op->what, err != NULL ? err->msg : NULL);
    act__op_done(op);
}

/* ---- START / STOP ---- */

static void
channel_run(struct chan_pend *p)
{
    struct act_ctx *cx = p->cx;
    struct mysql_poll *mp = poller(cx, p->cluster);
    if (mp == NULL) {
        act__outcome(cx, p->cluster, false, p->what,
                     "no MySQL connection configured for the cluster");
        return;
    }
    struct act_op *op = act__op_new(cx, p->cluster, "%s", p->what);
    snprintf(op->server, sizeof op->server, "%s", p->server);
    struct sqlq_action act = {
        .verb = p->start ? SQLQ_START : SQLQ_STOP, .channel = p->channel, .threads = SQLQ_BOTH};
    struct pxerr err = {0};
    if (mysql_poll_action(mp, p->server, &act, on_channel_done, op, &err) != 0) {
        act__outcome(cx, p->cluster, false, p->what, err.msg);
        act__op_done(op);
        return;
    }
    op->sql_pending = true;
    act__report(cx, ACT_INFO, "running: %s ...", p->what);
}

static void
on_channel_answer(enum act_answer ans, const char *text, void *arg)
{
    struct chan_pend *p = arg;
    (void)text;
    if (ans == ACT_YES)
        channel_run(p);
    pend_free(p);
}

unsigned
act__start_channel(struct act_ctx *cx, const struct act_def *def, const struct act_args *args)
{
    bool start = def->kind == ACT_CHANNEL_START;
    const char *chan = args->name[0] ? args->name : "(default)";
    char what[384];
    snprintf(what, sizeof what, "%s channel %s on %s (%s)", start ? "START" : "STOP", chan,
             args->server, args->cluster);
    if (act__refuse_write(cx, what))
        return R_NONE;
    /* The question shows the statement exactly as it will run, in the server's dialect,
     * and the user it runs as: without them there is nothing honest to confirm. */
    struct mysql_poll *mp = poller(cx, args->cluster);
    if (mp == NULL) {
        act__report(cx, ACT_ERROR, "%s: no MySQL connection configured for the cluster", what);
        return R_NONE;
    }
    struct sqlq_action act = {
        .verb = start ? SQLQ_START : SQLQ_STOP, .channel = args->name, .threads = SQLQ_BOTH};
    struct strbuf sql;
    strbuf_init(&sql);
    struct pxerr err = {0};
    if (mysql_poll_render(mp, args->server, &act, &sql, &err) != 0) {
        act__report(cx, ACT_ERROR, "%s: cannot show the statement: %s", what, err.msg);
        strbuf_fini(&sql);
        return R_NONE;
    }
    struct chan_pend *p = xcalloc(1, sizeof *p);
    p->cx = cx;
    p->start = start;
    snprintf(p->cluster, sizeof p->cluster, "%s", args->cluster);
    snprintf(p->server, sizeof p->server, "%s", args->server);
    snprintf(p->channel, sizeof p->channel, "%s", args->name);
    snprintf(p->what, sizeof p->what, "%s", what);
    char l1[512], l2[300], l3[600];
    snprintf(l1, sizeof l1, "Cluster %s, server %s: %s REPLICA for channel %s.", args->cluster,
             args->server, start ? "START" : "STOP", chan);
    snprintf(l2, sizeof l2, "Runs as MySQL user '%s' (the action user), in the server's dialect:",
             mysql_poll_action_user(mp));
    snprintf(l3, sizeof l3, "  %s;", sql.s);
    const char *lines[] = {l1, l2, l3,
                           start ? "Both threads start; the channel reconnects to its source."
                                 : "Both threads stop; the replica falls behind until started."};
    struct act_question q = {def->title, lines, 4, start ? "Start" : "Stop", NULL};
    act__ask(cx, &q, on_channel_answer, p);
    strbuf_fini(&sql);
    return R_REDRAW;
}

/* ---- create a channel ---- */

static void
repl_source(struct sqlq_source *src, const char *host, const char *password)
{
    *src = (struct sqlq_source)SQLQ_SOURCE_UNCHANGED;
    src->host = host;
    src->port = 3306;
    src->user = "replication";
    src->password = password;
    src->auto_position = 1;
    src->connect_retry_s = 5;
}

int
act_create_channel_sql(const char *dialect, const char *channel, const char *host,
                       struct strbuf *out, struct pxerr *err)
{
    enum sqlq_dialect d = SQLQ_MYSQL;
    for (int i = SQLQ_MARIADB; i <= SQLQ_MYSQL_OLD; i++)
        if (dialect != NULL && strcmp(dialect, sqlq_dialect_name((enum sqlq_dialect)i)) == 0)
            d = (enum sqlq_dialect)i;
    struct sqlq_source src;
    repl_source(&src, host, "-"); /* masked below: the text never holds the password */
    struct sqlq_action change = {.verb = SQLQ_CHANGE_SOURCE, .channel = channel, .src = &src};
    struct sqlq_action start = {.verb = SQLQ_START, .channel = channel, .threads = SQLQ_BOTH};
    struct strbuf sql;
    strbuf_init(&sql);
    int rc = sqlq_build(d, &change, &sql, out, err);
    if (rc == 0) {
        strbuf_append(out, ";\n");
        rc = sqlq_build(d, &start, &sql, out, err);
        if (rc == 0)
            strbuf_append(out, ";\n");
    }
    strbuf_fini(&sql);
    return rc;
}

static void
on_create_started(int status, const char *server, const char *sql_masked, const struct pxerr *err,
                  void *arg)
{
    on_channel_done(status, server, sql_masked, err, arg);
}

static void
on_change_done(int status, const char *server, const char *sql_masked, const struct pxerr *err,
               void *arg)
{
    struct act_op *op = arg;
    if (status != 0 || op->cx == NULL) {
        on_channel_done(status, server, sql_masked, err, arg);
        return;
    }
    struct mysql_poll *mp = poller(op->cx, op->cluster);
    struct sqlq_action act = {.verb = SQLQ_START, .channel = op->channel, .threads = SQLQ_BOTH};
    struct pxerr e2 = {0};
    if (mp == NULL || mysql_poll_action(mp, op->server, &act, on_create_started, op, &e2) != 0) {
        op->sql_pending = false;
        act__outcome(op->cx, op->cluster, false, op->what,
                     mp != NULL ? e2.msg : "the MySQL poller is gone");
        act__op_done(op);
    }
}

static void
on_repl_secret(int status, const char *value, size_t len, const struct pxerr *err, void *arg)
{
    struct act_op *op = arg;
    (void)len;
    op->req = NULL;
    if (status != 0) {
        act__outcome(op->cx, op->cluster, false, op->what,
                     err != NULL ? err->msg : "cannot read the Secret");
        act__op_done(op);
        return;
    }
    struct mysql_poll *mp = poller(op->cx, op->cluster);
    struct sqlq_source src;
    repl_source(&src, op->host, value); /* copied into the SQL; kube zeroes value after us */
    struct sqlq_action act = {.verb = SQLQ_CHANGE_SOURCE, .channel = op->channel, .src = &src};
    struct pxerr e2 = {0};
    if (mp == NULL || mysql_poll_action(mp, op->server, &act, on_change_done, op, &e2) != 0) {
        act__outcome(op->cx, op->cluster, false, op->what,
                     mp != NULL ? e2.msg : "the MySQL poller is gone");
        act__op_done(op);
        return;
    }
    op->sql_pending = true;
}

static void
create_run(struct chan_pend *p)
{
    struct act_ctx *cx = p->cx;
    struct kube_client *kc = act__client(cx, p->source, p->what);
    if (kc == NULL)
        return;
    struct act_op *op = act__op_new(cx, p->cluster, "%s", p->what);
    op->kc = kc;
    snprintf(op->server, sizeof op->server, "%s", p->server);
    snprintf(op->channel, sizeof op->channel, "%s", p->channel);
    snprintf(op->host, sizeof op->host, "%s", p->host);
    struct pxerr err = {0};
    if (kube_secret_get(kc, p->ns, p->secret, "replication", on_repl_secret, op, &op->req, &err) !=
        0) {
        act__outcome(cx, p->cluster, false, p->what, err.msg);
        act__op_done(op);
        return;
    }
    act__report(cx, ACT_INFO, "running: %s ...", p->what);
}

static void
on_create_answer(enum act_answer ans, const char *text, void *arg)
{
    struct chan_pend *p = arg;
    (void)text;
    if (ans == ACT_YES)
        create_run(p);
    pend_free(p);
}

unsigned
act__start_create_channel(struct act_ctx *cx, const struct act_def *def,
                          const struct act_args *args)
{
    char what[384];
    snprintf(what, sizeof what, "create channel %s from %s on %s", args->name, args->host,
             args->cluster);
    if (act__refuse_write(cx, what))
        return R_NONE;
    struct mysql_poll *mp = poller(cx, args->cluster);
    if (mp == NULL || mysql_poll_n_servers(mp) == 0) {
        act__report(cx, ACT_ERROR, "%s: no MySQL server of %s is known (mysql config)", what,
                    args->cluster);
        return R_NONE;
    }
    struct strbuf shown;
    strbuf_init(&shown);
    struct pxerr err = {0};
    if (act_create_channel_sql(args->dialect, args->name, args->host, &shown, &err) != 0) {
        act__report(cx, ACT_ERROR, "%s: %s", what, err.msg);
        strbuf_fini(&shown);
        return R_NONE;
    }
    struct chan_pend *p = xcalloc(1, sizeof *p);
    p->cx = cx;
    snprintf(p->cluster, sizeof p->cluster, "%s", args->cluster);
    snprintf(p->server, sizeof p->server, "%s", mysql_poll_server_name(mp, 0));
    snprintf(p->channel, sizeof p->channel, "%s", args->name);
    snprintf(p->host, sizeof p->host, "%s", args->host);
    snprintf(p->ns, sizeof p->ns, "%s", args->ns);
    snprintf(p->source, sizeof p->source, "%s", args->source);
    snprintf(p->what, sizeof p->what, "%s", what);
    /* The Secret: the source's PXC spec.secretsName, else the operator's default name. */
    struct m_cluster *sc = model_cluster_find(cx->model, args->source);
    struct m_pxc *x = sc != NULL ? model_pxc_find(sc, args->ns, args->pxc) : NULL;
    p->secret = x != NULL && x->secrets_name != NULL ? xstrdup(x->secrets_name)
                                                     : xasprintf("%s-secrets", args->pxc);
    char l1[1536], l2[300];
    snprintf(l1, sizeof l1,
             "Cluster %s, server %s: point channel %s at %s:3306 with the replication user "
             "(password from Secret %s/%s in %s), then START it:",
             p->cluster, p->server, p->channel, p->host, p->ns, p->secret, p->source);
    snprintf(l2, sizeof l2,
             "Runs as MySQL user '%s' (the action user):", mysql_poll_action_user(mp));
    const char *lines[ACT_DIALOG_MAX_LINES];
    size_t n = 0;
    lines[n++] = l1;
    lines[n++] = l2;
    for (char *s = shown.s, *nl; *s != '\0' && n < ACT_DIALOG_MAX_LINES; s = nl) {
        nl = strchr(s, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        else
            nl = s + strlen(s);
        lines[n++] = s;
    }
    struct act_question q = {def->title, lines, n, "Run", NULL};
    act__ask(cx, &q, on_create_answer, p);
    strbuf_fini(&shown);
    return R_REDRAW;
}
