/**
 * The tree's DefectDojo row (issue 14): which server a folder syncs with and when it last did.
 * Pure, so it is unit tested without VS Code; the tree turns it into a `TreeItem`.
 */
import type { StoreData } from '../../model';

export interface ServerRow {
  key: string;
  folder: string;
  label: string;
  description: string;
  tooltip: string;
}

/** The server name the client uses as its sync key: origin and path prefix, no trailing slash. */
export function serverKey(url: string): string | null {
  try {
    const u = new URL(url.trim());
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/** "2026-05-04 13:07 UTC": short, unambiguous across time zones. */
function shortUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * The row for a folder with a configured server, or null when none is configured. `data` is the
 * folder's store (absent before the first import); `connected` says whether a token is stored.
 */
export function serverRow(folder: string, folderName: string, url: string, data: Pick<StoreData, 'defectdojoSync'> | undefined, connected: boolean): ServerRow | null {
  const key = serverKey(url);
  if (!url.trim() || !key) return null;
  const state = data?.defectdojoSync?.[key];
  const last = state?.lastSync ? `last sync ${shortUtc(state.lastSync)}` : 'never synced';
  const linked = state ? Object.keys(state.links).length : 0;
  return {
    key: `${folder}#defectdojo`,
    folder,
    label: `DefectDojo: ${new URL(key).host}`,
    description: connected ? last : 'not connected — run "Connect to DefectDojo…"',
    tooltip: [`${folderName} syncs with ${key}.`, connected ? `${last[0].toUpperCase()}${last.slice(1)}; ${linked} finding(s) matched.` : 'No API token is stored for this server.'].join('\n'),
  };
}
