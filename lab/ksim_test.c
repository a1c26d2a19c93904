/* Unit tests of kubesim's pure parts: selectors, YAML, patches, protobuf bodies, CRD
 * registration and the store's ordering and history. Run as unit/test_ksim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xmalloc.h"
#include "ksim_api.h"
#include "ksim_stream.h"

static json_t *
J(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_DECODE_ANY, &e);
    if (j == NULL)
        fail_msg("bad test JSON: %s: %s", s, e.text);
    return j;
}

static void
assert_json_eq(json_t *got, const char *want)
{
    json_t *w = J(want);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        fail_msg("got %s, want %s", g, want);
    }
    json_decref(w);
}

/* ---- selectors ---- */

static void
test_label_selectors(void **state)
{
    (void)state;
    static const struct {
        const char *sel;
        bool want;
    } cases[] = {
        {"", true},
        {"app=pxc", true},
        {"app==pxc", true},
        {"app!=pxc", false},
        {"app in (a, pxc)", true},
        {"app notin (pxc)", false},
        {"tier", false},
        {"!tier", true},
        {"app=pxc,!tier,zone in (b)", true},
        {"app=pxc, zone=a", false},
        {"n>2", true},
        {"n<2", false},
        {"missing!=x", true},
    };
    json_t *labels = J("{\"app\":\"pxc\",\"zone\":\"b\",\"n\":\"3\"}");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ksim_selector *sel = NULL;
        struct pxerr err = {0};
        assert_int_equal(ksim_selector_parse(cases[i].sel, false, &sel, &err), 0);
        if (ksim_selector_match_labels(sel, labels) != cases[i].want)
            fail_msg("selector \"%s\" should %smatch", cases[i].sel, cases[i].want ? "" : "not ");
        ksim_selector_free(sel);
    }
    json_decref(labels);
}

