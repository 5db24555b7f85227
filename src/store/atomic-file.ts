import { promises as fs } from 'node:fs';

/**
 * Writes `text` to `file` through `temporary` (a name in the same folder) renamed over it, so
 * the name always holds a complete file, flushed to disk first when `fsync` asks. `exclusive`
 * refuses a temporary that already exists (one with an unpredictable name, never a leftover).
 * Whatever fails, the temporary is removed and the error reaches the caller, who names it.
 */
export async function writeThroughTemporary(file: string, text: string, temporary: string, options: { fsync: boolean; exclusive?: boolean }): Promise<void> {
  try {
    const handle = await fs.open(temporary, options.exclusive ? 'wx' : 'w');
    try {
      await handle.writeFile(text, 'utf8');
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
