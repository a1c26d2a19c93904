/* test_snap: the status JSON. The example snapshots under tests/fixtures must load, be in
 * canonical form (write(load(file)) == file), and survive write -> load -> write; bad
 * input is refused with file:line:col or the JSON path, and never half-applied. The writer
 * streams through a bounded buffer and prints exactly what jansson's dump of the same JSON
 * would; the field tables hold the invariants the reader and writer rely on.
 *
 * PXC_SNAP_REGEN=1 rewrites the example snapshots in canonical form (after a hand edit). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "clock.h"
#include "strbuf.h"
#include "xmalloc.h"
#include "model/model.h"
#include "model/snap.h"
#include "model/snap_internal.h"

static const char *
fixtures(void)
{
    const char *d = getenv("PXC_FIXTURES");
    return d ? d : PXC_SOURCE_DIR "/tests/fixtures";
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static void
fixture_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", fixtures(), name);
}

static struct model *
load_fixture(const char *name)
{
    char path[1024];
    fixture_path(path, sizeof path, name);
    struct model *m = model_new();
    struct pxerr err = {0};
    if (snap_load_file(path, m, &err) != 0)
        fail_msg("%s", err.msg);
    return m;
}

static char *
write_model(const struct model *m)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct pxerr err = {0};
    if (snap_write(m, &sb, &err) != 0)
        fail_msg("%s", err.msg);
    return strbuf_detach(&sb);
}

/* Load JSON text from memory, expecting failure; returns the message. */
static void
expect_fail(const char *text, int code, const char *want)
{
    struct model *m = model_new();
    struct pxerr err = {0};
    int rc = snap_load_buf(text, strlen(text), "t.json", m, &err);
    if (rc != code)
        fail_msg("rc %d (%s), want %d; msg: %s", rc, pxerr_name(rc), code, err.msg);
    if (strcmp(err.msg, want) != 0)
        fail_msg("message:\n  got:  %s\n  want: %s", err.msg, want);
    assert_int_equal(m->clusters.n, 0); /* untouched */
    assert_false(m->replay);
    model_free(m);
}

static struct m_channel *
only_channel(struct m_cluster *c)
{
    assert_int_equal(c->channels.n, 1);
    return c->channels.items[0];
}

/* ---- the example snapshots ---- */

static void
test_healthy_loads(void **state)
{
    struct model *m = load_fixture("snapshot-healthy.json");
    assert_true(m->replay);
    int64_t t;
    assert_int_equal(clock_parse_rfc3339("2026-11-25T08:00:00Z", &t), 0);
    assert_int_equal(m->generated_ms, t);
    assert_int_equal(m->clusters.n, 2);
    struct m_cluster *a = m->clusters.items[0], *b = m->clusters.items[1];
    assert_string_equal(a->name, "cluster-a");
    assert_string_equal(b->name, "cluster-b");
    assert_true(a->reachable);
    assert_string_equal(a->error, "");
    assert_true(a->istio_installed);
    assert_string_equal(a->istio_version, "1.20.3");
    struct m_namespace *ns = model_ns_find(a, "pxc");
    assert_non_null(ns);
    assert_int_equal(ns->injection, INJ_ENABLED);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "pxc-cluster-pxc-%d", i);
        struct m_pod *p = model_pod_find(b, "pxc", name);
        assert_non_null(p);
        assert_int_equal(p->sidecar, SIDECAR_INJECTED);
        assert_true(p->galera.known);
        assert_string_equal(p->galera.state, "Synced");
        assert_int_equal(p->galera.cluster_size, 3);
        assert_string_equal(p->galera.status, "Primary");
    }
    assert_non_null(model_pod_find(a, "istio-system", "istiod-5f4c7b9d8-q7wzt"));
    assert_false(model_pod_find(a, "istio-system", "istiod-5f4c7b9d8-q7wzt")->galera.known);
    struct m_pxc *x = model_pxc_find(a, "pxc", "pxc-cluster");
    assert_string_equal(x->state, "ready");
    assert_int_equal(x->ready, 3);
    assert_int_equal(x->size, 3);
    struct m_sentry *se = model_sentry_find(a, "pxc", "pxc-cluster-cluster-b");
    assert_non_null(se);
    assert_string_equal(se->hosts[0], "pxc-cluster.cluster-b.global");
    assert_string_equal(se->resolution, "STATIC");
    assert_string_equal(se->location, "MESH_INTERNAL");
    assert_int_equal(se->ports[0].number, 3306);
    assert_string_equal(se->ports[0].name, "tcp-mysql");
    assert_int_equal(se->n_endpoints, 3);
    assert_string_equal(se->endpoints[0].address, "172.19.0.2");
    assert_string_equal(se->endpoints[2].address, "172.19.0.4");
    struct m_channel *ch = only_channel(a);
    assert_string_equal(ch->name, "cluster_b_source");
    assert_int_equal(ch->io, THR_YES);
    assert_int_equal(ch->sql, THR_YES);
    assert_true(ch->lag_s > 0.39 && ch->lag_s < 0.41);
    assert_int_equal(ch->lag_len, 4);
    assert_int_equal(b->channels.n, 0);
    assert_int_equal(m->findings.n, 0);
    assert_int_equal(m->ev_len, 1);
    model_free(m);
}

static void
test_broken_loads(void **state)
{
    struct model *m = load_fixture("snapshot-broken.json");
    struct m_cluster *a = m->clusters.items[0], *b = m->clusters.items[1];
    struct m_pod *p = model_pod_find(a, "pxc", "pxc-cluster-pxc-2");
    assert_int_equal(p->sidecar, SIDECAR_MISSING);
    assert_true(p->restart_needed);
    assert_true(p->replication_pod);
    struct m_channel *ch = only_channel(a);
    assert_int_equal(ch->io, THR_CONNECTING);
    assert_int_equal(ch->last_io_errno, 2005);
    assert_non_null(
        strstr(ch->last_io_error, "Unknown MySQL server host 'pxc-cluster.cluster-b.global' (-2)"));
    assert_true(ch->lag_s < 0); /* null */
    assert_int_equal(ch->gtid_gap, -1);
    assert_true(model_channel_lag_at(ch, 3) < 0);
    ch = only_channel(b);
    assert_int_equal(ch->sql, THR_NO);
    assert_int_equal(ch->last_sql_errno, 1062);
    assert_int_equal(ch->gtid_gap, 9);
    /* The findings are what backends/doctor/doctor.c said about this model. */
    assert_int_equal(m->findings.n, 4);
    struct m_finding *f = m->findings.items[2];
    assert_int_equal(f->severity, SEV_ERROR);
    assert_string_equal(f->code, "CH_IO_ERROR");
    assert_string_equal(f->object, "channel/cluster_b_source");
    assert_int_equal(f->cause, 0); /* the pod without a sidecar: no mesh DNS for it */
    assert_int_equal(f->fix.kind, FIX_NONE);
    f = m->findings.items[0];
    assert_int_equal(f->fix.kind, FIX_RESTART_STS);
    assert_string_equal(f->fix.command,
                        "kubectl --context k3d-cluster-a rollout restart statefulset "
                        "pxc-cluster-pxc -n pxc");
    assert_true(f->since_ms > 0);
    f = m->findings.items[1];
    assert_int_equal(f->severity, SEV_WARNING);
    assert_string_equal(f->code, "SE_NO_ADDRESSES");
    assert_string_equal(f->cluster, "cluster-b");
    assert_int_equal(m->ev_len, 3);
    const struct m_event *e = model_event_at(m, 0); /* newest */
    assert_int_equal(e->level, 2);
    assert_string_equal(e->cluster, "cluster-a");
    int64_t t;
    assert_int_equal(clock_parse_rfc3339("2026-11-25T07:55:01Z", &t), 0);
    assert_int_equal(e->wall_ms, t);
    model_free(m);
}

