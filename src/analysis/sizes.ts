/**
 * The batch and thread sizes of the analysis stage, in one place: they trade memory against
 * per-batch overhead and must agree between the readers' batches, the passes and the threads.
 */

/** Rows per in-memory batch a pass is fed. */
export const IN_MEMORY_BATCH_ROWS = 65_536;

/** How many leading rows decide the prediction kind: the same rows whichever reader streams the file. */
export const KIND_SAMPLE_ROWS = 65_536;

/**
 * How many leading rows the temperature curve is fitted on: each of its grid points is a pass
 * of log-sum-exps, so it stays a small, fixed cost however large the file.
 */
export const TEMPERATURE_SAMPLE_ROWS = 8_192;

/** Rows the threads' first guess of the prediction kind looks at. */
export const PREVIEW_ROWS = 1_024;

/** Below this file size, starting threads costs more than they save. */
export const PARALLEL_MIN_BYTES = 8 << 20;

/** Below this many values in memory, starting threads costs more than it saves. */
export const PARALLEL_MIN_VALUES = 1 << 20;

/**
 * Jobs in flight per thread: enough to keep each busy while the calling thread merges, few
 * enough that the blocks waiting to be merged stay a few MB (about 1 MB per tensor job, 0.7 MB
 * per CSV job).
 */
export const TENSOR_JOBS_PER_THREAD = 8;
export const CSV_JOBS_PER_THREAD = 3;
/** Rows of tensors per job, as many as an in-memory batch... */
export const ROWS_PER_JOB = IN_MEMORY_BATCH_ROWS;
/** ...unless that is over this many values: a thread's block of a wide tensor stays a few MB. */
export const VALUES_PER_JOB = 1 << 20;
/** Bytes of CSV per job: the lines that start in them. */
export const CSV_JOB_BYTES = 4 << 20;

/**
 * Values of a language model's logits read and scored at a time: as many whole sequences as
 * fit, or part of one sequence of a huge vocabulary (16 MB of float32 at most, whatever B, T, V).
 */
export const LM_BLOCK_VALUES = 1 << 22;
/**
 * Values of a block a scoring thread reads and scores at a time: blocks are split into parts of
 * at most this many (4 MB of float32), which keeps each thread's buffers to a few MB.
 */
export const LM_JOB_VALUES = 1 << 20;
/**
 * Parts sent ahead per scoring thread. A thread reads one part at a time into the same buffers
 * and sends back a few numbers per position, so memory stays a part per thread however many
 * wait; three keep a thread busy while the pass merges.
 */
export const LM_JOBS_PER_THREAD = 3;
/** Sequences a language model's analysis lists; beyond that, the worst ones. */
export const MAX_LISTED_SEQUENCES = 10_000;
/** Points of the mean loss by position: a longer context is averaged over neighbouring positions. */
export const MAX_POSITION_POINTS = 2_000;
/** Tokens of one sequence a token view holds (the protocol's bound). */
export const MAX_VIEW_TOKENS = 1 << 20;
