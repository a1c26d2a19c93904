/* test_wtext: display width and clipping of UTF-8 (wide CJK, combining marks, invalid
 * bytes, control characters), truncation with an ellipsis, padding, word wrap, drawing at a
 * window's edge; the glyph sets; and the pure layouts of the widgets that are mostly text:
 * frame (title/info placement) and sbar (message expiry and span priorities). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "strbuf.h"
#include "frame.h"
#include "glyph.h"
#include "sbar.h"
#include "theme.h"
#include "wtext.h"

struct dec_case {
    const char *s;
    size_t len, want_n;
    uint32_t want_cp;
};

static void
test_decode(void **state)
{
    static const struct dec_case cases[] = {
        {"a", 1, 1, 'a'},
        {"\xc3\xa9", 2, 2, 0xe9},
        {"\xe2\x82\xac", 3, 3, 0x20ac},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
        {"\xff", 1, 1, WTEXT_REPLACEMENT},
        {"\xc3", 1, 1, WTEXT_REPLACEMENT},             /* truncated */
        {"\xe2\x82", 2, 1, WTEXT_REPLACEMENT},         /* truncated */
        {"\xc0\xaf", 2, 1, WTEXT_REPLACEMENT},         /* overlong */
        {"\xe0\x80\xaf", 3, 1, WTEXT_REPLACEMENT},     /* overlong */
        {"\xed\xa0\x80", 3, 1, WTEXT_REPLACEMENT},     /* surrogate */
        {"\xf4\x90\x80\x80", 4, 1, WTEXT_REPLACEMENT}, /* > U+10FFFF */
        {"\xc3\x28", 2, 1, WTEXT_REPLACEMENT},         /* bad continuation */
        {"\x80", 1, 1, WTEXT_REPLACEMENT},             /* lone continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t cp = 0;
        size_t n = wtext_decode(cases[i].s, cases[i].len, &cp);
        if (n != cases[i].want_n || cp != cases[i].want_cp)
            fail_msg("case %zu: n %zu cp %x, want %zu %x", i, n, cp, cases[i].want_n,
                     cases[i].want_cp);
    }
    uint32_t cp;
    assert_int_equal(wtext_decode("", 0, &cp), 0);
}

struct width_case {
    const char *s;
    int utf8, ascii;
};

static void
test_width(void **state)
{
    static const struct width_case cases[] = {
        {"", 0, 0},
        {"abc", 3, 3},
        {"\xe6\x97\xa5\xe6\x9c\xac", 4, 2}, /* 日本: wide */
        {"e\xcc\x81", 1, 2},                /* e + combining acute */
        {"\x1b[31m", 5, 5},                 /* ESC shown as one replacement */
        {"a\xff\xfe", 3, 3},                /* each bad byte one column */
        {"\xe2\x94\x80\xe2\x96\xb6", 2, 2}, /* ─▶ */
        {"tab\there", 8, 8},                /* a tab is a control: one column */
        {"\xc2\x9b", 1, 1},                 /* C1 CSI */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int u = wtext_width(cases[i].s, false), a = wtext_width(cases[i].s, true);
        if (u != cases[i].utf8 || a != cases[i].ascii)
            fail_msg("case %zu '%s': %d/%d, want %d/%d", i, cases[i].s, u, a, cases[i].utf8,
                     cases[i].ascii);
    }
    assert_int_equal(wtext_width(NULL, false), 0);
    assert_int_equal(wtext_shown(0x1b, false), WTEXT_REPLACEMENT);
    assert_int_equal(wtext_shown(0x1b, true), '?');
    assert_int_equal(wtext_shown(0x65e5, true), '?');
    assert_int_equal(wtext_shown(0x65e5, false), 0x65e5);
}

struct trunc_case {
    const char *s;
    int cols;
    bool ascii;
    const char *want;
    int want_cols;
};

