// Linked into the tarball's bin/jettag only (Scripts/package.sh, `-Xlinker --wrap=arc4random`), to keep the binary
// linked on Debian 12 (glibc 2.36) loadable by EL9's glibc 2.34: the static libstdc++'s std::random_device asks
// for arc4random (glibc 2.36); this one reads getrandom (glibc 2.25), as glibc's own arc4random does.
#include <errno.h>
#include <sys/random.h>

unsigned int __wrap_arc4random(void) {
    unsigned int value = 0;
    while (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) {
        if (errno != EINTR && errno != EAGAIN) break;
    }
    return value;
}
