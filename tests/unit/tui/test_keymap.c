/* test_keymap: the key table is sound (no key twice in a scope, every row described,
 * every action named), lookups follow scope order and hide dangerous keys in read-only
 * mode, key names read as the help shows them, and the hints and Markdown come from
 * the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "keymap.h"
#include "wkey.h"

static void
test_no_duplicate_key_in_scope(void **state)
{
    for (size_t i = 0; i < keymap_count(); i++)
        for (size_t j = i + 1; j < keymap_count(); j++) {
            const struct keymap_row *a = keymap_at(i), *b = keymap_at(j);
            if (a->scope == b->scope && a->key == b->key) {
                char k[32];
                keymap_key_name(a->key, k, sizeof k);
                fail_msg("key %s twice in scope %s (rows %zu and %zu)", k,
                         keymap_scope_name(a->scope), i, j);
            }
        }
}

static void
test_every_row_described(void **state)
{
    for (size_t i = 0; i < keymap_count(); i++) {
        const struct keymap_row *r = keymap_at(i);
        assert_non_null(r->description);
        assert_true(strlen(r->description) >= 8);
        assert_true(r->action > KA_NONE && r->action < KA__COUNT);
        assert_true(r->scope >= 0 && r->scope < KS__COUNT);
        assert_string_not_equal(keymap_action_name(r->action), "?");
        /* An alias row repeats an action that has a non-alias row in the same scope. */
        if (r->flags & KEY_ALIAS) {
            bool primary = false;
            for (size_t j = 0; j < keymap_count(); j++) {
                const struct keymap_row *p = keymap_at(j);
                primary |=
                    p->scope == r->scope && p->action == r->action && !(p->flags & KEY_ALIAS);
            }
            assert_true(primary);
        }
    }
    assert_null(keymap_at(keymap_count()));
}

static void
test_lookup(void **state)
{
    const struct keymap_row *r = keymap_lookup(KS_GLOBAL, 'q', false);
    assert_non_null(r);
    assert_int_equal(r->action, KA_QUIT);
    assert_null(keymap_lookup(KS_GLOBAL, 'Z', false));
    r = keymap_lookup(KS_TABLE, WKEY(KEY_DOWN), false);
    assert_non_null(r);
    assert_int_equal(r->action, KA_DOWN);
    assert_int_equal(keymap_lookup(KS_TABLE, 'j', false)->action, KA_DOWN);
    /* Scope order: the most specific first; Esc in the help closes it, elsewhere backs out. */
    enum keymap_scope help[] = {KS_HELP, KS_GLOBAL};
    r = keymap_resolve(help, 2, KM_ESC, false);
    assert_int_equal(r->scope, KS_HELP);
    enum keymap_scope ov[] = {KS_OVERVIEW, KS_TABLE, KS_GLOBAL};
    assert_int_equal(keymap_resolve(ov, 3, ']', false)->action, KA_PAGE_NEXT);
    assert_int_equal(keymap_resolve(ov, 3, '/', false)->action, KA_FILTER);
    assert_int_equal(keymap_resolve(ov, 3, KM_TAB, false)->action, KA_FOCUS_NEXT);
    /* Without the table scope, / is not a key. */
    enum keymap_scope bare[] = {KS_OVERVIEW, KS_GLOBAL};
    assert_null(keymap_resolve(bare, 2, '/', false));
}

static void
test_dangerous_hidden_readonly(void **state)
{
    for (size_t i = 0; i < keymap_count(); i++) {
        const struct keymap_row *r = keymap_at(i);
        assert_true(keymap_visible(r, false));
        assert_int_equal(keymap_visible(r, true), !(r->flags & KEY_DANGEROUS));
        if (r->flags & KEY_DANGEROUS)
            assert_null(keymap_lookup(r->scope, r->key, true));
    }
    struct keymap_row fake = {KS_GLOBAL, 'x', KA_QUIT, "a dangerous one", KEY_DANGEROUS};
    assert_false(keymap_visible(&fake, true));
    assert_true(keymap_visible(&fake, false));
}

/* A reserved key (l: the logs pane to come) is bound in no scope, is found, and is
 * listed in the Markdown with what it is kept for. */
static void
test_reserved(void **state)
{
    assert_true(keymap_reserved_count() >= 1);
    const struct keymap_reserved *rs = keymap_reserved_find('l');
    assert_non_null(rs);
    assert_string_equal(rs->feature, "logs");
    assert_non_null(strstr(rs->message, "not available yet"));
    assert_null(keymap_reserved_find('q'));
    assert_null(keymap_reserved_at(keymap_reserved_count()));
    for (size_t k = 0; k < keymap_reserved_count(); k++)
        for (size_t i = 0; i < keymap_count(); i++)
            if (keymap_at(i)->key == keymap_reserved_at(k)->key)
                fail_msg("reserved key %c bound in scope %s (row %zu)", keymap_at(i)->key,
                         keymap_scope_name(keymap_at(i)->scope), i);
    struct strbuf sb;
    strbuf_init(&sb);
    keymap_markdown(&sb);
    assert_non_null(strstr(sb.s, "## Reserved"));
    assert_non_null(strstr(sb.s, "| l | logs |"));
    strbuf_fini(&sb);
}

static void
test_key_names(void **state)
{
    static const struct {
        int key;
        const char *name;
    } cases[] = {
        {'q', "q"},
        {KM_TAB, "Tab"},
        {WKEY(KEY_BTAB), "S-Tab"},
        {KM_ESC, "Esc"},
        {KM_ENTER, "Enter"},
        {WKEY(KEY_UP), "Up"},
        {WKEY(KEY_NPAGE), "PgDn"},
        {KM_CTRL('l'), "C-l"},
        {WKEY(KEY_F(5)), "F5"},
        {0x00e9, "\xc3\xa9"},
        {' ', "Space"},
        {'[', "["},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        keymap_key_name(cases[i].key, buf, sizeof buf);
        assert_string_equal(buf, cases[i].name);
    }
    char keys[64];
    keymap_keys_for(KS_TABLE, KA_DOWN, false, keys, sizeof keys);
    assert_string_equal(keys, "j/Down");
}

static void
test_hints_and_markdown(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    enum keymap_scope ov[] = {KS_OVERVIEW, KS_TABLE, KS_GLOBAL};
    keymap_hints(ov, 3, false, &sb);
    assert_non_null(strstr(sb.s, "/ filter"));
    assert_non_null(strstr(sb.s, "? help"));
    assert_non_null(strstr(sb.s, "q quit"));
    /* Most specific scope first: the overview's hint precedes the global ones. */
    assert_true(strstr(sb.s, "] next page") < strstr(sb.s, "q quit"));
    strbuf_reset(&sb);
    keymap_markdown(&sb);
    assert_non_null(strstr(sb.s, "# pxcmesh keys"));
    assert_non_null(strstr(sb.s, "| j/Down | down | Select the next row |"));
    /* Every non-alias row's description is in the document. */
    for (size_t i = 0; i < keymap_count(); i++)
        if (!(keymap_at(i)->flags & KEY_ALIAS))
            assert_non_null(strstr(sb.s, keymap_at(i)->description));
    strbuf_fini(&sb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_duplicate_key_in_scope),
        cmocka_unit_test(test_every_row_described),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_dangerous_hidden_readonly),
        cmocka_unit_test(test_reserved),
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_hints_and_markdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
