/* headless: the console's backends without its screen, for `serve` and `watch`. One loop,
 * one model, the live backends watching every selected cluster (backends/live) and the live
 * doctor on the loop (doctor/doctor_live.h), exactly as the console runs them; or, with
 * --replay, a saved snapshot and nothing live. SIGINT, SIGTERM and SIGHUP stop it cleanly.
 *
 * Model changes reach the caller coalesced: the first change after a call arms a timer of
 * delay_ms, later ones ride on it, so a burst of 20,000 pod events is one call.
 *
 * Threads: everything on the thread that calls headless_run (the loop's). */
#ifndef PXC_CLI_HEADLESS_H
#define PXC_CLI_HEADLESS_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "pxerr.h"
#include "cmd.h"
#include "model/model.h"

struct headless;
struct config;

struct headless_opts {
    const struct cmd_opts *cmd; /* borrowed for the headless' life */
    bool replay_ok;             /* --replay FILE loads a snapshot (else it is refused) */
    int delay_ms;               /* model change to on_change; 0: 50 */
    /* After model changes, coalesced (may be NULL). */
    void (*on_change)(struct headless *h, void *arg);
    /* Every cluster's first sync is done (live only; may be NULL). */
    void (*on_synced)(struct headless *h, int n_unreachable, void *arg);
    void *arg;
};

/* Select the clusters (or load the snapshot), make the loop and the model and start the
 * backends. *out owned (headless_free). PXE_USAGE for a bad selection or config, PXE_* as
 * live_start's; err says what. Nothing is left running on failure. */
int headless_start(const struct headless_opts *o, struct headless **out,
                   struct pxerr *err) PXC_MUST_CHECK;
/* Run the loop until headless_stop or a signal. Returns the exit code given to
 * headless_stop (0 after a signal). */
int headless_run(struct headless *h);
/* End headless_run with exit_code, from a callback on the loop. */
void headless_stop(struct headless *h, int exit_code);
/* Stop the backends, close every handle and the loop, free the model. 1 when a libuv
 * handle was left open (a bug the tests must see), else 0. NULL: 0. */
int headless_free(struct headless *h);

/* Borrowed for the headless' life. */
uv_loop_t *headless_loop(struct headless *h);
struct model *headless_model(struct headless *h);
const struct config *headless_config(const struct headless *h); /* NULL in a replay */
bool headless_replay(const struct headless *h);
/* Run the live doctor now (a synced model judged before it is reported); nothing in a
 * replay. */
void headless_doctor_run(struct headless *h);
/* Counters since the start: the live doctor's runs (0 in a replay), the events appended to
 * the model's log. */
uint64_t headless_doctor_runs(const struct headless *h);
uint64_t headless_events(const struct headless *h);

#endif
