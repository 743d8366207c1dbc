;; Row-wise log-sum-exp over blocks of logits, on f64x2 lanes, accumulated in float64.
;;
;; For each row z of width w (a label y >= 0; rows with y < 0 are skipped) the exported
;; score_f64 / score_f32 write six float64s to out + 48 i:
;;   max z, argmax z (first index, as torch.argmax), R = sum_{j != argmax} exp(z_j - max),
;;   W = sum_j exp(z_j - max) (z_j - max), z_y, #{j : z_j > z_y}
;; so that log-sum-exp = max + log1p(R) and the entropy of softmax(z) = log1p(R) - W / (1 + R).
;; They return the index of the first row whose maximum is not finite or that holds a NaN (the
;; caller then reports it), or -1. The caller copies the whole block into memory once: no call
;; crosses the boundary per element.
;;
;; exp(d), d <= 0: d = k ln2 + r with k = round(d / ln2) (added to 1.5 * 2^52, whose low
;; mantissa bits are then k), |r| <= ln2/2; exp(r) = P(r) / P(-r) with P the [6/6] Pade
;; numerator (error 2e-19 before rounding, within 2.5e-16 as evaluated; a degree-11 polynomial
;; is as accurate and was slower here); 2^k written into the exponent bits. d < -708 (2^k
;; subnormal) counts as 0: next to the maximum's 1 it is below 1e-307.
;; A -inf logit gives 0 and adds nothing to W (rather than 0 * -inf); a NaN propagates into R.
(module
  (memory (export "memory") 1)

  ;; n rows of w float64s; row i at in + 8 stride i; labels are int32s.
  (func (export "score_f64") (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $labels i32) (param $out i32) (param $scratch i32) (result i32)
    (local $i i32) (local $p i32) (local $row i32) (local $label i32) (local $own f64) (local $mx f64) (local $best i32) (local $above i32)
    (local $q i32) (local $end i32) (local $dst i32) (local $j i32) (local $z f64) (local $at i32) (local $saved f64) (local $rest f64) (local $weighted f64) (local $o v128)
    (local $x v128) (local $z0 v128) (local $z1 v128) (local $g v128) (local $take v128) (local $m0 v128) (local $m1 v128) (local $i0 v128) (local $i1 v128) (local $idx v128) (local $a v128)
    (local $m v128) (local $d0 v128) (local $t0 v128) (local $k0 v128) (local $r0 v128) (local $e0 v128) (local $rr0 v128) (local $even0 v128) (local $odd0 v128) (local $rest0 v128) (local $w0 v128)
    (local $log2e v128) (local $shifter v128) (local $ln2hi v128) (local $ln2lo v128) (local $smallest v128) (local $one v128) (local $pade1 v128) (local $pade2 v128) (local $pade3 v128) (local $pade4 v128) (local $pade5 v128) (local $pade6 v128) (local $bias v128) (local $under v128)
    (local.set $log2e (v128.const f64x2 1.4426950408889634 1.4426950408889634))
    (local.set $shifter (v128.const f64x2 6755399441055744.0 6755399441055744.0))
    (local.set $ln2hi (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (local.set $ln2lo (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (local.set $smallest (v128.const f64x2 -708.0 -708.0))
    (local.set $one (v128.const f64x2 1.0 1.0))
    (local.set $pade1 (v128.const f64x2 0.5 0.5))
    (local.set $pade2 (v128.const f64x2 0.11363636363636363 0.11363636363636363))
    (local.set $pade3 (v128.const f64x2 0.015151515151515152 0.015151515151515152))
    (local.set $pade4 (v128.const f64x2 0.0012626262626262627 0.0012626262626262627))
    (local.set $pade5 (v128.const f64x2 6.313131313131313e-05 6.313131313131313e-05))
    (local.set $pade6 (v128.const f64x2 1.503126503126503e-06 1.503126503126503e-06))
    (local.set $bias (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))
    (local.set $row (local.get $p))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $in) (i32.shl (i32.mul (local.get $i) (local.get $stride)) (i32.const 3))))
        (local.set $row (local.get $p))
        (local.set $label (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ge_s (local.get $label) (i32.const 0))
          (then
          (local.set $own (f64.load (i32.add (local.get $p) (i32.shl (local.get $label) (i32.const 3)))))
          ;; The maximum, its first index and #{z > own}: lanes j mod 4 apart, four values a step.
          (local.set $m0 (v128.const f64x2 -inf -inf))
          (local.set $m1 (v128.const f64x2 -inf -inf))
          (local.set $i0 (v128.const i64x2 0 0))
          (local.set $i1 (v128.const i64x2 0 0))
          (local.set $a (v128.const i64x2 0 0))
          (local.set $idx (v128.const f64x2 0 1))
          (local.set $o (f64x2.splat (local.get $own)))
          (local.set $q (local.get $p))
          (local.set $dst (local.get $scratch))
          (local.set $end (i32.add (local.get $p) (i32.mul (i32.and (local.get $w) (i32.const -4)) (i32.const 8))))
          (block $doneMax
            (loop $max
              (br_if $doneMax (i32.ge_u (local.get $q) (local.get $end)))
              (local.set $z0 (v128.load (local.get $q)))
              (local.set $z1 (v128.load offset=16 (local.get $q)))
              (local.set $g (f64x2.gt (local.get $z0) (local.get $m0)))
              (local.set $m0 (v128.bitselect (local.get $z0) (local.get $m0) (local.get $g)))
              (local.set $i0 (v128.bitselect (local.get $idx) (local.get $i0) (local.get $g)))
              (local.set $g (f64x2.gt (local.get $z1) (local.get $m1)))
              (local.set $m1 (v128.bitselect (local.get $z1) (local.get $m1) (local.get $g)))
              (local.set $i1 (v128.bitselect (f64x2.add (local.get $idx) (v128.const f64x2 2 2)) (local.get $i1) (local.get $g)))
              (local.set $a (i64x2.add (local.get $a) (i64x2.add (f64x2.gt (local.get $z0) (local.get $o)) (f64x2.gt (local.get $z1) (local.get $o)))))
              (local.set $idx (f64x2.add (local.get $idx) (v128.const f64x2 4 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 32)))
              (br $max)))
          (local.set $take (v128.or (f64x2.gt (local.get $m1) (local.get $m0)) (v128.and (f64x2.eq (local.get $m1) (local.get $m0)) (f64x2.lt (local.get $i1) (local.get $i0)))))
          (local.set $m0 (v128.bitselect (local.get $m1) (local.get $m0) (local.get $take)))
          (local.set $i0 (v128.bitselect (local.get $i1) (local.get $i0) (local.get $take)))
          ;; Lane 1 against lane 0.
          (local.set $m1 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m0) (local.get $m0)))
          (local.set $i1 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $i0) (local.get $i0)))
          (local.set $take (v128.or (f64x2.gt (local.get $m1) (local.get $m0)) (v128.and (f64x2.eq (local.get $m1) (local.get $m0)) (f64x2.lt (local.get $i1) (local.get $i0)))))
          (local.set $m0 (v128.bitselect (local.get $m1) (local.get $m0) (local.get $take)))
          (local.set $i0 (v128.bitselect (local.get $i1) (local.get $i0) (local.get $take)))
          (local.set $mx (f64x2.extract_lane 0 (local.get $m0)))
          (local.set $best (i32.trunc_f64_u (f64x2.extract_lane 0 (local.get $i0))))
          ;; Each lane counted -1 per logit above.
          (local.set $above (i32.sub (i32.const 0) (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $a)) (i64x2.extract_lane 1 (local.get $a))))))
          ;; The last w mod 4 values one by one, after every lane: a tie keeps the earlier index.
          (local.set $j (i32.and (local.get $w) (i32.const -4)))
          (block $doneTail
            (loop $tail
              (br_if $doneTail (i32.ge_u (local.get $j) (local.get $w)))
              (local.set $z (f64.load (local.get $q)))
              (if (f64.gt (local.get $z) (local.get $mx))
                (then (local.set $mx (local.get $z)) (local.set $best (local.get $j))))
              (local.set $above (i32.add (local.get $above) (f64.gt (local.get $z) (local.get $own))))
              (local.set $q (i32.add (local.get $q) (i32.const 8)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $tail)))
          ;; An infinite or NaN maximum: +inf, or every logit -inf.
          (if (f64.ne (f64.sub (local.get $mx) (local.get $mx)) (f64.const 0)) (then (return (local.get $i))))
          (local.set $at (i32.add (local.get $row) (i32.shl (local.get $best) (i32.const 3))))
          (local.set $saved (f64.load (local.get $at)))
          (f64.store (local.get $at) (f64.const -inf))
          ;; R and W over the row's float64s at $row (its argmax set to -inf).
          (local.set $m (f64x2.splat (local.get $mx)))
          (local.set $q (local.get $row))
          (local.set $end (i32.add (local.get $row) (i32.shl (local.get $w) (i32.const 3))))
          (local.set $rest0 (v128.const i64x2 0 0)) (local.set $w0 (v128.const i64x2 0 0))
          ;; One vector a step: measured against two, three, four and six in flight (the polynomial as
          ;; Horner's chain, as Estrin's tree, or this quotient), this was as fast or faster: the
          ;; out-of-order core already overlaps successive steps.
          (block $doneVectors
            (loop $vectors
              (br_if $doneVectors (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
            (local.set $d0 (f64x2.sub (v128.load (local.get $q)) (local.get $m)))
            (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (local.get $log2e)) (local.get $shifter)))
            (local.set $k0 (f64x2.sub (local.get $t0) (local.get $shifter)))
            (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (local.get $ln2hi))) (f64x2.mul (local.get $k0) (local.get $ln2lo))))
            (local.set $rr0 (f64x2.mul (local.get $r0) (local.get $r0)))
            (local.set $even0 (f64x2.add (local.get $one) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade2) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade4) (f64x2.mul (local.get $rr0) (local.get $pade6))))))))
            (local.set $odd0 (f64x2.mul (local.get $r0) (f64x2.add (local.get $pade1) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade3) (f64x2.mul (local.get $rr0) (local.get $pade5)))))))
            (local.set $e0 (f64x2.div (f64x2.add (local.get $even0) (local.get $odd0)) (f64x2.sub (local.get $even0) (local.get $odd0))))
            (local.set $under (f64x2.lt (local.get $d0) (local.get $smallest)))
            (local.set $e0 (v128.andnot (f64x2.mul (local.get $e0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (local.get $bias))) (local.get $under)))
            (local.set $rest0 (f64x2.add (local.get $rest0) (local.get $e0)))
            (local.set $w0 (f64x2.add (local.get $w0) (v128.andnot (f64x2.mul (local.get $e0) (local.get $d0)) (local.get $under))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (br $vectors)))
          ;; An odd last element, with -inf (which adds nothing) in the other lane.
          (if (i32.lt_u (local.get $q) (local.get $end))
            (then
            (local.set $d0 (f64x2.sub (f64x2.replace_lane 0 (v128.const f64x2 -inf -inf) (f64.load (local.get $q))) (local.get $m)))
            (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (local.get $log2e)) (local.get $shifter)))
            (local.set $k0 (f64x2.sub (local.get $t0) (local.get $shifter)))
            (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (local.get $ln2hi))) (f64x2.mul (local.get $k0) (local.get $ln2lo))))
            (local.set $rr0 (f64x2.mul (local.get $r0) (local.get $r0)))
            (local.set $even0 (f64x2.add (local.get $one) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade2) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade4) (f64x2.mul (local.get $rr0) (local.get $pade6))))))))
            (local.set $odd0 (f64x2.mul (local.get $r0) (f64x2.add (local.get $pade1) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade3) (f64x2.mul (local.get $rr0) (local.get $pade5)))))))
            (local.set $e0 (f64x2.div (f64x2.add (local.get $even0) (local.get $odd0)) (f64x2.sub (local.get $even0) (local.get $odd0))))
            (local.set $under (f64x2.lt (local.get $d0) (local.get $smallest)))
            (local.set $e0 (v128.andnot (f64x2.mul (local.get $e0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (local.get $bias))) (local.get $under)))
            (local.set $rest0 (f64x2.add (local.get $rest0) (local.get $e0)))
            (local.set $w0 (f64x2.add (local.get $w0) (v128.andnot (f64x2.mul (local.get $e0) (local.get $d0)) (local.get $under))))))
          
          (local.set $rest (f64.add (f64x2.extract_lane 0 (local.get $rest0)) (f64x2.extract_lane 1 (local.get $rest0))))
          (local.set $weighted (f64.add (f64x2.extract_lane 0 (local.get $w0)) (f64x2.extract_lane 1 (local.get $w0))))
          (f64.store (local.get $at) (local.get $saved))
          ;; A NaN anywhere in the row.
          (if (i32.eqz (f64.ge (local.get $rest) (f64.const 0))) (then (return (local.get $i))))
          (local.set $at (i32.add (local.get $out) (i32.mul (local.get $i) (i32.const 48))))
          (f64.store (local.get $at) (local.get $mx))
          (f64.store offset=8 (local.get $at) (f64.convert_i32_u (local.get $best)))
          (f64.store offset=16 (local.get $at) (local.get $rest))
          (f64.store offset=24 (local.get $at) (local.get $weighted))
          (f64.store offset=32 (local.get $at) (local.get $own))
          (f64.store offset=40 (local.get $at) (f64.convert_i32_u (local.get $above)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; n rows of w float32s, each widened into scratch (8 w bytes) first; row i at in + 4 stride i; labels are int32s.
  (func (export "score_f32") (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $labels i32) (param $out i32) (param $scratch i32) (result i32)
    (local $i i32) (local $p i32) (local $row i32) (local $label i32) (local $own f64) (local $mx f64) (local $best i32) (local $above i32)
    (local $q i32) (local $end i32) (local $dst i32) (local $j i32) (local $z f64) (local $at i32) (local $saved f64) (local $rest f64) (local $weighted f64) (local $o v128)
    (local $x v128) (local $z0 v128) (local $z1 v128) (local $g v128) (local $take v128) (local $m0 v128) (local $m1 v128) (local $i0 v128) (local $i1 v128) (local $idx v128) (local $a v128)
    (local $m v128) (local $d0 v128) (local $t0 v128) (local $k0 v128) (local $r0 v128) (local $e0 v128) (local $rr0 v128) (local $even0 v128) (local $odd0 v128) (local $rest0 v128) (local $w0 v128)
    (local $log2e v128) (local $shifter v128) (local $ln2hi v128) (local $ln2lo v128) (local $smallest v128) (local $one v128) (local $pade1 v128) (local $pade2 v128) (local $pade3 v128) (local $pade4 v128) (local $pade5 v128) (local $pade6 v128) (local $bias v128) (local $under v128)
    (local.set $log2e (v128.const f64x2 1.4426950408889634 1.4426950408889634))
    (local.set $shifter (v128.const f64x2 6755399441055744.0 6755399441055744.0))
    (local.set $ln2hi (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (local.set $ln2lo (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (local.set $smallest (v128.const f64x2 -708.0 -708.0))
    (local.set $one (v128.const f64x2 1.0 1.0))
    (local.set $pade1 (v128.const f64x2 0.5 0.5))
    (local.set $pade2 (v128.const f64x2 0.11363636363636363 0.11363636363636363))
    (local.set $pade3 (v128.const f64x2 0.015151515151515152 0.015151515151515152))
    (local.set $pade4 (v128.const f64x2 0.0012626262626262627 0.0012626262626262627))
    (local.set $pade5 (v128.const f64x2 6.313131313131313e-05 6.313131313131313e-05))
    (local.set $pade6 (v128.const f64x2 1.503126503126503e-06 1.503126503126503e-06))
    (local.set $bias (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))
    (local.set $row (local.get $scratch))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $in) (i32.shl (i32.mul (local.get $i) (local.get $stride)) (i32.const 2))))
        
        (local.set $label (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ge_s (local.get $label) (i32.const 0))
          (then
          (local.set $own (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $label) (i32.const 2))))))
          ;; The maximum, its first index and #{z > own}: lanes j mod 4 apart, four values a step.
          (local.set $m0 (v128.const f64x2 -inf -inf))
          (local.set $m1 (v128.const f64x2 -inf -inf))
          (local.set $i0 (v128.const i64x2 0 0))
          (local.set $i1 (v128.const i64x2 0 0))
          (local.set $a (v128.const i64x2 0 0))
          (local.set $idx (v128.const f64x2 0 1))
          (local.set $o (f64x2.splat (local.get $own)))
          (local.set $q (local.get $p))
          (local.set $dst (local.get $scratch))
          (local.set $end (i32.add (local.get $p) (i32.mul (i32.and (local.get $w) (i32.const -4)) (i32.const 4))))
          (block $doneMax
            (loop $max
              (br_if $doneMax (i32.ge_u (local.get $q) (local.get $end)))
              (local.set $x (v128.load (local.get $q)))
              (local.set $z0 (f64x2.promote_low_f32x4 (local.get $x)))
              (local.set $z1 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x))))
              (v128.store (local.get $dst) (local.get $z0))
              (v128.store offset=16 (local.get $dst) (local.get $z1))
              (local.set $g (f64x2.gt (local.get $z0) (local.get $m0)))
              (local.set $m0 (v128.bitselect (local.get $z0) (local.get $m0) (local.get $g)))
              (local.set $i0 (v128.bitselect (local.get $idx) (local.get $i0) (local.get $g)))
              (local.set $g (f64x2.gt (local.get $z1) (local.get $m1)))
              (local.set $m1 (v128.bitselect (local.get $z1) (local.get $m1) (local.get $g)))
              (local.set $i1 (v128.bitselect (f64x2.add (local.get $idx) (v128.const f64x2 2 2)) (local.get $i1) (local.get $g)))
              (local.set $a (i64x2.add (local.get $a) (i64x2.add (f64x2.gt (local.get $z0) (local.get $o)) (f64x2.gt (local.get $z1) (local.get $o)))))
              (local.set $idx (f64x2.add (local.get $idx) (v128.const f64x2 4 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
              (br $max)))
          (local.set $take (v128.or (f64x2.gt (local.get $m1) (local.get $m0)) (v128.and (f64x2.eq (local.get $m1) (local.get $m0)) (f64x2.lt (local.get $i1) (local.get $i0)))))
          (local.set $m0 (v128.bitselect (local.get $m1) (local.get $m0) (local.get $take)))
          (local.set $i0 (v128.bitselect (local.get $i1) (local.get $i0) (local.get $take)))
          ;; Lane 1 against lane 0.
          (local.set $m1 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m0) (local.get $m0)))
          (local.set $i1 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $i0) (local.get $i0)))
          (local.set $take (v128.or (f64x2.gt (local.get $m1) (local.get $m0)) (v128.and (f64x2.eq (local.get $m1) (local.get $m0)) (f64x2.lt (local.get $i1) (local.get $i0)))))
          (local.set $m0 (v128.bitselect (local.get $m1) (local.get $m0) (local.get $take)))
          (local.set $i0 (v128.bitselect (local.get $i1) (local.get $i0) (local.get $take)))
          (local.set $mx (f64x2.extract_lane 0 (local.get $m0)))
          (local.set $best (i32.trunc_f64_u (f64x2.extract_lane 0 (local.get $i0))))
          ;; Each lane counted -1 per logit above.
          (local.set $above (i32.sub (i32.const 0) (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $a)) (i64x2.extract_lane 1 (local.get $a))))))
          ;; The last w mod 4 values one by one, after every lane: a tie keeps the earlier index.
          (local.set $j (i32.and (local.get $w) (i32.const -4)))
          (block $doneTail
            (loop $tail
              (br_if $doneTail (i32.ge_u (local.get $j) (local.get $w)))
              (local.set $z (f64.promote_f32 (f32.load (local.get $q))))
              (f64.store (local.get $dst) (local.get $z))
              (if (f64.gt (local.get $z) (local.get $mx))
                (then (local.set $mx (local.get $z)) (local.set $best (local.get $j))))
              (local.set $above (i32.add (local.get $above) (f64.gt (local.get $z) (local.get $own))))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $tail)))
          ;; An infinite or NaN maximum: +inf, or every logit -inf.
          (if (f64.ne (f64.sub (local.get $mx) (local.get $mx)) (f64.const 0)) (then (return (local.get $i))))
          (local.set $at (i32.add (local.get $row) (i32.shl (local.get $best) (i32.const 3))))
          (local.set $saved (f64.load (local.get $at)))
          (f64.store (local.get $at) (f64.const -inf))
          ;; R and W over the row's float64s at $row (its argmax set to -inf).
          (local.set $m (f64x2.splat (local.get $mx)))
          (local.set $q (local.get $row))
          (local.set $end (i32.add (local.get $row) (i32.shl (local.get $w) (i32.const 3))))
          (local.set $rest0 (v128.const i64x2 0 0)) (local.set $w0 (v128.const i64x2 0 0))
          ;; One vector a step: measured against two, three, four and six in flight (the polynomial as
          ;; Horner's chain, as Estrin's tree, or this quotient), this was as fast or faster: the
          ;; out-of-order core already overlaps successive steps.
          (block $doneVectors
            (loop $vectors
              (br_if $doneVectors (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
            (local.set $d0 (f64x2.sub (v128.load (local.get $q)) (local.get $m)))
            (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (local.get $log2e)) (local.get $shifter)))
            (local.set $k0 (f64x2.sub (local.get $t0) (local.get $shifter)))
            (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (local.get $ln2hi))) (f64x2.mul (local.get $k0) (local.get $ln2lo))))
            (local.set $rr0 (f64x2.mul (local.get $r0) (local.get $r0)))
            (local.set $even0 (f64x2.add (local.get $one) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade2) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade4) (f64x2.mul (local.get $rr0) (local.get $pade6))))))))
            (local.set $odd0 (f64x2.mul (local.get $r0) (f64x2.add (local.get $pade1) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade3) (f64x2.mul (local.get $rr0) (local.get $pade5)))))))
            (local.set $e0 (f64x2.div (f64x2.add (local.get $even0) (local.get $odd0)) (f64x2.sub (local.get $even0) (local.get $odd0))))
            (local.set $under (f64x2.lt (local.get $d0) (local.get $smallest)))
            (local.set $e0 (v128.andnot (f64x2.mul (local.get $e0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (local.get $bias))) (local.get $under)))
            (local.set $rest0 (f64x2.add (local.get $rest0) (local.get $e0)))
            (local.set $w0 (f64x2.add (local.get $w0) (v128.andnot (f64x2.mul (local.get $e0) (local.get $d0)) (local.get $under))))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (br $vectors)))
          ;; An odd last element, with -inf (which adds nothing) in the other lane.
          (if (i32.lt_u (local.get $q) (local.get $end))
            (then
            (local.set $d0 (f64x2.sub (f64x2.replace_lane 0 (v128.const f64x2 -inf -inf) (f64.load (local.get $q))) (local.get $m)))
            (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (local.get $log2e)) (local.get $shifter)))
            (local.set $k0 (f64x2.sub (local.get $t0) (local.get $shifter)))
            (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (local.get $ln2hi))) (f64x2.mul (local.get $k0) (local.get $ln2lo))))
            (local.set $rr0 (f64x2.mul (local.get $r0) (local.get $r0)))
            (local.set $even0 (f64x2.add (local.get $one) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade2) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade4) (f64x2.mul (local.get $rr0) (local.get $pade6))))))))
            (local.set $odd0 (f64x2.mul (local.get $r0) (f64x2.add (local.get $pade1) (f64x2.mul (local.get $rr0) (f64x2.add (local.get $pade3) (f64x2.mul (local.get $rr0) (local.get $pade5)))))))
            (local.set $e0 (f64x2.div (f64x2.add (local.get $even0) (local.get $odd0)) (f64x2.sub (local.get $even0) (local.get $odd0))))
            (local.set $under (f64x2.lt (local.get $d0) (local.get $smallest)))
            (local.set $e0 (v128.andnot (f64x2.mul (local.get $e0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (local.get $bias))) (local.get $under)))
            (local.set $rest0 (f64x2.add (local.get $rest0) (local.get $e0)))
            (local.set $w0 (f64x2.add (local.get $w0) (v128.andnot (f64x2.mul (local.get $e0) (local.get $d0)) (local.get $under))))))
          
          (local.set $rest (f64.add (f64x2.extract_lane 0 (local.get $rest0)) (f64x2.extract_lane 1 (local.get $rest0))))
          (local.set $weighted (f64.add (f64x2.extract_lane 0 (local.get $w0)) (f64x2.extract_lane 1 (local.get $w0))))
          (f64.store (local.get $at) (local.get $saved))
          ;; A NaN anywhere in the row.
          (if (i32.eqz (f64.ge (local.get $rest) (f64.const 0))) (then (return (local.get $i))))
          (local.set $at (i32.add (local.get $out) (i32.mul (local.get $i) (i32.const 48))))
          (f64.store (local.get $at) (local.get $mx))
          (f64.store offset=8 (local.get $at) (f64.convert_i32_u (local.get $best)))
          (f64.store offset=16 (local.get $at) (local.get $rest))
          (f64.store offset=24 (local.get $at) (local.get $weighted))
          (f64.store offset=32 (local.get $at) (local.get $own))
          (f64.store offset=40 (local.get $at) (f64.convert_i32_u (local.get $above)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1)))
