import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dataFileExtension, isSupportedFile, isTableFile, SUPPORTED_EXTENSIONS } from '../../../src/readers/readDataFile';
import { readJson, REPO_ROOT } from '../../helpers/fixtures';

interface Manifest {
  contributes: { menus: Record<string, { when?: string }[]>; keybindings: { when?: string }[] };
}

describe('data file names', () => {
  it('keeps the compression suffix of a compressed text file', () => {
    assert.equal(dataFileExtension('/a/b/Scores.CSV.GZ'), '.csv.gz');
    assert.equal(dataFileExtension('records.jsonl.gz'), '.jsonl.gz');
    assert.equal(dataFileExtension('archive.tar.gz'), '.gz');
    assert.equal(dataFileExtension('.csv.gz'), '.gz');
    assert.equal(dataFileExtension('model.parq'), '.parq');
  });

  it('offers the compressed, Parquet and sniffed names, and reads none of them as editor text', () => {
    for (const name of ['a.csv.gz', 'a.tsv.gz', 'a.jsonl.gz', 'a.ndjson.gz', 'a.parq', 'a.pq', 'a.bin', 'a.dat', 'a.gz']) {
      assert.ok(isSupportedFile(name), name);
      assert.equal(isTableFile(name), false, name);
    }
    assert.equal(isSupportedFile('a.txt'), false);
  });

  it("package.json's menus and keybinding offer every supported name, and no other", () => {
    const manifest = readJson<Manifest>(join(REPO_ROOT, 'package.json'));
    const whens = [
      ...Object.values(manifest.contributes.menus)
        .flat()
        .filter((item) => item.when?.includes('resourceFilename')),
      ...manifest.contributes.keybindings,
    ].map((item) => item.when!);
    // Open Loss Panel in the explorer, the editor title and its context menu; Compare With... in the
    // same three; Compare Loss in the explorer; the keybinding.
    assert.equal(whens.length, 8);
    for (const when of whens) {
      const source = /resourceFilename =~ \/(.+?)\/i(?: |$)/.exec(when)?.[1];
      assert.ok(source, when);
      const pattern = new RegExp(source, 'i');
      for (const extension of SUPPORTED_EXTENSIONS) assert.ok(pattern.test(`data${extension}`), `${extension} in ${when}`);
      for (const name of ['data.txt', 'data.json', 'data.gzip', 'csv']) assert.equal(pattern.test(name), false, `${name} in ${when}`);
    }
  });
});
