import { plainNumber } from '../../engine/format';
import type { Analysis } from '../results';

/** A Python string literal (JSON's escapes are Python's). */
export const py = (text: string) => JSON.stringify(text);

/** The comment after a print: what it prints and the number the panel shows for it. */
export const expectComment = (what: string, value: number) => `  # ${what}; Likelihood Lens: ${plainNumber(value, 12)}`;

/** How a snippet loads the file the analysis read, and names its columns or tensors in Python. */
export interface SnippetData {
  readonly imports: readonly string[];
  readonly lines: readonly string[];
  /** A float64 tensor [n, names.length] of these columns, or of the tensor these are the columns of ('t[:, 0]', ...). */
  readonly matrix: (names: readonly string[]) => string;
  /** A classifier's [n, K] scores: K columns of a table, or one tensor as it is. */
  readonly classScores: (names: readonly string[]) => string;
  /** One column, or one tensor as it is, as float64. */
  readonly vector: (name: string) => string;
  /** Class labels: one column, or one tensor, as int64. */
  readonly labels: (name: string) => string;
  /** Every value of one column or tensor as a flat float64 NumPy array. */
  readonly values: (name: string) => string;
}

/** The tensor a column name of a tensor task is taken from: 'logits[:, 2]' is a column of 'logits'. */
const COLUMN_OF_TENSOR = /\[:, \d+\]$/;

/** Loads a table with pandas, told what the reader found (delimiter, decimal comma, no header row). */
function tableData(file: Analysis['file']): SnippetData {
  const options = [
    ...(file.delimiter !== undefined ? [`sep=${py(file.delimiter)}`] : []),
    ...(file.decimalComma ? ['decimal=","'] : []),
    ...(file.headerless ? ['header=None'] : []),
  ];
  const read =
    file.format === 'parquet'
      ? `pd.read_parquet(${py(file.name)})`
      : file.format === 'arrow'
        ? `pd.read_feather(${py(file.name)})`
        : file.format === 'arrow stream'
          ? `pa.ipc.open_stream(${py(file.name)}).read_pandas()`
          : `pd.read_csv(${[py(file.name), ...options].join(', ')})`;
  // A list column of K numbers a row is read as K columns name_0 .., as Likelihood Lens spreads Arrow's lists.
  const spread = file.format.startsWith('arrow')
    ? [
        'lists = [c for c in df.columns if df[c].notna().any() and df[c].dropna().map(lambda v: isinstance(v, (list, np.ndarray))).all()]',
        'df = pd.concat([df.drop(columns=lists)] + [pd.DataFrame([[] if v is None else v for v in df[c]], index=df.index).add_prefix(f"{c}_") for c in lists], axis=1)',
      ]
    : [];
  // Without a header row the reader names columns 'column 1', ...; pandas numbers them from 0.
  const column = (name: string) => {
    const position = file.headerless ? /^column (\d+)$/.exec(name) : null;
    return position ? String(Number(position[1]) - 1) : py(name);
  };
  const matrix = (names: readonly string[]) => `torch.tensor(df[[${names.map(column).join(', ')}]].to_numpy(), dtype=torch.float64)`;
  return {
    imports: ['import pandas as pd', ...(spread.length > 0 ? ['import numpy as np'] : []), ...(file.format === 'arrow stream' ? ['import pyarrow as pa'] : [])],
    lines: [`df = ${read}`, ...spread],
    matrix,
    classScores: matrix,
    vector: (name) => `torch.tensor(df[${column(name)}].to_numpy(), dtype=torch.float64)`,
    labels: (name) => `torch.tensor(df[${column(name)}].to_numpy()).long()`,
    values: (name) => `df[${column(name)}].to_numpy(dtype=np.float64)`,
  };
}

/** The name a lone .npy's array (or structured field) has: the file name without .npy, as the reader names it. */
const npyStem = (path: string) => path.replace(/^.*[\\/]/, '').replace(/\.npy$/i, '') || 'array';
const torchStem = (path: string) => path.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '') || 'tensor';
const extension = (path: string) => /\.([^./\\]*)$/.exec(path)?.[1]?.toLowerCase() ?? '';

/** Every tensor of what torch.load returns, by the names Likelihood Lens gives them. */
const NAMED_TENSORS = [
  'def named_tensors(value, stem, path=""):',
  '    """Tensors by the dotted path of dict keys and list indices that Likelihood Lens shows; a lone tensor by the file name."""',
  '    if isinstance(value, torch.Tensor):',
  '        return {path or stem: value}',
  '    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else []',
  '    return {name: tensor for key, item in items for name, tensor in named_tensors(item, stem, f"{path}.{key}" if path else str(key)).items()}',
  '',
];

