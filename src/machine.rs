//! What this machine has: its memory, measured once. The one owner of the
//! question, asked by the allocator (no request beyond memory and swap)
//! and by the cache readers (no file read whole past a share of memory).

use std::sync::atomic::{AtomicU64, Ordering};

/// The machine's memory as (RAM, RAM and swap) in bytes; `u64::MAX` for
/// both where it cannot be known. Measured on first use; it allocates
/// nothing, so the allocator itself may ask.
fn measured() -> (u64, u64) {
    static RAM: AtomicU64 = AtomicU64::new(0);
    static WITH_SWAP: AtomicU64 = AtomicU64::new(0);
    let known = (
        RAM.load(Ordering::Relaxed),
        WITH_SWAP.load(Ordering::Relaxed),
    );
    if known.0 != 0 && known.1 != 0 {
        return known;
    }
    let found = sysinfo_bytes().unwrap_or((u64::MAX, u64::MAX));
    RAM.store(found.0, Ordering::Relaxed);
    WITH_SWAP.store(found.1, Ordering::Relaxed);
    found
}

#[cfg(target_os = "linux")]
fn sysinfo_bytes() -> Option<(u64, u64)> {
    // SAFETY: sysinfo fills the zeroed struct it is given; no allocation.
    let mut si: libc::sysinfo = unsafe { std::mem::zeroed() };
    if unsafe { libc::sysinfo(&mut si) } != 0 {
        return None;
    }
    // `c_ulong`: u32 on 32-bit targets, where the conversion is not the
    // same type.
    #[allow(clippy::useless_conversion)]
    let (unit, ram, swap) = (
        u64::from(si.mem_unit.max(1)),
        u64::from(si.totalram),
        u64::from(si.totalswap),
    );
    let ram = ram.saturating_mul(unit);
    (ram > 0).then(|| (ram, ram.saturating_add(swap.saturating_mul(unit))))
}

/// Elsewhere RAM only (swap is not asked for portably): the allocator's
/// bound is then RAM, stricter than Linux's.
#[cfg(all(unix, not(target_os = "linux")))]
fn sysinfo_bytes() -> Option<(u64, u64)> {
    // SAFETY: sysconf only reads system values.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let ram = u64::try_from(pages)
        .ok()?
        .saturating_mul(u64::try_from(size).ok()?);
    (ram > 0).then_some((ram, ram))
}

#[cfg(not(unix))]
fn sysinfo_bytes() -> Option<(u64, u64)> {
    None
}

/// The machine's RAM in bytes (`u64::MAX` when unknown).
pub fn ram() -> u64 {
    measured().0
}

/// The machine's RAM and swap together in bytes (`u64::MAX` when unknown).
pub fn ram_and_swap() -> u64 {
    measured().1
}

#[cfg(test)]
mod tests {
    #[test]
    fn memory_is_measured_and_swap_only_adds() {
        let (ram, all) = (super::ram(), super::ram_and_swap());
        assert!(ram > 1 << 20, "{ram}");
        assert!(all >= ram, "{all} < {ram}");
        assert_eq!(super::ram(), ram, "measured once, the same after");
    }
}
