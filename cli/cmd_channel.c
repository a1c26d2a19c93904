/* cmd_channel: `pxcmesh channel status [--json]` and `pxcmesh channel start|stop NAME
 * --cluster C [--server S] [--io|--sql]`: the MySQL backend from the command line, through
 * the same poller the console runs (mysql_poll), so what it prints is what the console shows.
 *
 * status reads every server of every configured cluster once and prints the channels; with
 * --json, {"channels": [...]}, each entry the channel object of docs/status-json.md plus its
 * "cluster". start/stop read the cluster once to find which server runs the channel (or use
 * --server), run START/STOP REPLICA in the server's dialect with the action user, then read
 * again until the threads show the change (or --timeout) and print the new state.
 * Exit codes: 0 ok, 1 failure (status: a server could not be read, or a channel is broken:
 * unreadable, or a thread stopped on an error; start/stop: refused action, timeout), 2
 * usage. A channel stopped without an error (STOP REPLICA) is not broken. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "cmd.h"
#include "outfmt.h"
#include "tabw.h"
#include "config/config.h"
#include "doctor/health.h"
#include "live/live.h"
#include "model/model.h"
#include "mysql/mysql_poll.h"
#include "model/snap.h"
#include "mysql/sqlq.h"

static int cmd_channel_exec(const struct cmd_opts *opts, int argc, char **argv);

static const char *const channel_subs[] = {"status", "start", "stop", NULL};

static const struct cmd_flag channel_flags[] = {
    {"--output", "-o", CV_OUTPUT, "FORMAT", NULL,
     "status: json, yaml, wide, name, jsonpath=TEMPLATE"},
    {"--json", NULL, CV_NONE, NULL, NULL, "status: -o json"},
    {"--server", NULL, CV_WORD, "S", NULL, "start/stop: the server that runs the channel"},
    {"--io", NULL, CV_NONE, NULL, NULL, "start/stop: the IO thread only"},
    {"--sql", NULL, CV_NONE, NULL, NULL, "start/stop: the SQL thread only"},
    {"--yes", "-y", CV_NONE, NULL, NULL, "start/stop: do not ask"},
    {"--timeout", NULL, CV_NUMBER, "S", NULL, "seconds to wait (default 30)"},
    {NULL, NULL, CV_NONE, NULL, NULL, NULL},
};

const struct cmd_entry cmd_channel_entry = {
    .name = "channel",
    .usage = "channel status [-o FORMAT] | "
             "channel start|stop NAME [--cluster C] [--server S] [--io|--sql] [--yes]",
    .summary = "show replication channels, or start/stop one (the SQL and the MySQL user "
               "shown first)",
    .exec = cmd_channel_exec,
    .subs = channel_subs,
    .opts = channel_flags,
    .outputs = OUTFMT_OBJECTS,
};

static const char channel_usage[] =
    "usage: pxcmesh channel status [-o json|yaml|wide|name|jsonpath=T] [--timeout S]\n"
    "       pxcmesh channel start|stop NAME [--cluster C] [--server S] [--io|--sql] [--yes]\n"
    "                                  [--timeout S]\n"
    "       (and the selection: --config FILE, --context C, --cluster NAME)\n"
    "Reads the replication channels of every selected cluster, or starts/stops one channel\n"
    "(both threads, or only the IO or SQL thread) with the action user and shows the result.\n"
    "start/stop show the statement and the MySQL user that runs it, and ask on the terminal\n"
    "first; --yes does not ask (without a terminal, --yes is needed).\n"
    "status exits 1 when a server could not be read or a channel is broken (an IO or SQL\n"
    "error); a channel stopped without an error (STOP REPLICA) is not broken.\n";

enum verb { V_STATUS, V_START, V_STOP };

struct run {
    uv_loop_t *loop;
    struct model *m;
    const struct config *cfg;
    const struct cmd_opts *opts;
    struct live *lv;
    struct mysql_poll **polls;
    size_t n_polls;
    size_t rounds_done; /* pollers whose current round is done */
    bool need_kube;
    enum verb verb;
    const char *channel;
    const char *cluster;
    const char *server;
    enum sqlq_threads threads;
    /* start/stop progress */
    int phase;        /* 0 first read, 1 action sent, 2 action done: re-reading */
    char target[256]; /* the server acting */
    int action_status;
    char action_msg[256];
    char sql[512];       /* start/stop: the statement, as it will run (masked) */
    char user[128];      /* start/stop: the MySQL user that runs it */
    struct mysql_poll *act_poll; /* start/stop: the poller of the cluster acted on */
    bool done;
    bool timed_out;
    int exit_code;
};

