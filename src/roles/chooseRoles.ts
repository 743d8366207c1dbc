import type { Table } from '../readers/table';
import type { TensorFile } from '../readers/tensor';
import { chooseTableRoles } from './tableRoles';
import { chooseTensorRoles, type TensorRoles } from './tensorRoles';
import type { TableRoles } from './chosenRoles';
import type { RoleOptions } from './vocabulary';

/** What roles are chosen from: a table's numeric columns, or a tensor file's tensors. */
export type RoleSource = { readonly kind: 'table'; readonly table: Table } | { readonly kind: 'tensors'; readonly file: TensorFile };

/**
 * The one entry to the roles stage: which task the source calls for, which column or tensor
 * plays which part, and why. Throws a DataFileError naming the file when no choice can be made.
 */
export function chooseRoles(source: { readonly kind: 'table'; readonly table: Table }, fileName: string, options?: RoleOptions): TableRoles;
export function chooseRoles(source: { readonly kind: 'tensors'; readonly file: TensorFile }, fileName: string, options?: RoleOptions): TensorRoles;
export function chooseRoles(source: RoleSource, fileName: string, options: RoleOptions = {}): TableRoles | TensorRoles {
  return source.kind === 'table' ? chooseTableRoles(source.table, fileName, options) : chooseTensorRoles(source.file, fileName, options);
}
