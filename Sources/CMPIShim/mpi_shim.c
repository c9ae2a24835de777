#include "mpi_shim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef void *Handle;  // MPI_Comm, MPI_Datatype: pointers in Open MPI's ABI

static struct {
    int (*initialized)(int *);
    int (*init)(int *, char ***);
    int (*comm_rank)(Handle, int *);
    int (*comm_size)(Handle, int *);
    int (*allgather)(const void *, int, Handle, void *, int, Handle, Handle);
    int (*allgatherv)(const void *, int, Handle, void *, const int *, const int *, Handle, Handle);
    int (*bcast)(void *, int, Handle, int, Handle);
    int (*barrier)(Handle);
    int (*abort)(Handle, int);
    int (*finalize)(void);
    int (*error_string)(int, char *, int *);
    Handle world;
    Handle byte;
} mpi;

static void *library_handle;

int jt_mpi_load(const char *library, char *reason, int capacity) {
    if (library_handle) return 0;
    // RTLD_GLOBAL: Open MPI's plugins (dlopened by libmpi) resolve libmpi's symbols globally.
    void *handle = dlopen(library, RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
        snprintf(reason, capacity, "%s", dlerror());
        return -1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Initialized", (void **)&mpi.initialized}, {"MPI_Init", (void **)&mpi.init},
        {"MPI_Comm_rank", (void **)&mpi.comm_rank}, {"MPI_Comm_size", (void **)&mpi.comm_size},
        {"MPI_Allgather", (void **)&mpi.allgather}, {"MPI_Allgatherv", (void **)&mpi.allgatherv},
        {"MPI_Bcast", (void **)&mpi.bcast}, {"MPI_Barrier", (void **)&mpi.barrier},
        {"MPI_Abort", (void **)&mpi.abort}, {"MPI_Finalize", (void **)&mpi.finalize},
        {"MPI_Error_string", (void **)&mpi.error_string},
        {"ompi_mpi_comm_world", &mpi.world}, {"ompi_mpi_byte", &mpi.byte},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        *symbols[i].slot = dlsym(handle, symbols[i].name);
        if (!*symbols[i].slot) {
            snprintf(reason, capacity, "%s has no symbol %s (JetTag needs Open MPI 4 or later)", library,
                     symbols[i].name);
            dlclose(handle);
            return -1;
        }
    }
    library_handle = handle;
    return 0;
}

// The watchdog: the deadline (CLOCK_MONOTONIC nanoseconds) of the collective in progress, 0 when none.
static _Atomic long long deadline;
static _Atomic(const char *) operation;
static double timeout_seconds;
static int watchdog_rank;
static pthread_t watchdog;
static int watchdog_started;

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *watch(void *unused) {
    (void)unused;
    for (;;) {
        sleep(1);
        long long due = atomic_load(&deadline);
        if (due != 0 && now_ns() > due) {
            fprintf(stderr, "Error: rank %d: MPI %s did not complete within %.0f s (JETTAG_MPI_TIMEOUT); "
                            "another rank is stuck or gone; ending this rank\n",
                    watchdog_rank, atomic_load(&operation), timeout_seconds);
            fflush(stderr);
            _exit(75);
        }
    }
    return NULL;
}

void jt_mpi_set_timeout(double seconds, int rank) {
    timeout_seconds = seconds;
    watchdog_rank = rank;
    if (seconds > 0 && !watchdog_started) {
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        watchdog_started = pthread_create(&watchdog, &attributes, watch, NULL) == 0;
        pthread_attr_destroy(&attributes);
    }
}

static void begin(const char *name) {
    if (timeout_seconds <= 0) return;
    atomic_store(&operation, name);
    atomic_store(&deadline, now_ns() + (long long)(timeout_seconds * 1e9));
}

static int end(int code) {
    atomic_store(&deadline, 0);
    return code;
}

int jt_mpi_init(int *rank, int *size) {
    if (!library_handle) return -1;
    int initialized = 0;
    int code = mpi.initialized(&initialized);
    if (code == 0 && !initialized) code = mpi.init(NULL, NULL);
    if (code == 0) code = mpi.comm_rank(mpi.world, rank);
    if (code == 0) code = mpi.comm_size(mpi.world, size);
    return code;
}

int jt_mpi_allgather(const void *send, int bytes, void *received) {
    if (!library_handle) return -1;
    begin("allgather");
    return end(mpi.allgather(send, bytes, mpi.byte, received, bytes, mpi.byte, mpi.world));
}

int jt_mpi_allgatherv(const void *send, int bytes, void *received, const int *counts, const int *displacements) {
    if (!library_handle) return -1;
    begin("allgatherv");
    return end(mpi.allgatherv(send, bytes, mpi.byte, received, counts, displacements, mpi.byte, mpi.world));
}

int jt_mpi_bcast(void *buffer, int bytes, int root) {
    if (!library_handle) return -1;
    begin("broadcast");
    return end(mpi.bcast(buffer, bytes, mpi.byte, root, mpi.world));
}

int jt_mpi_barrier(void) {
    if (!library_handle) return -1;
    begin("barrier");
    return end(mpi.barrier(mpi.world));
}

void jt_mpi_abort(int code) {
    if (library_handle) mpi.abort(mpi.world, code);
    _exit(code);
}

int jt_mpi_finalize(void) {
    if (!library_handle) return -1;
    return mpi.finalize();
}

void jt_mpi_error(int code, char *text, int capacity) {
    if (code == -1 || !library_handle) {
        snprintf(text, capacity, "the MPI library is not loaded");
        return;
    }
    char buffer[512];
    int length = 0;
    if (mpi.error_string(code, buffer, &length) == 0) snprintf(text, capacity, "%.*s", length, buffer);
    else snprintf(text, capacity, "MPI error %d", code);
}
