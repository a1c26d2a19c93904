/* base64: see base64.h. Decoding is strict (no silent skipping of bad characters) because a
 * corrupted Secret or kubeconfig must be refused with its place named, not half-read. */
#include "base64.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static const char alpha_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char alpha_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
base64_encode(const void *in, size_t len, unsigned flags)
{
    const unsigned char *s = in;
    const char *a = (flags & BASE64_URL) ? alpha_url : alpha_std;
    bool pad = !(flags & BASE64_NOPAD);
    char *out = xmalloc((len + 2) / 3 * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < len)
            v |= s[i + 2];
        out[o++] = a[(v >> 18) & 63];
        out[o++] = a[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = a[(v >> 6) & 63];
        else if (pad)
            out[o++] = '=';
        if (i + 2 < len)
            out[o++] = a[v & 63];
        else if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

static int
symbol(unsigned char c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

int
base64_decode(const char *in, size_t in_len, unsigned flags, char **out, size_t *out_len)
{
    bool url = (flags & BASE64_URL) != 0;
    size_t cap = in_len / 4 * 3 + 4;
    char *buf = xmalloc(cap);
    size_t n = 0, quad = 0, pad = 0;
    unsigned acc = 0;
    bool done = false;
    for (size_t i = 0; i < in_len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t')
            continue;
        if (done)
            goto bad; /* data after the padded end */
        int v;
        if (c == '=') {
            if (quad < 2)
                goto bad;
            pad++;
            v = 0;
        } else {
            if (pad > 0 || (v = symbol(c, url)) < 0)
                goto bad;
        }
        acc = (acc << 6) | (unsigned)v;
        if (++quad == 4) {
            buf[n++] = (char)(acc >> 16);
            if (pad < 2)
                buf[n++] = (char)(acc >> 8);
            if (pad < 1)
                buf[n++] = (char)acc;
            quad = 0;
            acc = 0;
            done = pad > 0;
        }
    }
    if (quad != 0) {
        /* An unpadded tail: 2 symbols are 1 byte, 3 are 2; 1 symbol is never valid. */
        if (!(flags & BASE64_NOPAD) || pad > 0 || quad == 1)
            goto bad;
        acc <<= 6 * (4 - quad);
        buf[n++] = (char)(acc >> 16);
        if (quad == 3)
            buf[n++] = (char)(acc >> 8);
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
bad:
    explicit_bzero(buf, cap);
    free(buf);
    return pxerr_set(NULL, PXE_PARSE, "malformed base64");
}
