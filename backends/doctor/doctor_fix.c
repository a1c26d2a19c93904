/* doctor_fix: a finding's remedy as data (struct m_fix) and as the one command that
 * applies it, runnable as printed: real names only, the cluster selected with the same
 * flags the doctor was run with (config_select_flags), kubectl with --context (and the
 * config's kubeconfig), SQL through the server's client with the config's action user and
 * where its password is (an option file, an environment variable, a Secret read by kubectl),
 * in the server's dialect. Nothing is run here: the fix runner (doctor/fixrun.h) runs the
 * kinds pxcmesh can do itself, from the same arguments. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "config/config.h"
#include "config/config_select.h"
#include "doctor/doctor_internal.h"
#include "doctor/fixmake.h"
#include "mysql/gtid.h"
#include "mysql/sqlq.h"

/* Single-quote s for a POSIX shell unless it is made of safe characters only. */
static void
shq(struct strbuf *sb, const char *s)
{
    if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789-_./:@%+=,") == strlen(s)) {
        strbuf_append(sb, s);
        return;
    }
    strbuf_appendc(sb, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            strbuf_append(sb, "'\\''");
        else
            strbuf_appendc(sb, *s);
    }
    strbuf_appendc(sb, '\'');
}

/* Double quotes read better around SQL, whose strings are single-quoted: used when
 * nothing in s is special inside them. */
static void
shq_sql(struct strbuf *sb, const char *s)
{
    if (strpbrk(s, "\"$`\\!") != NULL) {
        shq(sb, s);
        return;
    }
    strbuf_appendc(sb, '"');
    strbuf_append(sb, s);
    strbuf_appendc(sb, '"');
}

static void
set_fix(struct m_finding *f, enum fix_kind kind, const char *command, const char *what,
        const char *where)
{
    f->fix.kind = kind;
    model_fix_set(&f->fix.command, command);
    model_fix_set(&f->fix.what, what);
    model_fix_set(&f->fix.where, where);
}

static const struct config_cluster *
cfg_cluster(const struct dctx *d, const struct dcl *k)
{
    return d->o->cfg != NULL && k->cfg_i >= 0 ? &d->o->cfg->clusters[k->cfg_i] : NULL;
}

/* The name k has among the clusters the flags select: its name in the config; without one,
 * --context C makes a cluster named C. */
static const char *
sel_name(const struct dctx *d, const struct dcl *k)
{
    return cfg_cluster(d, k) != NULL ? k->c->name : k->c->context;
}

void
doctor__select_flags(const struct dctx *d, const struct dcl *k, bool with_cluster, char *buf,
                     size_t n)
{
    struct strbuf sb;
    strbuf_init(&sb);
    if (cfg_cluster(d, k) != NULL) {
        config_select_flags(d->o->cfg, (size_t)k->cfg_i, buf, n);
        strbuf_append(&sb, buf);
    } else {
        strbuf_append(&sb, "--context ");
        shq(&sb, k->c->context);
    }
    if (with_cluster && strstr(sb.s, "--cluster ") == NULL) {
        strbuf_append(&sb, " --cluster ");
        shq(&sb, sel_name(d, k));
    }
    snprintf(buf, n, "%s", sb.s);
    strbuf_fini(&sb);
}

/* The selection that lets a verb find every cluster by name (generate
 * --endpoints-from-cluster R): the config file itself, else R's own flags. */
static void
select_all_flags(const struct dctx *d, const struct dcl *r, char *buf, size_t n)
{
    if (d->o->cfg != NULL && d->o->cfg->path != NULL) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_append(&sb, "--config ");
        shq(&sb, d->o->cfg->path);
        snprintf(buf, n, "%s", sb.s);
        strbuf_fini(&sb);
        return;
    }
    doctor__select_flags(d, r, false, buf, n);
}

static void
kubectl_prefix(const struct dctx *d, const struct dcl *k, struct strbuf *sb)
{
    strbuf_append(sb, "kubectl ");
    if (d->o->cfg != NULL && d->o->cfg->kubeconfig != NULL) {
        strbuf_append(sb, "--kubeconfig ");
        shq(sb, d->o->cfg->kubeconfig);
        strbuf_appendc(sb, ' ');
    }
    strbuf_append(sb, "--context ");
    shq(sb, k->c->context);
    strbuf_appendc(sb, ' ');
}