/* The checked-in files are exactly what snap_write produces from them. */
static void
test_examples_are_canonical(void **state)
{
    static const char *const names[] = {"snapshot-healthy.json", "snapshot-broken.json"};
    for (size_t i = 0; i < 2; i++) {
        char path[1024];
        fixture_path(path, sizeof path, names[i]);
        struct model *m = load_fixture(names[i]);
        char *out = write_model(m);
        if (getenv("PXC_SNAP_REGEN") != NULL) {
            FILE *f = fopen(path, "wb");
            assert_non_null(f);
            fputs(out, f);
            fclose(f);
        }
        char *file = slurp(path, NULL);
        if (strcmp(out, file) != 0) {
            size_t k = 0;
            while (out[k] && out[k] == file[k])
                k++;
            fail_msg("%s is not canonical at byte %zu (run with PXC_SNAP_REGEN=1 after a "
                     "hand edit): ...%.60s",
                     names[i], k, file + (k > 20 ? k - 20 : 0));
        }
        /* write -> load -> write */
        struct model *m2 = model_new();
        struct pxerr err = {0};
        assert_int_equal(snap_load_buf(out, strlen(out), "round", m2, &err), 0);
        char *out2 = write_model(m2);
        assert_string_equal(out, out2);
        free(out);
        free(out2);
        free(file);
        model_free(m);
        model_free(m2);
    }
}

/* A model built through the API, as a live console has it, round-trips too. */
static void
test_live_model_round_trip(void **state)
{
    struct model *m = model_new();
    struct m_cluster *c = model_cluster_add(m, "east", "ctx-east", "https://10.0.0.1:6443");
    model_cluster_set_error(m, c, "GET /api/v1/pods: connection refused (10.0.0.1:6443)");
    struct m_namespace *ns = model_ns_upsert(m, c, "db");
    ns->injection = INJ_REVISION;
    ns->revision = intern_str(&m->strings, "1-20-3");
    struct m_pod *p = model_pod_upsert(m, c, "db", "pod \"quoted\" \xc3\xa9");
    p->phase = intern_str(&m->strings, "Failed");
    struct m_channel *ch = model_channel_upsert(m, c, "10.0.0.5:3306", "");
    ch->io = THR_NO;
    ch->lag_s = 12.25;
    /* A latin1 server message: not UTF-8, so not JSON; each bad byte becomes U+FFFD. */
    model_set_str(&ch->last_io_error, "Acc\xe8s refus\xe9 (\xc3)");
    snprintf(ch->error, sizeof ch->error, "bad \xff\xfe tail \xe2\x82");
    for (int i = 0; i < LAG_HISTORY + 7; i++)
        model_channel_push_lag(ch, i % 5 == 0 ? -1 : i * 0.1);
    ch->gtid_mode = 2;
    ch->lag_source = "heartbeat"; /* static in the live model, interned after a load */
    ch->n_failover = 2;
    snprintf(ch->failover[0].host, sizeof ch->failover[0].host, "a.global");
    ch->failover[0].port = 3306;
    ch->failover[0].weight = 100;
    ch->failover[0].in_use = true;
    snprintf(ch->failover[1].host, sizeof ch->failover[1].host, "b.global");
    p->read_only = 2;
    struct m_sentry *se = model_sentry_upsert(m, c, "db", "se");
    se->n_ports = 1;
    se->ports = xcalloc(1, sizeof *se->ports);
    se->ports[0].number = 3306;
    m->generated_ms = 1764057600123; /* 2025-11-25T08:00:00.123Z */
    model_finding_add(m, SEV_WARNING, "X", "east", "", "m", "h");
    model_event(m, "east", 1, "line with \"quotes\"");

    char *out = write_model(m);
    struct model *m2 = model_new();
    struct pxerr err = {0};
    if (snap_load_buf(out, strlen(out), "live", m2, &err) != 0)
        fail_msg("%s\n%s", err.msg, out);
    char *out2 = write_model(m2);
    assert_string_equal(out, out2);
    struct m_cluster *c2 = m2->clusters.items[0];
    assert_string_equal(c2->error, c->error);
    assert_false(c2->reachable);
    assert_int_equal(model_ns_find(c2, "db")->injection, INJ_REVISION);
    assert_string_equal(model_ns_find(c2, "db")->revision, "1-20-3");
    assert_non_null(model_pod_find(c2, "db", "pod \"quoted\" \xc3\xa9"));
    struct m_channel *ch2 = only_channel(c2);
    assert_string_equal(ch2->name, "");
    assert_string_equal(ch2->last_io_error, "Acc\xef\xbf\xbds refus\xef\xbf\xbd (\xef\xbf\xbd)");
    assert_string_equal(ch2->error, "bad \xef\xbf\xbd\xef\xbf\xbd tail \xef\xbf\xbd\xef\xbf\xbd");
    assert_int_equal(ch2->io, THR_NO);
    assert_int_equal(ch2->sql, THR_UNKNOWN);
    assert_int_equal(ch2->lag_len, LAG_HISTORY);
    assert_int_equal(ch2->gtid_mode, 2);
    assert_string_equal(ch2->lag_source, "heartbeat");
    assert_null(ch2->dialect);
    assert_int_equal(ch2->n_failover, 2);
    assert_string_equal(ch2->failover[1].host, "b.global");
    assert_true(ch2->failover[0].in_use);
    assert_false(ch2->failover[1].in_use);
    assert_int_equal(model_pod_find(c2, "db", "pod \"quoted\" \xc3\xa9")->read_only, 2);
    for (int i = 0; i < LAG_HISTORY; i++) { /* the newest LAG_HISTORY samples, in order */
        float want = model_channel_lag_at(ch, i), got = model_channel_lag_at(ch2, i);
        assert_true(want < 0 ? got < 0 : (got > want - 0.001f && got < want + 0.001f));
    }
    assert_int_equal(m2->generated_ms, m->generated_ms / 1000 * 1000); /* whole seconds */
    assert_non_null(strstr(out, "\"generatedAt\": \"2025-11-25T08:00:00Z\""));
    assert_non_null(strstr(out, "\"lagSeconds\": 12.25,"));
    free(out);
    free(out2);
    model_free(m);
    model_free(m2);
}

/* ---- refusals ---- */

