// CZlibSystem: zlib's header (gzip-compressed IDX datasets). Named apart from ZIPFoundation's
// own CZlib module, which the same build links.
#include <zlib.h>