/** Loads a tensor file (and the partner it was paired with) as a dict of tensors by the names the analysis uses. */
function tensorData(analysis: Analysis): SnippetData {
  const { file } = analysis;
  const roleNames = roleTensorNames(analysis);
  const imports = new Set(['import torch']);
  const helpers: string[] = [];
  const npyEntries = (path: string, name: string) => {
    // A structured array is read as one tensor per field, named 'stem.field'.
    const fields = roleNames.filter((role) => role.startsWith(`${name}.`));
    return fields.length > 0
      ? fields.map((role) => `${py(role)}: np.load(${py(path)})[${py(role.slice(name.length + 1))}]`)
      : [`${py(name)}: np.load(${py(path)})`];
  };
  const dictOf = (path: string): string => {
    switch (extension(path)) {
      case 'npy':
        imports.add('import numpy as np');
        return `{${npyEntries(path, npyStem(path)).join(', ')}}`;
      case 'npz':
        imports.add('import numpy as np');
        return `dict(np.load(${py(path)}))`;
      case 'safetensors':
        imports.add('from safetensors.torch import load_file');
        return `load_file(${py(path)})`;
      default:
        if (helpers.length === 0) helpers.push(...NAMED_TENSORS);
        return `named_tensors(torch.load(${py(path)}, weights_only=True), ${py(torchStem(path))})`;
    }
  };
  const lines: string[] = [];
  const partner = file.partner;
  if (partner === undefined) lines.push(`tensors = ${dictOf(file.name)}`);
  else if (extension(file.name) === 'npy' && extension(partner) === 'npy') {
    // Two lone arrays: the partner's takes ' (2)' when both files have the same name.
    imports.add('import numpy as np');
    const clash = npyStem(partner) === npyStem(file.name);
    lines.push(
      `tensors = {${[...npyEntries(file.name, npyStem(file.name)), ...npyEntries(partner, clash ? `${npyStem(partner)} (2)` : npyStem(partner))].join(', ')}}`,
    );
  } else {
    lines.push(
      `tensors = ${dictOf(file.name)}`,
      `for name, tensor in ${dictOf(partner)}.items():  # ${py(partner)}'s tensors; a name already taken gets " (2)", as in Likelihood Lens`,
      '    tensors[f"{name} (2)" if name in tensors else name] = tensor',
    );
  }
  const whole = (name: string) => `torch.as_tensor(tensors[${py(name)}], dtype=torch.float64)`;
  return {
    imports: [...imports],
    lines: [...helpers, ...lines],
    matrix: (names) => `${whole(names[0]!.replace(COLUMN_OF_TENSOR, ''))}.reshape(-1, ${names.length})`,
    classScores: (names) => whole(names[0]!),
    vector: whole,
    labels: (name) => `torch.as_tensor(tensors[${py(name)}]).long()`,
    values: (name) => `${whole(name)}.numpy().ravel()`,
  };
}

/** The tensor names an analysis reads, without the column suffixes of tensor tasks. */
function roleTensorNames(analysis: Analysis): string[] {
  const { roles } = analysis;
  const names = [
    ...('target' in roles ? [roles.target] : []),
    ...('targets' in roles ? roles.targets : []),
    ...('predictions' in roles ? roles.predictions : []),
    ...('variance' in roles ? roles.variance : []),
  ];
  return [...new Set(names.map((name) => name.replace(COLUMN_OF_TENSOR, '')))];
}

export function snippetData(analysis: Analysis): SnippetData {
  const format = analysis.file.format;
  return format === 'csv' || format === 'tsv' || format === 'parquet' || format === 'arrow' || format === 'arrow stream'
    ? tableData(analysis.file)
    : tensorData(analysis);
}

/** The import lines first, in a fixed order: the standard aliases, then what a format needs. */
export function importLines(...groups: readonly (readonly string[])[]): string[] {
  const order = ['import numpy as np', 'import pandas as pd', 'import scipy.stats as st', 'import torch', 'import torch.nn.functional as F'];
  const all = [...new Set(groups.flat())];
  return [...order.filter((line) => all.includes(line)), ...all.filter((line) => !order.includes(line)).sort()];
}