static void
finish(struct run *r, int code)
{
    r->done = true;
    r->exit_code = code;
    uv_stop(r->loop);
}

static const struct m_channel *
find_channel(struct m_cluster *c, const char *server, const char *name, int *n_found)
{
    const struct m_channel *hit = NULL;
    *n_found = 0;
    for (size_t i = 0; c && i < c->channels.n; i++) {
        const struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->name, name) != 0 || (server && strcmp(ch->server, server) != 0))
            continue;
        (*n_found)++;
        hit = ch;
    }
    return hit;
}

static bool
change_visible(const struct run *r, const struct m_channel *ch)
{
    bool io = r->threads != SQLQ_SQL, sql = r->threads != SQLQ_IO;
    if (r->verb == V_STOP)
        return (!io || ch->io == THR_NO) && (!sql || ch->sql == THR_NO);
    /* started: the threads asked for left No (an IO thread may stay Connecting) */
    return (!io || ch->io != THR_NO) && (!sql || ch->sql != THR_NO);
}

static void on_action_done(int status, const char *server, const char *sql_masked,
                           const struct pxerr *err, void *arg);

/* Print why each server of p could not be read; returns how many could not (the poller's
 * own error counts as one). */
static int
servers_report(struct mysql_poll *p)
{
    int n = 0;
    for (int i = 0; i < mysql_poll_n_servers(p); i++) {
        const char *msg = NULL;
        if (mysql_poll_server_status(p, i, &msg) != 0) {
            fprintf(stderr, "pxcmesh channel: %s\n", msg && *msg ? msg : "no answer");
            n++;
        }
    }
    if (mysql_poll_error(p)[0]) {
        fprintf(stderr, "pxcmesh channel: %s\n", mysql_poll_error(p));
        n++;
    }
    return n;
}

static void
on_round(struct mysql_poll *p, int round, void *arg)
{
    struct run *r = arg;
    (void)round;
    if (r->done)
        return;
    if (r->verb == V_STATUS) {
        if (++r->rounds_done == r->n_polls)
            finish(r, 0);
        return;
    }
    struct m_cluster *c = model_cluster_find(r->m, r->cluster);
    int n = 0;
    const struct m_channel *ch = find_channel(c, r->server, r->channel, &n);
    if (r->phase == 0) {
        if (n != 1) {
            /* Where a server did not answer, the channel may well be there: its error is
             * the whole story, not "no channel". */
            if (n == 0 && servers_report(p) == 0) {
                fprintf(stderr,
                        "pxcmesh channel: no channel '%s' on %s%s; `pxcmesh channel "
                        "status` lists the channels\n",
                        r->channel, r->server ? "server " : "cluster ",
                        r->server ? r->server : r->cluster);
            } else if (n > 1) {
                struct strbuf sb;
                strbuf_init(&sb);
                for (size_t i = 0; i < c->channels.n; i++) {
                    const struct m_channel *x = c->channels.items[i];
                    if (strcmp(x->name, r->channel) == 0)
                        strbuf_appendf(&sb, "%s%s", sb.len ? ", " : "", x->server);
                }
                fprintf(stderr,
                        "pxcmesh channel: channel '%s' runs on several servers of %s "
                        "(%s); pass --server S\n",
                        r->channel, r->cluster, sb.s);
                strbuf_fini(&sb);
            }
            finish(r, 1);
            return;
        }
        snprintf(r->target, sizeof r->target, "%s", ch->server);
        struct sqlq_action a = {.verb = r->verb == V_START ? SQLQ_START : SQLQ_STOP,
                                .channel = r->channel,
                                .threads = r->threads};
        struct pxerr err = {0};
        struct strbuf masked;
        strbuf_init(&masked);
        if (mysql_poll_render(p, r->target, &a, &masked, &err) < 0) {
            strbuf_fini(&masked);
            fprintf(stderr, "pxcmesh channel: %s\n", err.msg);
            finish(r, 1);
            return;
        }
        snprintf(r->sql, sizeof r->sql, "%s", masked.s);
        strbuf_fini(&masked);
        snprintf(r->user, sizeof r->user, "%s", mysql_poll_action_user(p));
        r->act_poll = p;
        /* The operator is asked with the loop stopped; cmd_channel_exec goes on. */
        r->phase = 3;
        uv_stop(r->loop);
        return;
    }
    if (r->phase == 2) {
        ch = find_channel(c, r->target, r->channel, &n);
        if (ch != NULL && change_visible(r, ch)) {
            printf("channel %s on %s: IO %s, SQL %s", r->channel, r->target,
                   model_thread_name(ch->io), model_thread_name(ch->sql));
            if (ch->last_io_errno)
                printf(", IO error %d: %s", ch->last_io_errno, ch->last_io_error);
            if (ch->last_sql_errno)
                printf(", SQL error %d: %s", ch->last_sql_errno, ch->last_sql_error);
            printf("\n");
            finish(r, 0);
            return;
        }
        /* not visible yet: read again shortly */
    }
}

