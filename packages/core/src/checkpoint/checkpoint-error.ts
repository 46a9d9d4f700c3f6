// The typed error of a checkpoint that is a valid safetensors file but not a valid @lab checkpoint.

export type CheckpointErrorCode =
  | 'NotACheckpoint'
  | 'InvalidField'
  | 'MissingTarget'
  | 'MissingTensor'
  | 'UnexpectedTensor'
  | 'ShapeMismatch'
  | 'NonFinite';

export class CheckpointError extends Error {
  constructor(
    readonly code: CheckpointErrorCode,
    /** Where in the checkpoint: a metadata field (`step`, `optimizers.G.mu`) or a tensor name. */
    readonly field: string,
    readonly detail: string,
    /** The file, when known. */
    readonly source?: string,
  ) {
    super(`${source ? `${source}: ` : ''}checkpoint ${field}: ${detail}`);
    this.name = 'CheckpointError';
  }
  /** The same error, naming the file it came from. */
  inFile(source: string): CheckpointError {
    return new CheckpointError(this.code, this.field, this.detail, source);
  }
}
