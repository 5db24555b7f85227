/**
 * The one error every parser throws for bad input. It names the file, the position when known
 * and the problem, so the CLI can print it as one line and the editor can show it as is.
 */
export class ReportParseError extends Error {
  readonly fileName: string;
  readonly position: string | null;
  readonly problem: string;

  constructor(fileName: string, problem: string, position?: string | null) {
    const where = position ? `${fileName}:${position}` : fileName;
    super(`${where}: ${problem}`);
    this.name = 'ReportParseError';
    this.fileName = fileName;
    this.position = position ?? null;
    this.problem = problem;
  }
}