static void
on_retry_timer(uv_timer_t *t)
{
    struct run *r = t->data;
    if (!r->done && r->phase == 2 && r->n_polls > 0)
        mysql_poll_kick(r->polls[0]);
}

static void
on_action_done(int status, const char *server, const char *sql_masked, const struct pxerr *err,
               void *arg)
{
    struct run *r = arg;
    if (r->done)
        return;
    if (status != 0) {
        fprintf(stderr, "pxcmesh channel: %s on %s failed: %s\n",
                r->verb == V_START ? "start" : "stop", server, err ? err->msg : "?");
        finish(r, 1);
        return;
    }
    printf("ran on %s: %s\n", server, sql_masked);
    r->phase = 2; /* mysql_poll starts a new read by itself */
}

static void
start_pollers(struct run *r)
{
    r->polls = xcalloc(r->cfg->n_clusters, sizeof *r->polls);
    for (size_t i = 0; i < r->cfg->n_clusters; i++) {
        const struct config_cluster *cc = &r->cfg->clusters[i];
        if (r->cluster && strcmp(cc->name, r->cluster) != 0)
            continue;
        struct mysql_poll_opts po = {.once = true,
                                     .readonly = r->opts->readonly,
                                     .kc = r->lv ? live_client(r->lv, cc->name) : NULL,
                                     .on_round = on_round,
                                     .arg = r};
        struct pxerr err = {0};
        if (mysql_poll_start(r->loop, r->m, r->cfg, cc, &po, &r->polls[r->n_polls], &err) < 0) {
            fprintf(stderr, "pxcmesh channel: %s\n", err.msg);
            r->exit_code = 1;
            continue;
        }
        r->n_polls++;
    }
    if (r->n_polls == 0)
        finish(r, 1);
}

static void
on_synced(struct live *lv, int n_unreachable, void *arg)
{
    struct run *r = arg;
    (void)lv;
    /* A cluster's API error does not stop reading its MySQL servers, but where they come
     * from it (pods, a Secret) the poller's error is only a consequence: say the cause. */
    for (size_t i = 0; n_unreachable > 0 && i < r->m->clusters.n; i++) {
        const struct m_cluster *c = r->m->clusters.items[i];
        if (!c->reachable && c->error[0] != '\0')
            fprintf(stderr, "pxcmesh channel: cluster %s: %s\n", c->name, c->error);
    }
    start_pollers(r);
}

static void
on_deadline(uv_timer_t *t)
{
    struct run *r = t->data;
    r->timed_out = true;
    uv_stop(r->loop);
}

