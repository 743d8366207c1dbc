import { analyzeEntropy } from './entropy/analyze';
import { analyzeFit } from './fit/analyze';
import { analyzeRegression } from './regression/analyze';
import { analyzeSoft } from './soft/analyze';
import type { TaskInput } from '../rows/taskInput';
import type { Analysis, AnalysisOptions } from '../results';

/** The soft, regression, fit or entropy analysis the roles name. */
export function analyzeRowTask(input: TaskInput, options: AnalysisOptions): Promise<Analysis> {
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
