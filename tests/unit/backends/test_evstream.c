/* test_evstream: the model's changes as JSON lines (export/evstream.h). A baseline is one
 * "synced" line, whatever the model holds; then each change is its line, once: a pod
 * added and removed, a channel's threads (with what they were), its source, a finding
 * appearing and clearing, a cluster becoming unreachable, the event log's new lines, and
 * nothing at all when nothing changed. Every line parses as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "strbuf.h"
#include "export/evstream.h"
#include "model/model.h"

/* The lines of out as JSON objects (owned array). Fails the test on a bad line. */
static json_t *
lines(const struct strbuf *out)
{
    json_t *arr = json_array();
    const char *p = out->s;
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        json_error_t e;
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, &e);
        if (o == NULL)
            fprintf(stderr, "bad line: %.*s (%s)\n", (int)(nl - p), p, e.text);
        assert_non_null(o);
        assert_non_null(json_object_get(o, "time"));
        json_array_append_new(arr, o);
        p = nl + 1;
    }
    return arr;
}

static const char *
str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL ? s : "";
}

/* Diff, and the lines it made. */
static json_t *
step(struct evstream *es, struct model *m, uint64_t n_events, bool baseline)
{
    struct strbuf sb;
    strbuf_init(&sb);
    int n = evstream_diff(es, m, n_events, baseline, &sb);
    json_t *arr = lines(&sb);
    assert_int_equal((size_t)n, json_array_size(arr));
    strbuf_fini(&sb);
    return arr;
}

static void
test_stream(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = model_cluster_add(m, "cluster-a", NULL, NULL);
    a->reachable = true;
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "pod-%d", i);
        model_pod_upsert(m, a, "pxc", name);
    }
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-0", "cluster_b_source");
    ch->io = ch->sql = THR_YES;
    struct evstream *es = evstream_new();

    json_t *l = step(es, m, 0, true);
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(str(json_array_get(l, 0), "type"), "synced");
    json_t *c0 = json_array_get(json_object_get(json_array_get(l, 0), "clusters"), 0);
    assert_int_equal(json_integer_value(json_object_get(c0, "pods")), 5);
    json_decref(l);

    l = step(es, m, 0, false);
    assert_int_equal(json_array_size(l), 0); /* nothing changed, nothing said */
    json_decref(l);

    model_pod_remove(m, a, "pxc", "pod-3");
    model_pod_upsert(m, a, "pxc", "pod-9");
    ch->io = THR_NO;
    ch->last_io_errno = 2005;
    model_set_str(&ch->last_io_error, "unknown host");
    model_set_str(&ch->src_cluster, "cluster-b");
    model_set_str(&ch->src_server, "pxc-1");
    model_set_str(&ch->src_address, "10.0.0.2:3306");
    model_finding_add(m, SEV_ERROR, "SE_MISSING", "cluster-a", "channel/cluster_b_source", "no",
                      "h");
    model_event(m, "cluster-a", 2, "first");
    model_event(m, "cluster-a", 0, "second");
    l = step(es, m, 2, false);
    int seen = 0;
    for (size_t i = 0; i < json_array_size(l); i++) {
        json_t *o = json_array_get(l, i);
        const char *t = str(o, "type"), *ev = str(o, "event");
        if (strcmp(t, "pod") == 0 && strcmp(ev, "added") == 0) {
            assert_string_equal(str(o, "name"), "pod-9");
            assert_string_equal(str(o, "namespace"), "pxc");
            seen |= 1;
        } else if (strcmp(t, "pod") == 0 && strcmp(ev, "removed") == 0) {
            assert_string_equal(str(o, "name"), "pod-3");
            seen |= 2;
        } else if (strcmp(t, "channel") == 0 && strcmp(ev, "state") == 0) {
            assert_string_equal(str(o, "io"), "No");
            assert_int_equal(json_integer_value(json_object_get(o, "lastIoErrno")), 2005);
            assert_string_equal(str(o, "lastIoError"), "unknown host");
            assert_string_equal(str(json_object_get(o, "was"), "io"), "Yes");
            seen |= 4;
        } else if (strcmp(t, "channel") == 0 && strcmp(ev, "source") == 0) {
            assert_string_equal(str(o, "sourceServer"), "pxc-1");
            assert_string_equal(str(o, "source"), "cluster-b/pxc-1 (10.0.0.2:3306)");
            assert_string_equal(str(json_object_get(o, "was"), "source"), "");
            seen |= 8;
        } else if (strcmp(t, "finding") == 0) {
            assert_string_equal(ev, "appeared");
            assert_string_equal(str(o, "code"), "SE_MISSING");
            assert_string_equal(str(o, "severity"), "error");
            seen |= 16;
        } else if (strcmp(t, "log") == 0) {
            /* oldest first */
            assert_string_equal(str(o, "message"), (seen & 32) ? "second" : "first");
            seen |= (seen & 32) ? 64 : 32;
        } else {
            fail_msg("unexpected line type %s event %s", t, ev);
        }
    }
    assert_int_equal(seen, 127);
    json_decref(l);

    model_findings_clear(m);
    a->reachable = false;
    snprintf(a->error, sizeof a->error, "connection refused");
    l = step(es, m, 2, false);
    assert_int_equal(json_array_size(l), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *o = json_array_get(l, i);
        if (strcmp(str(o, "type"), "cluster") == 0) {
            assert_string_equal(str(o, "event"), "unreachable");
            assert_string_equal(str(o, "error"), "connection refused");
        } else {
            assert_string_equal(str(o, "type"), "finding");
            assert_string_equal(str(o, "event"), "cleared");
        }
    }
    json_decref(l);

    model_channel_remove(m, a, "pxc-0", "cluster_b_source");
    l = step(es, m, 2, false);
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(str(json_array_get(l, 0), "event"), "removed");
    assert_string_equal(str(json_array_get(l, 0), "channel"), "cluster_b_source");
    json_decref(l);

    evstream_free(es);
    model_free(m);
}

