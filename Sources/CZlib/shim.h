// Debian's zlib1g-dev: raw deflate and inflate streams for WebSocket permessage-deflate (RFC 7692).
#ifndef HERALD_CZLIB_SHIM_H
#define HERALD_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2 and inflateInit2 are macros that pass the library version and the stream's size; Swift cannot call
// them, so these wrappers do.
static inline int herald_deflate_init_raw(z_streamp stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, -windowBits, 8, Z_DEFAULT_STRATEGY);
}

static inline int herald_inflate_init_raw(z_streamp stream, int windowBits) {
    return inflateInit2(stream, -windowBits);
}
#endif
