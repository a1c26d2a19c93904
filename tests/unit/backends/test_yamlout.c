/* test_yamlout: the YAML writer's forms for the values that used to come back different
 * (a block scalar whose first line starts with spaces, trailing newlines, CR and other
 * control characters, reals that read back as integers, empty documents, keys too long
 * for an implicit key), each read back by yamlu and yamldocs; and the same values, the
 * fuzz target's seed corpus and the golden manifests read by PyYAML, an independent
 * reader (python3-yaml, scripts/deps.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "strbuf.h"
#include "codec/yamldocs.h"
#include "codec/yamlout.h"
#include "codec/yamlu.h"

extern char **environ;

static json_t *
js(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (v == NULL)
        fail_msg("bad JSON in the test: %s: %s", text, je.text);
    return v;
}

/* yamlout_yaml(v) is exactly want, and both readers give v back. */
static void
check(const char *json, const char *want)
{
    json_t *v = js(json);
    struct strbuf y;
    strbuf_init(&y);
    yamlout_yaml(v, &y);
    if (want != NULL && strcmp(y.s, want) != 0)
        fail_msg("%s\nwritten as:\n%s\nwant:\n%s", json, y.s, want);
    struct pxerr err = {0};
    struct yamlu_doc *d = NULL;
    if (yamlu_load_buf("t", y.s, y.len, &d, &err) != 0)
        fail_msg("%s: yamlu cannot read\n%s\n%s", json, y.s, err.msg);
    if (!json_equal(d->root, v))
        fail_msg("%s: yamlu reads a different value from\n%s", json, y.s);
    yamlu_free(d);
    json_t *docs = NULL;
    if (yamldocs_load_buf("t", y.s, y.len, &docs, &err) != 0)
        fail_msg("%s: yamldocs cannot read\n%s\n%s", json, y.s, err.msg);
    if (!json_is_null(v) && !json_equal(json_array_get(docs, 0), v))
        fail_msg("%s: yamldocs reads a different value from\n%s", json, y.s);
    json_decref(docs);
    strbuf_fini(&y);
    json_decref(v);
}

static void
test_block_scalars(void **state)
{
    (void)state;
    /* A first line that starts with spaces needs the indentation indicator. */
    check("{\"a\": \"  x\\ny\\n\"}", "a: |2\n    x\n  y\n");
    check("[\"  x\\ny\"]", "- |2-\n    x\n  y\n");
    check("\"  top\\nlevel\\n\"", "|2\n    top\n  level\n");
    /* Trailing newlines kept exactly: none, one, several. */
    check("{\"a\": \"x\\ny\"}", "a: |-\n  x\n  y\n");
    check("{\"a\": \"x\\ny\\n\"}", "a: |\n  x\n  y\n");
    check("{\"a\": \"x\\n\\n\\n\"}", "a: |+\n  x\n\n\n");
    check("{\"a\": \"\\n\\nx\"}", "a: |-\n\n\n  x\n");
    /* Only newlines: a literal would read back empty. */
    check("{\"a\": \"\\n\\n\"}", "a: \"\\n\\n\"\n");
}

static void
test_quoting(void **state)
{
    (void)state;
    /* CR and control characters: double-quoted with escapes, never raw. */
    check("{\"a\": \"x\\r\\ny\\r\\n\"}", "a: \"x\\r\\ny\\r\\n\"\n");
    check("{\"a\": \"\\u001b[31m\\u007f\"}", "a: \"\\x1b[31m\\x7f\"\n");
    check("{\"a\": \"n\\u0085l\\u2028p\\u2029\\ufeff\"}", "a: \"n\\x85l\\u2028p\\u2029\\ufeff\"\n");
    check("{\"a\": \"nul\\u0000byte\"}", "a: \"nul\\0byte\"\n");
    check("{\"a\": \"tab\\there\"}", "a: \"tab\\there\"\n");
    /* What YAML 1.1 readers (PyYAML) would take for numbers, dates, merges. */
    check("[\"1:20\", \"2001-12-14\", \"0b101\", \".inf\", \"+1\", \"<<\", \"=\", \"yes\"]",
          "- \"1:20\"\n- \"2001-12-14\"\n- \"0b101\"\n- \".inf\"\n- \"+1\"\n- \"<<\"\n- \"=\"\n"
          "- \"yes\"\n");
    check("{\"<<\": 1, \"a\\nb\": 2}", "\"<<\": 1\n\"a\\nb\": 2\n");
    check("[\"0xabc\", \"1G\", \"600m\", \"2001-12-14 21:59:43.10 -5\", \"1.13.0\"]",
          "- \"0xabc\"\n- 1G\n- 600m\n- \"2001-12-14 21:59:43.10 -5\"\n- \"1.13.0\"\n");
    /* Printable text stays plain. */
    check("{\"a\": \"\\u00e9t\\u00e9 \\ud83d\\udca5\"}", "a: \u00e9t\u00e9 \U0001F4A5\n");
}

