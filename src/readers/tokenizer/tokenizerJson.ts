import { basename } from 'node:path';
import { fileSource, type ByteSource } from '../byteSource';
import { DataFileError, describeError, quoteName } from '../errors';

/**
 * Bounds on a tokenizer.json. Llama 3's is 9 MB and Gemma 3's 33 MB; 128 MB leaves room for
 * bigger vocabularies while refusing a file JSON.parse would take gigabytes to hold.
 */
export interface TokenizerLimits {
  readonly maxBytes: number;
  /** Largest token id: the id -> piece table is sized by it (Gemma's 262,144 ids fit 16 times). */
  readonly maxTokenId: number;
  /** Deepest nesting of decoder Sequences. */
  readonly maxDecoderDepth: number;
}

export const DEFAULT_TOKENIZER_LIMITS: TokenizerLimits = { maxBytes: 128 * 2 ** 20, maxTokenId: 2 ** 22, maxDecoderDepth: 16 };

/** One step of a Hugging Face decoder chain, validated (see tokenizers/src/decoders). */
export type DecoderStep =
  | { readonly type: 'ByteLevel' }
  | { readonly type: 'ByteFallback' }
  | { readonly type: 'Fuse' }
  | { readonly type: 'Strip'; readonly content: string; readonly start: number; readonly stop: number }
  | { readonly type: 'Replace'; readonly pattern: string | RegExp; readonly content: string }
  /** Drops the replacement character from the first token unless prependScheme is 'never'; elsewhere it is a space. */
  | { readonly type: 'Metaspace'; readonly replacement: string; readonly prependScheme: 'always' | 'never' | 'first' }
  | { readonly type: 'WordPiece'; readonly prefix: string; readonly cleanup: boolean }
  /** The end-of-word suffix becomes a space (nothing on the last token). */
  | { readonly type: 'BPE'; readonly suffix: string }
  | { readonly type: 'Sequence'; readonly decoders: readonly DecoderStep[] };

/** What decoding needs of a tokenizer.json: id -> piece, which pieces are special, the decoder chain. */
export interface TokenizerDefinition {
  readonly name: string;
  readonly modelType: string;
  /** Piece of each id (undefined for an id no entry has); added tokens override the model's vocabulary. */
  readonly pieces: readonly (string | undefined)[];
  /** Contents of the added tokens marked special: skipped by decode({ skipSpecialTokens: true }). */
  readonly specialPieces: ReadonlySet<string>;
  /** undefined: tokenizers then joins the pieces with spaces. */
  readonly decoder: DecoderStep | undefined;
}

/** Reads and validates a tokenizer.json. */
export async function readTokenizerSource(source: ByteSource, limits: TokenizerLimits = DEFAULT_TOKENIZER_LIMITS): Promise<TokenizerDefinition> {
  if (source.size > limits.maxBytes)
    throw new DataFileError(source.name, '', `the file is ${source.size} bytes, over the ${limits.maxBytes}-byte limit for a tokenizer.json`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await source.read(0, source.size));
  } catch (error) {
    throw new DataFileError(source.name, '', error instanceof TypeError ? 'the file is not valid UTF-8 text' : describeError(error));
  }
  return parseTokenizer(source.name, text, limits);
}

export async function readTokenizerFile(path: string, limits: TokenizerLimits = DEFAULT_TOKENIZER_LIMITS): Promise<TokenizerDefinition> {
  const source = await fileSource(path, basename(path));
  try {
    return await readTokenizerSource(source, limits);
  } finally {
    await source.close();
  }
}

/** A tokenizer.json already in memory as text. */
export function parseTokenizer(name: string, text: string, limits: TokenizerLimits = DEFAULT_TOKENIZER_LIMITS): TokenizerDefinition {
  if (text.length > limits.maxBytes)
    throw new DataFileError(name, '', `the text is ${text.length} characters, over the ${limits.maxBytes}-byte limit for a tokenizer.json`);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    // V8 says "... in JSON at position N" (or line/column); keep its own words, one line.
    throw new DataFileError(name, '', `not valid JSON: ${describeError(error)}`);
  }
  const fail = (place: string, reason: string): never => {
    throw new DataFileError(name, place, reason);
  };
  const top = asObject(root, '', fail);
  const model = asObject(top.model, 'model', fail);
  const pieces: (string | undefined)[] = [];
  const setPiece = (id: unknown, piece: string, place: string) => {
    if (!(typeof id === 'number' && Number.isInteger(id) && id >= 0)) fail(place, `the token id ${describeValue(id)} is not a non-negative integer`);
    if ((id as number) > limits.maxTokenId) fail(place, `token id ${id} is over the limit of ${limits.maxTokenId}`);
    // Grows the table one id at a time up to the largest id seen: bounded by maxTokenId.
    while (pieces.length <= (id as number)) pieces.push(undefined);
    pieces[id as number] = piece;
  };

  const modelType = model.type === undefined ? (Array.isArray(model.vocab) ? 'Unigram' : 'BPE') : model.type;
  if (typeof modelType !== 'string') fail('model.type', `${describeValue(modelType)} is not a string`);
  if (modelType === 'Unigram') {
    // [[piece, score], ...]: the id is the index.
    if (!Array.isArray(model.vocab)) fail('model.vocab', 'a Unigram vocabulary must be a list of [piece, score] pairs');
    const vocab = model.vocab as unknown[];
    vocab.forEach((entry, id) => {
      const place = `model.vocab[${id}]`;
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') fail(place, 'not a [piece, score] pair');
      setPiece(id, (entry as [string])[0], place);
    });
  } else if (modelType === 'BPE' || modelType === 'WordPiece' || modelType === 'WordLevel') {
    const vocab = asObject(model.vocab, 'model.vocab', fail);
    for (const piece of Object.keys(vocab)) setPiece(vocab[piece], piece, `model.vocab[${quoteName(piece)}]`);
  } else {
    fail('model.type', `model type ${quoteName(String(modelType))} is not one of BPE, WordPiece, WordLevel, Unigram`);
  }

  const specialPieces = new Set<string>();
  if (top.added_tokens !== undefined && top.added_tokens !== null) {
    if (!Array.isArray(top.added_tokens)) fail('added_tokens', 'not a list');
    (top.added_tokens as unknown[]).forEach((entry, index) => {
      const place = `added_tokens[${index}]`;
      const token = asObject(entry, place, fail);
      if (typeof token.content !== 'string') fail(`${place}.content`, `${describeValue(token.content)} is not a string`);
      setPiece(token.id, token.content as string, `${place}.id`);
      if (token.special === true) specialPieces.add(token.content as string);
    });
  }

  const decoder = top.decoder === undefined || top.decoder === null ? undefined : decoderStep(top.decoder, 'decoder', 0, limits, fail);
  return { name, modelType: modelType as string, pieces, specialPieces, decoder };
}

