/* test_mysql_poll_apply: what the poller's answers mean for the model when the servers and
 * the Kubernetes side do not arrive in order, or a server cannot be read. Blind never reads
 * as healthy: answers that came before the pods were listed land on the pods once they
 * are; a failure is kept with the last good state, when and why; the server's own record
 * says it could not be read; a channel the PXC CR declares on the labelled replication pod
 * does not vanish because that server could not be read. Results are made the way mysqlc
 * hands them over (row sets by column name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xmalloc.h"
#include "model/model.h"
#include "mysql/mysql_poll_internal.h"

static const char wsrep_tsv[] = "Variable_name\tValue\n"
                                "wsrep_cluster_status\tPrimary\n"
                                "wsrep_local_state_comment\tSynced\n"
                                "wsrep_cluster_size\t3\n"
                                "wsrep_ready\tON\n"
                                "wsrep_connected\tON\n";
/* SHOW ALL SLAVES STATUS of a server that runs no channel. */
static const char no_channels_tsv[] = "Connection_name\tSlave_IO_Running\tSlave_SQL_Running\n";

static struct mysqlc_rows *
rows(const char *tsv)
{
    struct mysqlc_rows *r = NULL;
    struct pxerr err = {0};
    if (mysqlc_rows_parse_tsv(tsv, strlen(tsv), "t", &r, &err) != 0)
        fail_msg("%s", err.msg);
    return r;
}

static struct mysqlc_result
good(int64_t wall_ms)
{
    struct mysqlc_result r;
    memset(&r, 0, sizeof r);
    r.wall_ms = wall_ms;
    r.replica = rows(no_channels_tsv);
    r.wsrep = rows(wsrep_tsv);
    r.galera = true;
    return r;
}

static void
result_fini(struct mysqlc_result *r)
{
    mysqlc_rows_free(r->replica);
    mysqlc_rows_free(r->wsrep);
}

static struct mysqlc_result
failed(int status, const char *msg, int64_t wall_ms)
{
    struct mysqlc_result r;
    memset(&r, 0, sizeof r);
    r.status = status;
    snprintf(r.err.msg, sizeof r.err.msg, "%s", msg);
    r.wall_ms = wall_ms;
    return r;
}

static struct mp_server *
server(const char *name, const char *host)
{
    struct mp_server *s = xcalloc(1, sizeof *s);
    s->name = xstrdup(name);
    s->host = xstrdup(host);
    s->port = 3306;
    return s;
}

static void
server_free(void *p)
{
    struct mp_server *s = p;
    free(s->name);
    free(s->host);
    free(s);
}

static struct m_pod *
pxc_pod(struct model *m, struct m_cluster *c, const char *name, const char *ip)
{
    struct m_pod *p = model_pod_upsert(m, c, "pxc", name);
    snprintf(p->ip, sizeof p->ip, "%s", ip);
    p->component = intern_str(&m->strings, "pxc");
    p->instance = intern_str(&m->strings, "pxc-cluster");
    return p;
}

/* The status read of a direct-mode server answers before the pods are listed (the status
 * --json of a hung node's cluster showed galera: null for every pod): the state is kept
 * and placed on the pod once it is known. */
static void
test_answer_before_pods(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *c = model_cluster_add(m, "a", "a", "");
    struct mp_apply ap = {m, "a", true, SQLQ_MARIADB};
    struct mp_server *s = server("pxc-cluster-pxc-1", "127.0.10.2");
    struct mysqlc_result r = good(1000);
    mysql_poll__apply_status(&ap, c, s, &r);
    result_fini(&r);
    s->status = 0;
    s->read_once = true;
    assert_true(s->g_unplaced);
    struct m_pod *p = pxc_pod(m, c, "pxc-cluster-pxc-1", "127.0.10.2");
    assert_false(p->galera.known);
    mysql_poll__place(&ap, c, s);
    assert_true(p->galera.known);
    assert_string_equal(p->galera.state, "Synced");
    assert_int_equal(p->galera.cluster_size, 3);
    assert_int_equal(p->galera.updated_ms, 1000);
    assert_null(p->galera.error);
    assert_false(s->g_unplaced);

    /* A failure before the pods: the pod gets the error (seen, not known) once listed. */
    struct mp_server *h = server("pxc-cluster-pxc-0", "127.0.10.1");
    struct mysqlc_result f = failed(PXE_TIMEOUT, "connect: no answer within 3 s", 2000);
    mysql_poll__apply_status(&ap, c, h, &f);
    snprintf(h->msg, sizeof h->msg, "%s", f.err.msg);
    struct m_pod *q = pxc_pod(m, c, "pxc-cluster-pxc-0", "127.0.10.1");
    mysql_poll__place(&ap, c, h);
    assert_false(q->galera.known);
    assert_true(q->galera.seen);
    assert_string_equal(q->galera.error, "connect: no answer within 3 s");
    assert_int_equal(q->galera.as_of_ms, 2000);
    server_free(s);
    server_free(h);
    model_free(m);
}

