/* test_base: the containers and helpers everything else stands on: strbuf, vec (stable
 * sort), hmap (delete, tombstones, growth), intern, clock (RFC 3339, ages), pxerr, file
 * (bounded reads that refuse FIFOs, devices and directories; streams for the command
 * line's inputs), sha1 (FIPS 180 vectors and the RFC 6455 handshake example). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base64.h"
#include "clock.h"
#include "file.h"
#include "hmap.h"
#include "intern.h"
#include "path.h"
#include "pxerr.h"
#include "sha1.h"
#include "strbuf.h"
#include "vec.h"
#include "xmalloc.h"

/* ---- strbuf ---- */

static void
test_strbuf(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    assert_string_equal(sb.s, "");
    assert_int_equal(sb.len, 0);
    strbuf_append(&sb, "pxc");
    strbuf_appendc(&sb, '-');
    strbuf_appendn(&sb, "cluster-b.global", 7);
    strbuf_appendf(&sb, ":%d", 3306);
    assert_string_equal(sb.s, "pxc-cluster:3306");
    assert_int_equal(sb.len, strlen(sb.s));
    strbuf_appendf(&sb, "%s", ""); /* empty format output: no change */
    assert_int_equal(sb.len, 16);
    /* Growth across many doublings keeps the content. */
    for (int i = 0; i < 1000; i++)
        strbuf_appendf(&sb, "%04d", i);
    assert_int_equal(sb.len, 16 + 4000);
    assert_memory_equal(sb.s + 16 + 4 * 999, "0999", 4);
    assert_int_equal(sb.s[sb.len], '\0');
    /* consume: a stream buffer's processed prefix. */
    strbuf_consume(&sb, 12);
    assert_memory_equal(sb.s, "3306", 4);
    assert_int_equal(sb.len, 4004);
    strbuf_consume(&sb, 100000);
    assert_string_equal(sb.s, "");
    assert_int_equal(sb.len, 0);
    strbuf_append(&sb, "again");
    strbuf_reset(&sb);
    assert_string_equal(sb.s, "");
    strbuf_append(&sb, "owned");
    char *s = strbuf_detach(&sb);
    assert_string_equal(s, "owned");
    assert_string_equal(sb.s, ""); /* reusable */
    strbuf_append(&sb, "x");
    assert_string_equal(sb.s, "x");
    free(s);
    strbuf_fini(&sb);
    assert_string_equal(sb.s, ""); /* still valid after fini: empty, owning nothing */
    assert_int_equal(sb.len, 0);
    s = strbuf_detach(&sb); /* never written: an owned "" all the same */
    assert_string_equal(s, "");
    free(s);
    strbuf_reset(&sb);
    strbuf_consume(&sb, 3);
    assert_string_equal(sb.s, "");
    strbuf_fini(&sb);
}

/* ---- vec ---- */

struct item {
    int key;
    int seq;
};

static int freed;

static void
item_free(void *p)
{
    freed++;
    free(p);
}

