/* sha1: SHA-1 (FIPS 180-4) of a byte string. Only for protocol checks that name it, such as
 * the WebSocket handshake's Sec-WebSocket-Accept (RFC 6455 4.2.2); never for anything that
 * needs collision resistance. Any thread, pure. */
#ifndef PXC_BASE_SHA1_H
#define PXC_BASE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN 20

/* The digest of len bytes of data (borrowed) into out. */
void sha1(const void *data, size_t len, uint8_t out[SHA1_LEN]);

#endif
