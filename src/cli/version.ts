// The version of the package this CLI was built from. The JSON import is resolved when the CLI
// is bundled (esbuild keeps only the `version` field), so the installed CLI needs no
// package.json at run time and always reports the version it was built as.
import { version } from '../../package.json';

export const CLI_VERSION: string = version;
