/*
 * cffi_shim.h — what Swift 6 cannot take from <ffi.h> directly.
 *
 * libffi describes C types through mutable globals (`ffi_type_double`, ...);
 * Swift 6 rejects references to them as "not concurrency-safe". These
 * functions return their addresses instead. libffi never writes to the
 * built-in type descriptors after start-up, so sharing them is safe.
 */
#ifndef CFFI_SHIM_H
#define CFFI_SHIM_H

#include <ffi.h>

ffi_type *cffi_type_void(void);
ffi_type *cffi_type_uint8(void);
ffi_type *cffi_type_sint32(void);
ffi_type *cffi_type_sint64(void);
ffi_type *cffi_type_double(void);
ffi_type *cffi_type_pointer(void);

/** `ffi_prep_cif` with the platform's default calling convention. */
ffi_status cffi_prep_cif(ffi_cif *cif, unsigned int nargs, ffi_type *rtype, ffi_type **atypes);

#endif /* CFFI_SHIM_H */
