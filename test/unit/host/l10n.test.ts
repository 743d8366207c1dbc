import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readJson, REPO_ROOT } from '../../helpers/fixtures';

/** Manifest fields VS Code shows to the user, and so takes from package.nls.json. */
const SHOWN = new Set(['displayName', 'description', 'markdownDescription', 'title', 'category', 'enumDescriptions']);

/** Every shown string in the manifest, with where it is. */
function shownStrings(value: unknown, path: string, shown = false): { path: string; text: string }[] {
  if (typeof value === 'string') return shown ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => shownStrings(item, `${path}[${index}]`, shown));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => shownStrings(item, `${path}.${key}`, SHOWN.has(key)));
}

describe('localisation', () => {
  it('every l10n.t message in src is in l10n/bundle.l10n.json, and the bundle holds nothing else', () => {
    const check = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'l10n-bundle.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
  });

  it('every title and description in package.json is a %key% of package.nls.json, and every key is used', () => {
    const manifest = readJson<Record<string, unknown>>(join(REPO_ROOT, 'package.json'));
    const nls = readJson<Record<string, string>>(join(REPO_ROOT, 'package.nls.json'));
    assert.equal(manifest.l10n, './l10n');
    const { contributes, capabilities, displayName, description } = manifest;
    const strings = shownStrings({ contributes, capabilities, displayName, description }, 'package.json');
    assert.ok(strings.length > 30, 'the walk finds the manifest strings');
    const used = new Set<string>();
    for (const { path, text } of strings) {
      const key = /^%([^%]+)%$/.exec(text)?.[1];
      assert.ok(key !== undefined, `${path}: '${text}' is not a %key%`);
      assert.ok(key in nls, `${path}: %${key}% is not in package.nls.json`);
      used.add(key);
    }
    assert.deepEqual(
      Object.keys(nls).filter((key) => !used.has(key)),
      [],
      'keys in package.nls.json no manifest field uses',
    );
  });
});
