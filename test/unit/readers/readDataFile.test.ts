import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dataFileExtension, detectDataFormat, isSupportedFile, isTableFile, SUPPORTED_EXTENSIONS } from '../../../src/readers/readDataFile';
import { DataFileError } from '../../../src/readers/errors';
import { fixturePath, readJson, REPO_ROOT } from '../../helpers/fixtures';

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
    for (const name of [
      'a.csv.gz',
      'a.tsv.gz',
      'a.jsonl.gz',
      'a.ndjson.gz',
      'a.parq',
      'a.pq',
      'a.arrow',
      'a.feather',
      'a.arrows',
      'a.ipc',
      'a.bin',
      'a.dat',
      'a.gz',
    ]) {
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

  it('an Arrow file is known by its magic under any name, an Arrow stream by its name', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'arrow-names-'));
    try {
      copyFileSync(fixturePath('arrow', 'classifier.feather'), join(folder, 'scores.bin'));
      copyFileSync(fixturePath('arrow', 'classifier.feather'), join(folder, 'scores.csv'));
      copyFileSync(fixturePath('arrow', 'classifier_stream.arrow'), join(folder, 'cache-0001.arrow'));
      copyFileSync(fixturePath('arrow', 'classifier_stream.arrow'), join(folder, 'cache.dat'));
      writeFileSync(join(folder, 'text.feather'), 'label,p0\n1,0.5\n');
      assert.deepEqual(await detectDataFormat(join(folder, 'scores.bin')), { kind: 'arrow', gzip: false });
      assert.deepEqual(await detectDataFormat(join(folder, 'scores.csv')), { kind: 'arrow', gzip: false });
      assert.deepEqual(await detectDataFormat(join(folder, 'cache-0001.arrow')), { kind: 'arrow', gzip: false });
      // The stream reader then refuses what is not a stream, by name and place.
      assert.deepEqual(await detectDataFormat(join(folder, 'text.feather')), { kind: 'arrow', gzip: false });
      await assert.rejects(detectDataFormat(join(folder, 'cache.dat')), (error: unknown) => {
        assert.ok(error instanceof DataFileError);
        assert.equal(error.message, "cache.dat: byte 0: the file starts with ff ff ff ff, neither Parquet's ('PAR1'), Arrow's ('ARROW1') nor gzip's (1f 8b)");
        return true;
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
