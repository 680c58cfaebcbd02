;; validate.wat — the host's validation kernels (spec/columnar-format.md §6.4 L4, L5), run over an
;; operator's own memory (imported), so its output is checked where it lies: no copy, and the hot
;; loops run as WASM instead of JS typed-array loops (2-8x faster here; workerd's JS loops also
;; swing 16-36x with warm-up, WASM does not). Built to dist/kernels/validate.wasm by
;; operators/build.ts; used by src/wasm/validation-kernels.ts.
(module
  (import "env" "memory" (memory 0))

  ;; Index of the first u64 bound at [ptr, ptr + 8*count) that is >= 2^32 or smaller than the one
  ;; before it (the first is compared with 0), or -1 when all are fine. SIMD over 8 bounds a step;
  ;; a flagged step is rescanned one by one to find the exact index.
  (func $first_bad_scalar (param $ptr i32) (param $from i32) (param $to i32) (param $prev i64) (result i32)
    (local $i i32) (local $v i64)
    (local.set $i (local.get $from))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $to)))
        (local.set $v (i64.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 3)))))
        (if (i32.or (i64.gt_u (local.get $v) (i64.const 0xffffffff)) (i64.lt_u (local.get $v) (local.get $prev)))
          (then (return (local.get $i))))
        (local.set $prev (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; u64 value of bound i - 1, or 0 for i = 0 (the first bound's predecessor).
  (func $bound_before (param $ptr i32) (param $i i32) (result i64)
    (if (result i64) (i32.eqz (local.get $i))
      (then (i64.const 0))
      (else (i64.load (i32.add (local.get $ptr) (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 3)))))))

  ;; SIMD over 8 bounds a step. Bounds b[0..n) (with b[-1] = 0) are valid exactly when every
  ;; difference b[i] - b[i-1] (u64, wrapping) and the last bound are below 2^32: then no sum of at
  ;; most 2^29 differences wraps, so the bounds rise and none exceeds the last. That makes a step
  ;; one i64x2.sub per vector (the predecessors shuffled in from the previous vector) and an OR
  ;; into one accumulator: about 20% faster than comparing packed low halves. Flags are checked
  ;; per chunk of 64 steps; a flagged chunk is rescanned one by one to find the exact index.
  (func (export "first_bad_bound") (param $ptr i32) (param $count i32) (result i32)
    (local $i i32) (local $at i32) (local $chunk i32) (local $chunk_end i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $last v128) (local $acc v128)
    (block $no_simd
      (loop $chunks
        (local.set $chunk (local.get $i))
        (local.set $chunk_end (i32.add (local.get $i) (i32.const 512)))
        (block $chunk_done
          (loop $step
            (br_if $chunk_done (i32.ge_u (local.get $i) (local.get $chunk_end)))
            (br_if $chunk_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $count)))
            (local.set $at (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $v0 (v128.load (local.get $at)))
            (local.set $v1 (v128.load offset=16 (local.get $at)))
            (local.set $v2 (v128.load offset=32 (local.get $at)))
            (local.set $v3 (v128.load offset=48 (local.get $at)))
            (local.set $acc (v128.or (local.get $acc) (v128.or
              (v128.or
                (i64x2.sub (local.get $v0) (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $last) (local.get $v0)))
                (i64x2.sub (local.get $v1) (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $v0) (local.get $v1))))
              (v128.or
                (i64x2.sub (local.get $v2) (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $v1) (local.get $v2)))
                (i64x2.sub (local.get $v3) (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 (local.get $v2) (local.get $v3)))))))
            (local.set $last (local.get $v3))
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br $step)))
        ;; $last holds the chunk's last bound (lane 1): it bounds every bound before it
        (if (v128.any_true (v128.and (v128.or (local.get $acc) (local.get $last))
              (i64x2.splat (i64.const 0xffffffff00000000))))
          (then
            (return (call $first_bad_scalar (local.get $ptr) (local.get $chunk) (local.get $i)
              (call $bound_before (local.get $ptr) (local.get $chunk))))))
        (br_if $no_simd (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $count)))
        (br $chunks)))
    (call $first_bad_scalar (local.get $ptr) (local.get $i) (local.get $count)
      (call $bound_before (local.get $ptr) (local.get $i))))

  ;; Index of the first bound (u64 at [bounds, bounds + 8*count), each < len) that lands on a UTF-8
  ;; continuation byte of [bytes, bytes + len), or -1.
  (func (export "first_split_bound") (param $bounds i32) (param $count i32) (param $bytes i32) (param $len i32) (result i32)
    (local $i i32) (local $b i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $b (i32.wrap_i64 (i64.load (i32.add (local.get $bounds) (i32.shl (local.get $i) (i32.const 3))))))
        (if (i32.lt_u (local.get $b) (local.get $len))
          (then
            (if (i32.eq (i32.and (i32.load8_u (i32.add (local.get $bytes) (local.get $b))) (i32.const 0xc0)) (i32.const 0x80))
              (then (return (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; Strict UTF-8 over [ptr, ptr + len): -1 valid and all ASCII, -2 valid with non-ASCII, else the
  ;; offset of the first byte of the first invalid sequence (overlong forms, surrogates and code
  ;; points past U+10FFFF are invalid). ASCII is skipped with SIMD: 1 KiB chunks while the prefix
  ;; is ASCII, then 64 and 16 bytes at a time between non-ASCII characters.
  (func (export "scan_utf8") (param $ptr i32) (param $len i32) (result i32)
    (local $i i32) (local $end i32) (local $c i32) (local $need i32) (local $lo i32) (local $hi i32)
    (local $k i32) (local $ascii i32) (local $high v128) (local $chunk_end i32) (local $acc v128)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $i (local.get $ptr))
    (local.set $ascii (i32.const 1))
    (local.set $high (i8x16.splat (i32.const 0x80)))
    ;; An ASCII prefix (the usual whole column) is skipped 1 KiB at a time, ORing 128 bytes a step
    ;; and testing once per KiB; the KiB holding the first non-ASCII byte is rescanned below.
    (local.set $chunk_end (i32.add (local.get $ptr) (i32.and (local.get $len) (i32.const -1024))))
    (block $prefix_done
      (loop $kib
        (br_if $prefix_done (i32.ge_u (local.get $i) (local.get $chunk_end)))
        (local.set $k (i32.add (local.get $i) (i32.const 1024)))
        (local.set $acc (v128.const i64x2 0 0))
        (loop $step
          (local.set $acc (v128.or (local.get $acc) (v128.or
            (v128.or (v128.or (v128.load offset=0 (local.get $i)) (v128.load offset=16 (local.get $i))) (v128.or (v128.load offset=32 (local.get $i)) (v128.load offset=48 (local.get $i))))
            (v128.or (v128.or (v128.load offset=64 (local.get $i)) (v128.load offset=80 (local.get $i))) (v128.or (v128.load offset=96 (local.get $i)) (v128.load offset=112 (local.get $i)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 128)))
          (br_if $step (i32.lt_u (local.get $i) (local.get $k))))
        (if (v128.any_true (v128.and (local.get $acc) (local.get $high)))
          (then
            (local.set $i (i32.sub (local.get $i) (i32.const 1024)))
            (br $prefix_done)))
        (br $kib)))
    (block $done
      (loop $top
        ;; 64 bytes per step while they are all ASCII
        (block $no64
          (loop $blocks64
            (br_if $no64 (i32.gt_u (i32.add (local.get $i) (i32.const 64)) (local.get $end)))
            (br_if $no64
              (v128.any_true
                (v128.and
                  (v128.or
                    (v128.or (v128.load (local.get $i)) (v128.load offset=16 (local.get $i)))
                    (v128.or (v128.load offset=32 (local.get $i)) (v128.load offset=48 (local.get $i))))
                  (local.get $high))))
            (local.set $i (i32.add (local.get $i) (i32.const 64)))
            (br $blocks64)))
        (block $no16
          (loop $blocks16
            (br_if $no16 (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
            (br_if $no16 (v128.any_true (v128.and (v128.load (local.get $i)) (local.get $high))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $blocks16)))
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.lt_u (local.get $c) (i32.const 0x80))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $top)))
        (local.set $ascii (i32.const 0))
        (local.set $lo (i32.const 0x80))
        (local.set $hi (i32.const 0xbf))
        (block $classified
          (if (i32.and (i32.ge_u (local.get $c) (i32.const 0xc2)) (i32.le_u (local.get $c) (i32.const 0xdf)))
            (then (local.set $need (i32.const 1)) (br $classified)))
          (if (i32.eq (local.get $c) (i32.const 0xe0))
            (then (local.set $need (i32.const 2)) (local.set $lo (i32.const 0xa0)) (br $classified)))
          (if (i32.eq (local.get $c) (i32.const 0xed))
            (then (local.set $need (i32.const 2)) (local.set $hi (i32.const 0x9f)) (br $classified)))
          (if (i32.and (i32.ge_u (local.get $c) (i32.const 0xe1)) (i32.le_u (local.get $c) (i32.const 0xef)))
            (then (local.set $need (i32.const 2)) (br $classified)))
          (if (i32.eq (local.get $c) (i32.const 0xf0))
            (then (local.set $need (i32.const 3)) (local.set $lo (i32.const 0x90)) (br $classified)))
          (if (i32.eq (local.get $c) (i32.const 0xf4))
            (then (local.set $need (i32.const 3)) (local.set $hi (i32.const 0x8f)) (br $classified)))
          (if (i32.and (i32.ge_u (local.get $c) (i32.const 0xf1)) (i32.le_u (local.get $c) (i32.const 0xf3)))
            (then (local.set $need (i32.const 3)) (br $classified)))
          (return (i32.sub (local.get $i) (local.get $ptr))))
        ;; the sequence must fit, its second byte lie in [lo, hi], the rest be continuation bytes
        (if (i32.ge_u (i32.add (local.get $i) (local.get $need)) (local.get $end))
          (then (return (i32.sub (local.get $i) (local.get $ptr)))))
        (local.set $c (i32.load8_u offset=1 (local.get $i)))
        (if (i32.or (i32.lt_u (local.get $c) (local.get $lo)) (i32.gt_u (local.get $c) (local.get $hi)))
          (then (return (i32.sub (local.get $i) (local.get $ptr)))))
        (local.set $k (i32.const 2))
        (block $conts
          (loop $cont
            (br_if $conts (i32.gt_u (local.get $k) (local.get $need)))
            (if (i32.ne (i32.and (i32.load8_u (i32.add (local.get $i) (local.get $k))) (i32.const 0xc0)) (i32.const 0x80))
              (then (return (i32.sub (local.get $i) (local.get $ptr)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $cont)))
        (local.set $i (i32.add (local.get $i) (i32.add (local.get $need) (i32.const 1))))
        (br $top)))
    (select (i32.const -1) (i32.const -2) (local.get $ascii)))
)
