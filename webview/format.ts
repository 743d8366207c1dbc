import { plainNumber, convertNats, unitSymbol, type InformationUnit } from '../src/protocol/webview';

/** Numbers as the panel shows them, with typographic minus and infinity signs. */
export function formatNumber(value: number, digits = 6): string {
  if (value === Infinity) return '\u221e';
  if (value === -Infinity) return '\u2212\u221e';
  return plainNumber(value, digits).replace('-', '\u2212');
}

/** A loss, entropy or log-likelihood (computed in nats) as shown in the unit the user chose. */
export function formatInUnit(nats: number, unit: InformationUnit, digits = 6): string {
  return `${formatNumber(convertNats(nats, unit), digits)} ${unitSymbol(unit)}`;
}
