// cblas from OpenBLAS (Debian libopenblas-dev); openblas_set_num_threads lets `threads` settings reach it, and
// openblas_get_corename / openblas_get_config say which kernels it selected. The CPUID helpers below let JetNN
// check that choice against the vector extensions of the CPU (see BLASKernelSelection).
#ifndef JETTAG_CBLAS_SHIM_H
#define JETTAG_CBLAS_SHIM_H
#include <cblas.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/// CPUID `leaf`, `subleaf` into regs = {eax, ebx, ecx, edx}; returns 0 (regs untouched) when the CPU has no such leaf.
static inline int jettag_cpuid(unsigned int leaf, unsigned int subleaf, unsigned int regs[4]) {
    if (__get_cpuid_max(leaf & 0x80000000u, 0) < leaf) return 0;
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
    return 1;
}

/// XCR0, the register states the operating system saves (bits 1-2: SSE/AVX, 5-7: AVX-512); 0 without OSXSAVE.
static inline unsigned long long jettag_xcr0(void) {
    unsigned int regs[4];
    if (!jettag_cpuid(1, 0, regs) || !(regs[2] & (1u << 27))) return 0;
    unsigned int low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((unsigned long long)high << 32) | low;
}
#else
static inline int jettag_cpuid(unsigned int leaf, unsigned int subleaf, unsigned int regs[4]) { return 0; }
static inline unsigned long long jettag_xcr0(void) { return 0; }
#endif
#endif
