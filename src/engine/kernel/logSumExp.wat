;; Row-wise log-sum-exp over blocks of logits, on f64x2 lanes, accumulated in float64.
;;
;; For each row z of width w (a label y >= 0; rows with y < 0 are skipped) the exported
;; score_f64 / score_f32 (and score_bf16 / score_f16) write six float64s to out + 48 i:
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
;;
;; classify is the classifier's path for rows of few classes (the caller sends widths up to 32):
;; there a row's own bookkeeping (reductions across lanes, tails, the call back to JavaScript per
;; row) cost as much as its exps. It puts rows in lanes instead, two rows a step, class by class
;; (no reduction, no tail), and finishes each row inside: log1p(R) by musl's log1p on f64x2 lanes
;; (in its second loop, exported as finish to test it), nll = max + log1p(R) - z_y, confidence = 1 / (1 + R),
;; argmax, labels checked, and the Neumaier sum of the nll, so that JavaScript only copies blocks
;; in and out.
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
    (i32.const -1))
  ;; bfloat16 and float16 rows, as score_f32 once each element is widened to the float32 it
  ;; stands for (exactly, so the figures are score_f32's on the decoded row): row i at
  ;; in + 2 stride i. Half the bytes of float32 come into memory, and no decoded copy is made.
  (func (export "score_bf16") (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $labels i32) (param $out i32) (param $scratch i32) (result i32)
    (call $score_half (local.get $in) (local.get $stride) (local.get $n) (local.get $w) (local.get $labels) (local.get $out) (local.get $scratch) (i32.const 0)))
  (func (export "score_f16") (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $labels i32) (param $out i32) (param $scratch i32) (result i32)
    (call $score_half (local.get $in) (local.get $stride) (local.get $n) (local.get $w) (local.get $labels) (local.get $out) (local.get $scratch) (i32.const 1)))

  ;; Four 16-bit patterns (zero-extended in i32 lanes) as the float32 bits they stand for.
  ;; bfloat16 is a float32's high half. float16 (bias 15) moves its exponent and fraction up 13
  ;; bits and adds 112 to the exponent; exponent 31 (inf, NaN) gets 112 more, to 255; exponent 0
  ;; (zero, subnormal) is made 2^-14 (1 + f / 1024) and 2^-14 taken off, leaving f 2^-24 exactly.
  (func $widen (param $h v128) (param $f16 i32) (result v128)
    (local $m v128) (local $e v128) (local $o v128)
    (if (i32.eqz (local.get $f16)) (then (return (i32x4.shl (local.get $h) (i32.const 16)))))
    (local.set $m (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)) (i32.const 13)))
    (local.set $e (v128.and (local.get $m) (v128.const i32x4 0x0f800000 0x0f800000 0x0f800000 0x0f800000)))
    (local.set $o (i32x4.add (local.get $m) (v128.const i32x4 0x38000000 0x38000000 0x38000000 0x38000000)))
    (local.set $o (i32x4.add (local.get $o)
      (v128.and (i32x4.eq (local.get $e) (v128.const i32x4 0x0f800000 0x0f800000 0x0f800000 0x0f800000)) (v128.const i32x4 0x38000000 0x38000000 0x38000000 0x38000000))))
    (local.set $o (v128.bitselect
      (f32x4.sub (i32x4.add (local.get $o) (v128.const i32x4 0x00800000 0x00800000 0x00800000 0x00800000)) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))
      (local.get $o)
      (i32x4.eq (local.get $e) (v128.const i32x4 0 0 0 0))))
    (v128.or (local.get $o) (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16))))

  ;; n 16-bit patterns at $in as float32s at $out, as score_bf16 and score_f16 widen them (four
  ;; at a time as their vector loops, or each alone as their tails and labels when $scalar): for tests.
  (func (export "widen_halves") (param $in i32) (param $n i32) (param $out i32) (param $f16 i32) (param $scalar i32)
    (local $i i32)
    (if (i32.eqz (local.get $scalar))
      (then
      (block $doneVectors
        (loop $vectors
          (br_if $doneVectors (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
          (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
            (call $widen (v128.load16x4_u (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 1)))) (local.get $f16)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $vectors)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (i32x4.extract_lane 0 (call $widen (i32x4.splat (i32.load16_u (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 1))))) (local.get $f16))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; score_bf16 and score_f16: score_f32 with 2-byte loads ($f16 says which format).
  (func $score_half (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $labels i32) (param $out i32) (param $scratch i32) (param $f16 i32) (result i32)
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
        (local.set $p (i32.add (local.get $in) (i32.shl (i32.mul (local.get $i) (local.get $stride)) (i32.const 1))))
        
        (local.set $label (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ge_s (local.get $label) (i32.const 0))
          (then
          (local.set $own (f64.promote_f32 (f32.reinterpret_i32 (i32x4.extract_lane 0 (call $widen (i32x4.splat (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $label) (i32.const 1))))) (local.get $f16))))))
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
          (local.set $end (i32.add (local.get $p) (i32.mul (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
          (block $doneMax
            (loop $max
              (br_if $doneMax (i32.ge_u (local.get $q) (local.get $end)))
              ;; $widen written out: a call per four values cost a tenth of the row.
              (local.set $x (v128.load16x4_u (local.get $q)))
              (if (local.get $f16)
                (then
                (local.set $z0 (i32x4.shl (v128.and (local.get $x) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)) (i32.const 13)))
                (local.set $z1 (v128.and (local.get $z0) (v128.const i32x4 0x0f800000 0x0f800000 0x0f800000 0x0f800000)))
                (local.set $g (i32x4.add (local.get $z0) (v128.const i32x4 0x38000000 0x38000000 0x38000000 0x38000000)))
                (local.set $g (i32x4.add (local.get $g)
                  (v128.and (i32x4.eq (local.get $z1) (v128.const i32x4 0x0f800000 0x0f800000 0x0f800000 0x0f800000)) (v128.const i32x4 0x38000000 0x38000000 0x38000000 0x38000000))))
                (local.set $g (v128.bitselect
                  (f32x4.sub (i32x4.add (local.get $g) (v128.const i32x4 0x00800000 0x00800000 0x00800000 0x00800000)) (v128.const f32x4 0x1p-14 0x1p-14 0x1p-14 0x1p-14))
                  (local.get $g)
                  (i32x4.eq (local.get $z1) (v128.const i32x4 0 0 0 0))))
                (local.set $x (v128.or (local.get $g) (i32x4.shl (v128.and (local.get $x) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))))
                (else (local.set $x (i32x4.shl (local.get $x) (i32.const 16)))))
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
              (local.set $q (i32.add (local.get $q) (i32.const 8)))
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
              (local.set $z (f64.promote_f32 (f32.reinterpret_i32 (i32x4.extract_lane 0 (call $widen (i32x4.splat (i32.load16_u (local.get $q))) (local.get $f16))))))
              (f64.store (local.get $dst) (local.get $z))
              (if (f64.gt (local.get $z) (local.get $mx))
                (then (local.set $mx (local.get $z)) (local.set $best (local.get $j))))
              (local.set $above (i32.add (local.get $above) (f64.gt (local.get $z) (local.get $own))))
              (local.set $q (i32.add (local.get $q) (i32.const 2)))
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
    (i32.const -1))

  ;; n classifier rows of w logits (float32 when $narrow, else float64), row i at in + stride i
  ;; elements; labels are float64s. Two rows a step, one per lane, class by class: no reduction
  ;; across lanes, no tail. Each row is finished here: nll = max + log1p(R) - z_y,
  ;; confidence = 1 / (1 + R), predicted = argmax (first index), each to its own array (n + 1
  ;; slots: an odd last row is paired with itself; own holds z_y between the two loops); a row
  ;; whose label equals $ignore gets 0, 0, -1. The nll of the rows scored are added in row order
  ;; to the Neumaier sum (sum, compensation) at $total, as CompensatedSum.add does. Scratch holds
  ;; 16 (w + 1) bytes (the pair's values widened, interleaved, and a pad of -inf) and then exp's
  ;; 13 constants. Returns the first row whose label is not an integer in 0..w-1, or that holds a
  ;; NaN or no finite maximum (the caller names it; the sum is left as it was), or -1.
  (func (export "classify") (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $narrow i32)
      (param $labels i32) (param $ignore f64) (param $nll i32) (param $confidence i32) (param $predicted i32) (param $own i32) (param $scratch i32) (param $total i32) (result i32)
    (local $i i32) (local $size i32) (local $rowBytes i32) (local $p0 i32) (local $p1 i32) (local $q0 i32) (local $q1 i32) (local $s i32) (local $end i32) (local $at i32)
    (local $lone i32)
    (local $own0 f64) (local $own1 f64) (local $sum f64) (local $compensation f64) (local $v f64) (local $t f64)
    (local $z v128) (local $g v128) (local $m v128) (local $idx v128) (local $j v128) (local $rest v128) (local $skip v128) (local $bad v128) (local $loss v128) (local $inverse v128)
   
    (local $za v128) (local $zb v128) (local $label v128) (local $refused v128) (local $ys v128) (local $widths v128) (local $ignores v128)
    (local $d0 v128) (local $t0 v128) (local $k0 v128) (local $r0 v128) (local $e0 v128) (local $rr0 v128) (local $even0 v128) (local $odd0 v128) (local $under0 v128) (local $rest0 v128)
    (local $d1 v128) (local $t1 v128) (local $k1 v128) (local $r1 v128) (local $e1 v128) (local $rr1 v128) (local $even1 v128) (local $odd1 v128) (local $under1 v128) (local $rest1 v128) (local $consts i32)
    (local $log2e v128) (local $shifter v128) (local $ln2hi v128) (local $ln2lo v128) (local $smallest v128) (local $one v128) (local $pade1 v128) (local $pade2 v128) (local $pade3 v128) (local $pade4 v128) (local $pade5 v128) (local $pade6 v128) (local $bias v128)
    (local.set $size (select (i32.const 4) (i32.const 8) (local.get $narrow)))
    (local.set $rowBytes (i32.mul (local.get $stride) (local.get $size)))
    (local.set $widths (f64x2.splat (f64.convert_i32_u (local.get $w))))
    (local.set $ignores (f64x2.splat (local.get $ignore)))
    (local.set $end (i32.add (local.get $scratch) (i32.shl (local.get $w) (i32.const 4))))
    ;; One pair of -inf past the row's values: the second pass goes two classes a step.
    (v128.store (local.get $end) (v128.const f64x2 -inf -inf))
    (local.set $consts (i32.add (local.get $end) (i32.const 16)))
    ;; The constants of exp in memory past scratch: loaded where used, they hold no register across the loops.
    (v128.store offset=0 (local.get $consts) (v128.const f64x2 1.4426950408889634 1.4426950408889634))
    (v128.store offset=16 (local.get $consts) (v128.const f64x2 6755399441055744.0 6755399441055744.0))
    (v128.store offset=32 (local.get $consts) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (v128.store offset=48 (local.get $consts) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (v128.store offset=64 (local.get $consts) (v128.const f64x2 -708.0 -708.0))
    (v128.store offset=80 (local.get $consts) (v128.const f64x2 1.0 1.0))
    (v128.store offset=96 (local.get $consts) (v128.const f64x2 0.5 0.5))
    (v128.store offset=112 (local.get $consts) (v128.const f64x2 0.11363636363636363 0.11363636363636363))
    (v128.store offset=128 (local.get $consts) (v128.const f64x2 0.015151515151515152 0.015151515151515152))
    (v128.store offset=144 (local.get $consts) (v128.const f64x2 0.0012626262626262627 0.0012626262626262627))
    (v128.store offset=160 (local.get $consts) (v128.const f64x2 6.313131313131313e-05 6.313131313131313e-05))
    (v128.store offset=176 (local.get $consts) (v128.const f64x2 1.503126503126503e-06 1.503126503126503e-06))
    (v128.store offset=192 (local.get $consts) (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p0 (i32.add (local.get $in) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $lone (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $p1 (select (local.get $p0) (i32.add (local.get $p0) (local.get $rowBytes)) (local.get $lone)))
        ;; Labels: ignored, a class (an integer in 0..w-1), or refused; an odd last row's partner is ignored.
        (local.set $at (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 3))))
        (if (local.get $lone)
          (then
          (local.set $label (v128.load64_zero (local.get $at)))
          (local.set $skip (v128.or (f64x2.eq (local.get $label) (local.get $ignores)) (v128.const i64x2 0 -1))))
          (else
          (local.set $label (v128.load (local.get $at)))
          (local.set $skip (f64x2.eq (local.get $label) (local.get $ignores)))))
        (local.set $refused (v128.andnot
          (v128.not (v128.and (v128.and (f64x2.ge (local.get $label) (v128.const i64x2 0 0)) (f64x2.lt (local.get $label) (local.get $widths)))
            (f64x2.eq (f64x2.floor (local.get $label)) (local.get $label))))
          (local.get $skip)))
        ;; The label's logit (class 0's for a row ignored or refused).
        (local.set $ys (i32x4.trunc_sat_f64x2_s_zero (v128.andnot (local.get $label) (v128.or (local.get $skip) (local.get $refused)))))
        ;; The maximum and its first index per lane (a strict > keeps the earlier of a tie), the
        ;; pair's values widened into scratch, interleaved, for the second pass.
        (if (local.get $narrow)
          (then
          (local.set $own0 (f64.promote_f32 (f32.load (i32.add (local.get $p0) (i32.shl (i32x4.extract_lane 0 (local.get $ys)) (i32.const 2))))))
          (local.set $own1 (f64.promote_f32 (f32.load (i32.add (local.get $p1) (i32.shl (i32x4.extract_lane 1 (local.get $ys)) (i32.const 2))))))
          (local.set $q0 (local.get $p0))
          (local.set $q1 (local.get $p1))
          (local.set $s (local.get $scratch))
          (local.set $m (v128.const f64x2 -inf -inf))
          (local.set $idx (v128.const i64x2 0 0))
          (local.set $j (v128.const i64x2 0 0))
          ;; An odd width's first class alone (the maximum so far), then two classes a step.
          (if (i32.and (local.get $w) (i32.const 1))
            (then
            (local.set $m (f64x2.promote_low_f32x4 (v128.load32_lane 1 (local.get $q1) (v128.load32_zero (local.get $q0)))))
            (v128.store (local.get $s) (local.get $m))
            (local.set $j (v128.const i64x2 1 1))
            (local.set $q0 (i32.add (local.get $q0) (i32.const 4)))
            (local.set $q1 (i32.add (local.get $q1) (i32.const 4)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))))
          (if (i32.lt_u (local.get $s) (local.get $end))
            (then
            (loop $max
            (local.set $z (v128.load64_lane 1 (local.get $q1) (v128.load64_zero (local.get $q0))))
            (local.set $za (f64x2.promote_low_f32x4 (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $z) (local.get $z))))
            (local.set $zb (f64x2.promote_low_f32x4 (i8x16.shuffle 4 5 6 7 12 13 14 15 4 5 6 7 12 13 14 15 (local.get $z) (local.get $z))))
            (v128.store (local.get $s) (local.get $za))
            (v128.store offset=16 (local.get $s) (local.get $zb))
            (local.set $g (f64x2.gt (local.get $za) (local.get $m)))
            (local.set $m (f64x2.pmax (local.get $m) (local.get $za)))
            (local.set $idx (v128.bitselect (local.get $j) (local.get $idx) (local.get $g)))
            (local.set $g (f64x2.gt (local.get $zb) (local.get $m)))
            (local.set $m (f64x2.pmax (local.get $m) (local.get $zb)))
            (local.set $idx (v128.bitselect (i64x2.add (local.get $j) (v128.const i64x2 1 1)) (local.get $idx) (local.get $g)))
            (local.set $j (i64x2.add (local.get $j) (v128.const i64x2 2 2)))
            (local.set $q0 (i32.add (local.get $q0) (i32.const 8)))
            (local.set $q1 (i32.add (local.get $q1) (i32.const 8)))
            (local.set $s (i32.add (local.get $s) (i32.const 32)))
            (br_if $max (i32.lt_u (local.get $s) (local.get $end)))))))
          (else
          (local.set $own0 (f64.load (i32.add (local.get $p0) (i32.shl (i32x4.extract_lane 0 (local.get $ys)) (i32.const 3)))))
          (local.set $own1 (f64.load (i32.add (local.get $p1) (i32.shl (i32x4.extract_lane 1 (local.get $ys)) (i32.const 3)))))
          (local.set $q0 (local.get $p0))
          (local.set $q1 (local.get $p1))
          (local.set $s (local.get $scratch))
          (local.set $m (v128.const f64x2 -inf -inf))
          (local.set $idx (v128.const i64x2 0 0))
          (local.set $j (v128.const i64x2 0 0))
          ;; An odd width's first class alone (the maximum so far), then two classes a step.
          (if (i32.and (local.get $w) (i32.const 1))
            (then
            (local.set $m (v128.load64_lane 1 (local.get $q1) (v128.load64_zero (local.get $q0))))
            (v128.store (local.get $s) (local.get $m))
            (local.set $j (v128.const i64x2 1 1))
            (local.set $q0 (i32.add (local.get $q0) (i32.const 8)))
            (local.set $q1 (i32.add (local.get $q1) (i32.const 8)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))))
          (if (i32.lt_u (local.get $s) (local.get $end))
            (then
            (loop $max
            (local.set $z (v128.load (local.get $q0)))
            (local.set $g (v128.load (local.get $q1)))
            (local.set $za (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $z) (local.get $g)))
            (local.set $zb (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $z) (local.get $g)))
            (v128.store (local.get $s) (local.get $za))
            (v128.store offset=16 (local.get $s) (local.get $zb))
            (local.set $g (f64x2.gt (local.get $za) (local.get $m)))
            (local.set $m (f64x2.pmax (local.get $m) (local.get $za)))
            (local.set $idx (v128.bitselect (local.get $j) (local.get $idx) (local.get $g)))
            (local.set $g (f64x2.gt (local.get $zb) (local.get $m)))
            (local.set $m (f64x2.pmax (local.get $m) (local.get $zb)))
            (local.set $idx (v128.bitselect (i64x2.add (local.get $j) (v128.const i64x2 1 1)) (local.get $idx) (local.get $g)))
            (local.set $j (i64x2.add (local.get $j) (v128.const i64x2 2 2)))
            (local.set $q0 (i32.add (local.get $q0) (i32.const 16)))
            (local.set $q1 (i32.add (local.get $q1) (i32.const 16)))
            (local.set $s (i32.add (local.get $s) (i32.const 32)))
            (br_if $max (i32.lt_u (local.get $s) (local.get $end))))))))
        ;; R per lane: exp(z_j - max) over j other than the argmax (set to -inf in scratch, where
        ;; it adds nothing), the exp as in score_f64.
        ;; Whole-vector stores, as the second pass loads them: a narrower store there would stall its load.
        (local.set $at (i32.add (local.get $scratch) (i32.shl (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $idx))) (i32.const 4))))
        (v128.store (local.get $at) (f64x2.replace_lane 0 (v128.load (local.get $at)) (f64.const -inf)))
        (local.set $at (i32.add (local.get $scratch) (i32.shl (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $idx))) (i32.const 4))))
        (v128.store (local.get $at) (f64x2.replace_lane 1 (v128.load (local.get $at)) (f64.const -inf)))
        (local.set $s (local.get $scratch))
        (local.set $rest0 (v128.const i64x2 0 0))
        (local.set $rest1 (v128.const i64x2 0 0))
        ;; Two classes a step, the second in its own sum (an odd width's last step reads the -inf pad).
        (loop $exps
          (local.set $d0 (f64x2.sub (v128.load (local.get $s)) (local.get $m)))
          (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (v128.load offset=0 (local.get $consts))) (v128.load offset=16 (local.get $consts))))
          (local.set $k0 (f64x2.sub (local.get $t0) (v128.load offset=16 (local.get $consts))))
          (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (v128.load offset=32 (local.get $consts)))) (f64x2.mul (local.get $k0) (v128.load offset=48 (local.get $consts)))))
          (local.set $rr0 (f64x2.mul (local.get $r0) (local.get $r0)))
          (local.set $even0 (f64x2.add (v128.load offset=80 (local.get $consts)) (f64x2.mul (local.get $rr0) (f64x2.add (v128.load offset=112 (local.get $consts)) (f64x2.mul (local.get $rr0) (f64x2.add (v128.load offset=144 (local.get $consts)) (f64x2.mul (local.get $rr0) (v128.load offset=176 (local.get $consts)))))))))
          (local.set $odd0 (f64x2.mul (local.get $r0) (f64x2.add (v128.load offset=96 (local.get $consts)) (f64x2.mul (local.get $rr0) (f64x2.add (v128.load offset=128 (local.get $consts)) (f64x2.mul (local.get $rr0) (v128.load offset=160 (local.get $consts))))))))
          (local.set $e0 (f64x2.div (f64x2.add (local.get $even0) (local.get $odd0)) (f64x2.sub (local.get $even0) (local.get $odd0))))
          (local.set $under0 (f64x2.lt (local.get $d0) (v128.load offset=64 (local.get $consts))))
          (local.set $rest0 (f64x2.add (local.get $rest0) (v128.andnot (f64x2.mul (local.get $e0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (v128.load offset=192 (local.get $consts)))) (local.get $under0))))
          (local.set $d1 (f64x2.sub (v128.load offset=16 (local.get $s)) (local.get $m)))
          (local.set $t1 (f64x2.add (f64x2.mul (local.get $d1) (v128.load offset=0 (local.get $consts))) (v128.load offset=16 (local.get $consts))))
          (local.set $k1 (f64x2.sub (local.get $t1) (v128.load offset=16 (local.get $consts))))
          (local.set $r1 (f64x2.sub (f64x2.sub (local.get $d1) (f64x2.mul (local.get $k1) (v128.load offset=32 (local.get $consts)))) (f64x2.mul (local.get $k1) (v128.load offset=48 (local.get $consts)))))
          (local.set $rr1 (f64x2.mul (local.get $r1) (local.get $r1)))
          (local.set $even1 (f64x2.add (v128.load offset=80 (local.get $consts)) (f64x2.mul (local.get $rr1) (f64x2.add (v128.load offset=112 (local.get $consts)) (f64x2.mul (local.get $rr1) (f64x2.add (v128.load offset=144 (local.get $consts)) (f64x2.mul (local.get $rr1) (v128.load offset=176 (local.get $consts)))))))))
          (local.set $odd1 (f64x2.mul (local.get $r1) (f64x2.add (v128.load offset=96 (local.get $consts)) (f64x2.mul (local.get $rr1) (f64x2.add (v128.load offset=128 (local.get $consts)) (f64x2.mul (local.get $rr1) (v128.load offset=160 (local.get $consts))))))))
          (local.set $e1 (f64x2.div (f64x2.add (local.get $even1) (local.get $odd1)) (f64x2.sub (local.get $even1) (local.get $odd1))))
          (local.set $under1 (f64x2.lt (local.get $d1) (v128.load offset=64 (local.get $consts))))
          (local.set $rest1 (f64x2.add (local.get $rest1) (v128.andnot (f64x2.mul (local.get $e1) (i64x2.add (i64x2.shl (local.get $t1) (i32.const 52)) (v128.load offset=192 (local.get $consts)))) (local.get $under1))))
          (local.set $s (i32.add (local.get $s) (i32.const 32)))
          (br_if $exps (i32.lt_u (local.get $s) (local.get $end))))
        (local.set $rest (f64x2.add (local.get $rest0) (local.get $rest1)))
        ;; A row is refused for its label, or (not ignored) for an infinite or NaN maximum (+inf, or
        ;; every logit -inf) or a NaN in R.
        (local.set $bad (v128.or (local.get $refused) (v128.andnot
          (v128.not (v128.and (f64x2.eq (f64x2.sub (local.get $m) (local.get $m)) (v128.const i64x2 0 0)) (f64x2.ge (local.get $rest) (v128.const i64x2 0 0))))
          (local.get $skip))))
        (if (v128.any_true (local.get $bad))
          (then (return (i32.add (local.get $i) (i32.eqz (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $bad))))))))
        ;; Kept for the second loop, with no call in this one: max in nll, R in confidence, z_y in own.
        (local.set $at (i32.shl (local.get $i) (i32.const 3)))
        (v128.store (i32.add (local.get $nll) (local.get $at)) (local.get $m))
        (v128.store (i32.add (local.get $confidence) (local.get $at)) (local.get $rest))
        (v128.store (i32.add (local.get $own) (local.get $at)) (f64x2.replace_lane 1 (f64x2.splat (local.get $own0)) (local.get $own1)))
        (v128.store64_lane 0 (i32.add (local.get $predicted) (i32.shl (local.get $i) (i32.const 2)))
          (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (v128.bitselect (v128.const i64x2 -1 -1) (local.get $idx) (local.get $skip)) (local.get $skip)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (call $finish (local.get $nll) (local.get $confidence) (local.get $own) (local.get $predicted) (local.get $n) (local.get $total))
    (i32.const -1))

  ;; classify's second loop, apart so that it can run alone: log1p is tested through it (max 0,
  ;; R = x, z_y 0 give nll = log1p(x) exactly).
  (func $finish (export "finish") (param $nll i32) (param $confidence i32) (param $own i32) (param $predicted i32) (param $n i32) (param $total i32)
    (local $i i32) (local $at i32) (local $sum f64) (local $compensation f64) (local $v f64) (local $t f64) (local $skip v128) (local $loss v128) (local $inverse v128)
    (local $log_u v128) (local $log_inverse v128) (local $log_hu v128) (local $log_k v128) (local $log_c v128) (local $log_f v128) (local $log_hfsq v128) (local $log_s v128) (local $log_z v128) (local $log_w v128) (local $log_r v128) (local $log_t v128) (local $log_x v128)
    ;; Each row finished: lse = max + log1p(R), nll = lse - z_y, confidence = 1 / (1 + R); 0, 0
    ;; where predicted is -1 (ignored). Then Neumaier's sum of the nll in row order, as
    ;; CompensatedSum.add: an infinite total leaves the compensation as it was, and an ignored
    ;; row's 0 changes neither (sum + 0 is sum, its error 0), so no lane needs a branch.
    (local.set $sum (f64.load (local.get $total)))
    (local.set $compensation (f64.load offset=8 (local.get $total)))
    (local.set $i (i32.const 0))
    (block $finished
      (loop $finish
        (br_if $finished (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 3)))
        (local.set $skip (i64x2.eq (i64x2.extend_low_i32x4_s (v128.load64_zero (i32.add (local.get $predicted) (i32.shl (local.get $i) (i32.const 2)))))
          (v128.const i64x2 -1 -1)))
        ;; log1p(R) on both lanes, R >= 0 finite, within about 1 ulp: musl's log1p, with 1 + R
        ;; always formed (the small-R branch of the scalar code becomes k = 0, f = u - 1 exactly).
        (local.set $log_x (v128.load (i32.add (local.get $confidence) (local.get $at))))
    (local.set $log_u (f64x2.add (v128.const f64x2 1 1) (local.get $log_x)))
        (local.set $log_inverse (f64x2.div (v128.const f64x2 1 1) (local.get $log_u)))
        ;; Moves u's mantissa into [sqrt(2)/2, sqrt(2)), its exponent then k.
        (local.set $log_hu (i64x2.add (local.get $log_u) (v128.const i64x2 0x00095f6200000000 0x00095f6200000000)))
        ;; k as a double: the biased exponent in the low mantissa bits of 2^52, less 2^52 + 1023.
        (local.set $log_k (f64x2.sub (v128.or (i64x2.shr_u (local.get $log_hu) (i32.const 52)) (v128.const i64x2 0x4330000000000000 0x4330000000000000))
          (v128.const f64x2 4503599627371519 4503599627371519)))
        ;; The rounding error of 1 + x, exact with the larger term first, over u.
        (local.set $log_c (f64x2.mul
          (v128.bitselect
            (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (local.get $log_u) (local.get $log_x)))
            (f64x2.sub (local.get $log_x) (f64x2.sub (local.get $log_u) (v128.const f64x2 1 1)))
            (f64x2.ge (local.get $log_k) (v128.const f64x2 2 2)))
          (local.get $log_inverse)))
        (local.set $log_f (f64x2.sub
          (i64x2.add (v128.and (local.get $log_hu) (v128.const i64x2 0x000fffffffffffff 0x000fffffffffffff)) (v128.const i64x2 0x3fe6a09e00000000 0x3fe6a09e00000000))
          (v128.const f64x2 1 1)))
        (local.set $log_hfsq (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $log_f) (local.get $log_f))))
        (local.set $log_s (f64x2.div (local.get $log_f) (f64x2.add (v128.const f64x2 2 2) (local.get $log_f))))
        (local.set $log_z (f64x2.mul (local.get $log_s) (local.get $log_s)))
        (local.set $log_w (f64x2.mul (local.get $log_z) (local.get $log_z)))
        ;; R = t2 + t1, t2 = z (Lg1 + w (Lg3 + w (Lg5 + w Lg7))), t1 = w (Lg2 + w (Lg4 + w Lg6)).
        (local.set $log_r (f64x2.mul (local.get $log_w) (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01)))
        (local.set $log_r (f64x2.mul (local.get $log_w) (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01) (local.get $log_r))))
        (local.set $log_r (f64x2.mul (local.get $log_w) (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01) (local.get $log_r))))
        (local.set $log_r (f64x2.mul (local.get $log_z) (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01) (local.get $log_r))))
        (local.set $log_t (f64x2.mul (local.get $log_w) (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01)))
        (local.set $log_t (f64x2.mul (local.get $log_w) (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01) (local.get $log_t))))
        (local.set $log_t (f64x2.mul (local.get $log_w) (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01) (local.get $log_t))))
        (local.set $log_r (f64x2.add (local.get $log_r) (local.get $log_t)))
        (local.set $loss (f64x2.add
      (f64x2.add
        (f64x2.sub
          (f64x2.add
            (f64x2.mul (local.get $log_s) (f64x2.add (local.get $log_hfsq) (local.get $log_r)))
            (f64x2.add (f64x2.mul (local.get $log_k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)) (local.get $log_c)))
          (local.get $log_hfsq))
        (local.get $log_f))
      (f64x2.mul (local.get $log_k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (local.set $inverse (local.get $log_inverse))
        (local.set $loss (v128.andnot (f64x2.sub (f64x2.add (v128.load (i32.add (local.get $nll) (local.get $at))) (local.get $loss))
          (v128.load (i32.add (local.get $own) (local.get $at)))) (local.get $skip)))
        (v128.store (i32.add (local.get $nll) (local.get $at)) (local.get $loss))
        (v128.store (i32.add (local.get $confidence) (local.get $at)) (v128.andnot (local.get $inverse) (local.get $skip)))
        (local.set $v (f64x2.extract_lane 0 (local.get $loss)))
        (local.set $t (f64.add (local.get $sum) (local.get $v)))
        (local.set $compensation (select
          (f64.add (local.get $compensation)
            (select (f64.add (f64.sub (local.get $sum) (local.get $t)) (local.get $v)) (f64.add (f64.sub (local.get $v) (local.get $t)) (local.get $sum))
              (f64.ge (f64.abs (local.get $sum)) (f64.abs (local.get $v)))))
          (local.get $compensation)
          (f64.eq (f64.sub (local.get $t) (local.get $t)) (f64.const 0))))
        (local.set $sum (local.get $t))
        (local.set $v (f64x2.extract_lane 1 (local.get $loss)))
        (local.set $t (f64.add (local.get $sum) (local.get $v)))
        (local.set $compensation (select
          (f64.add (local.get $compensation)
            (select (f64.add (f64.sub (local.get $sum) (local.get $t)) (local.get $v)) (f64.add (f64.sub (local.get $v) (local.get $t)) (local.get $sum))
              (f64.ge (f64.abs (local.get $sum)) (f64.abs (local.get $v)))))
          (local.get $compensation)
          (f64.eq (f64.sub (local.get $t) (local.get $t)) (f64.const 0))))
        (local.set $sum (local.get $t))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $finish)))
    (f64.store (local.get $total) (local.get $sum))
    (f64.store offset=8 (local.get $total) (local.get $compensation)))
)
