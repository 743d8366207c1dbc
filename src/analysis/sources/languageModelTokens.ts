import { basename } from 'node:path';
import { NO_TARGET } from '../../engine/tokens/alignment';
import { tokenPlace } from '../../engine/tokens/tokenError';
import { topTokens, type TopTokens } from '../../engine/tokens/topTokens';
import { DataFileError, quoteName } from '../../readers/errors';
import { DEFAULT_LIMITS } from '../../readers/limits';
import { checkDataFile, isTensorFile, type ReadOptions } from '../../readers/readDataFile';
import type { TokenizerDefinition } from '../../readers/tokenizer/tokenizerJson';
import { chooseRoles } from '../../roles/chooseRoles';
import { isLanguageModelRoles } from '../../roles/chosenRoles';
import type { AnalysisOptions, LanguageModelAnalysis, TokenAlternatives } from '../results';
import { tokenErrorInFile, tokenTexts, tokenView } from '../tasks/lm/analyze';
import { LanguageModelPass } from '../tasks/lm/pass';
import { alignGroup, positionValues, tokenRows, type LanguageModelTensors } from '../tasks/lm/tokenRows';
import type { AnalysisSource } from './analyzeSource';
import { findTokenizer, languageModelTensors } from './languageModelFile';
import { readWithPartner } from './tensorFile';

/** The tokens the token view's hover lists. */
export const ALTERNATIVES = 5;

/**
 * A language model's file opened for one sequence or one position: its headers read, every
 * tensor that lies whole in the file left there (read later by byte range), its roles chosen as
 * for the analysis (same options), and its tokenizer.
 */
async function openLanguageModel(
  source: AnalysisSource,
  options: AnalysisOptions,
  read: ReadOptions,
): Promise<{ tensors: LanguageModelTensors; tokenizer: TokenizerDefinition | undefined }> {
  if (source.kind !== 'path' || !isTensorFile(source.path)) throw new Error("a language model's tokens are read from a tensor file on disk");
  const name = basename(source.path);
  await checkDataFile(source.path, read);
  if (source.pairWith !== undefined) await checkDataFile(source.pairWith, read);
  const { file } = await readWithPartner(source.path, options, source.pairWith, read.limits ?? DEFAULT_LIMITS, { leaveInFileFrom: 0 });
  const roles = chooseRoles({ kind: 'tensors', file }, name, options);
  if (!isLanguageModelRoles(roles)) throw new DataFileError(name, '', `not a language model's file: its tensors are read as ${roles.task}`);
  const tensors = languageModelTensors(name, roles, options);
  const { tokenizer } = roles.target !== undefined ? await findTokenizer(source.path, options) : {};
  return { tensors, tokenizer: tokenizer?.definition };
}

function checkSequence(tensors: LanguageModelTensors, sequence: number): void {
  if (!(Number.isSafeInteger(sequence) && sequence >= 0 && sequence < tensors.batch)) {
    throw new DataFileError(tensors.fileName, `sequence ${sequence}`, `out of range: the file has ${tensors.batch} sequence(s), 0 to ${tensors.batch - 1}`);
  }
}

/** The token view of one sequence, scored again from the file: only that sequence's rows are read. */
export async function languageModelSequence(
  source: AnalysisSource,
  options: AnalysisOptions,
  sequence: number,
  read: ReadOptions = {},
  signal?: AbortSignal,
): Promise<LanguageModelAnalysis['tokenView']> {
  const { tensors, tokenizer } = await openLanguageModel(source, options, read);
  checkSequence(tensors, sequence);
  const pass = new LanguageModelPass(tensors, undefined, false);
  for await (const rows of tokenRows(tensors, sequence, sequence + 1, signal)) {
    try {
      pass.consume(rows);
    } catch (error) {
      throw tokenErrorInFile(tensors, error);
    }
  }
  pass.finish();
  const tokens = pass.worstSequence?.tokens;
  return tokens ? tokenView(tokens, tokenizer) : { sequence, tokens: [] };
}

/** The model's most probable tokens at one position, from that position's V logits alone. */
export async function languageModelAlternatives(
  source: AnalysisSource,
  options: AnalysisOptions,
  sequence: number,
  position: number,
  read: ReadOptions = {},
): Promise<TokenAlternatives> {
  const { tensors, tokenizer } = await openLanguageModel(source, options, read);
  const { fileName, length } = tensors;
  checkSequence(tensors, sequence);
  if (!(Number.isSafeInteger(position) && position >= 0 && position < length)) {
    throw new DataFileError(fileName, `sequence ${sequence}, position ${position}`, `out of range: a sequence has ${length} position(s), 0 to ${length - 1}`);
  }
  if (tensors.kind !== 'logits')
    throw new DataFileError(
      fileName,
      `tensor ${quoteName(tensors.predictions.name)}`,
      'per-token log-probabilities hold no other token to rank: the top tokens need logits [B, T, V]',
    );
  const target = alignGroup(tensors, sequence, 1).chosen[position]!;
  if (target === NO_TARGET)
    throw new DataFileError(
      fileName,
      `sequence ${sequence}, position ${position}`,
      'this position scores no token: its target is the ignore index, masked out, or past the end of a shifted sequence',
    );
  let top: TopTokens;
  try {
    top = topTokens(positionValues(tensors, sequence * length + position), 0, tensors.vocabulary, ALTERNATIVES, target);
  } catch (error) {
    throw new DataFileError(fileName, `tensor ${quoteName(tensors.predictions.name)} ${tokenPlace(sequence, position)}`, (error as Error).message);
  }
  const text = (id: number) => {
    const decoded = tokenTexts(tokenizer, [id])?.[0];
    return decoded !== undefined ? { text: decoded } : {};
  };
  return {
    sequence,
    position,
    target: { id: target, ...text(target), probability: top.targetProbability!, rank: top.targetRank! + 1 },
    top: Array.from(top.ids, (id, i) => ({ id, ...text(id), probability: top.probabilities[i]! })),
  };
}
