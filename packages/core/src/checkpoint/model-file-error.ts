// The one error a model file's reader throws for content it cannot use: the field (or tensor) it
// names is where the file is wrong, and `file`, when the reader knows it, which file that is.
export interface ModelFileErrorOptions {
  /** The file at fault (a path or a name such as "vocab.json"); the message starts with it. */
  file?: string;
  cause?: unknown;
}

export class ModelFileError extends Error {
  readonly file: string | undefined;
  constructor(
    /** e.g. "config.classes", "lab.module.kind", "tensor 'head.weight'"; '' for the file as a whole. */
    readonly field: string,
    readonly reason: string,
    { file, cause }: ModelFileErrorOptions = {},
  ) {
    super(
      `${[file, field].filter((part) => part !== undefined && part !== '').join(': ')}: ${reason}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'ModelFileError';
    this.file = file;
  }

  /** The same error naming `file` (when it names none yet). */
  inFile(file: string): ModelFileError {
    return this.file === undefined
      ? new ModelFileError(this.field, this.reason, { file, cause: this.cause })
      : this;
  }
}
