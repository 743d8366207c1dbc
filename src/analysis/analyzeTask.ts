import { analyzeEntropy } from './analyzeEntropy';
import { analyzeFit } from './analyzeFit';
import { analyzeRegression } from './analyzeRegression';
import { analyzeSoft } from './analyzeSoft';
import type { TaskInput } from './taskInput';
import type { Analysis, AnalysisOptions } from './types';

/** The soft, regression, fit or entropy analysis the roles name. */
export function analyzeTask(input: TaskInput, options: AnalysisOptions): Promise<Analysis> {
  switch (input.roles.task) {
    case 'soft':
      return analyzeSoft(input, options);
    case 'regression':
      return analyzeRegression(input, options);
    case 'fit':
      return analyzeFit(input, options);
    case 'entropy':
      return analyzeEntropy(input, options);
  }
}
