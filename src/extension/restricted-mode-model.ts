/**
 * The pure part of the Restricted Mode texts: the buttons of the untrusted import question, kept
 * free of `vscode` so their order (which decides the default answer) is unit tested.
 */

/** The shape of `vscode.MessageItem` the modal takes. */
export interface MessageButton {
  readonly title: string;
  readonly isCloseAffordance?: boolean;
}

/**
 * The buttons of the "Import anyway?" modal in an untrusted workspace. VS Code makes the first
 * button that is not the close affordance the default (Enter), so the safe choice comes first;
 * the close affordance is what Escape and the window's close button answer.
 */
export const UNTRUSTED_IMPORT_ITEMS = {
  notNow: { title: 'Not Now' },
  importAnyway: { title: 'Import Anyway' },
  cancel: { title: 'Cancel', isCloseAffordance: true },
} as const;

/** The items in the order VS Code is given them. */
export const UNTRUSTED_IMPORT_ORDER: readonly MessageButton[] = [UNTRUSTED_IMPORT_ITEMS.notNow, UNTRUSTED_IMPORT_ITEMS.importAnyway, UNTRUSTED_IMPORT_ITEMS.cancel];

