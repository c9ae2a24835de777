// HDF5 through Swift: the library's type and property-list identifiers are macros that expand to
// H5open() calls or to global variables Swift 6 rejects, so they are exposed as inline functions here.
#ifndef JETTAG_CHDF5_SHIM_H
#define JETTAG_CHDF5_SHIM_H
#include <stdio.h>
#include <hdf5.h>
#include <zlib.h>
#include <libdeflate.h>

static inline hid_t jt_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t jt_h5s_all(void) { return H5S_ALL; }
static inline hid_t jt_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t jt_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t jt_h5p_dataset_xfer(void) { return H5P_DATASET_XFER; }
static inline hid_t jt_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t jt_h5p_link_create(void) { return H5P_LINK_CREATE; }

static inline hid_t jt_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t jt_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t jt_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t jt_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t jt_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t jt_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t jt_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t jt_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t jt_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t jt_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t jt_c_s1(void) { return H5T_C_S1; }

static inline unsigned jt_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned jt_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned jt_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned jt_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hsize_t jt_h5s_unlimited(void) { return H5S_UNLIMITED; }

/// Silences HDF5's own error-stack printing; JetTag reports errors itself.
static inline void jt_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static inline herr_t jt_h5_innermost_error(unsigned n, const H5E_error2_t *entry, void *buffer) {
    if (n == 0 && entry->desc != NULL) {
        char minor[160] = "";
        H5Eget_msg(entry->min_num, NULL, minor, sizeof minor);
        snprintf((char *)buffer, 256, "%s%s%s", entry->desc, minor[0] ? ": " : "", minor);
    }
    return 0;
}

/// The most specific entry of this thread's HDF5 error stack (where the failure was detected) into
/// `buffer` (at least 256 bytes), empty when the stack is empty.
static inline void jt_h5_last_error(char *buffer) {
    buffer[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, jt_h5_innermost_error, buffer);
}
#endif
