/* test_textv: wrapping (at blanks, inside long words, wide characters), clipping with
 * horizontal scroll, tab expansion, scrolling keys, search (next/previous, wrap-around),
 * the YAML line tokenizer (table of lines and their expected spans) including block
 * scalars, and a draw with a highlighted match on /dev/null. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "strbuf.h"
#include "glyph.h"
#include "textv.h"
#include "theme.h"
#include "wkey.h"

static void
assert_vline(struct textv *t, size_t i, const char *want)
{
    struct strbuf sb;
    strbuf_init(&sb);
    textv_vline_text(t, i, &sb);
    if (strcmp(sb.s, want) != 0)
        fail_msg("vline %zu is '%s', want '%s'", i, sb.s, want);
    strbuf_fini(&sb);
}

static void
test_wrap(void **state)
{
    struct textv *t = textv_new();
    assert_true(textv_wrap(t));
    textv_set_size(t, 5, 10);
    textv_set_text(t,
                   "the quick brown fox jumps\n\nabcdefghijklmnopqrstuvwxyz\n"
                   "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                   TH_TEXT);
    assert_int_equal(textv_n_lines(t), 4);
    assert_int_equal(textv_n_vlines(t), 3 + 1 + 3 + 2);
    assert_vline(t, 0, "the quick ");
    assert_vline(t, 1, "brown fox ");
    assert_vline(t, 2, "jumps");
    assert_vline(t, 3, "");
    assert_vline(t, 4, "abcdefghij");
    assert_vline(t, 6, "uvwxyz");
    assert_vline(t, 7,
                 "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac"); /* 10 cols */
    /* Resize re-wraps. */
    textv_set_size(t, 5, 40);
    assert_int_equal(textv_n_vlines(t), 4);
    /* No wrap: one visual line per line. */
    textv_set_size(t, 5, 10);
    textv_set_wrap(t, false);
    assert_false(textv_wrap(t));
    assert_int_equal(textv_n_vlines(t), 4);
    assert_vline(t, 0, "the quick brown fox jumps");
    assert_true(textv_key(t, WKEY(KEY_RIGHT)));
    assert_int_equal(textv_left(t), 8);
    assert_true(textv_key(t, WKEY(KEY_LEFT)));
    assert_int_equal(textv_left(t), 0);
    textv_set_wrap(t, true);
    assert_false(textv_key(t, WKEY(KEY_RIGHT))); /* no horizontal scroll when wrapping */
    /* Tabs expand to multiples of 8; trailing newline makes no extra line. */
    textv_set_text(t, "a\tb\n\tc\n", TH_TEXT);
    assert_int_equal(textv_n_lines(t), 2);
    struct strbuf sb;
    strbuf_init(&sb);
    textv_line_text(t, 0, &sb);
    assert_string_equal(sb.s, "a       b");
    strbuf_fini(&sb);
    textv_free(t);
    textv_free(NULL);
}

static void
test_scroll_and_search(void **state)
{
    struct textv *t = textv_new();
    textv_set_size(t, 10, 40);
    textv_clear(t);
    for (int i = 0; i < 100; i++) {
        char b[64];
        snprintf(b, sizeof b, i == 20 || i == 75 ? "line %d ERROR here" : "line %d", i);
        textv_add_line(t, b, TH_TEXT);
    }
    assert_int_equal(textv_n_vlines(t), 100);
    assert_true(textv_key(t, WKEY(KEY_DOWN)));
    assert_int_equal(textv_top(t), 1);
    assert_true(textv_key(t, WKEY(KEY_NPAGE)));
    assert_int_equal(textv_top(t), 10);
    assert_true(textv_key(t, WKEY(KEY_END)));
    assert_int_equal(textv_top(t), 90); /* the last page is full */
    assert_true(textv_key(t, WKEY(KEY_DOWN)));
    assert_int_equal(textv_top(t), 90);
    assert_true(textv_key(t, WKEY(KEY_PPAGE)));
    assert_int_equal(textv_top(t), 81);
    assert_true(textv_key(t, WKEY(KEY_HOME)));
    assert_int_equal(textv_top(t), 0);
    assert_false(textv_key(t, 'w'));

    assert_false(textv_search_next(t, 1)); /* no search set */
    textv_set_search(t, "error");
    assert_int_equal(textv_n_matches(t), 2);
    assert_true(textv_search_next(t, 1));
    assert_int_equal(textv_top(t), 19); /* one line of context above */
    assert_true(textv_search_next(t, 1));
    assert_int_equal(textv_top(t), 74);
    assert_true(textv_search_next(t, 1)); /* wraps to the first */
    assert_int_equal(textv_top(t), 19);
    assert_true(textv_search_next(t, -1)); /* backwards wraps to the last */
    assert_int_equal(textv_top(t), 74);
    textv_set_search(t, "nowhere");
    assert_false(textv_search_next(t, 1));
    assert_int_equal(textv_n_matches(t), 0);
    textv_set_search(t, NULL);
    assert_int_equal(textv_n_matches(t), 0);
    /* Content replaced: the position is clamped. */
    textv_set_text(t, "one\ntwo", TH_TEXT);
    assert_int_equal(textv_n_vlines(t), 2);
    assert_int_equal(textv_top(t), 0);
    textv_free(t);
}

