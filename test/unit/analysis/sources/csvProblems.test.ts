import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCsvProblems, type TextProblem } from '../../../../src/analysis/sources/csvProblems';

const brief = (problems: TextProblem[]) => problems.map((p) => `${p.severity} ${p.line}:${p.column}-${p.endLine}:${p.endColumn} ${p.message}`);

describe('problems in a CSV buffer, each at its cell', () => {
  it('a clean file has none', () => {
    assert.deepEqual(findCsvProblems('label,p0,p1\n0,0.9,0.1\n1,0.2,0.8\n', 'ok.csv'), []);
  });

  it('marks a probability outside [0, 1], a label out of range and a row that does not sum to 1', () => {
    const text = 'label,p0,p1\n0,0.9,0.1\n2,0.5,0.5\n1,1.5,0.1\n0,0.3,0.3\n';
    assert.deepEqual(brief(findCsvProblems(text, 'bad.csv', { kind: 'probs' })), [
      'error 2:0-2:1 label 2 is not a class index in 0..1',
      'error 3:2-3:5 probability 1.5 is outside [0, 1]',
      "warning 4:2-4:9 the row's probabilities sum to 0.6, not 1",
    ]);
  });

  it('marks every ragged row, not only the first', () => {
    const text = 'label,p0,p1\r\n0,0.9\r\n1,0.2,0.8\r\n1,0.2,0.8,0\r\n';
    assert.deepEqual(brief(findCsvProblems(text, 'ragged.csv')), ['error 1:0-1:5 expected 3 fields, found 2', 'error 3:0-3:11 expected 3 fields, found 4']);
  });

  it('marks a typo in a numeric column and a missing value, in the right column of the right line; a missing value is an error only when strict', () => {
    const text = 'label,p0,p1\n0,0.9,0.1\n1,0.2,O.8\n1,,0.9\n,0.5,0.5\n';
    assert.deepEqual(brief(findCsvProblems(text, 'typo.csv')), [
      "error 2:6-2:9 'O.8' is not a number (column p1)",
      'warning 3:2-3:2 the prediction is missing (column p0): the row is left out',
      'warning 4:0-4:0 the label is missing: the row is left out',
    ]);
    assert.deepEqual(brief(findCsvProblems(text, 'typo.csv', { strictMissing: true })), [
      "error 2:6-2:9 'O.8' is not a number (column p1)",
      'error 3:2-3:2 the prediction is missing (column p0)',
      'error 4:0-4:0 the label is missing',
    ]);
  });

  it('places cells after a quoted field that spans lines', () => {
    const text = 'label,note,p0,p1\n0,"two\nlines",0.9,0.1\n1,x,0.2,1.8\n';
    assert.deepEqual(brief(findCsvProblems(text, 'q.csv', { kind: 'probs' })), ['error 3:8-3:11 probability 1.8 is outside [0, 1]']);
  });

  it('a file the reader refuses gives one problem on the right line', () => {
    assert.deepEqual(brief(findCsvProblems('label,p0\n0,"0.5\n', 'open.csv')), ['error 1:0-1:6 a quoted field is never closed']);
  });

  it('stops at the limit', () => {
    const rows = Array.from({ length: 50 }, () => '5,0.5,0.5').join('\n');
    assert.equal(findCsvProblems(`label,p0,p1\n${rows}\n`, 'many.csv', {}, 10).length, 10);
  });
});
