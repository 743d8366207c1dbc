/** Types of a derivation: the engine fills them with the file's numbers, the webview only renders them. */

/** A numeric identity with both sides computed independently. */
export interface IdentityCheck {
  readonly label: string;
  readonly lhs: number;
  readonly rhs: number;
  /** |lhs - rhs| / max(1, |lhs|, |rhs|). */
  readonly residual: number;
  readonly holds: boolean;
}

export interface DerivationStep {
  readonly id: string;
  /** Equation number as in the source texts, e.g. "(4)". */
  readonly tag?: string;
  readonly title: string;
  /** Display-mode LaTeX with the file's numbers substituted. */
  readonly latex: string;
  /** One or two sentences in plain text: what the step does and why it is allowed. */
  readonly note: string;
  /** Where the numbers come from (shown on hover). */
  readonly source?: string;
  /** Both sides summed by different routes (different formulas, their own accumulators), so it can fail. */
  readonly check?: IdentityCheck;
  /**
   * What the step writes again in another form, when its number comes from one already shown
   * (say -log L / n): such a step can only agree with it, so it carries no check.
   */
  readonly restatement?: string;
}

export interface Derivation {
  readonly id: string;
  readonly title: string;
  readonly steps: readonly DerivationStep[];
}

const RELATIVE_TOLERANCE = 1e-9;

export function checkIdentity(label: string, lhs: number, rhs: number, tolerance = RELATIVE_TOLERANCE): IdentityCheck {
  const bothInfinite = lhs === rhs && !Number.isFinite(lhs);
  const residual = bothInfinite ? 0 : Math.abs(lhs - rhs) / Math.max(1, Math.abs(lhs), Math.abs(rhs));
  return { label, lhs, rhs, residual, holds: residual <= tolerance };
}
