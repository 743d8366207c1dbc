import { expNonPositive } from '../expNonPositive';

export interface TopTokens {
  /** The k most probable token ids, most probable first; ties to the lower id. */
  readonly ids: Int32Array;
  /** softmax(z) of each, normalised by the row's log-sum-exp. */
  readonly probabilities: Float64Array;
  readonly logSumExp: number;
  /** softmax(z)[target] and how many logits are strictly greater than the target's; undefined without a target. */
  readonly targetProbability: number | undefined;
  readonly targetRank: number | undefined;
}

/**
 * The k most probable tokens of one row of V logits (row[offset .. offset + V)), in one O(V log k)
 * pass (O(V) in practice: few logits beat the heap's root once it holds good ones): a min-heap of the k best so far (its root the worst of them), and the log-sum-exp with a
 * running maximum as in scoreTokens. V is never sorted. Throws a RangeError on a NaN or
 * +Infinity logit or a row with no finite one.
 */
export function topTokens(row: ArrayLike<number>, offset: number, vocabulary: number, k: number, target?: number): TopTokens {
  if (!(Number.isSafeInteger(k) && k >= 1)) throw new RangeError(`k = ${k} is not a positive integer`);
  if (target !== undefined && !(Number.isInteger(target) && target >= 0 && target < vocabulary))
    throw new RangeError(`target ${target} is not a token id in 0..${vocabulary - 1}`);
  const size = Math.min(k, vocabulary);
  const heapIds = new Int32Array(size);
  const heapValues = new Float64Array(size);
  // Without a target, NaN: no logit counts as above it.
  const own = target === undefined ? Number.NaN : row[offset + target]!;
  let above = 0;
  let filled = 0;
  let max = -Infinity;
  let total = 0;
  for (let j = 0; j < vocabulary; j++) {
    const z = row[offset + j]!;
    if (Number.isNaN(z) || z === Infinity) throw new RangeError(`logit ${j} is ${z}`);
    if (z > own) above++;
    if (z > max) {
      total = total * expNonPositive(max - z) + 1;
      max = z;
    } else if (z !== -Infinity) {
      total += expNonPositive(z - max);
    }
    if (filled < size) {
      heapIds[filled] = j;
      heapValues[filled] = z;
      siftUp(heapIds, heapValues, filled++);
    } else if (z > heapValues[0]!) {
      // Strictly greater: an equal logit keeps the earlier, lower id.
      heapIds[0] = j;
      heapValues[0] = z;
      siftDown(heapIds, heapValues, size);
    }
  }
  if (max === -Infinity) throw new RangeError('every logit is -Infinity');
  const logSumExp = max + Math.log(total);
  // Best first: by value down, then by id up.
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => heapValues[b]! - heapValues[a]! || heapIds[a]! - heapIds[b]!);
  const ids = Int32Array.from(order, (i) => heapIds[i]!);
  const probabilities = Float64Array.from(order, (i) => Math.exp(heapValues[i]! - logSumExp));
  if (target === undefined) return { ids, probabilities, logSumExp, targetProbability: undefined, targetRank: undefined };
  return { ids, probabilities, logSumExp, targetProbability: Math.exp(own - logSumExp), targetRank: above };
}

/** Whether heap entry a is worse than b: a smaller logit, or the same logit at a higher id. */
function worse(ids: Int32Array, values: Float64Array, a: number, b: number): boolean {
  return values[a]! < values[b]! || (values[a] === values[b] && ids[a]! > ids[b]!);
}

function swap(ids: Int32Array, values: Float64Array, a: number, b: number): void {
  const id = ids[a]!;
  ids[a] = ids[b]!;
  ids[b] = id;
  const value = values[a]!;
  values[a] = values[b]!;
  values[b] = value;
}

function siftUp(ids: Int32Array, values: Float64Array, at: number): void {
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (!worse(ids, values, at, parent)) return;
    swap(ids, values, at, parent);
    at = parent;
  }
}

function siftDown(ids: Int32Array, values: Float64Array, size: number): void {
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) return;
    const right = left + 1;
    const child = right < size && worse(ids, values, right, left) ? right : left;
    if (!worse(ids, values, child, at)) return;
    swap(ids, values, at, child);
    at = child;
  }
}