type Fail = (place: string, reason: string) => never;

function decoderStep(value: unknown, place: string, depth: number, limits: TokenizerLimits, fail: Fail): DecoderStep {
  if (depth > limits.maxDecoderDepth) fail(place, `decoders are nested more than ${limits.maxDecoderDepth} deep`);
  const step = asObject(value, place, fail);
  const text = (key: string, fallback?: string): string => {
    const v = step[key] ?? fallback;
    if (typeof v !== 'string') fail(`${place}.${key}`, `${describeValue(v)} is not a string`);
    return v as string;
  };
  const oneCharacter = (key: string, fallback?: string): string => {
    const v = text(key, fallback);
    if ([...v].length !== 1) fail(`${place}.${key}`, `${quoteName(v)} is not one character`);
    return v;
  };
  const count = (key: string): number => {
    const v = step[key] ?? 0;
    if (!(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) fail(`${place}.${key}`, `${describeValue(v)} is not a non-negative integer`);
    return v as number;
  };
  switch (step.type) {
    case 'ByteLevel':
    case 'ByteFallback':
    case 'Fuse':
      return { type: step.type };
    case 'Strip':
      return { type: 'Strip', content: oneCharacter('content', ' '), start: count('start'), stop: count('stop') };
    case 'Replace': {
      const pattern = asObject(step.pattern, `${place}.pattern`, fail);
      const content = text('content');
      if (typeof pattern.String === 'string') {
        if (pattern.String === '') fail(`${place}.pattern.String`, 'the pattern is empty');
        return { type: 'Replace', pattern: pattern.String, content };
      }
      if (typeof pattern.Regex === 'string') {
        try {
          return { type: 'Replace', pattern: new RegExp(pattern.Regex, 'gu'), content };
        } catch (error) {
          return fail(`${place}.pattern.Regex`, `not a regular expression JavaScript can run: ${describeError(error)}`);
        }
      }
      return fail(`${place}.pattern`, 'neither {"String": ...} nor {"Regex": ...}');
    }
    case 'Metaspace': {
      const scheme = step.prepend_scheme ?? (step.add_prefix_space === false ? 'never' : 'always');
      if (scheme !== 'always' && scheme !== 'never' && scheme !== 'first')
        fail(`${place}.prepend_scheme`, `${describeValue(scheme)} is not always, never or first`);
      return { type: 'Metaspace', replacement: oneCharacter('replacement', '\u2581'), prependScheme: scheme as 'always' | 'never' | 'first' };
    }
    case 'WordPiece': {
      const cleanup = step.cleanup ?? true;
      if (typeof cleanup !== 'boolean') fail(`${place}.cleanup`, `${describeValue(cleanup)} is not true or false`);
      return { type: 'WordPiece', prefix: text('prefix', '##'), cleanup: cleanup as boolean };
    }
    case 'BPE': {
      const suffix = text('suffix', '</w>');
      // An empty suffix would put a space between every two characters.
      if (suffix === '') fail(`${place}.suffix`, 'the suffix is empty');
      return { type: 'BPE', suffix };
    }
    case 'Sequence': {
      if (!Array.isArray(step.decoders)) fail(`${place}.decoders`, 'not a list');
      return { type: 'Sequence', decoders: (step.decoders as unknown[]).map((d, i) => decoderStep(d, `${place}.decoders[${i}]`, depth + 1, limits, fail)) };
    }
    default:
      return fail(
        `${place}.type`,
        `decoder ${describeValue(step.type)} is not supported (ByteLevel, ByteFallback, Fuse, Strip, Replace, Metaspace, WordPiece, BPE, Sequence are)`,
      );
  }
}

function asObject(value: unknown, place: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(place, `${describeValue(value)} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** A JSON value named briefly for a message. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'a missing value';
  if (typeof value === 'string') return quoteName(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