/* f's command: kubectl for cluster k with the arguments fmt makes. */
static void
fix_command_vkubectl(const struct dctx *d, struct m_finding *f, const struct dcl *k,
                     const char *fmt, va_list ap)
{
    struct strbuf sb;
    strbuf_init(&sb);
    kubectl_prefix(d, k, &sb);
    char args[1024];
    vsnprintf(args, sizeof args, fmt, ap);
    strbuf_append(&sb, args);
    model_fix_set(&f->fix.command, sb.s);
    strbuf_fini(&sb);
}

static void PXC_PRINTF(4, 5)
fix_command_kubectl(const struct dctx *d, struct m_finding *f, const struct dcl *k,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fix_command_vkubectl(d, f, k, fmt, ap);
    va_end(ap);
}

void
doctor__fix_kubectl(struct dctx *d, struct m_finding *f, const struct dcl *k, enum fix_kind kind,
                    const char *what, const char *fmt, ...)
{
    char where[300];
    snprintf(where, sizeof where, "cluster %s", k->c->name);
    set_fix(f, kind, NULL, what, where);
    model_fix_set(&f->fix.cluster, k->c->name);
    va_list ap;
    va_start(ap, fmt);
    fix_command_vkubectl(d, f, k, fmt, ap);
    va_end(ap);
}

void
doctor__fix_label(struct dctx *d, struct m_finding *f, const struct dcl *k, const char *ns)
{
    fixmake_label_ns(&f->fix, k->c->name, ns, true);
    fix_command_kubectl(d, f, k, "label namespace %s istio-injection=enabled --overwrite", ns);
}

void
doctor__fix_restart(struct dctx *d, struct m_finding *f, const struct dcl *k, const char *ns,
                    const char *sts)
{
    fixmake_restart_sts(&f->fix, k->c->name, ns, sts);
    fix_command_kubectl(d, f, k, "rollout restart statefulset %s -n %s", sts, ns);
}

void
doctor__fix_delete_pod(struct dctx *d, struct m_finding *f, const struct dcl *k,
                       const struct m_pod *p)
{
    char what[400];
    snprintf(what, sizeof what, "delete pod %s in namespace %s (its StatefulSet re-creates it)",
             p->name, p->ns);
    doctor__fix_kubectl(d, f, k, FIX_COMMAND, what, "delete pod %s -n %s", p->name, p->ns);
    model_fix_set(&f->fix.warning,
                  "the node leaves Galera until its new pod rejoins (IST); a pod running a "
                  "replication channel stops it meanwhile");
}

void
doctor__fix_sentry(struct dctx *d, struct m_finding *f, const struct dcl *k, const char *ns,
                   const char *name, const char *remote, const struct m_sentry *se)
{
    const struct dcl *rk = doctor__cluster(d, remote);
    char sel_r[1200], sel_k[1200];
    if (rk != NULL)
        select_all_flags(d, rk, sel_r, sizeof sel_r);
    else
        snprintf(sel_r, sizeof sel_r, "--context %s", remote);
    doctor__select_flags(d, k, true, sel_k, sizeof sel_k);
    char objname[300];
    snprintf(objname, sizeof objname, "%s-%s", name, remote);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_append(&sb, "pxcmesh generate serviceentry --name ");
    shq(&sb, name);
    strbuf_append(&sb, " --namespace ");
    shq(&sb, ns);
    strbuf_append(&sb, " --remote-cluster ");
    shq(&sb, remote);
    if (se != NULL && strcmp(objname, se->name) != 0) {
        strbuf_append(&sb, " --object-name ");
        shq(&sb, se->name);
    }
    if (se != NULL && se->n_addresses > 0) {
        strbuf_append(&sb, " --address ");
        shq(&sb, se->addresses[0]);
    }
    strbuf_append(&sb, " --endpoints-from-cluster ");
    shq(&sb, rk != NULL ? sel_name(d, rk) : remote);
    strbuf_appendf(&sb, " %s | pxcmesh apply -f - %s --yes", sel_r, sel_k);
    fixmake_apply_sentry(&f->fix, k->c->name, ns, name, remote, se != NULL ? se->name : NULL,
                         se != NULL && se->n_addresses > 0 ? se->addresses[0] : NULL);
    model_fix_set(&f->fix.command, sb.s);
    strbuf_fini(&sb);
}

