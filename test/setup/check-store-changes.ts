/**
 * Loaded by mocha before every test file (see .mocharc.json): the store then checks after each
 * transaction that every finding the engine edited was recorded in `Ledger.changes`, so an edit
 * the store would not save fails a test instead of vanishing at the next load. Child processes
 * the tests start (the CLI, store workers) inherit the setting.
 */
process.env.SCAN_LEDGER_CHECK_CHANGES = '1';