/* Blind is not healthy, in the snapshot too: a pod whose server never answered keeps its
 * error (not galera: null), one that answered before keeps its last good state with the
 * error and when; the servers and each finding's since and fix go through as they were. */
static void
test_blind_state_round_trip(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *c = model_cluster_add(m, "a", "a", "");
    struct m_pod *never = model_pod_upsert(m, c, "pxc", "p0");
    never->galera.seen = true;
    never->galera.error = intern_str(&m->strings, "connect: no answer within 3 s");
    never->galera.as_of_ms = 1764057610000;
    struct m_pod *stale = model_pod_upsert(m, c, "pxc", "p1");
    stale->galera.known = stale->galera.seen = true;
    stale->galera.state = intern_str(&m->strings, "Synced");
    stale->galera.status = intern_str(&m->strings, "Primary");
    stale->galera.cluster_size = 3;
    stale->galera.updated_ms = 1764057600000;
    stale->galera.as_of_ms = 1764057610000;
    stale->galera.error = intern_str(&m->strings, "connect: cannot connect");
    struct m_server *sv = model_server_upsert(m, c, "p0");
    snprintf(sv->host, sizeof sv->host, "127.0.10.1");
    sv->port = 3306;
    sv->hung = true;
    sv->error_since_ms = 1764057605000;
    sv->as_of_ms = 1764057610000;
    snprintf(sv->error, sizeof sv->error, "p0 (127.0.10.1:3306): connect: no answer within 3 s");
    struct m_channel *ch = model_channel_upsert(m, c, "p0", "ch");
    snprintf(ch->error, sizeof ch->error, "not read: connect: no answer within 3 s");
    ch->as_of_ms = 1764057610000;
    struct m_finding *f =
        model_finding_add(m, SEV_ERROR, "GALERA_NODE_HUNG", "a", "pod/pxc/p0", "m", "h");
    f->since_ms = 1764057605000;
    f->fix.kind = FIX_COMMAND;
    model_fix_set(&f->fix.command, "kubectl --context a delete pod p0 -n pxc");
    model_fix_set(&f->fix.warning, "w");
    m->generated_ms = 1764057620000;

    char *out = write_model(m);
    assert_non_null(strstr(out, "\"error\": \"connect: no answer within 3 s\",\n"
                                "            \"asOf\": \"2025-11-25T08:00:10Z\""));
    assert_non_null(strstr(out, "\"hung\": true"));
    assert_non_null(strstr(out, "\"action\": \"command\""));
    struct model *m2 = model_new();
    struct pxerr err = {0};
    if (snap_load_buf(out, strlen(out), "blind", m2, &err) != 0)
        fail_msg("%s\n%s", err.msg, out);
    char *out2 = write_model(m2);
    assert_string_equal(out, out2);
    struct m_cluster *c2 = m2->clusters.items[0];
    struct m_pod *p0 = model_pod_find(c2, "pxc", "p0"), *p1 = model_pod_find(c2, "pxc", "p1");
    assert_false(p0->galera.known); /* an error, no state */
    assert_true(p0->galera.seen);
    assert_string_equal(p0->galera.error, "connect: no answer within 3 s");
    assert_true(p1->galera.known);
    assert_string_equal(p1->galera.state, "Synced");
    assert_string_equal(p1->galera.error, "connect: cannot connect");
    struct m_server *sv2 = model_server_find(c2, "p0");
    assert_non_null(sv2);
    assert_true(sv2->hung);
    assert_int_equal(sv2->error_since_ms, 1764057605000);
    struct m_finding *f2 = m2->findings.items[0];
    assert_int_equal(f2->since_ms, 1764057605000);
    assert_int_equal(f2->fix.kind, FIX_COMMAND);
    assert_string_equal(f2->fix.command, "kubectl --context a delete pod p0 -n pxc");
    free(out);
    free(out2);
    model_free(m);
    model_free(m2);
}

