import { typedValues } from '../../../engine/rowScores';
import { alignTargets, NO_TARGET } from '../../../engine/tokens/alignment';
import { TokenError, tokenPlace } from '../../../engine/tokens/tokenError';
import type { TokenLogits } from '../../../engine/tokens/tokenLogits';
import { scoresHalves } from '../../../engine/tokens/tokenLoss';
import { DataFileError, quoteName } from '../../../readers/errors';
import { readStoredElementsOf, readStoredHalvesOf } from '../../../readers/storedElements';
import type { NumericArray, Tensor } from '../../../readers/tensor';
import { LM_BLOCK_VALUES } from '../../sizes';

/** A scored position of per-token log-probabilities given without token ids. */
export const UNKNOWN_TOKEN = -2;

/** A language model's tensors, as its roles name them, and how targets are aligned with positions. */
export interface LanguageModelTensors {
  readonly fileName: string;
  readonly kind: 'logits' | 'token-logprobs';
  /** Logits [B, T, V] or log-probabilities [B, T], in memory or left in the file. */
  readonly predictions: Tensor;
  readonly targets: Tensor | undefined;
  readonly mask: Tensor | undefined;
  readonly batch: number;
  readonly length: number;
  /** V; 1 for per-token log-probabilities (one value per position). */
  readonly vocabulary: number;
  readonly shift: boolean;
  readonly ignoreIndex: number;
}

/** Sequences [first, first + count) with the id each of their positions scores. */
export interface SequenceGroup {
  readonly first: number;
  readonly count: number;
  /**
   * Per position (b - first) * T + t: the id it scores under the chosen alignment, NO_TARGET
   * where it scores none, UNKNOWN_TOKEN where log-probabilities came without token ids.
   */
  readonly chosen: Int32Array;
  /** The same under the other alignment, for the off-by-one check (logits only). */
  readonly other: Int32Array | undefined;
}

/** Positions [from, to) of the flat [B, T] grid, inside one group. */
export interface TokenBlockPlace {
  readonly group: SequenceGroup;
  readonly from: number;
  readonly to: number;
}

/** A block's positions with their values. */
export interface TokenRows extends TokenBlockPlace {
  /**
   * V logits per position, or one log-probability per position, from position `from`; the raw
   * halves of bfloat16 or float16 logits left in their file in the host's byte order.
   */
  readonly values: TokenLogits;
}

/** Reusable memory for the blocks of a tensor left in its file: the decoded values, and the raw bytes of a dtype that needs decoding (bfloat16, float16). */
interface BlockMemory {
  values?: NumericArray;
  bytes?: Uint8Array;
}

/**
 * Elements [first, first + count) of a tensor: a view when it is in memory, read by byte range
 * when it was left in its file (into `memory`'s arrays, grown as needed, when given).
 */
function elementsOf(tensor: Tensor, first: number, count: number, memory?: BlockMemory): NumericArray {
  if (!tensor.stored) return tensor.data.subarray(first, first + count);
  if (!memory) return readStoredElementsOf(tensor.name, tensor.stored, first, count);
  const scratch = scratchOf(memory);
  const values = readStoredElementsOf(tensor.name, tensor.stored, first, count, memory.values, scratch);
  if (!memory.values || values.length > memory.values.length) memory.values = values;
  return values;
}

function scratchOf(memory: BlockMemory): (bytes: number) => Uint8Array {
  return (bytes) => (memory.bytes && memory.bytes.length >= bytes ? memory.bytes.subarray(0, bytes) : (memory.bytes = new Uint8Array(bytes)));
}

/** Logits [first, first + count) of a tensor: as elementsOf, but bfloat16 and float16 left in the file in host order stay raw halves when the kernel reads them. */
function logitsOf(tensor: Tensor, vocabulary: number, first: number, count: number, memory: BlockMemory): TokenLogits {
  const halves = tensor.stored && scoresHalves(vocabulary) ? readStoredHalvesOf(tensor.name, tensor.stored, first, count, scratchOf(memory)) : undefined;
  return halves ?? typedValues(elementsOf(tensor, first, count, memory));
}

/** A TokenError of a group's grid, at its place in the whole file's grid. */
function placed(tensors: LanguageModelTensors, tensor: Tensor | undefined, group: number, error: unknown): unknown {
  if (!(error instanceof TokenError)) return error;
  const name = error.reason.startsWith('attention mask') ? tensors.mask?.name : tensor?.name;
  return new DataFileError(
    tensors.fileName,
    `tensor ${quoteName(name ?? tensors.predictions.name)} ${tokenPlace(group + error.batch, error.position)}`,
    error.reason,
  );
}

