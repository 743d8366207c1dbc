// `npm run fixtures` regenerates every committed fixture: the files its script names exist, and
// run_all.sh's loops take in every generator in test/fixtures/gen/.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/fixtures';

const GENERATORS = join(REPO_ROOT, 'test', 'fixtures', 'gen');

describe('npm run fixtures', () => {
  const script: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.fixtures;

  it('names files that exist', () => {
    const paths = script.split(/\s+/).filter((word) => /\.(sh|py|mjs|js)$/.test(word));
    assert.ok(paths.length > 0, `no script file in '${script}'`);
    for (const path of paths) assert.ok(existsSync(join(REPO_ROOT, path)), `${path} (in package.json's fixtures script) does not exist`);
  });

  it('runs run_all.sh, whose loops take in every generator in test/fixtures/gen/', () => {
    assert.match(script, /(^|\s)test\/fixtures\/gen\/run_all\.sh(\s|$)/);
    const runAll = readFileSync(join(GENERATORS, 'run_all.sh'), 'utf8');
    const loops = [...runAll.matchAll(/^for \w+ in (gen_\*\.\w+); do$/gm)].map((match) => new RegExp(`^${match[1]!.replace('.', '\\.').replace('*', '.*')}$`));
    assert.equal(loops.length, 2, 'one loop for the Python generators, one for the Node ones');
    const files = readdirSync(GENERATORS).filter((name) => name !== 'run_all.sh' && statSync(join(GENERATORS, name)).isFile());
    assert.ok(files.length >= 7, files.join(', '));
    // A Python module the generators share is run through the generators that import it.
    const generators = files.filter((name) => loops.some((loop) => loop.test(name)));
    const imported = (module: string) =>
      generators.some((name) => new RegExp(`^from ${module} import `, 'm').test(readFileSync(join(GENERATORS, name), 'utf8')));
    for (const name of files)
      assert.ok(
        generators.includes(name) || (name.endsWith('.py') && imported(name.slice(0, -3))),
        `${name} is not run by run_all.sh, nor imported by a generator it runs`,
      );
  });
});
