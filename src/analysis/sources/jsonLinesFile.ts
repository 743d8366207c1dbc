import { fileSource, type ByteSource } from '../../readers/byteSource';
import { readJsonLines } from '../../readers/jsonLines';
import { readJsonLinesTable } from '../../readers/jsonLinesTable';
import type { Analysis, AnalysisOptions } from '../results';
import { analyzeLmEvalSamples, isLmEvalSample } from './lmEvalSamples';
import type { StreamOptions } from './streamOptions';
import { analyzeTable } from './table';

/**
 * A JSON Lines file: lm-evaluation-harness samples (streamed), or records of labels and scores
 * read as a table. `decompressed`: the file's bytes after gzip.
 */
export async function analyzeJsonLinesFile(
  path: string,
  fileName: string,
  options: AnalysisOptions = {},
  stream: StreamOptions = {},
  decompressed?: ByteSource,
): Promise<Analysis> {
  const source = decompressed ?? (await fileSource(path, fileName));
  try {
    let first: unknown;
    for await (const { value } of readJsonLines(source, { stopAfter: 1 })) first = value;
    if (isLmEvalSample(first)) return await analyzeLmEvalSamples(source, path, options, stream);
    const table = await readJsonLinesTable(source, {
      ...(stream.onProgress ? { onProgress: stream.onProgress } : {}),
      ...(stream.signal ? { signal: stream.signal } : {}),
    });
    return await analyzeTable(table, fileName, options);
  } finally {
    await source.close();
  }
}
