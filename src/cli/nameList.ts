/**
 * The names given to --target, --pred or --var, separated by commas. A name that holds a comma
 * (or starts or ends with a space) is double-quoted, with "" for a quote inside it, as a CSV
 * header writes it: `"a,b",c` is the two names `a,b` and `c`. Bare names are trimmed and empty
 * ones dropped. Throws a one-line Error naming the flag for a quote left open or text after one.
 */
export function splitNames(text: string, flag: string): string[] {
  const names: string[] = [];
  let at = 0;
  while (at <= text.length) {
    while (text[at] === ' ' || text[at] === '\t') at++;
    if (text[at] === '"') {
      const opened = at;
      let name = '';
      for (at++; ; at++) {
        if (at >= text.length) throw new Error(`${flag}: the quote at character ${opened + 1} is not closed`);
        if (text[at] !== '"') name += text[at];
        else if (text[at + 1] === '"') name += text[at++];
        else break;
      }
      at++;
      while (text[at] === ' ' || text[at] === '\t') at++;
      if (at < text.length && text[at] !== ',') throw new Error(`${flag}: a comma should follow the quoted name ending at character ${at}`);
      names.push(name);
    } else {
      const end = text.indexOf(',', at);
      const name = text.slice(at, end === -1 ? text.length : end).trim();
      if (name !== '') names.push(name);
      at = end === -1 ? text.length : end;
    }
    at++;
  }
  return names;
}
