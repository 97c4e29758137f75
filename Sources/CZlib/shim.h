#ifndef COPYDESK_CZLIB_SHIM_H
#define COPYDESK_CZLIB_SHIM_H
// zlib from the system (Debian `zlib1g-dev`): records mode reads `.jsonl.gz` through gzread.
#include <zlib.h>
#endif