static void
test_malformed_json_line_col(void **state)
{
    expect_fail("{\n  \"schemaVersion\": 1,\n  \"clusters\": [\n    {\"name\": \"a\",}\n  ]\n}\n",
                PXE_PARSE, "t.json:4:18: string or '}' expected near '}'");
    expect_fail("", PXE_PARSE, "t.json:1:0: '[' or '{' expected near end of file");
    expect_fail("{\"schemaVersion\": 1} trailing", PXE_PARSE,
                "t.json:1:29: end of file expected near 'trailing'");
    expect_fail("{\"a\": 1, \"a\": 2}", PXE_PARSE,
                "t.json:1:12: duplicate object key near '\"a\"'");

    /* Through the file API: the file name leads the message. */
    char path[] = "/tmp/pxc-snap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *bad = "{\n\"schemaVersion\": 1,\n\"clusters\": [}\n";
    assert_int_equal(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
    close(fd);
    struct model *m = model_new();
    struct pxerr err = {0};
    assert_int_equal(snap_load_file(path, m, &err), PXE_PARSE);
    char want[256];
    snprintf(want, sizeof want, "%s:3:14: unexpected token near '}'", path);
    assert_string_equal(err.msg, want);
    unlink(path);
    assert_int_equal(snap_load_file(path, m, &err), PXE_NOTFOUND);
    snprintf(want, sizeof want, "snapshot %s: No such file or directory", path);
    assert_string_equal(err.msg, want);
    /* A FIFO without a writer is refused at once (fopen used to wait for one forever). */
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(snap_load_file(path, m, &err), PXE_INVAL);
    snprintf(want, sizeof want, "snapshot %s: not a regular file (a FIFO); give a file", path);
    assert_string_equal(err.msg, want);
    unlink(path);
    assert_int_equal(snap_load_file("/dev/zero", m, &err), PXE_INVAL);
    model_free(m);
}

/* Take the healthy example, change one value at a JSON path, expect that message. */
static void
expect_edit_fail(const char *pointer_desc, void (*edit)(json_t *root), const char *want)
{
    char path[1024];
    fixture_path(path, sizeof path, "snapshot-healthy.json");
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    assert_non_null(root);
    edit(root);
    char *text = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    struct model *m = model_new();
    struct pxerr err = {0};
    int rc = snap_load_buf(text, strlen(text), "h.json", m, &err);
    if (rc != PXE_SCHEMA || strcmp(err.msg, want) != 0)
        fail_msg("%s: rc %s\n  got:  %s\n  want: %s", pointer_desc, pxerr_name(rc), err.msg, want);
    assert_int_equal(m->clusters.n, 0);
    free(text);
    model_free(m);
}

static json_t *
cl(json_t *root, size_t i)
{
    return json_array_get(json_object_get(root, "clusters"), i);
}

static json_t *
pod(json_t *root, size_t c, size_t i)
{
    return json_array_get(json_object_get(cl(root, c), "pods"), i);
}

static void
e_ready(json_t *r)
{
    json_object_set_new(pod(r, 1, 3), "ready", json_string("yes"));
}
static void
e_version(json_t *r)
{
    json_object_set_new(r, "schemaVersion", json_integer(2));
}
static void
e_version0(json_t *r)
{
    json_object_set_new(r, "schemaVersion", json_integer(0));
}
static void
e_version_str(json_t *r)
{
    json_object_set_new(r, "schemaVersion", json_string("1"));
}
static void
e_no_gen(json_t *r)
{
    json_object_del(r, "generatedAt");
}
static void
e_bad_time(json_t *r)
{
    json_object_set_new(r, "generatedAt", json_string("today"));
}
static void
e_clusters_obj(json_t *r)
{
    json_object_set_new(r, "clusters", json_object());
}
static void
e_root_array(json_t *r)
{
    json_object_set_new(r, "clusters", json_pack("[i]", 1));
}
static void
e_injection(json_t *r)
{
    json_object_set_new(json_array_get(json_object_get(cl(r, 0), "namespaces"), 3), "injection",
                        json_string("revision:"));
}
static void
e_sidecar(json_t *r)
{
    json_object_set_new(pod(r, 0, 2), "sidecar", json_string("yes"));
}
static void
e_dup_pod(json_t *r)
{
    json_array_append(json_object_get(cl(r, 0), "pods"), pod(r, 0, 2));
}
static void
e_dup_cluster(json_t *r)
{
    json_object_set_new(cl(r, 1), "name", json_string("cluster-a"));
}
static void
e_no_ns(json_t *r)
{
    json_object_del(pod(r, 0, 1), "namespace");
}
static void
e_io(json_t *r)
{
    json_object_set_new(json_array_get(json_object_get(cl(r, 0), "channels"), 0), "ioRunning",
                        json_true());
}
static void
e_io_word(json_t *r)
{
    json_object_set_new(json_array_get(json_object_get(cl(r, 0), "channels"), 0), "ioRunning",
                        json_string("yes"));
}
static void
e_lag(json_t *r)
{
    json_object_set_new(json_array_get(json_object_get(cl(r, 0), "channels"), 0), "lagSeconds",
                        json_string("0.4"));
}
static void
e_lag_hist(json_t *r)
{
    json_array_append_new(
        json_object_get(json_array_get(json_object_get(cl(r, 0), "channels"), 0), "lagHistory"),
        json_string("x"));
}
static void
e_failover(json_t *r)
{
    json_t *ch = json_array_get(json_object_get(cl(r, 0), "channels"), 0);
    json_t *fo = json_array();
    for (int i = 0; i < 9; i++)
        json_array_append_new(fo, json_pack("{s:s}", "host", "a.global"));
    json_object_set_new(ch, "failoverSources", fo);
}
static void
e_port(json_t *r)
{
    json_t *se = json_array_get(json_object_get(cl(r, 0), "serviceEntries"), 0);
    json_object_set_new(json_array_get(json_object_get(se, "ports"), 0), "number",
                        json_integer(70000));
}
static void
e_ip(json_t *r)
{
    json_object_set_new(pod(r, 0, 0), "ip",
                        json_string("0000:0000:0000:0000:0000:0000:0000:0000:0000:0000"));
}
static void
e_galera(json_t *r)
{
    json_object_set_new(json_object_get(pod(r, 0, 2), "galera"), "clusterSize", json_real(3.0));
}
static void
e_sev(json_t *r)
{
    json_object_set_new(r, "findings",
                        json_pack("[{s:s, s:s}]", "severity", "critical", "code", "X"));
}
static void
e_cause(json_t *r)
{
    json_object_set_new(
        r, "findings", json_pack("[{s:s, s:s, s:i}]", "severity", "info", "code", "X", "cause", 4));
}

static void
e_cause_loop(json_t *r)
{
    json_object_set_new(r, "findings",
                        json_pack("[{s:s, s:s, s:i}, {s:s, s:s, s:n}, {s:s, s:s, s:i},"
                                  " {s:s, s:s, s:i}]",
                                  "severity", "info", "code", "A", "cause", 1, "severity", "info",
                                  "code", "B", "cause", "severity", "info", "code", "C", "cause", 3,
                                  "severity", "info", "code", "D", "cause", 2));
}

static void
test_wrong_types_name_the_path(void **state)
{
    expect_edit_fail("ready", e_ready,
                     "h.json: clusters[1].pods[3].ready: expected boolean, got string");
    expect_edit_fail("version", e_version,
                     "h.json: schemaVersion 2 is newer than this pxcmesh understands (1); use a "
                     "newer pxcmesh to open it");
    expect_edit_fail("version0", e_version0, "h.json: schemaVersion 0 is not valid (expected 1)");
    expect_edit_fail("version_str", e_version_str,
                     "h.json: schemaVersion: expected integer, got string");
    expect_edit_fail("no generatedAt", e_no_gen,
                     "h.json: generatedAt: missing; a string is required here");
    expect_edit_fail("bad time", e_bad_time,
                     "h.json: generatedAt: \"today\" is not an RFC 3339 time (like "
                     "2026-11-25T08:00:00Z)");
    expect_edit_fail("clusters object", e_clusters_obj,
                     "h.json: clusters: expected array, got object");
    expect_edit_fail("clusters[0] int", e_root_array,
                     "h.json: clusters[0]: expected object, got integer");
    expect_edit_fail("injection", e_injection,
                     "h.json: clusters[0].namespaces[3].injection: unknown value \"revision:\" "
                     "(expected enabled, disabled, none or revision:REV)");
    expect_edit_fail("sidecar", e_sidecar,
                     "h.json: clusters[0].pods[2].sidecar: unknown value \"yes\" (expected "
                     "injected, missing or disabled)");
    expect_edit_fail("dup pod", e_dup_pod,
                     "h.json: clusters[0].pods[5]: pod pxc/pxc-cluster-pxc-0 listed twice");
    expect_edit_fail("dup cluster", e_dup_cluster,
                     "h.json: clusters[1]: cluster \"cluster-a\" listed twice");
    expect_edit_fail("no namespace", e_no_ns,
                     "h.json: clusters[0].pods[1].namespace: missing; a string is required here");
    expect_edit_fail("io bool", e_io,
                     "h.json: clusters[0].channels[0].ioRunning: expected string or null, got "
                     "boolean");
    expect_edit_fail("io word", e_io_word,
                     "h.json: clusters[0].channels[0].ioRunning: unknown value \"yes\" (expected "
                     "\"Yes\", \"No\", \"Connecting\" or null)");
    expect_edit_fail("lag", e_lag,
                     "h.json: clusters[0].channels[0].lagSeconds: expected number or null, got "
                     "string");
    expect_edit_fail("lag history", e_lag_hist,
                     "h.json: clusters[0].channels[0].lagHistory[4]: expected number or null, "
                     "got string");
    expect_edit_fail("failover", e_failover,
                     "h.json: clusters[0].channels[0].failoverSources: 9 sources, at most 8");
    expect_edit_fail("port", e_port,
                     "h.json: clusters[0].serviceEntries[0].ports[0].number: 70000 is out of "
                     "range (0..65535)");
    expect_edit_fail("ip", e_ip,
                     "h.json: clusters[0].pods[0].ip: \"0000:0000:0000:0000:0000:0000:0000:0000:"
                     "...\" is too long (at most 45 characters)");
    expect_edit_fail("galera", e_galera,
                     "h.json: clusters[0].pods[2].galera.clusterSize: expected integer or null, "
                     "got number");
    expect_edit_fail("severity", e_sev,
                     "h.json: findings[0].severity: unknown value \"critical\" (expected info, "
                     "warning or error)");
    expect_edit_fail("cause", e_cause, "h.json: findings[0].cause: 4 is out of range (0..0)");
    expect_edit_fail("cause loop", e_cause_loop,
                     "h.json: findings[2].cause: the chain of causes loops back on itself");
}

/* The loader reads pods without building trees when they have the shapes `status --json`
 * writes, and through jansson otherwise; a root key with an escape sends the whole document
 * through jansson. Both roads must build the same model, for every shape a pod may have. */
static const char fast_doc[] =
    "{\"schemaVersion\": 1, \"generatedAt\": \"2026-11-25T08:00:00Z\", %s\"clusters\": [\n"
    " {\"name\": \"a\", \"reachable\": true, \"pods\": [\n"
    "  {\"namespace\": \"pxc\", \"name\": \"p0\", \"phase\": \"Running\", \"ready\": true,"
    "   \"ip\": \"10.0.0.1\", \"node\": \"n1\", \"sidecar\": \"injected\", \"restartNeeded\": "
    "false,"
    "   \"instance\": \"pxc-cluster\", \"component\": \"pxc\", \"replicationPod\": true,"
    "   \"restarts\": 12, \"createdAt\": \"2026-11-25T07:00:00Z\", \"readOnly\": false,"
    "   \"galera\": null},\n"
    "  {\"namespace\": \"pxc\", \"name\": \"p1\", \"phase\": null, \"ip\": null, \"node\": null,"
    "   \"readOnly\": true, \"createdAt\": null, \"restarts\": 0},\n"
    "  {\"name\": \"p2\", \"namespace\": \"pxc\", \"sidecar\": \"missing\", \"readOnly\": null},\n"
    "  {\"namespace\": \"pxc\", \"name\": \"p\\u00e9\", \"sidecar\": \"disabled\"},\n"
    "  {\"namespace\": \"pxc\", \"name\": \"p\xc3\xa9-utf8\", \"future\": [1]},\n"
    "  {\"namespace\": \"pxc\", \"name\": \"p5\", \"galera\": {\"state\": \"Synced\","
    "   \"clusterSize\": 3, \"status\": \"Primary\"}},\n"
    "  {\"namespace\": \"pxc\", \"name\": \"p6\", \"restarts\": 1073741824, \"ready\": false}\n"
    " ]},\n"
    " {\"name\": \"b\", \"pods\": []}, {\"name\": \"c\", \"pods\": null}, {\"name\": \"d\"}\n"
    "]}\n";

static char *
load_and_write(const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, fast_doc, extra);
    struct model *m = model_new();
    struct pxerr err = {0};
    if (snap_load_buf(text, strlen(text), "f.json", m, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(((struct m_cluster *)m->clusters.items[0])->pods.n, 7);
    char *out = write_model(m);
    model_free(m);
    return out;
}

static void
test_fast_and_tree_agree(void **state)
{
    (void)state;
    char *fast = load_and_write("");
    char *tree = load_and_write("\"\\u0078\": 1, ");
    assert_string_equal(fast, tree);
    assert_non_null(strstr(fast, "\"name\": \"p\xc3\xa9\""));
    free(fast);
    free(tree);
    /* The same errors, with their paths, whichever road found them. */
    expect_fail("{\"schemaVersion\": 1, \"generatedAt\": \"2026-11-25T08:00:00Z\", \"clusters\":"
                " [{\"name\": \"a\", \"pods\": [{\"namespace\": \"x\", \"name\": \"y\"},"
                " {\"namespace\": \"x\", \"name\": \"y\"}]}]}",
                PXE_SCHEMA, "t.json: clusters[0].pods[1]: pod x/y listed twice");
    expect_fail("{\"schemaVersion\": 1, \"generatedAt\": \"2026-11-25T08:00:00Z\", \"clusters\":"
                " [{\"name\": \"a\", \"pods\": [{\"namespace\": \"x\", \"name\": \"y\","
                " \"restarts\": 1073741825}]}]}",
                PXE_SCHEMA,
                "t.json: clusters[0].pods[0].restarts: 1073741825 is out of range (0..1073741824)");
    expect_fail("{\"schemaVersion\": 1, \"generatedAt\": \"2026-11-25T08:00:00Z\", \"clusters\":"
                " [{\"name\": \"a\", \"pods\": [{\"namespace\": \"x\", \"name\": \"y\","
                " \"ready\": 01}]}]}",
                PXE_PARSE, "t.json:1:138: invalid token near '0'");
    expect_fail("{\"schemaVersion\": 1, \"generatedAt\": \"2026-11-25T08:00:00Z\", \"clusters\":"
                " [{\"name\": \"a\", \"pods\": [{\"namespace\": \"x\", \"name\": \"y\","
                " \"name\": \"z\"}]}]}",
                PXE_PARSE, "t.json:1:134: duplicate object key near '\"name\"'");
}

/* Times before 1970 are negative epoch ms: read (both roads) and written back as they were. */
static void
test_times_before_1970(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"schemaVersion\": 1, \"generatedAt\": \"1969-12-31T23:59:59Z\", %s\"clusters\": [\n"
        " {\"name\": \"a\", \"reachable\": true, \"pods\": [\n"
        "  {\"namespace\": \"pxc\", \"name\": \"p0\", \"createdAt\": \"1969-07-20T20:17:40Z\"}\n"
        " ]}]}\n";
    for (int road = 0; road < 2; road++) {
        char text[1024];
        snprintf(text, sizeof text, doc, road ? "\"\\u0078\": 1, " : "");
        struct model *m = model_new();
        struct pxerr err = {0};
        if (snap_load_buf(text, strlen(text), "old.json", m, &err) != 0)
            fail_msg("road %d: %s", road, err.msg);
        assert_int_equal(m->generated_ms, -1000);
        struct m_cluster *c = m->clusters.items[0];
        struct m_pod *p = c->pods.items[0];
        assert_int_equal(p->created_ms, -14182940000LL);
        char *out = write_model(m);
        assert_non_null(strstr(out, "\"generatedAt\": \"1969-12-31T23:59:59Z\""));
        assert_non_null(strstr(out, "\"createdAt\": \"1969-07-20T20:17:40Z\""));
        free(out);
        model_free(m);
    }
}

static void
e_unknown(json_t *r)
{
    json_object_set_new(r, "futureTopLevel", json_pack("{s:[i]}", "x", 1));
    json_object_set_new(cl(r, 0), "futureCluster", json_true());
    json_object_set_new(pod(r, 0, 2), "futurePod", json_string("x"));
    json_object_set_new(json_object_get(pod(r, 0, 2), "galera"), "futureGalera", json_null());
    json_object_set_new(json_array_get(json_object_get(cl(r, 0), "channels"), 0), "futureCh",
                        json_integer(3));
}

static void
test_unknown_fields_ignored(void **state)
{
    char path[1024];
    fixture_path(path, sizeof path, "snapshot-healthy.json");
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    e_unknown(root);
    char *text = json_dumps(root, 0);
    json_decref(root);
    struct model *m = model_new();
    struct pxerr err = {0};
    if (snap_load_buf(text, strlen(text), "u.json", m, &err) != 0)
        fail_msg("%s", err.msg);
    char *out = write_model(m);
    char *file = slurp(path, NULL);
    assert_string_equal(out, file); /* same model as without the unknown fields */
    free(text);
    free(out);
    free(file);
    model_free(m);
}

/* Optional fields may be left out: the minimal document of docs/status-json.md. */
static void
test_minimal_document(void **state)
{
    const char *text = "{\"schemaVersion\": 1, \"generatedAt\": \"2026-11-25T08:00:00+01:00\","
                       " \"clusters\": [{\"name\": \"a\", \"pods\": [{\"namespace\": \"n\","
                       " \"name\": \"p\"}], \"channels\": [{\"name\": \"c\", \"server\": \"s\"}]"
                       "}]}";
    struct model *m = model_new();
    struct pxerr err = {0};
    if (snap_load_buf(text, strlen(text), "min", m, &err) != 0)
        fail_msg("%s", err.msg);
    int64_t t;
    assert_int_equal(clock_parse_rfc3339("2026-11-25T07:00:00Z", &t), 0);
    assert_int_equal(m->generated_ms, t);
    struct m_cluster *c = m->clusters.items[0];
    assert_string_equal(c->context, "a");
    struct m_pod *p = model_pod_find(c, "n", "p");
    assert_string_equal(p->phase, "Unknown");
    assert_int_equal(p->sidecar, SIDECAR_DISABLED);
    assert_false(p->galera.known);
    struct m_channel *ch = only_channel(c);
    assert_int_equal(ch->io, THR_UNKNOWN);
    assert_true(ch->lag_s < 0);
    assert_int_equal(ch->gtid_gap, -1);
    model_free(m);
}

static int dirty_calls;

static void
on_dirty(struct model *m, void *arg)
{
    assert_ptr_equal(arg, &dirty_calls);
    dirty_calls++;
}

/* An empty live model: generatedAt is now, and the empty document loads back. */
static void
test_empty_model(void **state)
{
    struct model *m = model_new();
    int64_t before = clock_wall_ms() / 1000 * 1000;
    char *out = write_model(m);
    assert_non_null(strstr(out, "\"clusters\": [],"));
    struct model *m2 = model_new();
    struct pxerr err = {0};
    assert_int_equal(snap_load_buf(out, strlen(out), "empty", m2, &err), 0);
    assert_true(m2->generated_ms >= before && m2->generated_ms <= clock_wall_ms());
    assert_int_equal(m2->clusters.n, 0);
    free(out);
    model_free(m);
    model_free(m2);
}

/* A failed load leaves the model exactly as it was; a good one replaces it whole. */
static void
test_transactional(void **state)
{
    struct model *m = load_fixture("snapshot-healthy.json");
    model_set_dirty_cb(m, on_dirty, &dirty_calls);
    dirty_calls = 0;
    char *before = write_model(m);
    uint64_t seq = m->seq;
    struct m_cluster *a = m->clusters.items[0];
    m->dirty = 0;

    /* Valid up to the second cluster's fourth pod. */
    char path[1024];
    fixture_path(path, sizeof path, "snapshot-broken.json");
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    e_ready(root);
    char *text = json_dumps(root, 0);
    json_decref(root);
    struct pxerr err = {0};
    assert_int_equal(snap_load_buf(text, strlen(text), "b.json", m, &err), PXE_SCHEMA);
    free(text);
    assert_int_equal(m->seq, seq);
    assert_int_equal(m->dirty, 0);
    assert_int_equal(dirty_calls, 0);
    assert_ptr_equal(m->clusters.items[0], a); /* borrowed pointers still valid */
    char *after = write_model(m);
    assert_string_equal(before, after);
    free(after);

    /* Malformed JSON: same. */
    assert_int_equal(snap_load_buf("{", 1, "x", m, &err), PXE_PARSE);
    after = write_model(m);
    assert_string_equal(before, after);
    free(after);

    /* A good load over a populated (even live) model replaces it. */
    m->replay = false;
    struct model *keep = m;
    assert_int_equal(snap_load_file(path, m, &err), 0);
    assert_ptr_equal(m, keep);
    assert_true(dirty_calls > 0); /* the caller's callback survived the swap, and heard */
    assert_ptr_equal(m->on_dirty, on_dirty);
    assert_true(m->replay);
    assert_int_equal(m->dirty, DIRTY_ALL);
    assert_true(m->seq > seq);
    assert_int_equal(model_pod_find(m->clusters.items[0], "pxc", "pxc-cluster-pxc-2")->sidecar,
                     SIDECAR_MISSING);
    free(before);
    model_free(m);
}

/* The example in docs/status-json.md is valid input, and says what it shows. */
static void
test_doc_example_loads(void **state)
{
    const char *src = getenv("PXC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/status-json.md", src ? src : PXC_SOURCE_DIR);
    char *doc = slurp(path, NULL);
    char *start = strstr(doc, "```json\n");
    assert_non_null(start);
    start += 8;
    char *end = strstr(start, "```");
    assert_non_null(end);
    struct model *m = model_new();
    struct pxerr err = {0};
    if (snap_load_buf(start, (size_t)(end - start), "docs/status-json.md", m, &err) != 0)
        fail_msg("%s", err.msg);
    struct m_cluster *a = m->clusters.items[0];
    assert_true(model_pod_find(a, "pxc", "pxc-cluster-pxc-2")->restart_needed);
    assert_int_equal(only_channel(a)->io, THR_CONNECTING);
    assert_int_equal(((struct m_finding *)m->findings.items[1])->cause, 0);
    assert_int_equal(((struct m_finding *)m->findings.items[0])->cause, -1);
    free(doc);
    model_free(m);
}

/* Every key snap_write emits is documented: docs/status-json.md names it as `key`. */
static void
collect_keys(json_t *v, const char *doc, int *missing)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c)
        {
            char want[80];
            snprintf(want, sizeof want, "`%s`", k);
            if (strstr(doc, want) == NULL) {
                print_error("docs/status-json.md does not document field %s\n", want);
                (*missing)++;
            }
            collect_keys(c, doc, missing);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) collect_keys(c, doc, missing);
    }
}