void
doctor__fix_start(struct dctx *d, struct m_finding *f, const struct dcl *k,
                  const struct m_channel *ch)
{
    char sel[1200];
    doctor__select_flags(d, k, true, sel, sizeof sel);
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_append(&sb, "pxcmesh channel start ");
    shq(&sb, ch->name);
    strbuf_appendf(&sb, " %s --server ", sel);
    shq(&sb, ch->server);
    char what[400], where[400];
    snprintf(what, sizeof what, "START REPLICA for channel %s", ch->name);
    snprintf(where, sizeof where, "cluster %s, server %s", k->c->name, ch->server);
    set_fix(f, FIX_START_CHANNEL, sb.s, what, where);
    model_fix_set(&f->fix.cluster, k->c->name);
    model_fix_set(&f->fix.server, ch->server);
    model_fix_set(&f->fix.channel, ch->name);
    strbuf_fini(&sb);
}

/* ---- SQL through the server's own client ---- */

static enum sqlq_dialect
dialect_of(const struct m_channel *ch)
{
    for (int i = SQLQ_MARIADB; i <= SQLQ_MYSQL_OLD; i++)
        if (ch->dialect != NULL &&
            strcmp(ch->dialect, sqlq_dialect_name((enum sqlq_dialect)i)) == 0)
            return (enum sqlq_dialect)i;
    return SQLQ_MYSQL;
}

static bool
is_mariadb(enum sqlq_dialect d)
{
    return d == SQLQ_MARIADB || d == SQLQ_MARIADB_OLD;
}

/* kubectl ... get secret NAME -n NS -o jsonpath='{.data.KEY}' | base64 -d */
static void
secret_read(const struct dctx *d, const struct dcl *k, const char *ns, const char *name,
            const char *key, struct strbuf *sb)
{
    kubectl_prefix(d, k, sb);
    strbuf_append(sb, "get secret ");
    shq(sb, name);
    strbuf_append(sb, " -n ");
    shq(sb, ns);
    strbuf_append(sb, " -o ");
    char jp[200];
    snprintf(jp, sizeof jp, "jsonpath={.data.%s}", key);
    shq(sb, jp);
    strbuf_append(sb, " | base64 -d");
}

/* The PXC CR of k whose pods include pod (or the only one), for its Secret's name. */
static const struct m_pxc *
pxc_of(const struct dcl *k, const struct m_pod *pod)
{
    for (size_t i = 0; i < k->c->pxcs.n; i++) {
        const struct m_pxc *x = k->c->pxcs.items[i];
        if (pod == NULL || (pod->instance != NULL && strcmp(pod->instance, x->name) == 0))
            return x;
    }
    return NULL;
}

/* The client command up to its SQL: the server's client, the action user, its password
 * where the config says it is, the server's address. Without a config (a replay): through
 * kubectl exec in the pod, asking for the root password. */
static void
sql_client(const struct dctx *d, const struct dcl *k, const char *server, enum sqlq_dialect dl,
           struct strbuf *sb)
{
    const char *client = is_mariadb(dl) ? "mariadb" : "mysql";
    const struct config_cluster *cc = cfg_cluster(d, k);
    const struct m_server *ms = model_server_find(k->c, server);
    const struct m_pod *pod = doctor__pxc_pod(k, server);
    if (cc == NULL || ms == NULL || ms->host[0] == '\0') {
        kubectl_prefix(d, k, sb);
        strbuf_append(sb, "exec -i -n ");
        shq(sb, pod != NULL ? pod->ns : "pxc");
        strbuf_appendc(sb, ' ');
        shq(sb, server);
        strbuf_appendf(sb, " -c pxc -- %s -uroot -p", client);
        return;
    }
    const char *user = cc->mysql.action_user != NULL ? cc->mysql.action_user : "operator";
    const struct config_pw_from *pw = &cc->mysql.action_password_from;
    switch (pw->kind) {
    case CONFIG_PW_OPTION_FILE:
        strbuf_appendf(sb, "%s --defaults-file=", client);
        shq(sb, pw->option_file);
        if (pw->option_group != NULL && strcmp(pw->option_group, "client") != 0 &&
            strncmp(pw->option_group, "client", 6) == 0) {
            strbuf_append(sb, " --defaults-group-suffix=");
            shq(sb, pw->option_group + 6);
        }
        break;
    case CONFIG_PW_ENV:
        strbuf_appendf(sb, "MYSQL_PWD=\"$%s\" %s", pw->env, client);
        break;
    case CONFIG_PW_SECRET: {
        const struct m_pxc *x = pxc_of(k, pod);
        const char *ns = pw->secret_namespace != NULL ? pw->secret_namespace
                         : x != NULL                  ? x->ns
                                                      : "pxc";
        const char *name = pw->secret_name != NULL                ? pw->secret_name
                           : x != NULL && x->secrets_name != NULL ? x->secrets_name
                                                                  : "pxc-cluster-secrets";
        strbuf_append(sb, "MYSQL_PWD=\"$(");
        secret_read(d, k, ns, name, pw->secret_key != NULL ? pw->secret_key : user, sb);
        strbuf_appendf(sb, ")\" %s", client);
        break;
    }
    }
    strbuf_append(sb, " -u ");
    shq(sb, user);
    strbuf_append(sb, " -h ");
    shq(sb, ms->host);
    strbuf_appendf(sb, " -P %d", ms->port > 0 ? ms->port : 3306);
}

