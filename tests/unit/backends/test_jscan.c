/* test_jscan: the JSON scanners (codec/jscan.c). jscan_value finds where a value ends 32 bytes
 * at a time; it must agree with the plain byte-by-byte reading below on every input and every
 * prefix of it (a LIST page arrives in pieces). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_matches_bytewise),
        cmocka_unit_test(test_value_long_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