/** The ids sequences [first, first + count) score, both ways for logits. */
export function alignGroup(tensors: LanguageModelTensors, first: number, count: number): SequenceGroup {
  const { length, targets, mask } = tensors;
  const at = first * length;
  const size = count * length;
  const ids = targets ? elementsOf(targets, at, size) : undefined;
  const maskValues = mask ? elementsOf(mask, at, size) : undefined;
  try {
    if (tensors.kind === 'logits') {
      const options = { vocabulary: tensors.vocabulary, ignoreIndex: tensors.ignoreIndex, ...(maskValues ? { mask: maskValues } : {}) };
      const chosen = alignTargets(ids!, count, length, { ...options, shift: tensors.shift }).targets;
      const other = alignTargets(ids!, count, length, { ...options, shift: !tensors.shift }).targets;
      return { first, count, chosen, other };
    }
    return { first, count, chosen: logProbabilityTargets(ids, maskValues, length, tensors.ignoreIndex), other: undefined };
  } catch (error) {
    throw placed(tensors, targets, first, error);
  }
}

/** Which positions of log-probabilities count: not masked out, and not the ignore index when token ids are given. */
function logProbabilityTargets(ids: NumericArray | undefined, mask: NumericArray | undefined, length: number, ignoreIndex: number): Int32Array {
  const size = (ids ?? mask)?.length;
  const chosen = new Int32Array(size ?? 0);
  for (let i = 0; i < chosen.length; i++) {
    const b = Math.floor(i / length);
    if (mask) {
      const m = mask[i]!;
      if (m !== 0 && m !== 1) throw new TokenError(b, i - b * length, length, `attention mask value ${m} is neither 0 nor 1`);
      if (m === 0) {
        chosen[i] = NO_TARGET;
        continue;
      }
    }
    if (!ids) {
      chosen[i] = UNKNOWN_TOKEN;
      continue;
    }
    const id = ids[i]!;
    if (id === ignoreIndex) chosen[i] = NO_TARGET;
    else if (Number.isSafeInteger(id) && id >= 0 && id < 2 ** 31) chosen[i] = id;
    else throw new TokenError(b, i - b * length, length, Number.isNaN(id) ? 'the target id is missing (NaN)' : `target id ${id} is not a token id`);
  }
  return chosen;
}

/**
 * Sequences [firstSequence, endSequence) as blocks of at most LM_BLOCK_VALUES values, in file
 * order: as many whole sequences as fit, else part of one. Each group's targets are aligned
 * when its first block is reached.
 */
export function* tokenBlocks(tensors: LanguageModelTensors, firstSequence: number, endSequence: number): Generator<TokenBlockPlace> {
  const { length, vocabulary } = tensors;
  const sequencesPerGroup = Math.max(1, Math.floor(LM_BLOCK_VALUES / (length * vocabulary)));
  const positionsPerBlock = Math.max(1, Math.floor(LM_BLOCK_VALUES / vocabulary));
  for (let first = firstSequence; first < endSequence; first += sequencesPerGroup) {
    const group = alignGroup(tensors, first, Math.min(sequencesPerGroup, endSequence - first));
    const end = (first + group.count) * length;
    for (let from = first * length; from < end; from += positionsPerBlock) yield { group, from, to: Math.min(end, from + positionsPerBlock) };
  }
}

/**
 * tokenBlocks with their values. A tensor left in its file is read a block at a time into one
 * buffer, so memory stays a block whatever B, T and V; the caller finishes with a block before
 * asking for the next. Between blocks the event loop runs (a cancellation can arrive) and
 * `signal` is honoured.
 */
export async function* tokenRows(tensors: LanguageModelTensors, firstSequence: number, endSequence: number, signal?: AbortSignal): AsyncGenerator<TokenRows> {
  const { vocabulary } = tensors;
  const memory: BlockMemory = {};
  for (const { group, from, to } of tokenBlocks(tensors, firstSequence, endSequence)) {
    if (signal?.aborted) throw new Error('cancelled');
    const first = from * vocabulary;
    const count = (to - from) * vocabulary;
    const values =
      tensors.kind === 'logits'
        ? logitsOf(tensors.predictions, vocabulary, first, count, memory)
        : typedValues(elementsOf(tensors.predictions, first, count, memory));
    yield { group, from, to, values };
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The V logits of one position (flat index b * T + t), read alone by byte range when the tensor was left in its file. */
export function positionValues(tensors: LanguageModelTensors, flat: number): Float32Array | Float64Array {
  return typedValues(elementsOf(tensors.predictions, flat * tensors.vocabulary, tensors.vocabulary));
}
