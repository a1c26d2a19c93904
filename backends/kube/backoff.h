/* backoff: retry delays for the informers, as client-go's reflector learned them: start near
 * 0.8 s, double on each failure up to 30 s, add random jitter so that many clients do not
 * retry in step, and start over after two healthy minutes. A 429's Retry-After is a floor.
 * Plain arithmetic with its own random state: no clock reads, no globals, any thread. */
#ifndef PXC_BACKENDS_KUBE_BACKOFF_H
#define PXC_BACKENDS_KUBE_BACKOFF_H

#include <stdint.h>

#define BACKOFF_MIN_MS 800
#define BACKOFF_MAX_MS 30000
#define BACKOFF_RESET_MS 120000 /* healthy this long: the next failure starts from MIN */

struct backoff {
    uint32_t min_ms, max_ms; /* read-only */
    uint32_t cur_ms;         /* private: base of the next delay, 0: none failed yet */
    uint64_t healthy_since_ms; /* private: mono ms of the last success, 0: none */
    uint64_t rng;            /* private: xorshift64* state, never 0 */
};

/* seed: anything (0 is replaced); min_ms <= max_ms, 0 picks the defaults. */
void backoff_init(struct backoff *b, uint32_t min_ms, uint32_t max_ms, uint64_t seed);
/* A failure at now_ms: the delay to wait, in [base, min(max, 1.5 * base)] where base doubles
 * from min_ms on each consecutive failure (capped at max_ms); if the last success is at least
 * BACKOFF_RESET_MS old, base starts again at min_ms. retry_after_s >= 0 (a 429 or 503's
 * Retry-After) makes the delay at least that long, even above max_ms (up to 10 minutes). */
uint32_t backoff_next(struct backoff *b, uint64_t now_ms, int retry_after_s);
/* The delay after the nth (0-based) failure in a row of a kind that is most often over within
 * a second, a watch that a server restarting in place ends at once: in [300, 1000] ms for
 * the first, doubling after (capped at max_ms). Its own schedule: it neither reads nor grows
 * the base that earlier outages grew, which a server that came back need not wait out. */
uint32_t backoff_quick(struct backoff *b, int n);
/* A success (a list or a watch that delivered) at now_ms. */
void backoff_success(struct backoff *b, uint64_t now_ms);
/* Uniform random integer in [lo, hi] from b's state (watch timeoutSeconds). */
uint32_t backoff_rand_range(struct backoff *b, uint32_t lo, uint32_t hi);

#endif