static int
cmp_key(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static struct item *
item(int key, int seq)
{
    struct item *it = xmalloc(sizeof *it);
    it->key = key;
    it->seq = seq;
    return it;
}

static void
test_vec_ownership(void **state)
{
    struct vec v;
    freed = 0;
    vec_init(&v, item_free);
    for (int i = 0; i < 20; i++)
        vec_push(&v, item(i, i));
    assert_int_equal(v.n, 20);
    vec_insert(&v, 0, item(-1, -1));
    vec_insert(&v, 21, item(99, 99));
    vec_insert(&v, 5, item(50, 50));
    assert_int_equal(((struct item *)vec_at(&v, 0))->key, -1);
    assert_int_equal(((struct item *)vec_at(&v, 5))->key, 50);
    assert_int_equal(((struct item *)vec_at(&v, 6))->key, 4);
    assert_int_equal(((struct item *)vec_at(&v, 22))->key, 99);
    struct item *t = vec_take(&v, 5); /* handed back, not freed */
    assert_int_equal(t->key, 50);
    assert_int_equal(freed, 0);
    free(t);
    vec_remove(&v, 0); /* freed */
    assert_int_equal(freed, 1);
    assert_int_equal(((struct item *)vec_at(&v, 0))->key, 0);
    assert_int_equal(v.n, 21);
    vec_clear(&v);
    assert_int_equal(freed, 22);
    assert_int_equal(v.n, 0);
    vec_push(&v, item(1, 1));
    vec_fini(&v);
    assert_int_equal(freed, 23);

    /* Borrowing vec: never frees. */
    struct item stack_items[3] = {{1, 0}, {2, 0}, {3, 0}};
    vec_init(&v, NULL);
    for (int i = 0; i < 3; i++)
        vec_push(&v, &stack_items[i]);
    vec_remove(&v, 1);
    vec_fini(&v);
    assert_int_equal(freed, 23);
}

static void
test_vec_sort_stable(void **state)
{
    struct vec v;
    vec_init(&v, free);
    vec_sort(&v, cmp_key); /* empty: fine */
    /* 1000 items with only 7 distinct keys: equal keys must keep insertion order. */
    unsigned r = 12345;
    for (int i = 0; i < 1000; i++) {
        r = r * 1103515245u + 12345u;
        vec_push(&v, item((int)((r >> 16) % 7), i));
    }
    vec_sort(&v, cmp_key);
    for (size_t i = 1; i < v.n; i++) {
        struct item *a = v.items[i - 1], *b = v.items[i];
        assert_true(a->key <= b->key);
        if (a->key == b->key)
            assert_true(a->seq < b->seq);
    }
    /* Already sorted and reverse-sorted input. */
    vec_sort(&v, cmp_key);
    assert_int_equal(((struct item *)v.items[0])->key, 0);
    vec_clear(&v);
    for (int i = 0; i < 100; i++)
        vec_push(&v, item(100 - i, i));
    vec_sort(&v, cmp_key);
    for (int i = 0; i < 100; i++)
        assert_int_equal(((struct item *)v.items[i])->key, i + 1);
    vec_fini(&v);
}

/* ---- hmap ---- */

static void
test_hmap_basic(void **state)
{
    struct hmap h;
    hmap_init(&h);
    assert_null(hmap_get(&h, "x")); /* empty map: no table yet */
    assert_null(hmap_del(&h, "x"));
    size_t it = 0;
    assert_int_equal(hmap_next(&h, &it, NULL, NULL), 0);
    int a = 1, b = 2;
    char key[16];
    snprintf(key, sizeof key, "pxc/pod-0");
    assert_null(hmap_put(&h, key, &a));
    key[0] = 'X'; /* the map keeps its own copy */
    assert_ptr_equal(hmap_get(&h, "pxc/pod-0"), &a);
    assert_ptr_equal(hmap_put(&h, "pxc/pod-0", &b), &a); /* replace returns the old */
    assert_ptr_equal(hmap_get(&h, "pxc/pod-0"), &b);
    assert_int_equal(h.n, 1);
    const char *stored = hmap_stored_key(&h, "pxc/pod-0");
    assert_string_equal(stored, "pxc/pod-0");
    assert_null(hmap_stored_key(&h, "nope"));
    assert_null(hmap_put(&h, "", &a)); /* the empty key is a key */
    assert_ptr_equal(hmap_get(&h, ""), &a);
    assert_ptr_equal(hmap_del(&h, "pxc/pod-0"), &b);
    assert_null(hmap_get(&h, "pxc/pod-0"));
    assert_null(hmap_del(&h, "pxc/pod-0"));
    assert_int_equal(h.n, 1);
    hmap_fini(&h);
    assert_int_equal(h.n, 0);
}

/* Delete leaves tombstones that must not break the probe chains of the keys after them,
 * and churn (insert/delete forever, as pods come and go) must not fill the table. */
static void
test_hmap_tombstones_and_growth(void **state)
{
    struct hmap h;
    hmap_init(&h);
    static int vals[5000];
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "ns/pod-%d", i);
        vals[i] = i;
        assert_null(hmap_put(&h, key, &vals[i]));
    }
    assert_int_equal(h.n, 5000);
    assert_true(h.cap >= 5000 * 10 / 7);
    /* Delete every other key; all survivors still found (probe chains intact). */
    for (int i = 0; i < 5000; i += 2) {
        snprintf(key, sizeof key, "ns/pod-%d", i);
        assert_ptr_equal(hmap_del(&h, key), &vals[i]);
    }
    assert_int_equal(h.n, 2500);
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "ns/pod-%d", i);
        if (i % 2)
            assert_ptr_equal(hmap_get(&h, key), &vals[i]);
        else
            assert_null(hmap_get(&h, key));
    }
    /* Iteration sees exactly the live entries. */
    size_t it = 0, count = 0;
    const char *k;
    void *v;
    while (hmap_next(&h, &it, &k, &v)) {
        assert_ptr_equal(hmap_get(&h, k), v);
        count++;
    }
    assert_int_equal(count, 2500);
    /* Churn: a steady 2500 live keys, 100,000 insert+delete cycles. The capacity stays
     * bounded (tombstones are reclaimed by rehashing, not by growing forever). */
    size_t cap_before = h.cap;
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "churn-%d", i);
        assert_null(hmap_put(&h, key, &vals[0]));
        assert_ptr_equal(hmap_del(&h, key), &vals[0]);
    }
    assert_int_equal(h.n, 2500);
    assert_true(h.cap <= cap_before * 2);
    assert_true((h.n + h.tomb) * 10 < h.cap * 7);
    /* Re-inserting a deleted key reuses the slot and is found. */
    snprintf(key, sizeof key, "ns/pod-%d", 0);
    assert_null(hmap_put(&h, key, &vals[0]));
    assert_ptr_equal(hmap_get(&h, key), &vals[0]);
    assert_int_equal(h.n, 2501);
    hmap_fini(&h);
}

