// The batch framing of a colwasm/1 operator, which `act` in lib.rs builds on: the input region the
// host writes each batch into (`alloc`), the slices of a format-0.1 batch, and the output batch,
// kept at an 8-aligned address until the next batch. A batch is a sequence of slices, each a u64
// byte length then its bytes padded to 8.

/// The input region: u64 words, so its address is 8-aligned as the ABI requires.
static mut INPUT: Vec<u64> = Vec::new();
/// The output batch, kept until the next batch (the host reads it after `act` returns).
static mut OUTPUT: Vec<u64> = Vec::new();

/// Called by the host before each batch: an 8-aligned region of `size` bytes for the input.
#[no_mangle]
pub extern "C" fn alloc(size: i32) -> *mut u8 {
    unsafe {
        INPUT = vec![0u64; (size as usize + 7) / 8];
        INPUT.as_mut_ptr() as *mut u8
    }
}

/// The input batch `act` was given, as bytes.
pub fn input<'a>(ptr: *const u8, len: i32) -> &'a [u8] {
    unsafe { std::slice::from_raw_parts(ptr, len as usize) }
}

/// The slice at `at`: its bytes, and where the next slice starts.
pub fn slice(batch: &[u8], at: usize) -> (&[u8], usize) {
    let length = u64::from_le_bytes(batch[at..at + 8].try_into().unwrap()) as usize;
    (&batch[at + 8..at + 8 + length], at + 8 + ((length + 7) & !7))
}

/// Appends `data` as a slice: its u64 byte length, its bytes, zeros up to a multiple of 8.
pub fn push_slice(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(data);
    out.resize((out.len() + 7) & !7, 0);
}

/// Keeps `batch` (slices pushed with `push_slice`) until the next batch; returns its address for
/// `act` to return. It is copied into u64 words: the output address must be 8-aligned too.
pub fn finish(batch: &[u8]) -> *const u8 {
    unsafe {
        OUTPUT = vec![0u64; batch.len() / 8];
        std::slice::from_raw_parts_mut(OUTPUT.as_mut_ptr() as *mut u8, batch.len()).copy_from_slice(batch);
        OUTPUT.as_ptr() as *const u8
    }
}
