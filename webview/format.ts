import { plainNumber, convertNats, unitSymbol, type InformationUnit, type Reduction } from '../src/protocol/webview';

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

/** What a loss is measured in and over: "nats per row", "bits, summed" (PyTorch's reduction='sum'; anything else is one row's). */
export function lossUnit(unit: InformationUnit, reduction: Reduction, counted = 'row'): string {
  return reduction === 'sum' ? `${unitSymbol(unit)}, summed` : `${unitSymbol(unit)} per ${counted}`;
}

/** A loss (computed in nats) in the unit chosen, saying whether it is per row or summed. */
export function formatLoss(nats: number, unit: InformationUnit, reduction: Reduction, digits = 6, counted = 'row'): string {
  return `${formatNumber(convertNats(nats, unit), digits)} ${lossUnit(unit, reduction, counted)}`;
}
