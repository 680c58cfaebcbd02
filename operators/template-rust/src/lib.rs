// NAME: a colwasm/1 operator in Rust, (String, i64) -> (String, i64), scaffolded by
// `colwasm new NAME --lang rust`. It passes each record through unchanged: replace the loop in
// `act`. See README.md for the build, and the ABI (spec operator-abi.md) for what the host does.
//
// A batch in format 0.1 is a sequence of slices, each a u64 byte length then its bytes padded to 8.
// (String, i64) has three: the text end-offsets (u64 each), the text bytes (UTF-8), the diffs (i64).

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

/// The slice at `at`: its bytes, and where the next slice starts.
fn slice(batch: &[u8], at: usize) -> (&[u8], usize) {
    let length = u64::from_le_bytes(batch[at..at + 8].try_into().unwrap()) as usize;
    (&batch[at + 8..at + 8 + length], at + 8 + ((length + 7) & !7))
}

/// Appends `data` as a slice: its u64 byte length, its bytes, zeros up to a multiple of 8.
fn push_slice(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(data);
    out.resize((out.len() + 7) & !7, 0);
}

/// Reads the input batch at [ptr, ptr + len) and returns the address of the output batch.
/// A panic fails the batch; its message (on wasm32-wasip1) is in the host's error.
#[no_mangle]
pub extern "C" fn act(ptr: *const u8, len: i32) -> *const u8 {
    let input = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
    let (ends, next) = slice(input, 0);
    let (text, next) = slice(input, next);
    let (diffs, _) = slice(input, next);

    let mut out_ends: Vec<u8> = Vec::with_capacity(ends.len());
    let mut out_text: Vec<u8> = Vec::with_capacity(text.len());
    let mut out_diffs: Vec<u8> = Vec::with_capacity(diffs.len());
    let mut start = 0usize;
    for (i, end) in ends.chunks_exact(8).enumerate() {
        let end = u64::from_le_bytes(end.try_into().unwrap()) as usize;
        let record = &text[start..end]; // this record's text, UTF-8
        let diff = i64::from_le_bytes(diffs[8 * i..8 * i + 8].try_into().unwrap());
        start = end;
        // Example: copy each record through unchanged.
        out_text.extend_from_slice(record);
        out_ends.extend_from_slice(&(out_text.len() as u64).to_le_bytes());
        out_diffs.extend_from_slice(&diff.to_le_bytes());
    }

    let mut batch = Vec::with_capacity(out_ends.len() + out_text.len() + out_diffs.len() + 32);
    push_slice(&mut batch, &out_ends);
    push_slice(&mut batch, &out_text);
    push_slice(&mut batch, &out_diffs);
    unsafe {
        // copied into u64 words: the output address must be 8-aligned too
        OUTPUT = vec![0u64; batch.len() / 8];
        std::slice::from_raw_parts_mut(OUTPUT.as_mut_ptr() as *mut u8, batch.len()).copy_from_slice(&batch);
        OUTPUT.as_ptr() as *const u8
    }
}
