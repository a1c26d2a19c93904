/* test_logring: the logs pane's ring. Lines split across writes come out whole; the line
 * and byte budgets drop the oldest lines and count them; an over-long line is cut and
 * marked; terminal escapes never survive, even split across two writes; notes are marked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "logring.h"
#include "strbuf.h"

static const char *
line(struct logring *r, size_t i)
{
    return logring_line(r, i, NULL, NULL, NULL);
}

static void
test_split_across_writes(void **state)
{
    (void)state;
    struct logring *r = logring_new(10, 1 << 20);
    logring_write(r, "first li", 8);
    assert_int_equal(logring_count(r), 0); /* no newline yet: nothing complete */
    logring_write(r, "ne\nsecond\r\nthi", 14);
    assert_int_equal(logring_count(r), 2);
    assert_string_equal(line(r, 0), "first line");
    assert_string_equal(line(r, 1), "second"); /* CRLF: the CR goes */
    logring_write(r, "rd", 2);
    logring_write(r, "\n\n", 2);
    assert_int_equal(logring_count(r), 4);
    assert_string_equal(line(r, 2), "third");
    assert_string_equal(line(r, 3), ""); /* an empty line is a line */
    logring_write(r, "no newline at the end", 21);
    logring_flush(r);
    assert_int_equal(logring_count(r), 5);
    assert_string_equal(line(r, 4), "no newline at the end");
    logring_flush(r); /* nothing waiting: no empty line */
    assert_int_equal(logring_count(r), 5);
    assert_int_equal(logring_seq(r), 5);
    assert_int_equal(logring_dropped(r), 0);
    logring_free(r);
}

static void
test_line_budget(void **state)
{
    (void)state;
    struct logring *r = logring_new(3, 1 << 20);
    char buf[32];
    for (int i = 1; i <= 10; i++) {
        int n = snprintf(buf, sizeof buf, "line %d\n", i);
        logring_write(r, buf, (size_t)n);
    }
    assert_int_equal(logring_count(r), 3);
    assert_int_equal(logring_dropped(r), 7);
    assert_int_equal(logring_seq(r), 10);
    assert_string_equal(line(r, 0), "line 8");
    assert_string_equal(line(r, 2), "line 10");
    assert_int_equal(logring_bytes(r), strlen("line 8line 9line 10"));
    logring_clear(r);
    assert_int_equal(logring_count(r), 0);
    assert_int_equal(logring_bytes(r), 0);
    assert_int_equal(logring_dropped(r), 7); /* clearing is not dropping */
    logring_free(r);
}

static void
test_byte_budget_and_long_line(void **state)
{
    (void)state;
    /* 3 lines of 3000 bytes do not fit in 8192 bytes: the oldest goes. */
    struct logring *r = logring_new(100, 8192);
    char big[3001];
    memset(big, 'x', 3000);
    big[3000] = '\n';
    for (int i = 0; i < 3; i++)
        logring_write(r, big, sizeof big);
    assert_int_equal(logring_count(r), 2);
    assert_int_equal(logring_dropped(r), 1);
    assert_true(logring_bytes(r) <= 8192);
    /* A line of 10,000 bytes, in pieces, is kept cut at LOGRING_LINE_MAX and marked. */
    logring_clear(r);
    for (int i = 0; i < 10; i++)
        logring_write(r, big, 1000);
    logring_write(r, "\nafter\n", 7);
    assert_int_equal(logring_count(r), 2);
    size_t len;
    bool cut;
    logring_line(r, 0, &len, &cut, NULL);
    assert_int_equal(len, LOGRING_LINE_MAX);
    assert_true(cut);
    logring_line(r, 1, &len, &cut, NULL);
    assert_int_equal(len, 5);
    assert_false(cut);
    logring_free(r);
}

static void
test_escapes_neutralised(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"\x1b[31mred\x1b[0m plain", "red plain"}, /* SGR */
        {"a\x1b[2J\x1b[Hb", "ab"},                 /* clear screen, home */
        {"\x1b]0;owned title\x07text", "text"},    /* OSC title, BEL */
        {"\x1b]52;c;cGF3bmVk\x1b\\copy", "copy"},  /* OSC 52 clipboard, ST */
        {"\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"},  /* DCS */
        {"\x1b"
         "c reset",
         " reset"},                                          /* RIS */
        {"bell\a back\b nul", "bell? back? nul"},            /* C0 controls */
        {"tab\tto 8\t\tx", "tab     to 8            x"},     /* tabs: columns of 8 */
        {"\xc3\xa9t\xc3\xa9\tx", "\xc3\xa9t\xc3\xa9     x"}, /* counted in characters */
        {"c1 \xc2\x9b"
         "31m",
         "c1 ?31m"},                                              /* C1 CSI as UTF-8 */
        {"caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93"}, /* UTF-8 stays */
        {"del\x7f", "del?"},
        {"cut at the end \x1b[3", "cut at the end "}, /* an unfinished CSI */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        logring_clean(cases[i].in, strlen(cases[i].in), &sb);
        assert_string_equal(sb.s, cases[i].out);
        strbuf_fini(&sb);
    }
    /* An escape split across two writes is removed as a whole: lines are cleaned once
     * complete, never piece by piece. */
    struct logring *r = logring_new(10, 1 << 20);
    logring_write(r, "x\x1b[", 3);
    logring_write(r, "1;31my\n", 7);
    assert_string_equal(line(r, 0), "xy");
    for (size_t i = 0; i < logring_count(r); i++)
        assert_null(strchr(line(r, i), 0x1b));
    logring_free(r);
}

static void
test_notes(void **state)
{
    (void)state;
    struct logring *r = logring_new(10, 1 << 20);
    logring_write(r, "partial", 7);
    logring_note(r, "stream ended \x1b[1mby the server");
    assert_int_equal(logring_count(r), 2);
    bool note;
    assert_string_equal(logring_line(r, 0, NULL, NULL, &note), "partial");
    assert_false(note);
    assert_string_equal(logring_line(r, 1, NULL, NULL, &note), "stream ended by the server");
    assert_true(note);
    logring_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_across_writes),
        cmocka_unit_test(test_line_budget),
        cmocka_unit_test(test_byte_budget_and_long_line),
        cmocka_unit_test(test_escapes_neutralised),
        cmocka_unit_test(test_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
