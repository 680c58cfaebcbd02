;; identity: colwasm/1 operator written by hand in WAT, proving the ABI is language-neutral.
;; act returns its input unchanged (any schema: the input batch is already a valid output).
;; alloc is an 8-aligned bump allocator that grows memory as needed; reset rewinds it.
(module
  (memory (export "memory") 1)
  ;; Bytes 0..1023 are never handed out (address 0 must never be returned); 16.. holds error().
  (data (i32.const 16) "\1a\00\00\00\00\00\00\00act: input pointer is null")
  (global $base i32 (i32.const 1024))
  (global $top (mut i32) (i32.const 1024))

  (func (export "alloc") (param $size i32) (result i32)
    (local $at i32) (local $end i64) (local $missing i64)
    (local.set $at (global.get $top))
    ;; End of the block, rounded up to 8, computed in i64 so a huge size cannot wrap.
    (local.set $end (i64.and
      (i64.add (i64.add (i64.extend_i32_u (local.get $at)) (i64.extend_i32_u (local.get $size))) (i64.const 7))
      (i64.const -8)))
    (local.set $missing (i64.sub
      (i64.shr_u (i64.add (local.get $end) (i64.const 0xffff)) (i64.const 16))
      (i64.extend_i32_u (memory.size))))
    (if (i64.gt_s (local.get $missing) (i64.const 0))
      (then
        (if (i64.gt_u (local.get $missing) (i64.const 65536)) (then (return (i32.const 0))))
        (if (i32.lt_s (memory.grow (i32.wrap_i64 (local.get $missing))) (i32.const 0))
          (then (return (i32.const 0))))))
    (global.set $top (i32.wrap_i64 (local.get $end)))
    (local.get $at))

  (func (export "act") (param $ptr i32) (param $len i32) (result i32)
    (local.get $ptr))

  (func (export "error") (result i32)
    (i32.const 16))

  (func (export "reset")
    (global.set $top (global.get $base))))
