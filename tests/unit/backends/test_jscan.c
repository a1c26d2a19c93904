/* test_jscan: the JSON scanners (codec/jscan.c). jscan_value finds where a value ends 32 bytes
 * at a time; it must agree with the plain byte-by-byte reading below on every input and every
 * prefix of it (a LIST page arrives in pieces). jscan_strict must accept only what jansson
 * accepts (each case is checked against json_loadb too) and record where each object and
 * array ends, which jscan_member and jscan_elem then walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "codec/jscan.h"

/* The reading jscan_value must give: a backslash inside a string skips the next byte;
 * brackets count outside strings only. */
static size_t
ref_value(const char *s, size_t i, size_t n)
{
    if (i >= n)
        return 0;
    if (s[i] != '{' && s[i] != '[')
        return jscan_value(s, i, n); /* strings and words are not the 32-byte path */
    int depth = 0;
    bool in_str = false, esc = false;
    for (; i < n; i++) {
        char c = s[i];
        if (esc)
            esc = false;
        else if (in_str)
            in_str = c != '"', esc = c == '\\';
        else if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
    }
    return 0;
}

static uint64_t
next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void
test_value_matches_bytewise(void **state)
{
    (void)state;
    /* Inputs made of the bytes that matter (and a few that do not), so that strings,
     * escapes and brackets fall on every position of a 32-byte block. */
    static const char alphabet[] = "{}[]\"\\\\\"\"\"aaaaaaaaa:,1 ";
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    char buf[300];
    for (int round = 0; round < 20000; round++) {
        size_t n = 1 + next_rand(&seed) % (sizeof buf - 1);
        buf[0] = next_rand(&seed) & 1 ? '{' : '[';
        for (size_t i = 1; i < n; i++)
            buf[i] = alphabet[next_rand(&seed) % (sizeof alphabet - 1)];
        size_t want = ref_value(buf, 0, n), got = jscan_value(buf, 0, n);
        if (want != got)
            fail_msg("round %d: %.*s: jscan_value %zu, byte by byte %zu", round, (int)n, buf, got,
                     want);
        /* Every prefix: incomplete before the end, the same end after it. */
        size_t cut = next_rand(&seed) % (n + 1);
        size_t pw = ref_value(buf, 0, cut), pg = jscan_value(buf, 0, cut);
        if (pw != pg)
            fail_msg("round %d prefix %zu: jscan_value %zu, byte by byte %zu", round, cut, pg, pw);
    }
}

static void
test_value_long_documents(void **state)
{
    (void)state;
    /* Brackets and runs of backslashes inside strings, long enough to cross 32-byte blocks;
     * each case is "prefix + run of c + suffix", with the end expected (0: none). */
    struct {
        const char *pre;
        char c;
        size_t run;
        const char *suf;
        size_t end; /* from the start; 0: the value does not end */
    } cases[] = {
        {"{\"a\":\"", '}', 45, "\",\"b\":[1,2,{\"c\":\"]\"}]}x", 6 + 45 + 22},
        {"[\"\\\"", ']', 45, "\\\\\",[[[]]]]", 4 + 45 + 11},
        {"{\"k\":\"", '\\', 70, "\"}", 6 + 70 + 2},   /* even: the quote closes */
        {"{\"k\":\"", '\\', 71, "\"}", 0},            /* odd: the quote is escaped */
        {"{\"k\":\"", '\\', 71, "\"\"}", 6 + 71 + 3}, /* ... and the next one closes */
    };
    char buf[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t pl = strlen(cases[i].pre), sl = strlen(cases[i].suf);
        assert_true(pl + cases[i].run + sl < sizeof buf);
        memcpy(buf, cases[i].pre, pl);
        memset(buf + pl, cases[i].c, cases[i].run);
        memcpy(buf + pl + cases[i].run, cases[i].suf, sl);
        size_t n = pl + cases[i].run + sl;
        if (jscan_value(buf, 0, n) != cases[i].end || ref_value(buf, 0, n) != cases[i].end)
            fail_msg("case %zu %.*s: jscan_value %zu, byte by byte %zu, want %zu", i, (int)n, buf,
                     jscan_value(buf, 0, n), ref_value(buf, 0, n), cases[i].end);
    }
}

/* jscan_ws skips runs 16 bytes at a time: it must stop at the same byte as a plain reading,
 * for runs of every length and every end n (it never reads s[n]). */
static void
test_ws_runs(void **state)
{
    (void)state;
    static const char ws[] = " \t\n\r";
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    char buf[80];
    for (int round = 0; round < 20000; round++) {
        size_t run = next_rand(&seed) % 70, start = next_rand(&seed) % 4;
        memset(buf, 'x', sizeof buf);
        for (size_t i = start; i < start + run; i++)
            buf[i] = ws[next_rand(&seed) % 4];
        size_t n = next_rand(&seed) % (sizeof buf + 1), want = start;
        while (want < n && buf[want] != '\0' && strchr(" \t\n\r", buf[want]) != NULL)
            want++;
        size_t got = jscan_ws(buf, start, n);
        if (got != (start >= n ? start : want))
            fail_msg("round %d: run %zu from %zu, n %zu: jscan_ws %zu, want %zu", round, run, start,
                     n, got, start >= n ? start : want);
    }
}

