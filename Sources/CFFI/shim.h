/* libffi as a SwiftPM system library (pkg-config libffi, apt libffi-dev). */
#include <ffi.h>
