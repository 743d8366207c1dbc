/** Bounds every reader enforces, so a lying or hostile file is refused instead of exhausting memory or time. */
export interface ReadLimits {
  /** Largest header (.npy dict, safetensors JSON, zip central directory) read, bytes. */
  readonly maxHeaderBytes: number;
  /** Largest total of tensor bytes decoded from one file. */
  readonly maxTensorBytes: number;
  /** Most tensors (or archive members) in one file. */
  readonly maxTensors: number;
  /** Most nesting of containers in a pickle. */
  readonly maxPickleDepth: number;
  /** Largest decompressed size of one deflated archive member, and the largest ratio to its compressed size. */
  readonly maxInflatedBytes: number;
  readonly maxCompressionRatio: number;
}

export const DEFAULT_LIMITS: ReadLimits = {
  maxHeaderBytes: 100 * 2 ** 20,
  maxTensorBytes: 8 * 2 ** 30,
  maxTensors: 100_000,
  maxPickleDepth: 1_000,
  maxInflatedBytes: 4 * 2 ** 30,
  maxCompressionRatio: 1_000,
};

/**
 * The setting that holds each limit, and whether it is given in MB (else as a plain count),
 * so the host can read them and every refusal can name the one to raise.
 */
export const LIMIT_SETTINGS: { readonly [K in keyof ReadLimits]: { readonly key: string; readonly megabytes: boolean } } = {
  maxHeaderBytes: { key: 'limits.maxHeaderMB', megabytes: true },
  maxTensorBytes: { key: 'limits.maxTensorMB', megabytes: true },
  maxTensors: { key: 'limits.maxTensors', megabytes: false },
  maxPickleDepth: { key: 'limits.maxPickleDepth', megabytes: false },
  maxInflatedBytes: { key: 'limits.maxInflatedMB', megabytes: true },
  maxCompressionRatio: { key: 'limits.maxCompressionRatio', megabytes: false },
};

/** " (setting likelihoodLens.limits.maxHeaderMB)": appended to a refusal over `limit`. */
export function raiseWith(limit: keyof ReadLimits): string {
  return ` (setting likelihoodLens.${LIMIT_SETTINGS[limit].key})`;
}
