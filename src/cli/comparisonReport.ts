import type { Comparison } from '../analysis/results';
import type { Interval } from '../engine/comparison/pairedComparison';
import { plainNumber } from '../engine/format';
import { convertNats, unitSymbol, type InformationUnit } from '../engine/units';

/** The sign convention, stated in the JSON and the text report alike. */
export const SIGN_CONVENTION = 'A minus B: a negative crossEntropyDifference or a positive logLikelihoodRatio favours A (the first file)';

/**
 * The comparison with every loss, difference, standard error and log-likelihood ratio in `unit`
 * (--log-base); counts, accuracies and p-values have no unit and stay as they are.
 */
export function comparisonInUnit(c: Comparison, unit: InformationUnit): Comparison {
  if (unit === 'nats') return c;
  const to = (nats: number) => convertNats(nats, unit);
  const interval = <T extends Interval>(i: T): T => ({ ...i, lower: to(i.lower), upper: to(i.upper) });
  const rows = (list: Comparison['largestDifferences']['aWorse']) =>
    list.map((row) => ({ ...row, lossA: to(row.lossA), lossB: to(row.lossB), difference: to(row.difference) }));
  return {
    ...c,
    crossEntropyA: to(c.crossEntropyA),
    crossEntropyB: to(c.crossEntropyB),
    crossEntropyStdErrorA: to(c.crossEntropyStdErrorA),
    crossEntropyStdErrorB: to(c.crossEntropyStdErrorB),
    crossEntropyDifference: to(c.crossEntropyDifference),
    logLikelihoodRatio: to(c.logLikelihoodRatio),
    differenceStdError: to(c.differenceStdError),
    normalInterval95: interval(c.normalInterval95),
    bootstrapInterval95: interval(c.bootstrapInterval95),
    largestDifferences: { aWorse: rows(c.largestDifferences.aWorse), bWorse: rows(c.largestDifferences.bWorse) },
  };
}

/** The CLI's JSON of a comparison: the Comparison's own keys in `unit`, with the sign convention. */
export function comparisonJson(comparison: Comparison, unit: InformationUnit = 'nats'): Record<string, unknown> {
  return { unit: unitSymbol(unit), signConvention: SIGN_CONVENTION, ...comparisonInUnit(comparison, unit) };
}

/** The readable comparison in `unit`: each figure with what it means and which way it points. */
export function comparisonText(comparison: Comparison, unit: InformationUnit = 'nats'): string {
  const c = comparisonInUnit(comparison, unit);
  const symbol = unitSymbol(unit);
  const format = (x: number, digits = 8) => plainNumber(x, digits);
  const interval = (i: { lower: number; upper: number }) => `[${format(i.lower)}, ${format(i.upper)}]`;
  const line = (label: string, value: string) => `  ${label.padEnd(28)} ${value}`;
  const favoured = c.crossEntropyDifference < 0 ? 'A' : c.crossEntropyDifference > 0 ? 'B' : 'neither';
  const excludesZero = (i: { lower: number; upper: number }) => i.lower > 0 || i.upper < 0;
  const lines = [
    `A = ${c.fileA}, B = ${c.fileB} (${c.task}, ${c.n} ${c.task === 'lm' ? 'tokens, rows numbered b x T + t,' : 'rows, numbered from 0,'} compared by ${c.loss}${c.ignored > 0 ? `, ${c.ignored} ${c.task === 'lm' ? 'positions not scored' : 'ignored'}` : ''}); every difference is A minus B, in ${symbol}`,
    line(
      'cross-entropy A',
      `${format(c.crossEntropyA, 10)} ${symbol} +- ${format(c.crossEntropyStdErrorA, 4)} (standard error: std of the row losses, ddof 1, / sqrt n)`,
    ),
    line('cross-entropy B', `${format(c.crossEntropyB, 10)} ${symbol} +- ${format(c.crossEntropyStdErrorB, 4)}`),
    line('difference CE_A - CE_B', `${format(c.crossEntropyDifference, 10)} ${symbol} (negative favours A; here ${favoured} has the lower cross-entropy)`),
    line('log L_A - log L_B', `${format(c.logLikelihoodRatio, 10)} ${symbol} (= -n x the difference; positive favours A)`),
    line('standard error', `${format(c.differenceStdError, 6)} ${symbol} (std of the per-row differences, ddof 1, / sqrt n)`),
    line(
      '95% interval, normal',
      `${interval(c.normalInterval95)} (difference +- 1.959964 standard errors)${excludesZero(c.normalInterval95) ? ', excludes 0' : ', includes 0'}`,
    ),
    line(
      '95% interval, bootstrap',
      `${interval(c.bootstrapInterval95)} (paired Poisson bootstrap, ${c.bootstrapInterval95.replicates} replicates, seed ${c.bootstrapInterval95.seed})${excludesZero(c.bootstrapInterval95) ? ', excludes 0' : ', includes 0'}`,
    ),
    line('rows each model wins', `A ${c.winsA}, B ${c.winsB}, tied ${c.ties} (the lower loss wins)`),
  ];
  if (c.mcnemarPValue !== undefined) {
    lines.push(
      line('accuracy', `A ${format(c.accuracyA!, 6)}, B ${format(c.accuracyB!, 6)} (top class)`),
      line(
        'flipped',
        `${c.flippedRightToWrong} right in A and wrong in B, ${c.flippedWrongToRight} wrong in A and right in B (both right ${c.bothRight}, both wrong ${c.bothWrong})`,
      ),
      line(
        'McNemar p-value',
        `${c.mcnemarPValue === 0 ? `10^${format(c.mcnemarLog10PValue!, 8)}` : format(c.mcnemarPValue, 6)} (exact two-sided binomial test of the flipped rows; log10 ${format(c.mcnemarLog10PValue!, 8)})`,
      ),
    );
    if (c.flippedRightToWrongRows!.length > 0)
      lines.push(
        line(
          'right in A, wrong in B',
          `rows ${c.flippedRightToWrongRows!.join(', ')}${c.flippedRightToWrong! > c.flippedRightToWrongRows!.length ? ', ...' : ''}`,
        ),
      );
    if (c.flippedWrongToRightRows!.length > 0)
      lines.push(
        line(
          'wrong in A, right in B',
          `rows ${c.flippedWrongToRightRows!.join(', ')}${c.flippedWrongToRight! > c.flippedWrongToRightRows!.length ? ', ...' : ''}`,
        ),
      );
  }
  const rows = (label: string, list: Comparison['largestDifferences']['aWorse']) => {
    if (list.length === 0) return;
    lines.push(`  ${label}:`);
    for (const r of list) lines.push(`    row ${r.row}: A ${format(r.lossA, 6)}, B ${format(r.lossB, 6)}, A - B ${format(r.difference, 6)}`);
  };
  rows('largest differences where A is worse', c.largestDifferences.aWorse);
  rows('largest differences where B is worse', c.largestDifferences.bWorse);
  lines.push(...c.warnings.map((warning) => `  warning: ${warning}`));
  return lines.join('\n');
}
