// cblas from OpenBLAS (Debian libopenblas-dev); openblas_set_num_threads lets `threads` settings reach it.
#ifndef JETTAG_CBLAS_SHIM_H
#define JETTAG_CBLAS_SHIM_H
#include <cblas.h>
#endif
