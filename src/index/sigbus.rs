//! A cache file truncated in place while it is mapped.
//!
//! The index's segment files (and its stamp file) are memory-mapped: a
//! search reads a few pages of files holding hundreds of MB, where reading
//! them whole would cost more than the whole search. But if another program
//! truncates one of them in place while kith has it mapped (a backup tool
//! restoring, a disk cleaner, `truncate`), the next read of a page past the
//! new end raises SIGBUS, which kills the process with no word. kith only
//! ever replaces these files by a rename, so this is someone else's doing,
//! and rare; but a search must never just die.
//!
//! So while an index is open, SIGBUS is caught. When the faulting address
//! lies in a mapping of a file under `.kith/cache/`, a search (which has
//! changed nothing yet) runs itself again: the new process finds the file
//! short, rebuilds the index and answers, saying so. Any other command
//! stops with a message saying what happened and that the next run
//! rebuilds the index. A SIGBUS anywhere else is left to kill the process
//! as before. Linux only (the mapping is found in `/proc/self/maps`).
//!
//! A flipped bit in a segment file can make tantivy read a length of 2^58
//! and ask for that much memory, which aborts the process (SIGABRT, after
//! Rust's "memory allocation of … failed"): no panic guard can catch it. So
//! a search also runs itself again on SIGABRT, once; the second run
//! ([`is_rerun`]) checks every file of the index against its checksum
//! first, and rebuilds a damaged index (saying so) before it answers.

/// Catches SIGBUS from a truncated cache file from now on (once per
/// process). `rerun`: run the same command again instead of stopping (only
/// for commands that have written nothing by then, like `search`).
#[cfg(target_os = "linux")]
pub fn guard(rerun: bool) {
    imp::guard(rerun);
}

#[cfg(not(target_os = "linux"))]
pub fn guard(_rerun: bool) {}

/// The process's allocator: mimalloc (v2), except that a request no
/// machine could meet (16 TiB or more: a length read from a damaged file)
/// in a search runs the search again as SIGABRT does, before Rust prints
/// "memory allocation of … failed" with a backtrace and aborts; and a
/// request larger than this machine's memory and swap together fails at
/// once, as it did with the system's allocator.
pub struct Allocator;

/// Larger than any memory there is.
const IMPOSSIBLE: usize = 1 << 44;

/// Below this, no request is weighed against the machine's memory: the
/// common path costs one comparison.
const LARGE: usize = 1 << 30;

/// Can no machine, or not this one, meet a request of `size` bytes?
/// mimalloc reserves address space without counting it against memory (a
/// 100 GiB reservation succeeds on a machine of 16 GB): a length read from
/// a damaged cache or index file and asked for whole (tantivy reads a
/// flipped length of 2^40 and reserves it) was granted, and filling it
/// brought the OOM killer instead of the allocation failure, caught and
/// answered (a search runs again and rebuilds its index), that glibc's
/// overcommit heuristic gave.
fn beyond_memory(size: usize) -> bool {
    size >= LARGE && (size >= IMPOSSIBLE || size as u64 > crate::machine::ram_and_swap())
}

