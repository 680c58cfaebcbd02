;; len_plus_diff_blog: the `blog` ABI (spec/operator-abi.md): exports memory and act only.
;; Input (String, i64) in format 0.1 at ptr; act returns the address of n u64 values,
;; len(text_i) + diff_i (wrapping). They are written over the input's own i64 column: the host
;; chose that region and reads the result at once, so the module needs no allocator of its own.
;; A null ptr traps; a batch whose slices do not fit in len returns 0.
(module
  (memory (export "memory") 1)

  (func (export "act") (param $ptr i32) (param $len i32) (result i32)
    (local $end i64) (local $bounds i32) (local $n i32) (local $at i64)
    (local $boundsLen i64) (local $bytesLen i64) (local $diffsLen i64) (local $diffs i32)
    (local $i i32) (local $prev i64) (local $bound i64) (local $cell i32)
    (if (i32.eqz (local.get $ptr)) (then (unreachable)))
    (local.set $end (i64.add (i64.extend_i32_u (local.get $ptr)) (i64.extend_i32_u (local.get $len))))
    ;; slice 0: bounds (u64)
    (local.set $at (i64.extend_i32_u (local.get $ptr)))
    (if (i64.gt_u (i64.add (local.get $at) (i64.const 8)) (local.get $end)) (then (return (i32.const 0))))
    (local.set $boundsLen (i64.load (i32.wrap_i64 (local.get $at))))
    (local.set $bounds (i32.wrap_i64 (i64.add (local.get $at) (i64.const 8))))
    (if (i64.gt_u (local.get $boundsLen) (i64.sub (local.get $end) (i64.add (local.get $at) (i64.const 8))))
      (then (return (i32.const 0))))
    (local.set $at (i64.add (local.get $at)
      (i64.add (i64.const 8) (i64.and (i64.add (local.get $boundsLen) (i64.const 7)) (i64.const -8)))))
    ;; slice 1: bytes (u8), skipped
    (if (i64.gt_u (i64.add (local.get $at) (i64.const 8)) (local.get $end)) (then (return (i32.const 0))))
    (local.set $bytesLen (i64.load (i32.wrap_i64 (local.get $at))))
    (if (i64.gt_u (local.get $bytesLen) (i64.sub (local.get $end) (i64.add (local.get $at) (i64.const 8))))
      (then (return (i32.const 0))))
    (local.set $at (i64.add (local.get $at)
      (i64.add (i64.const 8) (i64.and (i64.add (local.get $bytesLen) (i64.const 7)) (i64.const -8)))))
    ;; slice 2: diffs (i64), same count as bounds
    (if (i64.gt_u (i64.add (local.get $at) (i64.const 8)) (local.get $end)) (then (return (i32.const 0))))
    (local.set $diffsLen (i64.load (i32.wrap_i64 (local.get $at))))
    (if (i64.ne (local.get $diffsLen) (local.get $boundsLen)) (then (return (i32.const 0))))
    (if (i64.gt_u (local.get $diffsLen) (i64.sub (local.get $end) (i64.add (local.get $at) (i64.const 8))))
      (then (return (i32.const 0))))
    (local.set $diffs (i32.wrap_i64 (i64.add (local.get $at) (i64.const 8))))
    (local.set $n (i32.wrap_i64 (i64.shr_u (local.get $boundsLen) (i64.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $bound (i64.load (i32.add (local.get $bounds) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $cell (i32.add (local.get $diffs) (i32.shl (local.get $i) (i32.const 3))))
        (i64.store (local.get $cell)
          (i64.add (i64.load (local.get $cell)) (i64.sub (local.get $bound) (local.get $prev))))
        (local.set $prev (local.get $bound))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $diffs)))