/* A failover: the source goes unknown while the IO thread reconnects, then another node.
 * The line that names the new source says which it read from before (the last known), as
 * the console's event log does, not the unknown in between. */
static void
test_failover(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = model_cluster_add(m, "cluster-a", NULL, NULL);
    a->reachable = true;
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-0", "cluster_b_source");
    ch->io = ch->sql = THR_YES;
    model_set_str(&ch->src_cluster, "cluster-b");
    model_set_str(&ch->src_server, "pxc-2");
    model_set_str(&ch->src_address, "10.0.0.3:3306");
    struct evstream *es = evstream_new();
    json_decref(step(es, m, 0, true));

    ch->io = THR_CONNECTING;
    model_set_str(&ch->src_cluster, "");
    model_set_str(&ch->src_server, "");
    model_set_str(&ch->src_address, "");
    json_t *l = step(es, m, 0, false);
    int n_src = 0;
    for (size_t i = 0; i < json_array_size(l); i++) {
        json_t *o = json_array_get(l, i);
        if (strcmp(str(o, "event"), "source") != 0)
            continue;
        n_src++;
        assert_string_equal(str(o, "source"), "");
        assert_string_equal(str(json_object_get(o, "was"), "source"),
                            "cluster-b/pxc-2 (10.0.0.3:3306)");
    }
    assert_int_equal(n_src, 1);
    json_decref(l);

    ch->io = THR_YES;
    model_set_str(&ch->src_cluster, "cluster-b");
    model_set_str(&ch->src_server, "pxc-0");
    model_set_str(&ch->src_address, "10.0.0.1:3306");
    l = step(es, m, 0, false);
    n_src = 0;
    for (size_t i = 0; i < json_array_size(l); i++) {
        json_t *o = json_array_get(l, i);
        if (strcmp(str(o, "event"), "source") != 0)
            continue;
        n_src++;
        assert_string_equal(str(o, "sourceServer"), "pxc-0");
        assert_string_equal(str(json_object_get(o, "was"), "source"),
                            "cluster-b/pxc-2 (10.0.0.3:3306)");
    }
    assert_int_equal(n_src, 1);
    json_decref(l);
    evstream_free(es);
    model_free(m);
}

/* More events than the ring keeps: one "dropped" line, then the ring's. */
static void
test_dropped(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct evstream *es = evstream_new();
    json_decref(step(es, m, 0, true));
    for (int i = 0; i < MODEL_MAX_EVENTS + 5; i++)
        model_event(m, "c", 0, "e%d", i);
    json_t *l = step(es, m, MODEL_MAX_EVENTS + 5, false);
    assert_int_equal(json_array_size(l), MODEL_MAX_EVENTS + 1);
    assert_string_equal(str(json_array_get(l, 0), "event"), "dropped");
    assert_string_equal(str(json_array_get(l, 1), "message"), "e5");
    json_decref(l);
    evstream_free(es);
    model_free(m);
}

static void
test_line(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    evstream_line(&sb, "exit", "fail-after", "cluster-b", "unreachable \"for\" 30 s");
    json_t *l = lines(&sb);
    json_t *o = json_array_get(l, 0);
    assert_string_equal(str(o, "type"), "exit");
    assert_string_equal(str(o, "cluster"), "cluster-b");
    assert_string_equal(str(o, "message"), "unreachable \"for\" 30 s");
    json_decref(l);
    strbuf_fini(&sb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_failover),
        cmocka_unit_test(test_dropped),
        cmocka_unit_test(test_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
