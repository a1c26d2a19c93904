/* vec: a growable array of pointers. Ownership is stated at creation: with a free
 * function the vec owns its items (vec_remove frees, vec_take hands back); with NULL it
 * only borrows them (htop Vector_new(type, owner, size)). */
#ifndef PXC_BASE_VEC_H
#define PXC_BASE_VEC_H

#include <stddef.h>

typedef void vec_free_fn(void *item);
typedef int vec_cmp_fn(const void *a, const void *b); /* compares items, not slots */

struct vec {
    void **items;         /* read-only */
    size_t n;             /* read-only */
    size_t cap;           /* private */
    vec_free_fn *free_fn; /* private; NULL: borrowed items */
};

void vec_init(struct vec *v, vec_free_fn *free_fn);
void vec_fini(struct vec *v); /* frees owned items and the array */
void vec_clear(struct vec *v);
void vec_push(struct vec *v, void *item); /* takes item when owning */
void vec_insert(struct vec *v, size_t i, void *item);
void *vec_take(struct vec *v, size_t i); /* removes and returns item i: owned by caller */
void vec_remove(struct vec *v, size_t i); /* removes and frees item i when owning */
void vec_sort(struct vec *v, vec_cmp_fn *cmp); /* stable */
static inline void *
vec_at(const struct vec *v, size_t i)
{
    return v->items[i];
}

#endif
