/** Bad input to a diff (a tree, the allow file): one line naming the side or the file, and the fix. */
export class DiffInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffInputError';
  }
}