static void
test_doc_lists_every_field(void **state)
{
    const char *src = getenv("PXC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/status-json.md", src ? src : PXC_SOURCE_DIR);
    char *doc = slurp(path, NULL);
    /* A model with every optional part present, so that every key is written. */
    struct model *m = load_fixture("snapshot-broken.json");
    struct m_channel *ch = ((struct m_cluster *)m->clusters.items[0])->channels.items[0];
    ch->n_failover = 1;
    char *out = write_model(m);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    assert_non_null(root);
    int missing = 0;
    collect_keys(root, doc, &missing);
    assert_int_equal(missing, 0);
    json_decref(root);
    free(out);
    free(doc);
    model_free(m);
}

static void
test_save_file(void **state)
{
    struct model *m = load_fixture("snapshot-broken.json");
    char dir[] = "/tmp/pxc-snapdir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/s.json", dir);
    struct pxerr err = {0};
    assert_int_equal(snap_save_file(m, path, &err), 0);
    char *saved = slurp(path, NULL);
    char *out = write_model(m);
    assert_string_equal(saved, out);
    char bad[600];
    snprintf(bad, sizeof bad, "%s/missing/s.json", dir);
    assert_int_equal(snap_save_file(m, bad, &err), PXE_IO);
    char want[700];
    snprintf(want, sizeof want, "%s.tmp: cannot write snapshot: No such file or directory", bad);
    assert_string_equal(err.msg, want);
    unlink(path);
    rmdir(dir);
    free(saved);
    free(out);
    model_free(m);
}

