/* test_kube_watch: the watch stream decoder. A stream of real-shaped events is cut at every
 * byte boundary (two pieces) and at pairs of boundaries (three pieces); each cut must
 * deliver the same events in order. Garbage lines, events without type/object and oversized
 * lines are errors with their words asserted; blank lines and CRLF are fine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube/kube_internal.h"

static const char stream[] =
    "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"pxc-0\","
    "\"namespace\":\"pxc\",\"resourceVersion\":\"11\"}}}\n"
    "\r\n"
    "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"pxc-\\u00e9\","
    "\"namespace\":\"pxc\",\"resourceVersion\":\"12\"}}}\r\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"13\"}}}\n"
    "{\"type\":\"DELETED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"pxc-0\","
    "\"namespace\":\"pxc\",\"resourceVersion\":\"14\"}}}\n";

struct seen {
    int n;
    char log[512];
    int stop_after; /* return -1 at this event number (1-based), 0 never */
};

static int
on_event(const char *type, json_t *obj, void *arg)
{
    struct seen *s = arg;
    s->n++;
    json_t *md = json_object_get(obj, "metadata");
    const char *name = json_string_value(json_object_get(md, "name"));
    const char *rv = json_string_value(json_object_get(md, "resourceVersion"));
    size_t l = strlen(s->log);
    snprintf(s->log + l, sizeof s->log - l, "%s:%s:%s;", type, name ? name : "-", rv);
    return s->stop_after && s->n == s->stop_after ? -7 : 0;
}

static const char expected[] =
    "ADDED:pxc-0:11;MODIFIED:pxc-\xc3\xa9:12;BOOKMARK:-:13;DELETED:pxc-0:14;";

static void
feed_pieces(const size_t *cuts, int n_cuts)
{
    struct kube_watch_dec d;
    struct seen s = {0};
    struct pxerr err = {0};
    size_t len = sizeof stream - 1, at = 0;
    kube_watch_dec_init(&d, 0);
    for (int i = 0; i <= n_cuts; i++) {
        size_t end = i < n_cuts ? cuts[i] : len;
        assert_int_equal(kube_watch_dec_feed(&d, stream + at, end - at, on_event, &s, &err), 0);
        at = end;
    }
    assert_int_equal(s.n, 4);
    assert_string_equal(s.log, expected);
    assert_int_equal((int)d.n_events, 4);
    kube_watch_dec_fini(&d);
}

static void
test_split_every_byte(void **state)
{
    (void)state;
    size_t len = sizeof stream - 1;
    for (size_t i = 0; i <= len; i++)
        feed_pieces(&i, 1);
}

static void
test_split_every_pair(void **state)
{
    (void)state;
    size_t len = sizeof stream - 1;
    /* Every first cut, with the second cut at every third byte after it: each boundary is
     * covered in both positions while the test stays near a second under ASan. */
    for (size_t i = 0; i <= len; i++)
        for (size_t j = i; j <= len; j += 3) {
            size_t cuts[2] = {i, j};
            feed_pieces(cuts, 2);
        }
}

static void
test_byte_at_a_time(void **state)
{
    (void)state;
    size_t len = sizeof stream - 1;
    size_t cuts[sizeof stream];
    for (size_t i = 0; i < len; i++)
        cuts[i] = i + 1;
    feed_pieces(cuts, (int)len - 1);
}

struct bad_case {
    const char *input;
    const char *msg_part;
};

static void
test_garbage(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"garbage\n", "watch event 1: malformed JSON"},
        {"{\"type\":\"ADDED\",\"object\":{}}\n{not json}\n", "watch event 2: malformed JSON"},
        {"[1,2]\n", "watch event 1: not a JSON object"},
        {"{\"object\":{}}\n", "watch event 1: no \"type\" string"},
        {"{\"type\":\"ADDED\"}\n", "watch event 1 (ADDED): no \"object\" object"},
        {"{\"type\":\"ADDED\",\"object\":{}} trailing\n", "malformed JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kube_watch_dec d;
        struct seen s = {0};
        struct pxerr err = {0};
        kube_watch_dec_init(&d, 0);
        int rc = kube_watch_dec_feed(&d, cases[i].input, strlen(cases[i].input), on_event, &s,
                                     &err);
        assert_int_equal(rc, PXE_PARSE);
        assert_int_equal(err.code, PXE_PARSE);
        if (strstr(err.msg, cases[i].msg_part) == NULL)
            fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].msg_part);
        kube_watch_dec_fini(&d);
    }
}

static void
test_garbage_quoted(void **state)
{
    (void)state;
    struct kube_watch_dec d;
    struct seen s = {0};
    struct pxerr err = {0};
    kube_watch_dec_init(&d, 0);
    assert_int_equal(kube_watch_dec_feed(&d, "<html>oops\n", 11, on_event, &s, &err), PXE_PARSE);
    assert_non_null(strstr(err.msg, "(line starts '<html>oops')"));
    kube_watch_dec_fini(&d);
}

static void
test_oversized(void **state)
{
    (void)state;
    char big[200];
    memset(big, 'x', sizeof big);
    struct pxerr err = {0};
    struct seen s = {0};
    /* In one chunk, and growing across chunks. */
    for (int mode = 0; mode < 2; mode++) {
        struct kube_watch_dec d;
        kube_watch_dec_init(&d, 64);
        int rc = 0;
        if (mode == 0) {
            rc = kube_watch_dec_feed(&d, big, sizeof big, on_event, &s, &err);
        } else {
            for (size_t i = 0; i < sizeof big && rc == 0; i += 10)
                rc = kube_watch_dec_feed(&d, big + i, 10, on_event, &s, &err);
        }
        assert_int_equal(rc, PXE_PARSE);
        assert_string_equal(err.msg, "watch event 1: larger than 64 bytes without a newline");
        /* Reset makes it usable again. */
        kube_watch_dec_reset(&d);
        const char *ok = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"resourceVersion\":\"1\"}}}\n";
        assert_int_equal(kube_watch_dec_feed(&d, ok, strlen(ok), on_event, &s, &err), 0);
        kube_watch_dec_fini(&d);
    }
    assert_int_equal(s.n, 2);
}

static void
test_callback_stops(void **state)
{
    (void)state;
    struct kube_watch_dec d;
    struct seen s = {.stop_after = 2};
    struct pxerr err = {0};
    kube_watch_dec_init(&d, 0);
    assert_int_equal(kube_watch_dec_feed(&d, stream, sizeof stream - 1, on_event, &s, &err), -7);
    assert_int_equal(s.n, 2);
    assert_int_equal(err.code, 0);
    kube_watch_dec_fini(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_every_byte), cmocka_unit_test(test_split_every_pair),
        cmocka_unit_test(test_byte_at_a_time),   cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_garbage_quoted),   cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_callback_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
