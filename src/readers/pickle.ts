/**
 * A restricted pickle reader for the files torch.save writes. It walks opcodes (protocols 0-5)
 * and builds a tree of plain values; it never imports or calls anything. The only "globals" it
 * accepts are the ones torch.load(weights_only=True) accepts, and each is simulated here, not run:
 * rebuilding a tensor gives a TensorRef that names a storage by its archive key.
 */
import { DataFileError } from './errors';
import { raiseWith } from './limits';
import type { TensorDType } from './tensor';

export class PickleTuple {
  constructor(
    readonly items: readonly PickleValue[],
    readonly depth: number,
  ) {}
}

export class PickleList {
  readonly items: PickleValue[] = [];
  depth = 1;
}

export class PickleDict {
  /** Insertion order, as Python keeps it; keyed by a canonical form of the Python key. */
  readonly entries = new Map<unknown, { readonly key: PickleValue; value: PickleValue }>();
  depth = 1;
  constructor(readonly ordered: boolean) {}
}

export class PickleSet {
  readonly items: PickleValue[] = [];
  depth = 1;
}

/** An allow-listed global, as a token: it is only ever interpreted by name. */
export class PickleGlobal {
  constructor(readonly fullName: string) {}
}

/** A storage named by a persistent id: its bytes are the archive member `<prefix>/data/<key>`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: TensorDType,
    readonly storageType: string,
    readonly location: string,
    /** Elements of `dtype` in the storage. */
    readonly numel: number,
  ) {}
}

/** A tensor as torch rebuilds it: a strided view into a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    /** Byte of the pickle where the tensor was rebuilt, for messages. */
    readonly pickleByte: number,
  ) {}
}

export type PickleValue =
  null | boolean | number | bigint | string | Uint8Array | PickleTuple | PickleList | PickleDict | PickleSet | PickleGlobal | StorageRef | TensorRef;

export interface UnpickleOptions {
  /** The file's name, for messages. */
  readonly file: string;
  /** The archive member holding the pickle ("archive/data.pkl"), for messages. */
  readonly member: string;
  /** Most nesting of containers (and of MARKs). */
  readonly maxDepth: number;
  /** Whether the archive has a storage under this key; unknown keys are refused at their persistent id. */
  readonly hasStorage?: (key: string) => boolean;
}

/** torch.*Storage type -> element dtype. UntypedStorage holds raw bytes. */
export const STORAGE_DTYPES: Readonly<Record<string, TensorDType>> = {
  'torch.FloatStorage': 'float32',
  'torch.DoubleStorage': 'float64',
  'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16',
  'torch.LongStorage': 'int64',
  'torch.IntStorage': 'int32',
  'torch.ShortStorage': 'int16',
  'torch.CharStorage': 'int8',
  'torch.ByteStorage': 'uint8',
  'torch.BoolStorage': 'bool',
  'torch.UntypedStorage': 'uint8',
  'torch.Float8_e4m3fnStorage': 'float8_e4m3fn',
  'torch.Float8_e5m2Storage': 'float8_e5m2',
};

const REBUILD_TENSOR_V2 = 'torch._utils._rebuild_tensor_v2';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
const REBUILD_PARAMETER_WITH_STATE = 'torch._utils._rebuild_parameter_with_state';
const REBUILD_FROM_TYPE_V2 = 'torch._tensor._rebuild_from_type_v2';
const ORDERED_DICT = 'collections.OrderedDict';
const PARAMETER = 'torch.nn.parameter.Parameter';
const TENSOR = 'torch.Tensor';
const SIZE = 'torch.Size';
const DEVICE = 'torch.device';
const SET = 'builtins.set';
const FROZENSET = 'builtins.frozenset';
const CODECS_ENCODE = '_codecs.encode';

/** The globals torch.load(weights_only=True) accepts that plain tensor files use. Everything else is refused by name. */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  REBUILD_TENSOR_V2,
  REBUILD_TENSOR,
  REBUILD_PARAMETER,
  REBUILD_PARAMETER_WITH_STATE,
  REBUILD_FROM_TYPE_V2,
  ORDERED_DICT,
  PARAMETER,
  TENSOR,
  SIZE,
  DEVICE,
  SET,
  FROZENSET,
  CODECS_ENCODE,
  ...Object.keys(STORAGE_DTYPES),
]);