/* One statement of ch's dialect, ";" after it; false when sqlq refuses (bad name). */
static bool
sql_stmt(const struct m_channel *ch, enum sqlq_dialect dl, enum sqlq_verb verb,
         const struct sqlq_source *src, struct strbuf *sql)
{
    struct sqlq_action a = {.verb = verb, .channel = ch->name, .threads = SQLQ_BOTH, .src = src};
    struct strbuf s;
    strbuf_init(&s);
    bool ok = sqlq_build(dl, &a, &s, NULL, NULL) == 0;
    if (ok)
        strbuf_appendf(sql, "%s%s;", sql->len ? " " : "", s.s);
    strbuf_fini(&s);
    return ok;
}

/* client -e 'SQL' */
static void
sql_command(const struct dctx *d, const struct dcl *k, const struct m_channel *ch,
            enum sqlq_dialect dl, const char *sql, struct strbuf *cmd)
{
    sql_client(d, k, ch->server, dl, cmd);
    strbuf_append(cmd, " -e ");
    shq_sql(cmd, sql);
}

void
doctor__fix_repoint(struct dctx *d, struct m_finding *f, const struct dcl *k,
                    const struct m_channel *ch, const char *host)
{
    enum sqlq_dialect dl = dialect_of(ch);
    struct sqlq_source src = SQLQ_SOURCE_UNCHANGED;
    src.host = host;
    struct strbuf sql, cmd;
    strbuf_init(&sql);
    strbuf_init(&cmd);
    if (sql_stmt(ch, dl, SQLQ_STOP, NULL, &sql) &&
        sql_stmt(ch, dl, SQLQ_CHANGE_SOURCE, &src, &sql) &&
        sql_stmt(ch, dl, SQLQ_START, NULL, &sql)) {
        sql_command(d, k, ch, dl, sql.s, &cmd);
        char where[400];
        snprintf(where, sizeof where, "cluster %s, server %s", k->c->name, ch->server);
        set_fix(f, FIX_REPOINT_SOURCE, cmd.s, sql.s, where);
        model_fix_set(&f->fix.cluster, k->c->name);
        model_fix_set(&f->fix.server, ch->server);
        model_fix_set(&f->fix.channel, ch->name);
        model_fix_set(&f->fix.host, host);
    }
    strbuf_fini(&sql);
    strbuf_fini(&cmd);
}

void
doctor__fix_password(struct dctx *d, struct m_finding *f, const struct dcl *k,
                     const struct m_channel *ch, const struct dcl *src, const char *ns,
                     const char *secret)
{
    enum sqlq_dialect dl = dialect_of(ch);
    /* The password goes through printf's %s into the client's stdin, never onto a command
     * line (where ps would show it). */
    struct sqlq_source s = SQLQ_SOURCE_UNCHANGED;
    s.password = "%s";
    struct strbuf sql, shown, cmd;
    strbuf_init(&sql);
    strbuf_init(&shown);
    strbuf_init(&cmd);
    if (sql_stmt(ch, dl, SQLQ_STOP, NULL, &sql) && sql_stmt(ch, dl, SQLQ_CHANGE_SOURCE, &s, &sql) &&
        sql_stmt(ch, dl, SQLQ_START, NULL, &sql)) {
        strbuf_append(&cmd, "printf ");
        shq_sql(&cmd, sql.s);
        strbuf_append(&cmd, " \"$(");
        secret_read(d, src, ns, secret, "replication", &cmd);
        strbuf_append(&cmd, ")\" | ");
        sql_client(d, k, ch->server, dl, &cmd);
        /* The confirmation shows the statements, the password masked. */
        const char *p = strstr(sql.s, "'%s'");
        strbuf_appendn(&shown, sql.s, p != NULL ? (size_t)(p - sql.s) : sql.len);
        if (p != NULL)
            strbuf_appendf(&shown, "%s%s", SQLQ_MASK, p + 4);
        char where[600];
        snprintf(where, sizeof where,
                 "cluster %s, server %s; the password from Secret %s/%s (key replication) in %s",
                 k->c->name, ch->server, ns, secret, src->c->name);
        set_fix(f, FIX_SOURCE_PASSWORD, cmd.s, shown.s, where);
        model_fix_set(&f->fix.cluster, k->c->name);
        model_fix_set(&f->fix.server, ch->server);
        model_fix_set(&f->fix.channel, ch->name);
        model_fix_set(&f->fix.remote, src->c->name);
        model_fix_set(&f->fix.ns, ns);
        model_fix_set(&f->fix.name, secret);
    }
    strbuf_fini(&sql);
    strbuf_fini(&shown);
    strbuf_fini(&cmd);
}

