/* hmap: FNV-1a hashed open addressing. Tombstones keep probe chains intact after a
 * delete; the table is rebuilt when live + dead entries pass 70% of capacity. */
#include "hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define TOMBSTONE ((char *)1)

struct hmap_slot {
    char *key; /* NULL empty, TOMBSTONE deleted, else owned */
    void *val;
};

static uint64_t
hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void
hmap_init(struct hmap *h)
{
    h->slots = NULL;
    h->cap = h->n = h->tomb = 0;
}

void
hmap_fini(struct hmap *h)
{
    for (size_t i = 0; i < h->cap; i++)
        if (h->slots[i].key != NULL && h->slots[i].key != TOMBSTONE)
            free(h->slots[i].key);
    free(h->slots);
    hmap_init(h);
}

static struct hmap_slot *
find(const struct hmap *h, const char *key)
{
    if (h->cap == 0)
        return NULL;
    size_t mask = h->cap - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
        struct hmap_slot *s = &h->slots[i];
        if (s->key == NULL)
            return NULL;
        if (s->key != TOMBSTONE && strcmp(s->key, key) == 0)
            return s;
    }
}

static void
rehash(struct hmap *h, size_t cap)
{
    struct hmap_slot *old = h->slots;
    size_t ocap = h->cap;
    h->slots = xcalloc(cap, sizeof *h->slots);
    h->cap = cap;
    h->tomb = 0;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].key == NULL || old[i].key == TOMBSTONE)
            continue;
        size_t j = hash(old[i].key) & (cap - 1);
        while (h->slots[j].key != NULL)
            j = (j + 1) & (cap - 1);
        h->slots[j] = old[i];
    }
    free(old);
}

void *
hmap_get(const struct hmap *h, const char *key)
{
    struct hmap_slot *s = find(h, key);
    return s ? s->val : NULL;
}

void *
hmap_put(struct hmap *h, const char *key, void *val)
{
    struct hmap_slot *s = find(h, key);
    if (s != NULL) {
        void *old = s->val;
        s->val = val;
        return old;
    }
    if ((h->n + h->tomb + 1) * 10 >= h->cap * 7) {
        size_t cap = h->cap ? h->cap : 16;
        while ((h->n + 1) * 10 >= cap * 5)
            cap *= 2;
        rehash(h, cap);
    }
    size_t mask = h->cap - 1;
    size_t i = hash(key) & mask;
    while (h->slots[i].key != NULL && h->slots[i].key != TOMBSTONE)
        i = (i + 1) & mask;
    if (h->slots[i].key == TOMBSTONE)
        h->tomb--;
    h->slots[i].key = xstrdup(key);
    h->slots[i].val = val;
    h->n++;
    return NULL;
}

const char *
hmap_stored_key(const struct hmap *h, const char *key)
{
    struct hmap_slot *s = find(h, key);
    return s ? s->key : NULL;
}

void *
hmap_del(struct hmap *h, const char *key)
{
    struct hmap_slot *s = find(h, key);
    if (s == NULL)
        return NULL;
    void *val = s->val;
    free(s->key);
    s->key = TOMBSTONE;
    s->val = NULL;
    h->n--;
    h->tomb++;
    return val;
}

int
hmap_next(const struct hmap *h, size_t *it, const char **key, void **val)
{
    for (; *it < h->cap; (*it)++) {
        struct hmap_slot *s = &h->slots[*it];
        if (s->key != NULL && s->key != TOMBSTONE) {
            if (key)
                *key = s->key;
            if (val)
                *val = s->val;
            (*it)++;
            return 1;
        }
    }
    return 0;
}
