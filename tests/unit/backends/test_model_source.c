/* test_model_source: which server a channel reads from (model/model_source.h). Table-driven
 * over what the pollers read: the one good server with a binlog dump and the channel's
 * Master_Server_Id; a server whose newest read failed never counts (a killed source keeps
 * its last good "1 dump"); two candidates that cannot be told apart give none, unless the
 * channel names one's host; MySQL 8's failover list decides when it marks one in use; a
 * channel whose IO thread does not run reads from nothing. Then a change is one event that
 * says what it was, and the same answer again is none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"
#include "model/model_source.h"

struct srv {
    const char *name, *host;
    int64_t server_id;
    int dumps;
    bool failed; /* the newest read failed */
};

static const struct {
    const char *what;
    enum thread_state io;
    const char *source_host;
    int64_t master_id;
    struct srv b[3];
    const char *failover_in_use; /* host of the in-use failover source, NULL none */
    const char *want;            /* model_source_describe, "" none */
} cases[] = {
    {"the one with a dump",
     THR_YES,
     "pxc.b.global",
     20,
     {{"b0", "10.2.0.1", 20, 0, false},
      {"b1", "10.2.0.2", 20, 1, false},
      {"b2", "10.2.0.3", 20, 0, false}},
     NULL,
     "cluster-b/b1 (10.2.0.2:3306)"},
    {"a failed read does not count",
     THR_YES,
     "pxc.b.global",
     20,
     {{"b0", "10.2.0.1", 20, 1, false},
      {"b1", "10.2.0.2", 20, 1, true},
      {"b2", "10.2.0.3", 20, 0, false}},
     NULL,
     "cluster-b/b0 (10.2.0.1:3306)"},
    {"server id tells them apart",
     THR_YES,
     "pxc.b.global",
     22,
     {{"b0", "10.2.0.1", 21, 1, false},
      {"b1", "10.2.0.2", 22, 1, false},
      {"b2", "10.2.0.3", 23, 0, false}},
     NULL,
     "cluster-b/b1 (10.2.0.2:3306)"},
    {"two alike: unknown",
     THR_YES,
     "pxc.b.global",
     20,
     {{"b0", "10.2.0.1", 20, 1, false},
      {"b1", "10.2.0.2", 20, 1, false},
      {"b2", "10.2.0.3", 20, 0, false}},
     NULL,
     ""},
    {"two alike, the channel names one",
     THR_YES,
     "10.2.0.2",
     20,
     {{"b0", "10.2.0.1", 20, 1, false},
      {"b1", "10.2.0.2", 20, 1, false},
      {"b2", "10.2.0.3", 20, 0, false}},
     NULL,
     "cluster-b/b1 (10.2.0.2:3306)"},
    {"failover in use decides",
     THR_YES,
     "pxc.b.global",
     20,
     {{"b0", "10.2.0.1", 20, 1, false},
      {"b1", "10.2.0.2", 20, 0, false},
      {"b2", "10.2.0.3", 20, 0, false}},
     "10.2.0.3",
     "cluster-b/b2 (10.2.0.3:3306)"},
    {"IO not running: none",
     THR_CONNECTING,
     "pxc.b.global",
     20,
     {{"b0", "10.2.0.1", 20, 1, false},
      {"b1", "10.2.0.2", 20, 0, false},
      {"b2", "10.2.0.3", 20, 0, false}},
     NULL,
     ""},
    {"no dump anywhere: none",
     THR_YES,
     "pxc.b.global",
     20,
     {{"b0", "10.2.0.1", 20, 0, false},
      {"b1", "10.2.0.2", 20, -1, false},
      {"b2", "10.2.0.3", 20, 0, false}},
     NULL,
     ""},
};

static struct m_channel *
build(struct model *m, size_t k)
{
    struct m_cluster *a = model_cluster_add(m, "cluster-a", NULL, NULL);
    struct m_cluster *b = model_cluster_add(m, "cluster-b", NULL, NULL);
    /* The replica itself serves dumps to nobody but is a server too, and must not count. */
    struct m_server *r = model_server_upsert(m, a, "a0");
    snprintf(r->host, sizeof r->host, "10.1.0.1");
    r->port = 3306;
    r->updated_ms = r->as_of_ms = 1000;
    r->server_id = 20; /* same id as the sources: only its name keeps it out */
    r->binlog_dumps = 1;
    for (int i = 0; i < 3; i++) {
        const struct srv *x = &cases[k].b[i];
        struct m_server *s = model_server_upsert(m, b, x->name);
        snprintf(s->host, sizeof s->host, "%s", x->host);
        s->port = 3306;
        s->server_id = x->server_id;
        s->binlog_dumps = x->dumps;
        s->updated_ms = 1000;
        s->as_of_ms = x->failed ? 2000 : 1000;
        if (x->failed)
            snprintf(s->error, sizeof s->error, "lost connection");
    }
    struct m_channel *ch = model_channel_upsert(m, a, "a0", "ch");
    model_set_str(&ch->source_host, cases[k].source_host);
    ch->source_port = 3306;
    ch->io = cases[k].io;
    ch->sql = THR_YES;
    ch->source_server_id = cases[k].master_id;
    if (cases[k].failover_in_use != NULL) {
        for (int i = 0; i < 3; i++) {
            struct m_failover_source *f = &ch->failover[ch->n_failover++];
            snprintf(f->host, sizeof f->host, "%s", cases[k].b[i].host);
            f->port = 3306;
            f->in_use = strcmp(f->host, cases[k].failover_in_use) == 0;
        }
    }
    return ch;
}

static void
test_table(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct model *m = model_new();
        struct m_channel *ch = build(m, k);
        bool changed = model_source_update(m);
        char got[600];
        model_source_describe(ch, got, sizeof got);
        if (strcmp(got, cases[k].want) != 0)
            fail_msg("%s: got '%s', want '%s'", cases[k].what, got, cases[k].want);
        assert_int_equal(changed, cases[k].want[0] != '\0');
        model_free(m);
    }
}

static void
test_events(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_channel *ch = build(m, 0);
    assert_true(model_source_update(m));
    assert_int_equal(m->ev_len, 1);
    assert_string_equal(model_event_at(m, 0)->what,
                        "channel ch on a0: reads from cluster-b/b1 (10.2.0.2:3306)");
    assert_false(model_source_update(m)); /* the same: no event, no change */
    assert_int_equal(m->ev_len, 1);
    /* b1 dies: its read fails; b2 takes the dump. No event in between. */
    struct m_cluster *b = model_cluster_find(m, "cluster-b");
    struct m_server *b1 = model_server_find(b, "b1"), *b2 = model_server_find(b, "b2");
    snprintf(b1->error, sizeof b1->error, "refused");
    b1->as_of_ms = 3000;
    assert_true(model_source_update(m));
    assert_string_equal(ch->src_address, "");
    assert_int_equal(m->ev_len, 1);
    b2->binlog_dumps = 1;
    assert_true(model_source_update(m));
    assert_int_equal(m->ev_len, 2);
    assert_string_equal(model_event_at(m, 0)->what,
                        "channel ch on a0: reads from cluster-b/b2 (10.2.0.3:3306), was "
                        "cluster-b/b1 (10.2.0.2:3306)");
    assert_string_equal(ch->src_server, "b2");
    assert_string_equal(ch->src_cluster, "cluster-b");
    assert_true(ch->src_since_ms > 0);
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