static void
test_trunc(void **state)
{
    static const struct trunc_case cases[] = {
        {"hello world", 5, false, "hell\xe2\x80\xa6", 5},
        {"hello world", 5, true, "hell~", 5},
        {"hello", 5, false, "hello", 5},
        {"hello", 9, false, "hello", 5},
        {"hello", 1, false, "\xe2\x80\xa6", 1},
        {"hello", 0, false, "", 0},
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, false, "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6",
         5}, /* 日本… */
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, false, "\xe6\x97\xa5\xe2\x80\xa6", 3},
        {"\xe6\x97\xa5\xe6\x9c\xac", 4, true, "??", 2},
        {"a\xff"
         "b",
         5, false,
         "a\xef\xbf\xbd"
         "b",
         3},
        {"a\xff"
         "b",
         5, true, "a?b", 3},
        {"\x1b]0;pwned\x07", 20, true, "?]0;pwned?", 10},
        {NULL, 3, false, "", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        int n = wtext_trunc(&sb, cases[i].s, cases[i].cols, cases[i].ascii);
        if (strcmp(sb.s, cases[i].want) != 0 || n != cases[i].want_cols)
            fail_msg("case %zu: '%s' (%d), want '%s' (%d)", i, sb.s, n, cases[i].want,
                     cases[i].want_cols);
        strbuf_fini(&sb);
    }
}

static void
test_pad(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    assert_int_equal(wtext_pad(&sb, "ab", 5, WTEXT_LEFT, false), 5);
    assert_string_equal(sb.s, "ab   ");
    strbuf_reset(&sb);
    wtext_pad(&sb, "ab", 5, WTEXT_RIGHT, false);
    assert_string_equal(sb.s, "   ab");
    strbuf_reset(&sb);
    wtext_pad(&sb, "ab", 5, WTEXT_CENTER, false);
    assert_string_equal(sb.s, " ab  ");
    strbuf_reset(&sb);
    /* A wide character that would straddle: ellipsis then one space, still 4 columns. */
    wtext_pad(&sb, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 4, WTEXT_LEFT, false);
    assert_string_equal(sb.s, "\xe6\x97\xa5\xe2\x80\xa6 ");
    assert_int_equal(wtext_width(sb.s, false), 4);
    strbuf_reset(&sb);
    assert_int_equal(wtext_pad(&sb, "x", 0, WTEXT_LEFT, false), 0);
    assert_string_equal(sb.s, "");
    strbuf_fini(&sb);
}

static void
test_fit_and_wrap(void **state)
{
    int used;
    const char *s = "a\xe6\x97\xa5"
                    "b"; /* a日b */
    assert_int_equal(wtext_fit(s, strlen(s), 2, false, &used), 1);
    assert_int_equal(used, 1);
    assert_int_equal(wtext_fit(s, strlen(s), 3, false, &used), 4);
    assert_int_equal(used, 3);

    const char *t = "the quick brown fox";
    size_t next, n = wtext_wrap(t, strlen(t), 10, false, &next);
    assert_int_equal(n, 9); /* "the quick" */
    assert_int_equal(next, 10);
    n = wtext_wrap(t + 10, strlen(t + 10), 10, false, &next);
    assert_int_equal(n, 9); /* "brown fox" */
    assert_int_equal(wtext_wrap_count(t, 10, false), 2);
    assert_int_equal(wtext_wrap_count("abcdefghijkl", 5, false), 3);
    assert_int_equal(wtext_wrap_count("", 5, false), 1);
    assert_int_equal(wtext_wrap_count("\xe6\x97\xa5", 1, false), 1); /* always progresses */

    assert_non_null(wtext_casestr("Pod-Running", "RUN"));
    assert_null(wtext_casestr("Pod", "x"));
    assert_null(wtext_casestr("Pod", ""));
}

static void
test_glyphs(void **state)
{
    struct glyphs u, a;
    glyphs_init(&u, false);
    glyphs_init(&a, true);
    assert_false(u.ascii);
    assert_true(a.ascii);
    for (int i = 0; i < G__COUNT; i++) {
        int want =
            i == G_LINK_RIGHT || i == G_LINK_LEFT || i == G_LINK_BOTH || i == G_LINK_BROKEN ? 3 : 1;
        assert_int_equal(wtext_width(a.s[i], true), want);
        assert_int_equal(wtext_width(u.s[i], false), want);
        for (const char *p = a.s[i]; *p; p++)
            assert_true((unsigned char)*p < 0x80);
    }
    assert_string_equal(glyph(&u, G_LINK_RIGHT), "\xe2\x94\x80\xe2\x94\x80\xe2\x96\xb6");
    assert_string_equal(glyph(&a, G_LINK_RIGHT), "-->");
    assert_string_equal(glyph_spark(&a, 0), ".");
    assert_string_equal(glyph_spark(&a, 7), "@");
    assert_string_equal(glyph_spark(&a, 9), "@");
    assert_string_equal(glyph_spark(&a, -1), " ");
    assert_string_equal(glyph_spark(&u, 3), "\xe2\x96\x84");
    assert_true(glyphs_locale_utf8());
    setlocale(LC_CTYPE, "C");
    assert_false(glyphs_locale_utf8());
    setlocale(LC_CTYPE, "C.UTF-8");
}

