/* test_cmd_run: cmd_run_until returns when the wait ends in a timer's callback run at the
 * start of an iteration, with a handle left that keeps the loop alive and never fires (a
 * signal watcher, as the verbs have). A bare `while (!done) uv_run(loop, UV_RUN_ONCE)`
 * blocks in the poll there forever: `pxcmesh logs --tail` did, about 1 run in 15, after
 * printing the whole log. A hang is killed by alarm(), which fails the test. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "cmd.h"

static void
on_timer(uv_timer_t *t)
{
    *(bool *)t->data = true;
}

static void
on_signal(uv_signal_t *s, int signum)
{
    (void)s, (void)signum;
}

/* done: the flag; the timer due at once, so it runs before the first poll. */
static void
test_timer_ends_wait(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_signal_t sig;
    uv_signal_init(&loop, &sig);
    uv_signal_start(&sig, on_signal, SIGUSR2);
    bool done = false;
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    t.data = &done;
    uv_timer_start(&t, on_timer, 0, 0);
    alarm(10);
    cmd_run_until_flag(&loop, &done);
    alarm(0);
    assert_true(done);
    /* Again with the loop already stopped once: the guard leaves nothing behind. */
    done = false;
    uv_timer_start(&t, on_timer, 5, 0);
    alarm(10);
    cmd_run_until_flag(&loop, &done);
    alarm(0);
    assert_true(done);
    uv_close((uv_handle_t *)&t, NULL);
    uv_close((uv_handle_t *)&sig, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A wait already over runs nothing. */
static bool
always(void *arg)
{
    (void)arg;
    return true;
}

static void
test_already_done(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    cmd_run_until(&loop, always, NULL);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_ends_wait),
        cmocka_unit_test(test_already_done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
