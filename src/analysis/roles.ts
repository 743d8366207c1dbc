import type { Table } from '../readers/table';

/** Which columns play which part, and why they were chosen. */
export interface Roles {
  readonly target: string;
  readonly predictions: readonly string[];
  readonly reason: string;
}

export interface RoleOverrides {
  readonly target?: string;
  readonly predictions?: readonly string[];
}

export const TARGET_NAMES = /^(labels?|targets?|y|gt|y_?true|true|class|truth|ground_?truth)$/i;
const PREDICTION_NAMES = /^(p|prob|probs|proba|probability|logits?|log_?probs?|scores?|preds?|predictions?|outputs?|y_?pred|q)[_\s.-]?\d+$/i;

/** Picks the target and prediction columns by name, falling back to position, unless the user said. */
export function chooseRoles(table: Table, overrides: RoleOverrides = {}): Roles {
  const names = table.columns.map((column) => column.name);
  if (names.length < 2) throw new Error(`needs a label column and at least one prediction column; found ${names.length} numeric column(s)`);
  const reasons: string[] = [];

  let target = overrides.target;
  if (target !== undefined) {
    if (!names.includes(target)) throw new Error(`no numeric column named '${target}' (columns: ${names.join(', ')})`);
    reasons.push(`target '${target}' as asked`);
  } else {
    target = names.find((name) => TARGET_NAMES.test(name.trim()));
    if (target !== undefined) reasons.push(`target '${target}' by its name`);
    else {
      target = names[0]!;
      reasons.push(`target '${target}', the first column (no column is named label/target/y)`);
    }
  }

  let predictions = overrides.predictions;
  if (predictions !== undefined && predictions.length > 0) {
    const known = new Set(names);
    const missing = predictions.filter((name) => !known.has(name));
    if (missing.length > 0) throw new Error(`no numeric column named ${missing.map((m) => `'${m}'`).join(', ')} (columns: ${names.join(', ')})`);
    if (predictions.includes(target)) throw new Error(`'${target}' cannot be both the target and a prediction`);
    reasons.push(`predictions as asked`);
  } else {
    const rest = names.filter((name) => name !== target);
    const named = rest.filter((name) => PREDICTION_NAMES.test(name.trim()));
    predictions = named.length > 0 ? named : rest;
    reasons.push(named.length > 0 ? `${named.length} prediction columns by their names` : `the other ${rest.length} columns as predictions`);
  }
  return { target, predictions: [...predictions], reason: reasons.join('; ') };
}
