/** A subject, subject token or msgID that does not follow the naming rules in subjects.ts. */
export class SubjectError extends Error {
  override readonly name = 'SubjectError';
  constructor(
    message: string,
    /** The offending value, as given. */
    readonly value: string,
  ) {
    super(message);
  }
}
