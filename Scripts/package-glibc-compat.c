// Linked into the tarball's bin/jettag only (Scripts/package.sh, `-Xlinker --wrap=NAME`): it keeps the binary
// linked on Debian 12 (glibc 2.36) loadable by EL9's glibc 2.34.
// - hypot, hypotf: glibc 2.35 gave them a new symbol version (a new errno wrapper around the same __ieee754_hypot);
//   the calls go on to the versions every x86-64 glibc has (GLIBC_2.2.5), whose finite results are the same bits.
// - arc4random (glibc 2.36), which the static libstdc++'s std::random_device asks for: from getrandom (glibc 2.25).
#include <errno.h>
#include <sys/random.h>

double jettag_hypot_2_2_5(double x, double y);
float jettag_hypotf_2_2_5(float x, float y);
__asm__(".symver jettag_hypot_2_2_5, hypot@GLIBC_2.2.5");
__asm__(".symver jettag_hypotf_2_2_5, hypotf@GLIBC_2.2.5");

double __wrap_hypot(double x, double y) { return jettag_hypot_2_2_5(x, y); }
float __wrap_hypotf(float x, float y) { return jettag_hypotf_2_2_5(x, y); }

unsigned int __wrap_arc4random(void) {
    unsigned int value;
    while (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) {
        if (errno != EINTR && errno != EAGAIN) break;
    }
    return value;
}