/* A read that fails after good ones keeps the last good state, with the error and when. */
static void
test_failure_keeps_last_good(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *c = model_cluster_add(m, "a", "a", "");
    struct m_pod *p = pxc_pod(m, c, "pxc-cluster-pxc-1", "127.0.10.2");
    struct mp_apply ap = {m, "a", true, SQLQ_MARIADB};
    struct mp_server *s = server("pxc-cluster-pxc-1", "127.0.10.2");
    struct mysqlc_result r = good(1000);
    mysql_poll__apply_status(&ap, c, s, &r);
    mysql_poll__apply_server(&ap, c, s, &r);
    result_fini(&r);
    s->read_once = true;
    struct m_server *ms = model_server_find(c, "pxc-cluster-pxc-1");
    assert_non_null(ms);
    assert_int_equal(ms->updated_ms, 1000);
    assert_string_equal(ms->error, "");

    struct mysqlc_result f = failed(PXE_TIMEOUT, "connect: no answer within 3 s", 5000);
    mysql_poll__apply_status(&ap, c, s, &f);
    mysql_poll__apply_server(&ap, c, s, &f);
    assert_true(p->galera.known);
    assert_string_equal(p->galera.state, "Synced");
    assert_int_equal(p->galera.updated_ms, 1000);
    assert_string_equal(p->galera.error, "connect: no answer within 3 s");
    assert_int_equal(p->galera.as_of_ms, 5000);
    assert_true(ms->hung);
    assert_int_equal(ms->error_since_ms, 5000);
    assert_int_equal(ms->updated_ms, 1000);
    /* The next failure keeps the first one's time; a good read clears it. */
    f.wall_ms = 7000;
    mysql_poll__apply_server(&ap, c, s, &f);
    assert_int_equal(ms->error_since_ms, 5000);
    assert_int_equal(ms->as_of_ms, 7000);
    r = good(9000);
    mysql_poll__apply_status(&ap, c, s, &r);
    mysql_poll__apply_server(&ap, c, s, &r);
    result_fini(&r);
    assert_false(ms->hung);
    assert_int_equal(ms->error_since_ms, 0);
    assert_null(p->galera.error);
    server_free(s);
    model_free(m);
}

/* The PXC CR declares the channel on the replica side; the pod labelled to run it cannot
 * be read: the channel stays in the model, unread, with that server's error. */
static void
test_hidden_channel_kept(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *c = model_cluster_add(m, "a", "a", "");
    struct m_pxc *x = model_pxc_upsert(m, c, "pxc", "pxc-cluster");
    struct m_pxc_channel *pc = xcalloc(1, sizeof *pc);
    pc->name = xstrdup("cluster_b_source");
    pc->n_sources = 1;
    pc->sources = xcalloc(1, sizeof *pc->sources);
    pc->sources[0].host = xstrdup("pxc-cluster.cluster-b.global");
    pc->sources[0].port = 3306;
    vec_push(&x->channels, pc);
    pxc_pod(m, c, "pxc-cluster-pxc-0", "127.0.10.1")->replication_pod = true;
    pxc_pod(m, c, "pxc-cluster-pxc-1", "127.0.10.2");
    struct mp_apply ap = {m, "a", true, SQLQ_MARIADB};
    struct vec servers;
    vec_init(&servers, server_free);
    struct mp_server *s0 = server("pxc-cluster-pxc-0", "127.0.10.1");
    struct mp_server *s1 = server("pxc-cluster-pxc-1", "127.0.10.2");
    vec_push(&servers, s0);
    vec_push(&servers, s1);
    s0->read_once = s1->read_once = true;
    s0->status = PXE_CONN;
    s0->fail_ms = 3000;
    snprintf(s0->msg, sizeof s0->msg, "connect: cannot connect (errno 2003)");
    mysql_poll__hidden_channels(&ap, c, &servers);
    assert_int_equal(c->channels.n, 1);
    struct m_channel *ch = c->channels.items[0];
    assert_string_equal(ch->name, "cluster_b_source");
    assert_string_equal(ch->server, "pxc-cluster-pxc-0");
    assert_string_equal(ch->source_host, "pxc-cluster.cluster-b.global");
    assert_int_equal(ch->io, THR_UNKNOWN);
    assert_int_equal(ch->updated_ms, 0);
    assert_string_equal(ch->error, "not read: connect: cannot connect (errno 2003)");
    assert_int_equal(ch->as_of_ms, 3000);
    /* Again: the same one, not a second. */
    mysql_poll__hidden_channels(&ap, c, &servers);
    assert_int_equal(c->channels.n, 1);

    /* The server answers without the channel: it goes, with no "removed" event (it was
     * never read), and nothing is kept for a readable server. */
    int events = m->ev_len;
    struct mysqlc_result r = good(4000);
    mysql_poll__apply_status(&ap, c, s0, &r);
    result_fini(&r);
    s0->status = 0;
    assert_int_equal(c->channels.n, 0);
    for (int i = 0; i < m->ev_len - events; i++)
        assert_null(strstr(model_event_at(m, i)->what, "removed"));
    mysql_poll__hidden_channels(&ap, c, &servers);
    assert_int_equal(c->channels.n, 0);
    vec_fini(&servers);
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_before_pods),
        cmocka_unit_test(test_failure_keeps_last_good),
        cmocka_unit_test(test_hidden_channel_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
