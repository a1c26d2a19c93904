/* test_backoff: the delays follow client-go's shape: from 0.8 s doubling to 30 s, each with
 * jitter inside [base, 1.5 base] (capped), reset after two healthy minutes but not before,
 * Retry-After as a floor, and the random range used for watch timeoutSeconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kube/backoff.h"

static void
test_doubling_and_bounds(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct backoff b;
        backoff_init(&b, 0, 0, seed);
        uint32_t base = 800;
        for (int i = 0; i < 12; i++) {
            uint32_t d = backoff_next(&b, 1000 + (uint64_t)i, -1);
            uint32_t hi = base + base / 2 > 30000 ? 30000 : base + base / 2;
            if (d < base || d > hi)
                fail_msg("seed %d step %d: %u not in [%u, %u]", (int)seed, i, d, base, hi);
            base = base >= 15000 ? 30000 : base * 2;
        }
    }
}

static void
test_jitter_spreads(void **state)
{
    (void)state;
    /* Different seeds must not all pick the same first delay. */
    uint32_t first = 0;
    int distinct = 0;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct backoff b;
        backoff_init(&b, 0, 0, seed * 7919);
        uint32_t d = backoff_next(&b, 5, -1);
        if (seed == 1)
            first = d;
        else if (d != first)
            distinct++;
    }
    assert_true(distinct > 10);
}

static void
test_reset_after_healthy(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 0, 0, 42);
    for (int i = 0; i < 6; i++)
        (void)backoff_next(&b, 1000, -1); /* base now 25.6 s */
    /* Healthy for less than 2 minutes: keeps backing off. */
    backoff_success(&b, 10000);
    uint32_t d = backoff_next(&b, 10000 + 119999, -1);
    assert_true(d >= 30000);
    /* Healthy for 2 minutes: starts over at 0.8 s. */
    backoff_success(&b, 200000);
    d = backoff_next(&b, 200000 + 120000, -1);
    assert_in_range(d, 800, 1200);
    /* A success that is immediately followed by failures does not reset. */
    backoff_success(&b, 400000);
    d = backoff_next(&b, 400001, -1);
    assert_in_range(d, 1600, 2400);
}

static void
test_retry_after(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 0, 0, 3);
    assert_int_equal(backoff_next(&b, 1, 7), 7000);   /* floor above the 0.8 s base */
    uint32_t d = backoff_next(&b, 2, 0);              /* Retry-After: 0 changes nothing */
    assert_in_range(d, 1600, 2400);
    assert_int_equal(backoff_next(&b, 3, 45), 45000); /* above max_ms: honoured */
    assert_int_equal(backoff_next(&b, 4, 100000), 600000); /* capped at 10 minutes */
}

static void
test_custom_range(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 100, 400, 9);
    uint32_t want_lo[] = {100, 200, 400, 400};
    for (int i = 0; i < 4; i++) {
        uint32_t d = backoff_next(&b, 1, -1);
        assert_in_range(d, want_lo[i], want_lo[i] * 3 / 2 > 400 ? 400 : want_lo[i] * 3 / 2);
    }
}

static void
test_rand_range(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 0, 0, 77);
    int seen_lo = 0, seen_hi = 0;
    for (int i = 0; i < 20000; i++) {
        uint32_t v = backoff_rand_range(&b, 300, 600);
        assert_in_range(v, 300, 600);
        seen_lo |= v == 300;
        seen_hi |= v == 600;
    }
    assert_true(seen_lo && seen_hi);
    assert_int_equal(backoff_rand_range(&b, 5, 5), 5);
}

/* Quick ends keep their own schedule, whatever an earlier outage grew. */
static void
test_quick(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 0, 0, 5);
    for (int i = 0; i < 10; i++)
        (void)backoff_next(&b, 1000, -1); /* a long outage: the base is at 30 s */
    assert_true(backoff_next(&b, 1000, -1) >= 30000);
    for (int i = 0; i < 200; i++) {
        assert_in_range(backoff_quick(&b, 0), 300, 1000);
        assert_in_range(backoff_quick(&b, 1), 600, 2000);
        assert_in_range(backoff_quick(&b, 3), 2400, 8000);
        assert_in_range(backoff_quick(&b, 40), 30000, 30000); /* capped, no overflow */
        assert_in_range(backoff_quick(&b, -1), 300, 1000);
    }
    /* ...and does not move the base either. */
    assert_true(backoff_next(&b, 1000, -1) >= 30000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubling_and_bounds), cmocka_unit_test(test_jitter_spreads),
        cmocka_unit_test(test_reset_after_healthy), cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_custom_range),        cmocka_unit_test(test_rand_range),
        cmocka_unit_test(test_quick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
