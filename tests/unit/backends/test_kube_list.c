/* test_kube_list: the LIST response decoder (kube_list.c). A page with every awkward shape
 * (brackets and escaped quotes inside strings, nested arrays, scalars, null) is fed whole,
 * a byte at a time, and cut at every pair of boundaries: each must deliver the same items
 * and metadata. Malformed and truncated pages are errors with their words and byte offsets
 * asserted. The decoder feeds the informers (kube.c), which decode each item on a worker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube/kube_internal.h"

static const char page[] =
    " {\"kind\":\"PodList\",\"metadata\": {\"continue\":\"c,}]\\\"x\",\"resourceVersion\":\"7\"},"
    "\n \"items\" : [ {\"a\":\"}]\"} , {\"b\":[1,{\"c\":2}]},\"s\",3 ,null] ,\"tail\":12} ";
static const char page_items[] = "[{\"a\":\"}]\"}][{\"b\":[1,{\"c\":2}]}][\"s\"][3][null]";

struct items {
    int n;
    char log[256];
};

static int
on_item(const char *item, size_t len, void *arg)
{
    struct items *it = arg;
    size_t l = strlen(it->log);
    snprintf(it->log + l, sizeof it->log - l, "[%.*s]", (int)len, item);
    it->n++;
    return 0;
}

static void
check_meta(const char *meta, size_t ml)
{
    assert_non_null(meta);
    json_t *md = json_loadb(meta, ml, 0, NULL);
    assert_non_null(md);
    assert_string_equal(json_string_value(json_object_get(md, "continue")), "c,}]\"x");
    assert_string_equal(json_string_value(json_object_get(md, "resourceVersion")), "7");
    json_decref(md);
}

static void
test_whole(void **state)
{
    (void)state;
    struct items it = {0};
    char *meta;
    size_t ml;
    struct pxerr err = {0};
    assert_int_equal(kube__list_split(page, strlen(page), on_item, &it, &meta, &ml, &err), 0);
    assert_int_equal(it.n, 5);
    assert_string_equal(it.log, page_items);
    check_meta(meta, ml);
    free(meta);

    const char *empty[] = {"{\"items\":[]}", "{\"items\":null,\"metadata\":{}}", "{\"items\":[ ]}",
                           "{\"metadata\":{\"resourceVersion\":\"3\"},\"items\":[]}\n"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        struct items e = {0};
        assert_int_equal(
            kube__list_split(empty[i], strlen(empty[i]), on_item, &e, &meta, &ml, &err), 0);
        assert_int_equal(e.n, 0);
        free(meta);
    }
}

/* Feed page in pieces ending at each cut; the result must be the whole page's. */
static void
feed_pieces(const size_t *cuts, int n_cuts)
{
    struct kube_list_dec d;
    kube_list_dec_init(&d, 0);
    struct items it = {0};
    struct pxerr err = {0};
    size_t at = 0, n = strlen(page);
    for (int k = 0; k <= n_cuts; k++) {
        size_t end = k < n_cuts ? cuts[k] : n;
        assert_int_equal(kube_list_dec_feed(&d, page + at, end - at, on_item, &it, &err), 0);
        at = end;
    }
    const char *meta;
    size_t ml;
    assert_int_equal(kube_list_dec_finish(&d, &meta, &ml, &err), 0);
    assert_string_equal(it.log, page_items);
    check_meta(meta, ml);
    kube_list_dec_fini(&d);
}

static void
test_every_pair_of_cuts(void **state)
{
    (void)state;
    size_t n = strlen(page);
    for (size_t a = 0; a <= n; a++)
        for (size_t b = a; b <= n; b++)
            feed_pieces((size_t[]){a, b}, 2);
}

static void
test_byte_at_a_time(void **state)
{
    (void)state;
    size_t n = strlen(page);
    size_t *cuts = malloc(n * sizeof *cuts);
    for (size_t i = 0; i < n; i++)
        cuts[i] = i;
    feed_pieces(cuts, (int)n);
    free(cuts);
}