static void
test_numbers_and_empties(void **state)
{
    (void)state;
    check("[1.0, 100.0, 1e22, 0.1, -0.5, 1.5e-07, 9223372036854775807]",
          "- 1.0\n- 100.0\n- 1.0e+22\n- 0.1\n- -0.5\n- 1.5e-07\n- 9223372036854775807\n");
    check("{}", "{}\n");
    check("[]", "[]\n");
    check("{\"a\": {}, \"b\": [], \"c\": [{}, []]}", "a: {}\nb: []\nc:\n- {}\n- []\n");
}

static void
test_long_keys(void **state)
{
    (void)state;
    char key[1200], json[2600];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    snprintf(json, sizeof json, "{\"%s\": {\"x\": [1]}, \"l\": [{\"%s\": [2]}]}", key, key);
    check(json, NULL);
    json_t *v = js(json);
    struct strbuf y;
    strbuf_init(&y);
    yamlout_yaml(v, &y);
    assert_non_null(strstr(y.s, "? kkk"));
    strbuf_fini(&y);
    json_decref(v);
}

/* ---- PyYAML, when installed ---- */

static const char pycheck[] =
    "import json, sys\n"
    "try:\n"
    "    import yaml\n"
    "except ImportError:\n"
    "    sys.exit(77)\n"
    "def same(a, b, path):\n"
    "    if type(a) is not type(b):\n"
    "        return path + ': %r is not %r' % (a, b)\n"
    "    if isinstance(a, dict):\n"
    "        if list(a) != list(b) and sorted(a) != sorted(b):\n"
    "            return path + ': keys %r, want %r' % (sorted(a), sorted(b))\n"
    "        for k in a:\n"
    "            r = same(a[k], b[k], path + '.' + k[:40])\n"
    "            if r: return r\n"
    "        return None\n"
    "    if isinstance(a, list):\n"
    "        if len(a) != len(b): return path + ': %d items, want %d' % (len(a), len(b))\n"
    "        for i, (x, y) in enumerate(zip(a, b)):\n"
    "            r = same(x, y, '%s[%d]' % (path, i))\n"
    "            if r: return r\n"
    "        return None\n"
    "    return None if a == b else path + ': %r, want %r' % (a, b)\n"
    "got = list(yaml.load_all(open(sys.argv[1], encoding='utf-8'), Loader=yaml.SafeLoader))\n"
    "want = json.load(open(sys.argv[2], encoding='utf-8'))\n"
    "r = same(got, want, 'doc')\n"
    "if r:\n"
    "    print('PyYAML reads back differently: ' + r)\n"
    "    sys.exit(1)\n";

static void
add_file(json_t *values, const char *path)
{
    json_error_t je;
    json_t *v = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (v == NULL)
        fail_msg("%s: %s", path, je.text);
    json_array_append_new(values, v);
}

static void
test_pyyaml(void **state)
{
    (void)state;
    json_t *values = json_array();
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/yaml_roundtrip", PXC_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        add_file(values, path);
    }
    closedir(d);
    /* The golden manifests, as pxcmesh reads them. */
    snprintf(dir, sizeof dir, "%s/tests/golden", PXC_SOURCE_DIR);
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".yaml") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        json_t *docs = NULL;
        struct pxerr err = {0};
        if (yamldocs_load_file(path, &docs, &err) != 0)
            fail_msg("%s", err.msg);
        size_t i;
        json_t *x;
        json_array_foreach(docs, i, x) json_array_append(values, x);
        json_decref(docs);
    }
    closedir(d);
    assert_true(json_array_size(values) > 20);

    char tmp[] = "/tmp/pxtyamlout.XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char ypath[64], jpath[64];
    snprintf(ypath, sizeof ypath, "%s/v.yaml", tmp);
    snprintf(jpath, sizeof jpath, "%s/v.json", tmp);
    struct strbuf y;
    strbuf_init(&y);
    yamlout_docs(values, YAMLOUT_YAML, &y);
    FILE *f = fopen(ypath, "w");
    assert_non_null(f);
    fwrite(y.s, 1, y.len, f);
    fclose(f);
    strbuf_fini(&y);
    assert_int_equal(json_dump_file(values, jpath, JSON_ENCODE_ANY), 0);
    json_decref(values);

    char *argv[] = {"python3", "-c", (char *)pycheck, ypath, jpath, NULL};
    pid_t pid;
    int status = -1;
    bool ran = posix_spawnp(&pid, "python3", NULL, NULL, argv, environ) == 0 &&
               waitpid(pid, &status, 0) == pid;
    unlink(ypath);
    unlink(jpath);
    rmdir(tmp);
    if (!ran || (WIFEXITED(status) && (WEXITSTATUS(status) == 77 || WEXITSTATUS(status) == 127))) {
        fprintf(stderr, "python3 with PyYAML is not installed (scripts/deps.sh): skipped\n");
        skip();
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_scalars),
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_numbers_and_empties),
        cmocka_unit_test(test_long_keys),
        cmocka_unit_test(test_pyyaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
