#!/usr/bin/env python3
"""Splits the CPU samples of a `perf record -g` run into where a download's time goes.

    perf script -i perf.data | bench/perfcost.py CPU_SECONDS DOWNLOADS

Each sample is classed by its stack, first match wins: the store (SQLite and Qt SQL, and the
pwrite/fdatasync/pread calls only SQLite makes here), the network (Qt Network, socket calls),
files (opening, renaming, writing and looking up output and state files), threads (waking and
waiting: futexes, poll, the scheduler), memory (malloc, page faults), other kernel work, and the
rest (Qt's event loop and strings, the job's own logic). User-space frames carry no frame pointers
in a RelWithDebInfo build, so a sample's class comes from its kernel frames, which are whole, else
from its first user frame: the DSO, or the libc function (the system call it wraps). A socket read
and a file read both enter libc's read(): here files are read through pread (SQLite) or rarely,
so read() counts as network.
"""
import sys

# Per class: DSOs of a user-space frame, kernel symbols (prefixes) of a system call's path, and
# the libc functions (prefixes) whose calls it makes.
CLASSES = [
    ("store", ("libsqlite3", "libqsqlite", "libQt6Sql"),
     ("__x64_sys_pwrite64", "__x64_sys_pread64", "__x64_sys_fdatasync", "__x64_sys_fsync"),
     ("__libc_pwrite", "__libc_pread", "pwrite", "pread", "fdatasync", "fsync")),
    ("network", ("libQt6Network", "libssl", "libcrypto"),
     ("sock_", "tcp_", "inet_", "__sys_sendto", "__sys_recvfrom", "__sys_connect"),
     ("read", "__read", "__libc_read", "recv", "send", "connect")),
    ("files", (),
     ("__x64_sys_openat", "__x64_sys_rename", "__x64_sys_renameat", "__x64_sys_mkdir",
      "__x64_sys_unlink", "__x64_sys_statx", "__x64_sys_newfstatat", "__x64_sys_access",
      "__x64_sys_faccessat", "__x64_sys_ftruncate", "__x64_sys_linkat", "__x64_sys_lseek",
      "ext4_", "vfs_write", "generic_perform_write"),
     ("__GI___libc_open", "__libc_open", "open", "rename", "mkdir", "unlink", "__GI___access",
      "access", "statx", "__GI___fstatat", "fstatat", "stat", "ftruncate", "lseek", "__close",
      "close")),
    ("threads", (),
     ("__x64_sys_futex", "__x64_sys_poll", "__x64_sys_ppoll", "eventfd_", "__schedule",
      "__x64_sys_nanosleep", "__x64_sys_clock_nanosleep"),
     ("__poll", "poll", "syscall", "pthread_", "__pthread", "__GI___lll", "__lll", "g_wakeup",
      "__GI___pthread", "eventfd")),
    ("memory", (),
     ("exc_page_fault", "asm_exc_page_fault", "__x64_sys_madvise", "__x64_sys_mprotect",
      "__x64_sys_munmap", "__x64_sys_brk", "__x64_sys_mmap"),
     ("malloc", "_int_malloc", "_int_free", "cfree", "free", "sysmalloc", "malloc_consolidate",
      "unlink_chunk", "__libc_malloc", "__libc_free", "realloc", "_int_realloc", "__madvise",
      "mprotect")),
]


def classify(frames):
    """frames: (symbol, dso) from the top of the stack down."""
    kernel = [sym for sym, dso in frames if "kernel" in dso]
    user = [(sym, dso) for sym, dso in frames if "kernel" not in dso]
    for name, _, kernel_symbols, _ in CLASSES:
        if any(sym.startswith(k) for sym in kernel for k in kernel_symbols):
            return name
    if user:
        symbol, dso = user[0]
        for name, dsos, _, libc_functions in CLASSES:
            if any(d in dso for d in dsos):
                return name
            if "libc.so" in dso and any(symbol.startswith(f) for f in libc_functions):
                return name
    return "kernel" if kernel and not user else "rest"


def samples(stream):
    frames = []
    for line in stream:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line.startswith((" ", "\t")):
            parts = line.split()
            if len(parts) >= 3:
                frames.append((parts[1].split("+")[0], parts[-1]))
    if frames:
        yield frames


def main():
    cpu_seconds, downloads = float(sys.argv[1]), int(sys.argv[2])
    counts = {name: 0 for name, _, _, _ in CLASSES}
    counts["kernel"] = counts["rest"] = 0
    for frames in samples(sys.stdin):
        counts[classify(frames)] += 1
    total = sum(counts.values()) or 1
    print(f"  CPU per download by part ({cpu_seconds:.2f} s CPU, {downloads} downloads, "
          f"{total} samples):")
    labels = {"rest": "rest: Qt's event loop, strings, the job's logic"}
    for name, count in counts.items():
        share = count / total
        print(f"    {name:<8} {share * 100:5.1f}%  {share * cpu_seconds / downloads * 1e6:7.0f} us"
              f"  {labels.get(name, '')}".rstrip())
    print(f"    {'all':<8} 100.0%  {cpu_seconds / downloads * 1e6:7.0f} us")


if __name__ == "__main__":
    main()
