// The one error a model file's reader throws for content it cannot use: the field (or tensor) it
// names is where the file is wrong.
export class ModelFileError extends Error {
  constructor(
    /** e.g. "config.classes", "lab.module.kind", "tensor 'head.weight'". */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ModelFileError';
  }
}