/* The GTID the SQL thread stopped on: MySQL names it in the error ("... executing
 * transaction 'UUID:N' ..."); else the first retrieved and not executed. "" unknown. */
static void
failed_gtid(const struct m_channel *ch, char *buf, size_t n)
{
    buf[0] = '\0';
    const char *t = strstr(ch->last_sql_error, "transaction '");
    if (t != NULL) {
        t += strlen("transaction '");
        size_t len = strcspn(t, "'");
        if (len > 0 && len < n && memchr(t, ':', len) != NULL) {
            snprintf(buf, n, "%.*s", (int)len, t);
            return;
        }
    }
    struct gtid_set *r = NULL, *e = NULL;
    if (gtid_set_parse(ch->retrieved_gtid, &r, NULL) == 0 &&
        gtid_set_parse(ch->executed_gtid, &e, NULL) == 0) {
        struct gtid_set *gap = gtid_set_subtract(r, e);
        char *txt = gtid_set_format(gap);
        /* "uuid:5-9,..." -> "uuid:5" */
        size_t u = strcspn(txt, ":");
        if (txt[u] == ':') {
            size_t num = strspn(txt + u + 1, "0123456789");
            if (num > 0)
                snprintf(buf, n, "%.*s", (int)(u + 1 + num), txt);
        }
        free(txt);
        gtid_set_free(gap);
    }
    gtid_set_free(r);
    gtid_set_free(e);
}

void
doctor__fix_skip(struct dctx *d, struct m_finding *f, const struct dcl *k,
                 const struct m_channel *ch)
{
    enum sqlq_dialect dl = dialect_of(ch);
    struct strbuf sql, cmd;
    strbuf_init(&sql);
    strbuf_init(&cmd);
    char gtid[160];
    if (is_mariadb(dl)) {
        /* gtid_slave_pos moves past the event group as the SQL thread skips it. */
        strbuf_append(&sql, "SET @@default_master_connection=");
        sqlq_quote_string(&sql, ch->name);
        strbuf_appendf(&sql, "; SET GLOBAL sql_slave_skip_counter=1;");
    } else if (ch->gtid_mode == 2 && (failed_gtid(ch, gtid, sizeof gtid), gtid[0] != '\0')) {
        /* With GTID auto-positioning the skip counter does nothing useful: commit an empty
         * transaction under the failed GTID, so the replica counts it as applied. */
        strbuf_append(&sql, "SET GTID_NEXT=");
        sqlq_quote_string(&sql, gtid);
        strbuf_append(&sql, "; BEGIN; COMMIT; SET GTID_NEXT='AUTOMATIC';");
    } else {
        strbuf_appendf(&sql, "SET GLOBAL %s=1;",
                       dl == SQLQ_MYSQL ? "sql_replica_skip_counter" : "sql_slave_skip_counter");
    }
    if (!sql_stmt(ch, dl, SQLQ_START, NULL, &sql)) {
        strbuf_fini(&sql);
        strbuf_fini(&cmd);
        return;
    }
    sql_command(d, k, ch, dl, sql.s, &cmd);
    char where[400], warn[400];
    snprintf(where, sizeof where, "cluster %s, server %s", k->c->name, ch->server);
    set_fix(f, FIX_COMMAND, cmd.s, sql.s, where);
    snprintf(warn, sizeof warn,
             "skipping drifts the data: the replica never applies that transaction (error %d); "
             "repairing the row, then START, keeps it identical to the source",
             ch->last_sql_errno);
    model_fix_set(&f->fix.warning, warn);
    model_fix_set(&f->fix.cluster, k->c->name);
    model_fix_set(&f->fix.server, ch->server);
    model_fix_set(&f->fix.channel, ch->name);
    strbuf_fini(&sql);
    strbuf_fini(&cmd);
}