static void
on_walk_close(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Broken, for a script's exit code: it cannot be read, or a thread stopped on an error.
 * A thread stopped without an error was stopped by someone (STOP REPLICA): not broken. */
static bool
channel_broken(const struct m_channel *ch, char *why, size_t n)
{
    if (ch->error[0] != '\0')
        snprintf(why, n, "cannot be read: %s", ch->error);
    else if (ch->last_io_errno != 0)
        snprintf(why, n, "IO thread %s, error %d: %.200s", model_thread_name(ch->io),
                 ch->last_io_errno, ch->last_io_error);
    else if (ch->last_sql_errno != 0)
        snprintf(why, n, "SQL thread %s, error %d: %.200s", model_thread_name(ch->sql),
                 ch->last_sql_errno, ch->last_sql_error);
    else
        return false;
    return true;
}

/* The channels as {"channels": [...]}, each entry snap's channel object (so that it
 * matches docs/status-json.md exactly) with its "cluster", "health" and "healthReason".
 * Owned, or NULL after saying why. */
static json_t *
channels_doc(struct run *r, const struct health_limits *lim)
{
    struct strbuf out;
    strbuf_init(&out);
    struct pxerr err = {0};
    if (snap_write(r->m, &out, &err) < 0) {
        fprintf(stderr, "pxcmesh channel: %s\n", err.msg);
        strbuf_fini(&out);
        return NULL;
    }
    json_error_t je;
    json_t *snap = json_loads(out.s, 0, &je);
    strbuf_fini(&out);
    json_t *list = json_array();
    json_t *clusters = snap ? json_object_get(snap, "clusters") : NULL;
    size_t ci;
    json_t *c;
    json_array_foreach (clusters, ci, c) {
        json_t *chans = json_object_get(c, "channels");
        const char *cname = json_string_value(json_object_get(c, "name"));
        struct m_cluster *mc = cname != NULL ? model_cluster_find(r->m, cname) : NULL;
        size_t k;
        json_t *ch;
        json_array_foreach (chans, k, ch) {
            json_t *o = json_deep_copy(ch);
            json_object_set(o, "cluster", json_object_get(c, "name"));
            const char *server = json_string_value(json_object_get(ch, "server"));
            const char *name = json_string_value(json_object_get(ch, "name"));
            int n_found = 0;
            const struct m_channel *mch =
                server != NULL && name != NULL ? find_channel(mc, server, name, &n_found) : NULL;
            if (mch != NULL) {
                char why[400];
                enum health_level h = health_channel(mch, lim, why, sizeof why);
                json_object_set_new(o, "health", json_string(health_level_name(h)));
                json_object_set_new(o, "healthReason", json_string(why));
            }
            json_array_append_new(list, o);
        }
    }
    json_decref(snap);
    json_t *doc = json_object();
    json_object_set_new(doc, "channels", list);
    return doc;
}

static void
print_table(struct run *r, const struct health_limits *lim, bool wide)
{
    struct tabw t;
    tabw_init(&t);
    static const char *const cols[] = {"CLUSTER", "SERVER",  "CHANNEL",  "IO",      "SQL",
                                       "LAG",     "HEALTH",  "SOURCE",   "PROBLEM", "GTID-GAP",
                                       "RETRIES", "LAG-FROM", "IO-STATE"};
    tabw_row(&t);
    for (size_t k = 0; k < (wide ? 13u : 9u); k++)
        tabw_cell(&t, cols[k]);
    for (size_t i = 0; i < r->m->clusters.n; i++) {
        struct m_cluster *c = r->m->clusters.items[i];
        for (size_t k = 0; k < c->channels.n; k++) {
            const struct m_channel *ch = c->channels.items[k];
            char lag[32], er[400];
            if (ch->lag_s < 0)
                snprintf(lag, sizeof lag, "?");
            else
                snprintf(lag, sizeof lag, "%.0fs%s", ch->lag_s, ch->lag_from_heartbeat ? "" : "*");
            if (ch->error[0])
                snprintf(er, sizeof er, "%s", ch->error);
            else if (ch->last_io_errno)
                snprintf(er, sizeof er, "IO %d: %.200s", ch->last_io_errno, ch->last_io_error);
            else if (ch->last_sql_errno)
                snprintf(er, sizeof er, "SQL %d: %.200s", ch->last_sql_errno, ch->last_sql_error);
            else
                er[0] = '\0';
            /* Without an error to show, the problem is the health's reason (lag over a
             * threshold, a thread still connecting). */
            char why[400];
            enum health_level h = health_channel(ch, lim, why, sizeof why);
            if (er[0] == '\0' && h != HEALTH_OK)
                snprintf(er, sizeof er, "%s", why);
            tabw_row(&t);
            tabw_cell(&t, c->name);
            tabw_cell(&t, ch->server);
            tabw_cell(&t, ch->name[0] ? ch->name : "''");
            tabw_cell(&t, model_thread_name(ch->io));
            tabw_cell(&t, model_thread_name(ch->sql));
            tabw_cell(&t, lag);
            tabw_cell(&t, health_level_name(h));
            tabw_cellf(&t, "%s:%d", ch->source_host, ch->source_port);
            tabw_cell(&t, er);
            if (wide) {
                if (ch->gtid_gap < 0)
                    tabw_cell(&t, "?");
                else
                    tabw_cellf(&t, "%lld", (long long)ch->gtid_gap);
                tabw_cellf(&t, "%d", ch->retry_count);
                tabw_cell(&t, ch->lag_source ? ch->lag_source : "?");
                tabw_cell(&t, ch->io_state && ch->io_state[0] ? ch->io_state : "-");
            }
        }
    }
    tabw_flush(&t, stdout);
    tabw_fini(&t);
    printf("(* lag from Seconds_Behind_Source: unreliable, ? unknown)\n");
}

static int
print_status(struct run *r, const struct outfmt *of)
{
    int rc = 0;
    for (size_t i = 0; i < r->m->clusters.n; i++) {
        const struct m_cluster *c = r->m->clusters.items[i];
        for (size_t k = 0; k < c->channels.n; k++) {
            const struct m_channel *ch = c->channels.items[k];
            char why[400];
            if (channel_broken(ch, why, sizeof why)) {
                fprintf(stderr, "pxcmesh channel: %s: channel %s on %s is broken: %s\n", c->name,
                        ch->name[0] ? ch->name : "''", ch->server, why);
                rc = 1;
            }
        }
    }
    /* Judged by the config's lagWarnSeconds / lagCritSeconds, as the console does. */
    struct health_limits lim = health_limits_from_config(r->cfg);
    for (size_t i = 0; i < r->n_polls; i++) {
        struct mysql_poll *p = r->polls[i];
        for (int k = 0; k < mysql_poll_n_servers(p); k++) {
            const char *msg = NULL;
            if (mysql_poll_server_status(p, k, &msg) != 0) {
                fprintf(stderr, "pxcmesh channel: %s: %s\n", mysql_poll_cluster(p),
                        msg && *msg ? msg : "no answer");
                rc = 1;
            }
        }
        if (mysql_poll_error(p)[0]) {
            fprintf(stderr, "pxcmesh channel: %s\n", mysql_poll_error(p));
            rc = 1;
        }
    }
    if (of->kind == OUTFMT_TEXT || of->kind == OUTFMT_WIDE) {
        print_table(r, &lim, of->kind == OUTFMT_WIDE);
        return rc;
    }
    if (of->kind == OUTFMT_NAME) {
        for (size_t i = 0; i < r->m->clusters.n; i++) {
            const struct m_cluster *c = r->m->clusters.items[i];
            for (size_t k = 0; k < c->channels.n; k++) {
                const struct m_channel *ch = c->channels.items[k];
                printf("channel/%s/%s/%s\n", c->name, ch->server, ch->name[0] ? ch->name : "''");
            }
        }
        return rc;
    }
    json_t *doc = channels_doc(r, &lim);
    if (doc == NULL)
        return 1;
    outfmt_print_doc(of, doc, stdout);
    json_decref(doc);
    return rc;
}

static int
channel_main(const struct cmd_opts *opts, int argc, char **argv, struct outfmt *of)
{
    if (argc < 2)
        return cmd_usage_error("channel", "want status, start or stop");
    struct run r = {.opts = opts, .threads = SQLQ_BOTH};
    const char *sub = argv[1];
    if (strcmp(sub, "status") == 0)
        r.verb = V_STATUS;
    else if (strcmp(sub, "start") == 0)
        r.verb = V_START;
    else if (strcmp(sub, "stop") == 0)
        r.verb = V_STOP;
    else if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        fputs(channel_usage, stdout);
        return 0;
    } else
        return cmd_usage_error("channel",
                               "unknown channel command '%s' (want status, start or "
                               "stop)",
                               sub);
    int timeout_s = 30;
    bool io = false, sql = false, yes = false;
    static const struct option lo[] = {
        {"json", no_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"yes", no_argument, NULL, 'y'},
        {"timeout", required_argument, NULL, 't'},
        {"server", required_argument, NULL, 's'},
        {"io", no_argument, NULL, 'i'},
        {"sql", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* Parse after the verb: av[0] is the verb, which getopt skips. Permutation is on, so
     * NAME may come before or after the options. */
    char **av = argv + 1;
    int ac = argc - 1;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(ac, av, "jo:yt:s:h", lo, NULL)) != -1) {
        switch (ch) {
        case 'j':
        case 'o':
            if (outfmt_set(of, "channel", ch == 'j' ? "json" : optarg, OUTFMT_OBJECTS) != 0)
                return 2;
            break;
        case 'y':
            yes = true;
            break;
        case 't':
            timeout_s = atoi(optarg);
            if (timeout_s <= 0)
                return cmd_usage_error("channel",
                                       "--timeout needs a positive number of "
                                       "seconds, got '%s'",
                                       optarg);
            break;
        case 's':
            r.server = optarg;
            break;
        case 'i':
            io = true;
            break;
        case 'q':
            sql = true;
            break;
        case 'h':
            fputs(channel_usage, stdout);
            return 0;
        default:
            return cmd_usage_error("channel", "unknown option '%s'", av[optind - 1]);
        }
    }
    for (; optind < ac; optind++) {
        if (r.verb != V_STATUS && r.channel == NULL)
            r.channel = av[optind];
        else
            return cmd_usage_error("channel", "unexpected argument '%s'", av[optind]);
    }
    if (r.verb == V_STATUS) {
        if (r.server || io || sql || yes)
            return cmd_usage_error("channel", "status takes no --server, --io, --sql or --yes");
    } else {
        if (r.channel == NULL)
            return cmd_usage_error("channel", "%s needs the channel NAME", sub);
        if (io && sql)
            return cmd_usage_error("channel", "give --io or --sql, not both (neither: both "
                                              "threads)");
        r.threads = io ? SQLQ_IO : sql ? SQLQ_SQL : SQLQ_BOTH;
        struct pxerr e = {0};
        if (sqlq_check_channel(r.channel, &e) < 0)
            return cmd_usage_error("channel", "%s", e.msg);
        if (of->kind != OUTFMT_TEXT)
            return cmd_usage_error("channel", "-o is for status; %s prints what it ran", sub);
    }

    struct pxerr err = {0};
    struct config *cfg = NULL;
    int rc = cmd_kube_config(opts, &cfg, &err);
    if (rc != 0) {
        fprintf(stderr, "pxcmesh channel: %s\n", err.msg);
        return rc == PXE_USAGE ? 2 : 1;
    }
    if (r.verb != V_STATUS && (r.cluster = cmd_one_cluster(cfg, "channel")) == NULL) {
        config_free(cfg);
        return 2;
    }
    if (r.verb != V_STATUS && (opts->readonly || cfg->readonly)) {
        fprintf(stderr,
                "pxcmesh channel: read-only mode (--readonly or readonly: true in %s): "
                "%s refused\n",
                cfg->path ? cfg->path : "the config", sub);
        config_free(cfg);
        return 1;
    }
    r.cfg = cfg;
    for (size_t i = 0; i < cfg->n_clusters; i++) {
        const struct config_mysql *my = &cfg->clusters[i].mysql;
        if (r.cluster && strcmp(cfg->clusters[i].name, r.cluster) != 0)
            continue;
        if (my->mode != CONFIG_MYSQL_DIRECT || my->password_from.kind == CONFIG_PW_SECRET ||
            (r.verb != V_STATUS && my->action_password_from.kind == CONFIG_PW_SECRET))
            r.need_kube = true;
    }

    uv_loop_t loop;
    uv_loop_init(&loop);
    r.loop = &loop;
    r.m = model_new();
    uv_timer_t deadline, retry;
    uv_timer_init(&loop, &deadline);
    deadline.data = &r;
    uv_timer_start(&deadline, on_deadline, (uint64_t)timeout_s * 1000, 0);
    uv_timer_init(&loop, &retry);
    retry.data = &r;
    uv_timer_start(&retry, on_retry_timer, 500, 500);
    if (r.need_kube) {
        struct live_opts lopt = {.readonly = opts->readonly,
                                 .no_mysql = true, /* our own pollers, with our callbacks */
                                 .mode = KUBE_MODE_LIST_ONCE,
                                 .kubeconfig = opts->kubeconfig,
                                 .on_synced = on_synced,
                                 .arg = &r};
        if (live_start_opts(&loop, r.m, cfg, &lopt, &r.lv, &err) < 0) {
            fprintf(stderr, "pxcmesh channel: %s\n", err.msg);
            r.done = true;
            r.exit_code = 1;
        }
    } else {
        start_pollers(&r);
    }
    if (!r.done)
        uv_run(&loop, UV_RUN_DEFAULT);
    if (!r.done && r.phase == 3) {
        /* What will run, where and as whom, then the question. */
        printf("Cluster %s, server %s: as MySQL user '%s' (the action user):\n  %s;\n",
               r.cluster, r.target, r.user, r.sql);
        fflush(stdout);
        char q[700];
        snprintf(q, sizeof q, "%s channel %s on %s?", r.verb == V_START ? "start" : "stop",
                 r.channel[0] ? r.channel : "''", r.target);
        struct sqlq_action a = {.verb = r.verb == V_START ? SQLQ_START : SQLQ_STOP,
                                .channel = r.channel,
                                .threads = r.threads};
        if (!cmd_confirm("channel", q, yes)) {
            printf("not run\n");
            r.done = true;
            r.exit_code = 1;
        } else if (mysql_poll_action(r.act_poll, r.target, &a, on_action_done, &r, &err) < 0) {
            fprintf(stderr, "pxcmesh channel: %s\n", err.msg);
            r.done = true;
            r.exit_code = 1;
        } else {
            r.phase = 1;
            uv_timer_start(&deadline, on_deadline, (uint64_t)timeout_s * 1000, 0);
            uv_run(&loop, UV_RUN_DEFAULT);
        }
    }

    int code = r.exit_code;
    if (!r.done) {
        code = 1;
        if (r.verb == V_STATUS)
            fprintf(stderr, "pxcmesh channel: not every server answered within %d s\n", timeout_s);
        else if (r.phase == 2)
            fprintf(stderr,
                    "pxcmesh channel: %s ran on %s, but the threads did not show it "
                    "within %d s; check `pxcmesh channel status`\n",
                    sub, r.target, timeout_s);
        else
            fprintf(stderr, "pxcmesh channel: no answer from cluster %s within %d s\n", r.cluster,
                    timeout_s);
    }
    if (r.verb == V_STATUS) {
        int prc = print_status(&r, of);
        if (code == 0)
            code = prc;
    }
    for (size_t i = 0; i < r.n_polls; i++)
        mysql_poll_free(r.polls[i]);
    free(r.polls);
    live_free(r.lv);
    uv_walk(&loop, on_walk_close, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    (void)uv_loop_close(&loop); /* every handle closed above; nothing to report at exit */
    model_free(r.m);
    config_free(cfg);
        return code;
}

static int
cmd_channel_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    struct outfmt of = {0};
    int rc = channel_main(opts, argc, argv, &of);
    outfmt_fini(&of);
    return rc;
}
