import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath, readJson } from './fixtures';
import { npyDataStart, npyFile } from './bigFiles';

/** test/fixtures/lm/expected.json, written by gen_lm.py from PyTorch in float64 on the stored values. */
export const lmExpected: any = readJson(fixturePath('lm', 'expected.json'));

export const lmFixture = (file: string): string => fixturePath('lm', file);

/** The first case of a file: the alignment its target's name calls for. */
export const lmCase = (file: string, shift?: boolean): any => lmExpected.cases.find((c: any) => c.file === file && (shift === undefined || c.shift === shift));

type SafetensorsDtype = 'F16' | 'F32' | 'F64' | 'I64' | 'BOOL';

/** A .safetensors file of the given tensors (their bytes as they are in memory: little-endian here). */
export function safetensorsFile(
  tensors: readonly { readonly name: string; readonly dtype: SafetensorsDtype; readonly shape: readonly number[]; readonly data: ArrayBufferView }[],
): Uint8Array {
  const header: Record<string, object> = {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    bytes.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return bytes;
}

/** The [4, 16, 200] float32 logits and [4, 16] labels of npy_float32/, as they lie in their .npy files. */
export function fixtureArrays(): { logits: Float32Array; labels: BigInt64Array } {
  const read = (name: string) => {
    const bytes = readFileSync(lmFixture(`npy_float32/${name}.npy`));
    return bytes.buffer.slice(bytes.byteOffset + npyDataStart(bytes), bytes.byteOffset + bytes.length);
  };
  return { logits: new Float32Array(read('logits')), labels: new BigInt64Array(read('labels')) };
}

/**
 * logits.npy [8, 512, 4096] float16 and labels.npy [8, 512] in `folder`, made of npy_float16/'s
 * bytes: sequence b, position t holds sequence b % 4, position t % 16 of the fixture, its 200
 * logits followed by -inf (probability 0) up to 4096. Every scored token is one of the
 * fixture's, 64 times over and each sequence its own sequence 32 times over, so the
 * cross-entropy and every per-sequence mean are the fixture's. 32 MB: left in the file.
 * Another [B, T, V] (B a multiple of 4, T of 16, V at least 200) repeats the fixture the same way.
 */
export function writeBigLogits(folder: string, [B, T, V]: readonly [number, number, number] = [8, 512, 4096]): { logits: string; labels: string } {
  const small = lmExpected as { B: number; T: number; V: number };
  const bytes = readFileSync(lmFixture('npy_float16/logits.npy'));
  const rows = new Uint16Array(bytes.buffer.slice(bytes.byteOffset + npyDataStart(bytes), bytes.byteOffset + bytes.length));
  const { labels } = fixtureArrays();
  const logits = new Uint16Array(B * T * V).fill(0xfc00);
  const ids = new BigInt64Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const from = (b % small.B) * small.T + (t % small.T);
      logits.set(rows.subarray(from * small.V, (from + 1) * small.V), (b * T + t) * V);
      ids[b * T + t] = labels[from]!;
    }
  }
  const paths = { logits: join(folder, 'logits.npy'), labels: join(folder, 'labels.npy') };
  writeFileSync(paths.logits, npyFile('<f2', [B, T, V], logits));
  writeFileSync(paths.labels, npyFile('<i8', [B, T], ids));
  return paths;
}

/** The figures a language model's analysis and its CLI report share with expected.json, by the same names. */
export const LM_FIGURES = [
  'crossEntropy',
  'logLikelihood',
  'perplexity',
  'meanSequencePerplexity',
  'geometricMeanSequencePerplexity',
  'bitsPerToken',
  'accuracy',
  'meanEntropy',
  'otherAlignmentCrossEntropy',
] as const;