/* ---- the streamed writer ---- */

/* A model of n pods, enough to need many buffers of output. */
static struct model *
big_model(int n)
{
    struct model *m = load_fixture("snapshot-broken.json");
    struct m_cluster *c = m->clusters.items[0];
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof name, "gen-%05d", i);
        struct m_pod *p = model_pod_upsert(m, c, "load", name);
        p->phase = intern_str(&m->strings, "Running");
        p->sidecar = SIDECAR_INJECTED;
        p->has_proxy = true;
    }
    return m;
}

struct sink {
    struct strbuf text;
    int calls, fail_at; /* fail_at: the call that fails, 0 never */
    size_t largest;
};

static int
to_sink(const char *buf, size_t len, void *arg, struct pxerr *err)
{
    struct sink *k = arg;
    k->calls++;
    if (k->calls == k->fail_at)
        return pxerr_set(err, PXE_IO, "sink: full after %d pieces", k->calls - 1);
    if (len > k->largest)
        k->largest = len;
    strbuf_appendn(&k->text, buf, len);
    return 0;
}

static void
test_write_streams(void **state)
{
    struct model *m = big_model(3000);
    char *whole = write_model(m);
    assert_true(strlen(whole) > 4 * SNAP_WRITE_BUF);

    struct sink k = {0};
    strbuf_init(&k.text);
    struct pxerr err = {0};
    assert_int_equal(snap_write_to(m, to_sink, &k, &err), 0);
    assert_string_equal(k.text.s, whole); /* the same bytes, in bounded pieces */
    assert_true(k.calls > 4);
    assert_true(k.largest <= SNAP_WRITE_BUF);
    strbuf_fini(&k.text);

    /* The sink's error ends the writing: no call after it, and its message comes back. */
    k = (struct sink){.fail_at = 3};
    strbuf_init(&k.text);
    assert_int_equal(snap_write_to(m, to_sink, &k, &err), PXE_IO);
    assert_string_equal(err.msg, "sink: full after 2 pieces");
    assert_int_equal(k.calls, 3);
    strbuf_fini(&k.text);

    /* A file that refuses the bytes. */
    FILE *f = fopen("/dev/full", "w");
    assert_non_null(f);
    assert_int_equal(snap_write_file(m, f, "full.json", &err), PXE_IO);
    assert_string_equal(err.msg, "full.json: write failed: No space left on device");
    fclose(f);
    free(whole);
    model_free(m);
}