/* ---- YAML ---- */

struct exp_span {
    const char *text;
    enum th_elem elem;
};

struct yaml_case {
    const char *line;
    struct exp_span want[12];
};

#define K TH_YAML_KEY
#define P TH_YAML_PUNCT
#define S TH_YAML_STRING
#define N TH_YAML_NUMBER
#define B TH_YAML_BOOL
#define C TH_YAML_COMMENT
#define T TH_TEXT

static const struct yaml_case yaml_cases[] = {
    {"apiVersion: v1", {{"apiVersion", K}, {":", P}, {" ", T}, {"v1", S}}},
    {"  replicas: 3", {{"  ", T}, {"replicas", K}, {":", P}, {" ", T}, {"3", N}}},
    {"- name: db  # primary",
     {{"-", P}, {" ", T}, {"name", K}, {":", P}, {" ", T}, {"db", S}, {"  ", T}, {"# primary", C}}},
    {"enabled: true", {{"enabled", K}, {":", P}, {" ", T}, {"true", B}}},
    {"x: ~", {{"x", K}, {":", P}, {" ", T}, {"~", B}}},
    {"msg: \"a: b # no\"", {{"msg", K}, {":", P}, {" ", T}, {"\"a: b # no\"", S}}},
    {"# a comment", {{"# a comment", C}}},
    {"---", {{"---", P}}},
    {"ports: [3306, 33060]",
     {{"ports", K},
      {":", P},
      {" ", T},
      {"[", P},
      {"3306", N},
      {",", P},
      {" ", T},
      {"33060", N},
      {"]", P}}},
    {"script: |-", {{"script", K}, {":", P}, {" ", T}, {"|-", P}}},
    {"url: http://x:80/a", {{"url", K}, {":", P}, {" ", T}, {"http://x:80/a", S}}},
    {"  - 10.0.0.1", {{"  ", T}, {"-", P}, {" ", T}, {"10.0.0.1", S}}},
    {"a: &anc value", {{"a", K}, {":", P}, {" ", T}, {"&anc", P}, {" ", T}, {"value", S}}},
    {"n: -5.5e3", {{"n", K}, {":", P}, {" ", T}, {"-5.5e3", N}}},
    {"h: 0x1F", {{"h", K}, {":", P}, {" ", T}, {"0x1F", N}}},
    {"'quoted key': 'it''s'", {{"'quoted key'", K}, {":", P}, {" ", T}, {"'it''s'", S}}},
    {"m: {a: 1}",
     {{"m", K}, {":", P}, {" ", T}, {"{", P}, {"a", S}, {":", P}, {" ", T}, {"1", N}, {"}", P}}},
    {"no colon here", {{"no colon here", S}}},
    {"key:", {{"key", K}, {":", P}}},
    {"", {{NULL, T}}},
};