/* Only an unfinished item is kept: complete items in a chunk leave nothing buffered. */
static void
test_buffers_only_the_tail(void **state)
{
    (void)state;
    struct kube_list_dec d;
    kube_list_dec_init(&d, 0);
    struct items it = {0};
    struct pxerr err = {0};
    const char *a = "{\"items\":[{\"x\":1},{\"y\":";
    assert_int_equal(kube_list_dec_feed(&d, a, strlen(a), on_item, &it, &err), 0);
    assert_int_equal(it.n, 1);
    assert_int_equal(d.buf.len, strlen("{\"y\":"));
    const char *b = "2}]}";
    assert_int_equal(kube_list_dec_feed(&d, b, strlen(b), on_item, &it, &err), 0);
    assert_int_equal(d.buf.len, 0);
    assert_string_equal(it.log, "[{\"x\":1}][{\"y\":2}]");
    kube_list_dec_fini(&d);
}

struct bad_case {
    const char *input;
    const char *msg_part;
};

static void
test_bad(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"", "LIST response is not a JSON object"},
        {"[1,2]", "LIST response is not a JSON object"},
        {"{\"kind\":\"Status\"}", "no \"items\" array"},
        {"{\"items\":[{\"a\":1}", "truncated at byte 17 (no closing ']')"},
        {"{\"items\":[1 2]}", "',' expected at byte 12"},
        {"{\"items\":[1],", "truncated at byte 13 (no closing '}')"},
        {"{items:[]}", "key expected at byte 1"},
        {"{\"items\" []}", "':' expected at byte 9"},
        {"{\"items\":[] \"x\":1}", "',' or '}' expected at byte 12"},
        {"{\"items\":[\"unterminated]}", "truncated"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct items it = {0};
        char *meta;
        size_t ml;
        struct pxerr err = {0};
        int rc = kube__list_split(cases[i].input, strlen(cases[i].input), on_item, &it, &meta, &ml,
                                  &err);
        assert_int_equal(rc, PXE_PARSE);
        assert_null(meta);
        if (strstr(err.msg, cases[i].msg_part) == NULL)
            fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].msg_part);
    }
}

/* An item that never ends is an error once it passes the cap, not a buffer without bound. */
static void
test_oversized_item(void **state)
{
    (void)state;
    struct kube_list_dec d;
    kube_list_dec_init(&d, 64);
    struct items it = {0};
    struct pxerr err = {0};
    const char *head = "{\"items\":[{\"big\":\"";
    assert_int_equal(kube_list_dec_feed(&d, head, strlen(head), on_item, &it, &err), 0);
    char chunk[40];
    memset(chunk, 'x', sizeof chunk);
    int rc = 0;
    for (int k = 0; k < 4 && rc == 0; k++)
        rc = kube_list_dec_feed(&d, chunk, sizeof chunk, on_item, &it, &err);
    assert_int_equal(rc, PXE_PARSE);
    assert_non_null(strstr(err.msg, "a value larger than 64 bytes at byte 10"));
    kube_list_dec_fini(&d);
}

static int
stop_at_second(const char *item, size_t len, void *arg)
{
    (void)item;
    (void)len;
    return ++*(int *)arg == 2 ? -9 : 0;
}

static void
test_callback_stops(void **state)
{
    (void)state;
    struct kube_list_dec d;
    kube_list_dec_init(&d, 0);
    int n = 0;
    struct pxerr err = {0};
    const char *p = "{\"items\":[1,2,3]}";
    assert_int_equal(kube_list_dec_feed(&d, p, strlen(p), stop_at_second, &n, &err), -9);
    assert_int_equal(n, 2);
    kube_list_dec_fini(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole),
        cmocka_unit_test(test_every_pair_of_cuts),
        cmocka_unit_test(test_byte_at_a_time),
        cmocka_unit_test(test_buffers_only_the_tail),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_oversized_item),
        cmocka_unit_test(test_callback_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