/* The writer prints what jansson's dump of the same JSON prints (the format the snapshots
 * were written in before it streamed): escapes, U+FFFD for invalid UTF-8, real numbers. */
static void
test_write_is_jansson_dump(void **state)
{
    struct model *m = load_fixture("snapshot-broken.json");
    struct m_cluster *c = m->clusters.items[1];
    char all[64], *q = all;
    for (int ch = 1; ch < 0x20; ch++)
        *q++ = (char)ch;
    strcpy(q, "\"\\/\x7f\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xed\xa0\x80\xc0\xaf\xff");
    struct m_channel *ch = c->channels.items[0];
    model_set_str(&ch->last_sql_error, all);
    model_set_str(&ch->io_state, "\xf4\x90\x80\x80 \xe0\x80\x80 \xe2\x82");
    static const double lags[] = {1e-7, 1e21, 0.1 + 0.2, 123456789.123, 5e-324, 1e300, 0};
    for (size_t i = 0; i < sizeof lags / sizeof lags[0]; i++) {
        ch->lag_s = lags[i];
        model_channel_push_lag(ch, lags[i] * 3);
        char *out = write_model(m);
        json_error_t jerr;
        json_t *root = json_loads(out, 0, &jerr);
        if (root == NULL)
            fail_msg("the output is not JSON: %d:%d: %s", jerr.line, jerr.column, jerr.text);
        char *again =
            json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        size_t n = strlen(again);
        assert_true(strlen(out) == n + 1 && out[n] == '\n');
        assert_memory_equal(out, again, n);
        free(again);
        json_decref(root);
        free(out);
    }
    model_free(m);
}

/* A number the model cannot say (NaN, infinity) is left out, as when jansson built the
 * document (it has no value for one): the member reads back as its default. */
static void
test_write_leaves_out_non_finite(void **state)
{
    struct model *m = load_fixture("snapshot-healthy.json");
    struct m_cluster *b = m->clusters.items[1];
    struct m_pod *p = model_pod_find(b, "pxc", "pxc-cluster-pxc-0");
    p->galera.fc_paused = INFINITY;
    struct m_channel *ch = ((struct m_cluster *)m->clusters.items[0])->channels.items[0];
    ch->lag_s = NAN;
    int before = ch->lag_len;
    model_channel_push_lag(ch, NAN);
    char *out = write_model(m);
    struct model *m2 = model_new();
    struct pxerr err = {0};
    if (snap_load_buf(out, strlen(out), "nan", m2, &err) != 0)
        fail_msg("%s", err.msg);
    struct m_channel *ch2 = ((struct m_cluster *)m2->clusters.items[0])->channels.items[0];
    assert_true(ch2->lag_s < 0);
    assert_int_equal(ch2->lag_len, before);
    assert_true(
        model_pod_find(m2->clusters.items[1], "pxc", "pxc-cluster-pxc-0")->galera.fc_paused == 0);
    free(out);
    model_free(m2);
    model_free(m);
}

/* ---- the tables ---- */

static const char *
enum_model_name(const char *key, int v)
{
    if (strcmp(key, "sidecar") == 0)
        return model_sidecar_name(v);
    if (strcmp(key, "severity") == 0)
        return model_severity_name(v);
    if (strcmp(key, "ioRunning") == 0 || strcmp(key, "sqlRunning") == 0)
        return model_thread_name(v);
    if (strcmp(key, "action") == 0)
        return model_fix_kind_name(v);
    fail_msg("enum field %s: which model_*_name gives its words?", key);
    return NULL;
}

