/* test_yamldocs: the multi-document reader of `apply -f` and the CRD schemas. A NUL byte
 * between documents is refused at its line and column (it used to end the input there,
 * silently); invalid UTF-8 and control characters are reported where they are, not at
 * 1:1 (yamlu, the single-document reader, says the same); files that are not files are
 * refused by their kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "codec/yamldocs.h"
#include "codec/yamlu.h"

static void
docs_err(const char *text, size_t len, const char *want)
{
    json_t *docs = NULL;
    struct pxerr err = {0};
    assert_int_equal(yamldocs_load_buf("m.yaml", text, len, &docs, &err), PXE_PARSE);
    assert_null(docs);
    assert_string_equal(err.msg, want);
}

static void
test_nul_between_documents(void **state)
{
    (void)state;
    static const char text[] = "a: 1\n---\0\nb: 2\n---\nc: 3\n";
    docs_err(text, sizeof text - 1,
             "m.yaml:2:4: a NUL byte; YAML is text (is this a binary file, or two files joined?)");
    /* The same text without the NUL: three documents. */
    static const char fine[] = "a: 1\n---\nb: 2\n---\nc: 3\n";
    json_t *docs = NULL;
    struct pxerr err = {0};
    assert_int_equal(yamldocs_load_buf("m.yaml", fine, sizeof fine - 1, &docs, &err), 0);
    assert_int_equal(json_array_size(docs), 3);
    json_decref(docs);
}

static void
test_reader_errors_have_their_position(void **state)
{
    (void)state;
    static const char utf8[] = "a: 1\nb: \"x\xff\"\n";
    docs_err(utf8, sizeof utf8 - 1,
             "m.yaml:2:6: invalid leading UTF-8 octet (byte 0xff): the file must be UTF-8");
    /* Columns count characters: the e-acute is one. */
    static const char wide[] = "a: 1\nb: \xc3\xa9\xff\n";
    docs_err(wide, sizeof wide - 1,
             "m.yaml:2:5: invalid leading UTF-8 octet (byte 0xff): the file must be UTF-8");
    static const char ctl[] = "a: 1\n\nb: x\x01y\n";
    docs_err(ctl, sizeof ctl - 1,
             "m.yaml:3:5: control character 0x01: YAML allows tab, CR and LF only");
    /* yamlu reads kubeconfigs and the config: the same positions. */
    struct yamlu_doc *d = NULL;
    struct pxerr err = {0};
    assert_int_equal(yamlu_load_buf("c.yaml", utf8, sizeof utf8 - 1, &d, &err), PXE_PARSE);
    assert_string_equal(err.msg,
                        "c.yaml:2:6: invalid leading UTF-8 octet (byte 0xff): the file must be UTF-8");
    assert_null(d);
}

static void
test_files_that_are_not_files(void **state)
{
    (void)state;
    json_t *docs = NULL;
    struct pxerr err = {0};
    assert_int_equal(yamldocs_load_file("/tmp", &docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "/tmp: not a regular file (a directory); give a file");
    assert_int_equal(yamldocs_load_file("/dev/zero", &docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "/dev/zero: not a regular file (a character device); give a file");
    assert_int_equal(yamldocs_load_file("/nonexistent/x.yaml", &docs, &err), PXE_NOTFOUND);
    assert_null(docs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nul_between_documents),
        cmocka_unit_test(test_reader_errors_have_their_position),
        cmocka_unit_test(test_files_that_are_not_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