/* ---- intern ---- */

static void
test_intern(void **state)
{
    struct intern in;
    intern_init(&in);
    assert_null(intern_str(&in, NULL));
    assert_null(intern_strn(&in, NULL, 3));
    char buf[32];
    snprintf(buf, sizeof buf, "Running");
    const char *a = intern_str(&in, buf);
    buf[0] = 'X';
    assert_string_equal(a, "Running"); /* a copy, not the caller's buffer */
    assert_ptr_equal(intern_str(&in, "Running"), a);
    assert_ptr_equal(intern_strn(&in, "Running-and-more", 7), a);
    assert_ptr_not_equal(intern_str(&in, "Pending"), a);
    assert_string_equal(intern_str(&in, ""), "");
    /* Long strings go through the heap path of intern_strn. */
    char long_s[600];
    memset(long_s, 'a', sizeof long_s);
    const char *l1 = intern_strn(&in, long_s, 500);
    assert_int_equal(strlen(l1), 500);
    char *l2 = xstrndup(long_s, 500);
    assert_ptr_equal(intern_str(&in, l2), l1);
    free(l2);
    /* Many distinct strings (growth of the pool) stay stable. */
    const char *first = intern_str(&in, "ns-0");
    for (int i = 0; i < 3000; i++) {
        snprintf(buf, sizeof buf, "ns-%d", i);
        intern_str(&in, buf);
    }
    assert_ptr_equal(intern_str(&in, "ns-0"), first);
    intern_fini(&in);
}

/* ---- clock ---- */

