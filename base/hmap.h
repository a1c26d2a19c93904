/* hmap: string-keyed hash map (open addressing, linear probing) for O(1) lookups of
 * objects by "namespace/name" when watch events arrive. Keys are copied and owned by
 * the map; values are borrowed (the map never frees them). */
#ifndef PXC_BASE_HMAP_H
#define PXC_BASE_HMAP_H

#include <stddef.h>

struct hmap {
    struct hmap_slot *slots; /* private */
    size_t cap;              /* private: power of two */
    size_t n;                /* read-only: live entries */
    size_t tomb;             /* private: deleted slots */
};

void hmap_init(struct hmap *h);
void hmap_fini(struct hmap *h);
void *hmap_get(const struct hmap *h, const char *key); /* borrowed value or NULL */
/* Insert or replace; returns the previous value (borrowed) or NULL. */
void *hmap_put(struct hmap *h, const char *key, void *val);
/* The map's own copy of key (borrowed, valid while the entry lives) or NULL. */
const char *hmap_stored_key(const struct hmap *h, const char *key);
void *hmap_del(struct hmap *h, const char *key); /* returns the removed value or NULL */

/* Iterate: for (size_t it = 0; hmap_next(h, &it, &k, &v);) */
int hmap_next(const struct hmap *h, size_t *it, const char **key, void **val);

#endif