// Mimalloc, not the system's: decoding the vault is a few million small
// allocations on two threads, and glibc's per-thread arenas spent a tenth
// of the digest's time in page faults, `mprotect` and `malloc` itself
// (1.04 s → 0.84 s after an edit at 100k people, peak memory unchanged;
// mimalloc v3 was as fast but peaked up to 530 MB, v2 at 410–455 MB).
// SAFETY: every call is mimalloc's, with the same arguments, or fails
// (a null pointer) without touching anything.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if beyond_memory(layout.size()) {
            impossible(layout.size());
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if beyond_memory(layout.size()) {
            impossible(layout.size());
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if beyond_memory(new_size) {
            impossible(new_size);
            // A failed realloc leaves the old block as it was.
            return std::ptr::null_mut();
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// A search asked for memory no machine has: run it again (no return)
/// when armed by [`guard`]; otherwise return, and the allocation fails as
/// usual. A request only beyond this machine's memory fails without a
/// second run (a fallible one, `try_reserve`, is answered by its caller).
fn impossible(size: usize) {
    #[cfg(target_os = "linux")]
    if size >= IMPOSSIBLE {
        imp::again();
    }
    #[cfg(not(target_os = "linux"))]
    let _ = size;
}

/// Is this the second run of a search stopped by a fault? Its index is
/// then checked whole before it is trusted.
pub fn is_rerun() -> bool {
    #[cfg(target_os = "linux")]
    {
        std::env::var_os(imp::AGAIN).is_some()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::ffi::{CString, c_char, c_int, c_void};
    use std::os::unix::ffi::OsStrExt;
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

    /// Set in the environment of the second run, which must not run again.
    pub(super) const AGAIN: &str = "KITH_SIGBUS_RERUN";

    static INSTALL: Once = Once::new();
    static ABORT: Once = Once::new();
    static RERUN: AtomicBool = AtomicBool::new(false);
    /// This process's arguments and environment (plus [`AGAIN`]) as
    /// `execve` wants them, made before any fault: a signal handler may
    /// not allocate.
    static ARGV: AtomicPtr<*const c_char> = AtomicPtr::new(std::ptr::null_mut());
    static ENVP: AtomicPtr<*const c_char> = AtomicPtr::new(std::ptr::null_mut());

    pub fn guard(rerun: bool) {
        if rerun && std::env::var_os(AGAIN).is_none() && ARGV.load(Ordering::Acquire).is_null() {
            let args = std::env::args_os().map(|a| a.as_bytes().to_vec());
            let mut env: Vec<Vec<u8>> = std::env::vars_os()
                .map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat())
                .collect();
            env.push(format!("{AGAIN}=1").into_bytes());
            if let (Some(argv), Some(envp)) = (c_array(args), c_array(env.into_iter())) {
                ENVP.store(envp, Ordering::Release);
                ARGV.store(argv, Ordering::Release);
            }
        }
        if rerun {
            RERUN.store(true, Ordering::Release);
        }
        // The second run is exec'd from inside the handler, where SIGBUS is
        // blocked, and the mask survives `execve`: left blocked, a fault
        // would skip the handler and kill the process without a word.
        // SAFETY: a zeroed sigset filled by sigemptyset/sigaddset; changes
        // only this thread's mask (threads started later inherit it).
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGBUS);
            libc::sigaddset(&mut set, libc::SIGABRT);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
        if rerun {
            ABORT.call_once(|| {
                // SAFETY: as for SIGBUS below; the handler only writes,
                // changes the mask and execs.
                unsafe {
                    let mut sa: libc::sigaction = std::mem::zeroed();
                    sa.sa_sigaction = on_sigabrt as *const () as libc::sighandler_t;
                    sa.sa_flags = libc::SA_SIGINFO;
                    libc::sigemptyset(&mut sa.sa_mask);
                    libc::sigaction(libc::SIGABRT, &sa, std::ptr::null_mut());
                }
            });
        }
        INSTALL.call_once(|| {
            // SAFETY: a zeroed sigaction is valid; the handler has the
            // SA_SIGINFO signature and only calls async-signal-safe
            // functions (open, read, close, write, execve, _exit, signal).
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_sigbus as *const () as libc::sighandler_t;
                sa.sa_flags = libc::SA_SIGINFO;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
            }
        });
    }

    /// A NULL-terminated array of C strings, leaked (it lives as long as
    /// the process); `None` if one holds a NUL.
    fn c_array(items: impl Iterator<Item = Vec<u8>>) -> Option<*mut *const c_char> {
        let owned: Vec<CString> = items.map(CString::new).collect::<Result<_, _>>().ok()?;
        let owned: &'static [CString] = Box::leak(owned.into_boxed_slice());
        let mut ptrs: Vec<*const c_char> = owned.iter().map(|c| c.as_ptr()).collect();
        ptrs.push(std::ptr::null());
        Some(Box::leak(ptrs.into_boxed_slice()).as_mut_ptr())
    }

    fn say(msg: &[u8]) {
        // SAFETY: write(2) of a valid buffer; async-signal-safe.
        unsafe { libc::write(2, msg.as_ptr().cast::<c_void>(), msg.len()) };
    }

    extern "C" fn on_sigbus(_sig: c_int, info: *mut libc::siginfo_t, _ctx: *mut c_void) {
        // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
        // `si_code > 0`: raised by the kernel for a fault, so `si_addr` is
        // an address (for one sent by kill or sigqueue it holds the
        // sender's pid and uid).
        let (code, addr) = unsafe { ((*info).si_code, (*info).si_addr() as usize) };
        if code <= 0 || !in_cache_mapping(addr) {
            // Not ours: the default action ends the process, as without
            // this handler. Raised again, since a SIGBUS sent by another
            // process does not recur on return (returning swallowed it);
            // it is delivered once the handler returns and unblocks it.
            // SAFETY: signal(2) and raise(3) are async-signal-safe.
            unsafe {
                libc::signal(libc::SIGBUS, libc::SIG_DFL);
                libc::raise(libc::SIGBUS);
            }
            return;
        }
        let argv = ARGV.load(Ordering::Acquire);
        let envp = ENVP.load(Ordering::Acquire);
        if RERUN.load(Ordering::Acquire) && !argv.is_null() && !envp.is_null() {
            say(
                b"kith: a file of the search index was cut short by another program while this search read it; searching again\n",
            );
            // SAFETY: NULL-terminated arrays of C strings made in `guard`
            // and never freed; sigprocmask and execve are async-signal-safe.
            // The mask survives execve: SIGBUS, blocked while this handler
            // runs, is unblocked first. execve returns only on failure.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGBUS);
                libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
                libc::execve(
                    c"/proc/self/exe".as_ptr(),
                    argv.cast_const(),
                    envp.cast_const(),
                )
            };
        }
        say(
            b"error: a file of kith's cache (.kith/cache/) was cut short by another program while kith read it\n  hint: run the command again: the damaged cache is rebuilt\n",
        );
        // SAFETY: _exit is async-signal-safe; nothing is left half-written
        // (kith replaces files by rename).
        unsafe { libc::_exit(c_int::from(crate::error::exit::ERROR)) };
    }

    /// A search aborting (a huge allocation asked for by a damaged index
    /// file, most likely): run it again, once, checking the index first.
    /// Returning lets `abort` end the process as without this handler.
    /// A SIGABRT sent by another process (`kill -ABRT`, a supervisor
    /// asking for a core dump) is no fault of the index: it ends the
    /// process as without this handler.
    extern "C" fn on_sigabrt(_sig: c_int, info: *mut libc::siginfo_t, _ctx: *mut c_void) {
        // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO
        // handler; `abort` raises the signal with this process's pid as
        // the sender's (SI_TKILL), `kill` from elsewhere with another.
        // getpid is async-signal-safe.
        let sender = unsafe { (*info).si_pid() };
        if sender != unsafe { libc::getpid() } {
            // Returning would swallow a sent signal (it does not recur):
            // raised again with the default action, delivered once the
            // handler returns and unblocks it.
            // SAFETY: signal(2) and raise(3) are async-signal-safe.
            unsafe {
                libc::signal(libc::SIGABRT, libc::SIG_DFL);
                libc::raise(libc::SIGABRT);
            }
            return;
        }
        again();
    }

    /// Runs this search again, checking its index first (no return), when
    /// [`guard`] armed it and this is not the second run already; else
    /// returns. Async-signal-safe, and allocates nothing.
    pub(super) fn again() {
        // The arguments are made only for a first run (see `guard`).
        if !RERUN.load(Ordering::Acquire) {
            return;
        }
        let argv = ARGV.load(Ordering::Acquire);
        let envp = ENVP.load(Ordering::Acquire);
        if argv.is_null() || envp.is_null() {
            return;
        }
        say(
            b"kith: the search stopped on a damaged file of its index; checking the index and searching again\n",
        );
        // SAFETY: as in `on_sigbus`; SIGABRT is blocked while its handler
        // runs, and the mask survives execve.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGABRT);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::execve(
                c"/proc/self/exe".as_ptr(),
                argv.cast_const(),
                envp.cast_const(),
            )
        };
    }

    /// Does `addr` lie in a mapping of a file under `.kith/cache/`? Read
    /// from `/proc/self/maps` with stack buffers only (no allocation in a
    /// signal handler); `false` when it cannot be told.
    fn in_cache_mapping(addr: usize) -> bool {
        // SAFETY: open/read/close of a proc file into stack buffers.
        let fd = unsafe {
            libc::open(
                c"/proc/self/maps".as_ptr(),
                libc::O_RDONLY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return false;
        }
        let mut chunk = [0u8; 4096];
        // A line: at most an address range, fields and a path (PATH_MAX).
        let mut line = [0u8; 8192];
        let mut len = 0;
        let mut found = None;
        'read: loop {
            // SAFETY: reading into a stack buffer of that size.
            let n = unsafe { libc::read(fd, chunk.as_mut_ptr().cast::<c_void>(), chunk.len()) };
            let Ok(n) = usize::try_from(n) else { break };
            if n == 0 {
                break;
            }
            for &b in &chunk[..n] {
                if b != b'\n' {
                    if len < line.len() {
                        line[len] = b;
                        len += 1;
                    }
                    continue;
                }
                if let Some(hit) = line_holds(&line[..len], addr) {
                    found = Some(hit);
                    break 'read;
                }
                len = 0;
            }
        }
        // SAFETY: our own descriptor.
        unsafe { libc::close(fd) };
        found.unwrap_or(false)
    }

    /// For a `/proc/self/maps` line: `None` if its range does not hold
    /// `addr`, else whether its file is under `.kith/cache/`.
    pub(super) fn line_holds(line: &[u8], addr: usize) -> Option<bool> {
        let dash = line.iter().position(|&b| b == b'-')?;
        let space = line.iter().position(|&b| b == b' ')?;
        let start = hex(line.get(..dash)?)?;
        let end = hex(line.get(dash + 1..space)?)?;
        if !(start <= addr && addr < end) {
            return None;
        }
        let marker = b"/.kith/cache/";
        Some(line.windows(marker.len()).any(|w| w == marker))
    }

    fn hex(s: &[u8]) -> Option<usize> {
        let mut v: usize = 0;
        for &c in s {
            let d = (c as char).to_digit(16)?;
            v = v.checked_mul(16)?.checked_add(d as usize)?;
        }
        (!s.is_empty()).then_some(v)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::imp::line_holds;

    /// mimalloc granted 100 GiB (and more) without a word on a machine of
    /// 23 GB; a read into it then filled memory. Beyond the machine's memory
    /// and swap, the allocation fails now.
    #[test]
    fn a_request_beyond_the_machine_s_memory_fails_at_once() {
        use std::alloc::{GlobalAlloc, Layout};
        // 8 TiB: below the impossible 16 TiB, above any machine's memory.
        let huge = Layout::from_size_align(1 << 43, 8).unwrap();
        // SAFETY: a valid layout; a non-null result is freed at once.
        unsafe {
            let p = super::Allocator.alloc(huge);
            if !p.is_null() {
                super::Allocator.dealloc(p, huge);
            }
            assert!(p.is_null(), "8 TiB granted");
            let small = Layout::from_size_align(1 << 20, 8).unwrap();
            let p = super::Allocator.alloc_zeroed(small);
            assert!(!p.is_null());
            let q = super::Allocator.realloc(p, small, 1 << 43);
            assert!(q.is_null(), "8 TiB granted by realloc");
            super::Allocator.dealloc(p, small);
        }
    }

    #[test]
    fn a_maps_line_says_whether_it_holds_the_address_and_is_the_cache() {
        let l =
            b"7f0000001000-7f0000003000 r--s 00000000 fd:01 123 /home/a/v/.kith/cache/index/x.idx";
        assert_eq!(line_holds(l, 0x7f00_0000_1000), Some(true));
        assert_eq!(line_holds(l, 0x7f00_0000_2fff), Some(true));
        assert_eq!(line_holds(l, 0x7f00_0000_3000), None);
        let other = b"7f0000001000-7f0000003000 r-xp 00000000 fd:01 9 /usr/bin/kith";
        assert_eq!(line_holds(other, 0x7f00_0000_2000), Some(false));
        assert_eq!(line_holds(b"garbage", 1), None);
    }
}