static void
test_frame_layout(void **state)
{
    struct frame_top t;
    frame_layout(30, "Pods", "3/12", false, &t);
    assert_int_equal(t.title_x, 2);
    assert_int_equal(t.title_w, 6);
    assert_int_equal(t.info_x, 22);
    assert_int_equal(t.info_w, 6);
    frame_layout(14, "Pods", "3/12", false, &t); /* room 10: title 6 + info 6 do not fit */
    assert_int_equal(t.title_w, 6);
    assert_int_equal(t.info_w, 0);
    frame_layout(8, "Replication channels", NULL, false, &t);
    assert_int_equal(t.title_w, 4);
    frame_layout(5, "Pods", NULL, false, &t);
    assert_int_equal(t.title_w, 0);
    frame_layout(30, NULL, "x", false, &t);
    assert_int_equal(t.title_w, 0);
    assert_int_equal(t.info_w, 3);
    int iy, ix, ih, iw;
    frame_inner(2, 3, 10, 20, &iy, &ix, &ih, &iw);
    assert_int_equal(iy, 3);
    assert_int_equal(ix, 4);
    assert_int_equal(ih, 8);
    assert_int_equal(iw, 18);
    int start, len;
    frame_thumb(10, 0, 5, 5, &start, &len); /* everything fits */
    assert_int_equal(len, 0);
    frame_thumb(10, 0, 10, 100, &start, &len);
    assert_int_equal(start, 0);
    assert_int_equal(len, 1);
    frame_thumb(10, 90, 10, 100, &start, &len); /* last page: at the bottom */
    assert_int_equal(start, 9);
    frame_thumb(10, 45, 10, 100, &start, &len);
    assert_int_equal(start, 5);
    frame_thumb(10, 10, 50, 100, &start, &len);
    assert_int_equal(len, 5);
    assert_int_equal(start, 1);
    frame_inner(0, 0, 1, 1, &iy, &ix, &ih, &iw);
    assert_int_equal(ih, 0);
    assert_int_equal(iw, 0);
}

static void
test_sbar(void **state)
{
    struct sbar *s = sbar_new();
    assert_null(sbar_msg_text(s, NULL));
    assert_int_equal(sbar_expires_at(s), 0);
    sbar_msg(s, SBAR_ERROR, 1000, 0, "cannot reach %s", "east");
    enum sbar_level lv;
    assert_string_equal(sbar_msg_text(s, &lv), "cannot reach east");
    assert_int_equal(lv, SBAR_ERROR);
    assert_int_equal(sbar_expires_at(s), 1000 + SBAR_TTL_ERROR_MS);
    assert_false(sbar_tick(s, 1000 + SBAR_TTL_ERROR_MS - 1));
    assert_true(sbar_tick(s, 1000 + SBAR_TTL_ERROR_MS));
    assert_null(sbar_msg_text(s, NULL));
    assert_false(sbar_tick(s, 99999));
    sbar_msg(s, SBAR_INFO, 0, 250, "saved");
    assert_int_equal(sbar_expires_at(s), 250);

    sbar_set_hints(s, (const struct sbar_hint[]){{"s", "stop"}, {"?", "help"}, {"q", "quit"}}, 3);
    sbar_set_clock(s, "08:41:07Z");
    struct sbar_span sp[SBAR_MAX_SPANS];
    size_t n = sbar_layout(s, 80, false, sp, SBAR_MAX_SPANS);
    /* message, 3 x (key, label), clock */
    assert_int_equal(n, 8);
    assert_int_equal(sp[0].x, 0);
    assert_int_equal(sp[0].elem, TH_SBAR_INFO);
    assert_string_equal(sp[1].text, "<s>");
    assert_int_equal(sp[1].elem, TH_SBAR_KEY);
    assert_string_equal(sp[2].text, "stop");
    assert_string_equal(sp[7].text, "08:41:07Z");
    assert_int_equal(sp[7].x + sp[7].w, 79); /* one blank at the right edge */
    /* Narrow: hints go first, from the end; the message stays whole. */
    sbar_msg(s, SBAR_WARN, 0, 0, "replica east/db-0 lag 120s");
    n = sbar_layout(s, 50, false, sp, SBAR_MAX_SPANS);
    assert_int_equal(sp[0].w, 28);
    assert_int_equal(sp[0].elem, TH_SBAR_WARN);
    assert_string_equal(sp[n - 1].text, "08:41:07Z");
    assert_int_equal(n, 4); /* message, <s> stop, clock */
    for (size_t i = 1; i < n; i++)
        assert_true(sp[i].x >= sp[i - 1].x + sp[i - 1].w);
    /* Very narrow: only the message, truncated to the width. */
    n = sbar_layout(s, 20, false, sp, SBAR_MAX_SPANS);
    assert_int_equal(n, 1);
    assert_int_equal(sp[0].w, 20);
    sbar_set_info(s, "REPLAY");
    sbar_clear_msg(s);
    n = sbar_layout(s, 80, false, sp, SBAR_MAX_SPANS);
    assert_string_equal(sp[n - 2].text, "REPLAY");
    assert_int_equal(sp[n - 2].elem, TH_SBAR_INFO);
    sbar_free(s);
    sbar_free(NULL);
}

