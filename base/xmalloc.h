/* xmalloc: allocation that never returns NULL (it aborts with a message on OOM),
 * so callers need no NULL checks (htop XUtils.h, tmux xmalloc.c). 0 bytes is a bug. */
#ifndef PXC_BASE_XMALLOC_H
#define PXC_BASE_XMALLOC_H

#include <stddef.h>

#include "pxerr.h"

void *xmalloc(size_t n);                  /* owned */
void *xcalloc(size_t nmemb, size_t size); /* owned, zeroed */
void *xrealloc(void *p, size_t n);        /* takes p, returns owned */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);            /* owned; s must not be NULL */
char *xstrdup_or_null(const char *s);    /* owned or NULL when s is NULL */
char *xstrndup(const char *s, size_t n); /* owned */
char *xasprintf(const char *fmt, ...) PXC_PRINTF(1, 2); /* owned */
/* Zero a secret (password, token, key) before freeing it. NULL does nothing. */
void xfree_secret(char *s);

#endif
