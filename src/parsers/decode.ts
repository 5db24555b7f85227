import { ReportParseError } from './errors';

/**
 * Decodes a report's bytes for `parseReport`: UTF-16 when it starts with a UTF-16 byte-order
 * mark (what PowerShell's `>` writes), otherwise strict UTF-8, so a binary or mis-encoded file
 * is refused with an error naming it rather than mangled into findings. The CLI and the editor
 * both read reports through it, so a report decodes the same way in either.
 */
export function decodeReport(bytes: Uint8Array, reportName: string): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new ReportParseError(reportName, `is not ${encoding.toUpperCase()} text`);
  }
}