static void
test_draw_clipped(void **state)
{
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr)
        skip();
    WINDOW *w = newwin(3, 10, 0, 0);
    /* Past the right edge: clipped to the window, never wrapped. */
    assert_int_equal(wtext_draw(w, 0, 6, 10, "abcdefgh", A_NORMAL, WTEXT_LEFT, true), 4);
    char line[32];
    mvwinnstr(w, 0, 0, line, 10);
    assert_string_equal(line, "      abc~");
    mvwinnstr(w, 1, 0, line, 10);
    assert_string_equal(line, "          ");
    assert_int_equal(wtext_print(w, 1, 0, 20, "\x1b[2J", A_BOLD, true), 4);
    mvwinnstr(w, 1, 0, line, 4);
    assert_string_equal(line, "?[2J");
    assert_true(mvwinch(w, 1, 0) & A_BOLD);
    assert_int_equal(wtext_print(w, 5, 0, 3, "x", 0, true), 0); /* off the window */
    assert_int_equal(wtext_print(w, 0, -1, 3, "x", 0, true), 0);

    struct theme *th = theme_new_builtin();
    theme_resolve(th, TH_MODE_MONO);
    struct glyphs g;
    glyphs_init(&g, true);
    werase(w);
    frame_draw(w, 0, 0, 3, 10, "Pods", NULL, true, th, &g);
    mvwinnstr(w, 0, 0, line, 10);
    assert_string_equal(line, "+- Pods -+");
    mvwinnstr(w, 2, 0, line, 10);
    assert_string_equal(line, "+--------+");
    theme_free(th);
    delwin(w);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
}

/* Random bytes: truncation never exceeds its width, reports what it wrote, and writes
 * only valid UTF-8 without control characters (nothing can reach the terminal raw). */
static void
test_random_bytes(void **state)
{
    uint32_t seed = 777;
    for (int iter = 0; iter < 2000; iter++) {
        char s[24];
        size_t len = (size_t)(iter % 23);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = (char)(seed >> 16);
            if (s[i] == 0)
                s[i] = 1;
        }
        s[len] = 0;
        bool ascii = iter % 2;
        int cols = iter % 9;
        struct strbuf sb;
        strbuf_init(&sb);
        int w = wtext_pad(&sb, s, cols, WTEXT_LEFT, ascii);
        assert_int_equal(w, cols);
        assert_int_equal(wtext_width(sb.s, ascii), cols);
        for (size_t i = 0; i < sb.len;) {
            uint32_t cp;
            size_t k = wtext_decode(sb.s + i, sb.len - i, &cp);
            assert_true(cp >= 0x20 && cp != 0x7f);
            if (cp == WTEXT_REPLACEMENT)
                assert_memory_equal(sb.s + i, "\xef\xbf\xbd", 3);
            i += k;
        }
        if (ascii)
            for (size_t i = 0; i < sb.len; i++)
                assert_true((unsigned char)sb.s[i] < 0x80);
        strbuf_fini(&sb);
    }
}

int
main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),       cmocka_unit_test(test_width),
        cmocka_unit_test(test_trunc),        cmocka_unit_test(test_pad),
        cmocka_unit_test(test_fit_and_wrap), cmocka_unit_test(test_glyphs),
        cmocka_unit_test(test_frame_layout), cmocka_unit_test(test_sbar),
        cmocka_unit_test(test_draw_clipped), cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
