import { RowError } from '../rowError';

/** "batch 2, position 7": a place in a [B, T] grid of tokens. */
export function tokenPlace(batch: number, position: number): string {
  return `batch ${batch}, position ${position}`;
}

/**
 * Bad data at one token of a [B, T] grid. A RowError whose row is the flat index b * T + t, so
 * code that handles RowError still works; `place` names the batch and position for the message.
 */
export class TokenError extends RowError {
  constructor(
    readonly batch: number,
    readonly position: number,
    length: number,
    reason: string,
  ) {
    super(batch * length + position, reason);
    this.message = `${tokenPlace(batch, position)}: ${reason}`;
  }

  get place(): string {
    return tokenPlace(this.batch, this.position);
  }
}

/** The TokenError for flat index `flat` of a grid of rows of `length` positions. */
export function tokenErrorAt(flat: number, length: number, reason: string): TokenError {
  const batch = Math.floor(flat / length);
  return new TokenError(batch, flat - batch * length, length, reason);
}