static void
test_plain_string(void **state)
{
    (void)state;
    struct {
        const char *s;
        size_t end;
    } cases[] = {
        {"\"\"", 2},
        {"\"pxc-cluster-pxc-0\",", 19},
        {"\"a b/c:d\x7f\"", 10},
        {"\"a\\\"b\"", 0},      /* an escape */
        {"\"caf\xc3\xa9\"", 0}, /* UTF-8 */
        {"\"a\tb\"", 0},        /* a control character */
        {"\"abc", 0},           /* no end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (jscan_plain_string(cases[i].s, 0, strlen(cases[i].s)) != cases[i].end)
            fail_msg("case %zu %s: %zu, want %zu", i, cases[i].s,
                     jscan_plain_string(cases[i].s, 0, strlen(cases[i].s)), cases[i].end);
}

/* ---- jscan_strict ---- */

struct strict_case {
    const char *s;
    bool ok; /* jscan_strict accepts it (and jansson must too) */
};

static void
test_strict(void **state)
{
    (void)state;
    static const struct strict_case cases[] = {
        {"{}", true},
        {"[]", true},
        {" { \"a\" : [ 1 , -2.5e+10 , true , false , null , \"x\" ] } ", true},
        {"{\"a\":{\"b\":{\"c\":[[],{}]}}}", true},
        {"{\"\":0}", true},
        {"[-0, 0.0, 1E2, 123456789012345678]", true},
        {"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"]", true},
        {"[\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\x7f\"]", true},
        /* malformed: jansson refuses these too */
        {"{\"a\":1,}", false},
        {"[1,]", false},
        {"{\"a\" 1}", false},
        {"{a:1}", false},
        {"[01]", false},
        {"[1.]", false},
        {"[.5]", false},
        {"[-]", false},
        {"[1e]", false},
        {"[tru]", false},
        {"[truex]", false},
        {"[nul]", false},
        {"[\"a\tb\"]", false},
        {"[\"\\q\"]", false},
        {"[\"\\u12G4\"]", false},
        {"[\"\\u0000\"]", false},
        {"[\"\\udc00\"]", false},
        {"[\"\\ud800\"]", false},
        {"[\"\\ud800\\u0041\"]", false},
        {"[\"\xff\"]", false},
        {"[\"\xc0\xaf\"]", false},
        {"[\"\xed\xa0\x80\"]", false},
        {"[\"\xf4\x90\x80\x80\"]", false},
        {"[\"\xe2\x9c\"]", false},
        {"[1 2]", false},
        {"{\"a\":1}}", false},
        {"[", false},
        {"{\"a\":", false},
        /* valid, but beyond what jscan_strict judges: jansson's call */
        {"[1234567890123456789]", false},
        {"[1e123]", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *s = cases[i].s;
        size_t n = strlen(s), end = jscan_strict(s, 0, n, NULL);
        /* A value that ends before trailing bytes is not the whole text. */
        bool whole = end != 0 && jscan_ws(s, end, n) == n;
        if (whole != cases[i].ok)
            fail_msg("case %zu %s: jscan_strict %s it", i, s, whole ? "accepts" : "refuses");
        if (whole) {
            json_error_t je;
            json_t *j = json_loadb(s, n, 0, &je);
            if (j == NULL)
                fail_msg("case %zu %s: accepted, but jansson says %s", i, s, je.text);
            json_decref(j);
        }
    }
}

static void
test_strict_depth(void **state)
{
    (void)state;
    char buf[2 * (JSCAN_STRICT_MAX_DEPTH + 1) + 1];
    for (int d = JSCAN_STRICT_MAX_DEPTH; d <= JSCAN_STRICT_MAX_DEPTH + 1; d++) {
        memset(buf, '[', (size_t)d);
        memset(buf + d, ']', (size_t)d);
        size_t n = 2 * (size_t)d;
        assert_int_equal(jscan_strict(buf, 0, n, NULL), d <= JSCAN_STRICT_MAX_DEPTH ? n : 0);
    }
}

/* The members of the top object of s, walked with and without jscan_strict's ends, as
 * "key=value;" each. */
static void
walk(const char *s, const uint32_t *ends, char *out, size_t outn)
{
    size_t n = strlen(s), at = 0, v, ve, klen;
    const char *k;
    out[0] = '\0';
    while (jscan_member(s, n, ends, &at, &k, &klen, &v, &ve)) {
        size_t l = strlen(out);
        snprintf(out + l, outn - l, "%.*s=%.*s;", (int)klen, k, (int)(ve - v), s + v);
        if (s[v] == '[') {
            size_t at2 = v, e0, e1;
            while (jscan_elem(s, ve, ends, &at2, &e0, &e1)) {
                l = strlen(out);
                snprintf(out + l, outn - l, "<%.*s>", (int)(e1 - e0), s + e0);
            }
        }
    }
}

static void
test_members(void **state)
{
    (void)state;
    const char *s = "{ \"a\" : {\"x\":[1,{\"y\":\"]}\"}]} , \"b\":[ 1 , [2,3] , {} , \"s\\\"\" ],"
                    "\"c\\\"d\":null,\"e\":[],\"f\":-1.5e3 }";
    uint32_t *ends = calloc(strlen(s), sizeof *ends);
    assert_int_equal(jscan_strict(s, 0, strlen(s), ends), strlen(s));
    char with[512], without[512];
    walk(s, ends, with, sizeof with);
    walk(s, NULL, without, sizeof without);
    assert_string_equal(with, without);
    assert_string_equal(with,
                        "a={\"x\":[1,{\"y\":\"]}\"}]};b=[ 1 , [2,3] , {} , \"s\\\"\" ];<1><[2,3]>"
                        "<{}><\"s\\\"\">c\\\"d=null;e=[];f=-1.5e3;");
    free(ends);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_matches_bytewise),
        cmocka_unit_test(test_value_long_documents),
        cmocka_unit_test(test_ws_runs),
        cmocka_unit_test(test_plain_string),
        cmocka_unit_test(test_strict),
        cmocka_unit_test(test_strict_depth),
        cmocka_unit_test(test_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