static void
test_yaml_tokens(void **state)
{
    for (size_t i = 0; i < sizeof yaml_cases / sizeof yaml_cases[0]; i++) {
        const struct yaml_case *c = &yaml_cases[i];
        struct textv_span sp[32];
        size_t n = textv_yaml_line(c->line, strlen(c->line), sp, 32);
        size_t want_n = 0;
        while (want_n < 12 && c->want[want_n].text)
            want_n++;
        size_t covered = 0;
        for (size_t k = 0; k < n && k < want_n; k++) {
            if (sp[k].len != strlen(c->want[k].text) ||
                strncmp(sp[k].text, c->want[k].text, sp[k].len) != 0 ||
                sp[k].elem != c->want[k].elem)
                fail_msg("'%s' span %zu: '%.*s' elem %d, want '%s' elem %d", c->line, k,
                         (int)sp[k].len, sp[k].text, sp[k].elem, c->want[k].text, c->want[k].elem);
        }
        if (n != want_n)
            fail_msg("'%s': %zu spans, want %zu", c->line, n, want_n);
        for (size_t k = 0; k < n; k++)
            covered += sp[k].len;
        assert_int_equal(covered, strlen(c->line)); /* spans cover the whole line */
    }
    /* A full span array absorbs the rest of the line into its last span. */
    struct textv_span sp[2];
    const char *l = "key: value # c";
    assert_int_equal(textv_yaml_line(l, strlen(l), sp, 2), 2);
    assert_int_equal(sp[0].len + sp[1].len, strlen(l));
    assert_int_equal(textv_yaml_line(l, strlen(l), sp, 0), 0);
}

static void
test_yaml_block_scalar(void **state)
{
    struct textv *t = textv_new();
    textv_set_yaml(t, "script: |\n  foo: bar\n\n  echo hi\nnext: 1\n");
    assert_int_equal(textv_n_lines(t), 5);
    textv_set_size(t, 10, 80);
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr) {
        textv_free(t);
        skip();
    }
    struct theme *th = theme_new_builtin();
    theme_resolve(th, TH_MODE_256);
    struct glyphs g;
    glyphs_init(&g, false);
    WINDOW *w = newwin(6, 20, 0, 0);
    textv_set_search(t, "ECHO");
    textv_draw(t, w, 0, 0, 6, 20, th, &g);
    char line[32];
    mvwinnstr(w, 1, 0, line, 20);
    assert_string_equal(line, "  foo: bar          ");
    /* Inside the block scalar "foo" is text, not a key. */
    assert_int_equal(PAIR_NUMBER(mvwinch(w, 1, 2)), theme_pair(th, TH_YAML_STRING));
    assert_int_equal(PAIR_NUMBER(mvwinch(w, 4, 0)), theme_pair(th, TH_YAML_KEY));
    assert_int_equal(PAIR_NUMBER(mvwinch(w, 4, 6)), theme_pair(th, TH_YAML_NUMBER));
    /* The match is highlighted, the rest of its line is not. */
    assert_int_equal(PAIR_NUMBER(mvwinch(w, 3, 2)), theme_pair(th, TH_TEXT_MATCH));
    assert_int_equal(PAIR_NUMBER(mvwinch(w, 3, 5)), theme_pair(th, TH_TEXT_MATCH));
    assert_int_equal(PAIR_NUMBER(mvwinch(w, 3, 7)), theme_pair(th, TH_YAML_STRING));
    delwin(w);
    theme_free(th);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
    textv_free(t);
}

/* Random YAML-ish lines: the spans are in order, contiguous and cover the line. */
static void
test_yaml_random(void **state)
{
    static const char alphabet[] = ": -#'\"[]{},|>&*ab12.\t~";
    uint32_t seed = 4242;
    for (int iter = 0; iter < 2000; iter++) {
        char line[32];
        size_t len = (size_t)(iter % 31);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            line[i] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        line[len] = 0;
        struct textv_span sp[8];
        size_t n = textv_yaml_line(line, len, sp, 8);
        const char *p = line;
        for (size_t k = 0; k < n; k++) {
            assert_ptr_equal(sp[k].text, p);
            assert_true(sp[k].len > 0);
            p += sp[k].len;
        }
        assert_ptr_equal(p, line + len);
    }
}

int
main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap),        cmocka_unit_test(test_scroll_and_search),
        cmocka_unit_test(test_yaml_tokens), cmocka_unit_test(test_yaml_block_scalar),
        cmocka_unit_test(test_yaml_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
