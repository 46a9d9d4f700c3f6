/** A surgery request that does not fit the model; `where` names the option or layer at fault. */
export class SurgeryError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'SurgeryError';
  }
}