static void
test_bad_selectors(void **state)
{
    (void)state;
    static const struct {
        const char *sel;
        bool fields;
        const char *msg;
    } cases[] = {
        {"app in pxc", false, "expected: '(' after 'app in'"},
        {"app in (a,b", false, "missing ')'"},
        {"=x", false, "expected: identifier"},
        {"app ~ x", false, "expected: in, notin, =, ==, !=, gt, lt"},
        {"metadata.name", true, "has no operator"},
        {"a=b c", false, "invalid label value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ksim_selector *sel = NULL;
        struct pxerr err = {0};
        assert_int_equal(ksim_selector_parse(cases[i].sel, cases[i].fields, &sel, &err), PXE_PARSE);
        assert_null(sel);
        if (strstr(err.msg, cases[i].msg) == NULL)
            fail_msg("\"%s\": error \"%s\" lacks \"%s\"", cases[i].sel, err.msg, cases[i].msg);
    }
}

static json_t *
give_obj(void *arg)
{
    return arg;
}

static void
test_field_selectors(void **state)
{
    (void)state;
    json_t *pod = J("{\"status\":{\"phase\":\"Running\"},\"spec\":{\"nodeName\":\"n1\"}}");
    struct ksim_selector *sel = NULL;
    assert_int_equal(
        ksim_selector_parse("metadata.namespace=pxc,status.phase=Running", true, &sel, NULL), 0);
    assert_true(ksim_selector_needs_object(sel));
    assert_true(ksim_selector_match_fields(sel, "pxc", "p0", give_obj, pod));
    assert_false(ksim_selector_match_fields(sel, "default", "p0", give_obj, pod));
    ksim_selector_free(sel);
    assert_int_equal(ksim_selector_parse("metadata.name!=p0", true, &sel, NULL), 0);
    assert_false(ksim_selector_needs_object(sel));
    assert_false(ksim_selector_match_fields(sel, "pxc", "p0", give_obj, pod));
    assert_true(ksim_selector_match_fields(sel, "pxc", "p1", give_obj, pod));
    ksim_selector_free(sel);
    json_decref(pod);
}

/* ---- YAML ---- */

static void
test_yaml_types_and_docs(void **state)
{
    (void)state;
    static const char text[] = "---\n"
                               "a: 1\n"
                               "b: \"1\"\n"
                               "c: true\n"
                               "d: ~\n"
                               "e: 1.5\n"
                               "f: 0755x\n"
                               "g: &anc {x: [1, two]}\n"
                               "h: *anc\n"
                               "i: |\n  line1\n  line2\n"
                               "---\n"
                               "---\n"
                               "kind: Second\n";
    struct vec docs;
    vec_init(&docs, ksim_json_decref_fn);
    struct pxerr err = {0};
    assert_int_equal(ksim_yaml_parse(text, sizeof text - 1, "t.yaml", &docs, &err), 0);
    assert_int_equal(docs.n, 2); /* the empty document is skipped */
    assert_json_eq(
        vec_at(&docs, 0),
        "{\"a\":1,\"b\":\"1\",\"c\":true,\"d\":null,\"e\":1.5,\"f\":\"0755x\","
        "\"g\":{\"x\":[1,\"two\"]},\"h\":{\"x\":[1,\"two\"]},\"i\":\"line1\\nline2\\n\"}");
    assert_json_eq(vec_at(&docs, 1), "{\"kind\":\"Second\"}");
    vec_fini(&docs);
}

static void
test_yaml_errors(void **state)
{
    (void)state;
    struct vec docs;
    vec_init(&docs, ksim_json_decref_fn);
    struct pxerr err = {0};
    static const char bad[] = "a: 1\nb: [1, 2\nc: 3\n";
    assert_int_equal(ksim_yaml_parse(bad, sizeof bad - 1, "seed/bad.yaml", &docs, &err), PXE_PARSE);
    assert_non_null(strstr(err.msg, "seed/bad.yaml:"));
    assert_int_equal(docs.n, 0);
    static const char alias[] = "a: *nope\n";
    assert_int_equal(ksim_yaml_parse(alias, sizeof alias - 1, "x.yaml", &docs, &err), PXE_PARSE);
    assert_non_null(strstr(err.msg, "x.yaml:1:"));
    vec_fini(&docs);
}

static void
test_yaml_emit_roundtrip(void **state)
{
    (void)state;
    json_t *cfg = J("{\"apiVersion\":\"v1\",\"clusters\":[{\"name\":\"a\",\"cluster\":"
                    "{\"server\":\"https://127.0.0.1:1\"}}],\"users\":[{\"name\":\"a\","
                    "\"user\":{}}],\"true\":\"yes: no\",\"n\":3,\"empty\":[]}");
    struct strbuf sb;
    strbuf_init(&sb);
    ksim_yaml_emit(cfg, &sb);
    struct vec docs;
    vec_init(&docs, ksim_json_decref_fn);
    assert_int_equal(ksim_yaml_parse(sb.s, sb.len, "emitted", &docs, NULL), 0);
    assert_int_equal(docs.n, 1);
    assert_true(json_equal(vec_at(&docs, 0), cfg));
    vec_fini(&docs);
    strbuf_fini(&sb);
    json_decref(cfg);
}

/* ---- patches ---- */

static void
test_merge_patch_rfc7386(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
        {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
        {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
        {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
        {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *t = J(cases[i][0]), *p = J(cases[i][1]);
        json_t *got = ksim_merge_patch(t, p);
        assert_json_eq(got, cases[i][2]);
        json_decref(got);
        json_decref(t);
        json_decref(p);
    }
}

static void
test_strategic_patch(void **state)
{
    (void)state;
    json_t *t = J("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x:1\"},"
                  "{\"name\":\"b\",\"image\":\"y:1\"}]},\"metadata\":{\"labels\":{\"k\":\"v\"}}}");
    json_t *p = J("{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"y:2\"},"
                  "{\"name\":\"c\",\"image\":\"z\"},{\"name\":\"a\",\"$patch\":\"delete\"}]},"
                  "\"metadata\":{\"labels\":{\"k\":null,\"n\":\"1\"}},"
                  "\"$setElementOrder/containers\":[{\"name\":\"b\"}]}");
    json_t *got = ksim_strategic_patch(t, p);
    assert_json_eq(got,
                   "{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"y:2\"},"
                   "{\"name\":\"c\",\"image\":\"z\"}]},\"metadata\":{\"labels\":{\"n\":\"1\"}}}");
    json_decref(got);
    json_decref(p);
    /* rollout restart's patch */
    p = J("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
          "{\"kubectl.kubernetes.io/restartedAt\":\"2026-01-01T00:00:00Z\"}}}}}");
    got = ksim_strategic_patch(t, p);
    assert_string_equal(
        json_string_value(json_object_get(ksim_path_get(got, "spec.template.metadata.annotations"),
                                          "kubectl.kubernetes.io/restartedAt")),
        "2026-01-01T00:00:00Z");
    assert_int_equal(json_array_size(ksim_path_get(got, "spec.containers")), 2);
    json_decref(got);
    json_decref(p);
    json_decref(t);
}

static void
test_json_patch(void **state)
{
    (void)state;
    json_t *t = J("{\"a\":{\"b\":[1,2]},\"c\":\"d\",\"x/y\":1}");
    json_t *ops = J("[{\"op\":\"add\",\"path\":\"/a/b/1\",\"value\":9},"
                    "{\"op\":\"add\",\"path\":\"/a/b/-\",\"value\":3},"
                    "{\"op\":\"replace\",\"path\":\"/c\",\"value\":\"e\"},"
                    "{\"op\":\"remove\",\"path\":\"/x~1y\"},"
                    "{\"op\":\"copy\",\"from\":\"/c\",\"path\":\"/f\"},"
                    "{\"op\":\"move\",\"from\":\"/f\",\"path\":\"/g\"},"
                    "{\"op\":\"test\",\"path\":\"/g\",\"value\":\"e\"}]");
    struct pxerr err = {0};
    json_t *got = ksim_json_patch(t, ops, &err);
    assert_non_null(got);
    assert_json_eq(got, "{\"a\":{\"b\":[1,9,2,3]},\"c\":\"e\",\"g\":\"e\"}");
    json_decref(got);
    json_decref(ops);
    ops = J("[{\"op\":\"replace\",\"path\":\"/nope\",\"value\":1}]");
    assert_null(ksim_json_patch(t, ops, &err));
    assert_non_null(strstr(err.msg, "\"/nope\" does not exist"));
    json_decref(ops);
    ops = J("[{\"op\":\"test\",\"path\":\"/c\",\"value\":\"zz\"}]");
    assert_null(ksim_json_patch(t, ops, &err));
    assert_non_null(strstr(err.msg, "test failed"));
    json_decref(ops);
    json_decref(t);
}

/* ---- protobuf ---- */

static void
test_proto_namespace(void **state)
{
    (void)state;
    /* What `kubectl create namespace foo` sends (captured with kubectl -v=8) */
    static const unsigned char buf[] = {
        'k',  '8',  's',  0,    0x0a, 0x0f, 0x0a, 0x02, 'v',  '1',  0x12, 0x09, 'N',  'a',
        'm',  'e',  's',  'p',  'a',  'c',  'e',  0x12, 0x1b, 0x0a, 0x13, 0x0a, 0x03, 'f',
        'o',  'o',  0x12, 0x00, 0x1a, 0x00, 0x22, 0x00, 0x2a, 0x00, 0x32, 0x00, 0x38, 0x00,
        0x42, 0x00, 0x12, 0x00, 0x1a, 0x02, 0x0a, 0x00, 0x1a, 0x00, 0x22, 0x00};
    struct pxerr err = {0};
    json_t *ns = ksim_proto_decode(buf, sizeof buf, &err);
    if (ns == NULL)
        fail_msg("decode: %s", err.msg);
    assert_string_equal(json_string_value(json_object_get(ns, "kind")), "Namespace");
    assert_string_equal(json_string_value(ksim_path_get(ns, "metadata.name")), "foo");
    json_decref(ns);
    static const unsigned char bad[] = {'k', '8', 's', 0, 0x0a, 0x7f, 0x01};
    assert_null(ksim_proto_decode(bad, sizeof bad, &err));
    assert_non_null(strstr(err.msg, "malformed"));
    assert_null(ksim_proto_decode((const unsigned char *)"{}", 2, &err));
    assert_non_null(strstr(err.msg, "envelope"));
}

/* ---- store and CRDs ---- */

static void
test_crd_versions_and_store(void **state)
{
    (void)state;
    struct ksim_store st;
    ksim_store_init(&st, 16);
    ksim_store_add_builtin(&st);
    json_t *crd =
        J("{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":"
          "\"CustomResourceDefinition\",\"metadata\":{\"name\":\"ses.x.io\"},"
          "\"spec\":{\"group\":\"x.io\",\"scope\":\"Namespaced\",\"names\":{\"plural\":"
          "\"ses\",\"kind\":\"SE\",\"shortNames\":[\"se\"]},\"versions\":["
          "{\"name\":\"v1alpha3\",\"served\":true},{\"name\":\"v2beta1\",\"served\":"
          "true},{\"name\":\"v1\",\"served\":true,\"additionalPrinterColumns\":"
          "[{\"name\":\"Hosts\",\"type\":\"string\",\"jsonPath\":\".spec.hosts\"}]},"
          "{\"name\":\"v1beta1\",\"served\":true},{\"name\":\"v0old\",\"served\":false}]}}");
    pthread_mutex_lock(&st.mu);
    struct ksim_status stt;
    json_t *out = NULL;
    struct ksim_res *crds =
        ksim_res_find(&st, "apiextensions.k8s.io", NULL, "customresourcedefinitions");
    assert_int_equal(ksim_api_create_locked(&st, crds, "", crd, KSIM_W_SEED, &out, &stt), 0);
    json_decref(out);
    struct ksim_res *r = ksim_res_find(&st, "x.io", NULL, "ses");
    assert_non_null(r);
    assert_int_equal(r->n_versions, 4);
    assert_string_equal(r->versions[0], "v1");
    assert_string_equal(r->versions[1], "v2beta1");
    assert_string_equal(r->versions[2], "v1beta1");
    assert_string_equal(r->versions[3], "v1alpha3");
    assert_int_equal(json_array_size(r->columns), 1);

    /* create into a missing namespace: 404 unless seeding; then order and history */
    json_t *o =
        J("{\"apiVersion\":\"x.io/v1beta1\",\"kind\":\"SE\",\"metadata\":{\"name\":\"b\"}}");
    assert_int_equal(ksim_api_create_locked(&st, r, "ns1", o, 0, &out, &stt), -1);
    assert_int_equal(stt.code, 404);
    assert_string_equal(stt.msg, "namespaces \"ns1\" not found");
    const char *names[] = {"b", "a", "c"};
    for (size_t i = 0; i < 3; i++) {
        o = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "x.io/v1beta1", "kind", "SE", "metadata",
                      "name", names[i]);
        assert_int_equal(ksim_api_create_locked(&st, r, "ns1", o, KSIM_W_SEED, &out, &stt), 0);
        assert_string_equal(json_string_value(json_object_get(out, "apiVersion")), "x.io/v1");
        json_decref(out);
    }
    assert_int_equal(r->sorted.n, 3);
    assert_string_equal(((struct ksim_obj *)vec_at(&r->sorted, 0))->key, "ns1/a");
    assert_string_equal(((struct ksim_obj *)vec_at(&r->sorted, 2))->key, "ns1/c");
    o = J("{\"apiVersion\":\"x.io/v1\",\"kind\":\"SE\",\"metadata\":{\"name\":\"a\"}}");
    assert_int_equal(ksim_api_create_locked(&st, r, "ns1", o, 0, &out, &stt), -1);
    assert_int_equal(stt.code, 409);
    assert_string_equal(stt.msg, "ses.x.io \"a\" already exists");
    /* the bounded history moves the horizon */
    uint64_t before = st.horizon_rv;
    for (int i = 0; i < 20; i++) {
        json_t *p = J("{\"metadata\":{\"labels\":{\"n\":\"x\"}}}");
        json_object_set_new(ksim_path_get(p, "metadata.labels"), "n", json_integer(i));
        assert_int_equal(
            ksim_api_patch_locked(&st, r, "ns1", "a", KSIM_PATCH_MERGE, p, NULL, 0, &out, &stt), 0);
        json_decref(out);
    }
    assert_true(st.horizon_rv > before);
    assert_int_equal(st.ring_next - st.ring_first, 16);
    /* a no-op patch stores nothing */
    uint64_t rv = st.rv;
    json_t *p = J("{\"metadata\":{\"labels\":{\"n\":19}}}");
    assert_int_equal(
        ksim_api_patch_locked(&st, r, "ns1", "a", KSIM_PATCH_MERGE, p, NULL, 0, &out, &stt), 0);
    json_decref(out);
    assert_int_equal(st.rv, rv);
    pthread_mutex_unlock(&st.mu);
    ksim_store_fini(&st);
}

/* --created-ago backdates what the seed creates, never what the API creates. */
static void
test_created_ago(void **state)
{
    (void)state;
    struct ksim_store st;
    ksim_store_init(&st, 16);
    ksim_store_add_builtin(&st);
    st.seed_age_s = 3 * 86400;
    pthread_mutex_lock(&st.mu);
    struct ksim_res *ns = ksim_res_find(&st, "", "v1", "namespaces");
    assert_non_null(ns);
    struct ksim_status stt;
    json_t *out = NULL;
    /* RFC 3339 UTC of one width orders as text: the stamp lies between two clock reads. */
    char lo[40], hi[40];
    ksim_ago_rfc3339(3 * 86400, lo, sizeof lo);
    assert_int_equal(ksim_api_create_locked(&st, ns, "", J("{\"metadata\":{\"name\":\"old\"}}"),
                                            KSIM_W_SEED, &out, &stt),
                     0);
    ksim_ago_rfc3339(3 * 86400, hi, sizeof hi);
    const char *ts = json_string_value(ksim_path_get(out, "metadata.creationTimestamp"));
    assert_non_null(ts);
    assert_true(strcmp(ts, lo) >= 0 && strcmp(ts, hi) <= 0);
    json_decref(out);
    ksim_now_rfc3339(lo, sizeof lo);
    assert_int_equal(
        ksim_api_create_locked(&st, ns, "", J("{\"metadata\":{\"name\":\"new\"}}"), 0, &out, &stt),
        0);
    ksim_now_rfc3339(hi, sizeof hi);
    ts = json_string_value(ksim_path_get(out, "metadata.creationTimestamp"));
    assert_true(strcmp(ts, lo) >= 0 && strcmp(ts, hi) <= 0);
    json_decref(out);
    pthread_mutex_unlock(&st.mu);
    ksim_store_fini(&st);
}

static void
test_human_age(void **state)
{
    (void)state;
    static const struct {
        int64_t s;
        const char *want;
    } cases[] = {{5, "5s"},
                 {119, "119s"},
                 {130, "2m10s"},
                 {3600, "60m"},
                 {4 * 3600 + 120, "4h2m"},
                 {30 * 3600, "30h"},
                 {3 * 86400 + 3600, "3d1h"},
                 {40 * 86400, "40d"},
                 {800 * 86400, "2y"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        ksim_human_age(cases[i].s, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
}

/* The WebSocket accept key of RFC 6455 section 1.3's example, and the SPDY/3 header
 * dictionary by its adler32 (what a zlib stream from kubectl names in its header). */
static void
test_stream_constants(void **state)
{
    (void)state;
    char accept[64];
    ksim_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", accept, sizeof accept);
    assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_int_equal(ksim_spdy_dict_adler(), 0xe3c6a7c2u);
}

struct spdy_seen {
    int syn, data;
    char type[32], port[32];
    uint8_t out[4096];
    size_t out_len;
};

static void
seen_syn(uint32_t id, const struct ksim_spdy_hdr *h, size_t n, void *arg)
{
    struct spdy_seen *s = arg;
    s->syn++;
    assert_int_equal(id, 1);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(h[i].name, "streamtype") == 0)
            snprintf(s->type, sizeof s->type, "%s", h[i].value);
        if (strcmp(h[i].name, "port") == 0)
            snprintf(s->port, sizeof s->port, "%s", h[i].value);
    }
}
static void
seen_data(uint32_t id, const uint8_t *b, size_t len, bool fin, void *arg)
{
    (void)id, (void)b, (void)len, (void)fin;
    ((struct spdy_seen *)arg)->data++;
}
static void
seen_rst(uint32_t id, void *arg)
{
    (void)id, (void)arg;
}
static void
seen_goaway(void *arg)
{
    (void)arg;
}
static void
seen_out(const uint8_t *b, size_t len, void *arg)
{
    struct spdy_seen *s = arg;
    if (s->out_len + len <= sizeof s->out) {
        memcpy(s->out + s->out_len, b, len);
        s->out_len += len;
    }
}

/* A SYN_STREAM as moby/spdystream writes it (its header block compressed with the SPDY/3
 * dictionary: "streamtype: stdout"), then a PING that must come back, then garbage that must
 * fail with a message. */
static void
test_spdy_frames(void **state)
{
    (void)state;
    static const uint8_t syn[] = {0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00,
                                  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x78, 0xf9, 0xe3, 0xc6,
                                  0xa7, 0xc2, 0x62, 0x60, 0x60, 0x60, 0x04, 0xa7, 0xb3, 0x92, 0xa2,
                                  0xd4, 0xc4, 0x5c, 0x68, 0x51, 0xc2, 0x56, 0x5c, 0x92, 0x92, 0x5f,
                                  0x5a, 0x02, 0x00, 0x00, 0x00, 0xff, 0xff};
    static const uint8_t ping[] = {0x80, 0x03, 0x00, 0x06, 0x00, 0x00,
                                   0x00, 0x04, 0x00, 0x00, 0x00, 0x07};
    static const struct ksim_spdy_events ev = {
        .syn_stream = seen_syn, .data = seen_data, .rst = seen_rst, .goaway = seen_goaway};
    struct spdy_seen seen = {0};
    struct ksim_spdy *s = ksim_spdy_new(&ev, seen_out, &seen);
    struct pxerr err = {0};
    /* an empty tunnel message (kubectl sends some) is no frame */
    assert_int_equal(ksim_spdy_feed(s, NULL, 0, &err), 0);
    /* in two pieces: a frame split across reads is still one frame */
    assert_int_equal(ksim_spdy_feed(s, syn, 20, &err), 0);
    assert_int_equal(seen.syn, 0);
    assert_int_equal(ksim_spdy_feed(s, syn + 20, sizeof syn - 20, &err), 0);
    assert_int_equal(seen.syn, 1);
    assert_string_equal(seen.type, "stdout");
    assert_int_equal(ksim_spdy_feed(s, ping, sizeof ping, &err), 0);
    assert_int_equal(seen.out_len, sizeof ping);
    assert_memory_equal(seen.out, ping, sizeof ping);
    static const uint8_t bad[] = {0x80, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00};
    assert_int_not_equal(ksim_spdy_feed(s, bad, sizeof bad, &err), 0);
    assert_non_null(strstr(err.msg, "version 2"));
    ksim_spdy_free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_selectors),
        cmocka_unit_test(test_bad_selectors),
        cmocka_unit_test(test_field_selectors),
        cmocka_unit_test(test_yaml_types_and_docs),
        cmocka_unit_test(test_yaml_errors),
        cmocka_unit_test(test_yaml_emit_roundtrip),
        cmocka_unit_test(test_merge_patch_rfc7386),
        cmocka_unit_test(test_strategic_patch),
        cmocka_unit_test(test_json_patch),
        cmocka_unit_test(test_proto_namespace),
        cmocka_unit_test(test_crd_versions_and_store),
        cmocka_unit_test(test_created_ago),
        cmocka_unit_test(test_human_age),
        cmocka_unit_test(test_stream_constants),
        cmocka_unit_test(test_spdy_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
