#ifndef JETTAG_MPI_SHIM_H
#define JETTAG_MPI_SHIM_H

// Open MPI reached at run time: jt_mpi_load dlopens libmpi and resolves the few functions and handles JetTag uses,
// so the package builds and runs without MPI installed. MPI_COMM_WORLD and MPI_BYTE are macros over Open MPI's
// incomplete types (&ompi_mpi_comm_world, &ompi_mpi_byte); here they are the symbols' addresses, found by dlsym.
// Every collective moves bytes (MPI_BYTE) on MPI_COMM_WORLD. Return values: 0 on success, else an MPI error code
// (or -1 when the library is not loaded); jt_mpi_error writes a description.

#ifdef __cplusplus
extern "C" {
#endif

/// Loads `library` (e.g. "libmpi.so.40") and resolves its symbols; on failure writes the reason into `reason`.
int jt_mpi_load(const char *library, char *reason, int reasonCapacity);
/// MPI_Init (if not yet initialised), then the rank and size of MPI_COMM_WORLD.
int jt_mpi_init(int *rank, int *size);
/// MPI_Allgather of `bytes` bytes from every rank into `received` (size x bytes, in rank order).
int jt_mpi_allgather(const void *send, int bytes, void *received);
/// MPI_Allgatherv: rank r contributes counts[r] bytes, placed at displacements[r] of `received`.
int jt_mpi_allgatherv(const void *send, int bytes, void *received, const int *counts, const int *displacements);
/// MPI_Bcast of `bytes` bytes from `root`.
int jt_mpi_bcast(void *buffer, int bytes, int root);
int jt_mpi_barrier(void);
/// MPI_Abort on MPI_COMM_WORLD: ends every rank of the job.
void jt_mpi_abort(int code);
int jt_mpi_finalize(void);
/// The MPI library's description of an error code.
void jt_mpi_error(int code, char *text, int capacity);
/// A watchdog thread ends this process (exit code 75, after a line on stderr naming the rank and the operation)
/// when one collective takes more than `seconds`; 0 turns it off.
void jt_mpi_set_timeout(double seconds, int rank);

#ifdef __cplusplus
}
#endif

#endif
