/* base64: RFC 4648 encoding, in the standard alphabet (Kubernetes Secret data, kubeconfig
 * *-data fields, WebSocket keys) or the URL-safe one (continue tokens). One implementation for
 * the whole tree. Any thread, pure. */
#ifndef PXC_BASE_BASE64_H
#define PXC_BASE_BASE64_H

#include <stddef.h>

#include "pxerr.h"

enum {
    BASE64_URL = 1u << 0,   /* '-' and '_' instead of '+' and '/' */
    BASE64_NOPAD = 1u << 1, /* encode: no '=' padding; decode: padding optional */
};

/* len bytes of in (borrowed) as base64: owned, NUL-terminated. */
char *base64_encode(const void *in, size_t len, unsigned flags);

/* Decode in_len characters of in (borrowed). Whitespace (CR, LF, space, tab) is skipped, as
 * in PEM-wrapped kubeconfig data. On success *out is owned, NUL-terminated (the decoded bytes
 * may hold NULs: *out_len counts them) and the result is 0. Malformed input (a character
 * outside the alphabet, data after padding, a partial quantum without BASE64_NOPAD) returns
 * PXE_PARSE and leaves *out untouched; the scratch buffer is zeroed before it is freed, since
 * the input may be a secret. */
int base64_decode(const char *in, size_t in_len, unsigned flags, char **out,
                  size_t *out_len) PXC_MUST_CHECK;

#endif
