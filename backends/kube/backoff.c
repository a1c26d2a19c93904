/* backoff: exponential retry delays with jitter and a reset after a healthy period (see
 * backoff.h). The reset is judged at the next failure rather than by a timer: a watch that
 * has been fine for two minutes and then drops should retry quickly, one that fails at once
 * after each success should keep backing off. */
#include "kube/backoff.h"

static uint64_t
next_u64(struct backoff *b)
{
    /* xorshift64*: tiny, good enough for jitter, state per instance. */
    uint64_t x = b->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    b->rng = x;
    return x * 2685821657736338717ULL;
}

void
backoff_init(struct backoff *b, uint32_t min_ms, uint32_t max_ms, uint64_t seed)
{
    b->min_ms = min_ms ? min_ms : BACKOFF_MIN_MS;
    b->max_ms = max_ms ? max_ms : BACKOFF_MAX_MS;
    if (b->max_ms < b->min_ms)
        b->max_ms = b->min_ms;
    b->cur_ms = 0;
    b->healthy_since_ms = 0;
    b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

uint32_t
backoff_rand_range(struct backoff *b, uint32_t lo, uint32_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (uint32_t)(next_u64(b) % ((uint64_t)hi - lo + 1));
}

uint32_t
backoff_next(struct backoff *b, uint64_t now_ms, int retry_after_s)
{
    if (b->healthy_since_ms != 0 && now_ms >= b->healthy_since_ms + BACKOFF_RESET_MS)
        b->cur_ms = 0;
    b->healthy_since_ms = 0;
    if (b->cur_ms == 0)
        b->cur_ms = b->min_ms;
    else if (b->cur_ms >= b->max_ms / 2)
        b->cur_ms = b->max_ms;
    else
        b->cur_ms *= 2;
    uint32_t hi = b->cur_ms + b->cur_ms / 2;
    if (hi > b->max_ms)
        hi = b->max_ms;
    uint32_t d = backoff_rand_range(b, b->cur_ms, hi);
    if (retry_after_s >= 0) {
        uint64_t ra = (uint64_t)(retry_after_s > 600 ? 600 : retry_after_s) * 1000;
        if (ra > d)
            d = (uint32_t)ra;
    }
    return d;
}

void
backoff_success(struct backoff *b, uint64_t now_ms)
{
    if (b->healthy_since_ms == 0)
        b->healthy_since_ms = now_ms ? now_ms : 1;
}

uint32_t
backoff_quick(struct backoff *b, int n)
{
    int k = n < 0 ? 0 : n > 10 ? 10 : n;
    uint64_t lo = 300ull << k, hi = 1000ull << k;
    if (hi > b->max_ms)
        hi = b->max_ms;
    if (lo > hi)
        lo = hi;
    return backoff_rand_range(b, (uint32_t)lo, (uint32_t)hi);
}
