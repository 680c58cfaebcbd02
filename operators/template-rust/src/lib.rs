// NAME: a colwasm/1 operator in Rust, (String, i64) -> (String, i64), scaffolded by
// `colwasm new NAME --lang rust`. It passes each record through unchanged: replace the loop in
// `act`. See README.md for the build, and the ABI (spec operator-abi.md) for what the host does.
// batch.rs frames the batches: `alloc`, reading slices, keeping the output.
//
// (String, i64) in format 0.1 has three slices: the text end-offsets (u64 each), the text bytes
// (UTF-8) and the diffs (i64).
mod batch;
use batch::{finish, input, push_slice, slice};

/// Reads the input batch at [ptr, ptr + len) and returns the address of the output batch.
/// A panic fails the batch; its message (on wasm32-wasip1) is in the host's error.
#[no_mangle]
pub extern "C" fn act(ptr: *const u8, len: i32) -> *const u8 {
    let input = input(ptr, len);
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
    finish(&batch)
}