static void
test_rfc3339(void **state)
{
    static const struct {
        const char *in;
        int rc;
        int64_t ms;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0, 0},
        {"2026-11-25T08:00:00Z", 0, 1795593600000LL},
        {"2026-11-25T08:00:00z", 0, 1795593600000LL},
        {"2026-11-25T08:00:00.5Z", 0, 1795593600500LL},
        {"2026-11-25T08:00:00.123456789Z", 0, 1795593600123LL},
        {"2026-11-25T09:30:00+01:30", 0, 1795593600000LL},
        {"2026-11-25T06:00:00-02:00", 0, 1795593600000LL},
        {"2024-02-29T12:00:00Z", 0, 1709208000000LL},
        /* Before 1970: negative epoch ms. 23:59:59 is -1 s, the value timegm() also uses
         * to say it failed. */
        {"1969-12-31T23:59:59Z", 0, -1000},
        {"1969-12-31T23:59:59.500Z", 0, -500},
        {"1969-07-20T20:17:40Z", 0, -14182940000LL},
        {"1970-01-01T00:30:00+01:00", 0, -1800000},
        {"1900-01-01T00:00:00Z", 0, -2208988800000LL},
        {"0001-01-01T00:00:00Z", 0, -62135596800000LL}, /* Go's zero time */
        {"2026-02-29T00:00:00Z", -1, 0},                /* not a leap year */
        {"2026-13-01T00:00:00Z", -1, 0},
        {"2026-11-25T24:00:00Z", -1, 0},
        {"2026-11-25T08:60:00Z", -1, 0},
        {"2026-11-25T08:00:00+24:00", -1, 0},
        {"2026-1-25T08:00:00Z", -1, 0}, /* RFC 3339 fields are fixed width */
        {" 2026-11-25T08:00:00Z", -1, 0},
        {"2026-11-25T08:00:00", -1, 0},      /* no zone */
        {"2026-11-25T08:00:00+0100", -1, 0}, /* offset without colon */
        {"2026-11-25T08:00:00+1:00", -1, 0}, /* short offset */
        {"2026-11-25T08:00:00+01", -1, 0},   /* offset cut short */
        {"2026-11-25T08:00:00Zjunk", -1, 0},
        {"2026-11-25T08:00:00+01:00junk", -1, 0},
        {"today", -1, 0},
        {"", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* An exact-size heap copy, so that ASan sees any read past the end. */
        char *s = xstrdup(cases[i].in);
        int64_t ms = -42;
        int rc = clock_parse_rfc3339(s, &ms);
        if (rc != cases[i].rc)
            fail_msg("case %zu \"%s\": rc %d, want %d", i, cases[i].in, rc, cases[i].rc);
        if (rc == 0 && ms != cases[i].ms)
            fail_msg("case %zu \"%s\": %lld, want %lld", i, cases[i].in, (long long)ms,
                     (long long)cases[i].ms);
        free(s);
    }
    char buf[40];
    clock_fmt_rfc3339(1795593600999LL, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-25T08:00:00Z");
    clock_fmt_rfc3339(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    /* The time of day in UTC whatever TZ says (the event log and the pod rows agree). */
    setenv("TZ", "America/Los_Angeles", 1);
    tzset();
    clock_fmt_hms(1795593600999LL + 3723000, buf, sizeof buf);
    assert_string_equal(buf, "09:02:03");
    unsetenv("TZ");
    tzset();
    /* Round trip. */
    int64_t back;
    clock_fmt_rfc3339(1709208000000LL, buf, sizeof buf);
    assert_int_equal(clock_parse_rfc3339(buf, &back), 0);
    assert_int_equal(back, 1709208000000LL);
    /* Before 1970 the second is the one the instant falls in (floor, not toward zero). */
    clock_fmt_rfc3339(-500, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    clock_fmt_rfc3339(-14182940000LL, buf, sizeof buf);
    assert_string_equal(buf, "1969-07-20T20:17:40Z");
    clock_fmt_rfc3339(-62135596800000LL, buf, sizeof buf);
    assert_string_equal(buf, "0001-01-01T00:00:00Z");
    assert_int_equal(clock_parse_rfc3339(buf, &back), 0);
    assert_int_equal(back, -62135596800000LL);
    clock_fmt_hms(-1000, buf, sizeof buf);
    assert_string_equal(buf, "23:59:59");
}

static void
test_age(void **state)
{
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {
        {-5000, "0s"},
        {0, "0s"},
        {999, "0s"},
        {4000, "4s"},
        {119999, "119s"},
        {120000, "2m"},
        {7199999, "119m"},
        {7200000, "2h"},
        {172799999, "47h"},
        {172800000, "2d"},
        {9LL * 86400000, "9d"},
    };
    char buf[16];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clock_fmt_age(cases[i].ms, buf, sizeof buf);
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("age %lld: \"%s\", want \"%s\"", (long long)cases[i].ms, buf, cases[i].want);
    }
    uint64_t a = clock_mono_ms(), b = clock_mono_ms();
    assert_true(b >= a);
    assert_true(clock_wall_ms() > 1700000000000LL);
}

/* ---- pxerr ---- */

static void
test_pxerr(void **state)
{
    struct pxerr err = {0};
    assert_int_equal(pxerr_set(&err, PXE_PARSE, "%s:%d: bad '%s'", "f.yaml", 12, "x"), PXE_PARSE);
    assert_int_equal(err.code, PXE_PARSE);
    assert_string_equal(err.msg, "f.yaml:12: bad 'x'");
    assert_int_equal(pxerr_set(NULL, PXE_IO, "ignored"), PXE_IO); /* NULL allowed */
    pxerr_prefix(&err, "kubeconfig %s: ", "a");
    assert_string_equal(err.msg, "kubeconfig a: f.yaml:12: bad 'x'");
    pxerr_prefix(NULL, "x");
    /* Over-long messages are cut, still terminated. */
    char big[600];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pxerr_set(&err, PXE_IO, "%s", big);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    pxerr_prefix(&err, "%s", "prefix: ");
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    assert_memory_equal(err.msg, "prefix: zzz", 11);
    pxerr_set(&err, PXE_IO, "short");
    pxerr_prefix(&err, "%s", big);
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    pxerr_clear(&err);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, "");
    pxerr_clear(NULL);
    /* Names and texts come from one table; every code is negative and distinct. */
    assert_string_equal(pxerr_name(0), "PXE_OK");
    assert_string_equal(pxerr_text(0), "success");
    assert_string_equal(pxerr_name(PXE_TIMEOUT), "PXE_TIMEOUT");
    assert_string_equal(pxerr_text(PXE_TIMEOUT), "timed out");
    assert_string_equal(pxerr_name(12345), "PXE_UNKNOWN");
    assert_string_equal(pxerr_text(12345), "unknown error");
    for (int c = PXE__FIRST + 1; c < PXE__LAST; c++) {
        assert_true(c < 0);
        assert_string_not_equal(pxerr_name(c), "PXE_UNKNOWN");
        assert_int_equal(strncmp(pxerr_name(c), "PXE_", 4), 0);
    }
}

/* ---- file ---- */

static char *
tmp_path(const char *dir, const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

static void
write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

static void
test_file_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/pxc-test-file.XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct pxerr err = {0};
    char *buf = NULL;
    size_t len = 0;

    /* A regular file, whole, NUL-terminated past its length. */
    char *p = tmp_path(dir, "plain");
    write_file(p, "a=1\nb=2\n", 8);
    assert_int_equal(file_read(p, 8, &buf, &len, &err), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(buf, "a=1\nb=2\n", 9);
    free(buf);
    /* One byte over the limit: refused, with the limit in words. */
    buf = NULL;
    assert_int_equal(file_read(p, 7, &buf, &len, &err), PXE_TOOBIG);
    assert_null(buf);
    char *want = xasprintf("%s: larger than the 7 bytes this file may have; is it the right "
                           "file?",
                           p);
    assert_string_equal(err.msg, want);
    free(want);
    /* The secret variant reads the same. */
    assert_int_equal(file_read_secret(p, 1024, &buf, &len, &err), 0);
    assert_int_equal(len, 8);
    assert_string_equal(buf, "a=1\nb=2\n");
    file_free_secret(buf, len);
    unlink(p);
    free(p);

    /* Empty. */
    p = tmp_path(dir, "empty");
    write_file(p, "", 0);
    assert_int_equal(file_read(p, 10, &buf, &len, &err), 0);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);
    unlink(p);
    free(p);

    /* Larger than the first guess (st_size) after growth: still whole. */
    p = tmp_path(dir, "big");
    char *big = xmalloc(100000);
    memset(big, 'x', 100000);
    write_file(p, big, 100000);
    assert_int_equal(file_read_secret(p, 100000, &buf, &len, &err), 0);
    assert_int_equal(len, 100000);
    assert_memory_equal(buf, big, 100000);
    file_free_secret(buf, len);
    assert_int_equal(file_read(p, 64 * 1024, &buf, &len, &err), PXE_TOOBIG);
    assert_non_null(strstr(err.msg, "larger than the 64 KiB"));
    free(big);
    unlink(p);
    free(p);

    /* Missing. */
    p = tmp_path(dir, "missing");
    assert_int_equal(file_read(p, 10, &buf, &len, &err), PXE_NOTFOUND);
    assert_non_null(strstr(err.msg, "No such file"));
    free(p);

    /* A FIFO without a writer: refused at once (a blocking open would wait forever). */
    p = tmp_path(dir, "fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    uint64_t t0 = clock_mono_ms();
    assert_int_equal(file_read(p, 1 << 20, &buf, &len, &err), PXE_INVAL);
    assert_true(clock_mono_ms() - t0 < 1000);
    want = xasprintf("%s: not a regular file (a FIFO); give a file", p);
    assert_string_equal(err.msg, want);
    free(want);
    unlink(p);
    free(p);

    /* A device that never ends, and a directory. */
    assert_int_equal(file_read("/dev/zero", 1 << 20, &buf, &len, &err), PXE_INVAL);
    assert_string_equal(err.msg, "/dev/zero: not a regular file (a character device); give a "
                                 "file");
    assert_int_equal(file_read_secret(dir, 1 << 20, &buf, &len, &err), PXE_INVAL);
    want = xasprintf("%s: not a regular file (a directory); give a file", dir);
    assert_string_equal(err.msg, want);
    free(want);

    /* procfs says size 0 and has more: read to EOF, the limit still holds. */
    assert_int_equal(file_read("/proc/self/status", 1 << 20, &buf, &len, &err), 0);
    assert_true(len > 0 && strstr(buf, "Name:") != NULL);
    free(buf);
    assert_int_equal(file_read("/proc/self/status", 16, &buf, &len, &err), PXE_TOOBIG);

    char lim[32];
    file_fmt_size(4u << 20, lim, sizeof lim);
    assert_string_equal(lim, "4 MiB");
    file_fmt_size(1000, lim, sizeof lim);
    assert_string_equal(lim, "1000 bytes");
    assert_int_equal(rmdir(dir), 0);
}

/* Write text into a new pipe and close its write end: *rd is the read end. */
static void
pipe_with(const char *text, int *rd)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    size_t n = strlen(text);
    assert_int_equal(write(fds[1], text, n), (ssize_t)n);
    close(fds[1]);
    *rd = fds[0];
}

/* The command line's inputs: pipes and FIFOs are read to their end, with the same limit;
 * directories and devices are refused by their kind in words that offer a pipe. */
static void
test_file_read_stream(void **state)
{
    (void)state;
    char dir[] = "/tmp/pxc-test-stream.XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct pxerr err = {0};
    char *buf = NULL;
    size_t len = 0;

    /* A pipe by its /dev/fd name, as `--token-file <(...)` gives it. */
    int rd;
    pipe_with("piped.token\n", &rd);
    char name[64];
    snprintf(name, sizeof name, "/dev/fd/%d", rd);
    assert_int_equal(file_read_stream(name, 1 << 20, &buf, &len, &err), 0);
    assert_int_equal(len, 12);
    assert_string_equal(buf, "piped.token\n");
    file_free_secret(buf, len);
    close(rd);
    /* The regular-file reader refuses the same pipe. */
    pipe_with("x", &rd);
    snprintf(name, sizeof name, "/dev/fd/%d", rd);
    assert_int_equal(file_read(name, 1 << 20, &buf, &len, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "not a regular file (a FIFO); give a file"));
    close(rd);

    /* A descriptor (stdin for `-f -`): exactly the limit is read, one byte more refused. */
    pipe_with("0123456789", &rd);
    assert_int_equal(file_read_fd(rd, "<stdin>", 10, &buf, &len, &err), 0);
    assert_int_equal(len, 10);
    assert_string_equal(buf, "0123456789");
    file_free_secret(buf, len);
    close(rd);
    pipe_with("0123456789", &rd);
    buf = NULL;
    assert_int_equal(file_read_fd(rd, "<stdin>", 9, &buf, &len, &err), PXE_TOOBIG);
    assert_null(buf);
    assert_string_equal(err.msg, "<stdin>: is larger than 9 bytes; is it the right file?");
    close(rd);

    /* A FIFO waits for its writer, as cat would, and is read whole. */
    char *p = tmp_path(dir, "fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(p, O_WRONLY);
        _exit(fd >= 0 && write(fd, "apiVersion: v1\n", 15) == 15 ? 0 : 1);
    }
    assert_int_equal(file_read_stream(p, 1 << 20, &buf, &len, &err), 0);
    assert_string_equal(buf, "apiVersion: v1\n");
    file_free_secret(buf, len);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(p);
    free(p);

    /* A regular file, and one over the limit. */
    p = tmp_path(dir, "m.yaml");
    write_file(p, "a: 1\n", 5);
    assert_int_equal(file_read_stream(p, 5, &buf, &len, &err), 0);
    assert_string_equal(buf, "a: 1\n");
    file_free_secret(buf, len);
    assert_int_equal(file_read_stream(p, 4, &buf, &len, &err), PXE_TOOBIG);
    char *want = xasprintf("%s: is larger than 4 bytes; is it the right file?", p);
    assert_string_equal(err.msg, want);
    free(want);
    unlink(p);
    free(p);

    /* Directories and devices, never opened. */
    assert_int_equal(file_read_stream(dir, 1 << 20, &buf, &len, &err), PXE_INVAL);
    want = xasprintf("%s: is a directory; give a file", dir);
    assert_string_equal(err.msg, want);
    free(want);
    assert_int_equal(file_read_stream("/dev/zero", 1 << 20, &buf, &len, &err), PXE_INVAL);
    assert_string_equal(err.msg, "/dev/zero: is a character device, not a file; give a file or "
                                 "a pipe");
    assert_int_equal(file_read_stream("/dev/null", 1 << 20, &buf, &len, &err), PXE_INVAL);
    assert_int_equal(file_read_stream("/nonexistent/m.yaml", 1, &buf, &len, &err), PXE_NOTFOUND);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    assert_int_equal(file_read_fd(dfd, "<stdin>", 1 << 20, &buf, &len, &err), PXE_INVAL);
    assert_string_equal(err.msg, "<stdin>: is a directory; give a file");
    close(dfd);
    assert_int_equal(rmdir(dir), 0);
}

/* RFC 4648 section 10's test vectors, both alphabets, padding optional, and the refusals. */
static void
test_base64(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char *e = base64_encode(plain[i], strlen(plain[i]), 0);
        assert_string_equal(e, enc[i]);
        free(e);
        char *d = NULL;
        size_t n = 0;
        assert_int_equal(base64_decode(enc[i], strlen(enc[i]), 0, &d, &n), 0);
        assert_int_equal(n, strlen(plain[i]));
        assert_string_equal(d, plain[i]);
        free(d);
        /* Unpadded, as continue tokens are. */
        e = base64_encode(plain[i], strlen(plain[i]), BASE64_NOPAD);
        assert_null(strchr(e, '='));
        assert_int_equal(base64_decode(e, strlen(e), BASE64_NOPAD, &d, &n), 0);
        assert_string_equal(d, plain[i]);
        free(d);
        free(e);
    }
    /* The URL alphabet, and bytes that need it. */
    char *e = base64_encode("\xfb\xff", 2, BASE64_URL | BASE64_NOPAD);
    assert_string_equal(e, "-_8");
    free(e);
    e = base64_encode("\xfb\xff", 2, 0);
    assert_string_equal(e, "+/8=");
    free(e);
    /* PEM-style line breaks are skipped; NUL bytes survive. */
    char *d = NULL;
    size_t n = 0;
    assert_int_equal(base64_decode("Zm9v\nYmFy\r\n", 11, 0, &d, &n), 0);
    assert_string_equal(d, "foobar");
    free(d);
    assert_int_equal(base64_decode("AAE=", 4, 0, &d, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(d[0], 0);
    assert_int_equal(d[1], 1);
    free(d);
    /* Refused: a foreign character, data after padding, a partial quantum, the other
     * alphabet, a lone symbol. */
    static const char *const bad[] = {"Zm9v!", "Zg==Zg==", "Zm9", "-_8=", "Z", "Z===", "="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = (char *)"untouched";
        assert_int_equal(base64_decode(bad[i], strlen(bad[i]), 0, &d, &n), PXE_PARSE);
        assert_string_equal(d, "untouched");
    }
    assert_int_equal(base64_decode("Z", 1, BASE64_NOPAD, &d, &n), PXE_PARSE);
}

static void
test_sha1(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *hex;
    } cases[] = {
        {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        /* 56 bytes: the length no longer fits the first padded block */
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        /* 64 bytes: a whole block, then a block of padding */
        {"0123456701234567012345670123456701234567012345670123456701234567",
         "e0c094e867ef46c350ef54a7f59dd60bed92ae83"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t d[SHA1_LEN];
        sha1(cases[i].in, strlen(cases[i].in), d);
        char hex[2 * SHA1_LEN + 1];
        for (int k = 0; k < SHA1_LEN; k++)
            snprintf(hex + 2 * k, 3, "%02x", d[k]);
        assert_string_equal(hex, cases[i].hex);
    }
    /* RFC 6455 1.3: key dGhlIHNhbXBsZSBub25jZQ== is accepted as s3pPLMBiTxaQ9kYGzzhZRbK+xOo= */
    const char *k = "dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    uint8_t d[SHA1_LEN];
    sha1(k, strlen(k), d);
    char *b = base64_encode(d, sizeof d, 0);
    assert_string_equal(b, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    free(b);
}

static void
test_path_home(void **state)
{
    (void)state;
    const char *old = getenv("HOME");
    char *saved = old ? xstrdup(old) : NULL;
    setenv("HOME", "/tmp/pxc-home", 1);
    assert_string_equal(path_home(), "/tmp/pxc-home");
    setenv("HOME", "", 1); /* empty: the password database decides */
    assert_non_null(path_home());
    assert_string_not_equal(path_home(), "");
    if (saved) {
        setenv("HOME", saved, 1);
        free(saved);
    } else {
        unsetenv("HOME");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf),
        cmocka_unit_test(test_vec_ownership),
        cmocka_unit_test(test_vec_sort_stable),
        cmocka_unit_test(test_hmap_basic),
        cmocka_unit_test(test_hmap_tombstones_and_growth),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_pxerr),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_sha1),
        cmocka_unit_test(test_path_home),
        cmocka_unit_test(test_file_read),
        cmocka_unit_test(test_file_read_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
