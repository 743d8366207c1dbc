import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataFileError } from '../../../src/readers/errors';
import { PickleDict, PickleList, PickleSet, PickleTuple, TensorRef, unpickle, type PickleValue, type UnpickleOptions } from '../../../src/readers/pickle';

const OPTIONS: UnpickleOptions = { file: 'x.pt', member: 'x/data.pkl', maxDepth: 1000 };
const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const enc = (text: string) => new TextEncoder().encode(text);
const cat = (...parts: (Uint8Array | string | number[])[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === 'string' ? Array.from(Buffer.from(part, 'latin1')) : Array.from(part))));
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const binunicode = (s: string) => cat('X', u32(enc(s).length), enc(s));
const global = (module: string, name: string) => `c${module}\n${name}\n`;

/** Plain Python values as a JSON-like tree, so results compare with deepEqual. */
function plain(value: PickleValue): unknown {
  if (value instanceof PickleTuple) return { tuple: value.items.map(plain) };
  if (value instanceof PickleList) return value.items.map(plain);
  if (value instanceof PickleSet) return { set: value.items.map(plain) };
  if (value instanceof PickleDict) return Object.fromEntries([...value.entries.values()].map(({ key, value: v }) => [String(key), plain(v)]));
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  return value;
}

function refused(bytes: Uint8Array, pattern: RegExp, options: Partial<UnpickleOptions> = {}): DataFileError {
  let caught: unknown;
  try {
    unpickle(bytes, { ...OPTIONS, ...options });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DataFileError, `expected a DataFileError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.equal(caught.message.includes('\n'), false);
  return caught;
}

// pickle.dumps({'a': [1, -2, 300, 70000, -70000, 2**70, -2**63, -3.5, 'xé中', b'y\x00', (1,2), (), None, True, False],
//               'n': {'k': (1, 2, 3, 4)}, 's': {7}, 'fs': frozenset([8])}, protocol=p) from CPython 3.11
const PLAIN_PICKLES: Record<number, string> = {
  0: '286470300a56610a70310a286c70320a49310a61492d320a61493330300a614937303030300a61492d37303030300a614c313138303539313632303731373431313330333432344c0a614c2d393232333337323033363835343737353830384c0a61462d332e350a615678e95c75346532640a70330a61635f636f646563730a656e636f64650a70340a2856795c75303030300a70350a566c6174696e310a70360a7470370a5270380a612849310a49320a7470390a612874614e614930310a614930300a6173566e0a7031300a28647031310a566b0a7031320a2849310a49320a49330a49340a747031330a737356730a7031340a635f5f6275696c74696e5f5f0a7365740a7031350a28286c7031360a49370a61747031370a527031380a735666730a7031390a635f5f6275696c74696e5f5f0a66726f7a656e7365740a7032300a28286c7032310a49380a61747032320a527032330a732e',
  1: '7d71002858010000006171015d7102284b014afeffffff4d2c014a701101004a90eefeff4c313138303539313632303731373431313330333432344c0a4c2d393232333337323033363835343737353830384c0a47c00c000000000000580600000078c3a9e4b8ad7103635f636f646563730a656e636f64650a71042858020000007900710558060000006c6174696e317106747107527108284b014b02747109294e4930310a4930300a6558010000006e710a7d710b58010000006b710c284b014b024b034b0474710d73580100000073710e635f5f6275696c74696e5f5f0a7365740a710f285d71104b0761747111527112580200000066737113635f5f6275696c74696e5f5f0a66726f7a656e7365740a7114285d71154b0861747116527117752e',
  2: '80027d71002858010000006171015d7102284b014afeffffff4d2c014a701101004a90eefeff8a090000000000000000408a08000000000000008047c00c000000000000580600000078c3a9e4b8ad7103635f636f646563730a656e636f64650a710458020000007900710558060000006c6174696e3171068671075271084b014b02867109294e88896558010000006e710a7d710b58010000006b710c284b014b024b034b0474710d73580100000073710e635f5f6275696c74696e5f5f0a7365740a710f5d71104b0761857111527112580200000066737113635f5f6275696c74696e5f5f0a66726f7a656e7365740a71145d71154b0861857116527117752e',
  3: '80037d71002858010000006171015d7102284b014afeffffff4d2c014a701101004a90eefeff8a090000000000000000408a08000000000000008047c00c000000000000580600000078c3a9e4b8ad71034302790071044b014b02867105294e88896558010000006e71067d710758010000006b7108284b014b024b034b0474710973580100000073710a636275696c74696e730a7365740a710b5d710c4b076185710d52710e58020000006673710f636275696c74696e730a66726f7a656e7365740a71105d71114b0861857112527113752e',
  4: '80049581000000000000007d94288c0161945d94284b014afeffffff4d2c014a701101004a90eefeff8a090000000000000000408a08000000000000008047c00c0000000000008c0678c3a9e4b8ad9443027900944b014b028694294e8889658c016e947d948c016b94284b014b024b034b047494738c0173948f94284b07908c02667394284b089194752e',
  5: '80059581000000000000007d94288c0161945d94284b014afeffffff4d2c014a701101004a90eefeff8a090000000000000000408a08000000000000008047c00c0000000000008c0678c3a9e4b8ad9443027900944b014b028694294e8889658c016e947d948c016b94284b014b024b034b047494738c0173948f94284b07908c02667394284b089194752e',
};

const PLAIN_VALUE = {
  a: [1, -2, 300, 70000, -70000, 2n ** 70n, -(2n ** 63n), -3.5, 'xé中', { bytes: [0x79, 0] }, { tuple: [1, 2] }, { tuple: [] }, null, true, false],
  n: { k: { tuple: [1, 2, 3, 4] } },
  s: { set: [7] },
  fs: { set: [8] },
};

/** The argument tuple torch.save writes for _rebuild_tensor_v2: (storage pid, offset, size, stride, False, OrderedDict()). */
function rebuildArgs(size: number[], stride: number[], offset = 0, numel = 6, storage = 'FloatStorage'): Uint8Array {
  const tuple = (items: number[]) => cat('(', ...items.map((n) => [0x4b, n]), 't');
  return cat(
    '((',
    binunicode('storage'),
    global('torch', storage),
    binunicode('0'),
    binunicode('cpu'),
    [0x4b, numel],
    'tQ',
    [0x4b, offset],
    tuple(size),
    tuple(stride),
    '\x89',
    global('collections', 'OrderedDict'),
    ')Rt',
  );
}

/** What torch.save writes for {'w': tensor} with protocol 2. */
function tensorPickle(size: number[], stride: number[], offset = 0, numel = 6, storage = 'FloatStorage'): Uint8Array {
  return cat('\x80\x02}q\x00', binunicode('w'), global('torch._utils', '_rebuild_tensor_v2'), rebuildArgs(size, stride, offset, numel, storage), 'q\x01Rs.');
}

describe('pickle walker', () => {
  for (const protocol of [0, 1, 2, 3, 4, 5]) {
    it(`reads plain values pickled with protocol ${protocol}`, () => {
      assert.deepEqual(plain(unpickle(hex(PLAIN_PICKLES[protocol]!), OPTIONS)), PLAIN_VALUE);
    });
  }

  it('turns _rebuild_tensor_v2 into a view of a storage, without reading the storage', () => {
    const result = unpickle(tensorPickle([2, 3], [3, 1]), OPTIONS);
    assert.ok(result instanceof PickleDict);
    const tensor = [...result.entries.values()][0]!.value;
    assert.ok(tensor instanceof TensorRef);
    assert.deepEqual([tensor.storage.key, tensor.storage.dtype, tensor.storage.numel, tensor.storage.location], ['0', 'float32', 6, 'cpu']);
    assert.deepEqual([tensor.offset, tensor.shape, tensor.stride], [0, [2, 3], [3, 1]]);
  });

  it('unwraps Parameter and _rebuild_from_type_v2 to the tensor they hold, and refuses other subclasses', () => {
    const wrapped = (type: string) =>
      cat(
        '\x80\x02',
        global('torch._tensor', '_rebuild_from_type_v2'),
        '(',
        global('torch._utils', '_rebuild_tensor_v2'),
        type,
        rebuildArgs([2, 3], [3, 1]),
        '}tR.',
      );
    assert.ok(unpickle(wrapped(global('torch', 'Tensor')), OPTIONS) instanceof TensorRef);
    assert.ok(unpickle(wrapped(global('torch.nn.parameter', 'Parameter')), OPTIONS) instanceof TensorRef);
    refused(wrapped(global('collections', 'OrderedDict')), /_rebuild_from_type_v2 of 'collections\.OrderedDict' \(only tensors and parameters can be read\)/);
    refused(cat('\x80\x02', global('torch.nn.parameter', 'Parameter'), ')\x81.'), /torch\.nn\.parameter\.Parameter of None, not a tensor/);
  });

  it('refuses a view that reaches past its storage, and a storage the archive does not have', () => {
    refused(tensorPickle([2, 3], [3, 1], 1), /reaches element 6 of storage '0', which holds 6/);
    refused(tensorPickle([3, 3], [3, 1]), /reaches element 8/);
    refused(tensorPickle([2, 3], [3, 1]), /storage '0' is not in the archive/, { hasStorage: (key) => key === '1' });
    refused(tensorPickle([2], [1], 0, 6, 'QInt8Storage'), /refusing to load global 'torch\.QInt8Storage'/);
  });

  it('refuses every global outside the allow-list by name, at the byte where it appears', () => {
    const error = refused(
      cat('\x80\x02', global('os', 'system'), binunicode('touch /tmp/x'), '\x85R.'),
      /refusing to load global 'os\.system' \(only tensors, dicts, lists and tuples can be read\)/,
    );
    assert.equal(error.place, 'x/data.pkl byte 2');
    assert.equal(error.file, 'x.pt');
    refused(cat('\x80\x04', [0x8c, 2], 'os', [0x8c, 6], 'system', '\x93.'), /'os\.system'/);
    refused(cat('\x80\x02', global('__builtin__', 'eval'), '.'), /'builtins\.eval'/);
    refused(cat('(', binunicode('x'), 'ios\nsystem\n.'), /'os\.system'/);
    refused(cat('\x80\x02', global('torch', 'load'), '.'), /'torch\.load'/);
    refused(cat('\x80\x02', global('torch.storage', '_load_from_bytes'), '.'), /'torch\.storage\._load_from_bytes'/);
  });

  it('refuses calls and constructions that torch never writes, even of allowed names', () => {
    refused(cat('\x80\x02}}', binunicode('k'), 'K\x01sb.'), /BUILD on a dict/);
    refused(cat('\x80\x02', global('torch._utils', '_rebuild_tensor_v2'), ')\x81.'), /NEWOBJ of 'torch\._utils\._rebuild_tensor_v2' is not supported/);
    refused(cat('\x80\x02', global('torch', 'FloatStorage'), ')R.'), /'torch\.FloatStorage' cannot be called here/);
    refused(cat('\x80\x02', binunicode('x'), ')R.'), /REDUCE calls a string/);
    refused(cat('\x80\x02\x82\x01)R.'), /extension registry code 1/);
    refused(cat('Pfoo\n.'), /persistent id 'foo'/);
    refused(cat('\x80\x02(', binunicode('module'), 'tQ.'), /refusing persistent id a tuple 'module'/);
    refused(
      cat('\x80\x02', global('_codecs', 'encode'), binunicode('x'), binunicode('rot13'), '\x86R.'),
      /_codecs\.encode is only read as encode\(str, 'latin1'\)/,
    );
  });

  it('refuses storage keys that are not plain member names', () => {
    for (const key of ['../../etc/passwd', '/etc/passwd', 'a/b', '', '0\u0000']) {
      const bytes = cat('\x80\x02(', binunicode('storage'), global('torch', 'FloatStorage'), binunicode(key), binunicode('cpu'), 'K\x01tQ.');
      refused(bytes, /is not a member name of this archive/);
    }
  });

  it('limits nesting through marks, lists, dicts and tuples, without recursion', () => {
    const n = 100_000;
    refused(cat('\x80\x02', ']'.repeat(n), 'a'.repeat(n - 1), '.'), /containers nest more than 1000 deep \(setting likelihoodLens.limits.maxPickleDepth\)/);
    refused(cat('\x80\x02', '('.repeat(n), ')', 't'.repeat(n), '.'), /nest more than 1000 deep/);
    refused(cat('\x80\x02', ')', '\x85'.repeat(n), '.'), /nest more than 1000 deep/);
    refused(cat('\x80\x02}', '\x85'.repeat(1000), 'K\x01s.'), /nest more than 1000 deep/);
    // Just under the limit is fine.
    const ok = unpickle(cat('\x80\x02', ']'.repeat(999), 'a'.repeat(998), '.'), OPTIONS);
    assert.ok(ok instanceof PickleList);
    assert.equal(ok.depth, 999);
  });

  it('refuses memo lookups that were never stored, at any index', () => {
    refused(hex('8002 6a ffffffff 2e'.replace(/ /g, '')), /memo index 4294967295 was never stored/);
    refused(hex('8002 68 05 2e'.replace(/ /g, '')), /memo index 5 was never stored/);
    // A huge index that was stored is only a map entry.
    assert.equal(unpickle(hex('80024b07 72ffffffff 30 6affffffff 2e'.replace(/ /g, '')), OPTIONS), 7);
  });

  it('refuses a truncated pickle at every length with a DataFileError naming the byte', () => {
    const whole = tensorPickle([2, 3], [3, 1]);
    for (let length = 0; length < whole.length; length++) {
      refused(whole.subarray(0, length), /x\/data\.pkl byte \d+: /);
    }
    for (const protocol of [0, 1, 2, 3, 4, 5]) {
      const bytes = hex(PLAIN_PICKLES[protocol]!);
      for (let length = 0; length < bytes.length; length++) refused(bytes.subarray(0, length), /byte \d+/);
    }
  });

  it('refuses lengths that run past the end instead of allocating them', () => {
    refused(hex('80028d0000000000000040787878'), /ended early/); // BINUNICODE8 of 2^62 bytes
    refused(hex('80028b0000004001'), /ended early/); // LONG4 of 2^30 bytes
    refused(hex('800242ffffffff'), /ended early/); // BINBYTES
    refused(hex('80029500000000000010002e'), /FRAME is longer/);
  });

  it('never throws anything but DataFileError on corrupted pickles', () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const sources = [tensorPickle([2, 3], [3, 1]), ...Object.values(PLAIN_PICKLES).map(hex)];
    for (let round = 0; round < 3000; round++) {
      const bytes = sources[round % sources.length]!.slice();
      const flips = 1 + Math.floor(random() * 4);
      for (let i = 0; i < flips; i++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        unpickle(bytes, OPTIONS);
      } catch (error) {
        if (!(error instanceof DataFileError)) assert.fail(`round ${round}: ${String(error)} for ${Buffer.from(bytes).toString('hex')}`);
      }
    }
  });
});
