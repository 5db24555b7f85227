import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { decodeReport } from '../parsers';
import { isInsideRoot } from './workspace-source';

/**
 * The one way a report file is read, for the CLI's import, the editor's import and the settings
 * panel's preview (issue 15: three copies had drifted, and the preview decoded UTF-16 reports
 * as UTF-8, calling a report that imports fine "not a supported report"). Each host maps
 * `ReportFileError` to its own errors (exit 2 in the CLI, a message in the editor); decoding
 * problems stay the parsers' `ReportParseError`, which both hosts already handle.
 */

/** Why a report file could not be read; `outside` only when the read was confined to a folder. */
export type ReportFileProblem = 'missing' | 'outside' | 'not-regular' | 'too-large' | 'unreadable';

/** A report file that is missing, outside its folder, not a regular file, too large or unreadable. */
export class ReportFileError extends Error {
  constructor(
    readonly fileName: string,
    readonly kind: ReportFileProblem,
    readonly problem: string,
  ) {
    super(`${fileName}: ${problem}`);
    this.name = 'ReportFileError';
  }
}

/** A report read from disk: its bytes, its text and the hash import history records. */
export interface ReportFile {
  /** The real path read, symbolic links resolved. */
  realPath: string;
  bytes: Buffer;
  /** The decoded text (UTF-8, or UTF-16 with a byte-order mark). */
  text: string;
  sha256: string;
  size: number;
}

export interface ReadReportOptions {
  /** The file's path, absolute. */
  path: string;
  /** The name messages use, e.g. the workspace-relative path. */
  fileName: string;
  maxBytes: number;
  /** The limit as the user set it, for the message refusing a larger file. */
  limitMb: number;
  /**
   * The folder the real path must lie in. The editor and the preview read reports a repository
   * names, so a link to `/etc/shadow` must be refused; the CLI reads the paths its user typed.
   */
  confineTo?: string;
}

/** Reads, bounds, decodes and hashes a report (see `readReportBytes` for the guarantees). */
export async function readReport(options: ReadReportOptions): Promise<ReportFile> {
  const { realPath, bytes } = await readReportBytes(options);
  return {
    realPath,
    bytes,
    text: decodeReport(bytes, options.fileName),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
  };
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${n} bytes`;
}

/**
 * The bytes of a report file, at most `maxBytes` of them. The path is resolved to its real
 * path first (and must lie in `confineTo` when given) and must name a regular file: a symbolic
 * link to `/dev/zero` would otherwise be read without end, a FIFO would block forever, and a
 * folder or a device is no report. The file is opened without blocking (a FIFO that appears
 * between the check and the open does not hang the run), checked again through the open handle,
 * and read with a bound on the read itself, so a file that grows while it is read (or a `/proc`
 * file whose size says 0) still cannot exceed the limit.
 */
export async function readReportBytes(options: ReadReportOptions): Promise<{ realPath: string; bytes: Buffer }> {
  const { fileName: file, maxBytes, limitMb } = options;
  const fail = (kind: ReportFileProblem, problem: string): ReportFileError => new ReportFileError(file, kind, problem);
  const overLimit = (size: string): ReportFileError =>
    fail('too-large', `the report is ${size}, over the ${limitMb} MB limit (setting scanLedger.maxReportSizeMb)`);
  let handle: fs.FileHandle | undefined;
  try {
    const real = await fs.realpath(options.path);
    if (options.confineTo !== undefined) {
      const root = await fs.realpath(options.confineTo);
      if (!isInsideRoot(root, real)) {
        throw fail('outside', `resolves to ${real}, outside the workspace folder ${root}; Scan Ledger only reads reports inside the folder`);
      }
    }
    const stat = await fs.stat(real);
    if (stat.isDirectory()) throw fail('not-regular', 'is a folder, not a report file');
    if (!stat.isFile()) throw fail('not-regular', `is not a regular file (${fileKind(stat)}); a report must be a regular file`);
    if (stat.size > maxBytes) throw overLimit(formatBytes(stat.size));
    handle = await fs.open(real, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const opened = await handle.stat();
    if (!opened.isFile()) throw fail('not-regular', `is not a regular file (${fileKind(opened)}); a report must be a regular file`);
    // One byte beyond the limit tells a file that grew past it from one that ends exactly there;
    // a file that grew while it was read is read on into a larger buffer, never past that byte.
    let buffer = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw overLimit(`over ${formatBytes(maxBytes)}`);
        const larger = Buffer.alloc(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) return { realPath: real, bytes: buffer.subarray(0, length) };
      length += bytesRead;
    }
  } catch (error) {
    if (error instanceof ReportFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail('missing', 'no such file');
    if (code === 'ENOTDIR') throw fail('missing', 'no such file (a part of the path is not a folder)');
    if (code === 'ELOOP') throw fail('unreadable', 'too many levels of symbolic links');
    if (code === 'EACCES' || code === 'EPERM') throw fail('unreadable', 'permission denied');
    throw fail('unreadable', `cannot read: ${(error as Error).message}`);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** What kind of file system entry a stat describes, for the message refusing it. */
function fileKind(stat: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}