/* What the interpreters take for granted, checked over every kind of the document. */
static void
check_kind(const struct snap_kind *k, bool in_list, bool root_list, int *n_bulk)
{
    assert_true(k->n_fields > 0);
    bool identity = k->open != NULL;
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct snap_field *f = &k->fields[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->key, k->fields[j].key) == 0)
                fail_msg("%s: key %s twice", k->name, f->key);
        /* open() sees only the identity, so it comes first. */
        if (!(f->flags & F_BORROW))
            identity = false;
        else if (k->open != NULL && !identity)
            fail_msg("%s.%s: a borrowed field after open()", k->name, f->key);
        if ((f->flags & F_BORROW) && (f->type != T_STR || (f->flags & F_INTERN)))
            fail_msg("%s.%s: only plain strings can be borrowed", k->name, f->key);
        if ((f->flags & F_BULK) && (f->type != T_LIST || !root_list))
            fail_msg("%s.%s: F_BULK is for a list in an object of a root list", k->name, f->key);
        if (f->flags & F_BULK)
            (*n_bulk)++;
        if (f->type == T_ENUM)
            for (int v = 0; v < f->en->n; v++)
                if (f->en->names[v] != NULL)
                    assert_string_equal(f->en->names[v], enum_model_name(f->key, v));
        if (f->type == T_ARR || f->type == T_FIX)
            assert_true(f->kind->open == NULL && f->kind->close == NULL); /* slots, not objects */
        if (f->type == T_OBJ || f->type == T_LIST || f->type == T_ARR || f->type == T_FIX)
            check_kind(f->kind, f->type == T_LIST, f->type == T_LIST && k == &snap__root, n_bulk);
    }
    /* Read through the stage: made by open(), or stored by close(). */
    if (in_list) {
        assert_true(k->size <= SNAP_STAGE_MAX);
        if (k->open == NULL && k->close == NULL)
            fail_msg("%s: a list's object is neither made nor stored", k->name);
    }
}

/* One object as the writer writes it inside the whole snapshot: the console's describe. */
static void
test_write_object(void **state)
{
    struct model *m = load_fixture("snapshot-broken.json");
    struct m_cluster *a = m->clusters.items[0];
    struct strbuf whole, one;
    strbuf_init(&whole);
    strbuf_init(&one);
    struct pxerr err = {0};
    assert_int_equal(snap_write(m, &whole, &err), 0);
    json_t *doc = json_loads(whole.s, 0, NULL);
    assert_non_null(doc);
    struct {
        enum snap_obj kind;
        const void *obj;
        const char *list;
        const char *name;
    } cases[] = {
        {SNAP_OBJ_POD, model_pod_find(a, "pxc", "pxc-cluster-pxc-2"), "pods", "pxc-cluster-pxc-2"},
        {SNAP_OBJ_PXC, model_pxc_find(a, "pxc", "pxc-cluster"), "pxcClusters", "pxc-cluster"},
        {SNAP_OBJ_SENTRY, model_sentry_find(a, "pxc", "pxc-cluster-cluster-b"), "serviceEntries",
         "pxc-cluster-cluster-b"},
        {SNAP_OBJ_NAMESPACE, model_ns_find(a, "pxc"), "namespaces", "pxc"},
        {SNAP_OBJ_CHANNEL, a->channels.items[0], "channels", "cluster_b_source"},
    };
    json_t *ca = json_array_get(json_object_get(doc, "clusters"), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_non_null(cases[i].obj);
        strbuf_reset(&one);
        assert_int_equal(snap_write_object(cases[i].kind, cases[i].obj, &one, &err), 0);
        json_t *got = json_loads(one.s, 0, NULL);
        assert_non_null(got);
        json_t *want = NULL, *it;
        size_t k;
        json_array_foreach(json_object_get(ca, cases[i].list), k,
                           it) if (strcmp(json_string_value(json_object_get(it, "name")),
                                          cases[i].name) == 0) want = it;
        assert_non_null(want);
        if (!json_equal(got, want))
            fail_msg("%s %s differs from the snapshot's: %s", cases[i].list, cases[i].name, one.s);
        json_decref(got);
    }
    assert_int_equal(snap_write_object((enum snap_obj)99, a, &one, &err), PXE_INVAL);
    json_decref(doc);
    strbuf_fini(&whole);
    strbuf_fini(&one);
    model_free(m);
}

static void
test_tables_are_consistent(void **state)
{
    int n_bulk = 0;
    check_kind(&snap__root, false, false, &n_bulk);
    assert_int_equal(n_bulk, 1); /* the split keeps the ranges of one list */
}

/* docs/status-json.md has a table per kind of object, under a heading with the kind's name;
 * its rows are the kind's fields, in order. Returns how many kinds had a table. */
static int
check_doc_table(const struct snap_kind *k, const char *doc)
{
    int found = 0;
    char head[80];
    for (const char *level = "##"; level != NULL; level = level[2] ? NULL : "###") {
        snprintf(head, sizeof head, "\n%s %s\n", level, k->name);
        const char *at = strstr(doc, head);
        if (at == NULL)
            continue;
        found = 1;
        const char *row = strstr(at + 1, "\n| `");
        for (size_t i = 0; i < k->n_fields; i++) {
            char want[80];
            snprintf(want, sizeof want, "\n| `%s` |", k->fields[i].key);
            if (row == NULL || strncmp(row, want, strlen(want)) != 0)
                fail_msg("docs/status-json.md, %s: row %zu should be `%s`", k->name, i + 1,
                         k->fields[i].key);
            row = strchr(row + 1, '\n');
        }
        if (row != NULL && strncmp(row, "\n| `", 4) == 0)
            fail_msg("docs/status-json.md, %s: more rows than fields", k->name);
    }
    for (size_t i = 0; i < k->n_fields; i++) {
        const struct snap_field *f = &k->fields[i];
        if (f->kind != NULL && f->kind != k)
            found += check_doc_table(f->kind, doc);
    }
    return found;
}

static void
test_doc_tables_are_the_field_tables(void **state)
{
    const char *src = getenv("PXC_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/status-json.md", src ? src : PXC_SOURCE_DIR);
    char *doc = slurp(path, NULL);
    assert_int_equal(check_doc_table(&snap__root, doc), 15);
    free(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthy_loads),
        cmocka_unit_test(test_write_object),
        cmocka_unit_test(test_broken_loads),
        cmocka_unit_test(test_examples_are_canonical),
        cmocka_unit_test(test_live_model_round_trip),
        cmocka_unit_test(test_blind_state_round_trip),
        cmocka_unit_test(test_malformed_json_line_col),
        cmocka_unit_test(test_wrong_types_name_the_path),
        cmocka_unit_test(test_unknown_fields_ignored),
        cmocka_unit_test(test_fast_and_tree_agree),
        cmocka_unit_test(test_times_before_1970),
        cmocka_unit_test(test_minimal_document),
        cmocka_unit_test(test_empty_model),
        cmocka_unit_test(test_transactional),
        cmocka_unit_test(test_doc_example_loads),
        cmocka_unit_test(test_doc_lists_every_field),
        cmocka_unit_test(test_save_file),
        cmocka_unit_test(test_write_streams),
        cmocka_unit_test(test_write_is_jansson_dump),
        cmocka_unit_test(test_write_leaves_out_non_finite),
        cmocka_unit_test(test_tables_are_consistent),
        cmocka_unit_test(test_doc_tables_are_the_field_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
