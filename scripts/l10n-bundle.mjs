// Writes l10n/bundle.l10n.json: every message passed to l10n.t('...') in src/, in English.
// With --check, writes nothing and fails if the bundle lacks a message, keeps one no longer
// used, or a call's message is not a plain string literal (a bundle cannot list it).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'l10n', 'bundle.l10n.json');
const CALL = /\bl10n\.t\(\s*/g;
const LITERAL = /^'((?:[^'\\\n]|\\.)*)'|^"((?:[^"\\\n]|\\.)*)"/;

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The string a quoted literal's body stands for ('\u2026' is the ellipsis, not six characters). */
const decode = (body, quote) => JSON.parse(`"${quote === "'" ? body.replace(/\\'/g, "'").replace(/(^|[^\\])"/g, '$1\\"') : body}"`);

function collect() {
  const messages = new Set();
  const problems = [];
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const call of text.matchAll(CALL)) {
      const literal = LITERAL.exec(text.slice(call.index + call[0].length));
      if (literal) messages.add(decode(literal[1] ?? literal[2], literal[1] !== undefined ? "'" : '"'));
      else problems.push(`${relative(ROOT, file)}:${text.slice(0, call.index).split('\n').length}: l10n.t needs a string literal as its message`);
    }
  }
  return { messages: [...messages].sort(), problems };
}

const { messages, problems } = collect();
if (process.argv.includes('--check')) {
  const bundle = existsSync(BUNDLE) ? JSON.parse(readFileSync(BUNDLE, 'utf8')) : {};
  problems.push(
    ...messages.filter((message) => bundle[message] !== message).map((message) => `missing from l10n/bundle.l10n.json: ${JSON.stringify(message)}`),
  );
  problems.push(
    ...Object.keys(bundle)
      .filter((key) => !messages.includes(key))
      .map((key) => `no longer used, in l10n/bundle.l10n.json: ${JSON.stringify(key)}`),
  );
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\nRun node scripts/l10n-bundle.mjs to update the bundle.`);
    process.exit(1);
  }
} else {
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  mkdirSync(dirname(BUNDLE), { recursive: true });
  writeFileSync(BUNDLE, `${JSON.stringify(Object.fromEntries(messages.map((message) => [message, message])), null, 2)}\n`);
  console.log(`${relative(ROOT, BUNDLE)}: ${messages.length} messages`);
}