/** Largest integer encoding accepted (LONG1/LONG4/text): torch files hold small ints; huge ones only cost time. */
const MAX_LONG_BYTES = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const describe = (value: PickleValue): string => {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'a bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'string') return 'a string';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PickleTuple) return 'a tuple';
  if (value instanceof PickleList) return 'a list';
  if (value instanceof PickleDict) return value.ordered ? 'an OrderedDict' : 'a dict';
  if (value instanceof PickleSet) return 'a set';
  if (value instanceof PickleGlobal) return `'${value.fullName}'`;
  if (value instanceof StorageRef) return 'a storage';
  return 'a tensor';
};

const depthOf = (value: PickleValue): number =>
  value instanceof PickleTuple || value instanceof PickleList || value instanceof PickleDict || value instanceof PickleSet ? value.depth : 0;

let identityCounter = 0;
const identities = new WeakMap<object, number>();

/** A Map key that equals for equal Python keys (strings, numbers, tuples of them) and is the identity otherwise. */
function hashKey(value: PickleValue): unknown {
  if (value === null) return 'N';
  switch (typeof value) {
    case 'string':
      return `s${value}`;
    case 'boolean':
      return value ? 'n1' : 'n0'; // Python: True == 1 as dict keys
    case 'number':
      return `n${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `n${value}`;
    default:
      break;
  }
  if (value instanceof PickleTuple) return `t(${value.items.map((item) => String(hashKey(item))).join(',')})`;
  if (value instanceof Uint8Array) return `b${Array.from(value).join(',')}`;
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = ++identityCounter));
  return `o${id}`;
}

/** Walks the pickle in `bytes` and returns the value it builds. Throws DataFileError for anything else. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  return new Walker(bytes, options).run();
}

class Walker {
  private pos = 0;
  /** Start of the opcode being run, for messages. */
  private at = 0;
  private readonly stack: PickleValue[] = [];
  /** Stack heights at each open MARK. */
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(reason: string): never {
    throw new DataFileError(this.options.file, `${this.options.member} byte ${this.at}`, reason);
  }

  private refuseGlobal(fullName: string): never {
    this.fail(`refusing to load global '${fullName}' (only tensors, dicts, lists and tuples can be read)`);
  }

  // ---- reading, every read bounds-checked ----

  private need(length: number): number {
    const start = this.pos;
    if (!(length >= 0) || length > this.bytes.length - start) {
      this.fail(`the pickle ended early: ${length} bytes needed at byte ${start}, ${this.bytes.length - start} left`);
    }
    this.pos = start + length;
    return start;
  }

  private take(length: number): Uint8Array {
    const start = this.need(length);
    return this.bytes.subarray(start, start + length);
  }

  private u8(): number {
    return this.bytes[this.need(1)]!;
  }

  private u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  private i32(): number {
    return this.view.getInt32(this.need(4), true);
  }

  private u64(): number {
    const start = this.need(8);
    const high = this.view.getUint32(start + 4, true);
    // Anything past 2^53 is beyond any file anyway; keep it large so the length check fails.
    return high >= 2 ** 21 ? Number.MAX_SAFE_INTEGER : high * 2 ** 32 + this.view.getUint32(start, true);
  }

  private lineBytes(): Uint8Array {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail(`the pickle ended early: no end of line after byte ${this.pos}`);
    const raw = this.bytes.subarray(this.pos, end);
    this.pos = end + 1;
    return raw;
  }

  private line(): string {
    return this.text(this.lineBytes());
  }

  private text(raw: Uint8Array): string {
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('a string is not valid UTF-8');
    }
  }

  // ---- the stack ----

  private get base(): number {
    return this.marks.length ? this.marks[this.marks.length - 1]! : 0;
  }

  private push(value: PickleValue): void {
    this.stack.push(value);
  }

  private pop(): PickleValue {
    if (this.stack.length <= this.base) this.fail('stack underflow (an opcode needs a value that is not there)');
    return this.stack.pop()!;
  }

  private top(): PickleValue {
    if (this.stack.length <= this.base) this.fail('stack underflow (an opcode needs a value that is not there)');
    return this.stack[this.stack.length - 1]!;
  }

  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail('an opcode needs a MARK that is not there');
    return this.stack.splice(mark);
  }

  private checkDepth(depth: number): number {
    if (depth > this.options.maxDepth) this.fail(`containers nest more than ${this.options.maxDepth} deep${raiseWith('maxPickleDepth')}`);
    return depth;
  }

  private tuple(items: PickleValue[]): PickleTuple {
    let depth = 0;
    for (const item of items) depth = Math.max(depth, depthOf(item));
    return new PickleTuple(items, this.checkDepth(depth + 1));
  }

  private memoGet(index: number): PickleValue {
    if (!this.memo.has(index)) this.fail(`memo index ${index} was never stored`);
    return this.memo.get(index)!;
  }

  private memoPut(index: number): void {
    this.memo.set(index, this.top());
  }

  // ---- containers ----

  private appendTo(target: PickleValue, items: readonly PickleValue[]): void {
    if (!(target instanceof PickleList)) this.fail(`APPEND to ${describe(target)} (only lists can be appended to)`);
    for (const item of items) {
      target.items.push(item);
      target.depth = this.checkDepth(Math.max(target.depth, depthOf(item) + 1));
    }
  }

  private setItems(target: PickleValue, items: readonly PickleValue[]): void {
    if (!(target instanceof PickleDict)) this.fail(`SETITEM on ${describe(target)} (only dicts hold items)`);
    if (items.length % 2) this.fail('SETITEMS with a key and no value');
    for (let i = 0; i < items.length; i += 2) this.setItem(target, items[i]!, items[i + 1]!);
  }

  private setItem(dict: PickleDict, key: PickleValue, value: PickleValue): void {
    if (key instanceof PickleList || key instanceof PickleDict || key instanceof PickleSet) this.fail(`${describe(key)} cannot be a dict key`);
    const hash = hashKey(key);
    const existing = dict.entries.get(hash);
    if (existing) existing.value = value;
    else dict.entries.set(hash, { key, value });
    dict.depth = this.checkDepth(Math.max(dict.depth, depthOf(key) + 1, depthOf(value) + 1));
  }

  private addToSet(target: PickleValue, items: readonly PickleValue[]): void {
    if (!(target instanceof PickleSet)) this.fail(`ADDITEMS to ${describe(target)} (only sets take items)`);
    for (const item of items) {
      target.items.push(item);
      target.depth = this.checkDepth(Math.max(target.depth, depthOf(item) + 1));
    }
  }

  // ---- integers ----

  private int(value: bigint): number | bigint {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  /** Little-endian two's complement, as LONG1/LONG4 store it. */
  private long(length: number): number | bigint {
    const raw = this.take(length);
    if (length > MAX_LONG_BYTES) this.fail(`an integer of ${length} bytes is too large`);
    if (length === 0) return 0;
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw[length - 1]! & 0x80) value -= 1n << BigInt(8 * length);
    return this.int(value);
  }

  private decimal(text: string): number | bigint {
    const digits = text.endsWith('L') ? text.slice(0, -1) : text;
    if (!/^[+-]?\d+$/.test(digits) || digits.length > MAX_LONG_BYTES * 3) this.fail(`'${text.slice(0, 40)}' is not an integer`);
    return this.int(BigInt(digits));
  }

  // ---- the walk ----

  run(): PickleValue {
    const bytes = this.bytes;
    for (;;) {
      this.at = this.pos;
      if (this.pos >= bytes.length) this.fail('the pickle ended early: no STOP opcode');
      const op = bytes[this.pos++]!;
      switch (op) {
        case 0x80: {
          // PROTO
          const protocol = this.u8();
          if (protocol > 5) this.fail(`pickle protocol ${protocol} is newer than this reader (0-5)`);
          break;
        }
        case 0x95: // FRAME: a length hint only
          if (this.u64() > bytes.length - this.pos) this.fail('a FRAME is longer than the rest of the pickle');
          break;
        case 0x2e: // STOP
          return this.pop();

        // -- marks and stack --
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          this.checkDepth(this.marks.length);
          break;
        case 0x30: // POP
          if (this.stack.length > this.base) this.stack.pop();
          else this.popMark(); // Python pops the mark itself when the stack above it is empty
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;

        // -- memo --
        case 0x70: // PUT
          this.memoPut(Number(this.decimal(this.line())));
          break;
        case 0x71: // BINPUT
          this.memoPut(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.u32());
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size);
          break;
        case 0x67: // GET
          this.push(this.memoGet(Number(this.decimal(this.line()))));
          break;
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;

        // -- constants and numbers --
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.push(this.long(this.u8()));
          break;
        case 0x8b: {
          // LONG4
          const length = this.i32();
          if (length < 0) this.fail('LONG4 with a negative length');
          this.push(this.long(length));
          break;
        }
        case 0x49: {
          // INT (text); "00"/"01" are protocol 0's False/True
          const text = this.line();
          this.push(text === '00' ? false : text === '01' ? true : this.decimal(text));
          break;
        }
        case 0x4c: // LONG (text)
          this.push(this.decimal(this.line()));
          break;
        case 0x47: // BINFLOAT: big-endian double
          this.push(this.view.getFloat64(this.need(8), false));
          break;
        case 0x46: {
          // FLOAT (text)
          const text = this.line().trim();
          const value = /^(?:nan|[+-]?inf)$/i.test(text) ? Number(text.replace(/inf/i, 'Infinity').replace(/nan/i, 'NaN')) : Number(text);
          if (text === '' || (Number.isNaN(value) && !/nan/i.test(text))) this.fail(`'${text.slice(0, 40)}' is not a number`);
          this.push(value);
          break;
        }

        // -- strings and bytes --
        case 0x58: // BINUNICODE
          this.push(this.text(this.take(this.u32())));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.text(this.take(this.u8())));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.text(this.take(this.u64())));
          break;
        case 0x56: // UNICODE: raw-unicode-escape, so Latin-1 bytes plus backslash-u escapes
          this.push(
            latin1(this.lineBytes()).replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u4?: string, u8?: string) =>
              String.fromCodePoint(parseInt(u4 ?? u8 ?? '0', 16)),
            ),
          );
          break;
        case 0x54: {
          // BINSTRING: Python 2 str, read as Latin-1 text
          const length = this.i32();
          if (length < 0) this.fail('BINSTRING with a negative length');
          this.push(latin1(this.take(length)));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.push(latin1(this.take(this.u8())));
          break;
        case 0x53: // STRING (a quoted repr)
          this.push(this.quoted(latin1(this.lineBytes())));
          break;
        case 0x42: // BINBYTES
          this.push(this.take(this.u32()).slice());
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.take(this.u8()).slice());
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(this.take(this.u64()).slice());
          break;
        case 0x97: // NEXT_BUFFER
          this.fail('out-of-band buffers (NEXT_BUFFER) are not written by torch.save');
          break;
        case 0x98: // READONLY_BUFFER: no effect on a value we never mutate
          this.top();
          break;

        // -- containers --
        case 0x29: // EMPTY_TUPLE
          this.push(new PickleTuple([], 1));
          break;
        case 0x74: // TUPLE
          this.push(this.tuple(this.popMark()));
          break;
        case 0x85: // TUPLE1
          this.push(this.tuple([this.pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const b = this.pop();
          this.push(this.tuple([this.pop(), b]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const c = this.pop();
          const b = this.pop();
          this.push(this.tuple([this.pop(), b, c]));
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.push(new PickleList());
          break;
        case 0x6c: {
          // LIST
          const items = this.popMark();
          const list = new PickleList();
          this.appendTo(list, items);
          this.push(list);
          break;
        }
        case 0x61: {
          // APPEND
          const item = this.pop();
          this.appendTo(this.top(), [item]);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popMark();
          this.appendTo(this.top(), items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new PickleDict(false));
          break;
        case 0x64: {
          // DICT
          const items = this.popMark();
          const dict = new PickleDict(false);
          this.setItems(dict, items);
          this.push(dict);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.push(new PickleSet());
          break;
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          this.addToSet(this.top(), items);
          break;
        }
        case 0x91: {
          // FROZENSET
          const set = new PickleSet();
          this.addToSet(set, this.popMark());
          this.push(set);
          break;
        }

        // -- globals and calls: only allow-listed names, only simulated --
        case 0x63: {
          // GLOBAL
          const module = this.line();
          const name = this.line();
          this.push(this.global(module, name));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x69: {
          // INST: the class is named inline, its arguments follow a MARK
          const module = this.line();
          const name = this.line();
          const cls = this.global(module, name);
          this.push(this.construct('INST', cls, this.popMark(), null));
          break;
        }
        case 0x6f: {
          // OBJ
          const items = this.popMark();
          if (items.length === 0) this.fail('OBJ without a class');
          this.push(this.construct('OBJ', items[0]!, items.slice(1), null));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          this.push(this.construct('NEWOBJ', cls, this.argsOf(args, 'NEWOBJ'), null));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          this.push(this.construct('NEWOBJ_EX', cls, this.argsOf(args, 'NEWOBJ_EX'), kwargs));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const callable = this.pop();
          this.push(this.call(callable, this.argsOf(args, 'REDUCE')));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case 0x82: // EXT1
          this.fail(`refusing extension registry code ${this.u8()} (only tensors, dicts, lists and tuples can be read)`);
          break;
        case 0x83: // EXT2
          this.fail(`refusing extension registry code ${this.u16()} (only tensors, dicts, lists and tuples can be read)`);
          break;
        case 0x84: // EXT4
          this.fail(`refusing extension registry code ${this.i32()} (only tensors, dicts, lists and tuples can be read)`);
          break;
        case 0x50: // PERSID (text)
          this.fail(`refusing persistent id '${this.line().slice(0, 60)}' (torch.save writes only binary storage ids)`);
          break;
        case 0x51: // BINPERSID
          this.push(this.persistentLoad(this.pop()));
          break;
        default:
          this.fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }

  private quoted(text: string): string {
    const quote = text[0];
    if ((quote !== "'" && quote !== '"') || text.length < 2 || text[text.length - 1] !== quote) this.fail('STRING is not quoted');
    const body = text.slice(1, -1);
    if (body.includes('\\')) this.fail('escaped STRING values are not supported');
    return body;
  }

  private argsOf(args: PickleValue, opcode: string): readonly PickleValue[] {
    if (!(args instanceof PickleTuple)) this.fail(`${opcode} arguments are ${describe(args)}, not a tuple`);
    return args.items;
  }

  private global(module: string, name: string): PickleGlobal {
    // Protocols 0-2 name builtins by their Python 2 module, which Python 3 maps back.
    const fullName = `${module === '__builtin__' ? 'builtins' : module}.${name}`;
    if (!ALLOWED_GLOBALS.has(fullName)) this.refuseGlobal(fullName);
    return new PickleGlobal(fullName);
  }

  /** REDUCE: what torch's rebuild functions and the allowed constructors would return. */
  private call(callable: PickleValue, args: readonly PickleValue[]): PickleValue {
    if (!(callable instanceof PickleGlobal)) this.fail(`REDUCE calls ${describe(callable)}, which is not callable`);
    switch (callable.fullName) {
      case REBUILD_TENSOR_V2:
        if (args.length < 6 || args.length > 7) this.fail(`${REBUILD_TENSOR_V2} takes 6 or 7 arguments, got ${args.length}`);
        return this.tensor(args);
      case REBUILD_TENSOR:
        if (args.length !== 4) this.fail(`${REBUILD_TENSOR} takes 4 arguments, got ${args.length}`);
        return this.tensor(args);
      case REBUILD_PARAMETER:
      case REBUILD_PARAMETER_WITH_STATE: {
        const data = args[0];
        if (!(data instanceof TensorRef)) this.fail(`${callable.fullName} of ${describe(data ?? null)}, not a tensor`);
        return data;
      }
      case REBUILD_FROM_TYPE_V2: {
        // (func, type, args, state): a tensor subclass; only plain tensors and parameters are read.
        const [func, type, inner] = args;
        if (!(type instanceof PickleGlobal) || (type.fullName !== TENSOR && type.fullName !== PARAMETER))
          this.fail(`${REBUILD_FROM_TYPE_V2} of ${describe(type ?? null)} (only tensors and parameters can be read)`);
        if (!(func instanceof PickleGlobal) || !func.fullName.startsWith('torch._utils._rebuild_'))
          this.fail(`${REBUILD_FROM_TYPE_V2} with ${describe(func ?? null)}`);
        return this.call(func, this.argsOf(inner ?? null, REBUILD_FROM_TYPE_V2));
      }
      case ORDERED_DICT:
      case SET:
      case FROZENSET:
      case SIZE:
        return this.construct('REDUCE', callable, args, null);
      case DEVICE: {
        const [type, index] = args;
        if (typeof type !== 'string' || args.length > 2) this.fail(`${DEVICE} takes a string`);
        return index === undefined || index === null ? type : `${type}:${String(index)}`;
      }
      case CODECS_ENCODE: {
        // How protocol 2 writes Python bytes: encode(str, 'latin1').
        const [text, encoding] = args;
        if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1') || args.length !== 2)
          this.fail(`${CODECS_ENCODE} is only read as encode(str, 'latin1')`);
        const out = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) {
          const code = text.charCodeAt(i);
          if (code > 0xff) this.fail(`${CODECS_ENCODE}: a character is not Latin-1`);
          out[i] = code;
        }
        return out;
      }
      default:
        return this.fail(`'${callable.fullName}' cannot be called here`);
    }
  }

  /** NEWOBJ, NEWOBJ_EX, OBJ, INST (and the constructor REDUCEs): only containers and Parameter. */
  private construct(opcode: string, cls: PickleValue, args: readonly PickleValue[], kwargs: PickleValue): PickleValue {
    if (!(cls instanceof PickleGlobal)) this.fail(`${opcode} of ${describe(cls)}, which is not a class`);
    if (kwargs !== null && !(kwargs instanceof PickleDict && kwargs.entries.size === 0)) this.fail(`${opcode} of '${cls.fullName}' with keyword arguments`);
    switch (cls.fullName) {
      case ORDERED_DICT: {
        const dict = new PickleDict(true);
        const [pairs] = args;
        if (args.length > 1) this.fail(`${ORDERED_DICT} takes at most one argument`);
        if (pairs === undefined) return dict;
        const items = pairs instanceof PickleList || pairs instanceof PickleTuple ? pairs.items : this.fail(`${ORDERED_DICT} of ${describe(pairs)}`);
        for (const pair of items) {
          if (!(pair instanceof PickleTuple || pair instanceof PickleList) || pair.items.length !== 2) this.fail(`${ORDERED_DICT} items must be pairs`);
          this.setItem(dict, pair.items[0]!, pair.items[1]!);
        }
        return dict;
      }
      case SET:
      case FROZENSET: {
        const set = new PickleSet();
        const [items] = args;
        if (args.length > 1) this.fail(`${cls.fullName} takes at most one argument`);
        if (items === undefined) return set;
        if (!(items instanceof PickleList || items instanceof PickleTuple)) this.fail(`${cls.fullName} of ${describe(items)}`);
        this.addToSet(set, items.items);
        return set;
      }
      case SIZE: {
        const [dims] = args;
        if (args.length > 1) this.fail(`${SIZE} takes at most one argument`);
        if (dims === undefined) return this.tuple([]);
        if (!(dims instanceof PickleTuple || dims instanceof PickleList) || !dims.items.every((d) => typeof d === 'number' && Number.isInteger(d)))
          this.fail(`${SIZE} of ${describe(dims)}`);
        return this.tuple([...dims.items]);
      }
      case PARAMETER: {
        const [data] = args;
        if (!(data instanceof TensorRef)) this.fail(`${PARAMETER} of ${describe(data ?? null)}, not a tensor`);
        return data;
      }
      default:
        return this.fail(`${opcode} of '${cls.fullName}' is not supported (only tensors, dicts, lists and tuples can be read)`);
    }
  }

  /** BUILD: torch only builds tensors (parameter state) and OrderedDicts (attributes such as _metadata). */
  private build(target: PickleValue, state: PickleValue): void {
    if (target instanceof TensorRef) return;
    if (target instanceof PickleDict && target.ordered) {
      const parts = state instanceof PickleTuple && state.items.length === 2 ? state.items : [state];
      for (const part of parts) if (part !== null && !(part instanceof PickleDict)) this.fail(`BUILD of an OrderedDict with ${describe(part)}`);
      return; // attributes only: they hold no tensors of the file
    }
    this.fail(`BUILD on ${describe(target)} (only tensors and OrderedDicts can be built)`);
  }

  private persistentLoad(pid: PickleValue): StorageRef {
    const parts = pid instanceof PickleTuple ? pid.items : null;
    if (!parts || parts[0] !== 'storage')
      this.fail(
        `refusing persistent id ${describe(pid)}${parts && typeof parts[0] === 'string' ? ` '${parts[0].slice(0, 40)}'` : ''} (only ('storage', type, key, location, numel) is read)`,
      );
    if (parts.length !== 5) this.fail(`a storage persistent id has ${parts.length} parts, not 5`);
    const [, type, key, location, numel] = parts;
    if (!(type instanceof PickleGlobal)) this.fail(`a storage persistent id names ${describe(type!)} as its type`);
    const dtype = STORAGE_DTYPES[type.fullName];
    if (!dtype) this.fail(`'${type.fullName}' is not a storage type`);
    if (typeof key !== 'string') this.fail(`a storage key is ${describe(key!)}, not a string`);
    if (!/^[A-Za-z0-9_]+$/.test(key)) this.fail(`storage key '${key.slice(0, 80)}' is not a member name of this archive`);
    if (typeof location !== 'string') this.fail(`storage '${key}' has ${describe(location!)} as its location`);
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) this.fail(`storage '${key}' has an invalid element count`);
    if (this.options.hasStorage && !this.options.hasStorage(key)) this.fail(`storage '${key}' is not in the archive`);
    return new StorageRef(key, dtype, type.fullName, location, numel);
  }

  /** _rebuild_tensor(_v2)(storage, storage_offset, size, stride, ...): a view, checked against the storage. */
  private tensor(args: readonly PickleValue[]): TensorRef {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageRef)) this.fail(`a tensor is rebuilt from ${describe(storage ?? null)}, not a storage`);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) this.fail('a tensor has an invalid storage offset');
    const shape = this.dims(size ?? null, 'size');
    const strides = this.dims(stride ?? null, 'stride');
    if (shape.length !== strides.length) this.fail(`a tensor has ${shape.length} sizes but ${strides.length} strides`);
    // The last element the view touches must lie inside the storage.
    if (!shape.includes(0)) {
      let last = offset;
      for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * strides[i]!;
      if (!(last < storage.numel)) this.fail(`a tensor view reaches element ${last} of storage '${storage.key}', which holds ${storage.numel}`);
    }
    return new TensorRef(storage, offset, shape, strides, this.at);
  }

  private dims(value: PickleValue, what: string): number[] {
    const items = value instanceof PickleTuple || value instanceof PickleList ? value.items : this.fail(`a tensor ${what} is ${describe(value)}, not a tuple`);
    return items.map((item) => {
      if (typeof item !== 'number' || !Number.isSafeInteger(item) || item < 0)
        this.fail(`a tensor ${what} holds ${typeof item === 'number' ? item : describe(item)}`);
      return item;
    });
  }
}

function latin1(raw: Uint8Array): string {
  let text = '';
  for (let i = 0; i < raw.length; i += 8192) text += String.fromCharCode(...raw.subarray(i, i + 8192));
  return text;
}
