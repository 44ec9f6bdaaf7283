import { stat } from 'node:fs/promises';

/** A folder named on the command line that cannot be used as one: the CLI prints the message (exit 2). */
export class FolderArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderArgumentError';
  }
}

/**
 * Checks that `folder` is a folder before anything is loaded or created for it (the model, the
 * store): a mistyped path is told in one line naming it, not as a raw ENOENT from deep inside.
 */
export async function checkFolder(folder: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(folder)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FolderArgumentError(`no folder at ${folder}: check the path`);
    throw new FolderArgumentError(`cannot open the folder ${folder} (${code ?? 'error'}): check its permissions`);
  }
  if (!isDirectory) throw new FolderArgumentError(`${folder} is a file, not a folder: give the folder that holds the images`);
}
