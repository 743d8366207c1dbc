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
;; mantissa bits are then k), |r| <= ln2/2; exp(r) by a degree-11 near-minimax polynomial
;; (Chebyshev fit, error 3e-18 before rounding, 1.5e-16 as evaluated); 2^k written into the
;; exponent bits. d < -708 (2^k subnormal) counts as 0: next to the maximum's 1 it is below 1e-307.
;; A -inf logit gives 0 and adds nothing to W (rather than 0 * -inf); a NaN propagates into R.
(module
  (memory (export "memory") 1)

  ;; R and W over w float64s at p with maximum mx (the argmax already replaced by -inf).
  (func $sums (param $p i32) (param $w i32) (param $mx f64) (result f64 f64)
    (local $m v128) (local $q i32) (local $end i32) (local $d0 v128) (local $t0 v128) (local $k0 v128) (local $r0 v128) (local $p0 v128) (local $d1 v128) (local $t1 v128) (local $k1 v128) (local $r1 v128) (local $p1 v128) (local $d2 v128) (local $t2 v128) (local $k2 v128) (local $r2 v128) (local $p2 v128) (local $d3 v128) (local $t3 v128) (local $k3 v128) (local $r3 v128) (local $p3 v128) (local $rest0 v128) (local $w0 v128) (local $rest1 v128) (local $w1 v128) (local $rest2 v128) (local $w2 v128) (local $rest3 v128) (local $w3 v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128) (local $c8 v128) (local $c9 v128) (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128) (local $c14 v128) (local $c15 v128) (local $bias v128)
    (local.set $c0 (v128.const f64x2 1.4426950408889634 1.4426950408889634))
    (local.set $c1 (v128.const f64x2 6755399441055744.0 6755399441055744.0))
    (local.set $c2 (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
    (local.set $c3 (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
    (local.set $c4 (v128.const f64x2 2.5110049204818658e-08 2.5110049204818658e-08))
    (local.set $c5 (v128.const f64x2 2.763265472252779e-07 2.763265472252779e-07))
    (local.set $c6 (v128.const f64x2 2.755724088722987e-06 2.755724088722987e-06))
    (local.set $c7 (v128.const f64x2 2.4801485441561313e-05 2.4801485441561313e-05))
    (local.set $c8 (v128.const f64x2 0.00019841269890076403 0.00019841269890076403))
    (local.set $c9 (v128.const f64x2 0.0013888888952352863 0.0013888888952352863))
    (local.set $c10 (v128.const f64x2 0.008333333333319589 0.008333333333319589))
    (local.set $c11 (v128.const f64x2 0.04166666666648795 0.04166666666648795))
    (local.set $c12 (v128.const f64x2 0.1666666666666668 0.1666666666666668))
    (local.set $c13 (v128.const f64x2 0.5000000000000019 0.5000000000000019))
    (local.set $c14 (v128.const f64x2 1.0 1.0))
    (local.set $c15 (v128.const f64x2 -708.0 -708.0))
    (local.set $bias (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))
    (local.set $m (f64x2.splat (local.get $mx)))
    (local.set $q (local.get $p))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $w) (i32.const 3))))
    ;; Four vectors in flight: the polynomial is a chain of 22 dependent operations.
    (block $doneFour
      (loop $four
        (br_if $doneFour (i32.gt_u (i32.add (local.get $q) (i32.const 64)) (local.get $end)))
          (local.set $d0 (f64x2.sub (v128.load offset=0 (local.get $q)) (local.get $m)))
          (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (local.get $c0)) (local.get $c1)))
          (local.set $k0 (f64x2.sub (local.get $t0) (local.get $c1)))
          (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (local.get $c2))) (f64x2.mul (local.get $k0) (local.get $c3))))
          (local.set $p0 (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (local.get $c4) (local.get $r0)) (local.get $c5)) (local.get $r0)) (local.get $c6)) (local.get $r0)) (local.get $c7)) (local.get $r0)) (local.get $c8)) (local.get $r0)) (local.get $c9)) (local.get $r0)) (local.get $c10)) (local.get $r0)) (local.get $c11)) (local.get $r0)) (local.get $c12)) (local.get $r0)) (local.get $c13)) (local.get $r0)) (local.get $c14)) (local.get $r0)) (local.get $c14)))
          (local.set $p0 (v128.andnot (f64x2.mul (local.get $p0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (local.get $bias))) (f64x2.lt (local.get $d0) (local.get $c15))))
          (local.set $rest0 (f64x2.add (local.get $rest0) (local.get $p0)))
          (local.set $w0 (f64x2.add (local.get $w0) (v128.andnot (f64x2.mul (local.get $p0) (local.get $d0)) (f64x2.lt (local.get $d0) (local.get $c15)))))
          (local.set $d1 (f64x2.sub (v128.load offset=16 (local.get $q)) (local.get $m)))
          (local.set $t1 (f64x2.add (f64x2.mul (local.get $d1) (local.get $c0)) (local.get $c1)))
          (local.set $k1 (f64x2.sub (local.get $t1) (local.get $c1)))
          (local.set $r1 (f64x2.sub (f64x2.sub (local.get $d1) (f64x2.mul (local.get $k1) (local.get $c2))) (f64x2.mul (local.get $k1) (local.get $c3))))
          (local.set $p1 (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (local.get $c4) (local.get $r1)) (local.get $c5)) (local.get $r1)) (local.get $c6)) (local.get $r1)) (local.get $c7)) (local.get $r1)) (local.get $c8)) (local.get $r1)) (local.get $c9)) (local.get $r1)) (local.get $c10)) (local.get $r1)) (local.get $c11)) (local.get $r1)) (local.get $c12)) (local.get $r1)) (local.get $c13)) (local.get $r1)) (local.get $c14)) (local.get $r1)) (local.get $c14)))
          (local.set $p1 (v128.andnot (f64x2.mul (local.get $p1) (i64x2.add (i64x2.shl (local.get $t1) (i32.const 52)) (local.get $bias))) (f64x2.lt (local.get $d1) (local.get $c15))))
          (local.set $rest1 (f64x2.add (local.get $rest1) (local.get $p1)))
          (local.set $w1 (f64x2.add (local.get $w1) (v128.andnot (f64x2.mul (local.get $p1) (local.get $d1)) (f64x2.lt (local.get $d1) (local.get $c15)))))
          (local.set $d2 (f64x2.sub (v128.load offset=32 (local.get $q)) (local.get $m)))
          (local.set $t2 (f64x2.add (f64x2.mul (local.get $d2) (local.get $c0)) (local.get $c1)))
          (local.set $k2 (f64x2.sub (local.get $t2) (local.get $c1)))
          (local.set $r2 (f64x2.sub (f64x2.sub (local.get $d2) (f64x2.mul (local.get $k2) (local.get $c2))) (f64x2.mul (local.get $k2) (local.get $c3))))
          (local.set $p2 (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (local.get $c4) (local.get $r2)) (local.get $c5)) (local.get $r2)) (local.get $c6)) (local.get $r2)) (local.get $c7)) (local.get $r2)) (local.get $c8)) (local.get $r2)) (local.get $c9)) (local.get $r2)) (local.get $c10)) (local.get $r2)) (local.get $c11)) (local.get $r2)) (local.get $c12)) (local.get $r2)) (local.get $c13)) (local.get $r2)) (local.get $c14)) (local.get $r2)) (local.get $c14)))
          (local.set $p2 (v128.andnot (f64x2.mul (local.get $p2) (i64x2.add (i64x2.shl (local.get $t2) (i32.const 52)) (local.get $bias))) (f64x2.lt (local.get $d2) (local.get $c15))))
          (local.set $rest2 (f64x2.add (local.get $rest2) (local.get $p2)))
          (local.set $w2 (f64x2.add (local.get $w2) (v128.andnot (f64x2.mul (local.get $p2) (local.get $d2)) (f64x2.lt (local.get $d2) (local.get $c15)))))
          (local.set $d3 (f64x2.sub (v128.load offset=48 (local.get $q)) (local.get $m)))
          (local.set $t3 (f64x2.add (f64x2.mul (local.get $d3) (local.get $c0)) (local.get $c1)))
          (local.set $k3 (f64x2.sub (local.get $t3) (local.get $c1)))
          (local.set $r3 (f64x2.sub (f64x2.sub (local.get $d3) (f64x2.mul (local.get $k3) (local.get $c2))) (f64x2.mul (local.get $k3) (local.get $c3))))
          (local.set $p3 (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (local.get $c4) (local.get $r3)) (local.get $c5)) (local.get $r3)) (local.get $c6)) (local.get $r3)) (local.get $c7)) (local.get $r3)) (local.get $c8)) (local.get $r3)) (local.get $c9)) (local.get $r3)) (local.get $c10)) (local.get $r3)) (local.get $c11)) (local.get $r3)) (local.get $c12)) (local.get $r3)) (local.get $c13)) (local.get $r3)) (local.get $c14)) (local.get $r3)) (local.get $c14)))
          (local.set $p3 (v128.andnot (f64x2.mul (local.get $p3) (i64x2.add (i64x2.shl (local.get $t3) (i32.const 52)) (local.get $bias))) (f64x2.lt (local.get $d3) (local.get $c15))))
          (local.set $rest3 (f64x2.add (local.get $rest3) (local.get $p3)))
          (local.set $w3 (f64x2.add (local.get $w3) (v128.andnot (f64x2.mul (local.get $p3) (local.get $d3)) (f64x2.lt (local.get $d3) (local.get $c15)))))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (br $four)))
    (block $doneOne
      (loop $one
        (br_if $doneOne (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
          (local.set $d0 (f64x2.sub (v128.load (local.get $q)) (local.get $m)))
          (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (local.get $c0)) (local.get $c1)))
          (local.set $k0 (f64x2.sub (local.get $t0) (local.get $c1)))
          (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (local.get $c2))) (f64x2.mul (local.get $k0) (local.get $c3))))
          (local.set $p0 (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (local.get $c4) (local.get $r0)) (local.get $c5)) (local.get $r0)) (local.get $c6)) (local.get $r0)) (local.get $c7)) (local.get $r0)) (local.get $c8)) (local.get $r0)) (local.get $c9)) (local.get $r0)) (local.get $c10)) (local.get $r0)) (local.get $c11)) (local.get $r0)) (local.get $c12)) (local.get $r0)) (local.get $c13)) (local.get $r0)) (local.get $c14)) (local.get $r0)) (local.get $c14)))
          (local.set $p0 (v128.andnot (f64x2.mul (local.get $p0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (local.get $bias))) (f64x2.lt (local.get $d0) (local.get $c15))))
          (local.set $rest0 (f64x2.add (local.get $rest0) (local.get $p0)))
          (local.set $w0 (f64x2.add (local.get $w0) (v128.andnot (f64x2.mul (local.get $p0) (local.get $d0)) (f64x2.lt (local.get $d0) (local.get $c15)))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $one)))
    ;; An odd last element, with -inf (which adds nothing) in the other lane.
    (if (i32.lt_u (local.get $q) (local.get $end))
      (then
          (local.set $d0 (f64x2.sub (f64x2.replace_lane 0 (v128.const f64x2 -inf -inf) (f64.load (local.get $q))) (local.get $m)))
          (local.set $t0 (f64x2.add (f64x2.mul (local.get $d0) (local.get $c0)) (local.get $c1)))
          (local.set $k0 (f64x2.sub (local.get $t0) (local.get $c1)))
          (local.set $r0 (f64x2.sub (f64x2.sub (local.get $d0) (f64x2.mul (local.get $k0) (local.get $c2))) (f64x2.mul (local.get $k0) (local.get $c3))))
          (local.set $p0 (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (f64x2.add (f64x2.mul (local.get $c4) (local.get $r0)) (local.get $c5)) (local.get $r0)) (local.get $c6)) (local.get $r0)) (local.get $c7)) (local.get $r0)) (local.get $c8)) (local.get $r0)) (local.get $c9)) (local.get $r0)) (local.get $c10)) (local.get $r0)) (local.get $c11)) (local.get $r0)) (local.get $c12)) (local.get $r0)) (local.get $c13)) (local.get $r0)) (local.get $c14)) (local.get $r0)) (local.get $c14)))
          (local.set $p0 (v128.andnot (f64x2.mul (local.get $p0) (i64x2.add (i64x2.shl (local.get $t0) (i32.const 52)) (local.get $bias))) (f64x2.lt (local.get $d0) (local.get $c15))))
          (local.set $rest0 (f64x2.add (local.get $rest0) (local.get $p0)))
          (local.set $w0 (f64x2.add (local.get $w0) (v128.andnot (f64x2.mul (local.get $p0) (local.get $d0)) (f64x2.lt (local.get $d0) (local.get $c15)))))))
    (local.set $rest0 (f64x2.add (f64x2.add (local.get $rest0) (local.get $rest1)) (f64x2.add (local.get $rest2) (local.get $rest3))))
    (local.set $w0 (f64x2.add (f64x2.add (local.get $w0) (local.get $w1)) (f64x2.add (local.get $w2) (local.get $w3))))
    (f64.add (f64x2.extract_lane 0 (local.get $rest0)) (f64x2.extract_lane 1 (local.get $rest0)))
    (f64.add (f64x2.extract_lane 0 (local.get $w0)) (f64x2.extract_lane 1 (local.get $w0))))

  ;; Of two (maximum, index) lane pairs, per lane the larger, ties to the lower index.
  (func $better (param $m0 v128) (param $i0 v128) (param $m1 v128) (param $i1 v128) (result v128 v128)
    (local $take v128)
    (local.set $take
      (v128.or (f64x2.gt (local.get $m1) (local.get $m0))
        (v128.and (f64x2.eq (local.get $m1) (local.get $m0)) (f64x2.lt (local.get $i1) (local.get $i0)))))
    (v128.bitselect (local.get $m1) (local.get $m0) (local.get $take))
    (v128.bitselect (local.get $i1) (local.get $i0) (local.get $take)))

  ;; The lanes' running maxima (mA, iA), (mB, iB) and counts a reduced to (max, argmax, count);
  ;; tail elements after them are compared by the caller.
  (func $reduce (param $mA v128) (param $iA v128) (param $mB v128) (param $iB v128) (param $a v128) (result f64 i32 i32)
    (call $better (local.get $mA) (local.get $iA) (local.get $mB) (local.get $iB))
    (local.set $iA)
    (local.set $mA)
    ;; Lane 1 moved to lane 0.
    (call $better (local.get $mA) (local.get $iA)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mA) (local.get $mA))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $iA) (local.get $iA)))
    (local.set $iA)
    (local.set $mA)
    (f64x2.extract_lane 0 (local.get $mA))
    (i32.trunc_f64_u (f64x2.extract_lane 0 (local.get $iA)))
    (i32.sub (i32.const 0) (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $a)) (i64x2.extract_lane 1 (local.get $a))))))

  ;; max, first argmax and #{z > own} of w float64s at p.
  (func $max_f64 (param $p i32) (param $w i32) (param $own f64) (result f64 i32 i32)
    (local $q i32) (local $end i32) (local $j i32) (local $z0 v128) (local $z1 v128) (local $g v128)
    (local $m0 v128) (local $m1 v128) (local $i0 v128) (local $i1 v128) (local $idx v128) (local $o v128) (local $a v128)
    (local $mx f64) (local $best i32) (local $above i32) (local $z f64)
    (local.set $m0 (v128.const f64x2 -inf -inf))
    (local.set $m1 (v128.const f64x2 -inf -inf))
    (local.set $idx (v128.const f64x2 0 1))
    (local.set $o (f64x2.splat (local.get $own)))
    (local.set $q (local.get $p))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
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
        (br $next)))
    (call $reduce (local.get $m0) (local.get $i0) (local.get $m1) (local.get $i1) (local.get $a))
    (local.set $above)
    (local.set $best)
    (local.set $mx)
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
    (local.get $mx)
    (local.get $best)
    (local.get $above))

  ;; As $max_f64 over w float32s at p, writing them widened to float64 at dst.
  (func $max_f32 (param $p i32) (param $dst i32) (param $w i32) (param $own f64) (result f64 i32 i32)
    (local $q i32) (local $end i32) (local $j i32) (local $x v128) (local $z0 v128) (local $z1 v128) (local $g v128)
    (local $m0 v128) (local $m1 v128) (local $i0 v128) (local $i1 v128) (local $idx v128) (local $o v128) (local $a v128)
    (local $mx f64) (local $best i32) (local $above i32) (local $z f64)
    (local.set $m0 (v128.const f64x2 -inf -inf))
    (local.set $m1 (v128.const f64x2 -inf -inf))
    (local.set $idx (v128.const f64x2 0 1))
    (local.set $o (f64x2.splat (local.get $own)))
    (local.set $q (local.get $p))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $w) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
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
        (br $next)))
    (call $reduce (local.get $m0) (local.get $i0) (local.get $m1) (local.get $i1) (local.get $a))
    (local.set $above)
    (local.set $best)
    (local.set $mx)
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
    (local.get $mx)
    (local.get $best)
    (local.get $above))

  ;; The six figures of a row of float64s at p (overwritten and restored at the argmax).
  (func $row (param $p i32) (param $w i32) (param $label i32) (param $own f64) (param $mx f64) (param $best i32) (param $above i32) (param $o i32) (result i32)
    (local $at i32) (local $saved f64) (local $rest f64) (local $weighted f64)
    ;; An infinite or NaN maximum: +inf, or every logit -inf.
    (if (f64.ne (f64.sub (local.get $mx) (local.get $mx)) (f64.const 0)) (then (return (i32.const 0))))
    (local.set $at (i32.add (local.get $p) (i32.shl (local.get $best) (i32.const 3))))
    (local.set $saved (f64.load (local.get $at)))
    (f64.store (local.get $at) (f64.const -inf))
    (call $sums (local.get $p) (local.get $w) (local.get $mx))
    (local.set $weighted)
    (local.set $rest)
    (f64.store (local.get $at) (local.get $saved))
    ;; NaN anywhere in the row.
    (if (i32.eqz (f64.ge (local.get $rest) (f64.const 0))) (then (return (i32.const 0))))
    (f64.store (local.get $o) (local.get $mx))
    (f64.store offset=8 (local.get $o) (f64.convert_i32_u (local.get $best)))
    (f64.store offset=16 (local.get $o) (local.get $rest))
    (f64.store offset=24 (local.get $o) (local.get $weighted))
    (f64.store offset=32 (local.get $o) (local.get $own))
    (f64.store offset=40 (local.get $o) (f64.convert_i32_u (local.get $above)))
    (i32.const 1))

  ;; n rows of w float64s, row i at in + 8 stride i; labels are int32s.
  (func (export "score_f64") (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $labels i32) (param $out i32) (param $scratch i32) (result i32)
    (local $i i32) (local $p i32) (local $label i32) (local $own f64) (local $mx f64) (local $best i32) (local $above i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $in) (i32.shl (i32.mul (local.get $i) (local.get $stride)) (i32.const 3))))
        (local.set $label (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ge_s (local.get $label) (i32.const 0))
          (then
            (local.set $own (f64.load (i32.add (local.get $p) (i32.shl (local.get $label) (i32.const 3)))))
            (call $max_f64 (local.get $p) (local.get $w) (local.get $own))
            (local.set $above)
            (local.set $best)
            (local.set $mx)
            (if (i32.eqz (call $row (local.get $p) (local.get $w) (local.get $label) (local.get $own) (local.get $mx) (local.get $best) (local.get $above)
                  (i32.add (local.get $out) (i32.mul (local.get $i) (i32.const 48)))))
              (then (return (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; n rows of w float32s, row i at in + 4 stride i, each widened into scratch (8 w bytes) first.
  (func (export "score_f32") (param $in i32) (param $stride i32) (param $n i32) (param $w i32) (param $labels i32) (param $out i32) (param $scratch i32) (result i32)
    (local $i i32) (local $p i32) (local $label i32) (local $own f64) (local $mx f64) (local $best i32) (local $above i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $in) (i32.shl (i32.mul (local.get $i) (local.get $stride)) (i32.const 2))))
        (local.set $label (i32.load (i32.add (local.get $labels) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ge_s (local.get $label) (i32.const 0))
          (then
            (local.set $own (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $label) (i32.const 2))))))
            (call $max_f32 (local.get $p) (local.get $scratch) (local.get $w) (local.get $own))
            (local.set $above)
            (local.set $best)
            (local.set $mx)
            (if (i32.eqz (call $row (local.get $scratch) (local.get $w) (local.get $label) (local.get $own) (local.get $mx) (local.get $best) (local.get $above)
                  (i32.add (local.get $out) (i32.mul (local.get $i) (i32.const 48)))))
              (then (return (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1)))

